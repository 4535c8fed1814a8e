"""The LIVE adapter: read values from and apply ops to an open workbook through xlwings.

The same code runs on every xlwings engine: COM on Windows, AppleScript on
macOS, and the remote engine (xlwings Server/Lite; used by the tests on Linux,
where writes are recorded as ``book.json()["actions"]``).

Everything is batched, so the number of Excel calls depends on the number of
sheets and ops, never on the number of measures or rows. A click works on a
``LiveBook``: the App, the engine type and the sheet objects are looked up once
(one pass over ``book.sheets``), and nothing that goes back to Excel is asked
again inside a loop. Engine calls (each one COM round trip on Windows; counted
by bench/engine_calls.py):

* reading a sheet: 3 (``used_range``, its ``address``, one raw value read);
* writing: ``SetValues`` 2 (the target range, one raw write), ``InsertRows`` 2,
  ``ReplaceValues`` 3–4 (clear the rows from there down, formats kept; write), or 2
  on a sheet read in the same click (one write padded with blanks over the old extent),
  ``FitRows`` 2, column and row inserts and deletes 2, a sheet renamed or removed 1–2,
  added 2–3, copied 4–5 (reshape) — xlwings' own write pipeline would add two ``resize`` calls,
  each comparing sheets, books and apps through Excel, so values are prepared
  with the engine's own ``prepare_xl_data_element`` and written raw.

Only values are read and written; formatting comes from the template's static
formats and conditional formats (see ``xlplan.layout.ops``).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self

from xlplan.adapters.values import WorkbookValues
from xlplan.errors import XlplanUserError
from xlplan.layout.cells import Formula
from xlplan.layout.celltext import cap_cell_text
from xlplan.adapters.xlwings_structure import (
    COPY_ORIGIN,
    STRUCTURE_OPS,
    apply_structure,
    check_batch,
    like_side,
    shrink_extent,
    span_after_delete,
    whole_columns,
)
from xlplan.layout.a1 import range_name
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
    SetValues,
)

Grid = list[list[Any]]
Progress = Callable[[int, int], None]

EXCEL_MAX_TEXT = 32767
MAX_ROWS = 1048576
_PROTECTED_WORDS = ("protected", "保護")


# ------------------------------------------------------------------ reading

class LiveBook:
    """One click's view of the calling workbook: App, engine and sheets asked for once.

    A sheet is looked up by name the first time it is needed (one call) and kept:
    the objects stay valid for the click, and the structure ops (a sheet added,
    removed or renamed by reshape) update what is kept (``added``, ``removed``,
    ``renamed``). Only when a lookup fails are all names listed (one pass), to
    tell a missing sheet from any other error."""

    def __init__(self, book):
        self.book = book
        self.app = book.app
        self.engine = self.app.engine
        self.engine_name = self.engine.name
        self.remote = self.engine.type == "remote"
        self._collection = None          # book.sheets: itself one call, so asked for once
        self._found: dict[str, Any] = {}
        self._all: dict[str, Any] | None = None
        self.extents: dict[str, tuple[int, int]] = {}   # used range end (rows, columns from A1) of sheets read

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.book.sheets
        return self._collection

    def sheet(self, name: str):
        """The sheet called ``name``, or None when the workbook has none."""
        if name in self._found:
            return self._found[name]
        if self._all is not None:
            return self._all.get(name)
        try:
            sheet = self.collection[name]
        except Exception:
            if name in self.sheets:
                raise
            return None
        self._found[name] = sheet
        return sheet

    @property
    def sheets(self) -> dict[str, Any]:
        """Every sheet by name (one pass over book.sheets, then kept)."""
        if self._all is None:
            self._all = {sheet.name: sheet for sheet in self.collection}
        return self._all

    @property
    def name(self) -> str:
        return self.book.name

    def added(self, name: str, sheet) -> None:
        self._found[name] = sheet
        if self._all is not None:
            self._all[name] = sheet

    def removed(self, name: str) -> None:
        self._found.pop(name, None)
        if self._all is not None:
            self._all.pop(name, None)
        self.extents.pop(name, None)

    def renamed(self, old: str, new: str, sheet) -> None:
        extent = self.extents.get(old)
        self.removed(old)
        self.added(new, sheet)
        if extent is not None:
            self.extents[new] = extent


def live_book(book) -> LiveBook:
    return book if isinstance(book, LiveBook) else LiveBook(book)


def read_book_values(book, sheet_names: Iterable[str] | None = None,
                     progress: Progress | None = None, percent_columns=None) -> dict[str, Grid]:
    """Cell values of the given sheets (all when None; missing sheets are left out).

    One value read per sheet. Grids start at A1 (Excel's used range may start
    lower or further right, so it is padded), blanks are "", whole dates are
    ``datetime.date`` and error cells are strings such as "#REF!" — the same
    shape ``xlplan.adapters.xlsx_file.read_values`` gives, so ``read_plan``
    sees the same input on both paths.

    With percent_columns (sheet, grid → columns, see xlplan.layout.read.percent_columns), the
    result's ``percent_cells`` says which of those cells show a percent, read in one call per
    sheet where the engine can report number formats (Windows Excel); it stays None elsewhere
    (the remote engine, macOS), and the reader then treats the formats as unknown.
    """
    live = live_book(book)
    if sheet_names is None:
        found = live.sheets
    else:
        found = {name: sheet for name in dict.fromkeys(sheet_names) if (sheet := live.sheet(name)) is not None}
    result = WorkbookValues()
    formats = percent_columns is not None and can_read_formats(live)
    if formats:
        result.percent_cells = {}
    for i, (name, sheet) in enumerate(found.items()):
        if progress is not None:
            progress(i, len(found))
        result[name] = read_sheet(live, sheet, name)
        if formats and (columns := percent_columns(name, result[name])):
            result.percent_cells[name] = percent_cells_live(sheet, columns, len(result[name]))
    if progress is not None:
        progress(len(found), len(found))
    return result


def read_sheet(live: LiveBook, sheet, name: str | None = None) -> Grid:
    """The sheet's used range, read in one call (more only beyond the engine's cell budget)."""
    from xlwings import conversion

    used = sheet.used_range
    row0, col0, n_rows, n_cols = parse_address(used.address)
    budget = used.impl.max_cells_per_read      # a constant of the engine, not a call to Excel
    chunk = max(1, budget // n_cols) if budget is not None and n_rows * n_cols > budget else None
    # conversion.read with the engine's name: Range.value would first ask Excel for the range's sheet,
    # book, app and engine, and for its shape (four or five round trips per sheet).
    raw = conversion.read(used, None, {"ndim": 2, "err_to_str": True, "chunksize": chunk}, engine_name=live.engine_name)
    if name is not None:
        live.extents[name] = (row0 + n_rows, col0 + n_cols)
    return normalize_grid(raw, row0, col0)


def parse_address(address: str) -> tuple[int, int, int, int]:
    """(first row, first column, rows, columns) of "$B$2:$C$3" or "$A$1", 0-based corner."""
    from xlplan.layout.a1 import col_index

    corners = [re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", part) for part in address.split("!")[-1].split(":")]
    if not corners or any(c is None for c in corners):
        raise ValueError(f"unexpected range address {address!r}")
    (c1, r1), (c2, r2) = [(col_index(m.group(1)), int(m.group(2)) - 1) for m in (corners[0], corners[-1])]
    return r1, c1, r2 - r1 + 1, c2 - c1 + 1


XL_RANGE_VALUE_XML_SPREADSHEET = 11


def can_read_formats(live: LiveBook) -> bool:
    """Only Windows Excel (COM) returns a range's number formats in one call (Range.Value(11))."""
    return not live.remote and sys.platform.startswith("win")


def percent_cells_live(sheet, columns: set[int], rows: int) -> set[tuple[int, int]]:
    """(row, col), 0-based, of the cells in `columns` (rows 1..rows) that show a percent: one call,
    the XML Spreadsheet 2003 text of the block spanning the columns."""
    from xlplan.adapters.number_formats import parse_xml_spreadsheet

    if not columns or rows <= 0:
        return set()
    c0, c1 = min(columns), max(columns)
    api = sheet.range((1, c0 + 1), (rows, c1 + 1)).api
    try:
        text = api.Value(XL_RANGE_VALUE_XML_SPREADSHEET)
    except TypeError:   # late-bound dispatch: the parameterised property through IDispatch
        import pythoncom

        disp = api._oleobj_
        text = disp.Invoke(disp.GetIDsOfNames("Value"), 0, pythoncom.DISPATCH_PROPERTYGET, True,
                           XL_RANGE_VALUE_XML_SPREADSHEET)
    if not isinstance(text, str):
        return set()
    return {(r, c0 + c) for r, c in parse_xml_spreadsheet(text) if c0 + c in columns}


def sheet_list(book) -> list[str]:
    return list(live_book(book).sheets)


def book_fullname(book) -> str | None:
    """The workbook's full name: a local path, an https URL (OneDrive/SharePoint) or "Book1" (unsaved).

    On Windows, xlwings maps a OneDrive/SharePoint URL to the synced local file
    and raises XlwingsError when it cannot (not synced, unknown mount); the raw
    URL is what the user needs to see then. The remote engine's payload has no
    path (its ``fullname`` is just the name): None.
    """
    from xlwings import XlwingsError

    live = book if isinstance(book, LiveBook) else None
    remote = live.remote if live is not None else book.app.engine.type == "remote"
    book = live.book if live is not None else book
    if remote:
        return None
    try:
        return book.fullname
    except XlwingsError:
        return str(book.api.FullName)


def normalize_grid(raw: Any, row0: int = 0, col0: int = 0) -> Grid:
    """A rectangular grid from A1: padded to the used range's corner, trailing blanks trimmed."""
    rows = [[normalize_value(v) for v in row] for row in (raw or [])]
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and all(len(r) < width or r[width - 1] == "" for r in rows):
        width -= 1
    if not rows or width == 0:
        return []
    total = col0 + width
    grid: Grid = [[""] * total for _ in range(row0)]
    for r in rows:
        r = r[:width]
        grid.append([""] * col0 + r + [""] * (width - len(r)))
    return grid


def normalize_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
    return value


# ------------------------------------------------------------------ writing

LIVE_OPS = (SetValues, FillBlanks, InsertRows, DeleteRows, InsertColumns, DeleteColumns, ReplaceValues, FitRows,
            OutlineRows, AddSheet, RemoveSheet, RenameSheet, SetColumnWidths, SetNumberFormat, MergeCells, CopyCell)


def apply_ops_live(book, ops: list[Op], progress: Progress | None = None, checked: bool = False) -> int:
    """Apply ops to the open workbook; returns the number of Excel write calls made.

    Bound (what the tests assert): every op costs a fixed number of write calls,
    whatever the number of rows in it —

    * ``SetValues``: 1 write (``range.value = block``), or one per rectangular
      run of non-None cells when the block leaves cells as they are on rows that
      already existed (no current op does; populate writes into freshly
      inserted rows, where None and blank are the same);
    * ``InsertRows``, ``DeleteRows``, ``InsertColumns``, ``DeleteColumns``: 1
      (``range("r:r+n").insert("down")``, ``range("K:L").insert("right", copy_origin)``
      — the format of the left or right neighbour, as ``like`` says —, ``delete("up"/"left")``);
    * ``ReplaceValues``: 2 (``clear_contents`` from the row down to the last
      used row, formats kept; then one write);
    * ``FitRows``: 1 (``rows.autofit()``); ``CopyCell``: 1 (``source.copy(block)``);
    * ``AddSheet``: 1 without ``like`` (``sheets.add`` after the given or the last sheet), 3 with it
      (``copy``, rename, one clear of the values below ``keep_rows``);
    * ``RemoveSheet``: 1 (``sheet.delete()``; the desktop engines suppress Excel's confirmation
      themselves, ``DisplayAlerts`` off around the delete); ``RenameSheet``: 1 (``sheet.name = new``).

    So a button's writes are at most 3 × its op count, and the op count depends
    on the number of sheets and insertion points, never on the number of
    measures. Before writing anything, every target sheet is checked to exist
    and not to be protected (and, for sheets added or renamed, the new names to
    be free), so a refusal leaves the workbook untouched.
    """
    if not ops:
        return 0
    live = live_book(book)
    if not checked:            # checked: the caller ran check_batch on these ops already
        check_batch(live, ops)
    fresh: dict[str, list[tuple[int, int]]] = {}  # rows inserted by this batch, per sheet: [first, end)
    calls = 0
    for i, op in enumerate(ops):
        if progress is not None:
            progress(i, len(ops))
        where = op.sheet if hasattr(op, "sheet") else getattr(op, "name", getattr(op, "old", ""))
        try:
            if isinstance(op, STRUCTURE_OPS):
                calls += apply_structure(live, op)
                _fresh_sheets(fresh, op)
            else:
                calls += _apply(live, live.sheet(op.sheet), op, fresh)
        except XlplanUserError:
            raise
        except Exception as exc:
            if _is_protection_error(exc):
                raise protected_sheet_error(where) from None
            raise
    if progress is not None:
        progress(len(ops), len(ops))
    return calls


def _apply(live: LiveBook, sheet, op: Op, fresh: dict[str, list[tuple[int, int]]]) -> int:
    if isinstance(op, InsertRows):
        if op.count <= 0:
            return 0
        sheet.range(f"{op.row + 1}:{op.row + op.count}").insert("down")
        spans = [(a + op.count, b + op.count) if a >= op.row else (a, b) for a, b in fresh.get(op.sheet, [])]
        fresh[op.sheet] = [*spans, (op.row, op.row + op.count)]
        if (extent := live.extents.get(op.sheet)) is not None and op.row < extent[0]:
            live.extents[op.sheet] = (extent[0] + op.count, extent[1])
        return 1
    if isinstance(op, DeleteRows):
        if op.count <= 0:
            return 0
        sheet.range(f"{op.row + 1}:{op.row + op.count}").delete("up")
        fresh[op.sheet] = [span_after_delete(a, b, op.row, op.count) for a, b in fresh.get(op.sheet, [])]
        shrink_extent(live, op.sheet, 0, op.row, op.count)
        return 1
    if isinstance(op, InsertColumns):
        if op.count <= 0:
            return 0
        whole_columns(sheet, op.col, op.count).insert("right", COPY_ORIGIN[like_side(op)])
        if op.hidden:
            whole_columns(sheet, op.col, op.count).columns.hidden = True
        if (extent := live.extents.get(op.sheet)) is not None and op.col < extent[1]:
            live.extents[op.sheet] = (extent[0], extent[1] + op.count)
        return 1 + op.hidden
    if isinstance(op, DeleteColumns):
        if op.count <= 0:
            return 0
        whole_columns(sheet, op.col, op.count).delete("left")
        shrink_extent(live, op.sheet, 1, op.col, op.count)
        return 1
    if isinstance(op, SetValues):
        block = excel_block(op.values)
        if not block:
            return 0
        # rows inserted or a sheet added in this batch, or rows below a sheet's used range read in this
        # click: their cells are empty, so None (leave as it is) and blank are the same: one write
        extent = live.extents.get(op.sheet)
        rows_fresh = (any(a <= op.row and op.row + len(block) <= b for a, b in fresh.get(op.sheet, []))
                      or (extent is not None and op.row >= extent[0]))
        if rows_fresh or not any(v is None for row in block for v in row):
            return write_block(live, sheet, op.row, op.col, block)
        return sum(write_block(live, sheet, op.row + dr, op.col + dc, part) for dr, dc, part in runs(block))
    if isinstance(op, FillBlanks):
        return _fill_blanks(live, sheet, op)
    if isinstance(op, ReplaceValues):
        block = excel_block(op.values)
        extent = live.extents.get(op.sheet)
        if extent is not None and not fresh.get(op.sheet) and (block or extent[0] > op.row):
            # Read in this click, so its used range is known: one write of the new values padded
            # with blanks over the old extent clears and writes at once ("" is an empty cell).
            # op.width: only the generated columns; the clerk's columns to the right are kept.
            rows = max(len(block), extent[0] - op.row)
            cols = op.width if op.width is not None else max(len(block[0]) if block else 0, extent[1], 1)
            padded = [[*(block[r] if r < len(block) else []), *[None] * cols][:cols] for r in range(rows)]
            return write_block(live, sheet, op.row, 0, padded)
        # Whole rows from op.row down: the same cells as the used range's rows (nothing lies beyond it),
        # without asking Excel where the used range ends; from the first row, the sheet's cells.
        if op.width is not None:
            sheet.range((op.row + 1, 1), (MAX_ROWS, op.width)).clear_contents()
        elif op.row == 0:
            sheet.clear_contents()
        else:
            sheet.range(f"{op.row + 1}:{MAX_ROWS}").clear_contents()
        return 1 + (write_block(live, sheet, op.row, 0, block) if block else 0)
    if isinstance(op, FitRows):
        if op.count <= 0:
            return 0
        sheet.range(f"{op.row + 1}:{op.row + op.count}").rows.autofit()
        return 1
    if isinstance(op, OutlineRows):
        return _outline_rows(sheet, op)
    if isinstance(op, SetColumnWidths):
        return _column_widths(sheet, op)
    if isinstance(op, MergeCells):   # Excel unmerges what overlaps the block, then merges it
        block = sheet.range(range_name(op.row, op.col, op.row, op.col + op.count - 1))
        block.unmerge()
        if op.count > 1:
            block.merge()
        return 1 + (op.count > 1)
    if isinstance(op, SetNumberFormat):
        sheet.range((op.row + 1, op.col + 1), (op.row + op.rows, op.col + 1)).number_format = op.code
        return 1
    if isinstance(op, CopyCell):
        # Range.copy with a destination (desktop Range.Copy Destination; remote copyRange): no clipboard,
        # one cell tiled over the block, its input rule included
        source = live.sheet(op.source).range((op.source_row + 1, op.source_col + 1))
        source.copy(sheet.range((op.row + 1, op.col + 1), (op.row + op.rows, op.col + 1)))
        return 1
    raise TypeError(f"unknown op {op!r}")


def _column_widths(sheet, op: SetColumnWidths) -> int:
    """One call per run of equal widths (reshape sets one width over a block of columns)."""
    calls, start = 0, 0
    for i in range(1, len(op.widths) + 1):
        if i == len(op.widths) or op.widths[i] != op.widths[start]:
            sheet.range((1, op.col + start + 1), (1, op.col + i)).column_width = op.widths[start]
            calls, start = calls + 1, i
    return calls


def _fresh_sheets(fresh: dict[str, list[tuple[int, int]]], op: Op) -> None:
    """A sheet added in the batch is empty (a copy: below the rows it keeps); fresh rows follow a rename."""
    if isinstance(op, AddSheet):
        fresh[op.name] = [(op.keep_rows if op.like is not None else 0, MAX_ROWS)]
    elif isinstance(op, RenameSheet) and op.old in fresh:
        fresh[op.new] = fresh.pop(op.old)
    elif isinstance(op, RemoveSheet):
        fresh.pop(op.name, None)


def write_block(live: LiveBook, sheet, row: int, col: int, block: Grid) -> int:
    """One raw write of a rectangular block at (row, col), 0-based; returns the write calls made.

    What xlwings' value setter does for a list of lists, minus its two resize calls: each value
    goes through the engine's prepare_xl_data_element (dates, None), and blocks beyond the
    engine's cell budget are written in row chunks (a guard against COM timeouts)."""
    prepare = live.engine.impl.prepare_xl_data_element
    values = [[prepare(v, {}) for v in r] for r in block]
    n_cols = len(values[0])
    target = sheet.range((row + 1, col + 1), (row + len(values), col + n_cols))
    budget = target.impl.max_cells_per_write     # a constant of the engine, not a call to Excel
    if budget is None or len(values) * n_cols <= budget:
        target.raw_value = values
        return 1
    step = max(1, budget // n_cols)
    for start in range(0, len(values), step):
        part = values[start:start + step]
        sheet.range((row + start + 1, col + 1), (row + start + len(part), col + n_cols)).raw_value = part
    return -(-len(values) // step)


def _outline_rows(sheet, op: OutlineRows) -> int:
    """One write per run of rows at the same level (a group row or a block of measures), never per row.

    Needs Excel's object model (COM); an engine without it (xlwings' remote engine) keeps the grouping
    the workbook was built with, and the values are still right."""
    try:
        rows = sheet.api.Rows
    except Exception:  # NotImplementedError on engines without COM
        return 0
    calls = 0
    last = op.row + len(op.levels)
    used = sheet.used_range
    end = max(last, used.row + used.shape[0] - 1)
    rows(f"{op.row + 1}:{end}").ClearOutline()
    calls += 1
    start = 0
    for i in range(1, len(op.levels) + 1):
        if i == len(op.levels) or op.levels[i] != op.levels[start]:
            if op.levels[start]:
                rows(f"{op.row + start + 1}:{op.row + i}").OutlineLevel = op.levels[start] + 1  # Excel's 1 = no group
                calls += 1
            start = i
    return calls


def _fill_blanks(live: LiveBook, sheet, op: FillBlanks) -> int:
    """One write of the whole block: the other cells are written back as they were read. Where
    that could change them (an error value, or a formula Excel reports in the block), only the
    runs of new values are written."""
    merged = [[v if v is not None else ("" if c is None else c) for v, c in zip(vals, cur)]
              for vals, cur in zip(op.values, op.current)]
    if not merged:
        return 0
    safe = not any(isinstance(c, str) and c.strip()[:1] == "#" for row in op.current for c in row)
    if safe and not live.remote:
        rng = sheet.range((op.row + 1, op.col + 1), (op.row + len(merged), op.col + max(len(r) for r in merged)))
        try:
            safe = rng.api.HasFormula is False   # True, or None when some cells have formulas
        except Exception:  # noqa: BLE001 - an engine that cannot tell: write only the new values
            safe = False
    if safe:
        return write_block(live, sheet, op.row, op.col, excel_block(merged))
    return sum(write_block(live, sheet, op.row + dr, op.col + dc, part) for dr, dc, part in runs(excel_block(op.values)))


def excel_block(values: list[list[Any]]) -> Grid:
    """A rectangular block of Excel input values (ragged rows padded with None)."""
    width = max((len(r) for r in values), default=0)
    if width == 0:
        return []
    return [[excel_value(v) for v in row] + [None] * (width - len(row)) for row in values]


def excel_value(value: Any) -> Any:
    """What to assign so that Excel stores exactly this value.

    Excel parses text assigned through ``Range.Value`` like typed input: "R9:12"
    might stay text but "2026/4/1" becomes a date, "01" a number, "1:30" a time
    and "=x" a formula. Text that could be parsed gets Excel's text prefix "'",
    which Excel does not store as part of the value.
    """
    if isinstance(value, Formula):
        return "=" + value.text
    if isinstance(value, str):
        text = cap_cell_text(value)
        return "'" + text if _parseable(text) else text
    return value


_NUMBER_LIKE = re.compile(r"""^(?:
      [$¥]?\(?[-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?\)?%?          # 12  1,000  -3.5  15%  (12)  1e3
    | (?:(?:令和|平成|昭和|大正|明治|[rhstm])\s*)?
      (?=.*\d)[\d\s/.\-:年月日時分秒]+(?:\s*[ap]m)?           # 2026/4/1  R7.4.1  令和7年4月1日  1:30  1-2
    | true | false
)$""", re.VERBOSE | re.IGNORECASE)


def _parseable(text: str) -> bool:
    """Whether Excel might store this text as something else (number, date, time, formula, error)."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if not stripped:
        return False
    return stripped[0] in "=+-@'#" or bool(_NUMBER_LIKE.match(stripped))


def runs(block: Grid) -> list[tuple[int, int, Grid]]:
    """Rectangles of non-None cells: runs per row, merged down while the spans repeat."""
    spans_by_row = []
    for row in block:
        spans, start = [], None
        for c, v in enumerate([*row, None]):
            if v is not None and start is None:
                start = c
            elif v is None and start is not None:
                spans.append((start, c))
                start = None
        spans_by_row.append(spans)
    result: list[tuple[int, int, Grid]] = []
    r = 0
    while r < len(block):
        end = r + 1
        while end < len(block) and spans_by_row[end] == spans_by_row[r]:
            end += 1
        for c0, c1 in spans_by_row[r]:
            result.append((r, c0, [block[i][c0:c1] for i in range(r, end)]))
        r = end
    return result


# ------------------------------------------------------------------ protection

def protected_sheet_error(sheet: str) -> XlplanUserError:
    return XlplanUserError(
        f"シート「{sheet}」が保護されているため、書き込めません。"
        f"シート「{sheet}」の保護を解除してから（［校閲］タブ →［シート保護の解除］）、もう一度ボタンを押してください。"
        "ブックは変更していません。")


def sheet_protected(sheet, remote: bool = False) -> bool | None:
    """Whether a sheet's cells are protected; None when the engine cannot tell.

    Windows (COM) and macOS (AppleScript) report it; the remote engine's payload
    does not include it, so there a protected sheet shows up as a failed write
    on the client instead.
    """
    if remote:
        return None
    api = sheet.api
    if sys.platform.startswith("win"):
        return bool(api.ProtectContents)
    try:  # macOS: appscript reference to the worksheet
        return bool(api.protect_contents.get())
    except Exception:  # noqa: BLE001 - a probe only; the write itself still reports protection
        return None


def missing_sheet_error(name: str) -> XlplanUserError:
    return XlplanUserError(
        f"シート「{name}」がないため書き込めません。シート名を変更・削除していないか確認してください。"
        "分野のシートの名前を変えたときは、シート名を元に戻してください。施策のない分野なら、「基本情報」の分野の一覧で名前を"
        "書き換えて［計画の枠組みを変更］ボタンを押すと変わります。施策のある分野は、ブックを保存して閉じてから"
        "コマンド xlplan reshape ブック.xlsm --rename-domain 旧=新 で変えます（シート名・基本情報・網羅表がそろって変わります）。")


def check_writable(book, sheets: Iterable[str]) -> None:
    live = live_book(book)
    for name in sorted(sheets):
        sheet = live.sheet(name)
        if sheet is None:
            raise missing_sheet_error(name)
        if sheet_protected(sheet, live.remote):
            raise protected_sheet_error(name)


def _is_protection_error(exc: BaseException) -> bool:
    text = " ".join(str(a) for a in getattr(exc, "args", ()) if a is not None) or str(exc)
    return any(word in text for word in _PROTECTED_WORDS)


# ------------------------------------------------------------------ the session

class ExcelSession:
    """Screen updating off, calculation manual, progress in the status bar; restored on exit.

    Engines that cannot report a setting (the remote engine: ``status_bar``,
    ``calculation`` without a newer client, reading ``screen_updating``) raise
    NotImplementedError when asked; such a setting is then left alone, since it
    could not be restored. Any other error is a real one and propagates.
    The status bar is written at most every ``STATUS_EVERY`` seconds (each write
    is a round trip to Excel, and a click reads a dozen sheets in well under that).
    """

    STATUS_EVERY = 0.5

    def __init__(self, book, label: str, unit: str = "シート"):
        self.book = book
        self.app = book.app
        self.label = label
        self.unit = unit
        self._saved: dict[str, Any] = {}
        self._status = False
        self._shown = float("-inf")

    def __enter__(self) -> Self:
        app = self.app
        try:
            for attr, value in (("screen_updating", False), ("calculation", "manual")):
                try:
                    old = getattr(app, attr)
                except NotImplementedError:
                    continue
                if old != value:
                    setattr(app, attr, value)
                    self._saved[attr] = old
            try:
                self._saved["status_bar"] = app.status_bar
                self._status = True
            except NotImplementedError:
                self._status = False
            self.status(f"{self.label}中…", force=True)
        except BaseException:
            self._restore()
            raise
        return self

    def status(self, text: str, force: bool = False) -> None:
        if not self._status:
            return
        now = time.monotonic()
        if force or now - self._shown >= self.STATUS_EVERY:
            self.app.status_bar = text
            self._shown = now

    def progress(self, done: int, total: int, unit: str | None = None) -> None:
        self.status(f"{self.label}中… {done}/{total} {unit or self.unit}")

    def writing(self, done: int, total: int) -> None:
        self.status(f"{self.label}中… 書き込み {done}/{total}")

    def __exit__(self, exc_type, exc, tb) -> None:
        errors = self._restore()
        if errors and exc is None:
            raise errors[0]

    def _restore(self) -> list[BaseException]:
        app = self.app
        errors: list[BaseException] = []
        for attr in ("status_bar", "calculation", "screen_updating"):
            if attr in self._saved:
                try:
                    setattr(app, attr, self._saved.pop(attr))
                except Exception as exc:  # noqa: BLE001 - keep restoring the others; re-raised in __exit__
                    errors.append(exc)
        self._status = False
        return errors


def remote_payload(grids: Mapping[str, list[list]], name: str, client: str = "VBA") -> dict:
    """The JSON an xlwings client sends for a workbook with these values, for xlwings' remote
    engine (`xw.Book(json=...)`): how tests and benchmarks drive the buttons without Excel."""
    def sent(value):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%dT00:00:00.000Z")
        return "" if value is None else value

    import xlwings as xw

    return {
        "client": client, "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [{"name": sheet, "values": [[sent(v) for v in row] for row in grid] or [[]],
                    "pictures": [], "tables": []} for sheet, grid in grids.items()],
    }
