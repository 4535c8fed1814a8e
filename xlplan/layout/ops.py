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
class DeleteRows:
    """Delete `count` rows from `row` down, with their values; the rows below move up. Ranges shrink,
    formulas that pointed only into the deleted rows become #REF! (as in Excel)."""

    sheet: str
    row: int
    count: int


@dataclass(frozen=True)
class InsertColumns:
    """Insert empty columns before `col`; everything from `col` rightwards moves with its column.

    like: a column (counted before the insertion) whose formats the new columns take: its width
    and style, each row's cell format, and the conditional formats and validations covering it,
    as Excel's "insert copied format". None leaves them unformatted.
    """

    sheet: str
    col: int
    count: int
    like: int | None = None
    hidden: bool = False   # hide the new columns (a file copies `like`'s hidden state; Excel's insert may not)


@dataclass(frozen=True)
class DeleteColumns:
    """Delete `count` columns from `col` rightwards, with their values; the columns to the right move left."""

    sheet: str
    col: int
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


@dataclass(frozen=True)
class OutlineRows:
    """Row grouping (the outline's ［－］ buttons) from `row` down: levels[i] for row + i, none below.

    Only for sheets xlplan owns and redraws (スケジュール): rows from `row` down are shown again.
    """

    sheet: str
    row: int
    levels: tuple[int, ...]


@dataclass(frozen=True)
class AddSheet:
    """A new sheet `name` after sheet `after` (None: last). With `like`: a copy of that sheet (column widths,
    formats, dropdowns, conditional formats, print settings) keeping the values of its first `keep_rows` rows
    (the headers) and none below; without: an empty sheet."""

    name: str
    like: str | None = None
    after: str | None = None
    keep_rows: int = 0


@dataclass(frozen=True)
class RemoveSheet:
    """Remove sheet `name` with everything on it (reshape lists and keeps its values first)."""

    name: str


@dataclass(frozen=True)
class RenameSheet:
    """Rename sheet `old` to `new`; references to it follow, as when a clerk renames the tab in Excel."""

    old: str
    new: str


@dataclass(frozen=True)
class SetColumnWidths:
    """Column widths from `col` rightwards (widths[i] for col + i), in characters of the default font as the
    layout declares them. For reshape, when the 工程表's time columns change size with its subdivision."""

    sheet: str
    col: int
    widths: tuple[float, ...]


@dataclass(frozen=True)
class SetValidation:
    """A cell-input rule over rows row..row+rows-1 of column `col`, replacing any rule on exactly those cells:
    kind "list" (source: a formula such as =xlplan_funding; show_error False lets other values be typed),
    "decimal" (numbers only) or "any" (just the message shown when a cell is selected: title, message).

    Files: written as it is. Live Excel has no call that creates one: the live path copies a prototype
    cell instead onto freshly inserted cells (CopyCell, xlplan.layout.rule_prototypes), or else skips
    it and tells the clerk (xlplan.reshape_columns.live_limits)."""

    sheet: str
    row: int
    col: int
    rows: int
    kind: str = "any"
    source: str = ""
    show_error: bool = True
    title: str = ""
    message: str = ""
    error: str = ""


@dataclass(frozen=True)
class MergeCells:
    """Cells row, col .. col + count - 1 become one merged cell (a caption over a block that grew or shrank);
    merged cells overlapping them are unmerged first. Only for cells whose values past the first are blank."""

    sheet: str
    row: int
    col: int
    count: int


@dataclass(frozen=True)
class SetNumberFormat:
    """The number format (an Excel format code, e.g. #,##0.##) of rows row..row+rows-1 of column `col`;
    everything else about the cells' format stays. For columns reshape adds beside ones of another kind."""

    sheet: str
    row: int
    col: int
    rows: int
    code: str


@dataclass(frozen=True)
class CopyCell:
    """One cell of sheet `source` (value, format, input rule, conditional formats) copied onto rows
    row..row+rows-1 of column `col`: live Excel's way to give freshly inserted, empty cells the input rule
    of a prototype (xlplan.layout.rule_prototypes). Live only; the file path writes SetValidation."""

    sheet: str
    row: int
    col: int
    rows: int
    source: str
    source_row: int
    source_col: int


Op = (SetValues | FillBlanks | InsertRows | DeleteRows | InsertColumns | DeleteColumns | ReplaceValues | FitRows
      | OutlineRows | SetColumnWidths | SetValidation | SetNumberFormat | CopyCell | AddSheet | RemoveSheet | RenameSheet
      | MergeCells)
