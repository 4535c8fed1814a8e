"""Cell values both ways: what a planner may type, and how model values are written."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlplan.core.model import Milestone
from xlplan.layout.cells import (
    ERROR_VALUES,
    CellError,
    as_of_cell,
    fmt_number,
    fy_cell,
    fy_values_cell,
    is_blank,
    list_cell,
    milestones_cell,
    read_fy,
    read_fy_or_date,
    read_fy_values,
    read_list,
    read_milestones,
    read_number,
    read_text,
)


def cell_error(func, value) -> CellError:
    with pytest.raises(CellError) as info:
        func(value)
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in str(info.value))
    return info.value


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12.0), (12.5, 12.5), ("12", 12.0), (" 12 ", 12.0), ("1,234", 1234.0), ("１２３", 123.0),
     ("１，２３４", 1234.0), ("1,234.5", 1234.5), ("-3.5", -3.5), ("50%", 50.0), ("５０％", 50.0), (0, 0.0)],
)
def test_read_number_accepts(value, expected):
    assert read_number(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_read_number_blank_is_none(value):
    assert read_number(value) is None


@pytest.mark.parametrize("value", ["abc", "12件", "約100", "未把握", "nan", "inf", "-Infinity", "1.2.3"])
def test_read_number_rejects_text(value):
    error = cell_error(read_number, value)
    assert error.code == "INPUT-NOT-NUMBER"
    assert f"「{value}」" in str(error)


@pytest.mark.parametrize("value", [dt.date(2027, 4, 1), dt.datetime(2027, 4, 1, 9, 30)])
def test_read_number_rejects_dates(value):
    error = cell_error(read_number, value)
    assert error.code == "INPUT-NOT-NUMBER"
    assert "2027/4/1" in str(error)
    assert "日付" in str(error)


@pytest.mark.parametrize("value", [True, False])
def test_read_number_rejects_booleans(value):
    assert cell_error(read_number, value).code == "INPUT-NOT-NUMBER"


@pytest.mark.parametrize("value", sorted(ERROR_VALUES) + [" #N/A "])
def test_error_values_are_reported(value):
    for func in (read_number, read_fy, read_text, read_fy_or_date):
        error = cell_error(func, value)
        assert error.code == "INPUT-ERROR-VALUE"
        assert value.strip() in str(error)


def test_cell_error_is_a_value_error():
    with pytest.raises(ValueError):
        read_number("abc")


# ------------------------------------------------------------------ fiscal years

@pytest.mark.parametrize(
    ("value", "expected"),
    [(2027, 2027), (2027.0, 2027), ("2027", 2027), ("令和9年度", 2027), ("R9", 2027), ("Ｒ９", 2027), (None, None),
     ("", None)],
)
def test_read_fy(value, expected):
    assert read_fy(value) == expected


@pytest.mark.parametrize("value", [dt.date(2027, 4, 1), dt.datetime(2027, 4, 1)])
def test_read_fy_rejects_dates(value):
    error = cell_error(read_fy, value)
    assert error.code == "INPUT-DATE-FOR-YEAR"
    assert "2027/4/1" in str(error)


@pytest.mark.parametrize("value", ["abc", "令和0年度", "令和99年度", True])
def test_read_fy_rejects_non_years(value):
    error = cell_error(read_fy, value)
    assert error.code == "INPUT-NOT-FY"
    assert f"「{value}」" in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R7", (2025, None)),
        ("令和7年度", (2025, None)),
        ("R7時点", (2025, None)),
        ("2025年度末", (2025, None)),
        ("令和7年度末時点", (2025, None)),
        ("2025年3月末", (None, dt.date(2025, 3, 31))),
        ("平成30年7月10日", (None, dt.date(2018, 7, 10))),
        (2025, (2025, None)),
        (2025.0, (2025, None)),
        ("2025/4/1", (None, dt.date(2025, 4, 1))),
        ("2025-04-01", (None, dt.date(2025, 4, 1))),
        ("2025年4月1日現在", (None, dt.date(2025, 4, 1))),
        ("２０２５年４月１日", (None, dt.date(2025, 4, 1))),
        ("R7.4.1", (None, dt.date(2025, 4, 1))),
        ("令和7年4月1日時点", (None, dt.date(2025, 4, 1))),
        ("令和元年5月1日", (None, dt.date(2019, 5, 1))),
        ("H31/3/31", (None, dt.date(2019, 3, 31))),
        (dt.date(2025, 4, 1), (None, dt.date(2025, 4, 1))),
        (dt.datetime(2025, 4, 1, 9, 0), (None, dt.date(2025, 4, 1))),
        (None, (None, None)),
        ("  ", (None, None)),
    ],
)
def test_read_fy_or_date(value, expected):
    assert read_fy_or_date(value) == expected


@pytest.mark.parametrize("value", ["abc", "2025/2/30", "2025年度初め", "R7/13/1"])
def test_read_fy_or_date_rejects(value):
    error = cell_error(read_fy_or_date, value)
    assert error.code == "INPUT-NOT-FY"
    assert f"「{value}」" in str(error)


def test_as_of_cell_round_trips_through_read_fy_or_date():
    assert read_fy_or_date(as_of_cell(2025, None)) == (2025, None)
    assert read_fy_or_date(as_of_cell(None, dt.date(2026, 3, 31))) == (None, dt.date(2026, 3, 31))
    assert as_of_cell(None, None) is None


def test_fy_cell():
    assert fy_cell(2027) == "令和9年度"
    assert fy_cell(None) is None


# ------------------------------------------------------------------ lists of fiscal-year values

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("R10:30、R11:50", {2028: 30.0, 2029: 50.0}),
        ("令和10年度：30\n2029=50.5", {2028: 30.0, 2029: 50.5}),
        ("Ｒ１０：３０；R11 = 0", {2028: 30.0, 2029: 0.0}),
        (None, {}),
        ("", {}),
    ],
)
def test_read_fy_values(value, expected):
    assert read_fy_values(value) == expected


@pytest.mark.parametrize(("value", "code"), [("R10 30", "INPUT-NOT-PAIRS"), ("abc:30", "INPUT-NOT-FY"),
                                             ("R10:たくさん", "INPUT-NOT-NUMBER")])
def test_read_fy_values_rejects(value, code):
    assert cell_error(read_fy_values, value).code == code


def test_fy_values_cell_format():
    assert fy_values_cell({2029: 50.5, 2028: 30.0}) == "R10:30、R11:50.5"
    assert fy_values_cell({}) is None


@given(st.dictionaries(st.integers(1989, 2100), st.floats(-1e9, 1e9, allow_nan=False), max_size=6))
def test_fy_values_round_trip(values):
    assert read_fy_values(fy_values_cell(values)) == values


# ------------------------------------------------------------------ milestones

def test_read_milestones_forms():
    assert read_milestones("R11 本格運用開始\n令和12年度：条例施行\n\n2031:見直し") == [
        Milestone(fy=2029, label="本格運用開始"),
        Milestone(fy=2030, label="条例施行"),
        Milestone(fy=2031, label="見直し"),
    ]
    assert read_milestones(None) == []


def test_read_milestones_rejects_a_line_without_a_year():
    error = cell_error(read_milestones, "R11 開始\n本格運用開始")
    assert error.code == "INPUT-NOT-FY"
    assert "「本格運用開始」" in str(error)


def test_milestones_cell_format():
    assert milestones_cell([Milestone(fy=2029, label="本格運用開始"), Milestone(fy=2030, label="条例施行")]) == (
        "R11 本格運用開始\nR12 条例施行")
    assert milestones_cell([]) is None


LABELS = st.text(alphabet=st.sampled_from("本格運用開始条例施行 ABC12・（）"), min_size=1, max_size=12).map(str.strip).filter(bool)


@given(st.lists(st.builds(Milestone, fy=st.integers(1989, 2100), label=LABELS), max_size=5))
def test_milestones_round_trip(milestones):
    assert read_milestones(milestones_cell(milestones)) == milestones


# ------------------------------------------------------------------ text and lists

def test_read_text():
    assert read_text(None) == ""
    assert read_text("  DX推進課 ") == "DX推進課"
    assert read_text(12.0) == "12"
    assert read_text(dt.date(2026, 3, 1)) == "2026/3/1"


def test_read_list_and_list_cell():
    assert read_list("N11、K01,N12；N13\nN14") == ["N11", "K01", "N12", "N13", "N14"]
    assert read_list(list_cell(["N11", "K01"])) == ["N11", "K01"]
    assert list_cell([]) is None


def test_is_blank_and_fmt_number():
    assert is_blank(None) and is_blank(" ") and not is_blank(0)
    assert fmt_number(3.0) == 3 and isinstance(fmt_number(3.0), int)
    assert fmt_number(2.5) == 2.5
    assert fmt_number(None) is None
