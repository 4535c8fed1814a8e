"""Checks of a sheet part's XML before calamine reads it (issue 20): no row written twice, a bounded used range.

Both are regex passes over the part's bytes (C-level scans; Python only sees the matches), kept to two:
one over the rows, one over the cells whose column has two or more letters.
"""

from __future__ import annotations

import re

from xlplan.errors import WorkbookReadError
from xlplan.layout.a1 import cell_name, col_index

# Every row start tag; group 1 is its r= (b"" when the row has none: rows without r follow one another).
_ROW_RE = re.compile(rb'<row(?=[\s/>])(?:[^>]*?\br="([0-9]+)")?')
_WIDE_LETTERS_RE = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')


def check_rows_unique(xml: bytes, sheet: str, part: str) -> list[bytes]:
    """A row written twice (malformed): calamine would quietly merge the two, so which value counts is unknown.
    Returns the r= of every row as written (b"" for a row without one), for check_used_range."""
    from xlplan.adapters.package.sheetdata import duplicate_row_message

    rows = _ROW_RE.findall(xml)
    numbers = [r for r in rows if r]
    if len(numbers) != len(set(numbers)):
        seen: set[bytes] = set()
        row = next(n for n in numbers if n in seen or seen.add(n))
        raise WorkbookReadError(duplicate_row_message(int(row), part), sheet=sheet)
    return rows


MAX_GRID_CELLS = 10_000_000  # A1 to the last value; a 10,000-measure plan is about 1.2 million
_VALUE_CELL_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>')


def check_used_range(xml: bytes, sheet: str, rows: list[bytes] | None = None) -> None:
    """Refuse a sheet whose last value lies so far from A1 that reading it would exhaust memory
    (a stray value in XFD1048576). Only cells with content count, as for calamine and Excel's Ctrl+End."""
    # The last row written times the widest column any cell names bounds the grid (empty cells included,
    # so the bound is never below the truth); most sheets need no per-cell scan.
    rows = _ROW_RE.findall(xml) if rows is None else rows
    if all(rows):   # every row numbered (rows without r follow one another: no bound from the numbers)
        wide = set(_WIDE_LETTERS_RE.findall(xml))
        widest = max(col_index(letters.decode()) for letters in wide) + 1 if wide else 26
        if not rows or max(map(int, rows)) * widest <= MAX_GRID_CELLS:
            return
    cells = _VALUE_CELL_RE.findall(xml)   # one C-level pass; the per-cell work below is only max() and a set
    if not cells:
        return
    last_row = max(map(int, (row for _, row in cells)))
    last_col = max(col_index(letters.decode()) for letters in {letters for letters, _ in cells}) + 1
    if last_row * last_col > MAX_GRID_CELLS:
        letters, row = max(cells, key=lambda c: int(c[1]) * (col_index(c[0].decode()) + 1))
        far = f"{letters.decode()}{int(row)}"
        raise WorkbookReadError(
            f"使われている範囲が A1:{cell_name(last_row - 1, last_col - 1)}（{last_row:,}行 × {last_col:,}列）まで広がっているため、"
            f"読み込みません（遠くのセル {far} などに値があります）。"
            "Excel で Ctrl+End を押して最後のセルへ移動し、不要な行・列を削除して保存し直してください。", sheet=sheet)
