"""Headless write-back loses nothing: the file adapter changes only what an operation owns.

The sample workbook gets user content the way Excel stores it, transplanted from
small workbooks that each hold one kind of content: a note (comments part + VML
next to the buttons), a picture, a chart and a text box (one DrawingML part), an
extra sheet, and cell formats of the user's choosing. Then populate (rows inserted
above that content), validate and schedule run, and every package part is
compared, decompressed, with the original.

The small workbooks come from two writers (tests/userbooks.py): XlsxWriter, made
at test time so that a plain clone runs every test, and Excel itself, read from
../shared/fixtures/excel-authored (never copied into the repo; those cases skip
with the reason when it is absent, and fail under XLPLAN_REQUIRE_SHARED=1).

Also here: the fixtures themselves under a row insert, atomic writes (a killed
writer, read-only and open-in-Excel targets, --backup, new folders), and
idempotency.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import badinput as B
import pytest
from shared_material import fixture_names
from userbooks import BUILDERS, WRITERS, source
from lxml import etree
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from xlplan.adapters.package import Package, apply_ops, patch_package, sheet_part_map, shift_formula, shift_refs
from xlplan.adapters.package.parts import related_parts
from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.errors import WorkbookWriteError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.ops import InsertRows, SetValues
from xlplan.layout.read import read_plan
from xlplan.operations import clear_marks_ops, populate_ops, schedule_ops, validate_ops

TODAY = dt.date(2027, 6, 1)
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
runner = CliRunner()


def cli(*args) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def changed_parts(before: bytes, after: bytes) -> tuple[set[str], set[str], set[str]]:
    """(changed, removed, added) part names, comparing decompressed contents part by part."""
    a, b = B.members(before), B.members(after)
    return {n for n in a.keys() & b.keys() if a[n] != b[n]}, a.keys() - b.keys(), b.keys() - a.keys()


def related(data: bytes, part: str) -> dict[str, list[str]]:
    with Package(data) as package:
        return dict(related_parts(package, part))


def grid(data: bytes, sheet: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def vml_rows(vml: bytes) -> list[tuple[int, int]]:
    """(anchor top row, note row or -1) per VML shape, in order."""
    result = []
    for shape in re.findall(rb"<v:shape .*?</v:shape>", vml, re.DOTALL):
        anchor = [int(n) for n in re.search(rb"<x:Anchor>\s*([\d,\s]+?)\s*</x:Anchor>", shape).group(1).split(b",")]
        row = re.search(rb"<x:Row>(\d+)</x:Row>", shape)
        result.append((anchor[2], int(row.group(1)) if row else -1))
    return result


def drawing_rows(xml: bytes) -> list[tuple[int, int]]:
    root = etree.fromstring(xml)
    return [(int(a.find(f"{{{XDR}}}from/{{{XDR}}}row").text), int(a.find(f"{{{XDR}}}to/{{{XDR}}}row").text))
            for a in root.iter(f"{{{XDR}}}twoCellAnchor")]


def chart_refs(xml: bytes) -> list[str]:
    return [f.text for f in etree.fromstring(xml).iter(f"{{{C_NS}}}f")]


# ------------------------------------------------------------------ user content, as Excel writes it

def _content_types(data: bytes, overrides: dict[str, str], defaults: dict[str, str]) -> bytes:
    root = etree.fromstring(B.read_member(data, "[Content_Types].xml"))
    have = {d.get("Extension") for d in root.iter(B.q("Default", B.CT_NS))}
    for ext, kind in defaults.items():
        if ext not in have:
            root.insert(0, etree.Element(B.q("Default", B.CT_NS), Extension=ext, ContentType=kind))
    for name, kind in overrides.items():
        etree.SubElement(root, B.q("Override", B.CT_NS), PartName="/" + name, ContentType=kind)
    return B.xml_bytes(root)


def _add_rels(data: bytes, rels_part: str, rels: list[tuple[str, str, str]]) -> bytes:
    root = etree.fromstring(B.read_member(data, rels_part))
    for rid, kind, target in rels:
        etree.SubElement(root, B.q("Relationship", B.PKG_REL_NS), Id=rid, Type=kind, Target=target)
    return B.xml_bytes(root)


def add_note(data: bytes, sheet: str, refs: list[str], writer: str) -> bytes:
    """Notes on cells, from comment01.xlsx: its comments part, and its note shape added to the sheet's
    existing VML (next to xlplan's buttons), where Excel puts notes of a sheet that has buttons."""
    src = source("comment01.xlsx", writer)
    part = B.sheet_part(data, sheet)
    vml_part = related(data, part)["vmlDrawing"][0]
    comments = etree.fromstring(B.read_member(src, "xl/comments1.xml"))
    template = comments.find(f".//{B.q('comment')}")
    for i, ref in enumerate(refs):
        c = template if i == 0 else etree.fromstring(etree.tostring(template))
        c.set("ref", ref)
        c.find(f".//{B.q('t')}").text = f"確認してください（{ref}）"
        if i:
            template.getparent().append(c)
    src_vml = B.read_member(src, "xl/drawings/vmlDrawing1.vml").decode()
    shapetype = re.search(r"<v:shapetype .*?</v:shapetype>", src_vml, re.DOTALL).group(0)
    shape = re.search(r"<v:shape .*?</v:shape>", src_vml, re.DOTALL).group(0)
    vml = B.read_member(data, vml_part).decode()
    block = int(re.search(r'idmap v:ext="edit" data="(\d+)"', vml).group(1))
    shapes = []
    for i, ref in enumerate(refs):
        row, col = parse_cell(ref)
        s = shape.replace("_x0000_s1025", f"_x0000_s{block * 1024 + 100 + i}")
        s = re.sub(r"<x:Anchor>[^<]*</x:Anchor>", f"<x:Anchor>\n    {col + 1}, 15, {row}, 10, {col + 3}, 15, {row + 4}, 4</x:Anchor>", s)
        s = re.sub(r"<x:Row>\d+</x:Row>", f"<x:Row>{row}</x:Row>", s)
        s = re.sub(r"<x:Column>\d+</x:Column>", f"<x:Column>{col}</x:Column>", s)
        shapes.append(s)
    vml = vml.replace("</xml>", shapetype + "".join(shapes) + "</xml>")
    rels_part = B.sheet_rels_part(part)
    return B.rezip(data, {
        vml_part: vml.encode(),
        rels_part: _add_rels(data, rels_part, [("rId80", f"{B.REL_NS}/comments", "../comments90.xml")]),
        "[Content_Types].xml": _content_types(data, {
            "xl/comments90.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"}, {}),
    }, add={"xl/comments90.xml": B.xml_bytes(comments)})


def add_drawing(data: bytes, sheet: str, row: int, chart_rows: tuple[int, int], writer: str) -> bytes:
    """A picture (image01), a chart (chart_bar01) over the sheet's rows, and a text box (textbox01),
    in one DrawingML part as Excel keeps them, anchored from 0-based row `row` down."""
    part = B.sheet_part(data, sheet)
    anchors = []
    for name, shift in (("image01.xlsx", row), ("chart_bar01.xlsx", row + 3), ("textbox01.xlsx", row + 20)):
        root = etree.fromstring(B.read_member(source(name, writer), "xl/drawings/drawing1.xml"))
        anchor = root.find(f"{{{XDR}}}twoCellAnchor")
        for r in anchor.iter(f"{{{XDR}}}row"):
            r.text = str(int(r.text) - 8 + shift)  # the fixtures anchor at row 8
        for embed in anchor.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"):
            embed.set(f"{{{B.REL_NS}}}embed", "rId1")
        for chart in anchor.iter(f"{{{C_NS}}}chart"):
            chart.set(f"{{{B.REL_NS}}}id", "rId2")
        anchors.append(anchor)
    drawing = etree.fromstring(B.read_member(source("image01.xlsx", writer), "xl/drawings/drawing1.xml"))
    for a in list(drawing):
        drawing.remove(a)
    for i, a in enumerate(anchors):
        a.find(f".//{{{XDR}}}cNvPr").set("id", str(i + 2))
        drawing.append(a)
    chart = B.read_member(source("chart_bar01.xlsx", writer), "xl/charts/chart1.xml").decode()
    first, last = chart_rows
    for column, new in (("A", "C"), ("B", "P"), ("C", "N")):
        chart = chart.replace(f"Sheet1!${column}$1:${column}$5", f"{sheet}!${new}${first + 1}:${new}${last + 1}")
    drawing_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{B.PKG_REL_NS}">'
                    f'<Relationship Id="rId1" Type="{B.REL_NS}/image" Target="../media/image90.png"/>'
                    f'<Relationship Id="rId2" Type="{B.REL_NS}/chart" Target="../charts/chart90.xml"/></Relationships>')
    root = etree.fromstring(B.read_member(data, part))
    legacy = root.find(B.q("legacyDrawing"))
    element = etree.Element(B.q("drawing"))
    element.set(f"{{{B.REL_NS}}}id", "rId81")
    legacy.addprevious(element)
    rels_part = B.sheet_rels_part(part)
    return B.rezip(data, {
        part: B.xml_bytes(root),
        rels_part: _add_rels(data, rels_part, [("rId81", f"{B.REL_NS}/drawing", "../drawings/drawing90.xml")]),
        "[Content_Types].xml": _content_types(data, {
            "xl/drawings/drawing90.xml": "application/vnd.openxmlformats-officedocument.drawing+xml",
            "xl/charts/chart90.xml": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"},
            {"png": "image/png"}),
    }, add={"xl/drawings/drawing90.xml": B.xml_bytes(drawing),
            "xl/drawings/_rels/drawing90.xml.rels": drawing_rels.encode(),
            "xl/charts/chart90.xml": chart.encode(),
            "xl/media/image90.png": B.read_member(source("image01.xlsx", writer), "xl/media/image1.png")})


def add_sheet(data: bytes, name: str, cells: dict[str, dict], number: int = 90) -> bytes:
    """A sheet of the user's own (with its part, relationship and content type)."""
    part = f"xl/worksheets/sheet{number}.xml"
    sheet = etree.fromstring(f'<worksheet xmlns="{B.NS}" xmlns:r="{B.REL_NS}"><dimension ref="A1"/>'
                             '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                             '<sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                             'footer="0.3"/></worksheet>')
    for ref, kwargs in cells.items():
        B.set_cell(sheet, ref, **kwargs)
    workbook = etree.fromstring(B.read_member(data, "xl/workbook.xml"))
    element = etree.SubElement(workbook.find(B.q("sheets")), B.q("sheet"), name=name, sheetId=str(number))
    element.set(f"{{{B.REL_NS}}}id", f"rId{number}")
    return B.rezip(data, {
        "xl/workbook.xml": B.xml_bytes(workbook),
        "xl/_rels/workbook.xml.rels": _add_rels(data, "xl/_rels/workbook.xml.rels",
                                                [(f"rId{number}", f"{B.REL_NS}/worksheet", f"worksheets/sheet{number}.xml")]),
        "[Content_Types].xml": _content_types(data, {
            part: "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"}, {}),
    }, add={part: B.xml_bytes(sheet)})


def restyle(data: bytes, sheet: str, cells: dict[str, int]) -> bytes:
    """The user's own cell formats: existing cells set to another existing cell format (xf)."""
    def edit(root):
        for ref, style in cells.items():
            B.get_cell(root, ref).set("s", str(style))
    return B.edit_sheet(data, sheet, edit)


def make_setting(sample_bytes: bytes, tmp_path_factory, writer: str) -> dict:
    """The sample with user content below (and a little above) where populate inserts rows."""
    good = B.Good(sample_bytes, tmp_path_factory.mktemp("good") / "good.xlsm")
    sheet = good.domain
    catalog_id = good.new_catalog_id
    plan = populate_ops(good.read, load_catalog(), [catalog_id])
    inserts = [op for op in plan.ops if isinstance(op, InsertRows)]
    assert [op.sheet for op in inserts] == [sheet]
    r0, count = inserts[0].row, inserts[0].count
    rows = good.read.rows[sheet]
    last = max(r.last_row for r in rows)
    assert r0 <= last, "the insertion point must lie above the user's content"
    below_name = good.table.cell(last, "measure.name")
    below_note = cell_name(last + 3, 2)
    above_note = cell_name(1, 6)  # in the sheet's help row, above the table
    data = add_note(sample_bytes, sheet, [below_note, above_note, below_name], writer)
    data = add_drawing(data, sheet, last + 2, (good.table.first_row, last), writer)
    data = add_sheet(data, "メモ", {"A1": {"value": "打合せメモ"}, "A2": {"value": "予算要求は9月"}, "B2": {"value": 2027}})
    styles = etree.fromstring(B.read_member(data, "xl/styles.xml")).find(B.q("cellXfs"))
    user_style = len(styles) - 1
    data = restyle(data, sheet, {below_name: user_style, "A2": user_style})
    return {"good": good, "data": data, "sheet": sheet, "catalog_id": catalog_id, "r0": r0, "count": count,
            "part": B.sheet_part(data, sheet), "below_name": below_name, "below_note": below_note,
            "above_note": above_note, "user_style": user_style, "last": last, "writer": writer}


@pytest.fixture(scope="module")
def setting(sample_bytes, tmp_path_factory):
    """User content from XlsxWriter-written workbooks: runs on any clone."""
    return make_setting(sample_bytes, tmp_path_factory, "xlsxwriter")


@pytest.fixture(scope="module", params=WRITERS)
def content_setting(request, sample_bytes, tmp_path_factory):
    """The same user content from each writer; Excel's own files need ../shared."""
    if request.param == "xlsxwriter":
        return request.getfixturevalue("setting")
    return make_setting(sample_bytes, tmp_path_factory, request.param)


# ------------------------------------------------------------------ populate, validate, schedule

def test_the_user_content_is_read_like_the_sample(content_setting, tmp_path):
    setting = content_setting
    path = tmp_path / "book.xlsm"
    path.write_bytes(setting["data"])
    read = read_plan(read_values(path))
    assert read.findings == setting["good"].read.findings
    assert [m.id for m in read.plan.measures] == [m.id for m in setting["good"].read.plan.measures]


def test_populate_moves_notes_pictures_charts_and_shapes_with_their_rows(content_setting, tmp_path):
    setting = content_setting
    s = setting
    path = tmp_path / "計画 ブック.xlsm"
    path.write_bytes(s["data"])
    code, out, err = cli("populate", path, "--ids", s["catalog_id"])
    assert code == 0 and "1件を追加しました" in out, err
    before, after = s["data"], path.read_bytes()
    r0, count, part = s["r0"], s["count"], s["part"]
    rel = related(before, part)
    changed, removed, added = changed_parts(before, after)
    moving = {rel["comments"][0], rel["vmlDrawing"][0], rel["drawing"][0], "xl/charts/chart90.xml"}
    revalidated = {B.sheet_part(before, L.FINDINGS), B.sheet_part(before, L.COVERAGE)}  # marks follow the rows
    # only the domain sheet, what is anchored to its rows, the catalog's 追加状況 and the findings (populate
    # re-validates) change; VBA, styles, strings, the picture, the other sheets (the user's メモ too) are
    # byte for byte what they were
    with zipfile.ZipFile(io.BytesIO(before)) as z:
        catalog_part = sheet_part_map(z)[L.CATALOG]
    assert changed == {part, catalog_part} | moving | revalidated
    assert not removed and not added
    a, b = B.members(before), B.members(after)
    assert b["xl/vbaProject.bin"] == a["xl/vbaProject.bin"]
    assert b["xl/media/image90.png"] == a["xl/media/image90.png"]

    # notes: their cells moved down by the inserted rows, the one above stayed
    def refs(xml):
        return [c.get("ref") for c in etree.fromstring(xml).iter(B.q("comment"))]

    def moved(ref):
        row, col = parse_cell(ref)
        return cell_name(row + count if row >= r0 else row, col)

    assert refs(b[rel["comments"][0]]) == [moved(r) for r in refs(a[rel["comments"][0]])]
    assert refs(b[rel["comments"][0]])[1] == s["above_note"]
    assert refs(b[rel["comments"][0]])[0] != s["below_note"]
    # the VML: buttons kept with their macros and places (above the table), note shapes moved
    vml_a, vml_b = a[rel["vmlDrawing"][0]], b[rel["vmlDrawing"][0]]
    assert re.findall(rb"<x:FmlaMacro>[^<]+</x:FmlaMacro>", vml_b) == re.findall(rb"<x:FmlaMacro>[^<]+</x:FmlaMacro>", vml_a)
    assert len(re.findall(rb"<x:FmlaMacro>", vml_b)) >= 2
    shifted = [(top + count if top >= r0 else top, row + count if row >= r0 else row) for top, row in vml_rows(vml_a)]
    assert vml_rows(vml_b) == shifted
    assert re.sub(rb"<x:(Anchor|Row)>[^<]*</x:\1>", b"", vml_b) == re.sub(rb"<x:(Anchor|Row)>[^<]*</x:\1>", b"", vml_a)
    # the picture, chart and text box moved with their rows
    rows_a, rows_b = drawing_rows(a[rel["drawing"][0]]), drawing_rows(b[rel["drawing"][0]])
    assert len(rows_a) == 3 and rows_b == [(f + count, t + count) for f, t in rows_a]
    # the chart still plots the same cells: its ranges grew with the rows inserted inside them
    assert chart_refs(b["xl/charts/chart90.xml"]) == [shift_formula(f, s["sheet"], r0, count) for f in
                                                      chart_refs(a["xl/charts/chart90.xml"])]
    assert all(f.endswith(f"${s['last'] + 1 + count}") for f in chart_refs(b["xl/charts/chart90.xml"]))
    # the user's cell formats: the moved cell kept its format, and so did the one above
    sheet_b = etree.fromstring(b[part])
    styles = {c.get("r"): c.get("s") for c in sheet_b.iter(B.q("c"))}
    assert styles[moved(s["below_name"])] == str(s["user_style"])
    assert styles["A2"] == str(s["user_style"])
    # values moved whole: the sheet below the new rows is the old sheet, row for row
    grid_a, grid_b = grid(before, s["sheet"]), grid(after, s["sheet"])
    assert grid_b[:r0] == grid_a[:r0]
    assert grid_b[r0 + count:] == grid_a[r0:]
    # validations and conditional formats kept, their ranges grown
    sheet_a = etree.fromstring(a[part])
    for tag in ("dataValidation", "cfRule", "mergeCell"):
        assert len(list(sheet_b.iter(B.q(tag)))) == len(list(sheet_a.iter(B.q(tag)))), tag


@pytest.mark.parametrize("command", ["validate", "schedule", "clear-marks"])
def test_validate_and_schedule_change_only_their_own_sheets(content_setting, tmp_path, command):
    setting = content_setting
    path = tmp_path / "book.xlsm"
    path.write_bytes(setting["data"])
    read = read_plan(read_values(path))
    ops = {"validate": lambda: validate_ops(read)[1], "schedule": lambda: schedule_ops(read) + validate_ops(read)[1],
           "clear-marks": clear_marks_ops}[command]()
    owned = {B.sheet_part(setting["data"], op.sheet) for op in ops}
    assert owned and not owned & {B.sheet_part(setting["data"], d) for d in read.layout.domains}
    code, _, err = cli(command, path)
    assert code in (0, 1), err
    changed, removed, added = changed_parts(setting["data"], path.read_bytes())
    assert B.sheet_part(setting["data"], L.FINDINGS) in changed
    assert changed <= owned, changed - owned
    assert not removed and not added


def test_formulas_and_names_that_point_at_moved_rows_follow_them(content_setting, tmp_path):
    setting = content_setting
    """Excel adjusts every reference to the rows it moves; so does the file adapter."""
    s = setting
    sheet, r0, count, last = s["sheet"], s["r0"], s["count"], s["last"]
    first = s["good"].table.first_row + 1
    data = add_sheet(s["data"], "集計", {
        "A1": {"value": "施策数"}, "B1": {"value": 0, "formula": f"COUNTA({sheet}!A{first}:A{last + 1})"},
        "A2": {"value": "最後の施策"}, "B2": {"value": "x", "formula": f"'{sheet}'!C{last + 1}"},
        "A3": {"value": "見出し"}, "B3": {"value": "施策名", "formula": f"{sheet}!$C$4"},
        "A4": {"value": "文字"}, "B4": {"value": f"{sheet}!C{last + 1}", "formula": f'"{sheet}!C{last + 1}"'},
    }, number=91)
    workbook = etree.fromstring(B.read_member(data, "xl/workbook.xml"))
    names = workbook.find(B.q("definedNames"))
    etree.SubElement(names, B.q("definedName"), name="施策一覧").text = f"{sheet}!$C${first}:$C${last + 1}"
    data = B.rezip(data, {"xl/workbook.xml": B.xml_bytes(workbook)})
    path = tmp_path / "book.xlsm"
    path.write_bytes(data)
    code, _, err = cli("populate", path, "--ids", s["catalog_id"])
    assert code == 0, err
    after = path.read_bytes()
    formulas = [f.text for f in etree.fromstring(B.read_member(after, "xl/worksheets/sheet91.xml")).iter(B.q("f"))]
    assert formulas == [f"COUNTA({sheet}!A{first}:A{last + 1 + count})", f"'{sheet}'!C{last + 1 + count}",
                        f"{sheet}!$C$4", f'"{sheet}!C{last + 1}"']  # text in quotes is not a reference
    def names(xml):
        return {(d.get("name"), d.get("localSheetId")): d.text for d in etree.fromstring(xml).iter(B.q("definedName"))}

    before_names, after_names = names(B.read_member(data, "xl/workbook.xml")), names(B.read_member(after, "xl/workbook.xml"))
    assert after_names.pop(("施策一覧", None)) == f"{sheet}!$C${first}:$C${last + 1 + count}"
    before_names.pop(("施策一覧", None))
    assert after_names == before_names  # xlplan's own names (print titles, filters, lists) lie above the rows
    assert r0 <= last


# ------------------------------------------------------------------ the small workbooks themselves, from each writer

# Every Excel-written fixture, and every XlsxWriter-written equivalent.
FIXTURE_FILES = [("xlsxwriter", n) for n in BUILDERS] + [("excel", n) for n in fixture_names()]


def first_sheet(data: bytes) -> str:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names[0]


@pytest.mark.parametrize(("writer", "name"), FIXTURE_FILES, ids=[f"{w}-{n}" for w, n in FIXTURE_FILES])
def test_every_fixture_survives_a_row_insert(writer, name, tmp_path):
    """Rows inserted at the top of the first sheet and a value written: every cell moves down whole,
    every other part is untouched, and what is anchored to cells (notes, buttons, drawings, tables,
    validations, names, charts) moves with them."""
    data = source(name, writer)
    sheet = first_sheet(data)
    ops = [InsertRows(sheet, 0, 2), SetValues(sheet, 0, 0, [["xlplan"]])]
    after = patch_package(data, ops)
    part = B.sheet_part(data, sheet)
    rel = related(data, part)
    changed, removed, added = changed_parts(data, after)
    allowed = {part, "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    allowed |= {p for parts in rel.values() for p in parts} | {n for n in B.members(data) if n.startswith("xl/charts/")}
    assert changed <= allowed, changed - allowed
    assert removed <= {"xl/calcChain.xml"} and not added
    if removed:  # formulas moved: Excel rebuilds its calculation chain
        assert b"calcChain" not in B.read_member(after, "[Content_Types].xml")
    a, b = B.members(data), B.members(after)
    for n in a.keys() & b.keys():
        if n.endswith((".bin", ".png", ".jpeg")) or n.startswith(("docProps/", "xl/theme/", "xl/styles")):
            assert a[n] == b[n], n
    values_a, values_b = grid(data, sheet), grid(after, sheet)
    assert values_b[0][0] == "xlplan"
    assert [list(r) for r in values_b[2:]] == [list(r) for r in values_a], "cells moved down whole"
    # and the result is a workbook that openpyxl (a strict reader) can load
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(after), keep_vba=name.endswith(".xlsm"))
    if book.vba_archive is not None:  # openpyxl keeps it open for a later save
        book.vba_archive.close()


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_note_and_its_vml_move(writer, tmp_path):
    data = source("comment01.xlsx", writer)
    after = patch_package(data, [InsertRows("Sheet1", 0, 2)])
    assert etree.fromstring(B.read_member(after, "xl/comments1.xml")).find(f".//{B.q('comment')}").get("ref") == "B4"
    assert vml_rows(B.read_member(after, "xl/drawings/vmlDrawing1.vml")) == [(2, 3)]


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_button_and_vba_survive(writer, tmp_path):
    path = tmp_path / "button07.xlsm"
    path.write_bytes(source("button07.xlsm", writer))
    apply_ops(path, [InsertRows("Sheet1", 0, 3), SetValues("Sheet1", 0, 0, [["見出し"]])])
    before, after = source("button07.xlsm", writer), path.read_bytes()
    assert B.read_member(after, "xl/vbaProject.bin") == B.read_member(before, "xl/vbaProject.bin")
    vml = B.read_member(after, "xl/drawings/vmlDrawing1.vml")
    assert b"<x:FmlaMacro>[0]!say_hello</x:FmlaMacro>" in vml
    assert re.search(rb"<x:Anchor>\s*2, 0, 4, 0, 3, 0, 5, 0</x:Anchor>", vml)
    assert b"macroEnabled" in B.read_member(after, "[Content_Types].xml")


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_picture_chart_and_text_box_move(writer):
    for name in ("image01.xlsx", "chart_bar01.xlsx", "textbox01.xlsx"):
        data = source(name, writer)
        after = patch_package(data, [InsertRows("Sheet1", 0, 2)])
        before_rows = drawing_rows(B.read_member(data, "xl/drawings/drawing1.xml"))
        assert drawing_rows(B.read_member(after, "xl/drawings/drawing1.xml")) == [(f + 2, t + 2) for f, t in before_rows]
    after = patch_package(source("chart_bar01.xlsx", writer), [InsertRows("Sheet1", 0, 2)])
    assert chart_refs(B.read_member(after, "xl/charts/chart1.xml"))[:2] == ["Sheet1!$A$3:$A$7", "Sheet1!$B$3:$B$7"]


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_names_formulas_and_ranges_move(writer):
    after = patch_package(source("defined_name01.xlsx", writer), [InsertRows("Sheet1", 0, 2)])
    names = {(d.get("name"), d.get("localSheetId")): d.text
             for d in etree.fromstring(B.read_member(after, "xl/workbook.xml")).iter(B.q("definedName"))}
    assert names[("_xlnm.Print_Area", "0")] == "Sheet1!$A$3:$E$8"
    assert names[("Abc", None)] == "Sheet1!$A$3"
    assert names[("Bar", "1")] == "Sheet2!$A$1" and names[("Bar", "2")] == "'Sheet 3'!$A$1"
    assert names[("_xlnm._FilterDatabase", "0")] == "Sheet1!$F$3:$G$3"
    sheet = B.read_member(patch_package(source("array_formula01.xlsx", writer), [InsertRows("Sheet1", 0, 2)]), "xl/worksheets/sheet1.xml")
    assert b'<f t="array" ref="A3:A5">SUM(B3:C3*B4:C4)</f>' in sheet
    sheet = B.read_member(patch_package(source("outline01.xlsx", writer), [InsertRows("Outlined Rows", 3, 1)]),
                          "xl/worksheets/sheet1.xml")
    assert b"SUBTOTAL(9,B2:B6)" in sheet and b"SUBTOTAL(9,B8:B11)" in sheet
    for name in ("data_validation01.xlsx", "cond_format01.xlsx", "merge_range01.xlsx", "hyperlink01.xlsx"):
        data = source(name, writer)
        def ranges(xml):  # of validations, formats, merges, links (the dimension is recomputed)
            return re.findall(rb'(?:sqref|ref)="([^"]+)"', re.sub(rb"<dimension [^>]*>", b"", xml))

        before = ranges(B.read_member(data, "xl/worksheets/sheet1.xml"))
        after = ranges(B.read_member(patch_package(data, [InsertRows("Sheet1", 0, 1)]), "xl/worksheets/sheet1.xml"))
        assert before
        assert after == [shift_refs(r.decode(), 0, 1).encode() for r in before], name


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_protected_sheet_is_refused(writer):
    """protect01's locked and hidden cell formats, with the sheet protection switched on as Excel writes it."""
    def protect(root):
        root.find(B.q("sheetData")).addnext(etree.Element(B.q("sheetProtection"), sheet="1", objects="1", scenarios="1"))
    data = B.edit_sheet(source("protect01.xlsx", writer), "Sheet1", protect)
    with pytest.raises(WorkbookWriteError, match="保護") as caught:
        patch_package(data, [SetValues("Sheet1", 0, 0, [[5]])], in_place=False)
    assert "シート「Sheet1」" in str(caught.value)


@pytest.mark.parametrize("writer", WRITERS)
def test_fixture_table_refused_in_place_and_extended_in_a_copy(writer, tmp_path):
    """table01 has a table at C3:F13; rows inserted inside it are refused in place, with the way out."""
    path = tmp_path / "table01.xlsx"
    path.write_bytes(source("table01.xlsx", writer))
    ref = etree.fromstring(B.read_member(source("table01.xlsx", writer), "xl/tables/table1.xml")).get("ref")
    assert ref == "C3:F13"
    with pytest.raises(WorkbookWriteError, match=r"-o 新しい名前\.xlsm") as caught:
        apply_ops(path, [InsertRows("Sheet1", 5, 2)])
    assert "テーブル" in str(caught.value) and "Sheet1" in str(caught.value)
    assert path.read_bytes() == source("table01.xlsx", writer)
    copy = apply_ops(path, [InsertRows("Sheet1", 5, 2)], tmp_path / "新しい名前.xlsx")
    assert etree.fromstring(B.read_member(copy.read_bytes(), "xl/tables/table1.xml")).get("ref") == "C3:F15"
    # above the table: it just moves, in place too
    apply_ops(path, [InsertRows("Sheet1", 0, 2)])
    assert etree.fromstring(B.read_member(path.read_bytes(), "xl/tables/table1.xml")).get("ref") == "C5:F15"


# ------------------------------------------------------------------ atomic writes

CHILD = r"""
import datetime as dt, os, sys, time
from pathlib import Path
path, mode = Path(sys.argv[1]), sys.argv[2]
if mode == "fsync":  # stop inside the write, after the temporary file is written, before the rename
    real = os.fsync
    def slow(fd):
        print("fsync", flush=True)
        time.sleep(5)
        real(fd)
    os.fsync = slow
from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.layout.read import read_plan
from xlplan.operations import validate_ops
print("ready", flush=True)
while True:
    _, ops = validate_ops(read_plan(read_values(path)), today=dt.date(2027, 6, 1))
    apply_ops(path, ops)
"""


@pytest.fixture()
def big_book(sample_bytes, tmp_path) -> Path:
    """A large workbook (10,000 formatted rows, 8 MB of picture data) already validated once,
    so that writing the same validation again gives the same bytes."""
    good = B.Good(sample_bytes, tmp_path / "good.xlsm")
    data = B.CASES[[c.name for c in B.CASES].index("formatted_empty_rows_10000")].build(good)
    data = B.rezip(data, add={"xl/media/image91.bin": random.Random(1).randbytes(8 * 2**20)})
    folder = tmp_path / "大きい ブック"
    folder.mkdir()
    path = folder / "計画.xlsm"
    path.write_bytes(data)
    _, ops = validate_ops(read_plan(read_values(path)), today=TODAY)
    apply_ops(path, ops)
    return path


def test_a_killed_write_leaves_the_original_intact(big_book):
    path = big_book
    expected = path.read_bytes()
    _, ops = validate_ops(read_plan(read_values(path)), today=TODAY)
    apply_ops(path, ops)
    assert path.read_bytes() == expected, "the same validation writes the same bytes"
    rng = random.Random(20270601)
    leftovers = 0
    for attempt in range(7):
        mode = "fsync" if attempt < 2 else "random"
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), mode], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        if mode == "fsync":
            assert child.stdout.readline().strip() == "fsync"
        else:
            time.sleep(rng.uniform(0.05, 1.5))
        child.kill()  # SIGKILL: no finally, no cleanup
        child.wait()
        child.stdout.close()
        assert path.read_bytes() == expected, f"attempt {attempt} ({mode}) damaged the workbook"
        others = [p.name for p in path.parent.iterdir() if p != path]
        assert all(n.startswith(f".{path.name}.") and n.endswith(".tmp") for n in others), others
        leftovers += len(others)
    assert leftovers >= 2, "a kill inside the write leaves a hidden temporary file"
    apply_ops(path, ops)  # the next write removes what the killed writers left
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert path.read_bytes() == expected


def test_a_read_only_target_is_refused(setting, tmp_path):
    path = tmp_path / "読み取り専用.xlsm"
    path.write_bytes(setting["data"])
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        code, _, err = cli("validate", path)
        assert code == 2 and "読み取り専用" in err and "-o" in err
        assert path.read_bytes() == setting["data"]
        code, _, err = cli("schedule", path, "-o", tmp_path / "写し.xlsm")  # a copy elsewhere is fine
        assert code == 0, err
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["写し.xlsm", "読み取り専用.xlsm"]


def test_a_workbook_open_in_excel_is_refused(setting, tmp_path):
    path = tmp_path / "計画.xlsm"
    path.write_bytes(setting["data"])
    (tmp_path / "~$計画.xlsm").write_bytes(b"\x05user")
    code, _, err = cli("schedule", path)
    assert code == 2 and "Excel で開かれている" in err and "~$計画.xlsm" in err
    assert path.read_bytes() == setting["data"]


def test_backup_keeps_the_previous_file(setting, tmp_path):
    path = tmp_path / "計画.xlsm"
    path.write_bytes(setting["data"])
    code, _, err = cli("schedule", path, "--backup")
    assert code == 0, err
    backup = tmp_path / "計画.bak.xlsm"
    assert backup.read_bytes() == setting["data"]
    first = path.read_bytes()
    assert first != setting["data"]
    code, _, err = cli("populate", path, "--ids", setting["catalog_id"], "--backup")
    assert code == 0, err
    assert backup.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["計画.bak.xlsm", "計画.xlsm"]


def test_output_to_a_new_folder_with_japanese_names(setting, tmp_path):
    path = tmp_path / "元 ブック.xlsm"
    path.write_bytes(setting["data"])
    target = tmp_path / "新しい フォルダー" / "令和9年度" / "工程表 完成版.xlsm"
    code, out, err = cli("schedule", path, "-o", target)
    assert code == 0 and str(target.name) in out, err
    assert path.read_bytes() == setting["data"]
    changed, _, _ = changed_parts(setting["data"], target.read_bytes())
    assert {B.sheet_part(setting["data"], L.SCHEDULE), B.sheet_part(setting["data"], L.FINDINGS)} <= changed
    assert not changed & {B.sheet_part(setting["data"], d) for d in setting["good"].read.layout.domains}
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_writing_through_a_symbolic_link_updates_the_linked_file(setting, tmp_path):
    real = tmp_path / "共有" / "計画.xlsm"
    real.parent.mkdir()
    real.write_bytes(setting["data"])
    link = tmp_path / "近道.xlsm"
    link.symlink_to(real)
    code, _, err = cli("schedule", link, "--backup")
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() != setting["data"]
    assert (real.parent / "計画.bak.xlsm").read_bytes() == setting["data"]


# ------------------------------------------------------------------ idempotency

def test_operations_run_twice_give_the_same_file(setting, tmp_path):
    s = setting
    path = tmp_path / "book.xlsm"
    path.write_bytes(s["data"])

    def populate():
        plan = populate_ops(read_plan(read_values(path)), load_catalog(), [s["catalog_id"]])
        if plan.ops:
            apply_ops(path, plan.ops)
        return plan

    def validate():
        apply_ops(path, validate_ops(read_plan(read_values(path)), today=TODAY)[1])

    def schedule():
        read = read_plan(read_values(path))
        apply_ops(path, schedule_ops(read, today=TODAY) + validate_ops(read, today=TODAY)[1])

    assert populate().result.added
    once = B.members(path.read_bytes())
    again = populate()
    assert not again.result.added and s["catalog_id"] in again.result.already and not again.ops
    assert B.members(path.read_bytes()) == once
    for step in (validate, schedule):
        step()
        once = B.members(path.read_bytes())
        step()
        assert B.members(path.read_bytes()) == once, step.__name__


def test_cli_commands_run_twice_give_the_same_file(setting, tmp_path):
    path = tmp_path / "book.xlsm"
    path.write_bytes(setting["data"])
    for args in (["populate", path, "--ids", setting["catalog_id"]], ["validate", path], ["schedule", path],
                 ["clear-marks", path]):
        cli(*args)
        once = B.members(path.read_bytes())
        cli(*args)
        assert B.members(path.read_bytes()) == once, args[0]
