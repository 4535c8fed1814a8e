"""進捗管理 and 「退避した入力」 read: the yearly inputs (実績値 or 状況, 実績の説明, 今後の取組,
評価（手動）, 評価理由) into the KPIs they belong to, keeping each typed value as it was.

Rows are matched to KPIs by xlplan.core.input_matching; matched inputs are read
into Kpi.actuals or Kpi.statuses, comments, next_steps and overrides, and kept raw
for the next regeneration of the sheet. Unmatched input is an orphan (warning);
the next regeneration moves it to 「退避した入力」.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.input_matching import KpiSlot, Slot, TypedRow, match_rows
from xlplan.core.model import GradeOverride, Measure
from xlplan.core.statuses import parse_status
from xlplan.errors import WorkbookReadError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import CellError, is_blank, read_number, read_text
from xlplan.layout.read_cells import Cells, Grid, read_fy_cached

_V1_HEADER = (4, 0, "施策ID")   # xlplan 0.1's generated 進捗管理 (A5): nothing typed there to read


@dataclass
class TypedInput:
    """One row of 進捗管理 with typed input: where it is, whose it says it is, what was typed (raw)."""

    row: int
    key: TypedRow
    raw: dict[str, Any]


@dataclass
class ProgressRead:
    rows: dict[Slot, int] = field(default_factory=dict)            # slot -> sheet row (0-based) of the rows with input
    inputs: dict[Slot, TypedInput] = field(default_factory=dict)   # slot -> the typed input matched to it
    orphans: list[TypedInput] = field(default_factory=list)
    grid: Grid | None = None          # the sheet as read, to skip a regeneration that changes nothing
    orphans_next_row: int = L.ORPHANS_TABLE.first_row
    orphans_kept: int = 0             # rows already in 「退避した入力」


def _status(value: Any):
    try:
        return parse_status(value.strip() if isinstance(value, str) else value)
    except ValueError as exc:
        raise CellError(str(exc), "INPUT-STATUS") from None


def _number_not_status(value: Any) -> float | None:
    try:
        return read_number(value)
    except CellError as exc:
        if isinstance(value, str) and _is_status(value):
            raise CellError(f"「{value.strip()}」は状況ですが、このKPIは数値の目標です。実績値を数値で入力してください"
                            "（数値でない目標にする場合は、分野のシートの目標値を空欄にして目標（定性）を書きます）。",
                            "INPUT-NOT-NUMBER") from None
        raise exc


def _is_status(text: str) -> bool:
    try:
        parse_status(text.strip())
        return True
    except ValueError:
        return False


def read_progress(grid: Grid, measures: list[Measure], fiscal_years: list[int], cells: Cells) -> ProgressRead:
    """The inputs of a version-2 進捗管理 into `measures` (their KPIs are updated in place)."""
    layout = L.ProgressLayout()
    t = layout.table
    result = ProgressRead(grid=grid)
    r, c, header = _V1_HEADER
    if cells.get(grid, r, c) == header and cells.get(grid, t.header_row, 0) != t.columns[0].header:
        return result
    for col, column in enumerate(t.columns):
        found = cells.get(grid, t.header_row, col)
        if not isinstance(found, str) or found.strip() != column.header:
            where = cell_name(t.header_row, col)
            raise WorkbookReadError(f"『{L.PROGRESS}』の見出しが想定と違います。{where} は「{column.header}」のはずです。"
                                    "列を移動・削除せず、見出しを元に戻してください。", sheet=L.PROGRESS, cell=where)
    typed: list[TypedInput] = []
    inputs = [(k, t.col(k)) for k in L.PROGRESS_INPUT_KEYS]
    pick = itemgetter(*(c for _, c in inputs))   # five input columns: a tuple
    last = max(c for _, c in inputs)
    for row in range(t.first_row, len(grid)):
        values = grid[row]
        # Most rows carry no input: only those need their key (the Locator and input errors only point at them).
        if len(values) > last:
            picked = pick(values)
            if picked.count("") + picked.count(None) == len(inputs):   # all empty, counted in C
                continue
        raw = {k: values[c] for k, c in inputs if c < len(values) and not is_blank(values[c])}
        if raw:
            typed.append(TypedInput(row, _row_key(grid, row, t, cells), raw))
    slots = [KpiSlot(m.id, i, k.name) for m in measures for i, k in enumerate(m.kpis)]
    matched, orphans = match_rows([ti.key for ti in typed], slots, fiscal_years)
    kpis = {(m.id, i): (m, k) for m in measures for i, k in enumerate(m.kpis)}
    for position, slot in matched.items():
        ti = typed[position]
        result.inputs[slot] = ti
        result.rows[slot] = ti.row
        measure, kpi = kpis[slot[:2]]
        _apply(ti, kpi, slot[2], measure.id, t, cells)
    for position in orphans:
        ti = typed[position]
        result.orphans.append(ti)
        first = min(t.col(k) for k in ti.raw)
        who = f"施策ID「{ti.key.measure_id or '空欄'}」のKPI「{ti.key.kpi_name or ti.key.kpi_no or '空欄'}」"
        cells.findings.append(Finding(
            "PROG-ORPHAN-INPUT", Severity.WARNING,
            f"この行の入力の行き先（{who}、{ti.key.fy or '年度不明'}）が分野のシートにありません。"
            f"「進捗管理を作成」を押すと、この入力は『{L.ORPHANS}』シートに移ります（消えません）。",
            Ref(measure_id=ti.key.measure_id or None), L.PROGRESS, cell_name(ti.row, first)))
    return result


def _row_key(grid: Grid, row: int, t: L.Table, cells: Cells) -> TypedRow:
    def text(key: str) -> str:
        try:
            return read_text(cells.get(grid, row, t.col(key)))
        except CellError:
            return ""
    try:
        fy = read_fy_cached(cells.get(grid, row, t.col("progress.fy")))
    except CellError:
        fy = None
    number = text("progress.kpi_no")
    return TypedRow(text("progress.measure_id"), int(number) if number.isdigit() else None, text("progress.kpi_name"), fy)


def _apply(ti: TypedInput, kpi, fy: int, measure_id: str, t: L.Table, cells: Cells) -> None:
    """Read one matched row's inputs into the KPI; unreadable cells become findings at their cell."""
    def conv(key: str, reader, default=None):
        return cells.convert(L.PROGRESS, ti.row, t.col(key), ti.raw.get(key), reader, default, measure_id)

    if kpi.qualitative:
        status = conv("progress.actual", _status)
        if status is not None:
            kpi.statuses = {**kpi.statuses, fy: status.value}
    else:
        actual = conv("progress.actual", _number_not_status)
        if actual is not None:
            kpi.actuals = {**kpi.actuals, fy: actual}
    for key, attr in (("progress.comment", "comments"), ("progress.next_steps", "next_steps")):
        if text := conv(key, read_text, ""):
            setattr(kpi, attr, {**getattr(kpi, attr), fy: text})
    grade = conv("progress.manual_grade", read_text, "")
    if grade:
        kpi.overrides = {**kpi.overrides, fy: GradeOverride(grade=grade, reason=conv("progress.reason", read_text, ""))}


def read_orphans(grid: Grid | None, cells: Cells) -> tuple[int, int]:
    """(the next free row of 「退避した入力」, how many rows it keeps); a warning while it keeps any."""
    t = L.ORPHANS_TABLE
    if not grid:
        return t.first_row, 0
    rows = [r for r in range(t.first_row, len(grid)) if any(not is_blank(v) for v in grid[r])]
    if rows:
        cells.findings.append(Finding(
            "PROG-ORPHANS-KEPT", Severity.WARNING,
            f"『{L.ORPHANS}』シートに、行き先のKPIがなくなった入力が {len(rows)}件あります。必要なものは『{L.PROGRESS}』の"
            "該当する行に書き写し、済んだ行は削除してください。", Ref(), L.ORPHANS, cell_name(rows[0], 0)))
    return (max(rows) + 1 if rows else t.first_row), len(rows)
