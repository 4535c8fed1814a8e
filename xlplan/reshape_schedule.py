"""The 工程表's columns for a new period or subdivision (年度・半期・四半期), as write ops.

The 工程表 has one visible time column per slot (a year, or a half or quarter of it), then a hidden
kind column, then one hidden code column per slot; its phase fills are conditional formats that find a
slot's code column at a fixed offset (slots + 1). Columns are inserted (formats, fills and conditional
formats copied from the last slot, as Excel's insert does) or deleted at the end of both blocks, so that
offset follows; the headers, the slots' width and the subdivision recorded in _lists are rewritten, and
pass 2 (reshape_plan.regenerate_ops) redraws the sheet's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xlplan.core.reshape import YearChange
from xlplan.core.vocab import Subdivision
from xlplan.layout import sheets as L
from xlplan.layout.cells import read_text
from xlplan.layout.ops import DeleteColumns, FitRows, InsertColumns, Op, SetColumnWidths, SetValues
from xlplan.layout.read import recorded_subdivision


def built_subdivision(values: Mapping[str, list], years: Sequence[int], fallback: Subdivision) -> Subdivision:
    """The subdivision the 工程表 has now: the one whose headers it shows, else the one _lists records."""
    grid = values.get(L.SCHEDULE) or []
    for sub in Subdivision:
        layout = L.ScheduleLayout(tuple(years), sub)
        table = layout.table
        row = grid[table.header_row] if len(grid) > table.header_row else []
        wanted = [(table.col(layout.slot_key(fy, p)), table.columns[table.col(layout.slot_key(fy, p))].header)
                  for fy, p in layout.slots()]
        if wanted and all(c < len(row) and _text(row[c]) == h for c, h in wanted):
            return sub
    recorded = recorded_subdivision(values.get(L.LISTS))
    return Subdivision(recorded) if recorded in {s.value for s in Subdivision} else fallback


def _text(value) -> str:
    try:
        return read_text(value).replace("\r", "")
    except Exception:  # an error value: no header
        return ""


def schedule_ops(values: Mapping[str, list], change: YearChange, old: Subdivision, new: Subdivision) -> list[Op]:
    """The 工程表's time and code columns from (change.old, old) to (change.new, new)."""
    if not change.changed and old == new:
        return []
    before, after = L.ScheduleLayout(change.old, old), L.ScheduleLayout(change.new, new)
    table = before.table
    slots = before.slots()
    last_slot = table.col(before.slot_key(*slots[-1]))
    last_code = table.col("code:" + before.slot_key(*slots[-1]))
    delta = len(after.slots()) - len(slots)
    ops: list[Op] = []
    if delta > 0:
        ops = [InsertColumns(L.SCHEDULE, last_code + 1, delta, like=last_code, hidden=True),
               InsertColumns(L.SCHEDULE, last_slot + 1, delta, like=last_slot)]
    elif delta < 0:
        ops = [DeleteColumns(L.SCHEDULE, last_code + delta + 1, -delta),
               DeleteColumns(L.SCHEDULE, last_slot + delta + 1, -delta)]
    # the headers say which year (and part) each column is: the reader checks them before the redraw
    new_table = after.table
    ops.append(SetValues(L.SCHEDULE, new_table.header_row, 0, [[c.header for c in new_table.columns]]))
    if old != new:
        first = new_table.col(after.slot_key(*after.slots()[0]))
        widths = tuple(new_table.columns[first + i].width for i in range(len(after.slots())))
        ops += [SetColumnWidths(L.SCHEDULE, first, widths), FitRows(L.SCHEDULE, new_table.header_row, 1)]
    return ops + record_ops(values.get(L.LISTS), new)


def record_ops(lists: list | None, subdivision: Subdivision) -> list[Op]:
    """_lists records the subdivision the 工程表 now has (a column added in workbooks older than the record)."""
    header = list(lists[0]) if lists else []
    if L.BUILT_SUBDIVISION in header:
        return [SetValues(L.LISTS, 1, header.index(L.BUILT_SUBDIVISION), [[subdivision.value]])]
    while header and header[-1] in (None, ""):
        header.pop()
    return [SetValues(L.LISTS, 0, len(header), [[L.BUILT_SUBDIVISION], [subdivision.value]])]
