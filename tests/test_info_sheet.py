"""基本情報: the plan-level fields a clerk fills in, read back as typed; xlplan 0.1's layout still reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlplan.adapters.package import apply_ops
from xlplan.cli.app import read_workbook
from xlplan.core.vocab import BodyType, DateStyle
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues

DATA = Path(__file__).resolve().parent / "data"


def _set(book: Path, key: str, value) -> None:
    apply_ops(book, [SetValues(L.INFO, L.INFO_FIELD[key].row, L.INFO_VALUE_COL, [[value]])])


def test_new_fields_read_as_typed(sample_book):
    for key, value in (("body_type", "都道府県"), ("review", "令和11年度に中間見直し"),
                       ("contact_department", "企画部DX推進課"), ("contact_phone", "000-111-2222"),
                       ("contact_email", "dx@example.lg.jp"), ("date_style", "西暦"), ("grade_scale", "◎○△×"),
                       ("cost_columns", "あり")):
        _set(sample_book, key, value)
    read = read_workbook(sample_book)
    plan = read.plan
    assert plan.body_type is BodyType.PREFECTURE and plan.review == "令和11年度に中間見直し"
    assert (plan.contact.department, plan.contact.phone, plan.contact.email) == ("企画部DX推進課", "000-111-2222", "dx@example.lg.jp")
    assert plan.date_style is DateStyle.WESTERN and plan.grade_scale == "◎○△×" and plan.cost_columns is True
    assert not [f for f in read.findings if f.sheet == L.INFO]


@pytest.mark.parametrize("key, value, code", [("body_type", "区", "INPUT-INVALID"), ("cost_columns", "たぶん", "INPUT-YES-NO"),
                                              ("start_month", "13月", "INPUT-MONTH"), ("years", 1_000_000_000, "INPUT-YEARS")])
def test_a_bad_field_is_a_finding_at_its_cell(sample_book, key, value, code):
    _set(sample_book, key, value)
    read = read_workbook(sample_book)
    [finding] = [f for f in read.findings if f.sheet == L.INFO]
    assert (finding.code, finding.cell) == (code, L.INFO_LAYOUT.value_cell(key))


def test_start_month_as_typed(sample_book):
    for typed in ("12月", 12, "１２月", "12"):
        _set(sample_book, "start_month", typed)
        assert read_workbook(sample_book).plan.start_month == 12


def test_custom_grades_are_read(sample_book):
    t = L.GRADES
    apply_ops(sample_book, [SetValues(L.INFO, t.first_row, 0, [["S", "大きく上回る", 120], ["A", "順調", 90], ["B", "遅れ", 0],
                                                               ["－", "評価できない", None]])])
    grades = read_workbook(sample_book).plan.custom_grades
    assert [(g.code, g.min_percent) for g in grades] == [("S", 120), ("A", 90), ("B", 0), ("－", None)]


def test_a_workbook_of_xlplan_0_1_still_reads(tmp_path):
    book = tmp_path / "旧版.xlsm"
    book.write_bytes((DATA / "xlplan-0.1-template.xlsm").read_bytes())
    read = read_workbook(book)
    assert read.plan is not None and read.plan.start_fy == 2027 and read.plan.years == 5
    assert len(read.plan.domains) == 8 and read.locator.info.version == 1
