"""Rows and columns inserted and deleted in a workbook file move everything that names their cells,
as Excel moves it: values, formats, ranges, formulas, names, notes, shapes, charts.

The input is the golden sample (tests/golden/sample.xlsm): the sample workbook with notes, a
check box, a text box, a connector and a chart on 健康・医療・介護, a user column (AD) with
formulas and a merge, defined names, and a user sheet メモ whose formulas point at the domain.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import badinput as B
import pytest
import tinybook as T
from lxml import etree
from python_calamine import CalamineWorkbook
from userbooks import WRITERS, source

from xlplan.adapters.package import patch_package
from xlplan.adapters.package.formulas import move_formula, translate
from xlplan.adapters.package.refs import Move, move_areas
from xlplan.errors import WorkbookWriteError
from xlplan.layout.ops import DeleteColumns, DeleteRows, InsertColumns, InsertRows, SetValues

SAMPLE = (Path(__file__).parent / "golden" / "sample.xlsm").read_bytes()
D = "健康・医療・介護"
PART = "xl/worksheets/sheet4.xml"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def grid(data: bytes, sheet: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def root(data: bytes, part: str) -> etree._Element:
    return etree.fromstring(B.read_member(data, part))


def names(data: bytes) -> dict[str, str]:
    return {d.get("name"): d.text for d in root(data, "xl/workbook.xml").iter(B.q("definedName"))
            if not d.get("name").startswith(("_xlnm", "xlplan_"))}


def attrs(data: bytes, tag: str, attr: str, part: str = PART) -> list[str]:
    return [e.get(attr) for e in root(data, part).iter(B.q(tag))]


def formulas(data: bytes, part: str) -> list[str]:
    return [f.text for f in root(data, part).iter(B.q("f")) if f.text]


def chart_refs(data: bytes) -> list[str]:
    return [f.text for f in root(data, "xl/charts/chart90.xml").iter(f"{{{C_NS}}}f")]


def anchors(data: bytes, axis: str) -> list[tuple[int, int]]:
    drawing = root(data, "xl/drawings/drawing90.xml")
    result = []
    for anchor in drawing:
        markers = [anchor.find(f"{{{XDR}}}{m}") for m in ("from", "to")]
        result.append(tuple(int(m.find(f"{{{XDR}}}{axis}").text) if m is not None else -1 for m in markers))
    return result


def vml(data: bytes) -> bytes:
    return B.read_member(data, "xl/drawings/vmlDrawing3.vml")


def note_cells(data: bytes) -> list[str]:
    return [c.get("ref") for c in root(data, "xl/comments90.xml").iter(B.q("comment"))]


# ------------------------------------------------------------------ where indices and references go

@pytest.mark.parametrize("move, expected", [
    (Move.rows("S", 4, 2), [0, 1, 2, 3, 6, 7, 8]),
    (Move.rows("S", 4, -2), [0, 1, 2, 3, None, None, 4]),
    (Move.cols("S", 0, -1), [None, 0, 1, 2, 3, 4, 5]),
])
def test_a_move_says_where_each_row_or_column_goes(move, expected):
    assert [move.index(i) for i in range(7)] == expected


@pytest.mark.parametrize("text, move, expected", [
    ("A1:B10 D4", Move.rows("S", 4, 2), "A1:B12 D4"),              # a range across the insertion grows
    ("A1:B10 D5", Move.rows("S", 4, -3), "A1:B7"),                  # shrinks; a cell in the band goes
    ("C5:C9", Move.rows("S", 4, -5), ""),                           # nothing left
    ("C5:F9 H1", Move.cols("S", 3, 2), "C5:H9 J1"),
    ("V5:Z1005", Move.cols("S", 21, -1), "V5:Y1005"),
    ("$1:$4", Move.rows("S", 0, 1), "$2:$5"),
])
def test_ranges_grow_shrink_or_go(text, move, expected):
    assert move_areas(text, move) == expected


@pytest.mark.parametrize("text, move, home, expected", [
    ("SUM(A1:C1)+B1", Move.cols("S", 1, -1), "S", "SUM(A1:B1)+#REF!"),
    ("SUM(S!$A:$C)+S!2:4", Move.cols("S", 0, 2), None, "SUM(S!$C:$E)+S!2:4"),
    ("SUM(S!$A:$C)+S!2:4", Move.rows("S", 2, -1), None, "SUM(S!$A:$C)+S!2:3"),
    ("'健康・医療・介護'!N5+N5", Move.cols(D, 13, 1), "メモ", "'健康・医療・介護'!O5+N5"),
    ('"S!B2"&S!B2', Move.rows("S", 0, -1), None, '"S!B2"&S!B1'),     # text in quotes is not a reference
    ("[1]S!B2+s!B2", Move.rows("S", 0, 1), None, "[1]S!B2+s!B3"),     # another book's sheet stays; case is ignored
])
def test_formulas_follow_moved_rows_and_columns(text, move, home, expected):
    assert move_formula(text, move, home=home) == expected


def test_a_copied_formula_moves_its_relative_references_only():
    assert translate("B1+$A2+A$3+$C$4+Other!B1+SUM(1:2)", 2, 1) == "C3+$A4+B$3+$C$4+Other!C3+SUM(3:4)"
    assert translate("A1", -1, 0) == "#REF!"


# ------------------------------------------------------------------ columns

def test_inserted_columns_move_everything_anchored_to_cells():
    after = patch_package(SAMPLE, [InsertColumns(D, 2, 1)])
    before_grid, after_grid = grid(SAMPLE, D), grid(after, D)
    assert [row[:2] + row[3:] for row in after_grid] == [row[:len(row)] for row in before_grid]
    assert all(row[2] == "" for row in after_grid)
    assert names(after) == {"施策一覧": f"'{D}'!$D$5:$D$8", "目標合計": f"SUM('{D}'!$Q$5:$Q$8)",
                            "メモ範囲": "メモ!$A$1:$B$4", "施策の行": f"'{D}'!$6:$7"}
    assert chart_refs(after) == [f"'{D}'!$O$4", f"'{D}'!$D$5:$D$8", f"'{D}'!$O$5:$O$8"]
    assert formulas(after, "xl/worksheets/sheet90.xml") == [
        f"COUNTA('{D}'!D5:D8)", f"'{D}'!D8&\"（'{D}'!C8 は文字）\"", f"SUM('{D}'!$O:$O)+SUM('{D}'!6:7)"]
    assert formulas(after, PART)[-3:] == ["O6*2", "SUM(AE5:AE7)+$O$5", "AE6+O12"]
    assert note_cells(after) == ["H2", "D6", "E7", "D12"]
    assert re.findall(rb"<x:Column>(\d+)</x:Column>", vml(after)) == [b"7", b"3", b"4", b"3"]
    assert b"<x:FmlaLink>$AE$7</x:FmlaLink>" in vml(after)
    assert anchors(after, "col") == [(f + 1, t + 1 if t >= 0 else -1) for f, t in anchors(SAMPLE, "col")]
    assert attrs(after, "mergeCell", "ref") == ["A3:I3", "J3:V3", "W3:AA3", "AE12:AG14"]
    assert attrs(after, "hyperlink", "ref") == ["AE5", "AE8"]
    widths = {c.get("min"): c.get("width") for c in root(after, PART).iter(B.q("col"))}
    assert "3" not in widths and widths["4"] == "32.7109375"  # C's width went with C; the new column has none


def test_a_year_column_added_like_its_neighbour_gets_its_formats():
    """A column added after 令和13年度 (Z) formatted like Z: width, cell formats, the phase dropdown
    and the conditional formats that colour phases; the caption merge stays as it was."""
    after = patch_package(SAMPLE, [InsertColumns(D, 26, 1, like=25)])
    sheet = root(after, PART)
    def col(index):  # the <col> covering a 1-based column
        return next(c.attrib for c in sheet.iter(B.q("col")) if int(c.get("min")) <= index <= int(c.get("max")))

    assert (col(27)["width"], col(27)["style"]) == (col(26)["width"], col(26)["style"])
    styles = {c.get("r"): c.get("s") for c in sheet.iter(B.q("c"))}
    assert [styles.get(f"AA{r}") for r in range(3, 9)] == [styles.get(f"Z{r}") for r in range(3, 9)]
    assert styles["AA5"] is not None
    validations = {v.get("sqref") for v in sheet.iter(B.q("dataValidation"))}
    assert "Z5:AA1005" in validations and "V5:V1005" in validations
    assert "V5:AA1005" in attrs(after, "conditionalFormatting", "sqref")
    assert attrs(after, "mergeCell", "ref")[2] == "V3:Z3"
    assert grid(after, D)[4][27] == grid(SAMPLE, D)[4][26]  # AB (was AA) kept its value


def test_a_deleted_year_column_takes_its_values_and_formats_with_it():
    after = patch_package(SAMPLE, [DeleteColumns(D, 21, 1)])
    assert [row[:21] + row[22:] for row in grid(SAMPLE, D)] == [row for row in grid(after, D)]
    sheet = root(after, PART)
    validations = sheet.find(B.q("dataValidations"))
    assert int(validations.get("count")) == len(validations) == len(root(SAMPLE, PART).find(B.q("dataValidations"))) - 1
    assert attrs(after, "mergeCell", "ref")[2] == "V3:Y3"
    year_formats = [cf for cf in sheet.iter(B.q("conditionalFormatting")) if cf.get("sqref") == "V5:Y1005"]
    assert len(year_formats) == 1
    # its formulas were anchored on V5, which was deleted: re-anchored on the new top-left cell, V5 again
    assert "ADDRESS(ROW(V5),COLUMN(V5),4)" in year_formats[0].find(f"{B.q('cfRule')}/{B.q('formula')}").text
    assert formulas(after, PART)[-3:] == ["N6*2", "SUM(AC5:AC7)+$N$5", "AC6+N12"]


def test_a_deleted_column_takes_its_notes_and_named_cells_become_ref_errors():
    after = patch_package(SAMPLE, [DeleteColumns(D, 2, 1)])
    assert note_cells(after) == ["F2", "C7"]  # C6 and C12 went with column C
    assert re.findall(rb"<x:Column>(\d+)</x:Column>", vml(after)) == [b"5", b"2"]
    assert names(after)["施策一覧"] == f"'{D}'!#REF!"
    assert chart_refs(after)[1] == f"'{D}'!#REF!"
    assert formulas(after, "xl/worksheets/sheet90.xml")[0] == f"COUNTA('{D}'!#REF!)"
    assert anchors(after, "col")[0] == (2, 4)  # the text box lost its first column, from C to F: now C to E


# ------------------------------------------------------------------ rows

def test_deleted_rows_take_their_notes_and_shrink_ranges():
    after = patch_package(SAMPLE, [DeleteRows(D, 5, 2)])
    assert grid(after, D)[:5] == grid(SAMPLE, D)[:5] and grid(after, D)[5:] == grid(SAMPLE, D)[7:]
    assert note_cells(after) == ["G2", "C10"]
    assert re.findall(rb"<x:Row>(\d+)</x:Row>", vml(after)) == [b"1", b"9"]
    assert names(after) == {"施策一覧": f"'{D}'!$C$5:$C$6", "目標合計": f"SUM('{D}'!$P$5:$P$6)",
                            "メモ範囲": "メモ!$A$1:$B$4", "施策の行": f"'{D}'!#REF!"}
    assert chart_refs(after) == [f"'{D}'!$N$4", f"'{D}'!$C$5:$C$6", f"'{D}'!$N$5:$N$6"]
    assert formulas(after, PART)[-2:] == ["SUM(AD5:AD5)+$N$5", "#REF!+N10"]
    assert b"<x:FmlaLink>#REF!</x:FmlaLink>" in vml(after)  # the check box was linked to a deleted cell
    assert attrs(after, "mergeCell", "ref")[-1] == "AD10:AF12"


def test_rows_deleted_from_the_top_of_a_formatted_range_reanchor_its_formulas():
    body = ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
            '<conditionalFormatting sqref="B3:B10"><cfRule type="expression" dxfId="0" priority="1">'
            '<formula>B3&gt;A3</formula></cfRule></conditionalFormatting>'
            '<dataValidations count="1"><dataValidation type="custom" sqref="C3:C10"><formula1>C3&lt;&gt;""</formula1>'
            '</dataValidation></dataValidations>')
    after = patch_package(T.book({"S": body}), [DeleteRows("S", 2, 2)])
    sheet = root(after, "xl/worksheets/sheet1.xml")
    assert sheet.find(B.q("conditionalFormatting")).get("sqref") == "B3:B8"
    assert sheet.find(f".//{B.q('formula')}").text == "B3>A3"  # still "this cell against the one to its left"
    assert sheet.find(f".//{B.q('formula1')}").text == 'C3<>""'


# ------------------------------------------------------------------ filled-down (shared) formulas

def running_total(rows: int = 8) -> dict[int, str]:
    """A1:A8 amounts, B a running total filled down from B2, saved as Excel saves it (one shared formula)."""
    cells = {1: '<c r="A1"><v>10</v></c><c r="B1"><f>A1</f></c>'}
    for r in range(2, rows + 1):
        f = f'<f t="shared" ref="B2:B{rows}" si="0">B1+A2</f>' if r == 2 else '<f t="shared" si="0"/>'
        cells[r] = f'<c r="A{r}"><v>{r}</v></c><c r="B{r}">{f}</c>'
    return cells


@needs_soffice
def test_filled_down_formulas_stay_right_when_rows_are_inserted_or_deleted():
    data = T.book({"S": T.cells(running_total())})
    inserted = patch_package(data, [InsertRows("S", 4, 2)])
    deleted = patch_package(data, [DeleteRows("S", 1, 1)])  # the master itself
    assert T.libreoffice_values(inserted, shutil.which("soffice")) == [
        ["10", "10"], ["2", "12"], ["3", "15"], ["4", "19"], ["", ""], ["", ""],
        ["5", "24"], ["6", "30"], ["7", "37"], ["8", "45"]]
    assert T.libreoffice_values(deleted, shutil.which("soffice"))[:3] == [["10", "10"], ["3", "#REF!"], ["4", "#REF!"]]


def test_filled_down_formulas_the_move_keeps_right_stay_shared():
    data = T.book({"S": T.cells(running_total())})
    below = patch_package(data, [InsertRows("S", 20, 2)])  # under the group: nothing of it moves
    assert b't="shared"' in B.read_member(below, "xl/worksheets/sheet1.xml")
    across = B.read_member(patch_package(data, [InsertRows("S", 4, 1)]), "xl/worksheets/sheet1.xml")
    assert b't="shared"' not in across and b"<f>B4+A6</f>" in across


def test_filled_down_formulas_on_another_sheet_follow_the_rows_they_point_at():
    other = {r: f'<c r="A{r}">' + ('<f t="shared" ref="A1:A6" si="0">S!B1*2</f>' if r == 1 else
                                   '<f t="shared" si="0"/>') + "</c>" for r in range(1, 7)}
    data = T.book({"S": T.cells(running_total()), "Other": T.cells(other)})
    after = patch_package(data, [InsertRows("S", 3, 2)])
    assert formulas(after, "xl/worksheets/sheet2.xml") == ["S!B1*2", "S!B2*2", "S!B3*2", "S!B6*2", "S!B7*2", "S!B8*2"]


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("op, message", [
    (DeleteRows(D, 10, 4), "図形・画像・グラフ「TextBox 1」"),   # the text box lies in rows 11–13
    (DeleteColumns(D, 5, 1), "ボタン"),                          # the buttons sit in column F
])
def test_deleting_the_cells_under_a_shape_is_refused(op, message):
    with pytest.raises(WorkbookWriteError, match=message) as caught:
        patch_package(SAMPLE, [op])
    assert D in str(caught.value)


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("op", [DeleteRows("Sheet1", 5, 1), DeleteColumns("Sheet1", 3, 1), InsertColumns("Sheet1", 4, 1)])
def test_cutting_into_a_table_is_refused_also_in_a_copy(op, writer):
    with pytest.raises(WorkbookWriteError, match="テーブル（ListObject）「Table1」"):
        patch_package(source("table01.xlsx", writer), [op], in_place=False)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_table_beside_moved_columns_moves_whole(writer):
    after = patch_package(source("table01.xlsx", writer), [InsertColumns("Sheet1", 1, 2), DeleteRows("Sheet1", 0, 1)])
    table = root(after, "xl/tables/table1.xml")
    assert table.get("ref") == "E2:H12" and table.find(B.q("autoFilter")).get("ref") == "E2:H12"


@pytest.mark.parametrize("writer", WRITERS)
def test_deleting_part_of_an_array_formula_is_refused(writer):
    with pytest.raises(WorkbookWriteError, match="配列数式（A1:A3）"):
        patch_package(source("array_formula01.xlsx", writer), [DeleteRows("Sheet1", 1, 1)])


def test_a_filter_keeps_filtering_the_same_column():
    body = ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><autoFilter ref="B1:E20">'
            '<filterColumn colId="2"><filters><filter val="x"/></filters></filterColumn>'
            '<filterColumn colId="0"><filters><filter val="y"/></filters></filterColumn></autoFilter>')
    after = patch_package(T.book({"S": body}), [DeleteColumns("S", 2, 1)])  # C, inside the filter
    auto = root(after, "xl/worksheets/sheet1.xml").find(B.q("autoFilter"))
    assert auto.get("ref") == "B1:D20"
    assert [c.get("colId") for c in auto] == ["1", "0"]


# ------------------------------------------------------------------ the results open

@needs_soffice
def test_moved_workbooks_open_in_libreoffice_and_openpyxl():
    import openpyxl

    ops = [InsertColumns(D, 26, 1, like=25), DeleteColumns(D, 21, 1), DeleteRows(D, 5, 1), InsertRows(D, 2, 1),
           SetValues(D, 2, 0, [["挿入した行"]]), DeleteColumns("メモ", 0, 1), InsertColumns("電子行政", 3, 2, like=2)]
    after = patch_package(SAMPLE, ops)
    openpyxl.load_workbook(io.BytesIO(after), keep_vba=True)
    text = T.libreoffice(after, "pdf", shutil.which("soffice"), suffix=".xlsm")
    assert text.startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(after)) as z:
        assert z.testzip() is None


def test_frozen_rows_and_columns_count_what_was_inserted_or_deleted_among_them():
    def pane(data):
        p = root(data, PART).find(f".//{B.q('pane')}")
        return p.get("xSplit"), p.get("ySplit"), p.get("topLeftCell")

    assert pane(SAMPLE) == ("3", "4", "D5")  # 区分・番号・施策名 and the headers stay in view
    assert pane(patch_package(SAMPLE, [InsertRows(D, 0, 2)])) == ("3", "6", "D7")
    assert pane(patch_package(SAMPLE, [InsertRows(D, 4, 2)]))[:2] == ("3", "4")  # below the frozen rows
    assert pane(patch_package(SAMPLE, [InsertColumns(D, 1, 1), DeleteRows(D, 0, 1)])) == ("4", "3", "E4")


def test_a_check_box_keeps_its_linked_cell_in_its_control_properties():
    """Excel 2010+ keeps a form control's link twice: in the VML and in xl/ctrlProps (issue 20, item 7)."""
    def control(link):
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<formControlPr xmlns="http://schemas.microsoft.'
                f'com/office/spreadsheetml/2009/9/main" objectType="CheckBox" fmlaLink="{link}" noThreeD="1"/>').encode()

    def rels(target):
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{T.PKG_REL}"><Relationship '
                f'Id="rId1" Type="{T.REL}/ctrlProp" Target="../ctrlProps/{target}"/></Relationships>').encode()

    data = T.book({"S": T.cells({3: '<c r="B3" t="b"><v>1</v></c>'}), "Other": T.cells({})}, extra_parts={
        "xl/ctrlProps/ctrlProp1.xml": control("$B$3"), "xl/worksheets/_rels/sheet1.xml.rels": rels("ctrlProp1.xml"),
        "xl/ctrlProps/ctrlProp2.xml": control("S!$B$3"), "xl/worksheets/_rels/sheet2.xml.rels": rels("ctrlProp2.xml")})
    after = patch_package(data, [InsertRows("S", 0, 2), InsertColumns("S", 0, 1)])
    assert root(after, "xl/ctrlProps/ctrlProp1.xml").get("fmlaLink") == "$C$5"
    assert root(after, "xl/ctrlProps/ctrlProp2.xml").get("fmlaLink") == "S!$C$5"


def test_values_written_after_a_column_insert_take_the_new_columns_formats():
    after = patch_package(SAMPLE, [InsertColumns(D, 26, 1, like=25), SetValues(D, 50, 26, [["新しい年度"]])])
    sheet = root(after, PART)
    cell = next(c for c in sheet.iter(B.q("c")) if c.get("r") == "AA51")
    column = next(c for c in sheet.iter(B.q("col")) if int(c.get("min")) <= 27 <= int(c.get("max")))
    assert cell.get("s") == column.get("style") == next(
        c for c in root(SAMPLE, PART).iter(B.q("col")) if int(c.get("min")) <= 26 <= int(c.get("max"))).get("style")


def test_a_first_year_column_added_like_the_old_first_one_joins_its_ranges():
    """令和8年度 added before 令和9年度 (V), formatted like it: the year block's formats now start at V."""
    after = patch_package(SAMPLE, [InsertColumns(D, 21, 1, like=21)])
    years = next(cf for cf in root(after, PART).iter(B.q("conditionalFormatting")) if cf.get("sqref") == "V5:AA1005")
    assert "ADDRESS(ROW(V5),COLUMN(V5),4)" in years.find(f"{B.q('cfRule')}/{B.q('formula')}").text  # anchored on V5
    assert "V5:W1005" in attrs(after, "dataValidation", "sqref")  # the old first year's dropdown, on both


def test_a_hyperlink_on_a_deleted_cell_goes_with_its_relationship():
    after = patch_package(SAMPLE, [DeleteRows(D, 4, 1)])
    assert attrs(after, "hyperlink", "ref") == ["AD7"]
    assert b"rId82" not in B.read_member(after, "xl/worksheets/_rels/sheet4.xml.rels")
