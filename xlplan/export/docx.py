"""The plan document: a .docx that reads like a published municipal plan, following the 手引's 雛型.

Title page (計画名, 計画期間, 年月, 団体名), a table of contents (a TOC field that
already lists the headings; see docx_toc), then the 雛型's seven chapters:

1 ○○市の現状及び課題, 2 …の目的, 3 …の位置付け (legal basis by 団体種別, related
plans, 計画期間, 見直し), 4 …の推進体制, 5 官民データ活用の推進に関する施策の基本的な
方針 (one subsection per pillar), 6 官民データ活用の推進に係る個別施策 (per pillar and
domain, 「施策1」 headings, a KPI table per measure; then the 工程表 and the 柱 × 分野
table on landscape pages), 7 セキュリティ及び個人情報の適正な取扱いの確保; and the
問い合わせ先.

What a reader sees is the published wording: pillars have one title everywhere,
measures are numbered (施策1 …) instead of xlplan's IDs, and every date is in the
notation chosen in 基本情報 (core.notation). A4, page numbers in the footer; text the
planner has not written yet shows as a grey placeholder.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from xlplan.core.coverage import coverage_matrix
from xlplan.core.model import Measure, Plan
from xlplan.core.notation import Dates
from xlplan.core.vocab import Pillar
from xlplan.core.wording import legal_basis_phrase, self_reference
from xlplan.export.docx_parts import (
    BODY_FONT,
    BODY_SIZE,
    GREY,
    HEADING_FONT,
    NOTE_STYLE,
    fixed_table,
    page_number_footer,
    set_fonts,
    setup_page,
    setup_styles,
    text_width,
    update_fields_on_open,
    write_cell,
)
from xlplan.export.docx_tables import coverage_table, kpi_table, measure_outline, schedule_table, schedule_text
from xlplan.export.docx_text import (
    LEGEND,
    POLICY_TEXT,
    SECURITY_ITEMS,
    SECURITY_TEXT,
    TOC_NOTE,
    PublicText,
    measure_numbers,
    plan_name,
    section_titles,
    split_title,
    tidy,
)
from xlplan.export.docx_toc import TOC_INSTRUCTION, Contents
from xlplan.fileio import atomic_write_bytes

__all__ = ["TOC_INSTRUCTION", "docx_bytes", "export_docx", "plan_name", "section_titles", "split_title", "tidy"]


class _Writer:
    def __init__(self, plan: Plan, today: dt.date):
        self.plan = plan
        self.today = today
        self.doc = Document()
        self.titles = section_titles(plan)
        self.me = self_reference(plan)
        self.coverage = coverage_matrix(plan)
        self.dates = Dates(plan.date_style)
        self.numbers = measure_numbers(plan)
        self.public = PublicText(plan, self.dates, self.numbers)
        self.contents_ = Contents()

    # paragraphs ----------------------------------------------------------

    def heading(self, text: str, level: int) -> Paragraph:
        p = self.doc.add_heading(text, level=level)
        self.contents_.mark(p, level)
        return p

    def para(self, text: str, *, indent: bool = True, placeholder: str = "", clerk: bool = False) -> None:
        """Body text, each line a paragraph; a clerk's text is made public (IDs, dates); empty text shows the
        placeholder in grey."""
        made = self.public if clerk else (lambda t: t)
        lines = [made(line.strip()) for line in text.splitlines() if line.strip()] if text else []
        if not lines and placeholder:
            run = self.doc.add_paragraph().add_run(placeholder)
            run.font.color.rgb = GREY
            return
        for line in lines:
            p = self.doc.add_paragraph(line)
            if indent:
                p.paragraph_format.first_line_indent = BODY_SIZE

    def bullet(self, text: str, *, clerk: bool = False) -> None:
        self.doc.add_paragraph(self.public(text) if clerk else text, style="List Bullet")

    def chapter(self, number: int) -> Paragraph:
        return self.heading(f"{number}　{self.titles[number - 1]}", 1)

    def label(self, text: str, *, before: int = 8) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_before = Pt(before)
        p.paragraph_format.keep_with_next = True
        run = p.add_run(text)
        run.bold = True
        set_fonts(run._r, HEADING_FONT)

    # parts ---------------------------------------------------------------

    def build(self) -> bytes:
        doc = self.doc
        setup_styles(doc)
        section = doc.sections[0]
        setup_page(section)
        section.different_first_page_header_footer = True
        page_number_footer(section)
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
        self.contact()
        self.contents_.write()
        update_fields_on_open(doc)
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
            set_fonts(run._r, font)

        main, sub = split_title(self.public(plan.title) or plan_name(plan))
        centered(main, 22, bold=True, after=8 if sub else 30)
        if sub:
            centered(sub, 15, bold=True, after=30)
        centered(f"計画期間　{self.dates.scope().period(plan.start_fy, plan.years, plan.start_month)}", 12,
                 font=BODY_FONT, after=120)
        centered(self.dates.scope().month(self.today), 14, font=BODY_FONT)
        centered(f"{plan.prefecture}　{plan.municipality}" if plan.prefecture else plan.municipality, 16, bold=True)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        self.doc.add_paragraph("目次", style="TOC Heading")
        self.contents_.place(self.doc.add_paragraph(), int(text_width(self.doc.sections[-1]) / 635))
        self.doc.add_paragraph(TOC_NOTE, style=NOTE_STYLE)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def situation(self) -> None:
        self.chapter(1)
        self.para(self.plan.situation, clerk=True, placeholder="（基本情報の「現状及び課題」を記入すると、ここに入ります。"
                                                   "人口、ICTの利用状況、これまでの情報化の取組、データの活用で解決したい課題などを書きます。）")

    def purpose(self) -> None:
        self.chapter(2)
        self.para(self.plan.purpose, clerk=True, placeholder="（基本情報の「計画の目的」を記入すると、ここに入ります。）")

    def position(self) -> None:
        plan = self.plan
        self.chapter(3)
        self.heading("(1) 計画の位置付け", 2)
        basis = legal_basis_phrase(plan)
        # The legal basis is stated from 団体種別; a clerk's own line saying the same (第9条 …) is not repeated.
        roles = [r for r in plan.roles if "第9条" not in r and "第９条" not in r]
        self.para(f"本計画は、{basis}である。")
        if roles:
            self.para("また、本計画は、次の計画としても位置付ける。")
            for role in roles:
                self.bullet(role, clerk=True)
        self.heading("(2) 関連する計画との関係", 2)
        if plan.related_plans:
            self.para("本計画は、次の計画と整合を図りながら推進する。")
            dates = self.dates.scope()
            table = fixed_table(self.doc, 1 + len(plan.related_plans), [Mm(78), Mm(48), Mm(40)])
            for cell, text in zip(table.rows[0].cells, ("計画名", "計画期間", "本計画との関係")):
                write_cell(cell, text, bold=True, fill="D9E1F2", align=WD_ALIGN_PARAGRAPH.CENTER)
            for row, rel in zip(table.rows[1:], plan.related_plans):
                write_cell(row.cells[0], self.public(rel.name))
                write_cell(row.cells[1], dates.fy_range(rel.start_fy, rel.end_fy))
                write_cell(row.cells[2], self.public(rel.relation))
        else:
            self.para("", placeholder="（基本情報の「関連する計画」に総合計画などを記入すると、ここに表で入ります。）")
        self.heading("(3) 計画期間", 2)
        period = self.dates.scope().period(plan.start_fy, plan.years, plan.start_month)
        self.para(f"本計画の計画期間は、{period}とする。")
        self.heading("(4) 計画の見直し", 2)
        review = self.public(plan.review).rstrip("。")
        if review:
            self.para(f"本計画の見直しの時期は、{review}とする。このほか、社会情勢の変化や国の動向、"
                      "関連する計画の改定等を踏まえ、必要に応じて見直しを行う。")
        else:
            self.para("本計画は、社会情勢の変化や国の動向、関連する計画の改定等を踏まえ、必要に応じて見直しを行う。")
        self.para(f"本計画を策定し、又は変更したときは、{self.me}のウェブサイト等で速やかに公表する。")

    def structure(self) -> None:
        self.chapter(4)
        self.para(self.plan.structure, clerk=True, placeholder="（基本情報の「推進体制」を記入すると、ここに入ります。"
                                                   "庁内横断の推進組織、CIO、進捗管理（PDCA）と公表の方法などを書きます。）")

    def policies(self) -> None:
        self.chapter(5)
        self.para(f"{self.me}は、官民データ活用推進基本法に定める基本的施策を踏まえ、次の{len(Pillar)}つの方針に沿って施策を推進する。"
                  f"各方針に基づく個別施策は「6　{self.titles[5]}」に掲げる。")
        for i, pillar in enumerate(Pillar, start=1):
            self.heading(f"({i}) {pillar.title}", 2)
            self.para(POLICY_TEXT[pillar].format(self=self.me))
            self.para(self._policy_summary(pillar))

    def _name(self, m: Measure) -> str:
        return self.public(m.name) or f"施策{self.numbers.get(m.id, '')}"

    def _policy_summary(self, pillar: Pillar) -> str:
        measures = [m for m in self.plan.measures if m.pillar is pillar]
        if not measures:
            reason = self.coverage.pillar_skips.get(pillar)
            if reason:
                return f"本計画期間においては、この方針に基づく個別施策は定めない（理由: {self.public(reason)}）。"
            return "この方針に基づく個別施策は、まだ定めていない。"
        per_domain = [(d, self.coverage.count(pillar, d)) for d in self.coverage.domains if self.coverage.count(pillar, d)]
        domains = "、".join(f"{d}（{n}件）" for d, n in per_domain)
        names = "」「".join(self._name(m) for m in measures[:4])
        more = "など" if len(measures) > 4 else ""
        kpis = sum(len(m.kpis) for m in measures)
        return (f"この方針に基づき、{domains}の分野で計{len(measures)}件の施策に取り組む。"
                f"主な施策は「{names}」{more}であり、{kpis}件のKPIにより進捗を管理する。")

    def measures(self) -> None:
        plan = self.plan
        self.chapter(6)
        self.para("基本的な方針ごとに、分野別の個別施策を次のとおり定める。各施策には、内容、担当課、KPI（指標・現状値・目標値と目標年度）及び年度ごとの工程を示す。"
                  "全施策の工程は「(7) 工程表」に、方針と分野の対応は「(8) 柱と分野の対応表」にまとめる。")
        ordered = sorted(plan.measures, key=lambda m: self.numbers.get(m.id, 10**6))
        for i, pillar in enumerate(Pillar, start=1):
            self.heading(f"({i}) {pillar.title}", 2)
            measures = [m for m in ordered if m.pillar is pillar]
            if not measures:
                self.para(self._policy_summary(pillar))
                continue
            last_domain = None
            for m in measures:
                if m.domain != last_domain:
                    self.heading(f"【{m.domain}】", 3)
                    last_domain = m.domain
                self.measure(m)
        unassigned = [m for m in ordered if m.pillar is None]
        if unassigned:
            self.heading("（柱が未入力の施策）", 2)
            for m in unassigned:
                self.measure(m)

    def measure(self, m: Measure) -> None:
        self.heading(f"施策{self.numbers.get(m.id, '')}　{self.public(m.name) or '（施策名未入力）'}", 4)
        dates = self.dates.scope()
        rows = [("内容", self.public(m.content)), ("担当課", m.owner)]
        programs = [self._program_text(pid) for pid in m.programs]
        if programs:
            rows.append(("関連する国・県の施策", "\n".join(programs)))
        rows.append(("工程", schedule_text(m, dates, self.public)))
        if self.plan.cost_columns:   # the workbook has the columns 概算事業費（千円）・財源
            rows += self._cost_rows(m)
        measure_outline(self.doc, m, rows)
        self.label("KPI（重要業績評価指標）", before=4)
        kpi_table(self.doc, m, self.dates.scope(), self.public)

    def _cost_rows(self, m: Measure) -> list[tuple[str, str]]:
        cost = f"{m.cost:,.0f}千円" if m.cost is not None else ""
        # a program ID is shown by its name (as 関連する国・県の施策), a word (一般財源 …) as typed
        funding = "、".join(self._program_text(part) if self.plan.program(part) else part for part in m.funding)
        return [("概算事業費", cost), ("財源", funding)]

    def _program_text(self, program_id: str) -> str:
        p = self.plan.program(program_id)
        if p is None:
            return program_id
        extra = "、".join(x for x in (p.level, p.support_type) if x)
        return f"{p.name}（{extra}）" if extra else p.name

    # landscape part: 工程表 and coverage ------------------------------------

    def schedule_and_coverage(self) -> None:
        plan = self.plan
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        setup_page(section, landscape=True)
        section.different_first_page_header_footer = False
        self.heading(f"(7) 工程表　{self.dates.scope().fy_range(plan.start_fy, plan.end_fy)}", 2)
        self.para("施策の番号は、「6　官民データ活用の推進に係る個別施策」の施策の番号と同じである。", indent=False)
        schedule_table(self.doc, plan, self.dates, self.public)
        legend = self.doc.add_paragraph()
        legend.paragraph_format.space_before = Pt(4)
        run = legend.add_run(f"凡例: {LEGEND}")
        run.font.size = Pt(8)
        p = self.heading("(8) 柱と分野の対応表", 2)
        p.paragraph_format.page_break_before = True
        self.para("基本的な方針（柱）と分野ごとの施策の数を示す。", indent=False)
        cov = self.coverage
        coverage_table(self.doc, cov)
        notes = [f"「{p.title}」: {self.public(reason)}" for p, reason in cov.pillar_skips.items()]
        notes += [f"「{d}」: {self.public(reason)}" for d, reason in cov.domain_skips.items()]
        if notes:
            self.para("施策を定めない柱・分野とその理由", indent=False)
            for note in notes:
                self.bullet(note)
        if cov.unexplained_pillars or cov.unexplained_domains:
            missing = [p.title for p in cov.unexplained_pillars] + list(cov.unexplained_domains)
            self.para(f"※ 色を付けた柱・分野（{'、'.join(missing)}）には施策がなく、取り組まない理由も記載されていない。", indent=False)
        if cov.unassigned:
            names = "、".join(f"施策{self.numbers.get(i, '')}" for i in cov.unassigned_ids)
            self.para(f"※ 柱が未入力の施策（{names}）は表に含まない。", indent=False)

    def security(self) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        setup_page(section)
        section.different_first_page_header_footer = False
        self.chapter(7)
        self.para(SECURITY_TEXT.format(self=self.me))
        for item in SECURITY_ITEMS:
            self.bullet(item)

    def contact(self) -> None:
        """問い合わせ先 at the end: the 手引 asks plans to be published with one."""
        c = self.plan.contact
        self.label("問い合わせ先", before=36)
        lines = [f"{self.plan.municipality}　{c.department}".strip()] if c.department else []
        if c.phone:
            lines.append(f"電話　{c.phone}")
        if c.email:
            lines.append(f"メール　{c.email}")
        table = fixed_table(self.doc, 1, [Mm(110)])
        table.alignment = 0  # left, under the label
        if lines:
            write_cell(table.cell(0, 0), "\n".join(lines), size=BODY_SIZE)
        else:
            write_cell(table.cell(0, 0), "（基本情報の「問い合わせ先」（担当部署・電話・メール）を入力すると、ここに入ります。）",
                       color=GREY, size=BODY_SIZE)


def docx_bytes(plan: Plan, *, today: dt.date | None = None) -> bytes:
    return _Writer(plan, today or dt.date.today()).build()


def export_docx(plan: Plan, path: Path, *, today: dt.date | None = None, overwrite: bool = True) -> Path:
    """Write the plan document to path (atomically); returns the path."""
    path = Path(path)
    atomic_write_bytes(path, docx_bytes(plan, today=today), overwrite=overwrite)
    return path
