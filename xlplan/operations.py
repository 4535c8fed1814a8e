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
from dataclasses import dataclass, field

from xlplan.core.findings import Finding, Severity
from xlplan.core.fiscal import fy_of_date, wareki_fy
from xlplan.core.model import Plan
from xlplan.core.populate import PopulateResult, in_plan, matched_in_plan, new_measures
from xlplan.core.programs import ProgramMerge
from xlplan.core.schedule import GroupBy
from xlplan.core.validation import validate_plan
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.ops import FillBlanks, FitRows, InsertRows, Op, OutlineRows, ReplaceValues, SetValues
from xlplan.layout.cells import fmt_number
from xlplan.layout.legacy import refuse_legacy
from xlplan.layout.read import ReadResult
from xlplan.core.findings import Ref
from xlplan.layout.sheet_values import (
    catalog_status_column,
    coverage_values,
    findings_sheet_values,
    measure_rows,
    program_row,
    schedule_outline,
    schedule_sheet_values,
)


def current_fy(today: dt.date | None = None) -> int:
    return fy_of_date(today or dt.date.today())


def findings_for(read: ReadResult) -> list[Finding]:
    """Cell-level reading problems, then every rule's findings, placed on cells."""
    findings = list(read.findings)
    if read.plan is not None:
        # A cell that could not be read already has its finding; a rule seeing it empty would add a false second one.
        unread = {(f.sheet, f.cell) for f in read.findings if f.cell}
        findings += [f for f in read.locator.resolve(validate_plan(read.plan)) if (f.sheet, f.cell) not in unread]
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def validate_ops(read: ReadResult, today: dt.date | None = None,
                 catalog: Catalog | None = None, *, progress: bool = False) -> tuple[list[Finding], list[Op]]:
    """検証結果 and 網羅表, plus what validate keeps up to date on the clerk's sheets: 施策ID written
    into rows typed without one, and the 施策カタログ's 追加状況. progress=True (the redraw) also
    regenerates 進捗管理; 検証 itself leaves it to 「進捗管理を作成」, since rebuilding a row per KPI
    and year would be most of a 検証's time in a large plan."""
    refuse_legacy(read)
    findings = findings_for(read)
    stamp = f"{wareki_fy(current_fy(today))}　{(today or dt.date.today()).isoformat()} に検証"
    values = findings_sheet_values(findings, stamp)
    first = L.FINDINGS_TABLE.first_row
    placed = {}
    if read.plan is not None:
        entries = catalog.measures if catalog is not None else _catalog_names()
        placed = {cid: read.locator.place(Ref(measure_id=mid))
                  for cid, mid in matched_in_plan(read.plan, entries).items()}
    return findings, [*id_ops(read), *catalog_status_ops(read, placed),
                      ReplaceValues(L.FINDINGS, 0, values, width=L.FINDINGS_TABLE.width),
                      FitRows(L.FINDINGS, first, len(values) - first),
                      *coverage_ops(read), *(progress_ops(read, today=today) if progress else [])]


def _catalog_names():
    from xlplan.catalog_data import catalog_names   # the catalog's ids and names only: no models to build

    return catalog_names()


def id_ops(read: ReadResult) -> list[Op]:
    """The 施策ID of every row typed without one, written into the sheet: one block per sheet.

    A new measure gets the next free ID of its sheet (given when the sheet was read), a KPI row
    under a measure the measure's ID; an existing ID is never changed."""
    ops: list[Op] = []
    for sheet, rows in read.rows.items():
        ids = {row: r.measure_id for r in rows for row in r.unnumbered}
        if not ids:
            continue
        table = read.layout.domain_tables[sheet]
        col = table.col("measure.id")
        first, last = min(ids), max(ids)
        current = read.ids_as_read.get(sheet, {})
        ops.append(FillBlanks(sheet, first, col, [[ids.get(r)] for r in range(first, last + 1)],
                              [[current.get(r)] for r in range(first, last + 1)]))
    return ops


def catalog_status_ops(read: ReadResult, placed: dict[str, tuple[str, str]]) -> list[Op]:
    """The 施策カタログ's 追加状況 column: 「追加済み（シート!セル）」 for each catalog row in the plan."""
    cat = read.catalog
    if cat is None or not cat.has_status or not cat.ids:
        return []
    first, last = min(cat.ids), max(cat.ids)
    column = catalog_status_column([cat.ids.get(r) for r in range(first, last + 1)], placed)
    shown = [getattr(v, "cached", v) for [v] in column]
    if shown == [cat.status.get(r, "") for r in range(first, last + 1)]:
        return []   # already up to date: the sheet is left untouched
    return [SetValues(L.CATALOG, first, L.CATALOG_TABLE.col("catalog.status"), column)]


def coverage_ops(read: ReadResult) -> list[Op]:
    """網羅表, counted from the measures just read; each count links to its first measure."""
    if read.plan is None or read.layout.coverage.domains != tuple(read.plan.domains):
        return []
    values = coverage_values(read.plan, read.layout.coverage, lambda mid: read.locator.place(Ref(measure_id=mid)))
    return [ReplaceValues(L.COVERAGE, 0, values, width=read.layout.coverage.table.width)]


def progress_fy(read: ReadResult, requested: int | None = None, today: dt.date | None = None,
                plan: Plan | None = None) -> int:
    """The year to report: the one asked for, else 進捗管理!B2, else the latest year with actuals, else this year."""
    from xlplan.core.progress import latest_actual_fy

    plan = plan or read.plan
    assert plan is not None
    if requested is not None:
        return requested
    if read.progress_fy is not None:
        return read.progress_fy
    return latest_actual_fy(plan) or min(max(current_fy(today), plan.start_fy), plan.end_fy)


def progress_ops(read: ReadResult, fy: int | None = None, today: dt.date | None = None) -> list[Op]:
    """進捗管理 regenerated for every KPI and year, each typed input back on its KPI's row; typed input
    whose KPI is gone appended to 「退避した入力」. Nothing is written when nothing would change."""
    refuse_legacy(read)
    if read.plan is None or read.progress is None:
        return []
    return _progress_sheet_ops(read, read.plan, read.progress.inputs, fy, today)


def _progress_sheet_ops(read: ReadResult, plan: Plan, inputs: dict, fy: int | None, today: dt.date | None) -> list[Op]:
    """進捗管理 as `plan` and `inputs` (slot -> typed input) give it, compared with the sheet as read."""
    from xlplan.layout.progress_values import orphan_rows, progress_sheet

    assert read.progress is not None
    layout = L.ProgressLayout()
    report_fy = fy if fy is not None else progress_fy(read, today=today, plan=plan)
    table, summary, note = progress_sheet(plan, inputs, read.input_errors, report_fy)
    ops: list[Op] = []
    grid = read.progress.grid or []
    if _differs(grid, layout.summary_row, [[summary], [note]]):
        ops.append(SetValues(L.PROGRESS, layout.summary_row, 0, [[summary], [note]]))
    if _differs(grid, layout.first_row, table, to_end=True):
        ops += [ReplaceValues(L.PROGRESS, layout.first_row, table, width=layout.table.width), FitRows(L.PROGRESS, layout.first_row, len(table))]
    if read.progress.orphans:
        rows = orphan_rows(read.progress.orphans, today or dt.date.today())
        ops += [SetValues(L.ORPHANS, read.progress.orphans_next_row, 0, rows),
                FitRows(L.ORPHANS, read.progress.orphans_next_row, len(rows))]
    return ops


def _same(a: object, b: object) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _differs(grid, first: int, rows: list[list], to_end: bool = False) -> bool:
    """Whether writing `rows` from row `first` would change what the sheet holds (and, to_end, clear more rows)."""
    for i, row in enumerate(rows):
        old = grid[first + i] if first + i < len(grid) else []
        shown = ["" if v is None else v for v in row]
        if list(old[:len(shown)]) == shown:          # the usual case; 1 == 1.0 as Excel stores numbers
            pass
        elif any(not _same(v, old[j] if j < len(old) else None) for j, v in enumerate(row)):
            return True
        if any(v not in (None, "") for v in old[len(row):]):
            return True
    if to_end:
        return any(any(v not in (None, "") for v in r) for r in grid[first + len(rows):])
    return False
def clear_marks_ops() -> list[Op]:
    # Allowed on xlplan 0.1 workbooks too: it only empties 検証結果, whose layout has not changed.
    values = findings_sheet_values([], "印を消しました。もう一度調べるには「検証」ボタンを押してください")
    return [ReplaceValues(L.FINDINGS, 0, values, width=L.FINDINGS_TABLE.width)]


def schedule_ops(read: ReadResult, today: dt.date | None = None, group_by: GroupBy = "pillar",
                 actuals: bool = False) -> list[Op]:
    """The 工程表 redrawn; with actuals, each year with results also shows 実績, 目安 and the grade."""
    refuse_legacy(read)
    if read.plan is None:
        return []
    for f in read.findings:
        if f.code in ("INPUT-SCHEDULE-COLUMNS", "INPUT-FY-COLUMNS"):
            raise XlplanUserError(f.message, sheet=f.sheet, cell=f.cell)
    layout = read.layout.schedule
    progress = year_results(read) if actuals else None
    values = schedule_sheet_values(read.plan, layout, current_fy(today), group_by, progress)
    return [ReplaceValues(L.SCHEDULE, 0, values, width=layout.table.width),
            FitRows(L.SCHEDULE, layout.first_row, len(values) - layout.first_row),
            OutlineRows(L.SCHEDULE, layout.first_row, tuple(schedule_outline(values, layout)))]


def year_results(read: ReadResult) -> dict:
    """(measure id, KPI index) -> FY -> KpiProgress, for every year with an actual or a status."""
    from xlplan.core.progress import actual_years, plan_progress

    assert read.plan is not None
    results: dict = {}
    for fy in actual_years(read.plan):
        for r in plan_progress(read.plan, fy, errors=read.input_errors):
            if r.actual is not None or r.status is not None or r.manual:
                results.setdefault((r.measure.id, r.kpi_index), {})[fy] = r
    return results


@dataclass(frozen=True)
class PopulatePlan:
    result: PopulateResult
    ops: list[Op]


def populate_ops(read: ReadResult, catalog: Catalog, catalog_ids: list[str]) -> PopulatePlan:
    """New rows under each measure's pillar; existing rows only move down, whole. IDs missing on
    the sheet are written first (at the rows as read), and the catalog's 追加状況 last, at the rows
    the measures end up in."""
    refuse_legacy(read)
    assert read.plan is not None
    codes = read.layout.domain_codes
    result = new_measures(read.plan, catalog, catalog_ids, codes)
    by_position: dict[tuple[str, int], list] = defaultdict(list)
    for measure in result.added:
        table = read.layout.domain_tables[measure.domain]
        by_position[(measure.domain, _insert_row(read, measure.domain, measure.pillar.order, table))].append(measure)
    ops: list[Op] = [*id_ops(read)]
    inserted: dict[str, list[tuple[int, int]]] = defaultdict(list)   # sheet → (row as read, count)
    first_rows: dict[str, tuple[str, int, int]] = {}   # added measure id → (sheet, insertion row as read, offset)
    # Bottom-up, so earlier insertion points keep their row numbers.
    for (sheet, row), measures in sorted(by_position.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        table = read.layout.domain_tables[sheet]
        rows = []
        for m in measures:
            first_rows[m.id] = (sheet, row, len(rows))
            rows += measure_rows(m, table)
        ops.append(InsertRows(sheet, row, len(rows)))
        ops.append(SetValues(sheet, row, 0, rows))
        ops.append(FitRows(sheet, row, len(rows)))
        inserted[sheet].append((row, len(rows)))

    def moved(sheet: str, row: int, at_insert: bool = False) -> int:
        """Where a row as read ends up: pushed down by every insertion above it (or at it)."""
        return row + sum(n for r, n in inserted[sheet] if r < row or (r == row and not at_insert))

    def place(mid: str) -> tuple[str, str]:
        if mid in first_rows:
            sheet, row, offset = first_rows[mid]
            return sheet, read.layout.domain_tables[sheet].cell(moved(sheet, row, True) + offset, "measure.id")
        where = read.locator.measures.get(mid)
        if where is None:
            return "", ""
        return where.sheet, read.layout.domain_tables[where.sheet].cell(moved(where.sheet, where.first_row), "measure.id")

    plan = read.plan.model_copy(update={"measures": [*read.plan.measures, *result.added]})
    ops += catalog_status_ops(read, {cid: place(mid) for cid, mid in in_plan(plan, catalog).items()})
    # An older workbook may lack programs the catalog now links: add them, so the new measures' IDs resolve.
    known = {p.id for p in read.plan.programs}
    missing = {pid for m in result.added for pid in m.programs if pid not in known}
    ops += program_merge_ops(read, ProgramMerge(append=[p for p in catalog.programs if p.id in missing]))
    return PopulatePlan(result, ops)


def already_lines(read: ReadResult, result: PopulateResult, catalog: Catalog) -> list[str]:
    """One line per catalog measure not added because the plan has it: where it already is."""
    lines = []
    for cid in result.already:
        mid = result.matched.get(cid, "")
        sheet, cell = read.locator.place(Ref(measure_id=mid)) if mid else ("", "")
        entry = catalog.measure(cid)
        where = f"{sheet}!{cell} の施策 {mid}" if sheet else f"施策 {mid}"
        lines.append(f"{cid}「{entry.text if entry else ''}」は {where} として計画にあるため、追加しませんでした。")
    return lines


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


def measure_insert_row(read: ReadResult, domain: str, pillar_order: int) -> int:
    """Where a new measure of this pillar goes on its domain sheet (populate and collect agree)."""
    return _insert_row(read, domain, pillar_order, read.layout.domain_tables[domain])


# ------------------------------------------------------------------ actuals (a department's yearly report)

@dataclass(frozen=True)
class ActualUpdate:
    """One year's report of one KPI: field is "actuals", "statuses", "comments" or "next_steps" (Kpi maps)."""

    measure_id: str
    kpi: int                 # the KPI's index in its measure, as read
    fy: int
    field: str
    value: float | str | None   # None clears the year's entry


@dataclass
class ActualsWrite:
    ops: list[Op]
    places: dict[ActualUpdate, tuple[str, str]]   # where each update was written (sheet, cell)
    unplaced: list[ActualUpdate]                  # no cell for it in this workbook (no 進捗管理, KPI unknown)
    refused: dict[ActualUpdate, tuple[str, str]] = field(default_factory=dict)   # its cell holds an unreadable value


# The 進捗管理 input column of each yearly KPI map (a qualitative KPI's status goes where a number would).
ACTUAL_COLUMNS = {"actuals": "progress.actual", "statuses": "progress.actual", "comments": "progress.comment",
                  "next_steps": "progress.next_steps"}


def actuals_ops(read: ReadResult, updates: list[ActualUpdate], today: dt.date | None = None) -> ActualsWrite:
    """Write KPIs' yearly reports into 進捗管理: each on the row of its (measure, KPI, year).

    The sheet is regenerated (as progress_ops does) from the plan with the updates
    applied and every typed input kept as typed; the updated cells take the new
    values. So a year whose row is missing (a sheet not regenerated since KPIs were
    added) gets one, other rows' input never moves away from its KPI, and the grades
    follow the new actuals. A cell whose value could not be read is not written over
    (refused); an update for a KPI the workbook does not have is unplaced.
    """
    from xlplan.core.input_matching import TypedRow
    from xlplan.layout.progress_values import progress_slots
    from xlplan.layout.read_progress import TypedInput

    refuse_legacy(read)
    plan = read.plan
    assert plan is not None
    if read.progress is None:
        return ActualsWrite([], {}, list(updates))
    table = L.ProgressLayout().table
    unreadable = {(f.sheet, f.cell) for f in read.findings if f.severity is Severity.ERROR and f.cell}
    kpis = {(m.id, i): k for m in plan.measures for i, k in enumerate(m.kpis)}
    inputs = dict(read.progress.inputs)
    changed: dict[tuple[str, int], dict[str, dict]] = {}
    placed: list[ActualUpdate] = []
    refused: dict[ActualUpdate, tuple[str, str]] = {}
    unplaced: list[ActualUpdate] = []
    for u in updates:
        kpi = kpis.get((u.measure_id, u.kpi))
        if kpi is None or u.field not in ACTUAL_COLUMNS or not plan.in_period(u.fy):
            unplaced.append(u)
            continue
        slot = (u.measure_id, u.kpi, u.fy)
        key = ACTUAL_COLUMNS[u.field]
        row = read.progress.rows.get(slot)
        if row is not None and (L.PROGRESS, table.cell(row, key)) in unreadable:
            refused[u] = (L.PROGRESS, table.cell(row, key))
            continue
        typed = inputs.get(slot)
        raw = dict(typed.raw) if typed is not None else _plan_raw(kpi, u.fy)
        if u.value is None:
            raw.pop(key, None)
        else:
            raw[key] = fmt_number(u.value) if isinstance(u.value, (int, float)) else u.value
        inputs[slot] = TypedInput(typed.row if typed is not None else -1,
                                  typed.key if typed is not None else TypedRow(u.measure_id, u.kpi + 1, kpi.name, u.fy),
                                  raw)
        maps = changed.setdefault((u.measure_id, u.kpi), {})
        maps.setdefault(u.field, dict(getattr(kpi, u.field)))
        if u.value is None:
            maps[u.field].pop(u.fy, None)
        else:
            maps[u.field][u.fy] = u.value
        placed.append(u)
    if not placed:
        return ActualsWrite([], {}, unplaced, refused)
    measures = [m.model_copy(update={"kpis": [k.model_copy(update=changed.get((m.id, i), {}))
                                              for i, k in enumerate(m.kpis)]}) for m in plan.measures]
    updated = plan.model_copy(update={"measures": measures})
    inputs = {slot: ti for slot, ti in inputs.items() if ti.raw}
    rows = {slot: i for i, slot in enumerate(progress_slots(updated))}   # the rows as regenerated
    places = {u: (L.PROGRESS, table.cell(L.ProgressLayout().first_row + rows[(u.measure_id, u.kpi, u.fy)],
                                         ACTUAL_COLUMNS[u.field])) for u in placed}
    ops = _progress_sheet_ops(read, updated, inputs, None, today)
    return ActualsWrite(ops, places, unplaced, refused)


def _plan_raw(kpi, fy: int) -> dict:
    """The input cells of a year with no row in the sheet yet: what the plan holds for it."""
    override = kpi.overrides.get(fy)
    values = {"progress.actual": kpi.statuses.get(fy) if kpi.qualitative else fmt_number(kpi.actuals.get(fy)),
              "progress.comment": kpi.comments.get(fy), "progress.next_steps": kpi.next_steps.get(fy),
              "progress.manual_grade": override.grade if override else None,
              "progress.reason": (override.reason or None) if override else None}
    return {k: v for k, v in values.items() if v not in (None, "")}
