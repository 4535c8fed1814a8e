"""Domain sheets a clerk can read: the first block fits a 1366×768 laptop at 100%, secondary columns are
collapsible outline groups, A3 prints at 8 pt or more; clerk's own columns and cost columns are kept."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest

from xlplan.builder.workbook import build_workbook, workbook_plan
from xlplan.cli.app import read_workbook
from xlplan.layout import sheets as L
from xlplan.layout.screen import block_pixels, column_pixels, stored_width
from xlplan.render import render

from conftest import PLAN_FY, soffice


def test_excels_pixel_rule_for_calibri_11():
    # stored 8.7109375 for a width of 8 (XlsxWriter), drawn as trunc((256 × 8.7109375 + 18) / 256 × 7) = 61 px;
    # Excel's default 8.43 is 64 px, 10 is 75 px
    assert stored_width(8) == 8.7109375 and column_pixels(8) == 61
    assert column_pixels(8.43) == 64 and column_pixels(10) == 75 and column_pixels(0) == 0


@pytest.mark.parametrize("years", [3, 5, 6])
def test_the_first_block_fits_a_1366_pixel_laptop_screen(years):
    table = L.domain_table("電子行政", list(range(PLAN_FY, PLAN_FY + years)))
    block = L.laptop_block(table)
    keys = [c.key for c in block]
    assert keys[:2] == ["measure.id", "measure.name"] and keys[-1] == L.fy_key(PLAN_FY + years - 1)
    assert {"measure.content", "measure.owner", "kpi.name", "kpi.target_value", "kpi.target_fy"} <= set(keys)
    assert block_pixels(block) <= L.LAPTOP_GRID_PX == 1300


def test_secondary_columns_are_outline_groups_and_details_start_collapsed(sample_bytes, tmp_path):
    path = tmp_path / "a.xlsm"
    path.write_bytes(sample_bytes)
    with zipfile.ZipFile(path) as z:
        xml = z.read(_sheet_part(z, "電子行政")).decode()
    cols = {int(m["min"]): m for m in (dict(re.findall(r'(\w+)="([^"]*)"', c)) for c in re.findall(r"<col [^>]*/>", xml))}
    table = L.domain_table("電子行政", list(range(PLAN_FY, PLAN_FY + 5)))

    def col(key: str) -> dict:
        i = table.col(key) + 1
        return next(v for lo, v in cols.items() if lo <= i <= int(v["max"]))

    assert col(L.target_key(PLAN_FY)).get("outlineLevel") == "1" and "hidden" not in col(L.target_key(PLAN_FY))
    assert col("measure.origin").get("outlineLevel") == "1" and col("measure.origin").get("hidden") == "1"
    assert col("kpi.target_text").get("outlineLevel") is None        # separates the two groups
    assert '<pane xSplit="2"' in xml                                 # frozen on 施策ID and 施策名


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    from xlplan.adapters.package import sheet_part_map

    return sheet_part_map(z)[sheet]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_a3_print_is_at_least_8_points(sample_book, tmp_path):
    """Measured in the PDF LibreOffice prints: word heights of the table, against a reference cell of known size."""
    import xlsxwriter

    from xlplan.layout.styles import FONT

    reference = tmp_path / "reference.xlsx"
    wb = xlsxwriter.Workbook(reference)
    ws = wb.add_worksheet("ref")
    ws.write_string(0, 0, "施策名参照", wb.add_format({"font_name": FONT, "font_size": 10}))
    ws.set_paper(8)
    wb.close()
    pdf, _ = render(reference, ["ref"], tmp_path / "ref", stem="ref")
    [ref_height] = _word_heights(pdf, "施策名参照")
    per_point = ref_height / 10

    pdf, _ = render(sample_book, ["電子行政"], tmp_path / "domain", stem="domain")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (1191, 842)             # A3 landscape
    heights = _word_heights(pdf)
    table_words = [h for h in heights if h < 2 * ref_height]         # cell text, not the 16-pt title
    smallest = min(table_words) / per_point
    print(f"reference 10 pt = {ref_height:.2f} pt high; smallest table text {smallest:.2f} pt")
    assert smallest >= 8.0, smallest


def _word_heights(pdf, word: str | None = None) -> list[float]:
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for m in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', text):
        if word is None or m.group(3) == word:
            found.append(float(m.group(2)) - float(m.group(1)))
    return found


def test_clerks_own_columns_and_cost_columns_are_read_and_kept(sample_plan, catalog, tmp_path):
    plan = sample_plan.model_copy(deep=True)
    plan.cost_columns = True
    plan.measures[0].cost = 12000
    plan.measures[0].funding = ["N11", "一般財源"]
    plan.measures[0].extra = {"所管部": "企画部", "優先度": 1}
    plan.measures[2].extra = {"優先度": 3}
    path = tmp_path / "自由列.xlsm"
    path.write_bytes(build_workbook(plan, catalog, interpreter="python", current_fy=PLAN_FY))
    read = read_workbook(path)
    assert read.findings == []
    table = read.layout.domain_tables["電子行政"]
    assert [c.header for c in table.columns[-4:]] == ["概算事業費（千円）", "財源", "所管部", "優先度"]
    assert read.plan == workbook_plan(plan, catalog)
    first = read.plan.measures[0]
    assert first.cost == 12000 and first.funding == ["N11", "一般財源"] and first.extra == {"所管部": "企画部", "優先度": 1}


def test_period_in_years_and_months_on_the_info_sheet(sample_plan, catalog, tmp_path):
    from xlplan.adapters.xlsx_file import read_values

    plan = sample_plan.model_copy(update={"start_fy": 2022, "start_month": 1, "years": 3})
    plan = plan.model_copy(update={"measures": []})
    path = tmp_path / "年度途中.xlsm"
    path.write_bytes(build_workbook(plan, catalog, interpreter="python", current_fy=2023))
    grid = read_values(path)[L.INFO]
    row = L.INFO_FIELD["period"].row
    assert grid[row][L.INFO_VALUE_COL] == "令和5年1月から令和6年度まで（2年3か月）"
