"""Converting between model values and cell values, both ways.

to_cell_* render a model value the way a planner would type it; read_* accept
what a planner may type (和暦, full-width digits, 「未把握」) and raise
CellError with a Japanese reason when a cell cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from xlplan.core.fiscal import FiscalYearError, normalize_text, parse_fy, short_wareki_fy, wareki_fy
from xlplan.core.model import Milestone

ERROR_VALUES = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
_PAIR_RE = re.compile(r"^(?P<fy>.+?)\s*[:：=＝]\s*(?P<value>.+)$")
_DATE_RE = re.compile(r"^(?P<y>\d{4})[/\-.年](?P<m>\d{1,2})[/\-.月](?P<d>\d{1,2})日?(?:時点|現在)?$")
_WAREKI_DATE_RE = re.compile(r"^(?P<era>令和|平成|R|H)(?P<y>元|\d{1,2})[/\-.年](?P<m>\d{1,2})[/\-.月](?P<d>\d{1,2})日?(?:時点|現在)?$", re.I)
# Full-width digits and letters are matched as typed so the label stays verbatim.
_MILESTONE_RE = re.compile(
    r"^(?P<fy>(?:令和|平成|[RHＲＨ])?\s*(?:元|[0-9０-９]{1,4})\s*(?:年度|年)?)\s*"
    r"(?P<when>上半期|下半期|上期|下期|[QＱ][1-4１-４]|第[1-4１-４]四半期)?\s*[:：]?\s*(?P<label>.*)$",
    re.IGNORECASE | re.DOTALL)
_FY_TEXT_RE = re.compile(r"^(?P<fy>(?:令和|平成|[RHＲＨ])?\s*(?:元|[0-9０-９]{1,4})\s*(?:年度|年)?)\s*[:：]\s*(?P<text>.*)$",
                         re.IGNORECASE)
_ERA_START = {"令和": 2019, "R": 2019, "平成": 1989, "H": 1989}


class CellError(ValueError):
    """A cell value that cannot be read; the message says what to enter instead."""

    def __init__(self, message: str, code: str = "INPUT-INVALID"):
        super().__init__(message)
        self.code = code


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# What the file reader puts in place of a picture placed in a cell (Excel stores #VALUE! there).
PICTURE_IN_CELL = "#画像!"


def check_error_value(value: object) -> None:
    if value == PICTURE_IN_CELL:
        raise CellError("セルの中に画像が置かれています（Excel の［セルに配置］や IMAGE 関数）。xlplan は画像を値として読めません。"
                        "画像はセルの上に置き直すか（画像を右クリック→［セルの上に配置］）別の列に移し、"
                        "このセルには文字か数値を入力してください。", "INPUT-PICTURE-IN-CELL")
    if isinstance(value, str) and value.strip() in ERROR_VALUES:
        raise CellError(f"エラー値「{value.strip()}」が入っています。数式を直すか、値を入力し直してください。", "INPUT-ERROR-VALUE")


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


def read_number(value: object) -> float | None:
    if is_blank(value):
        return None
    check_error_value(value)
    if isinstance(value, bool):
        raise CellError("TRUE/FALSE ではなく数値を入力してください。", "INPUT-NOT-NUMBER")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError(f"日付（{read_text(value)}）ではなく数値を入力してください。", "INPUT-NOT-NUMBER")
    text = normalize_text(str(value)).replace(",", "").removesuffix("%")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # float() also reads the words "nan" and "inf"
        raise CellError(f"「{value}」は数値として読めません。数値だけを入力してください（単位は単位の列へ）。",
                        "INPUT-NOT-NUMBER")
    return number


def read_fy(value: object) -> int | None:
    if is_blank(value):
        return None
    check_error_value(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError(f"日付（{read_text(value)}）ではなく年度を入力してください（例: 令和9年度、R9、2027）。",
                        "INPUT-DATE-FOR-YEAR")
    try:
        return parse_fy(value)
    except FiscalYearError as exc:
        raise CellError(exc.message, "INPUT-NOT-FY") from None


def read_fy_or_date(value: object) -> tuple[int | None, dt.date | None]:
    """A baseline's as-of: a fiscal year label or a date (typed or as text)."""
    if is_blank(value):
        return None, None
    check_error_value(value)
    if isinstance(value, dt.datetime):
        return None, value.date()
    if isinstance(value, dt.date):
        return None, value
    if isinstance(value, (int, float)):  # a year typed as a number (2025 or 2025.0)
        try:
            return parse_fy(value), None
        except FiscalYearError:
            raise CellError(f"「{value}」は年度か日付として読めません（例: R7、令和7年度、2025/4/1）。", "INPUT-NOT-FY") from None
    text = normalize_text(str(value))
    if m := _DATE_RE.match(text):
        return None, _date(int(m["y"]), int(m["m"]), int(m["d"]), value)
    if m := _WAREKI_DATE_RE.match(text):
        era = m["era"].upper() if len(m["era"]) == 1 else m["era"]
        year = _ERA_START[era] + (1 if m["y"] == "元" else int(m["y"])) - 1
        return None, _date(year, int(m["m"]), int(m["d"]), value)
    try:
        return parse_fy(text.removesuffix("時点").removesuffix("現在")), None
    except FiscalYearError:
        raise CellError(f"「{value}」は年度か日付として読めません（例: R7、令和7年度、2025/4/1）。", "INPUT-NOT-FY") from None


def _date(y: int, m: int, d: int, original: object) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CellError(f"「{original}」は存在しない日付です。", "INPUT-NOT-FY") from None


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


def list_cell(items: list[str]) -> str | None:
    return "、".join(items) if items else None


@dataclass(frozen=True)
class Formula:
    """A formula to write, with the value a reader should see before Excel recalculates."""

    text: str                  # without the leading "="
    cached: str | int | float  # shown by readers (and Excel) until it recalculates
