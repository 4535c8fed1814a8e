"""Plain cell values for the coverage matrix (網羅表).

The workbook builder places these rows (first row = header) and styles them;
this module only decides what the cells say. Rates are fractions (0.85 = 85%)
for a percentage number format; empty cells are "".
"""

from __future__ import annotations

from typing import Any

from xlplan.core.coverage import CoverageMatrix, coverage_matrix
from xlplan.core.model import Plan

COVERAGE_TOTAL = "計"
COVERAGE_REASON = "施策がない理由"
NO_REASON = "（理由の記載なし）"

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
