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
class InsertRows:
    """Insert empty rows before `row`; everything from `row` down moves with its row."""

    sheet: str
    row: int
    count: int


@dataclass(frozen=True)
class ReplaceValues:
    """Clear every value from `row` down (formats stay) and write `values` from there.

    Only for sheets xlplan generates (スケジュール, 検証結果, 網羅表, 進捗管理). `width`: the
    generated block's columns; cells to the right of them are the clerk's and are kept
    (None: every column, for sheets that are xlplan's alone).
    """

    sheet: str
    row: int
    values: Values
    width: int | None = None


@dataclass(frozen=True)
class FitRows:
    """Make rows tall enough for their wrapped text (Excel: AutoFit; files: an estimate)."""

    sheet: str
    row: int
    count: int


Op = SetValues | InsertRows | ReplaceValues | FitRows
