"""The package layer keeps what it writes exactly what xlplan meant (issue 20, items 4, 8, 9, 10).

- duplicate <row> elements (a malformed sheet) are refused with the row number, never collapsed;
- text that looks like an OOXML escape (_x0041_) is written so Excel shows it as typed;
- no cell gets more than Excel's 32,767 UTF-16 units: longer text ends with a visible 「…（以下略）」;
- `-o copy.xlsx` from an .xlsm gets the macro-free content type and no VBA, and the command says so.
"""

from __future__ import annotations

import io
import re
import zipfile

import badinput as B
import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook
from test_bad_input import cli

from xlplan.adapters.package import patch_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.errors import WorkbookWriteError
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def cell_value(data: bytes, sheet: str, row: int, col: int):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()[row][col]


# ------------------------------------------------------------------ 4. duplicate rows

def _duplicate_row(data: bytes, sheet: str) -> tuple[bytes, int]:
    """The sheet's 6th row written twice, the copy with other values (as a broken writer leaves it)."""
    holder = {}

    def edit(root):
        rows = list(root.find(B.q("sheetData")).iterfind(B.q("row")))
        row = next(r for r in rows if int(r.get("r")) >= 6)
        copy = etree.fromstring(etree.tostring(row))
        for c in copy.iterfind(B.q("c")):
            for child in list(c):
                c.remove(child)
        row.addnext(copy)
        holder["n"] = int(row.get("r"))
    return B.edit_sheet(data, sheet, edit), holder["n"]


def test_duplicate_rows_are_refused_with_the_row_number(sample_bytes, tmp_path):
    good = B.Good(sample_bytes, tmp_path / "good.xlsm")
    data, n = _duplicate_row(sample_bytes, good.domain)
    with pytest.raises(WorkbookWriteError, match=f"{n} 行目"):
        patch_package(data, [SetValues(good.domain, 0, 0, [["x"]])])
    path = tmp_path / "計画.xlsm"
    path.write_bytes(data)
    for command in (["validate", path], ["populate", path, "--ids", good.new_catalog_id]):
        code, _, err = cli(*command)
        assert code == 2 and f"{n} 行目" in err and "2回" in err, err
        assert path.read_bytes() == data


# ------------------------------------------------------------------ 8. text that looks like an escape

def excel_shows(data: bytes, part: str, ref: str) -> str:
    """What Excel shows for an inline-string cell: the text with each _xHHHH_, left to right, decoded."""
    cell = next(c for c in etree.fromstring(B.read_member(data, part)).iter(B.q("c")) if c.get("r") == ref)
    text = "".join(t.text or "" for t in cell.iter(B.q("t")))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@pytest.mark.parametrize("text", ["_x0041_", "費目_x000D_コード", "_x005F_", "B_x005F_x0041_", "A_x0041_B_X0042_",
                                  "改行\nと\tタブ", "制御\x01文字"])
def test_text_that_looks_like_an_escape_is_shown_as_typed(text, sample_bytes, tmp_path):
    after = patch_package(sample_bytes, [SetValues(L.FINDINGS, 40, 0, [[text]])])
    assert excel_shows(after, B.sheet_part(after, L.FINDINGS), "A41") == text
    path = tmp_path / "book.xlsm"
    path.write_bytes(after)
    assert read_values(path, [L.FINDINGS])[L.FINDINGS][40][0] == text, "xlplan reads back what it wrote"


# ------------------------------------------------------------------ 9. Excel's cell limit

@pytest.mark.parametrize("text", ["あ" * 40_000, "𠮷" * 16_390, "a" * 32_767, "x" * 32_762 + "𠮷𠮷𠮷"])
def test_no_written_cell_exceeds_excels_limit(text, sample_bytes):
    after = patch_package(sample_bytes, [SetValues(L.FINDINGS, 40, 0, [[text]])])
    written = cell_value(after, L.FINDINGS, 40, 0)
    units = len(written.encode("utf-16-le")) // 2
    assert units <= 32_767
    if len(text.encode("utf-16-le")) // 2 <= 32_767:
        assert written == text
    else:
        assert written.endswith("…（以下略）") and text.startswith(written[:-6])
        assert units >= 32_767 - 7, "cut no shorter than needed"


def test_a_huge_finding_message_is_capped_in_the_findings_sheet(sample_bytes, tmp_path):
    good = B.Good(sample_bytes, tmp_path / "good.xlsm")
    path = tmp_path / "計画.xlsm"
    path.write_bytes(good.with_cells(good.domain, {good.cell("kpi.target_value"): {"value": "𠮷" * 16_400}}))
    code, _, err = cli("validate", path)
    assert code == 1, err
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.FINDINGS).to_python()
    longest = max((v for row in grid for v in row if isinstance(v, str)), key=len)
    assert len(longest.encode("utf-16-le")) // 2 <= 32_767 and longest.endswith("…（以下略）")


# ------------------------------------------------------------------ 10. -o copy.xlsx from an .xlsm

def content_type(data: bytes, part: str) -> str:
    root = etree.fromstring(B.read_member(data, "[Content_Types].xml"))
    return next(o.get("ContentType") for o in root.iter(B.q("Override", B.CT_NS)) if o.get("PartName") == "/" + part)


def test_an_xlsx_copy_of_an_xlsm_has_no_macros_and_says_so(sample_book, tmp_path):
    source = sample_book.read_bytes()
    assert content_type(source, "xl/workbook.xml") == MACRO_MAIN and "xl/vbaProject.bin" in B.members(source)
    copy = tmp_path / "共有用.xlsx"
    code, out, err = cli("schedule", sample_book, "-o", copy)
    assert code == 0, err
    assert "マクロ" in out and ".xlsm" in out
    data = copy.read_bytes()
    assert content_type(data, "xl/workbook.xml") == PLAIN_MAIN
    assert not [n for n in B.members(data) if "vbaProject" in n]
    assert b"vbaProject" not in B.read_member(data, "xl/_rels/workbook.xml.rels")
    assert b"vbaProject" not in B.read_member(data, "[Content_Types].xml")
    openpyxl.load_workbook(io.BytesIO(data))  # a strict reader opens it as an .xlsx
    assert sample_book.read_bytes() == source


def test_an_xlsm_copy_of_an_xlsx_gets_the_macro_enabled_type(sample_plan, catalog, tmp_path):
    from xlplan.builder.workbook import build_workbook

    xlsx = tmp_path / "計画.xlsx"
    xlsx.write_bytes(build_workbook(sample_plan, catalog, interpreter="python", with_macros=False))
    assert content_type(xlsx.read_bytes(), "xl/workbook.xml") == PLAIN_MAIN
    copy = tmp_path / "写し.xlsm"
    code, _, err = cli("validate", xlsx, "-o", copy)
    assert code in (0, 1), err
    assert content_type(copy.read_bytes(), "xl/workbook.xml") == MACRO_MAIN


def test_an_output_that_is_not_a_workbook_name_is_refused(sample_book, tmp_path):
    code, _, err = cli("schedule", sample_book, "-o", tmp_path / "写し.txt")
    assert code == 2 and ".xlsm" in err and ".xlsx" in err, err
    assert not (tmp_path / "写し.txt").exists()


def test_in_place_writes_keep_the_macros(sample_book):
    code, _, err = cli("schedule", sample_book)
    assert code == 0, err
    data = sample_book.read_bytes()
    assert content_type(data, "xl/workbook.xml") == MACRO_MAIN and "xl/vbaProject.bin" in B.members(data)
    with zipfile.ZipFile(sample_book) as z:
        assert z.testzip() is None


# ------------------------------------------------------------------ 5. filled-down formulas and populate

def _filled_down(data: bytes, sheet: str, col: str, first: int, last: int, text_of) -> bytes:
    """Cells col{first}..col{last} filled down as Excel saves them: one shared formula, text on the master only."""
    def edit(root):
        for r in range(first, last + 1):
            cell = B.get_cell(root, f"{col}{r}")
            for child in list(cell):
                cell.remove(child)
            f = etree.SubElement(cell, B.q("f"), t="shared", si="7")
            if r == first:
                f.set("ref", f"{col}{first}:{col}{last}")
                f.text = text_of(first)
            etree.SubElement(cell, B.q("v")).text = "0"
    return B.edit_sheet(data, sheet, edit)


def test_populate_keeps_filled_down_formulas_right_on_the_sheet_and_elsewhere(sample_bytes, tmp_path):
    """A running count beside the measures (same sheet) and a column on the clerk's own sheet that points at
    the measure names (another sheet), both filled down across where populate inserts rows."""
    from test_preservation import add_sheet

    from xlplan.adapters.package import shift_formula
    from xlplan.catalog_data import load_catalog
    from xlplan.layout.a1 import col_letter
    from xlplan.layout.ops import InsertRows
    from xlplan.operations import populate_ops

    good = B.Good(sample_bytes, tmp_path / "good.xlsm")
    sheet, table = good.domain, good.table
    first, last = table.first_row + 1, max(r.last_row for r in good.read.rows[sheet]) + 1
    name_col = col_letter(table.col("measure.name"))
    count_col = col_letter(table.width + 2)
    data = _filled_down(sample_bytes, sheet, count_col, first, last, lambda r: f"{count_col}{r - 1}+1")
    data = add_sheet(data, "集計", {})
    data = _filled_down(data, "集計", "A", 1, last - first + 1, lambda r: f"'{sheet}'!{name_col}{first + r - 1}")
    inserts = [op for op in populate_ops(good.read, load_catalog(), [good.new_catalog_id]).ops if isinstance(op, InsertRows)]
    r0, count = inserts[0].row, inserts[0].count
    assert first - 1 < r0 < last, "the insertion crosses both groups"
    path = tmp_path / "計画.xlsm"
    path.write_bytes(data)
    code, out, err = cli("populate", path, "--ids", good.new_catalog_id)
    assert code == 0 and "1件を追加しました" in out, err
    book = openpyxl.load_workbook(path, keep_vba=True)
    try:
        for r in range(first, last + 1):  # each cell's formula, as Excel itself would have moved it
            moved = r + count if r - 1 >= r0 else r
            expected = shift_formula(f"{count_col}{r - 1}+1", sheet, r0, count, home=sheet)
            assert book[sheet][f"{count_col}{moved}"].value == "=" + expected, (r, moved)
            k = r - first + 1
            expected = shift_formula(f"'{sheet}'!{name_col}{r}", sheet, r0, count, home="集計")
            assert book["集計"][f"A{k}"].value == "=" + expected, k
    finally:
        if book.vba_archive is not None:
            book.vba_archive.close()
