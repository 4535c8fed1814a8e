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
    # the one finding: the domain sheets get the two columns from reshape, which the warning names
    assert [f.code for f in read.findings if f.sheet == L.INFO] == ["INPUT-COST-COLUMNS"]


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


# ------------------------------------------------------------------ what the clerk sees (基本情報, 使い方)

def test_the_cells_to_fill_in_are_really_yellow_and_the_sheet_says_so(sample_book):
    from xlplan.layout.styles import INPUT_FILL, STYLES

    r, g, b = (int(INPUT_FILL[i:i + 2], 16) for i in (1, 3, 5))
    assert STYLES["input"]["bg_color"] == INPUT_FILL and r >= 0xF0 and g >= 0xF0 and b <= 0xD0, "yellow, not near-white"
    grid = read_workbook_values(sample_book)[L.INFO]
    assert "黄色のセルに入力します" in grid[1][0]


def test_related_plan_names_are_not_cut_off(sample_book, sample_plan):
    from xlplan.layout.rowheight import row_height

    widths = [c.width for c in L.RELATED.columns]
    heights = _row_heights(sample_book, L.INFO)
    for i, rel in enumerate(sample_plan.related_plans):
        row = L.RELATED.first_row + i
        needed = row_height([rel.name, rel.relation, None, None], widths, [True, True, False, False])
        assert heights.get(row + 1, 0) >= needed, rel.name
    assert widths[0] >= 40, "a plan's name (20 full-width characters) fits on one line"


def test_a_stated_review_time_clears_the_related_period_warning(sample_book):
    from xlplan.operations import findings_for

    assert "PLAN-RELATED-PERIOD" in {f.code for f in findings_for(read_workbook(sample_book))}
    _set(sample_book, "review", "令和12年度に総合計画の改定に合わせて見直し")
    assert "PLAN-RELATED-PERIOD" not in {f.code for f in findings_for(read_workbook(sample_book))}


def test_usage_stays_within_one_a4_page_width(sample_book):
    import shutil

    from conftest import ROOT, soffice
    from xlplan.builder.workbook import USAGE_FIRST_ROW, USAGE_LINES, USAGE_WIDTH
    from xlplan.render import pdf_pages, render

    heights = _row_heights(sample_book, L.USAGE)
    wrapped = [i for i, (style, _) in enumerate(USAGE_LINES, start=USAGE_FIRST_ROW) if style == "wrap"]
    assert all(heights.get(i + 1, 0) > 18 for i in wrapped if len(USAGE_LINES[i - USAGE_FIRST_ROW][1]) > USAGE_WIDTH // 2)
    if soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and pdftotext render the sheet")
    import re
    import subprocess

    pdf, _ = render(sample_book, [L.USAGE], ROOT / "out" / "usage", stem="usage")
    assert pdf_pages(pdf) == [pytest.approx((595.3, 841.9), abs=1)], "one A4 portrait page"
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    for _, line in USAGE_LINES:   # every line printed whole: nothing runs past the print area
        assert re.sub(r"\s+", "", line) in text, line[:20]


def read_workbook_values(book: Path):
    from xlplan.adapters.xlsx_file import read_values

    return read_values(book)


def _row_heights(book: Path, sheet: str) -> dict[int, float]:
    import zipfile

    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(book) as z:
        workbook = etree.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in workbook.find("m:sheets", ns)]
        root = etree.fromstring(z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"))
    return {int(r.get("r")): float(r.get("ht")) for r in root.iterfind(".//m:sheetData/m:row", ns) if r.get("ht")}
