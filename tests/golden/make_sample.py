"""Build tests/golden/sample.xlsm: the sample workbook with user content the way Excel stores it.

Run only to change the golden input deliberately (see README.md): the committed file is the
input of the golden test, and later layout changes must not alter it.

    python tests/golden/make_sample.py

On top of the built sample (samples/sample_plan.yaml) it adds, by hand-written XML (nothing
copied from ../shared): notes and a linked check box in the VML next to xlplan's buttons,
a DrawingML part with a text box, a picture-less shape and a chart over the table's rows,
a user column with formulas and a merge to the right of the table, defined names (global and
sheet-local), and a sheet of the user's own whose formulas and hyperlink point at the domain sheet.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import PLAN_FY, SAMPLE  # noqa: E402

from xlplan.adapters.package import sheet_part_map  # noqa: E402
from xlplan.builder.workbook import build_workbook  # noqa: E402
from xlplan.catalog_data import load_catalog  # noqa: E402
from xlplan.planfile import load_plan  # noqa: E402

OUT = Path(__file__).resolve().parent / "sample.xlsm"
DOMAIN = "健康・医療・介護"
USER_SHEET = "メモ"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STAMP = (2027, 6, 1, 9, 0, 0)


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_rels(xml: bytes, rels: list[tuple[str, str, str]]) -> bytes:
    root = etree.fromstring(xml)
    for rid, kind, target in rels:
        etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=f"{REL}/{kind}", Target=target)
    return xml_bytes(root)


def content_types(xml: bytes, overrides: dict[str, str]) -> bytes:
    text = xml.decode()
    extra = "".join(f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.{kind}"/>'
                    for name, kind in overrides.items())
    return text.replace("</Types>", extra + "</Types>").encode()


NOTE_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
                  '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def note_shape(number: int, row: int, col: int) -> str:
    return (f'<v:shape id="_x0000_s{number}" type="#_x0000_t202" style="position:absolute;margin-left:300pt;'
            f'margin-top:{row * 15}pt;width:108pt;height:59.25pt;z-index:{number};visibility:hidden" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f'<x:Anchor>\n    {col + 1}, 15, {row}, 10, {col + 3}, 15, {row + 4}, 4</x:Anchor><x:AutoFill>False</x:AutoFill>'
            f'<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>')


def checkbox_shape(number: int, row: int, link: str) -> str:
    return (f'<v:shape id="_x0000_s{number}" type="#_x0000_t201" style="position:absolute;margin-left:900pt;'
            f'margin-top:{row * 15}pt;width:60pt;height:15pt;z-index:{number}" filled="f" stroked="f" strokecolor="windowText [64]" '
            'o:insetmode="auto"><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
            '<o:lock v:ext="edit" shapetype="f"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
            '<div style="text-align:left"><font face="Calibri" size="220" color="#000000">済</font></div></v:textbox>'
            f'<x:ClientData ObjectType="Checkbox"><x:Anchor>\n    30, 2, {row}, 1, 31, 20, {row + 1}, 2</x:Anchor>'
            f'<x:AutoFill>False</x:AutoFill><x:AutoLine>False</x:AutoLine><x:TextVAlign>Center</x:TextVAlign>'
            f'<x:FmlaLink>{link}</x:FmlaLink><x:NoThreeD/></x:ClientData></v:shape>')


COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<comments xmlns="{NS}"><authors><author>担当者</author></authors><commentList>{{}}</commentList></comments>')


def comment(ref: str, text: str) -> str:
    return (f'<comment ref="{ref}" authorId="0"><text><r><rPr><b/><sz val="9"/><color indexed="81"/>'
            f'<rFont val="MS P ゴシック"/><charset val="128"/></rPr><t>担当者:</t></r><r><rPr><sz val="9"/>'
            f'<color indexed="81"/><rFont val="MS P ゴシック"/><charset val="128"/></rPr>'
            f'<t xml:space="preserve">\n{text}</t></r></text></comment>')


XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def anchor_cell(tag: str, col: int, row: int) -> str:
    return f"<xdr:{tag}><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:{tag}>"


def drawing(chart_rows: tuple[int, int]) -> bytes:
    text_box = ('<xdr:twoCellAnchor>' + anchor_cell("from", 2, 10) + anchor_cell("to", 5, 13) +
                '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/>'
                '</xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1828800" cy="571500"/></a:xfrm>'
                '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="clip" '
                'wrap="square" rtlCol="0" anchor="t"/><a:lstStyle/><a:p><a:r><a:rPr lang="ja-JP" altLang="en-US" sz="1100"/>'
                '<a:t>担当課と調整中</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>')
    chart = ('<xdr:twoCellAnchor editAs="oneCell">' + anchor_cell("from", 6, 14) + anchor_cell("to", 12, 28) +
             '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="3" name="Chart 2"/><xdr:cNvGraphicFramePr/>'
             '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
             f'<a:graphicData uri="{C}"><c:chart xmlns:c="{C}" r:id="rId1"/></a:graphicData></a:graphic>'
             '</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>')
    arrow = ('<xdr:oneCellAnchor>' + anchor_cell("from", 3, 6) + '<xdr:ext cx="914400" cy="190500"/>'
             '<xdr:cxnSp macro=""><xdr:nvCxnSpPr><xdr:cNvPr id="4" name="Straight Arrow Connector 3"/><xdr:cNvCxnSpPr/>'
             '</xdr:nvCxnSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="190500"/></a:xfrm>'
             '<a:prstGeom prst="straightConnector1"><a:avLst/></a:prstGeom><a:ln><a:tailEnd type="triangle"/></a:ln>'
             '</xdr:spPr></xdr:cxnSp><xdr:clientData/></xdr:oneCellAnchor>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:r="{REL}">{text_box}{chart}{arrow}</xdr:wsDr>').encode()


def chart(first: int, last: int) -> bytes:
    ref = f"'{DOMAIN}'!$C${first}:$C${last}"
    values = f"'{DOMAIN}'!$N${first}:$N${last}"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{REL}"><c:lang val="ja-JP"/><c:chart>'
            '<c:plotArea><c:layout/><c:barChart><c:barDir val="bar"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/>'
            f'<c:order val="0"/><c:tx><c:strRef><c:f>\'{DOMAIN}\'!$N$4</c:f></c:strRef></c:tx>'
            f'<c:cat><c:strRef><c:f>{ref}</c:f></c:strRef></c:cat>'
            f'<c:val><c:numRef><c:f>{values}</c:f></c:numRef></c:val></c:ser><c:axId val="1"/><c:axId val="2"/></c:barChart>'
            '<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:axPos val="l"/>'
            '<c:crossAx val="2"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            '<c:axPos val="b"/><c:crossAx val="1"/></c:valAx></c:plotArea><c:plotVisOnly val="1"/></c:chart>'
            '</c:chartSpace>').encode()


def set_cell(root, ref: str, value=None, formula: str | None = None) -> None:
    row_number = int(re.sub(r"[A-Z]", "", ref))
    data = root.find(q("sheetData"))
    row = next((r for r in data if int(r.get("r")) == row_number), None)
    if row is None:
        row = etree.Element(q("row"), r=str(row_number))
        later = [r for r in data if int(r.get("r")) > row_number]
        (later[0].addprevious(row) if later else data.append(row))
    row.attrib.pop("spans", None)
    c = etree.SubElement(row, q("c"), r=ref)
    if formula is not None:
        etree.SubElement(c, q("f")).text = formula
        etree.SubElement(c, q("v")).text = "0"
    elif isinstance(value, str):
        c.set("t", "inlineStr")
        etree.SubElement(etree.SubElement(c, q("is")), q("t")).text = value
    else:
        etree.SubElement(c, q("v")).text = str(value)


def user_sheet() -> bytes:
    root = etree.fromstring(f'<worksheet xmlns="{NS}" xmlns:r="{REL}"><dimension ref="A1:B4"/><sheetViews>'
                            '<sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData/>'
                            '<hyperlinks><hyperlink ref="A4" location="\'健康・医療・介護\'!C6" display="施策へ"/></hyperlinks>'
                            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                            '</worksheet>')
    set_cell(root, "A1", "打合せメモ")
    set_cell(root, "A2", "施策の数")
    set_cell(root, "B2", formula=f"COUNTA('{DOMAIN}'!C5:C8)")
    set_cell(root, "A3", "最後の施策")
    set_cell(root, "B3", formula=f"'{DOMAIN}'!C8&\"（'{DOMAIN}'!C8 は文字）\"")
    set_cell(root, "A4", "施策へ")
    set_cell(root, "B4", formula=f"SUM('{DOMAIN}'!$N:$N)+SUM('{DOMAIN}'!6:7)")
    return xml_bytes(root)


def enrich(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        part = sheet_part_map(z)[DOMAIN]
    rels_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    vml_part = "xl/" + re.search(rb'Target="\.\./(drawings/vmlDrawing\d+\.vml)"', parts[rels_part]).group(1).decode()
    # notes above (G2), inside (C6, D7) and below (C12) the table; a check box linked to AD7
    vml = parts[vml_part].decode()
    shapes = [note_shape(3100 + i, *cell) for i, cell in enumerate([(1, 6), (5, 2), (6, 3), (11, 2)])]
    shapes.append(checkbox_shape(3110, 6, "$AD$7"))
    parts[vml_part] = vml.replace("</xml>", NOTE_SHAPETYPE + "".join(shapes) + "</xml>").encode()
    parts["xl/comments90.xml"] = COMMENTS.format("".join(comment(ref, f"確認してください（{ref}）")
                                                         for ref in ("G2", "C6", "D7", "C12"))).encode()
    parts["xl/drawings/drawing90.xml"] = drawing((4, 7))
    parts["xl/drawings/_rels/drawing90.xml.rels"] = add_rels(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}"/>'.encode(),
        [("rId1", "chart", "../charts/chart90.xml")])
    parts["xl/charts/chart90.xml"] = chart(5, 8)
    parts[rels_part] = add_rels(parts[rels_part], [("rId80", "comments", "../comments90.xml"),
                                                   ("rId81", "drawing", "../drawings/drawing90.xml"),
                                                   ("rId82", "hyperlink", "https://www.digital.go.jp/")])
    sheet = etree.fromstring(parts[part])
    for ref, kwargs in {"AD4": {"value": "メモ"}, "AD5": {"value": "来年度予算"}, "AD6": {"formula": "N6*2"},
                        "AD7": {"value": 1}, "AD8": {"formula": "SUM(AD5:AD7)+$N$5"}, "AD12": {"value": "下の表"},
                        "AE12": {"formula": "AD6+N12"}}.items():
        set_cell(sheet, ref, **kwargs)
    merges = sheet.find(q("mergeCells"))
    etree.SubElement(merges, q("mergeCell"), ref="AD12:AF14")
    merges.set("count", str(len(merges)))
    links = etree.Element(q("hyperlinks"))
    link = etree.SubElement(links, q("hyperlink"), ref="AD5")
    link.set(f"{{{REL}}}id", "rId82")
    etree.SubElement(links, q("hyperlink"), ref="AD8", location="AD12", display="下へ")
    sheet.find(q("dataValidations")).addnext(links)
    drawing_element = etree.Element(q("drawing"))
    drawing_element.set(f"{{{REL}}}id", "rId81")
    sheet.find(q("legacyDrawing")).addprevious(drawing_element)
    parts[part] = xml_bytes(sheet)
    # the user's sheet, last, so no localSheetId moves
    workbook = etree.fromstring(parts["xl/workbook.xml"])
    sheets = workbook.find(q("sheets"))
    new = etree.SubElement(sheets, q("sheet"), name=USER_SHEET, sheetId="90")
    new.set(f"{{{REL}}}id", "rId90")
    names = workbook.find(q("definedNames"))
    local_id = str(len(sheets) - 1)
    for name, text, local in (("施策一覧", f"'{DOMAIN}'!$C$5:$C$8", None), ("目標合計", f"SUM('{DOMAIN}'!$P$5:$P$8)", None),
                              ("メモ範囲", f"{USER_SHEET}!$A$1:$B$4", local_id),
                              ("施策の行", f"'{DOMAIN}'!$6:$7", local_id)):
        element = etree.SubElement(names, q("definedName"), name=name)
        if local is not None:
            element.set("localSheetId", local)
        element.text = text
    parts["xl/workbook.xml"] = xml_bytes(workbook)
    parts["xl/_rels/workbook.xml.rels"] = add_rels(parts["xl/_rels/workbook.xml.rels"],
                                                   [("rId90", "worksheet", "worksheets/sheet90.xml")])
    parts["xl/worksheets/sheet90.xml"] = user_sheet()
    parts["[Content_Types].xml"] = content_types(parts["[Content_Types].xml"], {
        "xl/worksheets/sheet90.xml": "spreadsheetml.worksheet+xml",
        "xl/comments90.xml": "spreadsheetml.comments+xml",
        "xl/drawings/drawing90.xml": "drawing+xml",
        "xl/charts/chart90.xml": "drawingml.chart+xml"})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(zipfile.ZipInfo(name, STAMP), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    data = build_workbook(load_plan(SAMPLE), load_catalog(), interpreter="python", current_fy=PLAN_FY)
    OUT.write_bytes(enrich(data))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
