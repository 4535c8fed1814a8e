"""Japanese fiscal years (年度, April–March) and era (和暦) labels.

A fiscal year is stored as the Western year in which it starts: 令和9年度 = 2027
(2027-04-01 … 2028-03-31). Labels are parsed leniently, the way planners and
real plans write them, and formatted one canonical way.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from xlplan.errors import ParseError

# Era name -> (Western year of era year 1, aliases). Fiscal-year arithmetic only
# needs the offset: era year N of an era starting in year Y is Y + N - 1.
# Labels past an era's end are extended on purpose: plans written before
# 2019 say 平成35年度 for FY2023 (令和5年度).
ERAS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("令和", 2019, ("R", "令")),
    ("平成", 1989, ("H", "平")),
    ("昭和", 1926, ("S", "昭")),
)
# First fiscal year labelled with each era in canonical output. FY2019 starts
# 2019-04-01 under 平成 but is written 令和元年度 in practice.
_CANONICAL_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926}

MIN_FY = 1950
MAX_FY = 2100

_ERA_BY_ALIAS = {alias: name for name, _, aliases in ERAS for alias in (name, *aliases)}
_ERA_START = {name: start for name, start, _ in ERAS}

_ERA_LETTER = {name: aliases[0] for name, _, aliases in ERAS}

_EXAMPLES = "例: 令和9年度、R9、2027年度、2027"

# 「R10年度末」「令和10年度末まで」「2026年度まで」 name the same fiscal year as 「R10」.
_YEAR_SUFFIX = r"\s*(?:年度末|年度|年)?\s*(?:まで)?"
_ERA_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|令|平|昭|R|H|S)\s*(?P<num>元|\d{1,2})" + _YEAR_SUFFIX + "$",
    re.IGNORECASE,
)
_WESTERN_RE = re.compile(r"^(?:FY)?\s*(?P<year>\d{4})" + _YEAR_SUFFIX + "$", re.IGNORECASE)
# 「令和8年度（2026年度）」, the way the plan document writes a year, and 「2026年度（令和8年度）」.
_BOTH_RE = re.compile(r"^(?P<a>[^()]+)\((?P<b>[^()]+)\)$")


class FiscalYearError(ParseError):
    """A value that cannot be read as a fiscal year."""

    def __init__(self, message: str, kind: str = "fy"):
        super().__init__(message, kind)


def normalize_text(value: str) -> str:
    """NFKC folds full-width digits and letters (Ｒ９ → R9) and trims spaces."""
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").replace("\u3000", "")


def parse_fy(value: object) -> int:
    """Read a fiscal year from a cell value or a label.

    Accepts 2027, "2027", "2027年度", "令和9年度", "令和元年度", "R9", "Ｒ９年度",
    "平成31年度" and phantom Heisei years such as "平成35年度" (= 2023).
    Dates and anything else raise FiscalYearError quoting the input.
    """
    if isinstance(value, bool):
        raise FiscalYearError(f"「{value}」は年度として読めません（{_EXAMPLES}）。")
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        if (day.month, day.day) == (3, 31):  # a fiscal year's last day: 2029/3/31 is 令和10年度末
            return _checked(fy_of_date(day), value)
        raise FiscalYearError(
            f"「{day.year}/{day.month}/{day.day}」は日付です。年度を入力してください（{_EXAMPLES}）。", "date-for-year"
        )
    if isinstance(value, float):
        if not value.is_integer():
            raise FiscalYearError(f"「{value}」は年度として読めません（{_EXAMPLES}）。")
        value = int(value)
    if isinstance(value, int):
        return _checked(value, value)
    if not isinstance(value, str):
        raise FiscalYearError(f"「{value}」は年度として読めません（{_EXAMPLES}）。")

    text = normalize_text(value)
    if m := _BOTH_RE.match(text):
        first, second = _parse_label(m["a"], value), _parse_label(m["b"], value)
        if first != second:
            raise FiscalYearError(f"「{value}」の和暦（{wareki_fy(first)}）と西暦（{second}年度）が一致しません。"
                                  "どちらか一方で入力してください。")
        return first
    return _parse_label(text, value)


def _parse_label(text: str, value: object) -> int:
    if m := _WESTERN_RE.match(text):
        return _checked(int(m["year"]), value)
    if m := _ERA_RE.match(text):
        era = _ERA_BY_ALIAS[m["era"].upper() if len(m["era"]) == 1 else m["era"]]
        num = 1 if m["num"] == "元" else int(m["num"])
        if num < 1:
            raise FiscalYearError(f"「{value}」の年数が0です。{era}は元年（1年）から数えます。")
        return _checked(_ERA_START[era] + num - 1, value)
    raise FiscalYearError(f"「{value}」は年度として読めません（{_EXAMPLES}）。")


def _checked(year: int, original: object) -> int:
    if not MIN_FY <= year <= MAX_FY:
        raise FiscalYearError(
            f"「{original}」は{MIN_FY}年度から{MAX_FY}年度の範囲外です（{_EXAMPLES}）。"
        )
    return year


def fy_of_date(day: dt.date) -> int:
    """The fiscal year a date falls in (January–March belong to the previous year)."""
    return day.year if day.month >= 4 else day.year - 1


def fy_start(fy: int) -> dt.date:
    return dt.date(fy, 4, 1)


def fy_end(fy: int) -> dt.date:
    return dt.date(fy + 1, 3, 31)


def era_of_fy(fy: int) -> tuple[str, int]:
    """(era name, era year) used to label a fiscal year, e.g. 2019 -> ("令和", 1)."""
    for name, start in sorted(_CANONICAL_ERA_START.items(), key=lambda kv: -kv[1]):
        if fy >= start:
            return name, fy - _ERA_START[name] + 1
    raise FiscalYearError(f"「{fy}」は{MIN_FY}年度から{MAX_FY}年度の範囲外です。")


def wareki_fy(fy: int) -> str:
    """令和9年度 for 2027, 令和元年度 for 2019."""
    era, year = era_of_fy(fy)
    return f"{era}{'元' if year == 1 else year}年度"


def short_wareki_fy(fy: int) -> str:
    """R9 for 2027; compact form used in cell lists such as interim targets."""
    era, year = era_of_fy(fy)
    return f"{_ERA_LETTER[era]}{year}"


def western_fy(fy: int) -> str:
    return f"{fy}年度"


def fy_header(fy: int) -> str:
    """Two-line column header used in the 工程表: 令和9年度 / (2027)."""
    return f"{wareki_fy(fy)}\n({fy})"


def parse_fy_header(value: object) -> int:
    """Read a header written by fy_header, or any single fiscal-year label."""
    if isinstance(value, str) and "\n" in value:
        value = value.split("\n", 1)[0]
    return parse_fy(value)


def period_label(start_fy: int, years: int, start_month: int = 4) -> str:
    """令和9年度から令和13年度まで（5年間）, with the month when the plan starts mid-year."""
    end = start_fy + years - 1
    if start_month == 4:
        start = wareki_fy(start_fy)
    else:
        year = start_fy if start_month >= 4 else start_fy + 1
        era, era_year = era_of_fy(fy_of_date(dt.date(year, start_month, 1)))
        # The calendar year's era label, e.g. 令和4年12月.
        era_year = year - _ERA_START[era] + 1
        start = f"{era}{'元' if era_year == 1 else era_year}年{start_month}月"
    return f"{start}から{wareki_fy(end)}まで（{years}年間）"
