"""Text as a cell can hold it: Excel's length limit, and OOXML's escapes for what XML cannot carry.

Excel keeps at most 32,767 UTF-16 code units in a cell (a character outside the BMP, such as 𠮷,
takes two). Longer text is cut with a visible 「…（以下略）」, so nobody mistakes it for the whole.

In the file, OOXML writes characters XML cannot hold (control characters) as _xHHHH_, and so
every reader decodes _xHHHH_ in text: text that happens to look like that (a code such as
"_x0041_") must have its underscore escaped (_x005F_) or it is shown altered.
"""

from __future__ import annotations

import re

EXCEL_MAX_UNITS = 32_767
CUT_MARK = "…（以下略）"
_ESCAPE_START = re.compile(r"_(?=[xX][0-9A-Fa-f]{4}_)")  # every underscore that starts one, overlaps too
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cap_cell_text(text: str) -> str:
    """text, or its start and 「…（以下略）」 when it is longer than a cell holds."""
    if len(text) <= EXCEL_MAX_UNITS // 2 or utf16_units(text) <= EXCEL_MAX_UNITS:
        return text
    room = (EXCEL_MAX_UNITS - utf16_units(CUT_MARK)) * 2
    head = text.encode("utf-16-le")[:room]
    if 0xD8 <= head[-1] <= 0xDB:  # do not split a surrogate pair: drop its first half
        head = head[:-2]
    return head.decode("utf-16-le") + CUT_MARK


def ooxml_text(text: str) -> str:
    """text for an OOXML string element: escape-like runs kept literal, control characters escaped."""
    text = _ESCAPE_START.sub("_x005F_", text)
    return _NOT_IN_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
