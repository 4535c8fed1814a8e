"""The 新旧対照表 as a Word document: A4 landscape, 改正後 | 改正前, changed parts underlined."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xlplan.core.comparison import Comparison, Line
from xlplan.fileio import atomic_write_bytes

FONT = "MS Mincho"   # ＭＳ 明朝, as council documents are set; LibreOffice substitutes a Japanese font
SIZE = Pt(9.5)
HEADER_FILL = "D9E1F2"
SECTION_FILL = "F2F2F2"


def comparison_docx_bytes(table: Comparison) -> bytes:
    doc = Document()
    _fonts(doc.styles["Normal"].element)
    doc.styles["Normal"].font.size = SIZE
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(18)
    section.left_margin = section.right_margin = Mm(20)
    title = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    run = title.add_run(table.title)
    run.bold = True
    run.font.size = Pt(14)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = doc.add_paragraph(table.note)
    note.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    width = (section.page_width - section.left_margin - section.right_margin) // 2
    grid = doc.add_table(rows=1, cols=2)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    header = grid.rows[0]
    _repeat(header)
    for cell, text in zip(header.cells, table.headers):
        cell.width = width
        _lines(cell, [((_run(text, bold=True)),)], center=True)
        _shade(cell, HEADER_FILL)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell in cells:
            cell.width = width
        if row.section:
            merged = cells[0].merge(cells[1])
            _lines(merged, [(_run(row.section, bold=True),)])
            _shade(merged, SECTION_FILL)
            continue
        _lines(cells[0], list(row.new))
        _lines(cells[1], list(row.old))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def export_comparison_docx(table: Comparison, path: Path, *, overwrite: bool = True) -> Path:
    atomic_write_bytes(Path(path), comparison_docx_bytes(table), overwrite=overwrite)
    return Path(path)


def _run(text: str, bold: bool = False):
    from xlplan.core.comparison import Run

    return Run(text, bold=bold)


def _lines(cell, lines: list[Line], center: bool = False) -> None:
    """One paragraph per line; runs keep their underline (傍線) and bold."""
    first = cell.paragraphs[0]
    for i, line in enumerate(lines or [()]):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r in line:
            run = paragraph.add_run(r.text)
            run.bold = r.bold or None
            run.underline = True if r.underline else None
            run.font.size = SIZE


def _fonts(element) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _repeat(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
