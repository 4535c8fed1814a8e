"""A worksheet's <sheetData>: rows of cells, edited by (row, col).

Values are written into blocks (None leaves a cell as it is), cleared from a row down, rows are
fitted to their wrapped text, and cells are renumbered when rows or columns move (a Move:
inserted, or deleted with their cells). Everything else in the worksheet that names cells
(ranges, formulas, anchors) is worksheet.py's job; the root element is shared with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from xlplan.adapters.package.cellvalues import C, cell_text, has_formula, new_cell, new_cells, set_value
from xlplan.adapters.package.refs import MAX_COLS, MAX_ROWS, Move
from xlplan.adapters.package.safexml import NS, parse, xml_bytes
from xlplan.errors import WorkbookWriteError
from xlplan.layout.a1 import cell_name, col_index, col_letter
from xlplan.layout.cells import Formula
from xlplan.layout.rowheight import row_height

ROW = f"{{{NS}}}row"
CELL_REF_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")


_LETTERS_RE = re.compile(r"[A-Z]{1,3}")
_COLS: dict[str, int] = {}   # column letters seen → index (at most 18,278: A to ZZZ)


def cell_col(c: etree._Element) -> int:
    ref = c.get("r")
    if ref:   # "AB12": the letters before the ASCII digits, looked up instead of matched and converted per cell
        letters = ref.rstrip("0123456789")
        if len(letters) < len(ref):
            col = _COLS.get(letters)
            if col is None and _LETTERS_RE.fullmatch(letters):
                col = _COLS[letters] = col_index(letters)
            if col is not None:
                return col
    return col_index(CELL_REF_RE.match(ref).group(1))  # type: ignore[union-attr]  # anything else, as before


class SheetData:
    """A worksheet part parsed once; rows by 0-based index."""

    def __init__(self, xml: bytes, part: str):
        self.part = part
        self.root = parse(xml, part)
        self.data = self.root.find(f"{{{NS}}}sheetData")
        if self.data is None:
            raise WorkbookWriteError(f"シートの部品「{part}」に sheetData がありません。")
        self.rows: dict[int, etree._Element] = {}
        previous = -1
        for row in self.data.iterfind(ROW):
            previous = _number_row(row, previous, part)
            if previous in self.rows:  # collapsing them would drop one row's cells
                raise WorkbookWriteError(duplicate_row_message(previous + 1, part))
            self.rows[previous] = row
        protection = self.root.find(f"{{{NS}}}sheetProtection")
        self.protected = protection is not None and protection.get("sheet") in ("1", "true")
        self.read_columns()
        self.formulas_changed = False

    def read_columns(self) -> None:
        """Column styles and widths from <cols> (again after columns moved: worksheet.py rewrites <cols>)."""
        self.col_styles: dict[int, str] = {}
        self.col_widths: dict[int, float] = {}
        cols = self.root.find(f"{{{NS}}}cols")
        for col in cols if cols is not None else ():
            for i in range(int(col.get("min")) - 1, int(col.get("max"))):
                if col.get("style"):
                    self.col_styles[i] = col.get("style")
                if col.get("width"):
                    self.col_widths[i] = float(col.get("width"))

    # ------------------------------------------------------------------ values

    def set_block(self, r0: int, c0: int, values: list[list[Any]]) -> None:
        for dr, line in enumerate(values):
            if all(v is None for v in line):
                continue
            row = self._row(r0 + dr)
            cells = self._cells(row)
            row_style = row.get("s") if row.get("customFormat") == "1" else None
            added: list[int] = []
            new: list[tuple[str, str | None, Any]] = []
            for dc, value in enumerate(line):
                if value is None:
                    continue
                col = c0 + dc
                if isinstance(value, Formula):
                    self.formulas_changed = True
                existing = cells.get(col)
                if existing is not None:
                    if has_formula(existing):
                        self.formulas_changed = True
                    set_value(existing, value)
                else:
                    added.append(col)
                    new.append((cell_name(r0 + dr, col), self.col_styles.get(col, row_style), value))
            if new:
                cells.update(zip(added, new_cells(new)))
            _sort(row, cells)

    def clear_from(self, r0: int, width: int | None = None) -> None:
        """Remove values from row r0 down, in the first `width` columns (all when None); cells keep their formats."""
        col_styles = self.col_styles
        for r in [r for r in self.rows if r >= r0]:
            row = self.rows[r]
            for c in list(row.iterfind(C)):
                col = cell_col(c)
                if width is not None and col >= width:
                    continue  # the clerk's own columns, right of the generated block
                if has_formula(c):
                    self.formulas_changed = True
                style = c.get("s")
                if style is None or style == col_styles.get(col):
                    row.remove(c)
                else:
                    set_value(c, None)
            if len(row) == 0 and not row.get("ht") and not row.get("customFormat") and not row.get("hidden"):
                del self.rows[r]

    def fit_rows(self, r0: int, count: int, wrapping: set[str], strings: Callable[[], list[str]]) -> None:
        """Set each row's height from its wrapped text; the stored height is what LibreOffice shows."""
        for r in range(r0, r0 + count):
            row = self.rows.get(r)
            if row is None:
                continue
            values, widths, wraps = [], [], []
            for col, c in self._cells(row).items():
                values.append(cell_text(c, strings))
                widths.append(self.col_widths.get(col, 8.43))
                wraps.append((c.get("s") or "0") in wrapping)
            row.set("ht", f"{row_height(values, widths, wraps):g}")
            row.set("customHeight", "1")

    def outline_rows(self, r0: int, levels: tuple[int, ...]) -> None:
        """Outline levels from row r0 down (none below the given ones); those rows are shown again."""
        for r, row in self.rows.items():
            if r >= r0:
                for attr in ("outlineLevel", "hidden", "collapsed"):
                    row.attrib.pop(attr, None)
        for i, level in enumerate(levels):
            if level:
                self._row(r0 + i).set("outlineLevel", str(level))
        fmt = self.root.find(f"{{{NS}}}sheetFormatPr")
        if fmt is not None:  # the outline's depth, which Excel needs to draw the level buttons
            deepest = max((int(row.get("outlineLevel", "0")) for row in self.rows.values()), default=0)
            if deepest:
                fmt.set("outlineLevelRow", str(deepest))
            else:
                fmt.attrib.pop("outlineLevelRow", None)

    def _row(self, r: int) -> etree._Element:
        row = self.rows.get(r)
        if row is None:
            row = etree.Element(ROW, r=str(r + 1))
            self.rows[r] = row
        row.attrib.pop("spans", None)
        return row

    @staticmethod
    def _cells(row: etree._Element) -> dict[int, etree._Element]:
        return {cell_col(c): c for c in row.iterfind(C)}

    # ------------------------------------------------------------------ moving rows and columns

    def move(self, move: Move, sheet: str, like: int | None = None) -> None:
        """Renumber rows (or cells) for the move; deleted ones go with their values. Inserted columns
        take the cell formats of column `like` (counted before the move) in each row, when given."""
        if move.on_rows:
            self._move_rows(move, sheet)
        else:
            self._move_cols(move, sheet, like)

    def _move_rows(self, move: Move, sheet: str) -> None:
        last = max(self.rows, default=-1)
        if move.count > 0 and last >= move.at and last + move.count >= MAX_ROWS:
            raise WorkbookWriteError(f"行を挿入するとシートの最終行（{MAX_ROWS:,}行）を超えるため、挿入できません。", sheet=sheet)
        moved = {}
        for r, row in self.rows.items():
            new = move.index(r)
            if new is None:
                self.formulas_changed |= any(has_formula(c) for c in row.iterfind(C))
                continue
            if new != r:
                row.set("r", str(new + 1))
                for c in row.iterfind(C):
                    m = CELL_REF_RE.match(c.get("r"))
                    c.set("r", f"{m.group(1)}{new + 1}")
            moved[new] = row
        self.rows = moved

    def _move_cols(self, move: Move, sheet: str, like: int | None) -> None:
        last = max((cell_col(c) for row in self.rows.values() for c in row.iterfind(C)), default=-1)
        if move.count > 0 and last >= move.at and last + move.count >= MAX_COLS:
            raise WorkbookWriteError(f"列を挿入するとシートの最終列（{col_letter(MAX_COLS - 1)}列）を超えるため、挿入できません。",
                                     sheet=sheet)
        for r, row in self.rows.items():
            row.attrib.pop("spans", None)  # optional, and stale once cells move sideways
            cells = {}
            for col, c in self._cells(row).items():
                new = move.index(col)
                if new is None:
                    self.formulas_changed |= has_formula(c)
                    continue
                if new != col:
                    c.set("r", cell_name(r, new))
                cells[new] = c
            source = cells.get(move.index(like)) if like is not None and move.count > 0 else None  # type: ignore[arg-type]
            if source is not None and source.get("s") is not None:
                for col in range(move.at, move.at + move.count):
                    cells[col] = new_cell(cell_name(r, col), source.get("s"), None)
            _sort(row, cells)

    # ------------------------------------------------------------------ writing back

    def to_bytes(self) -> bytes:
        for child in list(self.data):
            self.data.remove(child)
        for _, row in sorted(self.rows.items()):
            self.data.append(row)
        dimension = self.root.find(f"{{{NS}}}dimension")
        if dimension is not None:
            last_row = max(self.rows, default=0)
            last_col = max((cell_col(c) for row in self.rows.values() for c in row.iterfind(C)), default=0)
            dimension.set("ref", f"A1:{cell_name(last_row, last_col)}")
        return xml_bytes(self.root)


def _sort(row: etree._Element, cells: dict[int, etree._Element]) -> None:
    for c in list(row.iterfind(C)):
        row.remove(c)
    for _, c in sorted(cells.items()):
        row.append(c)


def duplicate_row_message(row: int, part: str) -> str:
    return (f"シートの部品「{part}」に {row} 行目が2回書かれています（壊れたファイルです）。xlplan はどちらの行を"
            "残すか決められないため書き込みません。Excel で開いて、その行を確かめてから保存し直してください。")


def _number_row(row: etree._Element, previous: int, part: str) -> int:
    """The row's 0-based index; rows and cells without r (allowed, written by some tools) are numbered in order."""
    r = row.get("r")
    if r is None:
        index = previous + 1
        row.set("r", str(index + 1))
    elif r.isdigit() and 0 < int(r) <= MAX_ROWS:
        index = int(r) - 1
    else:
        raise WorkbookWriteError(f"シートの部品「{part}」の行番号「{r}」が壊れています。Excel で開いて保存し直してください。")
    column = -1
    for c in row.iterfind(C):
        ref = c.get("r")
        if ref is None:
            column += 1
            c.set("r", cell_name(index, column))
        elif (m := CELL_REF_RE.match(ref)) and int(m.group(2)) == index + 1:
            column = col_index(m.group(1))
        else:
            raise WorkbookWriteError(f"シートの部品「{part}」のセル番地「{ref}」が壊れています。Excel で開いて保存し直してください。")
    return index
