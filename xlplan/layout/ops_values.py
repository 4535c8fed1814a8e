"""Ops applied to plain value grids: what a workbook's values become after a list of ops.

The live path cannot read back what it just wrote within a click (xlwings' remote
engine only records its writes; COM would cost a read per sheet), yet populate must
re-validate at the rows the measures end up in. Applying the same ops to the values
already read gives those values without asking Excel again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xlplan.layout.ops import FillBlanks, FitRows, InsertRows, Op, OutlineRows, ReplaceValues, SetValues

Grid = list[list[Any]]


def _cell(grid: Grid, row: int, col: int, value: Any) -> None:
    while len(grid) <= row:
        grid.append([])
    line = grid[row]
    while len(line) <= col:
        line.append("")
    line[col] = "" if value is None else value


def apply_to_values(values: Mapping[str, Sequence[Sequence[Any]]], ops: list[Op]) -> dict[str, Grid]:
    """A copy of the grids with ops applied (formats-only ops leave values as they are).

    Only the ops the buttons write through values are known; any other raises, so that a new op
    cannot be silently ignored here."""
    grids = {sheet: [list(row) for row in grid] for sheet, grid in values.items()}
    for op in ops:
        grid = grids.setdefault(op.sheet, [])
        if isinstance(op, InsertRows):
            if op.row < len(grid):
                grid[op.row:op.row] = [[] for _ in range(op.count)]
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
        elif not isinstance(op, (FitRows, OutlineRows)):
            raise TypeError(f"values after {type(op).__name__} are not known")
    return grids
