"""What a column width looks like on screen: Excel's rule for pixels from a width in characters.

A layout width w is in characters of the workbook's default font (Normal style;
XlsxWriter's is Calibri 11, whose maximum digit width MDW is 7 px). The file stores
w plus 5 px of padding, in 1/256 of a character: stored = trunc((round(w × MDW) + 5)
/ MDW × 256) / 256 (XlsxWriter's rule), and Excel draws it
pixels = trunc((256 × stored + trunc(128 / MDW)) / 256 × MDW).
"""

from __future__ import annotations

from collections.abc import Iterable

from xlplan.layout.table import Column

CALIBRI_11_MDW = 7


def stored_width(width: float, mdw: int = CALIBRI_11_MDW) -> float:
    """The width written in the file for a layout width (what Excel's <col width> holds)."""
    pixels = int(width * (mdw + 5) + 0.5) if width < 1 else int(width * mdw + 0.5) + 5
    return int(pixels / mdw * 256) / 256


def column_pixels(width: float, mdw: int = CALIBRI_11_MDW) -> int:
    """Screen pixels of a layout width at 100% zoom."""
    stored = stored_width(width, mdw)
    return int((256 * stored + int(128 / mdw)) / 256 * mdw) if width > 0 else 0


def block_pixels(columns: Iterable[Column], mdw: int = CALIBRI_11_MDW) -> int:
    return sum(column_pixels(c.width, mdw) for c in columns)
