"""A1 references. Rows and columns are 0-based everywhere in xlplan's code."""

from __future__ import annotations

import re

_CELL_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_name(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def parse_cell(ref: str) -> tuple[int, int]:
    m = _CELL_RE.match(ref.upper())
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def range_name(row0: int, col0: int, row1: int, col1: int) -> str:
    return f"{cell_name(row0, col0)}:{cell_name(row1, col1)}"


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"
