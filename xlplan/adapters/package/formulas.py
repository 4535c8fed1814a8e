"""Formula text: the references in it, moved with rows and columns, translated, renamed.

One tokenizer finds what matters in a formula: string literals (skipped), sheet qualifiers
('健康・医療・介護'! or Sheet1! or [1]Sheet1! of another book), areas (A1, $A$1:B2), whole
rows (1:4) and whole columns (A:C). Each area belongs to the sheet named before it, else to the
formula's home sheet. Everything below works on that one reading:
- move_formula: the references to a moved sheet after rows or columns were inserted or deleted;
- translate: a formula copied to another cell (the cells of a shared formula, a conditional format
  anchored on another cell): relative references move by the offset, absolute ones stay;
- rename_sheet / drop_sheet: qualifiers of a renamed sheet rewritten, or of a removed one turned
  into #REF! as Excel does; names_sheet: whether a formula refers to a sheet at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from xlplan.adapters.package.refs import MAX_COLS, MAX_ROWS, REF_ERROR, Move, move_area
from xlplan.layout.a1 import col_index, col_letter

_TOKEN = re.compile(
    r'(?P<string>"(?:[^"]|"")*")'
    r"|(?P<sheet>(?P<book>\[[^\]]*\])?(?:'(?P<quoted>(?:[^']|'')+)'|(?<![\w.#])(?P<plain>[^\s!\"'(),;:=+\-*/&^<>{}#\[\]%]+))!)"
    r"|(?P<area>(?<![\w.$])\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?(?![\w.(!]))"
    r"|(?P<rows>(?<![\w.$:])\$?[0-9]+:\$?[0-9]+(?![\w.:(!]))"
    r"|(?P<cols>(?<![\w.$:])\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![\w.:(!]))"
)
_PART = re.compile(r"(\$?)([A-Z]{1,3})?(\$?)([0-9]+)?")
_PLAIN_NAME = re.compile(r"[^\W\d][\w.]*")
_LOOKS_LIKE_REF = re.compile(r"[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*|TRUE|FALSE", re.IGNORECASE)


def _references(text: str, home: str | None) -> Iterator[tuple[re.Match, str | None]]:
    """Each reference token (area, rows, cols) with the sheet it belongs to (None: another book's,
    or unqualified where the formula has no home, as in defined names and charts)."""
    qualifier_end, qualifier = -1, None
    previous_end, previous_owner = -2, None
    for m in _TOKEN.finditer(text):
        if m.group("string") is not None:
            continue
        if m.group("sheet") is not None:
            qualifier, qualifier_end = _qualifier_name(m), m.end()
            continue
        if m.start() == qualifier_end:
            owner = qualifier
        elif m.start() == previous_end + 1 and text[previous_end] == ":":  # Sheet1!A1:B2:C3 chains
            owner = previous_owner
        else:
            owner = home
        previous_end, previous_owner = m.end(), owner
        yield m, owner


def _qualifier_name(m: re.Match) -> str | None:
    if m.group("book"):
        return None
    quoted = m.group("quoted")
    return quoted.replace("''", "'") if quoted is not None else m.group("plain")


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.casefold() == b.casefold()  # Excel's sheet names ignore case


def _rewrite(text: str, pieces: list[tuple[int, int, str]]) -> str:
    if not pieces:
        return text
    out, last = [], 0
    for start, end, new in pieces:
        out += [text[last:start], new]
        last = end
    return "".join(out) + text[last:]


def move_formula(text: str, move: Move, *, home: str | None = None) -> str:
    """The formula after the move: its references to move.sheet follow their rows or columns.

    home is the sheet the formula lives on (its unqualified references point there); None for
    defined names and charts, whose references are always qualified.
    """
    pieces = []
    for m, owner in _references(text, home):
        if _same(owner, move.sheet):
            moved = move_area(m.group(0), move)
            if moved != m.group(0):
                pieces.append((m.start(), m.end(), REF_ERROR if moved is None else moved))
    return _rewrite(text, pieces)


def shift_formula(text: str, sheet: str, r0: int, count: int, *, home: str | None = None) -> str:
    """The formula after count rows were inserted before 0-based row r0 of sheet (the row-only API)."""
    return move_formula(text, Move.rows(sheet, r0, count), home=home)


def translate(text: str, rows: int, cols: int) -> str:
    """The formula copied rows down and cols right: relative references move, absolute ones stay;
    one pushed off the sheet becomes #REF!, as when Excel copies a formula."""
    pieces = []
    for m, _owner in _references(text, None):
        token = m.group(0)
        ends = [_translate_part(part, rows, cols) for part in token.split(":")]
        new = REF_ERROR if None in ends else ":".join(ends)  # type: ignore[arg-type]
        if new != token:
            pieces.append((m.start(), m.end(), new))
    return _rewrite(text, pieces)


def _translate_part(part: str, rows: int, cols: int) -> str | None:
    col_abs, letters, row_abs, digits = _PART.fullmatch(part).groups()  # type: ignore[union-attr]
    out = ""
    if letters:
        col = col_index(letters) + (0 if col_abs else cols)
        if not 0 <= col < MAX_COLS:
            return None
        out += col_abs + col_letter(col)
    if digits:
        row = int(digits) - 1 + (0 if row_abs else rows)
        if not 0 <= row < MAX_ROWS:
            return None
        out += row_abs + str(row + 1)
    return out


def names_sheet(text: str, sheet: str) -> bool:
    """Whether the formula names sheet in a qualifier (a reference to it from elsewhere)."""
    return any(m.group("sheet") and _same(_qualifier_name(m), sheet) for m in _TOKEN.finditer(text))


def rename_sheet(text: str, old: str, new: str) -> str:
    """The formula with every qualifier naming old naming new instead (quoted as Excel quotes it)."""
    return _requalify(text, old, quote_sheet_name(new) + "!")


def drop_sheet(text: str, sheet: str) -> str:
    """The formula after sheet is deleted: Excel turns Sheet2!A1 into #REF!A1."""
    return _requalify(text, sheet, REF_ERROR)


def _requalify(text: str, sheet: str, replacement: str) -> str:
    pieces = [(m.start(), m.end(), replacement) for m in _TOKEN.finditer(text)
              if m.group("sheet") and _same(_qualifier_name(m), sheet)]
    return _rewrite(text, pieces)


def quote_sheet_name(name: str) -> str:
    """A sheet name as a formula writes it: bare when it is one word that cannot be read as a
    reference (電子行政, Sheet1), else in single quotes ('健康・医療・介護', '2027年度')."""
    if _PLAIN_NAME.fullmatch(name) and not _LOOKS_LIKE_REF.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"
