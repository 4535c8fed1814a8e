"""Small workbooks with one kind of user content each, written by XlsxWriter at test time.

They stand in for the Excel-written fixtures in ../shared/fixtures/excel-authored (same name,
same feature, same place on the sheet), so the no-loss tests also run on a plain clone. The
Excel-written files stay the stronger proof and run wherever ../shared is present (always in CI).

source(name, writer) gives either: writer "xlsxwriter" builds it here, writer "excel" reads the
fixture (skipping, or failing under XLPLAN_REQUIRE_SHARED=1, when ../shared is absent).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from functools import cache

import xlsxwriter

from shared_material import excel_fixture
from xlplan.builder.vba_project import VbaModule, build_vba_project

WRITERS = ("xlsxwriter", "excel")


def png(width: int = 32, height: int = 32, rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A plain one-colour PNG, made without an image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _book(build: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    build(wb)
    wb.close()
    return out.getvalue()


def _comment(wb):
    wb.add_worksheet().write_comment("B2", "Some text")


def _image(wb):
    wb.add_worksheet().insert_image("E9", "red.png", {"image_data": io.BytesIO(png())})


def _chart(wb):
    ws = wb.add_worksheet()
    chart = wb.add_chart({"type": "bar"})
    for col, values in enumerate(([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], [3, 6, 9, 12, 15])):
        ws.write_column(0, col, values)
    for col in ("B", "C"):
        chart.add_series({"categories": "=Sheet1!$A$1:$A$5", "values": f"=Sheet1!${col}$1:${col}$5"})
    ws.insert_chart("E9", chart)


def _textbox(wb):
    wb.add_worksheet().insert_textbox("E9", "This is some text")


def _button_with_macro(wb):
    wb.set_vba_name("ThisWorkbook")
    ws = wb.add_worksheet()
    ws.set_vba_name("Sheet1")
    hello = 'Sub say_hello()\n    MsgBox "Hello"\nEnd Sub\n'
    project = build_vba_project([VbaModule("ThisWorkbook", "", "document"), VbaModule("Sheet1", "", "document"),
                                 VbaModule("Module1", hello, "standard")])
    wb.add_vba_project(io.BytesIO(project), is_stream=True)
    ws.insert_button("C2", {"macro": "say_hello", "caption": "Hello"})


def _defined_names(wb):
    ws1, _, _ = wb.add_worksheet(), wb.add_worksheet(), wb.add_worksheet("Sheet 3")
    ws1.print_area("A1:E6")
    ws1.autofilter("F1:G1")
    ws1.write("F1", "Auto")
    ws1.write("G1", "Filter")
    for name, ref in (("'Sheet 3'!Bar", "='Sheet 3'!$A$1"), ("Abc", "=Sheet1!$A$1"), ("Baz", "=0.98"),
                      ("Sheet1!Bar", "=Sheet1!$A$1"), ("Sheet2!Bar", "=Sheet2!$A$1"), ("_Egg", "=Sheet1!$A$1")):
        wb.define_name(name, ref)


def _array_formula(wb):
    ws = wb.add_worksheet()
    ws.write_array_formula("A1:A3", "{=SUM(B1:C1*B2:C2)}", None, 0)
    for row in range(3):
        ws.write_row(row, 1, [0, 0])


def _outline(wb):
    ws = wb.add_worksheet("Outlined Rows")
    ws.set_column("A:A", 20)
    ws.write_row(0, 0, ["Region", "Sales"])
    rows = [("North", 1000), ("North", 1200), ("North", 900), ("North", 1200), ("North Total", "=SUBTOTAL(9,B2:B5)"),
            ("South", 400), ("South", 600), ("South", 500), ("South", 600), ("South Total", "=SUBTOTAL(9,B7:B10)"),
            ("Grand Total", "=SUBTOTAL(9,B2:B10)")]
    for i, (label, value) in enumerate(rows, start=1):
        level = 0 if label == "Grand Total" else 1 if label.endswith("Total") else 2
        ws.set_row(i, None, None, {"level": level})
        ws.write(i, 0, label)
        ws.write(i, 1, value)


def _validation(wb):
    wb.add_worksheet().data_validation("C2", {"validate": "list", "source": ["Foo", "Bar", "Baz"]})


def _cond_format(wb):
    ws = wb.add_worksheet()
    ws.write_column("A1", [10, 20, 30, 40])
    ws.conditional_format("A1", {"type": "cell", "criteria": ">", "value": 5, "format": wb.add_format({"bold": True})})


def _merge(wb):
    wb.add_worksheet().merge_range("B2:D2", "Foo", wb.add_format({"align": "center"}))


def _hyperlink(wb):
    ws = wb.add_worksheet()
    ws.write_url("A1", "http://www.perl.org/")
    ws.write_url("A3", "internal:Sheet1!B5", string="B5")


def _table(wb):
    ws = wb.add_worksheet()
    ws.set_column("C:F", 10.288)
    ws.add_table("C3:F13")


def _protected(wb):
    ws = wb.add_worksheet()
    ws.write("A1", 1)
    ws.write("A2", 2, wb.add_format({"locked": False}))
    ws.write("A3", 3, wb.add_format({"hidden": True}))


def _autofilter(wb):
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Region", "Item", "Volume", "Month"])
    for i in range(50):
        ws.write_row(i + 1, 0, [("East", "West", "North", "South")[i % 4], "Apple", 1000 + i, "January"])
    ws.autofilter("A1:D51")


BUILDERS: dict[str, Callable[[xlsxwriter.Workbook], None]] = {
    "comment01.xlsx": _comment,
    "image01.xlsx": _image,
    "chart_bar01.xlsx": _chart,
    "textbox01.xlsx": _textbox,
    "button07.xlsm": _button_with_macro,
    "defined_name01.xlsx": _defined_names,
    "array_formula01.xlsx": _array_formula,
    "outline01.xlsx": _outline,
    "data_validation01.xlsx": _validation,
    "cond_format01.xlsx": _cond_format,
    "merge_range01.xlsx": _merge,
    "hyperlink01.xlsx": _hyperlink,
    "table01.xlsx": _table,
    "protect01.xlsx": _protected,
    "autofilter01.xlsx": _autofilter,
}


@cache
def built(name: str) -> bytes:
    return _book(BUILDERS[name])


def source(name: str, writer: str) -> bytes:
    """The workbook `name` as written by Excel (from ../shared) or by XlsxWriter (made here)."""
    return excel_fixture(name) if writer == "excel" else built(name)
