"""Row heights for wrapped text, estimated the way Excel's AutoFit would come out.

Files written headlessly have no Excel to AutoFit them, and LibreOffice keeps
the stored height, so rows with several lines would be cut off. The estimate
counts lines per cell from the column width (full-width characters take two
units) and takes the tallest cell of the row.
"""

from __future__ import annotations

import math
import re
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


# Line-breaking rules (禁則): no line starts with closing brackets or punctuation, none ends with an opening bracket.
_NO_LINE_START = set("、。，．,.・：；:;？！?!ー）」』］】〕〉》｝)]}%％々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…‥")
_NO_LINE_END = set("（「『［【〔〈《｛([{")
_OPEN_OF = {"）": "（", ")": "(", "」": "「", "』": "『", "］": "［", "]": "[", "】": "【"}
_TOKEN = re.compile(r"[!-~]+|\s+|.", re.S)


def _tokens(line: str, capacity: float) -> list[str]:
    """Characters, ASCII words (never split) and short bracketed groups kept whole (「（令和13年度）」)."""
    raw = _TOKEN.findall(line)
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        if tok in _OPEN_OF.values():
            close = next((c for c, o in _OPEN_OF.items() if o == tok), None)
            depth, j = 0, i
            while j < len(raw):
                depth += raw[j] == tok
                depth -= raw[j] == close
                if depth == 0:
                    break
                j += 1
            group = "".join(raw[i:j + 1])
            if j < len(raw) and text_units(group) <= capacity:
                out.append(group)
                i = j + 1
                continue
        out.append(tok)
        i += 1
    return out


def wrap_text(text: str, width: float) -> str:
    """Text broken into lines that fit the column (estimated for Excel's Meiryo UI, so the renderer does not
    wrap again) by the Japanese line-breaking rules: wrapping never leaves a lone 「）」 at a line start, a
    date is not split from its brackets, an ASCII word stays whole. Existing line breaks are kept."""
    capacity = max(4.0, float(width))  # conservative (line_count allows 10 % more)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current: list[str] = []
        used = 0.0
        for tok in _tokens(paragraph, capacity):
            size = text_units(tok)
            if current and used + size > capacity and not tok.isspace():
                cut = len(current)
                # Move the break back while it would start a line with a closing mark or end one with an opening.
                def bad(cut: int) -> bool:
                    return current[cut - 1][-1] in _NO_LINE_END or (current[cut] if cut < len(current) else tok)[0] in _NO_LINE_START

                while cut > 1 and bad(cut):
                    cut -= 1
                if bad(cut):   # nowhere to break: the closing mark hangs past the column (ぶら下げ)
                    current.append(tok)
                    used += size
                    continue
                lines.append("".join(current[:cut]).rstrip())
                current = [t for t in current[cut:] if not (t.isspace() and t is current[cut])]
                used = sum(text_units(t) for t in current)
            if not current and tok.isspace():
                continue
            current.append(tok)
            used += size
        lines.append("".join(current).rstrip())
    return "\n".join(lines)
