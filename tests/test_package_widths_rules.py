"""SetColumnWidths and SetValidation in the package layer, on workbooks written by Excel and by XlsxWriter:
other columns' attributes and the user's own rules are kept, the new rule replaces only its own block,
and the parts stay valid where the schema orders them."""

from __future__ import annotations

import re

import pytest
from userbooks import WRITERS, source

from xlplan.adapters.package import Package, patch_package, sheet_part_map
from xlplan.layout.ops import SetColumnWidths, SetValidation
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
