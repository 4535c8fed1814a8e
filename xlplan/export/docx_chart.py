"""A small line chart inside a .docx: a native DrawingML chart part with its values written in.

No image library and no embedded workbook: the chart part holds literal values
(c:strLit / c:numLit), which Word and LibreOffice draw directly. A missing value
(a year without an actual) leaves a gap in its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Mm

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
FONT = "MS Gothic"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str          # RRGGBB
    dashed: bool = False
    marker: str = "circle"


def _text_props(size: int) -> str:
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size * 100}">'
            f'<a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/></a:defRPr></a:pPr>'
            '<a:endParaRPr lang="ja-JP"/></a:p></c:txPr>')


def _series(i: int, s: Series, categories: Sequence[str]) -> str:
    cats = "".join(f'<c:pt idx="{j}"><c:v>{escape(c)}</c:v></c:pt>' for j, c in enumerate(categories))
    vals = "".join(f'<c:pt idx="{j}"><c:v>{v!r}</c:v></c:pt>' for j, v in enumerate(s.values) if v is not None)
    dash = '<a:prstDash val="dash"/>' if s.dashed else ""
    return (f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>'
            f'<c:tx><c:v>{escape(s.name)}</c:v></c:tx>'
            f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{s.color}"/></a:solidFill>{dash}</a:ln></c:spPr>'
            f'<c:marker><c:symbol val="{s.marker}"/><c:size val="6"/><c:spPr><a:solidFill><a:srgbClr val="{s.color}"/>'
            f'</a:solidFill><a:ln><a:solidFill><a:srgbClr val="{s.color}"/></a:solidFill></a:ln></c:spPr></c:marker>'
            f'<c:cat><c:strLit><c:ptCount val="{len(categories)}"/>{cats}</c:strLit></c:cat>'
            f'<c:val><c:numLit><c:formatCode>General</c:formatCode><c:ptCount val="{len(categories)}"/>{vals}</c:numLit></c:val>'
            '<c:smooth val="0"/></c:ser>')


def chart_xml(title: str, categories: Sequence[str], series: Sequence[Series], axis_title: str = "") -> bytes:
    axis = (f'<c:title><c:tx><c:rich><a:bodyPr rot="-5400000" vert="horz"/><a:p><a:pPr><a:defRPr sz="800">'
            f'<a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/></a:defRPr></a:pPr><a:r><a:rPr lang="ja-JP" sz="800">'
            f'<a:latin typeface="{FONT}"/><a:ea typeface="{FONT}"/></a:rPr><a:t>{escape(axis_title)}</a:t></a:r></a:p>'
            '</c:rich></c:tx><c:overlay val="0"/></c:title>') if axis_title else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{_R}"><c:roundedCorners val="0"/>'
        '<c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="900" b="1"><a:latin typeface="{FONT}"/>'
        f'<a:ea typeface="{FONT}"/></a:defRPr></a:pPr><a:r><a:rPr lang="ja-JP" sz="900" b="1"><a:latin typeface="{FONT}"/>'
        f'<a:ea typeface="{FONT}"/></a:rPr><a:t>{escape(title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        '<c:plotArea><c:layout/><c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
        + "".join(_series(i, s, categories) for i, s in enumerate(series)) +
        '<c:marker val="1"/><c:axId val="1001"/><c:axId val="1002"/></c:lineChart>'
        '<c:catAx><c:axId val="1001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_text_props(8)}<c:crossAx val="1002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="1002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill>'
        f'</a:ln></c:spPr></c:majorGridlines>{axis}<c:numFmt formatCode="#,##0.###" sourceLinked="0"/>'
        f'<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_text_props(8)}'
        '<c:crossAx val="1001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        '</c:plotArea>'
        f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/>{_text_props(8)}</c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
        '</c:chartSpace>')
    return xml.encode("utf-8")


def add_line_chart(document, paragraph, title: str, categories: Sequence[str], series: Sequence[Series],
                   axis_title: str = "", width_mm: float = 120, height_mm: float = 55) -> None:
    """A line chart in its own run of `paragraph`, its part related to the document."""
    package = document.part.package
    number = 1 + sum(1 for p in package.iter_parts() if str(p.partname).startswith("/word/charts/chart"))
    part = Part(PackURI(f"/word/charts/chart{number}.xml"), CHART_CONTENT_TYPE,
                chart_xml(title, categories, series, axis_title), package)
    rid = document.part.relate_to(part, RT.CHART)
    cx, cy = int(Mm(width_mm)), int(Mm(height_mm))
    inline = parse_xml(
        f'<wp:inline xmlns:wp="{_WP}" xmlns:a="{_A}" xmlns:c="{_C}" xmlns:r="{_R}" distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + number}" name="グラフ {number}" descr="{escape(title, {chr(34): "&quot;"})}"/>'
        '<wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_C}"><c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline>')
    drawing = parse_xml('<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    drawing.append(inline)
    paragraph.add_run()._r.append(drawing)
