"""Dates in the plan document, written in the ONE notation chosen in 基本情報 「日付の表記」.

* 和暦（西暦）: 令和9年度（2027年度）. The 西暦 is given once per scope (a table, a
  heading, a paragraph): the first date in it carries it, later ones do not. A
  range carries it on both ends (令和9年度（2027年度）から令和13年度（2031年度）まで).
* 和暦: 令和9年度, 令和8年3月31日.
* 西暦: 2027年度, 2026年3月31日.

`Dates.text` rewrites the dates a clerk typed in free text (2028年度, R9年度,
2026/3/31, 平成27年 …) into the same notation, so that a plan never shows two
notations side by side. Law citations (平成28年法律第103号) keep their 和暦, and titles
with an edition year (…ガイドライン（2016年版）) are names, left as written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

from xlplan.core.fiscal import ERAS, MAX_FY, MIN_FY, era_of_fy
from xlplan.core.vocab import DateStyle

_ERA_START = {name: start for name, start, _ in ERAS}
# The first day written with each era (calendar dates, not fiscal years).
_ERA_FIRST_DAY = (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8)), ("昭和", dt.date(1926, 12, 25)))


def _era_year(era: str, year: int) -> str:
    n = year - _ERA_START[era] + 1
    return f"{era}{'元' if n == 1 else n}年"


def _era_of_day(day: dt.date) -> str:
    return next(era for era, first in _ERA_FIRST_DAY if day >= first)


def _era_of_year(year: int) -> str:
    """The era a calendar year is written in (the one of its last day: 2019 is 令和元年)."""
    return _era_of_day(dt.date(year, 12, 31))


class Dates:
    """Formats fiscal years and dates in one notation; one instance is one scope (see the module doc)."""

    def __init__(self, style: DateStyle | str = DateStyle.WAREKI_WESTERN):
        self.style = DateStyle(style)
        self._western_pending = self.style is DateStyle.WAREKI_WESTERN

    def scope(self) -> Dates:
        """A fresh scope: its first date carries the 西暦 again (和暦（西暦）)."""
        return Dates(self.style)

    def western_given(self) -> Dates:
        """This scope's 西暦 is already given (e.g. by a table's year headers): dates are 和暦 only."""
        self._western_pending = False
        return self

    def _both(self) -> bool:
        both = self._western_pending
        self._western_pending = False
        return both

    # ------------------------------------------------------------ fiscal years

    def wareki_fy(self, fy: int) -> str:
        era, n = era_of_fy(fy)
        return f"{era}{'元' if n == 1 else n}年度"

    def fy(self, fy: int) -> str:
        """令和9年度（2027年度）, 令和9年度 or 2027年度."""
        if self.style is DateStyle.WESTERN:
            return f"{fy}年度"
        label = self.wareki_fy(fy)
        return f"{label}（{fy}年度）" if self._both() else label

    def fy_range(self, first: int, last: int, sep: str = "〜") -> str:
        """令和10〜11年度 (one era) / 令和元〜2年度; 2028〜2029年度; 和暦（西暦）: 令和10〜11年度（2028〜2029年度）."""
        if first == last:
            return self.fy(first)
        if self.style is DateStyle.WESTERN:
            return f"{first}{sep}{last}年度"
        a, b = self.wareki_fy(first), self.wareki_fy(last)
        label = f"{a.removesuffix('年度')}{sep}{b[2:]}" if a[:2] == b[:2] else f"{a}{sep}{b}"
        return f"{label}（{first}{sep}{last}年度）" if self._both() else label

    def period(self, start_fy: int, years: int, start_month: int = 4) -> str:
        """令和9年度（2027年度）から令和13年度（2031年度）まで（5年間）."""
        end = start_fy + years - 1
        both = self._both() if self.style is DateStyle.WAREKI_WESTERN else False
        if start_month == 4:
            start = self._fy_with(start_fy, both)
        else:
            year = start_fy if start_month >= 4 else start_fy + 1
            start = self._month_with(dt.date(year, start_month, 1), both)
        return f"{start}から{self._fy_with(end, both)}まで（{years}年間）"

    def _fy_with(self, fy: int, both: bool) -> str:
        if self.style is DateStyle.WESTERN:
            return f"{fy}年度"
        return f"{self.wareki_fy(fy)}（{fy}年度）" if both else self.wareki_fy(fy)

    def header(self, fy: int) -> str:
        """A fiscal-year column header: a table's header says both once per column (和暦（西暦）)."""
        if self.style is DateStyle.WESTERN:
            return f"{fy}年度"
        if self.style is DateStyle.WAREKI:
            return self.wareki_fy(fy)
        return f"{self.wareki_fy(fy)}\n({fy})"

    # ------------------------------------------------------------ calendar dates

    def date(self, day: dt.date) -> str:
        """令和8年（2026年）3月31日 / 令和8年3月31日 / 2026年3月31日."""
        return f"{self._year(day)}{day.month}月{day.day}日"

    def month(self, day: dt.date) -> str:
        """令和8年（2026年）11月 / 令和8年11月 / 2026年11月."""
        return self._month_with(day, self._both() if self.style is DateStyle.WAREKI_WESTERN else False)

    def _month_with(self, day: dt.date, both: bool) -> str:
        if self.style is DateStyle.WESTERN:
            return f"{day.year}年{day.month}月"
        year = _era_year(_era_of_day(day), day.year)
        return f"{year}（{day.year}年）{day.month}月" if both else f"{year}{day.month}月"

    def _year(self, day: dt.date) -> str:
        if self.style is DateStyle.WESTERN:
            return f"{day.year}年"
        year = _era_year(_era_of_day(day), day.year)
        return f"{year}（{day.year}年）" if self._both() else year

    def calendar_year(self, year: int) -> str:
        if self.style is DateStyle.WESTERN:
            return f"{year}年"
        label = _era_year(_era_of_year(year), year)
        return f"{label}（{year}年）" if self._both() else label

    # ------------------------------------------------------------ free text

    def text(self, text: str) -> str:
        """The dates in a clerk's text rewritten in this notation (one scope per call)."""
        if not text:
            return text
        scope = self.scope()
        return _date_re().sub(lambda m: scope._rewrite(m), text)

    def _rewrite(self, m: re.Match) -> str:
        g = {k: v for k, v in m.groupdict().items() if v is not None}
        try:
            if "rng_w1" in g:
                return self.fy_range(_checked(_n(g["rng_w1"])), _checked(_n(g["rng_w2"])), g["rng_sep"])
            if "rng_era" in g:
                last_era = g.get("rng_era2", g["rng_era"])
                return self.fy_range(_era_fy(g["rng_era"], g["rng_e1"]), _era_fy(last_era, g["rng_e2"]), g["rng_sep2"])
            if "d_y" in g:
                return self.date(dt.date(_n(g["d_y"]), _n(g["d_m"]), _n(g["d_d"])))
            if "de_era" in g:
                year = _era_fy(g["de_era"], g["de_y"])
                return self.date(dt.date(year, _n(g["de_m"]), _n(g["de_d"])))
            if "fy_w" in g:
                return self.fy(_checked(_n(g["fy_w"])))
            if "fy_era" in g:
                return self.fy(_era_fy(g["fy_era"], g["fy_n"]))
            if "ym_y" in g:
                return self._month_with(dt.date(_n(g["ym_y"]), _n(g["ym_m"]), 1), self._both_if_mixed())
            if "yme_era" in g:
                return self._month_with(dt.date(_era_fy(g["yme_era"], g["yme_y"]), _n(g["yme_m"]), 1),
                                        self._both_if_mixed())
            if "y_w" in g:
                return self.calendar_year(_checked(_n(g["y_w"])))
            if "y_era" in g:
                return self.calendar_year(_era_fy(g["y_era"], g["y_n"]))
        except ValueError:   # 2026/13/40 and the like: not a date, left as typed
            return m.group(0)
        return m.group(0)

    def _both_if_mixed(self) -> bool:
        return self._both() if self.style is DateStyle.WAREKI_WESTERN else False


def _n(text: str) -> int:
    if text == "元":
        return 1
    return int(unicodedata.normalize("NFKC", text))


def _checked(year: int) -> int:
    if not MIN_FY <= year <= MAX_FY:
        raise ValueError(year)
    return year


_ERA_ALIAS = {"令和": "令和", "平成": "平成", "昭和": "昭和", "R": "令和", "H": "平成", "Ｒ": "令和", "Ｈ": "平成"}


def _era_fy(era: str, n: str) -> int:
    return _checked(_ERA_START[_ERA_ALIAS[era]] + _n(n) - 1)


_D = r"[0-9０-９]"
_ERA = r"令和|平成|昭和"
_ERA_OR_LETTER = r"令和|平成|昭和|(?<![A-Za-zＡ-Ｚａ-ｚ])[RHＲＨ]"
_NUM = rf"元|{_D}{{1,2}}"
_SEP = r"[〜～~]"
_NOT_DIGIT_BEFORE = r"(?<![0-9０-９,.，．])"
# An already given pair, e.g. 令和9年度（2027年度） or 2027年度（令和9年度）: the parenthesis is dropped and
# rewritten, so a text never shows it twice.
_PAIR_W = rf"(?:\s*[（(]\s*{_D}{{4}}\s*年度?\s*[）)])?"
_PAIR_E = rf"(?:\s*[（(]\s*(?:{_ERA})(?:{_NUM})\s*年度?\s*[）)])?"
# Law and ordinance numbers are cited in 和暦 whatever the notation: 平成28年法律第103号.
_NOT_LAW = r"(?!\s*(?:法律|条例|政令|規則|告示|省令|府令|訓令|第))"


@cache
def _date_re() -> re.Pattern[str]:
    # Compiled at first use: about 10 ms, which every button click would pay, while only the
    # documents rewrite free text.
    return re.compile(_DATE_PATTERN)


_DATE_PATTERN = (
    rf"{_NOT_DIGIT_BEFORE}(?P<rng_w1>{_D}{{4}})\s*(?P<rng_sep>{_SEP})\s*(?P<rng_w2>{_D}{{4}})\s*年度{_PAIR_E}"
    rf"|(?P<rng_era>{_ERA_OR_LETTER})\s*(?P<rng_e1>{_NUM})\s*(?:年度)?\s*(?P<rng_sep2>{_SEP})\s*"
    rf"(?:(?P<rng_era2>{_ERA_OR_LETTER})\s*)?(?P<rng_e2>{_NUM})\s*年度{_PAIR_W}"
    rf"|{_NOT_DIGIT_BEFORE}(?P<d_y>{_D}{{4}})\s*(?:/|年)\s*(?P<d_m>{_D}{{1,2}})\s*(?:/|月)\s*(?P<d_d>{_D}{{1,2}})(?![0-9０-９])日?"
    rf"|(?P<de_era>{_ERA})\s*(?P<de_y>{_NUM})\s*年\s*(?P<de_m>{_D}{{1,2}})\s*月\s*(?P<de_d>{_D}{{1,2}})\s*日"
    rf"|{_NOT_DIGIT_BEFORE}(?P<fy_w>{_D}{{4}})\s*年度{_PAIR_E}"
    rf"|(?P<fy_era>{_ERA_OR_LETTER})\s*(?P<fy_n>{_NUM})\s*年度{_PAIR_W}"
    rf"|{_NOT_DIGIT_BEFORE}(?P<ym_y>{_D}{{4}})\s*年\s*(?P<ym_m>{_D}{{1,2}})\s*月(?!\s*{_D})"
    rf"|(?P<yme_era>{_ERA})\s*(?P<yme_y>{_NUM})\s*年\s*(?P<yme_m>{_D}{{1,2}})\s*月(?!\s*{_D})"
    rf"|{_NOT_DIGIT_BEFORE}(?P<y_w>{_D}{{4}})\s*年(?![度版0-9０-９])(?:\s*[（(]\s*(?:{_ERA})(?:{_NUM})\s*年\s*[）)])?"
    rf"|(?P<y_era>{_ERA})\s*(?P<y_n>{_NUM})\s*年(?![度版0-9０-９]){_NOT_LAW}(?:\s*[（(]\s*{_D}{{4}}\s*年\s*[）)])?"
)
