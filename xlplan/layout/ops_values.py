"""Ops applied to plain value grids: what a workbook's values become after a list of ops.

The live path cannot read back what it just wrote within a click (xlwings' remote
engine only records its writes; COM would cost a read per sheet), yet populate must
re-validate at the rows the measures end up in. Applying the same ops to the values
already read gives those values without asking Excel again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xlplan.layout.ops import (
    AddSheet,
    CopyCell,
    DeleteColumns,
    DeleteRows,
    FillBlanks,
    FitRows,
    InsertColumns,
    InsertRows,
    Op,
    OutlineRows,
    RemoveSheet,
    RenameSheet,
    ReplaceValues,
    MergeCells,
    SetColumnWidths,
    SetNumberFormat,
    SetValidation,
    SetValues,
)

Grid = list[list[Any]]


def _cell(grid: Grid, row: int, col: int, value: Any) -> None:
    while len(grid) <= row:
        grid.append([])
    line = grid[row]
    while len(line) <= col:
        line.append("")
    line[col] = "" if value is None else value


class Values(dict):
    """Sheet name → grid after the ops, with ``percent_cells`` (sheet → (row, col) of the KPI cells that
    show a percent, as the reader takes them from the values read) moved with their rows and columns;
    None when the formats were not known."""

    percent_cells: dict[str, set[tuple[int, int]]] | None = None


def apply_to_values(values: Mapping[str, Sequence[Sequence[Any]]], ops: list[Op]) -> Values:
    """A copy of the grids with ops applied (formats-only ops leave values as they are).

    Only the ops the buttons write through values are known; any other raises, so that a new op
    cannot be silently ignored here."""
    grids = {sheet: [list(row) for row in grid] for sheet, grid in values.items()}
    known = getattr(values, "percent_cells", None)
    percent = {sheet: set(cells) for sheet, cells in known.items()} if known is not None else None
    for op in ops:
        if percent is not None:
            _move_percent_cells(percent, op)
        if isinstance(op, (AddSheet, RemoveSheet, RenameSheet)):
            grids = _structure(grids, op)
            continue
        grid = grids.setdefault(op.sheet, [])
        if isinstance(op, InsertRows):
            if op.row < len(grid):
                grid[op.row:op.row] = [[] for _ in range(op.count)]
        elif isinstance(op, DeleteRows):
            del grid[op.row:op.row + op.count]
        elif isinstance(op, InsertColumns):
            for line in grid:
                if op.col < len(line):
                    line[op.col:op.col] = [""] * op.count
        elif isinstance(op, DeleteColumns):
            for line in grid:
                del line[op.col:op.col + op.count]
        elif isinstance(op, (SetValues, FillBlanks)):
            for dr, line in enumerate(op.values):
                for dc, value in enumerate(line):
                    if value is not None:
                        _cell(grid, op.row + dr, op.col + dc, value)
        elif isinstance(op, ReplaceValues):
            for r in range(op.row, len(grid)):
                end = len(grid[r]) if op.width is None else min(op.width, len(grid[r]))
                grid[r][:end] = [""] * end
            for dr, line in enumerate(op.values):
                for dc, value in enumerate(line):
                    _cell(grid, op.row + dr, dc, value)
        elif not isinstance(op, (FitRows, OutlineRows, SetColumnWidths, SetNumberFormat, SetValidation, MergeCells,
                                     CopyCell)):   # CopyCell: an empty prototype onto empty new cells
            raise TypeError(f"values after {type(op).__name__} are not known")
    result = Values(grids)
    result.percent_cells = percent
    return result


def _move_percent_cells(percent: dict[str, set[tuple[int, int]]], op: Op) -> None:
    """Cells move with inserted and deleted rows and columns and with their sheet; written values keep
    their cell's format (a copied sheet keeps only its first rows: headers, no KPI values)."""
    if isinstance(op, RenameSheet):
        if op.old in percent:
            percent[op.new] = percent.pop(op.old)
        return
    if isinstance(op, RemoveSheet):
        percent.pop(op.name, None)
        return
    if isinstance(op, AddSheet):
        percent[op.name] = set()
        return
    if not isinstance(op, (InsertRows, DeleteRows, InsertColumns, DeleteColumns)) or op.sheet not in percent:
        return
    axis = 0 if isinstance(op, (InsertRows, DeleteRows)) else 1
    first = op.row if axis == 0 else op.col
    moved = set()
    for cell in percent[op.sheet]:
        at = cell[axis]
        if isinstance(op, (DeleteRows, DeleteColumns)):
            if first <= at < first + op.count:
                continue
            at = at - op.count if at >= first + op.count else at
        elif at >= first:
            at += op.count
        moved.add((at, cell[1]) if axis == 0 else (cell[0], at))
    percent[op.sheet] = moved


def _structure(grids: dict[str, Grid], op: AddSheet | RemoveSheet | RenameSheet) -> dict[str, Grid]:
    """The grids with a sheet added (after `after`, else last), removed or renamed, in sheet order."""
    if isinstance(op, RemoveSheet):
        return {name: grid for name, grid in grids.items() if name != op.name}
    if isinstance(op, RenameSheet):
        return {(op.new if name == op.old else name): grid for name, grid in grids.items()}
    if op.like is not None and op.like not in grids:
        raise KeyError(f"values of sheet {op.like!r} (copied by {op!r}) are not known")
    added = [list(row) for row in grids[op.like][:op.keep_rows]] if op.like is not None else []
    items = list(grids.items())
    at = next((i + 1 for i, (name, _) in enumerate(items) if name == op.after), len(items))
    return dict([*items[:at], (op.name, added), *items[at:]])
