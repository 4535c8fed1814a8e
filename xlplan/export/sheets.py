"""Plain cell values for the coverage matrix and the 進捗管理 (annual review) sheets.

The workbook builder places these rows (first row = header) and styles them;
this module only decides what the cells say. Rates are fractions (0.85 = 85%)
for a percentage number format; empty cells are "".
"""

from __future__ import annotations

from typing import Any

from xlplan.core.coverage import CoverageMatrix, coverage_matrix
from xlplan.core.fiscal import wareki_fy
from xlplan.core.model import Plan
from xlplan.core.progress import DEFAULT_SCALE, GradeScale, plan_progress
from xlplan.core.schedule import kpi_baseline_text, kpi_target_text

COVERAGE_TOTAL = "計"
COVERAGE_REASON = "施策がない理由"
NO_REASON = "（理由の記載なし）"

PROGRESS_HEADER = (
    "施策ID", "施策名", "担当課", "No.", "指標名", "単位", "集計", "方向", "現状値", "目標", "目標年度",
    "年度", "目安の値", "実績値", "達成率", "評価", "評価の説明", "評価の根拠", "コメント",
)


def _reason(empty: bool, reason: str | None) -> str:
    if reason:
        return reason
    return NO_REASON if empty else ""


def coverage_sheet_values(plan: Plan, matrix: CoverageMatrix | None = None) -> list[list[Any]]:
    """柱 × 分野 with measure counts.

    Header: 柱, each domain, 計, 施策がない理由. One row per pillar (the last cell
    is its skip reason, or 「（理由の記載なし）」 when the row is empty without one),
    a 計 row of column totals, then a row of the domains' skip reasons.
    Highlight rows/columns in matrix.unexplained_pillars / unexplained_domains.
    """
    cov = matrix or coverage_matrix(plan)
    rows: list[list[Any]] = [["柱", *cov.domains, COVERAGE_TOTAL, COVERAGE_REASON]]
    for p in cov.pillars:
        total = cov.row_total(p)
        rows.append([p.value, *(cov.count(p, d) for d in cov.domains), total,
                     _reason(total == 0, cov.pillar_skips.get(p))])
    rows.append([COVERAGE_TOTAL, *(cov.column_total(d) for d in cov.domains), cov.total, ""])
    empty = set(cov.empty_domains)
    rows.append([COVERAGE_REASON, *(_reason(d in empty, cov.domain_skips.get(d)) for d in cov.domains), "", ""])
    return rows


def coverage_measure_ids(plan: Plan, matrix: CoverageMatrix | None = None) -> list[list[str]]:
    """The same grid as coverage_sheet_values' pillar rows, with the measure ids per cell (for links or comments)."""
    cov = matrix or coverage_matrix(plan)
    return [["、".join(cov.ids(p, d)) for d in cov.domains] for p in cov.pillars]


def progress_sheet_values(plan: Plan, fy: int, *, scale: GradeScale = DEFAULT_SCALE) -> list[list[Any]]:
    """進捗管理 for one fiscal year: one row per KPI (header first), graded with the scale.

    The コメント column shows the KPI's 実績の説明 for that year (entered on the domain sheet).
    """
    rows: list[list[Any]] = [list(PROGRESS_HEADER)]
    for r in plan_progress(plan, fy, scale=scale):
        k = r.kpi
        rows.append([
            r.measure_id, r.measure_name, r.owner, r.kpi_index + 1, k.name, k.unit, k.aggregation.value,
            k.direction.value, kpi_baseline_text(k), kpi_target_text(k),
            wareki_fy(r.target_fy) if r.target_fy else "", wareki_fy(fy),
            "" if r.expected is None else r.expected, "" if r.actual is None else r.actual,
            "" if r.rate is None else r.rate, r.grade.code, r.grade.label, r.note, k.comments.get(fy, ""),
        ])
    return rows
