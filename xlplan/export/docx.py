"""The plan document: a draft .docx following the 手引's 雛型.

Title page (計画名, 団体名, 計画期間 in 和暦), a table of contents (a TOC field
that Word fills in when the document is opened, plus a static list of the
seven chapters for viewers that do not update fields), then the 雛型's seven
chapters:

1 ○○市の現状及び課題, 2 …の目的, 3 …の位置付け, 4 …の推進体制,
5 官民データ活用の推進に関する施策の基本的な方針 (one subsection per pillar),
6 官民データ活用の推進に係る個別施策 (per pillar and domain, a table per
  measure; then the 工程表 and the 柱 × 分野 table on landscape pages),
7 セキュリティ及び個人情報の適正な取扱いの確保.

A4, Japanese fonts set as East Asian fonts on the styles (MS 明朝 / MS ゴシック
in Word; LibreOffice substitutes an installed Japanese font), page numbers in
the footer. Text the planner has not written yet shows as a grey placeholder.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from xlplan.core.coverage import coverage_matrix
from xlplan.core.fiscal import fy_header, period_label, short_wareki_fy, wareki_fy
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.schedule import kpi_baseline_text, kpi_target_text, schedule_rows
from xlplan.core.vocab import CONTINUE_MARK, MILESTONE_MARK, TARGET_MARK, Phase, Pillar
from xlplan.fileio import atomic_write_bytes
from xlplan.layout.styles import (
    PHASE_FILLS,
    SECTION_FILL,
    SUBSECTION_FILL,
    WARNING_FILL,
)

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

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
TOC_PLACEHOLDER = "（目次は、Word で文書を開いて「フィールドの更新」を行うと表示されます。）"

# Section 6's subsection headings per pillar, as the 手引 words them.
MEASURE_HEADINGS: dict[Pillar, str] = {
    Pillar.P10: "手続における情報通信の技術の利用等に係る取組",
    Pillar.P11: "官民データの容易な利用等に係る取組",
    Pillar.P13: "個人番号カードの普及及び活用に係る取組",
    Pillar.P14: "利用の機会等の格差の是正に係る取組",
    Pillar.P15: "情報システムに係る規格の整備及び互換性の確保等に係る取組",
    Pillar.P6: "その他（パーソナルデータの利活用、人材の育成等）に係る取組",
}

# Section 5's standard statement of each basic policy; the planner edits it in Word.
POLICY_TEXT: dict[Pillar, str] = {
    Pillar.P10: "行政手続は、住民や事業者が時間や場所を問わず行えるよう、オンラインで行うことを原則とし、"
                "押印や添付書類の見直しなど手続そのものの見直しと併せて、オンライン化を計画的に進める。",
    Pillar.P11: "{self}が保有する官民データについて、個人及び法人の権利利益等が害されることのないよう配慮しつつ、"
                "誰もが容易に利用できるよう、機械判読に適した形式でオープンデータとして公開し、その活用を促進する。",
    Pillar.P13: "マイナンバーカードの普及を図るとともに、カードを活用した行政サービスを広げ、住民の利便性の向上と事務の効率化を図る。",
    Pillar.P14: "地理的な制約、年齢、障害の有無等による情報通信技術の利用の機会や活用のための能力の格差の是正を図り、"
                "誰一人取り残されないデジタル化を進める。",
    Pillar.P15: "情報システムの標準化・共通化とクラウドの活用を進めて互換性を確保するとともに、業務の見直し（BPR）を併せて行い、"
                "行政運営の効率化を図る。",
    Pillar.P6: "パーソナルデータの適正な利活用のための環境整備、官民データの活用を担う人材の育成・確保、普及啓発等に取り組む。",
}

SECURITY_TEXT = (
    "{self}は、官民データの活用の推進に当たっては、サイバーセキュリティ基本法（平成26年法律第104号）、"
    "個人情報の保護に関する法律（平成15年法律第57号）その他の関係法令及びこれらに基づく国の指針等を遵守するとともに、"
    "{self}の情報セキュリティポリシー及び個人情報の保護に関する規程に基づき、次の取組により、"
    "情報セキュリティの確保及び個人情報の適正な取扱いを図る。"
)
SECURITY_ITEMS = (
    "情報セキュリティポリシーを、総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」を踏まえて適時に見直し、職員への研修・訓練を継続して実施する。",
    "情報システムの調達・構築・運用に当たっては、必要なセキュリティ対策を講じ、クラウドサービスの利用に当たってはその安全性を確認する。",
    "個人情報を取り扱う施策では、利用目的の特定と安全管理措置を徹底し、必要に応じて特定個人情報保護評価を実施する。",
    "オープンデータの公開に当たっては、個人情報や権利利益を害するおそれのある情報が含まれていないことを確認する。",
    "情報セキュリティインシデントに備えて対応体制を整え、発生時には速やかに対応し、再発防止を図る。",
)

LEGEND = "　".join(f"{p.symbol}{p.value}" for p in Phase) + (
    f"　{CONTINUE_MARK} 前年度と同じ段階　{TARGET_MARK} KPIの目標（目標年度）　{MILESTONE_MARK} マイルストーン")


# ------------------------------------------------------------------ titles

def plan_name(plan: Plan) -> str:
    return f"{plan.municipality}官民データ活用推進計画"


def section_titles(plan: Plan) -> list[str]:
    """The seven chapter titles of the 雛型, with the municipality's name."""
    name = plan_name(plan)
    return [
        f"{plan.municipality}の現状及び課題",
        f"{name}の目的",
        f"{name}の位置付け",
        f"{name}の推進体制",
        "官民データ活用の推進に関する施策の基本的な方針",
        "官民データ活用の推進に係る個別施策",
        "セキュリティ及び個人情報の適正な取扱いの確保",
    ]


def self_reference(municipality: str) -> str:
    """How the plan refers to its own body: 本市, 本町, 本村, 本区, 本県 …, else 本団体."""
    for suffix in ("市", "町", "村", "区", "県", "都", "府", "道"):
        if municipality.endswith(suffix):
            return f"本{suffix}"
    return "本団体"


def wareki_month(day: dt.date) -> str:
    """令和8年11月 for 2026-11-xx (calendar year, not fiscal year)."""
    if day >= dt.date(2019, 5, 1):
        era, year = "令和", day.year - 2018
    elif day >= dt.date(1989, 1, 8):
        era, year = "平成", day.year - 1988
    else:
        era, year = "昭和", day.year - 1925
    return f"{era}{'元' if year == 1 else year}年{day.month}月"


def _phase_runs(measure: Measure) -> str:
    """令和9年度 準備／令和10〜11年度 実施・運用／… : the schedule of one measure in a line."""
    runs: list[tuple[int, int, Phase]] = []
    for fy, phase in sorted(measure.schedule.items()):
        if runs and runs[-1][2] == phase and runs[-1][1] == fy - 1:
            runs[-1] = (runs[-1][0], fy, phase)
        else:
            runs.append((fy, fy, phase))
    parts = []
    for start, end, phase in runs:
        first, last = wareki_fy(start), wareki_fy(end)
        if start == end:
            years = first
        else:  # 令和10〜11年度; the era is repeated only when it changes
            years = f"{first.removesuffix('年度')}〜{last[2:] if first[:2] == last[:2] else last}"
        parts.append(f"{years} {phase.symbol}{phase.value}")
    return "／".join(parts)


def _kpi_target(k: Kpi) -> str:
    text = kpi_target_text(k)
    if k.target_fy is not None:
        text = f"{text}（{wareki_fy(k.target_fy)}）" if text else f"（{wareki_fy(k.target_fy)}）"
    if k.interim:
        unit = k.unit if k.target_value is not None else ""
        steps = "、".join(f"{short_wareki_fy(fy)} {_num(v)}{unit}" for fy, v in sorted(k.interim.items()))
        text += f"\n中間目標: {steps}"
    return text


_SPACE_AFTER_PUNCT = re.compile(r"(?<=[。、」』）])[ \u3000]+")


def tidy(text: str) -> str:
    """Drop the spaces YAML folding leaves after Japanese punctuation (「。 これにより」)."""
    return _SPACE_AFTER_PUNCT.sub("", text)


def split_title(title: str) -> tuple[str, str]:
    """「青葉台市官民データ活用推進計画（青葉台市DX推進計画）」 -> main title and the parenthetical subtitle."""
    if title.endswith("）") and "（" in title:
        main, _, sub = title.partition("（")
        if main:
            return main, f"（{sub}"
    return title, ""


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


# ------------------------------------------------------------------ low-level docx helpers

def _child(parent, tag: str, index: int | None = None):
    """The first child with the tag, created (appended, or inserted at index) when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if index is None:
            parent.append(found)
        else:
            parent.insert(index, found)
    return found


def _set_fonts(rpr_parent, font: str) -> None:
    """Explicit ascii/hAnsi/eastAsia fonts (theme font attributes removed, they would win).

    rpr_parent is a style, a run (w:r) or w:rPrDefault: anything that holds a w:rPr.
    """
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else _child(rpr_parent, "w:rPr")
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


def _setup_styles(doc) -> None:
    styles = doc.styles
    # Document defaults, so that tables and anything unstyled use the Japanese font too.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _set_fonts(rpr_default, BODY_FONT)
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, before in (("Heading 1", 14, 18), ("Heading 2", 12, 12), ("Heading 3", 11, 8), ("TOC Heading", 14, 0)):
        style = styles[name]
        _set_fonts(style.element, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = HEADING_COLOR
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "Footer", "Table Grid"):
        _set_fonts(styles[name].element, BODY_FONT)


def _setup_page(section, landscape: bool = False) -> None:
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


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str = "", dirty: bool = False) -> None:
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


def _update_fields_on_open(doc) -> None:
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def _page_number_footer(section) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.text = ""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    _add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" -")
    for run in paragraph.runs:
        run.font.size = Pt(9)


_AFTER_SHD = {qn(t) for t in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                               "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")}


def _shade(cell: _Cell, fill: str) -> None:
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


def _write_cell(cell: _Cell, text: str, *, bold: bool = False, size=TABLE_SIZE, align=None,
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
            run._r.addprevious(_break())
        run.bold = bold
        run.font.size = size
        if color is not None:
            run.font.color.rgb = color
        if font:
            _set_fonts(run._r, font)
    if fill:
        _shade(cell, fill)


def _break():
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def _fixed_table(doc_or_cell, rows: int, widths: list[int]) -> Table:
    table = doc_or_cell.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False   # w:tblLayout fixed: the widths below hold
    _cell_margins(table, top=Mm(0.6), bottom=Mm(0.6))
    for i, width in enumerate(widths):
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
    return table


def _cell_margins(table: Table, *, top: int, bottom: int) -> None:
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


def _row_height(row, height: int) -> None:
    row.height = height


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    tr_pr.append(cant)


# ------------------------------------------------------------------ the document

class _Writer:
    def __init__(self, plan: Plan, today: dt.date):
        self.plan = plan
        self.today = today
        self.doc = Document()
        self.titles = section_titles(plan)
        self.me = self_reference(plan.municipality)
        self.coverage = coverage_matrix(plan)

    # paragraphs ----------------------------------------------------------

    def heading(self, text: str, level: int) -> Paragraph:
        return self.doc.add_heading(text, level=level)

    def para(self, text: str, *, indent: bool = True, placeholder: str = "") -> None:
        """Body text; each line of text is a paragraph; empty text shows the placeholder in grey."""
        lines = [tidy(line.strip()) for line in text.splitlines() if line.strip()] if text else []
        if not lines and placeholder:
            run = self.doc.add_paragraph().add_run(placeholder)
            run.font.color.rgb = GREY
            return
        for line in lines:
            p = self.doc.add_paragraph(line)
            if indent:
                p.paragraph_format.first_line_indent = BODY_SIZE

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(text, style="List Bullet")

    def chapter(self, number: int) -> Paragraph:
        return self.heading(f"{number}　{self.titles[number - 1]}", 1)

    # parts ---------------------------------------------------------------

    def build(self) -> bytes:
        doc = self.doc
        _setup_styles(doc)
        section = doc.sections[0]
        _setup_page(section)
        section.different_first_page_header_footer = True
        _page_number_footer(section)
        self.title_page()
        self.contents()
        self.situation()
        self.purpose()
        self.position()
        self.structure()
        self.policies()
        self.measures()
        self.schedule_and_coverage()
        self.security()
        _update_fields_on_open(doc)
        props = doc.core_properties
        props.title = self.plan.title or plan_name(self.plan)
        props.author = self.plan.municipality
        props.subject = "官民データ活用推進計画"
        props.created = dt.datetime.combine(self.today, dt.time())
        props.modified = props.created
        props.last_modified_by = self.plan.municipality
        props.revision = 1
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()

    def title_page(self) -> None:
        plan = self.plan
        for _ in range(7):
            self.doc.add_paragraph()

        def centered(text: str, size: int, bold: bool = False, font: str = HEADING_FONT, after: int = 12) -> None:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(after)
            run = p.add_run(text)
            run.font.size = Pt(size)
            run.bold = bold
            _set_fonts(run._r, font)

        main, sub = split_title(plan.title or plan_name(plan))
        centered(main, 22, bold=True, after=8 if sub else 30)
        if sub:
            centered(sub, 15, bold=True, after=30)
        centered(f"計画期間　{period_label(plan.start_fy, plan.years, plan.start_month)}", 13, font=BODY_FONT, after=120)
        centered(wareki_month(self.today), 14, font=BODY_FONT)
        centered(f"{plan.prefecture}　{plan.municipality}" if plan.prefecture else plan.municipality, 16, bold=True)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        self.doc.add_paragraph("目次", style="TOC Heading")
        _add_field(self.doc.add_paragraph(), TOC_INSTRUCTION, TOC_PLACEHOLDER, dirty=True)
        p = self.doc.add_paragraph()
        p.paragraph_format.space_before = Pt(18)
        run = p.add_run("本計画の構成")
        run.bold = True
        _set_fonts(run._r, HEADING_FONT)
        for i, title in enumerate(self.titles, start=1):
            q = self.doc.add_paragraph(f"{i}　{title}")
            q.paragraph_format.left_indent = Mm(5)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def situation(self) -> None:
        self.chapter(1)
        self.para(self.plan.situation, placeholder="（基本情報の「現状及び課題」を記入すると、ここに入ります。"
                                                   "人口、ICTの利用状況、これまでの情報化の取組、データの活用で解決したい課題などを書きます。）")

    def purpose(self) -> None:
        self.chapter(2)
        self.para(self.plan.purpose, placeholder="（基本情報の「計画の目的」を記入すると、ここに入ります。）")

    def position(self) -> None:
        plan = self.plan
        self.chapter(3)
        self.heading("(1) 計画の位置付け", 2)
        if plan.roles:
            self.para("本計画は、次のとおり位置付ける。")
            for role in plan.roles:
                self.bullet(role)
        else:
            self.para("本計画は、官民データ活用推進基本法（平成28年法律第103号）第9条第3項に基づく市町村官民データ活用推進計画として定める。")
        self.heading("(2) 関連する計画との関係", 2)
        if plan.related_plans:
            self.para("本計画は、次の計画と整合を図りながら推進する。")
            widths = [Mm(80), Mm(50), Mm(35)]
            table = _fixed_table(self.doc, 1 + len(plan.related_plans), widths)
            for cell, text in zip(table.rows[0].cells, ("計画名", "計画期間", "本計画との関係")):
                _write_cell(cell, text, bold=True, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
            _repeat_header(table.rows[0])
            for row, rel in zip(table.rows[1:], plan.related_plans):
                _write_cell(row.cells[0], rel.name)
                _write_cell(row.cells[1], f"{wareki_fy(rel.start_fy)}〜{wareki_fy(rel.end_fy)}")
                _write_cell(row.cells[2], rel.relation)
        else:
            self.para("", placeholder="（基本情報の「関連する計画」に総合計画などを記入すると、ここに表で入ります。）")
        self.heading("(3) 計画期間", 2)
        self.para(f"本計画の計画期間は、{period_label(plan.start_fy, plan.years, plan.start_month)}とする。"
                  "なお、社会情勢の変化や国の動向、関連する計画の改定等を踏まえ、必要に応じて見直しを行う。")

    def structure(self) -> None:
        self.chapter(4)
        self.para(self.plan.structure, placeholder="（基本情報の「推進体制」を記入すると、ここに入ります。"
                                                   "庁内横断の推進組織、CIO、進捗管理（PDCA）と公表の方法などを書きます。）")

    def policies(self) -> None:
        self.chapter(5)
        self.para(f"{self.me}は、官民データ活用推進基本法に定める基本的施策を踏まえ、次の{len(Pillar)}つの方針に沿って施策を推進する。"
                  f"各方針に基づく個別施策は「6　{self.titles[5]}」に掲げる。")
        for i, pillar in enumerate(Pillar, start=1):
            self.heading(f"({i}) {pillar.info.heading}", 2)
            self.para(POLICY_TEXT[pillar].format(self=self.me))
            self.para(self._policy_summary(pillar))

    def _policy_summary(self, pillar: Pillar) -> str:
        measures = [m for m in self.plan.measures if m.pillar is pillar]
        if not measures:
            reason = self.coverage.pillar_skips.get(pillar)
            if reason:
                return f"本計画期間においては、この方針に基づく個別施策は定めない（理由: {reason}）。"
            return "この方針に基づく個別施策は、まだ定めていない。"
        per_domain = [(d, self.coverage.count(pillar, d)) for d in self.coverage.domains if self.coverage.count(pillar, d)]
        domains = "、".join(f"{d}（{n}件）" for d, n in per_domain)
        names = "」「".join(m.name or m.id for m in measures[:4])
        more = "など" if len(measures) > 4 else ""
        kpis = sum(len(m.kpis) for m in measures)
        return (f"この方針に基づき、{domains}の分野で計{len(measures)}件の施策に取り組む。"
                f"主な施策は「{names}」{more}であり、{kpis}件のKPIにより進捗を管理する。")

    def measures(self) -> None:
        plan = self.plan
        self.chapter(6)
        self.para("基本的な方針ごとに、分野別の個別施策を次のとおり定める。各施策には、内容、担当課、KPI（指標・現状値・目標値と目標年度）及び年度ごとの工程を示す。"
                  "全施策の工程は「(7) 工程表」に、方針と分野の対応は「(8) 柱と分野の対応表」にまとめる。")
        domain_order = {d: i for i, d in enumerate(self.coverage.domains)}
        for i, pillar in enumerate(Pillar, start=1):
            self.heading(f"({i}) {MEASURE_HEADINGS[pillar]}（{pillar.info.article}）", 2)
            measures = sorted((m for m in plan.measures if m.pillar is pillar), key=lambda m: domain_order.get(m.domain, 99))
            if not measures:
                self.para(self._policy_summary(pillar))
                continue
            last_domain = None
            for m in measures:
                if m.domain != last_domain:
                    self.heading(f"【{m.domain}】", 3)
                    last_domain = m.domain
                self.measure_table(m)
        unassigned = [m for m in plan.measures if m.pillar is None]
        if unassigned:
            self.heading("（柱が未入力の施策）", 2)
            for m in unassigned:
                self.measure_table(m)

    def measure_table(self, m: Measure) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(8)
        run = p.add_run(f"{m.id}　{m.name or '（施策名未入力）'}")
        run.bold = True
        _set_fonts(run._r, HEADING_FONT)
        width = _text_width(self.doc.sections[-1])
        label_w = Mm(26)
        rest = width - label_w
        widths = [label_w, int(rest * 0.44), int(rest * 0.28), rest - int(rest * 0.44) - int(rest * 0.28)]
        programs = [self._program_text(pid) for pid in m.programs]
        simple = [("施策名", m.name), ("内容", m.content), ("担当課", m.owner)]
        if programs:
            simple.append(("関連する国・県の施策", "\n".join(programs)))
        kpis = m.kpis or []
        tail = [("工程", self._schedule_text(m))]
        if m.notes:
            tail.append(("備考", m.notes))
        rows = len(simple) + 1 + max(len(kpis), 1) + len(tail)
        table = _fixed_table(self.doc, rows, widths)
        r = 0
        for label, text in simple:
            row = table.rows[r]
            _write_cell(row.cells[0], label, bold=True, fill=LABEL_FILL)
            merged = row.cells[1].merge(row.cells[3])
            _write_cell(merged, text or "（未入力）", color=None if text else GREY)
            _cant_split(row)
            r += 1
        kpi_first = r
        header = table.rows[r]
        for cell, text in zip(header.cells[1:], ("指標", "現状値", "目標値（目標年度）")):
            _write_cell(cell, text, bold=True, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
        r += 1
        for k in kpis:
            row = table.rows[r]
            _write_cell(row.cells[1], f"{k.name}\n（{k.kind.value}・{k.aggregation.value}・{k.direction.value}）")
            _write_cell(row.cells[2], kpi_baseline_text(k) or "—")
            _write_cell(row.cells[3], _kpi_target(k) or "—")
            _cant_split(row)
            r += 1
        if not kpis:
            row = table.rows[r]
            merged = row.cells[1].merge(row.cells[3])
            _write_cell(merged, "（KPIが未設定）", color=GREY)
            r += 1
        label_cell = table.cell(kpi_first, 0).merge(table.cell(r - 1, 0))
        _write_cell(label_cell, "KPI", bold=True, fill=LABEL_FILL)
        for label, text in tail:
            row = table.rows[r]
            _write_cell(row.cells[0], label, bold=True, fill=LABEL_FILL)
            merged = row.cells[1].merge(row.cells[3])
            _write_cell(merged, text or "（未入力）", color=None if text else GREY)
            _cant_split(row)
            r += 1

    def _program_text(self, program_id: str) -> str:
        p = self.plan.program(program_id)
        if p is None:
            return program_id
        extra = "、".join(x for x in (p.level, p.support_type) if x)
        return f"{p.name}（{extra}）" if extra else p.name

    def _schedule_text(self, m: Measure) -> str:
        lines = [_phase_runs(m)] if m.schedule else []
        for ms in sorted(m.milestones, key=lambda x: x.fy):
            when = getattr(ms, "when", None) or ""
            lines.append(f"{MILESTONE_MARK} {wareki_fy(ms.fy)}{when} {ms.label}")
        return "\n".join(lines)

    # landscape part: 工程表 and coverage ------------------------------------

    def schedule_and_coverage(self) -> None:
        plan = self.plan
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _setup_page(section, landscape=True)
        section.different_first_page_header_footer = False
        self.heading(f"(7) 工程表（{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）", 2)
        fys = plan.fiscal_years
        show_kpi = len(fys) <= 6
        fixed = [Mm(10), Mm(63), Mm(24)] + ([Mm(50)] if show_kpi else [])
        width = _text_width(section)
        fy_w = int((width - sum(fixed)) / max(len(fys), 1))
        widths = fixed + [fy_w] * len(fys)
        rows = schedule_rows(plan, parts=1)  # one cell per fiscal year, whatever the workbook's subdivision
        table = _fixed_table(self.doc, 1 + len(rows), widths)
        headers = ["No.", "施策名", "担当課"] + (["KPI（目標値・目標年度）"] if show_kpi else []) + [fy_header(fy) for fy in fys]
        for cell, text in zip(table.rows[0].cells, headers):
            _write_cell(cell, text, bold=True, size=SCHEDULE_SIZE, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
        _repeat_header(table.rows[0])
        ncols = len(widths)
        for row_obj, srow in zip(table.rows[1:], rows):
            _cant_split(row_obj)
            if srow.kind in ("section", "subsection"):
                merged = row_obj.cells[0].merge(row_obj.cells[ncols - 1])
                is_section = srow.kind == "section"
                _write_cell(merged, srow.title.strip(), bold=is_section, size=SCHEDULE_SIZE,
                            fill=SECTION_FILL if is_section else SUBSECTION_FILL,
                            color=RGBColor(0xFF, 0xFF, 0xFF) if is_section else None)
                merged.paragraphs[0].paragraph_format.keep_with_next = True  # no heading row alone at a page end
                continue
            m = srow.measure
            cells = row_obj.cells
            _write_cell(cells[0], str(srow.no), size=SCHEDULE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
            _write_cell(cells[1], m.name or m.id, size=SCHEDULE_SIZE)
            _write_cell(cells[2], m.owner, size=SCHEDULE_SIZE)
            col = 3
            if show_kpi:
                _write_cell(cells[3], "\n".join(f"{k.name}: {_kpi_target(k).split(chr(10))[0]}" for k in m.kpis),
                            size=Pt(7))
                col = 4
            for fy, cell in zip(fys, cells[col:]):
                ycell = srow.years.get(fy)
                phase = m.schedule.get(fy)
                _write_cell(cell, ycell.text if ycell else "", size=Pt(7), align=WD_ALIGN_PARAGRAPH.CENTER,
                            fill=PHASE_FILLS[phase] if phase else None)
        legend = self.doc.add_paragraph()
        legend.paragraph_format.space_before = Pt(4)
        run = legend.add_run(f"凡例: {LEGEND}")
        run.font.size = Pt(8)
        self.coverage_table()

    def coverage_table(self) -> None:
        cov = self.coverage
        p = self.heading("(8) 柱と分野の対応表", 2)
        p.paragraph_format.page_break_before = True
        self.para("基本的な方針（柱）と分野ごとの施策の数を示す。", indent=False)
        section = self.doc.sections[-1]
        width = _text_width(section)
        label_w, total_w = Mm(62), Mm(14)
        dom_w = int((width - label_w - total_w) / max(len(cov.domains), 1))
        table = _fixed_table(self.doc, len(cov.pillars) + 2, [label_w] + [dom_w] * len(cov.domains) + [total_w])
        unexplained_p = set(cov.unexplained_pillars)
        unexplained_d = set(cov.unexplained_domains)
        header = table.rows[0].cells
        _write_cell(header[0], "柱＼分野", bold=True, fill=HEADER_FILL)
        for cell, d in zip(header[1:], cov.domains):
            _write_cell(cell, d, bold=True, fill=WARNING_FILL if d in unexplained_d else HEADER_FILL,
                        align=WD_ALIGN_PARAGRAPH.CENTER)
        _write_cell(header[-1], "計", bold=True, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
        for row in table.rows:
            _row_height(row, Mm(8))
            for cell in row.cells:
                cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        for row, pillar in zip(table.rows[1:], cov.pillars):
            cells = row.cells
            warn = pillar in unexplained_p
            _write_cell(cells[0], pillar.value, fill=WARNING_FILL if warn else LABEL_FILL)
            for cell, d in zip(cells[1:], cov.domains):
                n = cov.count(pillar, d)
                _write_cell(cell, str(n) if n else "－", align=WD_ALIGN_PARAGRAPH.CENTER,
                            fill=WARNING_FILL if warn or d in unexplained_d else None)
            _write_cell(cells[-1], str(cov.row_total(pillar)), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        last = table.rows[-1].cells
        _write_cell(last[0], "計", bold=True, fill=LABEL_FILL)
        for cell, d in zip(last[1:], cov.domains):
            _write_cell(cell, str(cov.column_total(d)), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _write_cell(last[-1], str(cov.total), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        notes = [f"「{p.value}」: {reason}" for p, reason in cov.pillar_skips.items()]
        notes += [f"「{d}」: {reason}" for d, reason in cov.domain_skips.items()]
        if notes:
            self.para("施策を定めない柱・分野とその理由", indent=False)
            for note in notes:
                self.bullet(note)
        if unexplained_p or unexplained_d:
            missing = [p.value for p in cov.unexplained_pillars] + list(cov.unexplained_domains)
            self.para(f"※ 色を付けた柱・分野（{'、'.join(missing)}）には施策がなく、取り組まない理由も記載されていない。", indent=False)
        if cov.unassigned:
            self.para(f"※ 柱が未入力の施策（{'、'.join(cov.unassigned_ids)}）は表に含まない。", indent=False)

    def security(self) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _setup_page(section)
        section.different_first_page_header_footer = False
        self.chapter(7)
        self.para(SECURITY_TEXT.format(self=self.me))
        for item in SECURITY_ITEMS:
            self.bullet(item)


def docx_bytes(plan: Plan, *, today: dt.date | None = None) -> bytes:
    return _Writer(plan, today or dt.date.today()).build()


def export_docx(plan: Plan, path: Path, *, today: dt.date | None = None, overwrite: bool = True) -> Path:
    """Write the draft plan document to path (atomically); returns the path."""
    path = Path(path)
    atomic_write_bytes(path, docx_bytes(plan, today=today), overwrite=overwrite)
    return path
