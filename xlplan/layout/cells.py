"""Converting between model values and cell values, both ways.

to_cell_* render a model value the way a planner would type it; read_* accept
what a planner may type (和暦, full-width digits, 「未把握」) and raise
CellError with a Japanese reason when a cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from xlplan.core import parse
from xlplan.core.fiscal import FiscalYearError, normalize_text, parse_fy, short_wareki_fy, wareki_fy
from xlplan.core.model import Milestone
from xlplan.core.parse import ERROR_VALUES, is_blank  # noqa: F401 — ERROR_VALUES is part of this module's API
from xlplan.core.vocab import Phase
from xlplan.errors import ParseError

LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
_PAIR_RE = re.compile(r"^(?P<fy>.+?)\s*[:：=＝]\s*(?P<value>.+)$")
# Full-width digits and letters are matched as typed so the label stays verbatim.
_MILESTONE_RE = re.compile(
    r"^(?P<fy>(?:令和|平成|[RHＲＨ])?\s*(?:元|[0-9０-９]{1,4})\s*(?:年度末|年度|年)?)\s*"
    r"(?P<when>上半期|下半期|上期|下期|[QＱ][1-4１-４]|第[1-4１-４]四半期)?\s*[:：]?\s*(?P<label>.*)$",
    re.IGNORECASE | re.DOTALL)
_FY_TEXT_RE = re.compile(r"^(?P<fy>(?:令和|平成|[RHＲＨ])?\s*(?:元|[0-9０-９]{1,4})\s*(?:年度|年)?)\s*[:：]\s*(?P<text>.*)$",
                         re.IGNORECASE)

# The finding code for each kind of value a parser refuses (xlplan.core.parse).
FINDING_CODES = {
    "number": "INPUT-NOT-NUMBER", "fy": "INPUT-NOT-FY", "date-for-year": "INPUT-DATE-FOR-YEAR",
    "date": "INPUT-NOT-DATE", "month": "INPUT-MONTH", "years": "INPUT-YEARS", "phase": "INPUT-NOT-PHASE",
    "error-value": "INPUT-ERROR-VALUE", "picture": "INPUT-PICTURE-IN-CELL", "invalid": "INPUT-INVALID",
}


class CellError(ValueError):
    """A cell value that cannot be read; the message says what to enter instead, code is the finding's."""

    def __init__(self, message: str, code: str = "INPUT-INVALID"):
        super().__init__(message)
        self.code = code


def cell_reader(parser):
    """A cell reader from a parser of xlplan.core.parse: its ParseError becomes a CellError with the finding code."""
    def reader(value, *args, **kwargs):
        try:
            return parser(value, *args, **kwargs)
        except ParseError as exc:
            raise CellError(exc.message, FINDING_CODES.get(exc.kind, "INPUT-INVALID")) from None
    reader.__name__ = getattr(parser, "__name__", "reader")
    reader.__doc__ = parser.__doc__
    return reader


PICTURE_IN_CELL = parse.PICTURE_IN_CELL  # the file reader's stand-in for a picture placed in a cell


def check_error_value(value: object) -> None:
    cell_reader(parse.check_error_value)(value)


# ------------------------------------------------------------------ reading

def read_text(value: object) -> str:
    if type(value) is str:  # most cells: strip, and check only text that could be an error value
        text = value.strip()
        if text[:1] == "#":
            check_error_value(text)
        return text
    if is_blank(value):
        return ""
    check_error_value(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y/%m/%d").replace("/0", "/")
    return str(value).strip()


read_number = cell_reader(parse.parse_number)
read_baseline = cell_reader(parse.parse_baseline)
read_date = cell_reader(parse.parse_date)
read_fy_or_date = cell_reader(parse.parse_fy_or_date)
read_month = cell_reader(parse.parse_month)
read_years = cell_reader(parse.parse_years)
read_phases = cell_reader(parse.parse_phases)


def read_fy(value: object) -> int | None:
    if is_blank(value):
        return None
    check_error_value(value)
    try:
        return parse_fy(value)
    except ParseError as exc:
        raise CellError(exc.message, FINDING_CODES.get(exc.kind, "INPUT-NOT-FY")) from None


def read_kpi_number(value: object, percent_format: bool | None, unit: str) -> float | None:
    """A KPI value cell, read with its number format: percent_format True when the cell shows %
    (the stored 0.39 is 39 in a % KPI), False when it does not, None when the format is unknown."""
    number = read_number(value)
    if number is None:
        return None
    percent_unit = is_percent_unit(unit)
    if percent_format and isinstance(value, (int, float)):
        if not percent_unit:
            raise CellError(
                f"このセルは％の表示形式のため「{parse.percent_from_fraction(number):g}%」と表示されていますが、"
                f"単位が「{unit or '空欄'}」です。％の指標なら単位を「%」に、そうでなければセルの表示形式を［標準］にして"
                "数値を入力し直してください。", "INPUT-PERCENT-UNIT")
        return parse.percent_from_fraction(number)
    if parse.typed_percent(value) and not percent_unit:
        raise CellError(f"「{str(value).strip()}」は％の値ですが、単位が「{unit or '空欄'}」です。"
                        "％の指標なら単位を「%」にしてください。", "INPUT-PERCENT-UNIT")
    return number


def is_percent_unit(unit: str) -> bool:
    return _is_percent_text(unit or "")


@lru_cache(maxsize=1024)   # pure; a plan has a few dozen units, asked about for every KPI value
def _is_percent_text(unit: str) -> bool:
    return normalize_text(unit) in ("%", "パーセント", "percent")


def read_list(value: object) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(read_text(value)) if part.strip()]


# Pairs are separated like lists, except that a comma only separates when a year follows,
# so 「R10:1,000、R11:2,000」 keeps its thousands separators.
_PAIR_SEPARATORS = re.compile(r"[、;；\n]+|[,，](?=\s*(?:令和|平成|[RHＲＨrh]\s*[0-9０-９元]|[0-9０-９]{4}\s*(?:年度)?\s*[:：=＝]))")


def read_fy_values(value: object) -> dict[int, float]:
    """「R10:30、R11:50」 → {2028: 30.0, 2029: 50.0}."""
    result: dict[int, float] = {}
    for part in (p.strip() for p in _PAIR_SEPARATORS.split(read_text(value)) if p.strip()):
        m = _PAIR_RE.match(normalize_text(part))
        if not m:
            raise CellError(f"「{part}」は「年度:値」の形ではありません（例: R10:30、R11:50）。", "INPUT-NOT-PAIRS")
        fy = read_fy(m["fy"])
        assert fy is not None
        result[fy] = read_number(m["value"]) or 0.0
    return result


def read_fy_texts(value: object) -> dict[int, str]:
    """One line per year: 「R9: 予定どおり導入」 → {2027: "予定どおり導入"}; a line without a year continues the previous one."""
    result: dict[int, str] = {}
    last: int | None = None
    for line in read_text(value).splitlines():
        m = _FY_TEXT_RE.match(line.strip())
        if m:
            fy = read_fy(m["fy"])
            assert fy is not None
            result[fy] = m["text"].strip()
            last = fy
        elif line.strip() and last is not None:
            result[last] += "\n" + line.strip()
        elif line.strip():
            raise CellError(f"「{line.strip()}」の先頭に年度がありません。「R9: 説明」のように年度から書いてください。", "INPUT-NOT-FY")
    return result


def read_milestones(value: object) -> list[Milestone]:
    """One milestone per line: 「R11 本格運用開始」, 「令和11年度：本格運用開始」, 「R11下期 運用開始」, 「R9 Q4 交付金申請」."""
    milestones = []
    for line in read_text(value).splitlines():
        line = line.strip()
        if not line:
            continue
        m = _MILESTONE_RE.match(line)
        try:
            if not m or not m["label"].strip():
                raise FiscalYearError(line)
            fy = parse_fy(m["fy"])
        except FiscalYearError:
            raise CellError(f"「{line}」は「R11 本格運用開始」のように、年度（と時期）の後に内容を書いてください。",
                            "INPUT-NOT-FY") from None
        milestones.append(Milestone(fy=fy, label=m["label"].strip(), when=m["when"]))
    return milestones


# ------------------------------------------------------------------ writing

def fmt_number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def fy_cell(fy: int | None) -> str | None:
    return wareki_fy(fy) if fy is not None else None


def as_of_cell(fy: int | None, day: dt.date | None) -> str | None:
    if day is not None:
        return f"{day.year}/{day.month}/{day.day}"
    return fy_cell(fy)


def fy_values_cell(values: dict[int, float]) -> str | None:
    if not values:
        return None
    return "、".join(f"{short_wareki_fy(fy)}:{fmt_number(v)}" for fy, v in sorted(values.items()))


def fy_texts_cell(texts: dict[int, str]) -> str | None:
    if not texts:
        return None
    return "\n".join(f"{short_wareki_fy(fy)}: {text}" for fy, text in sorted(texts.items()))


def milestones_cell(milestones: list[Milestone]) -> str | None:
    if not milestones:
        return None
    def head(m: Milestone) -> str:
        year = short_wareki_fy(m.fy)
        return year if m.when is None else f"{year}{m.when}" if m.when in ("上期", "下期") else f"{year} {m.when}"
    return "\n".join(f"{head(m)} {m.label}" for m in milestones)


def phases_cell(phases: tuple[Phase, ...]) -> str | None:
    return parse.phases_text(phases) if phases else None


def list_cell(items: list[str]) -> str | None:
    return "、".join(items) if items else None


@dataclass(frozen=True)
class Formula:
    """A formula to write, with the value a reader should see before Excel recalculates."""

    text: str                  # without the leading "="
    cached: str | int | float  # shown by readers (and Excel) until it recalculates
