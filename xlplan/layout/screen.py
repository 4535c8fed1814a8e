"""What a column width looks like on screen: Excel's rule for pixels from a width in characters.

Excel stores a column width in characters of the workbook's default font (Normal
style; XlsxWriter's is Calibri 11, whose maximum digit width MDW is 7 px) and draws
pixels = trunc((256 × width + trunc(128 / MDW)) / 256 × MDW).
"""

from __future__ import annotations

from collections.abc import Iterable

from xlplan.layout.table import Column

CALIBRI_11_MDW = 7


def column_pixels(width: float, mdw: int = CALIBRI_11_MDW) -> int:
    return int((256 * width + int(128 / mdw)) / 256 * mdw)


def block_pixels(columns: Iterable[Column], mdw: int = CALIBRI_11_MDW) -> int:
    return sum(column_pixels(c.width, mdw) for c in columns)
