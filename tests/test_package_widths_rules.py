"""SetColumnWidths, SetValidation and SetNumberFormat in the package layer, on workbooks written by Excel and by XlsxWriter:
other columns' attributes and the user's own rules are kept, the new rule replaces only its own block,
and the parts stay valid where the schema orders them."""

from __future__ import annotations

import re

import pytest
from userbooks import WRITERS, source

from xlplan.adapters.package import Package, patch_package, sheet_part_map
from xlplan.adapters.package.numformats import FIRST_CUSTOM_FORMAT
from xlplan.adapters.xlsx_file import read_values
from xlplan.layout.ops import SetColumnWidths, SetNumberFormat, SetValidation, SetValues
from xlplan.layout.screen import stored_width


def sheet_xml(data: bytes) -> str:
    with Package(data) as package:
        return package.read(next(iter(sheet_part_map(package).values()))).decode("utf-8")


def first_sheet(data: bytes) -> str:
    with Package(data) as package:
        return next(iter(sheet_part_map(package)))


@pytest.mark.parametrize("writer", WRITERS)
def test_a_rule_is_added_beside_the_users_and_replaced_not_doubled(writer):
    data = source("data_validation01.xlsx", writer)
    before = sheet_xml(data)
    users = re.findall(r"<dataValidation [^>]*sqref=\"C2\"", before)
    assert len(users) == 1
    sheet = first_sheet(data)
    rule = SetValidation(sheet, 4, 5, 10, "list", "=xlplan_funding", show_error=False, title="財源", message="「、」区切りで")
    once = patch_package(data, [rule])
    twice = patch_package(once, [rule])
    xml = sheet_xml(twice)
    assert re.findall(r"<dataValidation [^>]*sqref=\"C2\"", xml) == users          # the user's rule as it was
    assert xml.count('sqref="F5:F14"') == 1 and "<formula1>xlplan_funding</formula1>" in xml
    assert re.search(r'<dataValidations count="2"', xml)
    # <dataValidations> stays before <pageMargins> (the schema's order)
    assert xml.index("<dataValidations") < xml.index("<pageMargins")


@pytest.mark.parametrize("writer", WRITERS)
def test_widths_set_on_a_sheet_without_cols_and_next_to_others(writer):
    data = source("hyperlink01.xlsx", writer)
    sheet = first_sheet(data)
    xml = sheet_xml(patch_package(data, [SetColumnWidths(sheet, 2, (7, 7, 10))]))
    assert xml.index("<cols>") < xml.index("<sheetData")
    cols = re.findall(r"<col ([^>]*)/>", xml)
    spans = {(re.search(r'min="(\d+)"', c)[1], re.search(r'max="(\d+)"', c)[1]): float(re.search(r'width="([^"]+)"', c)[1])
             for c in cols}
    assert spans[("3", "4")] == stored_width(7) and spans[("5", "5")] == stored_width(10)


def test_widths_keep_a_columns_style_and_hidden_state():
    data = source("table01.xlsx", "xlsxwriter")     # C:F have a width of their own
    sheet = first_sheet(data)
    before = re.findall(r"<col ([^>]*)/>", sheet_xml(data))
    xml = sheet_xml(patch_package(data, [SetColumnWidths(sheet, 3, (20,))]))
    cols = re.findall(r"<col ([^>]*)/>", xml)
    assert len(cols) == 3 and f'width="{stored_width(20)!r}"' in cols[1] and 'min="4" max="4"' in cols[1]
    assert before[0].replace('max="6"', 'max="3"') == cols[0]


@pytest.mark.parametrize("writer", WRITERS)
def test_a_number_format_changes_only_the_number_format_of_its_cells(writer, tmp_path):
    data = source("cond_format01.xlsx", writer)      # A1:A4 hold numbers
    sheet = first_sheet(data)
    data = patch_package(data, [SetValues(sheet, 0, 1, [[1234.5], [2]])])
    out = patch_package(data, [SetNumberFormat(sheet, 0, 1, 2, "#,##0.##"), SetNumberFormat(sheet, 0, 0, 1, "#,##0.##")])
    with Package(out) as package:
        styles = package.read("xl/styles.xml").decode("utf-8")
    fmt = re.search(r'<numFmt numFmtId="(\d+)" formatCode="#,##0.##"/>', styles)
    assert fmt and int(fmt[1]) >= FIRST_CUSTOM_FORMAT and styles.count('formatCode="#,##0.##"') == 1
    xml = sheet_xml(out)
    cells = dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*?s="(\d+)"', xml))
    assert cells["B1"] == cells["B2"]            # one copy per source format
    xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])
    assert f'numFmtId="{fmt[1]}"' in xfs[int(cells["B1"])] and f'numFmtId="{fmt[1]}"' in xfs[int(cells["A1"])]
    assert "A2" not in cells or f'numFmtId="{fmt[1]}"' not in xfs[int(cells["A2"])]   # outside the block
    path = tmp_path / "b.xlsx"
    path.write_bytes(out)
    assert read_values(path)[sheet][0][:2] == [10, 1234.5]      # the values read as before
