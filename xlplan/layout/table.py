"""Columns and tables: the building blocks of the layout (xlplan.layout.sheets)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xlplan.layout.a1 import cell_name, col_letter


@dataclass(frozen=True)
class Column:
    key: str                    # what the column holds, e.g. "measure.name", "kpi.target_fy", "fy:2027"
    header: str
    width: float = 12
    style: str = "cell"         # a key of STYLES
    dropdown: str | None = None  # a key of LIST_NAMES
    numeric: bool = False       # DV: decimal numbers only
    help: str = ""              # input message shown when the cell is selected
    outline: int = 0            # column outline level (groups a clerk can collapse)
    collapsed: bool = False     # hidden in a collapsed group when the workbook is built
    alert: bool = True          # a dropdown that warns about values outside its list (False: suggestions only)


class ColumnIndex:
    """Rows and columns of a table by key: for any table with header_row and columns."""

    header_row: int
    columns: tuple[Column, ...]

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @cached_property
    def _index(self) -> dict[str, int]:
        return {c.key: i for i, c in enumerate(self.columns)}

    def col(self, key: str) -> int:
        return self._index[key]

    def has(self, key: str) -> bool:
        return key in self._index


@dataclass(frozen=True)
class Table(ColumnIndex):
    """A table: a header row, then one record per row below it."""

    sheet: str
    header_row: int
    columns: tuple[Column, ...]
    group_row: int | None = None   # optional row of group captions above the headers
    groups: tuple[tuple[str, str, str], ...] = ()  # (caption, first key, last key)
    layout_version: int = 2        # domain sheets: 1 for xlplan 0.1's

    def letter(self, key: str) -> str:
        return col_letter(self.col(key))

    def cell(self, row: int, key: str) -> str:
        return cell_name(row, self.col(key))

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def width(self) -> int:
        return len(self.columns)
