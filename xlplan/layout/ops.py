"""Write operations: what a command changes in a workbook, independent of how.

Both adapters (the file patcher and live Excel through xlwings) apply the same
list. Every operation writes values only; formatting comes from the template's
static formats and conditional formats, so nothing is ever read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Values = list[list[Any]]


@dataclass(frozen=True)
class SetValues:
    """Write a rectangular block of values (None leaves a cell as it is)."""

    sheet: str
    row: int
    col: int
    values: Values


@dataclass(frozen=True)
class FillBlanks:
    """Write values into blank cells of a block, leaving every other cell as it is.

    values holds None where a cell is not to be written; current holds what the block's cells
    held when read, so the live path can write the whole block in one call (re-writing those
    cells unchanged) instead of one call per run of blank cells. Used for the 施策ID column.
    """

    sheet: str
    row: int
    col: int
    values: Values
    current: Values


@dataclass(frozen=True)
class InsertRows:
    """Insert empty rows before `row`; everything from `row` down moves with its row."""

    sheet: str
    row: int
    count: int


@dataclass(frozen=True)
class ReplaceValues:
    """Clear every value from `row` down (formats stay) and write `values` from there.

    Only for sheets xlplan owns (スケジュール, 検証結果).
    """

    sheet: str
    row: int
    values: Values


@dataclass(frozen=True)
class FitRows:
    """Make rows tall enough for their wrapped text (Excel: AutoFit; files: an estimate)."""

    sheet: str
    row: int
    count: int


Op = SetValues | FillBlanks | InsertRows | ReplaceValues | FitRows
