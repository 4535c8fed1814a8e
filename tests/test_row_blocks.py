"""Rows rendered and deflated in workers, spliced into a workbook by the parent (the roll-up's long lists)."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import xlsxwriter
from python_calamine import CalamineWorkbook

from xlplan.export.row_blocks import crc_combine, render_rows, splice


def _book_with_header() -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("一覧")
    ws.write_row(0, 0, ["団体名", "値", "メモ"])
    wb.close()
    return buffer.getvalue()


def test_crc_of_a_concatenation_is_combined_from_the_parts():
    a, b = os.urandom(3000), os.urandom(1234)
    assert crc_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_blocks_from_several_workers_read_back_in_order():
    blocks = [render_rows([("青葉台市", 1, "a"), ("青葉台市", 2.5, None)]), render_rows([("桜川町", True, "x < y & z")])]
    data = splice(_book_with_header(), {"xl/worksheets/sheet1.xml": blocks}, {"xl/worksheets/sheet1.xml": 4})
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None       # every CRC and size right
    grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("一覧").to_python()
    assert grid == [["団体名", "値", "メモ"], ["青葉台市", 1.0, "a"], ["青葉台市", 2.5, ""], ["桜川町", True, "x < y & z"]]
    assert b'<dimension ref="A1:C4"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_text_is_kept_as_typed_and_within_excels_limit():
    long = "あ" * 40000
    block = render_rows([("_x0041_ stays", "bell\x07gone", long)])
    data = splice(_book_with_header(), {"xl/worksheets/sheet1.xml": [block]}, {"xl/worksheets/sheet1.xml": 2})
    row = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("一覧").to_python()[1]
    assert row[0] == "_x0041_ stays" and row[1] == "bell\x07gone"  # a control character is escaped (_x0007_), not dropped
    assert len(row[2]) == 32767 and row[2].endswith("…（以下略）")
