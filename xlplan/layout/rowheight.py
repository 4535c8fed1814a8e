"""Row heights for wrapped text, estimated the way Excel's AutoFit would come out.

Files written headlessly have no Excel to AutoFit them, and LibreOffice keeps
the stored height, so rows with several lines would be cut off. The estimate
counts lines per cell from the column width (full-width characters take two
units) and takes the tallest cell of the row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

LINE_HEIGHT = 14.0   # points per line of 10 pt Japanese text
PADDING = 4.0
MIN_HEIGHT = 18.0
MAX_HEIGHT = 409.0   # Excel's limit


def text_units(text: str) -> int:
    """Width in half-width units: ASCII counts 1, anything else 2 (kana, kanji, full-width forms)."""
    if text.isascii():
        return len(text)
    ascii_count = len(text.encode("ascii", "ignore"))
    return ascii_count + 2 * (len(text) - ascii_count)


def line_count(value: Any, width: float) -> int:
    if value is None:
        return 1
    text = value.cached if hasattr(value, "cached") else str(value)
    capacity = max(1.0, width * 1.1)
    return sum(max(1, math.ceil(text_units(part) / capacity)) for part in text.split("\n"))


def row_height(values: Sequence[Any], widths: Sequence[float], wraps: Sequence[bool]) -> float:
    lines = 1
    for value, width, wrap in zip(values, widths, wraps):
        if value is None:
            continue
        if wrap:
            lines = max(lines, line_count(value, width))
        else:
            lines = max(lines, str(value.cached if hasattr(value, "cached") else value).count("\n") + 1)
    return min(MAX_HEIGHT, max(MIN_HEIGHT, lines * LINE_HEIGHT + PADDING))
