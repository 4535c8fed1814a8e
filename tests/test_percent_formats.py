"""Numbers read with their cell's number format: 「39%」 typed the Excel way is 0.39 under a % format.

The workbooks here get their % formats from another library than the builder
(openpyxl patching a copy, openpyxl writing a fresh book, LibreOffice saving it),
so the styles.xml read is the one real files have.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from xlplan.adapters.number_formats import is_percent_code, parse_xml_spreadsheet, percent_cells_in_sheet, percent_styles
from xlplan.adapters.xlsx_file import check_package, read_plan_values
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from tests.conftest import soffice

SHEET = "電子行政"


def kpi_row(book: Path, measure_id: str) -> int:
    """The 0-based row of a measure's first KPI on the 電子行政 sheet."""
    read = read_plan(read_plan_values(book))
    return read.locator.measures[measure_id].kpi_rows[0]


def patched(book: Path, cells: dict[tuple[int, str], tuple[object, str | None]], name: str = "patched.xlsm") -> Path:
    """A copy of the book with values and number formats set through openpyxl (keeps VBA)."""
    table = L.domain_table(SHEET, [])
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[SHEET]
    for (row, key), (value, fmt) in cells.items():
        cell = ws.cell(row=row + 1, column=table.col(key) + 1)
        cell.value = value
        if fmt is not None:
            cell.number_format = fmt
    target = book.with_name(name)
    wb.save(target)
    return target


def findings_at(read, key: str, row: int) -> list:
    cell = L.domain_table(SHEET, []).cell(row, key)
    return [f for f in read.findings if f.sheet == SHEET and f.cell == cell]


@pytest.mark.parametrize("code, percent", [("0%", True), ("0.0%", True), ("#,##0.00%", True), ("0.0\\%", False),
                                           ('0"%"', False), ("[$%-409]0", False), ("General", False), ("Percent", True),
                                           ('0.0"pt"%', True), ("0_%", False)])
def test_percent_format_codes(code, percent):
    assert is_percent_code(code) is percent


def test_baseline_and_target_typed_as_percent_read_as_the_clerk_meant(sample_book):
    row = kpi_row(sample_book, "DG-02")       # 電子（正本）で通知した特別徴収義務者の割合, unit %
    book = patched(sample_book, {(row, "kpi.baseline_value"): (0.39, "0%"), (row, "kpi.target_value"): (0.705, "0.0%")})
    read = read_plan(read_plan_values(book))
    kpi = next(m for m in read.plan.measures if m.id == "DG-02").kpis[0]
    assert kpi.baseline.value == 39 and kpi.target_value == 70.5
    assert not findings_at(read, "kpi.baseline_value", row) and not findings_at(read, "kpi.target_value", row)


def test_percent_format_in_a_kpi_of_another_unit_is_a_finding_at_the_cell(sample_book):
    row = kpi_row(sample_book, "DG-01")       # unit 件
    book = patched(sample_book, {(row, "kpi.target_value"): (0.5, "0%")})
    read = read_plan(read_plan_values(book))
    [finding] = findings_at(read, "kpi.target_value", row)
    assert finding.code == "INPUT-PERCENT-UNIT" and "「50%」" in finding.message and "「件」" in finding.message


def test_plain_fraction_in_a_percent_kpi_reads_as_typed_when_the_format_is_known(sample_book):
    row = kpi_row(sample_book, "DG-02")
    book = patched(sample_book, {(row, "kpi.baseline_value"): (0.39, None)})   # typed 0.39, General format
    read = read_plan(read_plan_values(book))
    assert next(m for m in read.plan.measures if m.id == "DG-02").kpis[0].baseline.value == 0.39


def test_fraction_with_unknown_format_is_a_finding_never_a_silent_read(sample_book):
    """What the remote engine gives: values only. 0.39 beside a target of 70 in a % KPI is refused at its cell."""
    row = kpi_row(sample_book, "DG-02")
    book = patched(sample_book, {(row, "kpi.baseline_value"): (0.39, "0%")})
    values = dict(read_plan_values(book))          # a plain dict: no number formats
    read = read_plan(values)
    [finding] = findings_at(read, "kpi.baseline_value", row)
    assert finding.code == "INPUT-PERCENT-FRACTION"
    assert "39% のつもりなら 39 と入力してください" in finding.message
    assert next(m for m in read.plan.measures if m.id == "DG-02").kpis[0].baseline.value is None


def test_a_fresh_openpyxl_workbook_reports_its_percent_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"], ws["B2"] = 0.39, 0.4, 12, 0.5
    ws["A1"].number_format = "0%"
    ws["B1"].number_format = "0.00%"
    ws["B2"].number_format = '0"%"'
    path = tmp_path / "fresh.xlsx"
    wb.save(path)
    with check_package(path) as archive:
        styles = percent_styles(archive)
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert percent_cells_in_sheet(xml, styles, {0, 1, 2}) == {(0, 0), (0, 1)}
    assert percent_cells_in_sheet(xml, styles, {1}) == {(0, 1)}


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_saved_by_libreoffice_keeps_the_percent_reading(sample_book, tmp_path):
    row = kpi_row(sample_book, "DG-02")
    book = patched(sample_book, {(row, "kpi.baseline_value"): (0.39, "0%")}, name="lo_in.xlsx")
    out = tmp_path / "lo"
    subprocess.run([soffice(), "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=180)
    saved = out / "lo_in.xlsx"
    read = read_plan(read_plan_values(saved))
    assert next(m for m in read.plan.measures if m.id == "DG-02").kpis[0].baseline.value == 39


XMLSS = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Styles>
  <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Center"/></Style>
  <Style ss:ID="s62"><NumberFormat ss:Format="0%"/></Style>
  <Style ss:ID="s63"><NumberFormat ss:Format="Percent"/></Style>
  <Style ss:ID="s64" ss:Parent="s62"><Font ss:Bold="1"/></Style>
  <Style ss:ID="s65"><NumberFormat ss:Format="#,##0"/></Style>
 </Styles>
 <Worksheet ss:Name="電子行政"><Table>
  <Row><Cell ss:StyleID="s62"><Data ss:Type="Number">0.39</Data></Cell><Cell ss:StyleID="s65"><Data ss:Type="Number">1200</Data></Cell></Row>
  <Row ss:Index="4"><Cell ss:Index="2" ss:StyleID="s63"><Data ss:Type="Number">0.7</Data></Cell></Row>
  <Row><Cell ss:MergeAcross="1"><Data ss:Type="String">x</Data></Cell><Cell ss:StyleID="s64"><Data ss:Type="Number">0.1</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>"""


def test_xml_spreadsheet_2003_from_range_value_11():
    """What Windows Excel returns for Range.Value(11): styles by ID, rows and cells skipped by ss:Index."""
    assert parse_xml_spreadsheet(XMLSS) == {(0, 0), (3, 1), (4, 2)}


def test_live_read_asks_windows_excel_once_per_sheet(monkeypatch):
    from xlplan.adapters import xlwings_live as live

    calls = []

    class Api:
        def Value(self, kind):
            calls.append(kind)
            return XMLSS

    class Rng:
        api = Api()

    class Sheet:
        def range(self, first, last):
            assert first == (1, 6) and last == (12, 8)
            return Rng()

    # the block starts at column 5: (3, 1) is column 6, not asked about
    assert live.percent_cells_live(Sheet(), {5, 7}, 12) == {(0, 5), (4, 7)}
    assert calls == [11]
