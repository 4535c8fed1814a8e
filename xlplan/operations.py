"""The button operations, from what was read to the write operations to apply.

Both entry points (the CLI on files, xlplan.excel on a live workbook) read the
workbook into a ReadResult, call one of these, and hand the ops to an adapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the catalog model is built only by the buttons that need it
    from xlplan.core.catalog import Catalog

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from xlplan.core.findings import Finding, Severity
from xlplan.core.fiscal import fy_of_date, wareki_fy
from xlplan.core.populate import PopulateResult, new_measures
from xlplan.core.programs import ProgramMerge
from xlplan.core.schedule import GroupBy
from xlplan.core.validation import validate_plan
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.ops import FitRows, InsertRows, Op, ReplaceValues, SetValues
from xlplan.layout.read import ReadResult
from xlplan.core.findings import Ref
from xlplan.layout.sheet_values import (
    coverage_values,
    findings_sheet_values,
    measure_rows,
    program_row,
    progress_values,
    schedule_sheet_values,
)


def current_fy(today: dt.date | None = None) -> int:
    return fy_of_date(today or dt.date.today())


def findings_for(read: ReadResult) -> list[Finding]:
    """Cell-level reading problems, then every rule's findings, placed on cells."""
    findings = list(read.findings)
    if read.plan is not None:
        findings += read.locator.resolve(validate_plan(read.plan))
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def validate_ops(read: ReadResult, today: dt.date | None = None) -> tuple[list[Finding], list[Op]]:
    findings = findings_for(read)
    stamp = f"{wareki_fy(current_fy(today))}　{(today or dt.date.today()).isoformat()} に検証"
    values = findings_sheet_values(findings, stamp)
    first = L.FINDINGS_TABLE.first_row
    return findings, [ReplaceValues(L.FINDINGS, 0, values, width=L.FINDINGS_TABLE.width),
                      FitRows(L.FINDINGS, first, len(values) - first), *coverage_ops(read)]


def coverage_ops(read: ReadResult) -> list[Op]:
    """網羅表, counted from the measures just read; each count links to its first measure."""
    if read.plan is None or read.layout.coverage.domains != tuple(read.plan.domains):
        return []
    values = coverage_values(read.plan, read.layout.coverage, lambda mid: read.locator.place(Ref(measure_id=mid)))
    return [ReplaceValues(L.COVERAGE, 0, values, width=read.layout.coverage.table.width)]


def progress_fy(read: ReadResult, requested: int | None = None, today: dt.date | None = None) -> int:
    """The year to review: the one asked for, else 進捗管理!B2, else the latest year with actuals, else this year."""
    from xlplan.core.progress import latest_actual_fy

    assert read.plan is not None
    if requested is not None:
        return requested
    if read.progress_fy is not None:
        return read.progress_fy
    return latest_actual_fy(read.plan) or min(max(current_fy(today), read.plan.start_fy), read.plan.end_fy)


def progress_ops(read: ReadResult, fy: int) -> list[Op]:
    if read.plan is None:
        return []
    layout = L.ProgressLayout()
    values = progress_values(read.plan, layout, fy)
    return [ReplaceValues(L.PROGRESS, layout.summary_row, values, width=layout.table.width),
            FitRows(L.PROGRESS, layout.first_row, len(values) - (layout.first_row - layout.summary_row))]


def clear_marks_ops() -> list[Op]:
    values = findings_sheet_values([], "印を消しました。もう一度調べるには「検証」ボタンを押してください")
    return [ReplaceValues(L.FINDINGS, 0, values, width=L.FINDINGS_TABLE.width)]


def schedule_ops(read: ReadResult, today: dt.date | None = None, group_by: GroupBy = "pillar") -> list[Op]:
    if read.plan is None:
        return []
    for f in read.findings:
        if f.code in ("INPUT-SCHEDULE-COLUMNS", "INPUT-FY-COLUMNS"):
            raise XlplanUserError(f.message, sheet=f.sheet, cell=f.cell)
    layout = read.layout.schedule
    values = schedule_sheet_values(read.plan, layout, current_fy(today), group_by)
    return [ReplaceValues(L.SCHEDULE, 0, values, width=layout.table.width),
            FitRows(L.SCHEDULE, layout.first_row, len(values) - layout.first_row)]


@dataclass(frozen=True)
class PopulatePlan:
    result: PopulateResult
    ops: list[Op]


def populate_ops(read: ReadResult, catalog: Catalog, catalog_ids: list[str]) -> PopulatePlan:
    """New rows under each measure's pillar; existing rows only move down, whole."""
    assert read.plan is not None
    codes = {d: L.domain_code(d, read.layout.domains) for d in read.layout.domains}
    result = new_measures(read.plan, catalog, catalog_ids, codes)
    by_position: dict[tuple[str, int], list] = defaultdict(list)
    for measure in result.added:
        table = read.layout.domain_tables[measure.domain]
        by_position[(measure.domain, _insert_row(read, measure.domain, measure.pillar.order, table))].append(measure)
    ops: list[Op] = []
    # Bottom-up, so earlier insertion points keep their row numbers.
    for (sheet, row), measures in sorted(by_position.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        table = read.layout.domain_tables[sheet]
        rows = [r for m in measures for r in measure_rows(m, table)]
        ops.append(InsertRows(sheet, row, len(rows)))
        ops.append(SetValues(sheet, row, 0, rows))
        ops.append(FitRows(sheet, row, len(rows)))
    # An older workbook may lack programs the catalog now links: add them, so the new measures' IDs resolve.
    known = {p.id for p in read.plan.programs}
    missing = {pid for m in result.added for pid in m.programs if pid not in known}
    ops += program_merge_ops(read, ProgramMerge(append=[p for p in catalog.programs if p.id in missing]))
    return PopulatePlan(result, ops)


def _insert_row(read: ReadResult, sheet: str, pillar_order: int, table: L.Table) -> int:
    """Below the last measure whose pillar comes no later, else above the first measure."""
    rows = read.rows.get(sheet, [])
    plan = read.plan
    assert plan is not None
    pillars = {m.id: m.pillar for m in plan.measures if m.domain == sheet}
    after = [r.last_row for r in rows if (p := pillars.get(r.measure_id)) is not None and p.order <= pillar_order]
    if after:
        return max(after) + 1
    return min((r.first_row for r in rows), default=table.first_row)


# ------------------------------------------------------------------ 国・県の施策

def program_sheet_problems(read: ReadResult) -> list[Finding]:
    """Cells of 国・県の施策 that could not be read: rows would be misplaced, so nothing is merged until fixed."""
    return [f for f in read.findings if f.sheet == L.PROGRAMS]


def program_merge_ops(read: ReadResult, merge: ProgramMerge) -> list[Op]:
    """Write a merge into 国・県の施策: changed rows in place, new rows below the last filled row.

    No row is inserted or moved, so the clerk's own rows stay where they are. An older sheet
    without the 状態・後継・確認の内容 columns gets them when those cells are empty; otherwise
    rows are written without them.
    """
    table = L.PROGRAMS_TABLE
    sheet = read.programs
    assert sheet is not None
    if not merge.changes:
        return []
    ops: list[Op] = []
    width = sheet.width
    if width < table.width and sheet.can_widen:
        ops.append(SetValues(L.PROGRAMS, table.header_row, width, [table.headers[width:]]))
        width = table.width
    for pid, program in merge.replace.items():
        row = sheet.rows[pid]
        ops += [SetValues(L.PROGRAMS, row, 0, [program_row(program, width, clear=True)]), FitRows(L.PROGRAMS, row, 1)]
    if merge.append:
        rows = [program_row(p, width) for p in merge.append]
        ops += [SetValues(L.PROGRAMS, sheet.end_row, 0, rows), FitRows(L.PROGRAMS, sheet.end_row, len(rows))]
    return ops
