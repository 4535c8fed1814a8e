"""Reading what a clerk types: the one set of lenient parsers.

Cells (xlplan.layout.cells), plan files (the model's validators) and CLI options
all read values through these functions, so whatever a cell accepts a plan file
and an option accept too, and a value that cannot be read gets the same Japanese
message everywhere. Every refusal is a ParseError whose kind the workbook reader
turns into a finding code.

Pure: no Excel objects, no file I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from decimal import Decimal

from xlplan.core.fiscal import ERAS, FiscalYearError, normalize_text, parse_fy
from xlplan.core.vocab import Phase, parse_phase
from xlplan.errors import ParseError

__all__ = [
    "ERROR_VALUES", "ParseError", "FiscalYearError", "UNKNOWN_BASELINE_TOKENS", "CONTINUE_TOKENS",
    "is_blank", "check_error_value", "parse_number", "typed_percent", "percent_from_fraction",
    "parse_baseline", "is_unknown_baseline", "parse_fy", "parse_date", "parse_fy_or_date", "parse_month",
    "parse_years", "parse_phases", "phases_text", "name_key", "placeholder_in",
]

ERROR_VALUES = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# What the file reader puts in place of a picture placed in a cell (Excel stores #VALUE! there).
PICTURE_IN_CELL = "#画像!"


def check_error_value(value: object) -> None:
    if value == PICTURE_IN_CELL:
        raise ParseError("セルの中に画像が置かれています（Excel の［セルに配置］や IMAGE 関数）。xlplan は画像を値として読めません。"
                         "画像はセルの上に置き直すか（画像を右クリック→［セルの上に配置］）別の列に移し、"
                         "このセルには文字か数値を入力してください。", "picture")
    if isinstance(value, str) and value.strip() in ERROR_VALUES:
        raise ParseError(f"エラー値「{value.strip()}」が入っています。数式を直すか、値を入力し直してください。", "error-value")


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value).strip()


# ------------------------------------------------------------------ numbers

# Minus signs NFKC leaves alone, and the marks Japanese tables use for negative numbers (△5 = -5).
_MINUS = str.maketrans({"−": "-", "‐": "-", "‑": "-", "–": "-", "ー": "-", "△": "-", "▲": "-"})
_NUMBER_UNIT_RE = re.compile(r"^[-+]?[\d.]+(?P<unit>\D+)$")
_LARGE_UNITS = {"万": 10_000, "億": 100_000_000, "千": 1_000}


def _number_text(value: str) -> str:
    return normalize_text(value).translate(_MINUS).replace(",", "")


def typed_percent(value: object) -> bool:
    """Whether text ends with a percent sign (「39%」「３９％」)."""
    return isinstance(value, str) and normalize_text(value).endswith("%")


def parse_number(value: object) -> float | None:
    """A number as typed: 1234, 「1,234」「１，２３４」「-3.5」「△5」 and 「39%」 (= 39). Blank → None."""
    if is_blank(value):
        return None
    check_error_value(value)
    if isinstance(value, bool):
        raise ParseError("TRUE/FALSE ではなく数値を入力してください。", "number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ParseError(f"「{value}」は数値として読めません。数値だけを入力してください。", "number")
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise ParseError(f"日付（{_shown(value)}）ではなく数値を入力してください。", "number")
    text = _number_text(str(value)).removesuffix("%")
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # float() also reads the words "nan" and "inf"
        raise ParseError(_number_hint(str(value).strip()), "number")
    return number


def _number_hint(shown: str) -> str:
    text = _number_text(shown)
    m = _NUMBER_UNIT_RE.match(text)
    unit = m["unit"] if m else ""
    if unit[:1] in _LARGE_UNITS:
        example = _number_text(shown[: len(shown) - len(unit)]) if m else "3"
        return (f"「{shown}」は数値として読めません。「{unit[0]}」を使わず数字だけで入力するか"
                f"（例: {example}{unit[0]} → {float(example or 1) * _LARGE_UNITS[unit[0]]:,.0f}）、"
                f"単位を「{unit}」にして数字だけを入力してください。")
    if unit:
        return f"「{shown}」は数値として読めません。数値だけを入力してください（「{unit}」は単位の列へ）。"
    if text.startswith(("約", "およそ", "概ね", "おおむね")):
        return f"「{shown}」は数値として読めません。おおよその値でも数字だけを入力してください（例: 100）。"
    return f"「{shown}」は数値として読めません。数値だけを入力してください（例: 1,234、39%）。"


def percent_from_fraction(value: float) -> float:
    """0.39 stored under a % number format is 39 (in decimal, so 0.07 gives 7, not 7.000000000000001)."""
    return float(Decimal(repr(value)) * 100)


# ------------------------------------------------------------------ baselines

# What offices type for 「not measured yet」.
UNKNOWN_BASELINE_TOKENS = frozenset({"未把握", "未定", "不明", "把握していない", "データなし", "N/A", "NA", "n/a",
                                     "-", "--", "―", "—", "‐", "－", "ー", "−", "–", "―（未把握）"})


def is_unknown_baseline(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip().replace(" ", "").replace("\u3000", "")
    return text in UNKNOWN_BASELINE_TOKENS or normalize_text(text) in UNKNOWN_BASELINE_TOKENS


def parse_baseline(value: object) -> tuple[float | None, bool]:
    """A 現状値: (value, unknown). 「未把握」「-」「未定」 … are an unknown baseline."""
    if is_unknown_baseline(value):
        return None, True
    try:
        return parse_number(value), False
    except ParseError as exc:
        if exc.kind != "number":
            raise
        raise ParseError(f"「{_shown(value)}」は現状値として読めません。数値を入力するか、把握していなければ「未把握」"
                         "（または「-」）と入力してください。", "number") from None


# ------------------------------------------------------------------ dates and years

_ERA_START = {alias.upper() if len(alias) == 1 else alias: start for name, start, aliases in ERAS
              for alias in (name, *aliases)}
_DATE_RE = re.compile(r"^(?P<y>\d{4})[/\-.年](?P<m>\d{1,2})(?:[/\-.月](?P<d>\d{1,2})日?|月?(?P<end>末)?)$")
_WAREKI_DATE_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|令|平|昭|R|H|S)(?P<y>元|\d{1,2})[/\-.年](?P<m>\d{1,2})(?:[/\-.月](?P<d>\d{1,2})日?|月?(?P<end>末)?)$",
    re.IGNORECASE)
_AS_OF_SUFFIXES = ("時点", "現在")
_DATE_EXAMPLES = "例: 2025/4/1、令和7年4月1日、R7.4.1"


def _strip_as_of(text: str) -> str:
    for suffix in _AS_OF_SUFFIXES:
        text = text.removesuffix(suffix)
    return text


def _date_of(text: str, original: object) -> dt.date | None:
    """A date written as text (西暦 or 和暦; 「2025年3月末」 is the month's last day), or None when it is not one."""
    m = _DATE_RE.match(text) or _WAREKI_DATE_RE.match(text)
    if m is None:
        return None
    year = int(m["y"]) if "era" not in m.groupdict() else None
    if year is None:
        era = m["era"].upper() if len(m["era"]) == 1 else m["era"]
        year = _ERA_START[era] + (1 if m["y"] == "元" else int(m["y"])) - 1
    month = int(m["m"])
    try:
        if m["d"] is not None:
            return dt.date(year, month, int(m["d"]))
        return dt.date(year, month, calendar.monthrange(year, month)[1] if m["end"] else 1)
    except (ValueError, calendar.IllegalMonthError):
        raise ParseError(f"「{_shown(original)}」は存在しない日付です。", "date") from None


def parse_date(value: object) -> dt.date | None:
    """A date: a date cell, 「2025/4/1」「2025-04-01」「令和7年4月1日」「平成30年7月10日」「R7.4.1」. Blank → None."""
    if is_blank(value):
        return None
    check_error_value(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = _strip_as_of(normalize_text(value))
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        if (day := _date_of(text, value)) is not None:
            return day
    raise ParseError(f"「{_shown(value)}」は日付として読めません（{_DATE_EXAMPLES}）。", "date")


def parse_fy_or_date(value: object) -> tuple[int | None, dt.date | None]:
    """A baseline's as-of: a fiscal year (R7、令和7年度末、2025) or a date (typed or as text)."""
    if is_blank(value):
        return None, None
    check_error_value(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return None, parse_date(value)
    failure = ParseError(f"「{_shown(value)}」は年度か日付として読めません（例: R7、令和7年度、2025/4/1）。", "fy")
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # a year typed as a number
        try:
            return parse_fy(value), None
        except FiscalYearError:
            raise failure from None
    text = _strip_as_of(normalize_text(str(value)))
    try:
        if (day := _date_of(text, value)) is not None:
            return None, day
    except ParseError as exc:
        raise ParseError(exc.message, "fy") from None
    try:
        return parse_fy(text), None
    except FiscalYearError:
        raise failure from None


def parse_month(value: object) -> int:
    """A start month 1–12: 12, 「12」「12月」「１２月」, or a date cell (Excel may turn 「12月」 into 12月1日)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.month
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = normalize_text(value).removesuffix("から").removesuffix("月")
        if text.isdigit():
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    raise ParseError(f"「{_shown(value)}」は月として読めません。1〜12の数字で入力してください（例: 4、12月）。", "month")


def parse_years(value: object) -> int:
    """A plan's length in years: 5, 「5」「5年」「５年間」."""
    text = value
    if isinstance(value, str):
        text = normalize_text(value).removesuffix("間").removesuffix("年")
    try:
        number = parse_number(text)
    except ParseError:
        number = None
    if number is None or not float(number).is_integer() or not 1 <= number <= 50:
        raise ParseError(f"計画期間（年数）「{_shown(value)}」は1〜10の整数で入力してください（例: 5、5年）。", "years")
    return int(number)


# ------------------------------------------------------------------ phases

# Typed in a year cell, these continue the previous year's phase (the 工程表's legend prints 「→ 継続」).
CONTINUE_TOKENS = frozenset({"→", "⇒", "➡", "⇨", "->", "継続", "〃", "″", "′′", "同上", "〃(継続)", "→(継続)", "→継続"})
_PHASE_SPLIT = re.compile(r"→|⇒|➡|⇨|->")
_SYMBOLS = {p.symbol: p for p in Phase}
_PHASE_CHOICES = "、".join(p.value for p in Phase)


def _one_phase(text: str, original: object) -> Phase:
    try:
        return parse_phase(text)
    except ValueError:
        if text[:1] in _SYMBOLS and len(text) > 1:   # 「○検討」, as the 工程表 prints it
            try:
                return parse_phase(text[1:])
            except ValueError:
                pass
    raise ParseError(f"「{_shown(original)}」は段階として読めません。{_PHASE_CHOICES} から選ぶか、前の年度と同じなら"
                     "「→」と入力してください（1年度に2つの段階は「検討→準備」）。", "phase")


def parse_phases(value: object, previous: tuple[Phase, ...] | None = ()) -> tuple[Phase, ...]:
    """The phases of one year: 「検討」, 「検討→準備」 (two in one year), or 「→」「継続」「〃」 for the
    previous year's (last) phase. previous is the year before's phases, () when that cell is blank,
    and None when it could not be read (a continuation then reads as nothing, without a second finding)."""
    if type(value) is tuple and len(value) == 1 and type(value[0]) is Phase:   # already read: most years
        return value
    if is_blank(value):
        return ()
    check_error_value(value)
    if isinstance(value, Phase):
        return (value,)
    if isinstance(value, (list, tuple)):
        return _dedupe(tuple(p if isinstance(p, Phase) else _one_phase(normalize_text(str(p)), value) for p in value))
    text = normalize_text(str(value))
    if text in CONTINUE_TOKENS or value.strip() in CONTINUE_TOKENS:
        if previous is None:
            return ()
        if not previous:
            raise ParseError(f"「{_shown(value)}」は前の年度の段階を続ける記号ですが、前の年度が空欄です。"
                             f"段階（{_PHASE_CHOICES}）を選んでください。", "phase")
        return (previous[-1],)
    parts = [p for p in _PHASE_SPLIT.split(text) if p]
    if not parts:
        raise ParseError(f"「{_shown(value)}」は段階として読めません。", "phase")
    return _dedupe(tuple(_one_phase(p, value) for p in parts))


def _dedupe(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    return tuple(p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p)


def phases_text(phases: tuple[Phase, ...]) -> str:
    """How a year's phases are written back: 「検討」 or 「検討→準備」."""
    return "→".join(p.value for p in phases)


# ------------------------------------------------------------------ names and placeholders

def name_key(text: str) -> str:
    """A measure name for comparing: NFKC, case, spaces and punctuation folded (「ＡＩ・RPAの導入」 = 「AI RPA の導入」)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZS")


_PLACEHOLDER_RE = re.compile(r"○○|〇〇|◯◯|××|✕✕|xx|●●|△△|□□|\*\*|\?\?|TBD|TBA", re.IGNORECASE)
_PLACEHOLDER_WORDS = frozenset({"未定", "未確定", "調整中", "検討中", "要確認", "確認中", "TBD", "TBA", "?", "-"})


@lru_cache(maxsize=8192)   # pure; the same units, owners and statuses recur on every KPI
def placeholder_in(text: str) -> str | None:
    """The placeholder left in a required field (「○○課」「未定」「TBD」), or None."""
    folded = normalize_text(text)
    if folded.upper() in _PLACEHOLDER_WORDS or folded in _PLACEHOLDER_WORDS:
        return text.strip()
    m = _PLACEHOLDER_RE.search(folded)
    return m.group(0) if m else None

