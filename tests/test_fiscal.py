"""Fiscal years (年度) and era labels: parsing, formatting, errors and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlplan.core.fiscal import (
    MAX_FY,
    MIN_FY,
    FiscalYearError,
    fy_end,
    fy_header,
    fy_of_date,
    fy_start,
    parse_fy,
    parse_fy_header,
    period_label,
    short_wareki_fy,
    wareki_fy,
    western_fy,
)

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH_DIGITS)


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


# ------------------------------------------------------------------ parsing

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2027, 2027),
        (2027.0, 2027),
        ("2027", 2027),
        ("2027年度", 2027),
        ("2027年", 2027),
        ("FY2027", 2027),
        (" 2027 年度 ", 2027),
        ("令和9年度", 2027),
        ("令和9年", 2027),
        ("令和元年度", 2019),
        ("令和1年度", 2019),
        ("R9", 2027),
        ("r9", 2027),
        ("R9年度", 2027),
        ("Ｒ９年度", 2027),
        ("ｒ９", 2027),
        ("令9", 2027),
        ("平成31年度", 2019),
        ("平成30年度", 2018),
        ("H30", 2018),
        ("h30", 2018),
        ("平成元年度", 1989),
        ("平成35年度", 2023),
        ("昭和63年度", 1988),
        ("S63", 1988),
        ("２０２７年度", 2027),
        ("２０２７", 2027),
        ("令和９年度", 2027),
        ("令和　９　年度", 2027),
    ],
)
def test_parse_fy_accepts(value, expected):
    assert parse_fy(value) == expected


def test_phantom_heisei_year_is_formatted_as_reiwa():
    fy = parse_fy("平成35年度")
    assert fy == 2023
    assert wareki_fy(fy) == "令和5年度"


@pytest.mark.parametrize(
    "value",
    ["abc", "", "令和", "年度", "R", "2027年度初め", "20270", "令和100年度", "平成三十年度", "X9", 2027.5, None, [2027],
     True, False],
)
def test_parse_fy_rejects_garbage(value):
    with pytest.raises(FiscalYearError) as info:
        parse_fy(value)
    message = str(info.value)
    assert has_japanese(message)
    assert f"「{value}」" in message
    # Nothing here is a date, so the message must not say it is one.
    assert "日付" not in message


@pytest.mark.parametrize("value", [dt.date(2027, 4, 1), dt.datetime(2027, 4, 1, 0, 0)])
def test_parse_fy_rejects_dates(value):
    with pytest.raises(FiscalYearError) as info:
        parse_fy(value)
    message = str(info.value)
    assert "「2027/4/1」" in message     # shown the way Excel shows the date
    assert "日付" in message
    assert "年度" in message


@pytest.mark.parametrize("value", [dt.date(2029, 3, 31), dt.datetime(2029, 3, 31), "R10年度末", "令和10年度末まで",
                                   "2028年度末", "令和10年度（2028年度）", "2028年度(R10)"])
def test_parse_fy_reads_year_ends(value):
    """A fiscal year's last day, or 「…年度末」, names that year."""
    assert parse_fy(value) == 2028


def test_parse_fy_refuses_disagreeing_era_and_western_year():
    with pytest.raises(FiscalYearError, match="一致しません"):
        parse_fy("令和10年度（2029年度）")


@pytest.mark.parametrize("value", ["令和0年度", "R0", "平成0年", "令和００年度"])
def test_parse_fy_rejects_era_year_zero(value):
    with pytest.raises(FiscalYearError) as info:
        parse_fy(value)
    message = str(info.value)
    assert f"「{value}」" in message
    assert "0" in message and "元年" in message


@pytest.mark.parametrize("value", [MIN_FY - 1, MAX_FY + 1, "1949", "2101年度", "令和99年", "昭和10年度", -1, 0])
def test_parse_fy_rejects_out_of_range(value):
    with pytest.raises(FiscalYearError) as info:
        parse_fy(value)
    message = str(info.value)
    assert f"「{value}」" in message
    assert "範囲外" in message


@pytest.mark.parametrize("value", [MIN_FY, MAX_FY])
def test_parse_fy_range_bounds_are_inclusive(value):
    assert parse_fy(value) == value


def test_fiscal_year_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_fy("abc")


# ------------------------------------------------------------------ formatting

@pytest.mark.parametrize(
    ("fy", "label"),
    [(2027, "令和9年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度"),
     (1989, "平成元年度"), (1988, "昭和63年度")],
)
def test_wareki_fy(fy, label):
    assert wareki_fy(fy) == label


@pytest.mark.parametrize(("fy", "label"), [(2027, "R9"), (2019, "R1"), (2018, "H30"), (1989, "H1")])
def test_short_wareki_fy(fy, label):
    assert short_wareki_fy(fy) == label


def test_western_fy():
    assert western_fy(2027) == "2027年度"


def test_fy_header_round_trip():
    assert fy_header(2027) == "令和9年度\n(2027)"
    assert parse_fy_header(fy_header(2027)) == 2027
    assert parse_fy_header("R9") == 2027
    assert parse_fy_header(2027) == 2027


@pytest.mark.parametrize(
    ("day", "fy"),
    [(dt.date(2028, 3, 31), 2027), (dt.date(2028, 4, 1), 2028), (dt.date(2027, 4, 1), 2027),
     (dt.date(2028, 1, 1), 2027), (dt.date(2027, 12, 31), 2027)],
)
def test_fy_of_date(day, fy):
    assert fy_of_date(day) == fy


def test_fy_start_and_end():
    assert fy_start(2027) == dt.date(2027, 4, 1)
    assert fy_end(2027) == dt.date(2028, 3, 31)


@pytest.mark.parametrize(
    ("args", "label"),
    [
        ((2022, 5, 12), "令和4年12月から令和8年度まで（5年間）"),
        ((2027, 5), "令和9年度から令和13年度まで（5年間）"),
        ((2027, 3, 4), "令和9年度から令和11年度まで（3年間）"),
        ((2022, 5, 1), "令和5年1月から令和8年度まで（5年間）"),   # January 2023 is still FY2022
        ((2018, 5, 1), "平成31年1月から令和4年度まで（5年間）"),
        ((2019, 3, 5), "令和元年5月から令和3年度まで（3年間）"),
    ],
)
def test_period_label(args, label):
    assert period_label(*args) == label


# ------------------------------------------------------------------ properties

FISCAL_YEARS = st.integers(min_value=max(MIN_FY, 1989), max_value=MAX_FY)


@given(FISCAL_YEARS)
def test_wareki_round_trip(fy):
    assert parse_fy(wareki_fy(fy)) == fy
    assert parse_fy(full_width(wareki_fy(fy))) == fy


@given(FISCAL_YEARS)
def test_short_wareki_round_trip(fy):
    assert parse_fy(short_wareki_fy(fy)) == fy
    assert parse_fy(short_wareki_fy(fy).lower()) == fy
    assert parse_fy(full_width(short_wareki_fy(fy))) == fy


@given(FISCAL_YEARS)
def test_western_round_trip(fy):
    assert parse_fy(str(fy) + "年度") == fy
    assert parse_fy(western_fy(fy)) == fy
    assert parse_fy(full_width(str(fy) + "年度")) == fy
    assert parse_fy(str(fy)) == fy
    assert parse_fy_header(fy_header(fy)) == fy


@given(st.integers(min_value=MIN_FY, max_value=MAX_FY))
def test_every_supported_year_round_trips(fy):
    assert parse_fy(wareki_fy(fy)) == fy
    assert parse_fy(short_wareki_fy(fy)) == fy


@given(st.dates(min_value=dt.date(1951, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_lies_inside_its_fiscal_year(day):
    fy = fy_of_date(day)
    assert fy_start(fy) <= day <= fy_end(fy)
    assert fy_end(fy) + dt.timedelta(days=1) == fy_start(fy + 1)
