"""Sheets added, renamed and removed in a workbook file: everything that names a sheet stays right,
what Excel would refuse is refused, and the result opens in LibreOffice and openpyxl.

Inputs: the golden sample (tests/golden/sample.xlsm; its user sheet メモ, names, chart and
hyperlink point at 健康・医療・介護) and small workbooks written part by part (tinybook).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import badinput as B
import pytest
import tinybook as T
from lxml import etree
from python_calamine import CalamineWorkbook

from xlplan.adapters.package import add_sheet, edit_package, patch_package, remove_sheet, rename_sheet
from xlplan.adapters.package.formulas import drop_sheet, quote_sheet_name
from xlplan.adapters.package.formulas import rename_sheet as rename_in_formula
from xlplan.errors import WorkbookWriteError
from xlplan.layout.ops import AddSheet, InsertRows, RemoveSheet, RenameSheet, SetValues

SAMPLE = (Path(__file__).parent / "golden" / "sample.xlsm").read_bytes()
D = "健康・医療・介護"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"


def root(data: bytes, part: str) -> etree._Element:
    return etree.fromstring(B.read_member(data, part))


def sheets(data: bytes) -> list[str]:
    return [s.get("name") for s in root(data, "xl/workbook.xml").iter(B.q("sheet"))]


def names(data: bytes) -> dict[tuple[str, str | None], str]:
    return {(d.get("name"), d.get("localSheetId")): d.text for d in root(data, "xl/workbook.xml").iter(B.q("definedName"))}


def formulas(data: bytes, part: str) -> list[str]:
    return [f.text for f in root(data, part).iter(B.q("f")) if f.text]


def titles(data: bytes) -> tuple[list[str], list[str]]:
    """docProps/app.xml: the group counts and the titles."""
    app = root(data, "docProps/app.xml")
    return [i.text for i in app.iter(f"{VT}i4")], [t.text for t in app.iter(f"{VT}lpstr") if t.getparent().get("baseType") == "lpstr"]


def opens(data: bytes, suffix: str = ".xlsm") -> None:
    import openpyxl

    openpyxl.load_workbook(io.BytesIO(data), keep_vba=suffix == ".xlsm")
    if shutil.which("soffice"):  # LibreOffice reads the whole package to write the first sheet
        assert T.libreoffice(data, "csv", shutil.which("soffice"), suffix=suffix)


# ------------------------------------------------------------------ formula text

@pytest.mark.parametrize("name, quoted", [("電子行政", "電子行政"), ("Sheet1", "Sheet1"), (D, f"'{D}'"),
                                          ("2027年度", "'2027年度'"), ("A1", "'A1'"), ("R1C1", "'R1C1'"),
                                          ("it's", "'it''s'"), ("予算 案", "'予算 案'")])
def test_sheet_names_are_quoted_as_excel_quotes_them(name, quoted):
    assert quote_sheet_name(name) == quoted


def test_renamed_and_removed_sheets_in_formulas():
    text = f"SUM('{D}'!A1:A3)+'{D}'!$B$2+[1]'{D}'!C3+\"'{D}'!C3\"+Other!A1"
    assert rename_in_formula(text, D, "健康") == "SUM(健康!A1:A3)+健康!$B$2+[1]'健康・医療・介護'!C3+\"'健康・医療・介護'!C3\"+Other!A1"
    assert drop_sheet(text, D) == "SUM(#REF!A1:A3)+#REF!$B$2+[1]'健康・医療・介護'!C3+\"'健康・医療・介護'!C3\"+Other!A1"


# ------------------------------------------------------------------ rename

def test_a_renamed_sheet_is_renamed_everywhere_it_is_named():
    after = edit_package(SAMPLE, lambda p: rename_sheet(p, D, "健康"))
    assert sheets(after)[3] == "健康"
    got = names(after)
    assert got[("施策一覧", None)] == "健康!$C$5:$C$8" and got[("目標合計", None)] == "SUM(健康!$P$5:$P$8)"
    assert got[("_xlnm.Print_Titles", "3")] == "健康!$1:$4" and got[("施策の行", "18")] == "健康!$6:$7"
    assert [f.text for f in root(after, "xl/charts/chart90.xml").iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}f")] \
        == ["健康!$N$4", "健康!$C$5:$C$8", "健康!$N$5:$N$8"]
    assert formulas(after, "xl/worksheets/sheet90.xml") == [  # text in quotes is not a reference: it stays
        "COUNTA(健康!C5:C8)", f"健康!C8&\"（'{D}'!C8 は文字）\"", "SUM(健康!$N:$N)+SUM(健康!6:7)"]
    assert root(after, "xl/worksheets/sheet90.xml").find(f".//{B.q('hyperlink')}").get("location") == "健康!C6"
    counts, listed = titles(after)
    assert "健康" in listed and D not in listed and "健康!Print_Titles" in listed and counts == titles(SAMPLE)[0]
    grid = CalamineWorkbook.from_filelike(io.BytesIO(after)).get_sheet_by_name("健康").to_python()
    assert grid[4][2] == CalamineWorkbook.from_filelike(io.BytesIO(SAMPLE)).get_sheet_by_name(D).to_python()[4][2]
    opens(after)


def test_a_renamed_sheet_keeps_taking_ops_under_its_new_name():
    renamed = edit_package(SAMPLE, lambda p: rename_sheet(p, D, "健康 福祉"))
    after = patch_package(renamed, [InsertRows("健康 福祉", 5, 1)])
    assert names(after)[("施策一覧", None)] == "'健康 福祉'!$C$5:$C$9"


@pytest.mark.parametrize("new, problem", [("", "空の名前"), ("a" * 32, "31文字まで"), ("計画/案", "使えません"),
                                          ("'案", "「'」"), ("history", "History"), ("観光", "同じ名前"),
                                          ("その他", "同じ名前")])
def test_names_excel_refuses_are_refused(new, problem):
    with pytest.raises(WorkbookWriteError, match=problem):
        edit_package(SAMPLE, lambda p: rename_sheet(p, D, new))


def test_renaming_a_missing_sheet_is_refused():
    with pytest.raises(WorkbookWriteError, match="シート「教育」がありません"):
        edit_package(SAMPLE, lambda p: rename_sheet(p, "教育", "子育て"))


# ------------------------------------------------------------------ add

def three_sheets() -> bytes:
    cell = '<sheetData><row r="1"><c r="A1"><f>Second!A1+1</f></c></row></sheetData>'
    names_xml = ('<definedName name="_xlnm.Print_Titles" localSheetId="1">Second!$1:$2</definedName>'
                 '<definedName name="here" localSheetId="2">Third!$A$1</definedName>'
                 '<definedName name="all">Second!$A$1:$B$2</definedName>')
    data = T.book({"First": cell, "Second": T.cells({1: '<c r="A1"><v>41</v></c>'}), "Third": T.cells({})}, names_xml)
    return B.edit_xml(data, "xl/workbook.xml", lambda r: r.find(f".//{B.q('workbookView')}").set("activeTab", "2"))


def test_a_sheet_added_in_between_renumbers_the_names_scoped_to_later_sheets():
    after = edit_package(three_sheets(), lambda p: bool(add_sheet(p, "新しい シート", index=1)))
    assert sheets(after) == ["First", "新しい シート", "Second", "Third"]
    assert names(after) == {("_xlnm.Print_Titles", "2"): "Second!$1:$2", ("here", "3"): "Third!$A$1",
                            ("all", None): "Second!$A$1:$B$2"}
    assert root(after, "xl/workbook.xml").find(f".//{B.q('workbookView')}").get("activeTab") == "3"
    assert titles(after) == (["4"], ["First", "新しい シート", "Second", "Third"])
    assert CalamineWorkbook.from_filelike(io.BytesIO(after)).sheet_names == sheets(after)
    opens(after, ".xlsx")


def test_a_sheet_copied_from_a_domain_sheet_has_its_cells_formats_and_buttons_but_not_its_notes():
    after = edit_package(SAMPLE, lambda p: bool(add_sheet(p, "教育", index=10, like=D)))
    assert sheets(after)[9:12] == ["その他", "教育", "施策カタログ"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(after))
    assert book.get_sheet_by_name("教育").to_python() == book.get_sheet_by_name(D).to_python()
    new = B.sheet_part(after, "教育")
    original, copy = root(after, B.sheet_part(after, D)), root(after, new)
    for tag in ("dataValidation", "conditionalFormatting", "mergeCell", "col"):
        assert len(list(copy.iter(B.q(tag)))) == len(list(original.iter(B.q(tag)))), tag
    assert copy.find(B.q("sheetPr")).get("codeName") is None and copy.find(B.q("drawing")) is None
    rels = B.read_member(after, B.sheet_rels_part(new))
    assert b"vmlDrawing" in rels and b"comments" not in rels and b"drawing\"" not in rels
    vml = B.read_member(after, "xl/" + rels.split(b'Target="../')[1].split(b'"')[0].decode())
    assert vml.count(b'ObjectType="Button"') == 2 and b'ObjectType="Note"' not in vml and b'data="15"' in vml
    got = names(after)
    assert got[("_xlnm.Print_Titles", "10")] == "教育!$1:$4" and got[("_xlnm._FilterDatabase", "10")] == "教育!$A$4:$AB$4"
    assert got[("_xlnm.Print_Titles", "3")] == f"'{D}'!$1:$4" and got[("施策の行", "19")] == f"'{D}'!$6:$7"
    assert formulas(after, new)[-3:] == ["N6*2", "SUM(AD5:AD7)+$N$5", "AD6+N12"]
    opens(after)


def test_an_added_sheet_takes_ops_like_any_other():
    data = edit_package(SAMPLE, lambda p: bool(add_sheet(p, "子育て")))
    after = patch_package(data, [InsertRows("子育て", 0, 1)])
    assert sheets(after)[-1] == "子育て"


def test_structure_ops_apply_in_order_with_the_cell_ops_around_them():
    ops = [SetValues(D, 0, 0, [["前"]]), AddSheet("教育", like=D, after="その他", keep_rows=4),
           SetValues("教育", 0, 0, [["教育"]]), RenameSheet("教育", "子育て"), SetValues("子育て", 4, 0, [["後"]]),
           AddSheet("削除した内容"), RemoveSheet("削除した内容")]
    after = patch_package(SAMPLE, ops)
    assert sheets(after)[9:12] == ["その他", "子育て", "施策カタログ"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(after))
    copy, original = book.get_sheet_by_name("子育て").to_python(), book.get_sheet_by_name(D).to_python()
    assert copy[0][0] == "教育" and original[0][0] == "前"
    def trimmed(rows):
        return [[v for v in row if v not in ("", None)] for row in rows]

    assert trimmed(copy[1:4]) == trimmed(original[1:4])    # the headers kept
    assert copy[4][0] == "後" and not any(v not in ("", None) for row in copy[5:] for v in row)
    assert formulas(after, B.sheet_part(after, "子育て")) == []   # the copy's formulas were below its headers
    opens(after)


# ------------------------------------------------------------------ remove

def test_removing_a_sheet_others_refer_to_is_refused_saying_where():
    with pytest.raises(WorkbookWriteError, match="名前の定義、シート「メモ」") as caught:
        edit_package(SAMPLE, lambda p: remove_sheet(p, D))
    assert caught.value.sheet == D


def test_removing_a_sheet_as_excel_does_turns_references_into_ref_errors():
    after = edit_package(SAMPLE, lambda p: remove_sheet(p, D, references="#REF!"))
    assert D not in sheets(after) and len(sheets(after)) == len(sheets(SAMPLE)) - 1
    got = names(after)
    assert got[("施策一覧", None)] == "#REF!$C$5:$C$8" and got[("施策の行", "17")] == "#REF!$6:$7"
    assert ("_xlnm.Print_Titles", "3") in got and got[("_xlnm.Print_Titles", "3")] == "観光!$1:$4"  # 観光 moved up
    assert formulas(after, "xl/worksheets/sheet90.xml")[0] == "COUNTA(#REF!C5:C8)"
    gone = set(B.members(SAMPLE)) - set(B.members(after))
    assert gone == {"xl/worksheets/sheet4.xml", "xl/worksheets/_rels/sheet4.xml.rels", "xl/comments90.xml",
                    "xl/drawings/vmlDrawing3.vml", "xl/drawings/drawing90.xml", "xl/drawings/_rels/drawing90.xml.rels",
                    "xl/charts/chart90.xml"}
    types = B.read_member(after, "[Content_Types].xml")
    assert b"sheet4.xml" not in types and b"chart90" not in types and b"comments90" not in types
    counts, listed = titles(after)
    assert D not in listed and f"'{D}'!Print_Titles" not in listed
    assert [int(c) for c in counts] == [int(c) - 1 for c in titles(SAMPLE)[0]]
    opens(after)


def test_removing_an_unreferenced_sheet_needs_no_consent():
    after = edit_package(three_sheets(), lambda p: remove_sheet(p, "Third"))
    assert sheets(after) == ["First", "Second"] and ("here", "2") not in names(after)
    assert root(after, "xl/workbook.xml").find(f".//{B.q('workbookView')}").get("activeTab") == "1"
    opens(after, ".xlsx")


def test_removing_the_last_visible_sheet_is_refused():
    data = T.book({"Only": T.cells({})})
    with pytest.raises(WorkbookWriteError, match="表示されているシートが「Only」だけ"):
        edit_package(data, lambda p: remove_sheet(p, "Only"))


def test_removing_a_sheet_whose_table_is_used_elsewhere_is_refused():
    table = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main" id="1" name="予算表" displayName="予算表" ref="A1:A3"><autoFilter ref="A1:A3"/>'
             '<tableColumns count="1"><tableColumn id="1" name="金額"/></tableColumns></table>').encode()
    rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{T.PKG_REL}">'
            f'<Relationship Id="rId1" Type="{T.REL}/table" Target="../tables/table1.xml"/></Relationships>').encode()
    data = T.book({"予算": T.cells({1: '<c r="A1" t="inlineStr"><is><t>金額</t></is></c>'}) + '<tableParts count="1">'
                   '<tablePart r:id="rId1"/></tableParts>',
                   "集計": T.cells({1: '<c r="A1"><f>SUM(予算表[金額])</f></c>'})},
                  extra_parts={"xl/tables/table1.xml": table, "xl/worksheets/_rels/sheet1.xml.rels": rels})
    with pytest.raises(WorkbookWriteError, match="テーブル「予算表」を参照している数式"):
        edit_package(data, lambda p: remove_sheet(p, "予算", references="#REF!"))
