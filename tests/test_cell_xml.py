"""Cells written as XML text in one go (new_cells) are the cells new_cell builds one element at a time."""

import datetime

import pytest
from lxml import etree

from xlplan.adapters.package.cellvalues import new_cell, new_cells
from xlplan.adapters.package.safexml import NS
from xlplan.layout.cells import Formula

VALUES = [Formula("", "x"), Formula("=A1", ""), 
    None, 0, -7, 10**20, 1.5, 1e-300, float("nan"), float("inf"), True, False,
    "", " 前後に空白 ", "a & b < c > d \"引用\" 'x'", "改行\r\nCR\rだけ\tタブ", "_x0041_ はコード", "制御\x01\x0b\x1f文字",
    "\ufffe\uffff", "𠮷野家", "x" * 40_000, "🙂" * 20_000, datetime.date(2026, 4, 1),
    Formula("=SUM(A1:A3)", 6), Formula('=IF(A1>0,"<&>","")', "<&>\r"), Formula("=A1", 2.5), Formula("=B2&\"_x0041_\"", "_x0041_"),
]
STYLES = [None, "0", "12", 'a"&<b\n\t']


def _xml(c: etree._Element) -> bytes:
    row = etree.Element(f"{{{NS}}}row")  # compared inside a row, as they are written
    row.append(c)
    return etree.tostring(row)


def test_new_cells_are_the_cells_new_cell_builds() -> None:
    cells = [(f"{col}{row}", style, value) for row, style in enumerate(STYLES, 1)
             for col, value in zip(("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
                                    "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "AA", "AB", "AC", "AD"), VALUES)]
    assert len(cells) == len(VALUES) * len(STYLES)
    by_text = new_cells(cells)
    assert len(by_text) == len(cells)
    for (ref, style, value), c in zip(cells, by_text):
        expected = new_cell(ref, style, value)
        assert _xml(c) == _xml(expected), (ref, style, value)
        assert c.text == expected.text and c.attrib == expected.attrib


def test_text_xml_cannot_hold_is_refused_as_new_cell_refuses_it() -> None:
    for value in ("lone \ud800 surrogate", Formula("=\x01A1", 1)):
        with pytest.raises(ValueError) as by_element:
            new_cell("A1", None, value)
        with pytest.raises(ValueError) as by_text:
            new_cells([("B1", None, 1), ("A1", None, value)])
        assert type(by_text.value) is type(by_element.value)
