"""Low-level .docx building blocks on top of python-docx: fonts, styles, pages, fields and fixed tables.

Japanese fonts are set as East Asian fonts on the styles (MS 明朝 / MS ゴシック in
Word; LibreOffice substitutes an installed Japanese font).
"""

from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

BODY_FONT = "MS Mincho"      # ＭＳ 明朝
HEADING_FONT = "MS Gothic"   # ＭＳ ゴシック
BODY_SIZE = Pt(10.5)
TABLE_SIZE = Pt(9)
SCHEDULE_SIZE = Pt(8)
PORTRAIT_MARGINS = (Mm(25), Mm(22), Mm(25), Mm(22))   # top, right, bottom, left
LANDSCAPE_MARGINS = (Mm(18), Mm(15), Mm(18), Mm(15))
GREY = RGBColor(0x80, 0x80, 0x80)
HEADING_COLOR = RGBColor(0x1F, 0x3A, 0x5F)
LABEL_FILL = "F2F2F2"
HEADER_FILL = "D9E1F2"
# A paragraph style for notes to the clerk (how to update the contents …): the PDF export removes them.
NOTE_STYLE = "xlplan 作業メモ"


def child(parent, tag: str, index: int | None = None):
    """The first child with the tag, created (appended, or inserted at index) when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if index is None:
            parent.append(found)
        else:
            parent.insert(index, found)
    return found


def set_fonts(rpr_parent, font: str) -> None:
    """Explicit ascii/hAnsi/eastAsia fonts (theme font attributes removed, they would win).

    rpr_parent is a style, a run (w:r) or w:rPrDefault: anything that holds a w:rPr.
    """
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else child(rpr_parent, "w:rPr")
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(1 if rpr.find(qn("w:rStyle")) is not None else 0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def setup_styles(doc) -> None:
    styles = doc.styles
    # Document defaults, so that tables and anything unstyled use the Japanese font too.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            set_fonts(rpr_default, BODY_FONT)
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, before in (("Heading 1", 14, 18), ("Heading 2", 12, 12), ("Heading 3", 11, 10), ("Heading 4", 10.5, 10),
                               ("TOC Heading", 14, 0)):
        style = styles[name]
        set_fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = HEADING_COLOR
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "Footer", "Table Grid"):
        set_fonts(styles[name].element, BODY_FONT)
    # Word's built-in names for the contents entries; Word and LibreOffice both map them to their own.
    for level, indent in ((1, 0), (2, 5)):
        style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.paragraph_format.left_indent = Mm(indent)
        style.paragraph_format.space_before = Pt(4 if level == 1 else 0)
        style.paragraph_format.space_after = Pt(2)
        if level == 1:
            style.font.bold = True
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = GREY
    note.paragraph_format.space_before = Pt(12)


def setup_page(section, landscape: bool = False) -> None:
    width, height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        margins = LANDSCAPE_MARGINS
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        margins = PORTRAIT_MARGINS
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = margins
    section.footer_distance = Mm(10)


def text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "", dirty: bool = False) -> None:
    """A complex field (begin, instruction, separate, cached result, end)."""
    def fld_char(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin" and dirty:
            char.set(qn("w:dirty"), "true")
        run._r.append(char)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    if placeholder:
        paragraph.add_run(placeholder)
    fld_char("end")


def update_fields_on_open(doc) -> None:
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def page_number_footer(section) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.text = ""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" -")
    for run in paragraph.runs:
        run.font.size = Pt(9)


_AFTER_SHD = {qn(t) for t in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                               "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")}


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = tc_pr.find(qn("w:shd"))
    if shd is None:
        shd = OxmlElement("w:shd")
        later = [c for c in tc_pr if c.tag in _AFTER_SHD]
        if later:
            later[0].addprevious(shd)
        else:
            tc_pr.append(shd)
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#"))


def write_cell(cell: _Cell, text: str, *, bold: bool = False, size=TABLE_SIZE, align=None,
                fill: str | None = None, color: RGBColor | None = None, font: str | None = None) -> None:
    """Replace the cell's text; newlines become line breaks."""
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if align is not None:
        paragraph.alignment = align
    for i, line in enumerate(str(text).split("\n")):
        run = paragraph.add_run(line)
        if i:
            run._r.addprevious(line_break())
        run.bold = bold
        run.font.size = size
        if color is not None:
            run.font.color.rgb = color
        if font:
            set_fonts(run._r, font)
    if fill:
        shade(cell, fill)


def line_break():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def fixed_table(doc_or_cell, rows: int, widths: list[int]) -> Table:
    table = doc_or_cell.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False   # w:tblLayout fixed: the widths below hold
    cell_margins(table, top=Mm(0.6), bottom=Mm(0.6))
    for i, width in enumerate(widths):
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
    return table


def cell_margins(table: Table, *, top: int, bottom: int) -> None:
    """Default cell padding (w:tblCellMar, placed before w:tblLook as the schema wants)."""
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side, value in (("top", top), ("left", Mm(1.5)), ("bottom", bottom), ("right", Mm(1.5))):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(value / 635)))  # EMU -> twentieths of a point
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(mar)
    else:
        tbl_pr.append(mar)


def row_height(row, height: int) -> None:
    row.height = height


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    tr_pr.append(cant)


