"""Where rows and columns go when some are inserted or deleted, and what that does to A1 ranges.

A Move is the one description of a structural change: `count` rows (or columns) inserted before
0-based index `at` of one sheet, or deleted from `at` on when count is negative. Everything that
follows moved cells (sheetData, ranges, formulas, anchors) asks the Move where an index goes.

Excel's rules, for both axes:
- insertion: every index at or after `at` moves by count, capped at the sheet's last row/column;
  a range that spans the insertion point grows, one that starts at or after it moves;
- deletion: indices inside the deleted band are gone, later ones move back; a range keeps what
  survives (it shrinks), and a range with nothing left is gone (#REF! in a formula, dropped
  from a list of ranges such as a conditional format's sqref).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlplan.layout.a1 import col_index, col_letter

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
REF_ERROR = "#REF!"
_CELL = r"(\$?)([A-Z]{1,3})(\$?)(\d+)"
CELL_RE = re.compile(_CELL)
_AREA_RE = re.compile(rf"^{_CELL}(?::{_CELL})?$")
_ROWS_RE = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")
_COLS_RE = re.compile(r"^(\$?)([A-Z]{1,3}):(\$?)([A-Z]{1,3})$")


@dataclass(frozen=True)
class Move:
    """count rows (axis "row") or columns ("col") inserted before index at (0-based); count < 0 deletes."""

    sheet: str
    axis: str
    at: int
    count: int

    @classmethod
    def rows(cls, sheet: str, at: int, count: int) -> Move:
        return cls(sheet, "row", at, count)

    @classmethod
    def cols(cls, sheet: str, at: int, count: int) -> Move:
        return cls(sheet, "col", at, count)

    @property
    def on_rows(self) -> bool:
        return self.axis == "row"

    @property
    def limit(self) -> int:
        return MAX_ROWS if self.on_rows else MAX_COLS

    @property
    def deleted(self) -> range:
        """The indices a deletion removes (empty for an insertion)."""
        return range(self.at, self.at - self.count) if self.count < 0 else range(0)

    def index(self, i: int) -> int | None:
        """Where index i goes; None when its row or column is deleted."""
        if i < self.at:
            return i
        if self.count >= 0:
            return min(i + self.count, self.limit - 1)
        return None if i < self.at - self.count else i + self.count

    def clamped(self, i: int) -> int:
        """Where index i goes, a deleted one to the first row or column after the gap (anchors, views)."""
        moved = self.index(i)
        return self.at if moved is None else moved

    def span(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The first and last index of the range lo..hi after the move; None when all of it is deleted."""
        if self.count >= 0:
            return self.index(lo), self.index(hi)  # type: ignore[return-value]
        first = self.clamped(lo)  # a deleted first index: the first one after the gap
        last = hi if hi < self.at else max(self.at - 1, hi + self.count)  # a deleted last one: the last before it
        return (first, last) if first <= last else None


# ------------------------------------------------------------------ A1 text

def _index_of(letters_or_digits: str, on_rows: bool) -> int:
    return int(letters_or_digits) - 1 if on_rows else col_index(letters_or_digits)


def _text_of(i: int, on_rows: bool) -> str:
    return str(i + 1) if on_rows else col_letter(i)


def move_area(area: str, move: Move) -> str | None:
    """An area (A1, A1:B2, 1:3 or A:C, $ kept) after the move; None when nothing of it is left.
    Text that is not an area comes back unchanged."""
    m = _AREA_RE.match(area)
    if m is not None:
        first = m.group(1, 2, 3, 4)
        last = m.group(5, 6, 7, 8) if m.group(6) else None
        pos = 3 if move.on_rows else 1  # the group of each cell that the move changes
        lo = _index_of(first[pos], move.on_rows)
        hi = _index_of(last[pos], move.on_rows) if last else lo
        if last is None:
            moved = move.index(lo)
            if moved is None:
                return None
            return _cell_text(first, pos, moved, move.on_rows)
        span = move.span(lo, hi)
        if span is None:
            return None
        return f"{_cell_text(first, pos, span[0], move.on_rows)}:{_cell_text(last, pos, span[1], move.on_rows)}"
    whole = (_ROWS_RE if move.on_rows else _COLS_RE).match(area)
    if whole is None:
        return area  # whole columns under a row move, whole rows under a column move, or not a range
    span = move.span(_index_of(whole.group(2), move.on_rows), _index_of(whole.group(4), move.on_rows))
    if span is None:
        return None
    return f"{whole.group(1)}{_text_of(span[0], move.on_rows)}:{whole.group(3)}{_text_of(span[1], move.on_rows)}"


def _cell_text(parts: tuple[str, ...], pos: int, index: int, on_rows: bool) -> str:
    cell = list(parts)
    cell[pos] = _text_of(index, on_rows)
    return "".join(cell)


def move_areas(text: str, move: Move) -> str:
    """A space-separated list of areas (sqref, ref) after the move. Deleted areas are left out, so
    the result is empty when nothing survives; other text has each cell reference moved on its own."""
    pieces = re.split(r"(\s+)", text)
    out: list[str] = []
    dropped = False
    for i, piece in enumerate(pieces):
        if i % 2 or not piece:  # a separator, kept as it is
            out.append(piece)
            continue
        if _AREA_RE.match(piece) or _ROWS_RE.match(piece) or _COLS_RE.match(piece):
            moved = move_area(piece, move)
        else:
            moved = _move_cells(piece, move)
        if moved is None:
            dropped = True
            if out:
                out.pop()  # and its separator
            continue
        out.append(moved)
    return "".join(out).strip() if dropped else "".join(out)


def clamp_area(text: str, move: Move) -> str:
    """Areas after the move, deleted ones put where the deleted cells were (selections, panes)."""
    return " ".join(move_area(area, move) or _move_cells(area, move) for area in text.split())


def _move_cells(text: str, move: Move) -> str:
    """Every cell reference in text moved on its own: text that is not a list of areas."""
    def one(m: re.Match) -> str:
        pos = 4 if move.on_rows else 2
        moved = move.clamped(_index_of(m.group(pos), move.on_rows))
        return _cell_text(m.group(1, 2, 3, 4), pos - 1, moved, move.on_rows)
    return CELL_RE.sub(one, text)


def area_bounds(area: str) -> tuple[int, int, int, int] | None:
    """(first row, first col, last row, last col), 0-based, of an area like A4:F20 or B3; None if not one."""
    m = _AREA_RE.match(area.replace("$", "") if "$" in area else area)
    if m is None:
        return None
    r0, c0 = int(m.group(4)) - 1, col_index(m.group(2))
    if not m.group(6):
        return r0, c0, r0, c0
    return r0, c0, int(m.group(8)) - 1, col_index(m.group(6))


def shift_refs(text: str, r0: int, count: int) -> str:
    """Row numbers in a list of ranges after count rows are inserted before 0-based row r0."""
    return move_areas(text, Move.rows("", r0, count))
