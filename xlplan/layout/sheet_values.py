"""Model → cell values, row by row, for the builder and the writers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the catalog model is built only by the buttons that need it
    from xlplan.core.catalog import CatalogMeasure

from typing import Any

from xlplan.core.findings import Finding, Severity
from xlplan.core.fiscal import period_label
from xlplan.core.model import Kpi, Measure, Plan, Program
from xlplan.core.notation import Dates
from xlplan.core.schedule import GroupBy, kpi_target_text, number_text, schedule_rows, schedule_subtitle
from xlplan.core.vocab import (
    ACTUAL_MARK,
    CONTINUE_MARK,
    INTERIM_MARK,
    MILESTONE_MARK,
    TARGET_MARK,
    UNKNOWN_BASELINE,
    YES_NO,
    Phase,
)
from xlplan.layout import sheets as L
from xlplan.layout.a1 import col_letter, quote_sheet
from xlplan.layout.rowheight import wrap_text
from xlplan.layout.cells import (
    Formula,
    as_of_cell,
    fmt_number,
    fy_cell,
    fy_texts_cell,
    fy_values_cell,
    list_cell,
    milestones_cell,
    phases_cell,
)

Row = list[Any]


def kpi_cells(k: Kpi) -> dict[str, Any]:
    """A KPI's cell values by column key ("kpi.name", "kpi.target_value" …), as the domain sheet shows them."""
    return _kpi_values(k)


def _kpi_values(k: Kpi) -> dict[str, Any]:
    baseline = None
    if k.baseline is not None:
        baseline = UNKNOWN_BASELINE if k.baseline.value is None else fmt_number(k.baseline.value)
    return {
        "kpi.name": k.name or None,
        "kpi.kind": k.kind.value,
        "kpi.unit": k.unit or None,
        "kpi.aggregation": k.aggregation.value,
        "kpi.direction": k.direction.value,
        "kpi.baseline_value": baseline,
        "kpi.baseline_as_of": as_of_cell(k.baseline.as_of_fy, k.baseline.as_of_date) if k.baseline else None,
        "kpi.target_value": fmt_number(k.target_value),
        "kpi.target_text": k.target_text or None,
        "kpi.target_fy": fy_cell(k.target_fy),
        "kpi.expectation": k.expectation.value,
        **{L.target_key(fy): fmt_number(v) for fy, v in k.interim.items()},
        **{L.target_key(fy): text for fy, text in k.interim_statuses.items()},
        # xlplan 0.1's packed cells (only a version-1 table has these keys)
        "kpi.interim": fy_values_cell(k.interim),
        "kpi.actuals": fy_values_cell(k.actuals),
        "kpi.comments": fy_texts_cell(k.comments),
    }


def measure_rows(measure: Measure, table: L.Table) -> list[Row]:
    """One row per KPI (at least one). The first row carries the measure's fields;
    later rows repeat only the ID, so each KPI row says which measure it belongs to."""
    first = measure_cells(measure)
    kpis = measure.kpis or [None]
    rows = []
    for i, kpi in enumerate(kpis):
        values = dict(first) if i == 0 else {"measure.id": measure.id}
        if kpi is not None:
            values.update(_kpi_values(kpi))
        rows.append([values.get(c.key) for c in table.columns])
    return rows


def measure_cells(measure: Measure) -> dict[str, Any]:
    """The measure's own cell values by column key (its first row, KPI columns aside)."""
    return {
        "measure.id": measure.id,
        "measure.pillar": measure.pillar.value if measure.pillar else None,
        "measure.name": measure.name or None,
        "measure.origin": measure.origin.value,
        "measure.catalog_id": measure.catalog_id,
        "measure.content": measure.content or None,
        "measure.owner": measure.owner or None,
        "measure.programs": list_cell(measure.programs),
        "measure.milestones": milestones_cell(measure.milestones),
        "measure.notes": measure.notes or None,
        "measure.cost": fmt_number(measure.cost),
        "measure.funding": list_cell(measure.funding),
        **{L.fy_key(fy): phases_cell(phases) for fy, phases in measure.schedule.items()},
        **{L.extra_key(header): _extra_cell(value) for header, value in measure.extra.items()},
    }


def _extra_cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    return value


def info_values(plan: Plan) -> dict[str, Any]:
    return {
        "municipality": plan.municipality, "prefecture": plan.prefecture or None, "title": plan.title or None,
        "start_fy": fy_cell(plan.start_fy), "start_month": plan.start_month if plan.start_month != 4 else None,
        "years": plan.years, "period": period_label(plan.start_fy, plan.years, plan.start_month),
        "subdivision": plan.subdivision.value,
        "situation": plan.situation or None, "purpose": plan.purpose or None, "structure": plan.structure or None,
        "body_type": plan.body_type.value, "review": plan.review or None,
        "contact_department": plan.contact.department or None, "contact_phone": plan.contact.phone or None,
        "contact_email": plan.contact.email or None, "date_style": plan.date_style.value,
        "grade_scale": plan.grade_scale, "cost_columns": YES_NO[0] if plan.cost_columns else YES_NO[1],
    }


def grade_rows(plan: Plan) -> list[Row]:
    table = L.GRADES
    rows = []
    for g in plan.custom_grades:
        values = {"grade.code": g.code, "grade.label": g.label or None, "grade.min_percent": fmt_number(g.min_percent)}
        rows.append([values[c.key] for c in table.columns])
    return rows


def related_rows(plan: Plan) -> list[Row]:
    rows = []
    for r in plan.related_plans:
        values = {"related.name": r.name, "related.start_fy": fy_cell(r.start_fy), "related.end_fy": fy_cell(r.end_fy),
                  "related.relation": r.relation or None}
        rows.append([values[c.key] for c in L.RELATED.columns])
    return rows


def skip_rows(plan: Plan) -> list[Row]:
    return [[{"skip.target": s.target, "skip.reason": s.reason}[c.key] for c in L.SKIPS.columns] for s in plan.skips]


def program_row(p: Program, width: int | None = None, clear: bool = False) -> Row:
    """The program's cells, left to right; `width` cuts the row to an older sheet's columns.
    With `clear`, empty fields become "" so that writing the row also empties cells that had a value."""
    values = {
        "program.id": p.id, "program.level": p.level, "program.name": p.name, "program.ministry": p.ministry or None,
        "program.summary": p.summary or None, "program.support_type": p.support_type or None,
        "program.rate": p.rate or None, "program.eligibility": p.eligibility or None,
        "program.active_from_fy": fy_cell(p.active_from_fy), "program.active_to_fy": fy_cell(p.active_to_fy),
        "program.url": p.url or None,
        "program.verified_on": f"{p.verified_on.year}/{p.verified_on.month}/{p.verified_on.day}" if p.verified_on else None,
        "program.status": p.status.value if p.status else None, "program.successor": p.successor or None,
        "program.verification": p.verification or None,
    }
    row = [values[c.key] for c in L.PROGRAMS_TABLE.columns][:width]
    return ["" if clear and v is None else v for v in row]


def catalog_status(place: tuple[str, str] | None) -> Formula | str:
    """The 追加状況 cell: 「追加済み（電子行政!A7）」 linking to the measure, or empty."""
    if place is None or not place[0]:
        return ""
    sheet, cell = place
    text = f"{L.CATALOG_ADDED}（{sheet}!{cell}）"
    return Formula(f'HYPERLINK("#{quote_sheet(sheet)}!{cell}","{text}")', text)


def catalog_status_column(catalog_ids: list[str | None], placed: dict[str, tuple[str, str]]) -> list[Row]:
    """The 追加状況 column, one cell per catalog row (by its catalog id), for one block write."""
    return [[catalog_status(placed.get(cid)) if cid else ""] for cid in catalog_ids]


def _kpi_line(k: Kpi) -> str:
    detail = "・".join(x for x in (k.unit, k.aggregation.value) if x)
    return f"{k.name}（{detail}）"


def catalog_row(c: CatalogMeasure, program_names: dict[str, str] | None = None, adopted: bool = False,
                place: tuple[str, str] | None = None) -> Row:
    """One catalog entry; related programs are shown with their names (「N25 地域社会DX推進パッケージ事業」)."""
    names = program_names or {}
    values = {
        "catalog.adopt": L.ADOPT_MARK if adopted else None, "catalog.status": catalog_status(place) or None,
        "catalog.id": c.id, "catalog.domain": c.domain, "catalog.pillar": c.pillar.value,
        "catalog.text": c.text if c.adoptable else f"（{c.merged_into} に統合）{c.text}",
        "catalog.summary": c.summary or None, "catalog.owner": c.owner or None,
        "catalog.kpis": "\n".join(_kpi_line(k) for k in c.kpis) or None,
        "catalog.programs": "\n".join(f"{pid} {names[pid]}" if pid in names else pid for pid in c.programs) or None,
        "catalog.seed_text": c.seed_text or (f"（メモにない項目。出典: {c.source}）" if c.source else None),
        "catalog.note": "；".join([*c.corrections, *([c.note] if c.note else [])]) or None,
    }
    return [values[col.key] for col in L.CATALOG_TABLE.columns]


def catalog_section_row(title: str) -> Row:
    """A title row above each catalog section, in the ID column (text runs over to the right);
    the reader skips it because it has no 採用 mark."""
    return [f"{L.CATALOG_SECTION_MARK}{title}" if col.key == "catalog.id" else None for col in L.CATALOG_TABLE.columns]


def catalog_rows(catalog, placed: dict[str, tuple[str, str]] | None = None) -> list[Row]:
    """The catalog sheet's rows: each section under its title, in catalog order; placed gives
    where each catalog measure already in the plan is (its 追加状況)."""
    from xlplan.core.catalog import SECTIONS

    names = {p.id: p.name for p in catalog.programs}
    rows: list[Row] = []
    for section in SECTIONS:
        entries = catalog.section(section)
        if entries:
            rows.append(catalog_section_row(section))
            rows += [catalog_row(c, names, place=(placed or {}).get(c.id)) for c in entries]
    return rows


# ------------------------------------------------------------------ generated sheets

CURRENT_FY_MARK = "▼今年度"


def legend_cells(actuals: bool = False) -> list[str]:
    return ["凡例", *(f"{p.symbol}{p.value}" for p in Phase), f"{CONTINUE_MARK} 継続",
            f"{INTERIM_MARK} 年度の目標", f"{TARGET_MARK} KPI目標", f"{MILESTONE_MARK} マイルストーン",
            *([f"{ACTUAL_MARK} 実績（目安）評価"] if actuals else [])]


def _baseline(k: Kpi, dates: Dates) -> str:
    """3,200件（令和7年度）, 45手続（令和8年3月31日）: the plan's notation, never 2026/3/31 or R7."""
    if k.baseline is None:
        return ""
    value = UNKNOWN_BASELINE if k.baseline.value is None else f"{number_text(k.baseline.value)}{k.unit}"
    if k.baseline.as_of_date:
        return f"{value}（{dates.date(k.baseline.as_of_date)}）"
    if k.baseline.as_of_fy:
        return f"{value}（{dates.fy(k.baseline.as_of_fy)}）"
    return value


def schedule_outline(values: list[Row], layout: L.ScheduleLayout) -> list[int]:
    """Row outline levels from the first data row: group rows 1, measures 2 under a subsection (1 without),
    so that a pillar (or a domain) can be collapsed under its group row."""
    kind_col = layout.table.col("row.kind")
    levels = []
    in_sub = False
    for row in values[layout.first_row:]:
        kind = row[kind_col]
        if kind == "section":
            levels.append(0)
            in_sub = False
        elif kind == "subsection":
            levels.append(1)
            in_sub = True
        else:
            levels.append(2 if in_sub else 1)
    return levels


def actual_lines(results) -> Callable[[Measure, int], list[str]]:
    """★ lines for the 工程表: each KPI's result in a year — 実績, the 目安 and the grade."""
    def lines(measure: Measure, fy: int) -> list[str]:
        out = []
        for i in range(len(measure.kpis)):
            r = results.get((measure.id, i), {}).get(fy)
            if r is not None:
                expected = f"（目安{r.expected_text}）" if r.expected is not None else ""
                out.append(f"{ACTUAL_MARK}{r.actual_text or '—'}{expected}{r.grade_text}")
        return out
    return lines


def schedule_sheet_values(plan: Plan, layout: L.ScheduleLayout, current_fy: int, group_by: GroupBy = "pillar",
                          results=None) -> list[Row]:
    """Every value of the スケジュール sheet from A1 down: one block, one write. With results
    ((measure id, KPI index) -> FY -> KpiProgress), the years with actuals show them (★)."""
    table = layout.table
    width = table.width
    blank = lambda: [None] * width  # noqa: E731
    title = blank()
    title[0] = f"{plan.title or plan.municipality + '官民データ活用推進計画'}　工程表"
    subtitle = blank()
    subtitle[0] = schedule_subtitle(plan) + generated_note("工程表を再描画", width)
    legend = blank()
    for i, text in enumerate(legend_cells(results is not None)):
        legend[i] = text
    marker = blank()
    for part in range(1, layout.parts + 1):
        if table.has(layout.slot_key(current_fy, part)):
            marker[table.col(layout.slot_key(current_fy, part))] = CURRENT_FY_MARK
    rows: list[Row] = [title, subtitle, legend, marker, table.headers]
    dates = Dates(plan.date_style).western_given()  # the year headers give both notations
    lines = actual_lines(results) if results is not None else None
    for srow in schedule_rows(plan, group_by, layout.parts, lines):
        row = blank()
        row[table.col("row.kind")] = srow.kind
        if srow.kind != "measure":
            row[0] = srow.title
            rows.append(row)
            continue
        m = srow.measure
        assert m is not None
        col_width = lambda key: table.columns[table.col(key)].width  # noqa: E731
        row[table.col("row.no")] = srow.no
        # Broken by the line-breaking rules (no lone 「）」 on a line); a KPI's lines stay level across its columns.
        for key, text in (("row.name", m.name), ("row.owner", m.owner),
                          ("row.programs", "\n".join(p.name if (p := plan.program(pid)) else pid for pid in m.programs))):
            row[table.col(key)] = wrap_text(text, col_width(key))
        kpi_keys = ("row.kpi", "row.baseline", "row.target")
        blocks: dict[str, list[str]] = {key: [] for key in kpi_keys}
        for k in m.kpis:
            target = f"{kpi_target_text(k)}（{dates.fy(k.target_fy)}）" if k.target_fy else kpi_target_text(k)
            cells = {key: wrap_text(text, col_width(key)) for key, text in zip(kpi_keys, (k.name, _baseline(k, dates), target))}
            height = max(c.count("\n") for c in cells.values())
            for key, text in cells.items():
                blocks[key].append(text + "\n" * (height - text.count("\n")))
        for key, parts in blocks.items():
            row[table.col(key)] = "\n".join(parts)
        for (fy, part), cell in srow.slots.items():
            key = layout.slot_key(fy, part)
            if table.has(key):
                row[table.col(key)] = wrap_text(cell.text, table.columns[table.col(key)].width) or None
                row[table.col("code:" + key)] = cell.code
        rows.append(row)
    return [[v if v != "" else None for v in r] for r in rows]


def generated_note(button: str, width: int) -> str:
    """Said on each generated sheet, where the clerk types: what is redrawn, and where a memo is safe."""
    return (f"　※この表（A〜{col_letter(width - 1)}列）は「{button}」のたびに作り直されます。"
            f"メモは {col_letter(width)}列より右に書いてください（消えません）。")


def findings_sheet_values(findings: list[Finding], checked_at: str = "") -> list[Row]:
    """Every value of the 検証結果 sheet: a summary, then one row per finding with a link."""
    t = L.FINDINGS_TABLE
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    summary = f"エラー {errors}件、警告 {warnings}件" + (f"（{checked_at}）" if checked_at else "")
    if not findings:
        summary += "　問題は見つかりませんでした。"
    width = t.width
    rows: list[Row] = [["検証結果"] + [None] * (width - 1), [summary] + [None] * (width - 1),
                       ["場所をクリックすると該当のセルに移動します。直したら、もう一度「検証」ボタンを押してください。"
                        + generated_note("検証", width)] + [None] * (width - 1),
                       t.headers]
    for f in findings:
        place = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
        link = Formula(f'HYPERLINK("#{quote_sheet(f.sheet)}!{f.cell}","{place}")', place) if f.sheet and f.cell else place
        rows.append([f.severity.label, f.code, link, f.measure_id or None, f.message,
                     place if f.severity is Severity.ERROR else None,
                     place if f.severity is Severity.WARNING else None])
    return rows


def coverage_values(plan: Plan, layout: L.CoverageLayout, place=None) -> list[Row]:
    """網羅表 from A1: title, help, blank, then the matrix. A count links to its first measure's row
    when place(measure_id) -> (sheet, cell) is given."""
    from xlplan.core.coverage import coverage_matrix
    from xlplan.export.sheets import coverage_sheet_values

    matrix = coverage_matrix(plan)
    grid = coverage_sheet_values(plan, matrix)
    width = layout.table.width
    if place is not None:
        for i, pillar in enumerate(matrix.pillars):
            for j, domain in enumerate(matrix.domains):
                ids = matrix.ids(pillar, domain)
                if ids and j + 1 < width - 2:
                    sheet, cell = place(ids[0])
                    if sheet:
                        grid[1 + i][1 + j] = Formula(f'HYPERLINK("#{quote_sheet(sheet)}!{cell}",{len(ids)})', len(ids))
    title = ["網羅表（柱 × 分野の施策数）"] + [None] * (width - 1)
    help_ = [generated_note("検証", width).lstrip("　") + "数字は施策の数です（クリックでその施策へ移動）。黄色の行・列は施策も理由もない柱・分野です。"
             "取り組まない場合は基本情報の「取り組まない柱・分野と理由」に書いてください。"] + [None] * (width - 1)
    rows = [title, help_, [None] * width]
    rows += [[v if v != "" else None for v in (r + [None] * width)[:width]] for r in grid]
    return rows
