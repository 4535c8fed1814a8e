"""進捗管理 and 「退避した入力」 as cell values: the plan graded for every fiscal year, with the typed inputs.

Generated cells come from xlplan.core.progress; the yellow input cells carry what
the clerk typed, exactly (raw, even when it could not be read), or — for a
workbook built from a plan file — the plan's own values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from xlplan.core.fiscal import wareki_fy
from xlplan.core.grading import GradeScale
from xlplan.core.input_matching import Slot
from xlplan.core.model import Plan
from xlplan.core.progress import FORMULA_TEXT, InputErrors, KpiProgress, grade_counts, plan_progress, plan_scale
from xlplan.core.statuses import LADDER_TEXT
from xlplan.layout import sheets as L
from xlplan.layout.cells import fmt_number
from xlplan.layout.read_progress import TypedInput

Row = list[Any]
_COLUMNS = L.ProgressLayout().table.columns


def summary_text(plan: Plan, fy: int, results: list[KpiProgress], scale: GradeScale) -> str:
    counts = grade_counts(results, scale)
    shown = "、".join(f"{code} {n}件" for code, n in counts.items())
    return f"{wareki_fy(fy)}の評価（評価の尺度: {scale.name}、KPI {len(results)}件）: {shown}　※年度はB2で変えられます"


def note_text(scale: GradeScale) -> str:
    return (f"{FORMULA_TEXT}（100% ＝ その年度の目安どおり。減少を目指す指標も同じ式）。"
            "目安: その年度の目標があればその値、なければ現状値から目標値への線上の値（計画開始からの月数で按分。現状値のない年度値は目標値）。"
            "現状値が未把握のとき・目安が現状値と同じときは 実績÷目安（減少は 目安÷実績）。"
            f"評価は表示した達成率で決まります: {scale.legend()}。"
            f"数値でない目標の状況: {LADDER_TEXT}（未着手を0%として同じ式）。")


def _target_cell(value: float | str | None) -> Any:
    return fmt_number(value) if isinstance(value, (int, float)) else value


def _plan_inputs(r: KpiProgress) -> dict[str, Any]:
    k, fy = r.kpi, r.fy
    override = k.overrides.get(fy)
    actual = k.statuses.get(fy) if k.qualitative else fmt_number(k.actuals.get(fy))
    return {"progress.actual": actual, "progress.comment": k.comments.get(fy),
            "progress.next_steps": k.next_steps.get(fy), "progress.manual_grade": override.grade if override else None,
            "progress.reason": (override.reason or None) if override else None}


def progress_row(r: KpiProgress, scale: GradeScale, typed: TypedInput | None) -> Row:
    values = {
        "progress.fy": wareki_fy(r.fy), "progress.measure_id": r.measure.id, "progress.kpi_no": r.kpi_index + 1,
        "progress.domain": r.measure.domain, "progress.measure_name": r.measure.name or None,
        "progress.owner": r.measure.owner or None, "progress.kpi_name": r.kpi.name or None,
        "progress.unit": (r.kpi.unit or None) if not r.qualitative else "状況",
        "progress.year_target": _target_cell(r.year_target),
        "progress.expected": (f"{r.expected:g}%" if r.qualitative else fmt_number(r.expected)) if r.expected is not None else None,
        "progress.rate": r.rate, "progress.grade": r.grade_text, "progress.basis": r.note,
        "progress.grade_class": scale.level_class(r.grade),
        **(dict(typed.raw) if typed is not None else _plan_inputs(r)),
    }
    return [values.get(c.key) for c in _COLUMNS]


def progress_table(plan: Plan, inputs: Mapping[Slot, TypedInput] | None = None,
                   errors: InputErrors | None = None, report_fy: int | None = None) -> list[Row]:
    """One row per KPI and fiscal year of the plan: by year, then in sheet order."""
    return progress_sheet(plan, inputs, errors, report_fy)[0]


def progress_sheet(plan: Plan, inputs: Mapping[Slot, TypedInput] | None = None, errors: InputErrors | None = None,
                   report_fy: int | None = None) -> tuple[list[Row], str, str]:
    """(the table, the summary of the report year, the formula note), grading each year once."""
    scale = plan_scale(plan)
    inputs = inputs or {}
    rows = []
    by_year: dict[int, list[KpiProgress]] = {}
    for fy in plan.fiscal_years:
        by_year[fy] = plan_progress(plan, fy, errors=errors)
        for r in by_year[fy]:
            rows.append(progress_row(r, scale, inputs.get((r.measure.id, r.kpi_index, fy))))
    fy = report_fy if report_fy is not None else plan.start_fy
    results = by_year.get(fy) or plan_progress(plan, fy, errors=errors)
    return rows, summary_text(plan, fy, results, scale), note_text(scale)


def progress_slots(plan: Plan) -> list[Slot]:
    """(measure id, KPI index, FY) of each row of the table progress_sheet makes, in its order."""
    return [(m.id, i, fy) for fy in plan.fiscal_years for m in plan.measures for i, _ in enumerate(m.kpis)]


def progress_head(plan: Plan, report_fy: int, errors: InputErrors | None = None) -> tuple[str, str]:
    """(the summary of the report year, the formula note)."""
    scale = plan_scale(plan)
    return summary_text(plan, report_fy, plan_progress(plan, report_fy, errors=errors), scale), note_text(scale)


def orphan_rows(orphans: list[TypedInput], today: dt.date) -> list[Row]:
    t = L.ORPHANS_TABLE
    rows = []
    for o in orphans:
        values = {
            "orphan.when": f"{today.year}/{today.month}/{today.day}",
            "orphan.fy": wareki_fy(o.key.fy) if o.key.fy else None, "orphan.measure_id": o.key.measure_id or None,
            "orphan.kpi_no": o.key.kpi_no, "orphan.kpi_name": o.key.kpi_name or None,
            "orphan.actual": o.raw.get("progress.actual"), "orphan.comment": o.raw.get("progress.comment"),
            "orphan.next_steps": o.raw.get("progress.next_steps"),
            "orphan.manual_grade": o.raw.get("progress.manual_grade"), "orphan.reason": o.raw.get("progress.reason"),
            "orphan.why": f"進捗管理の{o.row + 1}行目の入力。行き先のKPI（施策ID・指標名・KPI番号・年度）が分野のシートにありません",
        }
        rows.append([values.get(c.key) for c in t.columns])
    return rows
