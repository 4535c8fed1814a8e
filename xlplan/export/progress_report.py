"""進捗状況の報告書 (.docx): what a municipality publishes each year about its plan's KPIs.

Layout, as real progress pages do it (浜松市 「KPI及びその進捗状況」, 横浜市 取組状況):
title and purpose (本市/本県 …, the law's article for 団体種別); how grades are given
(the one formula, 目安, the scale's bands, the status ladder); a summary of grades by
柱 (readers look before they read); then per 柱 and 施策: the 担当課, each KPI's
table of 目安 and 実績 by fiscal year with the grade, the year's 実績の説明 and
今後の取組 (a manual grade marked 「（手動）」 with its 評価理由), and a small chart of
the target path against the actuals (a native Word chart, no image library).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xlplan.core.expectation import Period, kpi_decimals
from xlplan.core.fiscal import period_label, short_wareki_fy, wareki_fy
from xlplan.core.grading import GradeScale
from xlplan.core.model import Plan
from xlplan.core.progress import FORMULA_TEXT, InputErrors, KpiProgress, format_rate, plan_progress, plan_scale
from xlplan.core.schedule import kpi_baseline_text, kpi_target_text
from xlplan.core.statuses import LADDER_TEXT
from xlplan.core.vocab import Pillar
from xlplan.core.wording import law_citation, plan_kind, self_reference
from xlplan.export.docx_chart import Series, add_line_chart
from xlplan.fileio import atomic_write_bytes

FONT = "MS Gothic"
HEADER_FILL = "D9E1F2"
GREY = RGBColor(0x59, 0x59, 0x59)
EXPECTED_COLOR, ACTUAL_COLOR = "7F7F7F", "1F4E78"


def _plan_title(plan: Plan) -> str:
    return plan.title or f"{plan.municipality}官民データ活用推進計画"


def _font(run_or_style, size: float | None = None, bold: bool | None = None) -> None:
    rpr = run_or_style.element.get_or_add_rPr() if hasattr(run_or_style, "element") else run_or_style._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    target = run_or_style.font
    if size is not None:
        target.size = Pt(size)
    if bold is not None:
        target.bold = bold


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _table(doc, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float] | None = None,
           size: float = 8.5):
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if widths_mm:
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            _font(run, size, bold=r == 0)
            if r == 0:
                _shade(cell, HEADER_FILL)
            if widths_mm:
                cell.width = Mm(widths_mm[c])
    return table


def _para(doc, text: str, size: float = 10, bold: bool = False, color: RGBColor | None = None, style: str | None = None):
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(text)
    _font(run, size, bold)
    if color is not None:
        run.font.color.rgb = color
    return paragraph


def _heading(doc, text: str, level: int):
    heading = doc.add_heading(level=level)
    run = heading.add_run(text)
    _font(run, {1: 14, 2: 12, 3: 11}[level], True)
    run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    return heading


# ------------------------------------------------------------------ sections

def _method(doc, plan: Plan, scale: GradeScale) -> None:
    _heading(doc, "評価の方法", 1)
    for text in (
        f"達成率は、すべてのKPIで次の一つの式で計算しています（増加を目指す指標も減少を目指す指標も同じ式です）。　{FORMULA_TEXT}",
        "目安は、その年度に達しているべき値です。年度ごとの目標を定めた年度はその値、定めていない年度は、現状値から目標値までを"
        "計画開始からの月数で按分した値です（年度の途中に始まった計画の最初の年度は、その月数分だけを見込みます）。"
        "現状値のない年度値の指標は、毎年度の目標値を目安とします。達成率100%は「その年度の目安どおり」を表します。",
        "現状値が未把握のとき、目安が現状値と同じときは、実績÷目安（減少を目指す指標は目安÷実績）で比べます。",
        f"数値でない目標は、年度ごとの状況を次の割合として同じ式で評価します: {LADDER_TEXT}。",
        "評価の欄に「（手動）」とあるものは、計算による評価ではなく、理由を付けて手で評価したものです。",
    ):
        _para(doc, text, 9.5)
    rows = [[lv.code, lv.label, scale.band(lv)] for lv in scale.levels]
    _table(doc, ["評価", "内容", "基準"], rows, (18, 60, 80), 9)


def _summary(doc, plan: Plan, results: list[KpiProgress], scale: GradeScale, fy: int) -> None:
    _heading(doc, f"柱ごとの評価（{wareki_fy(fy)}）", 1)
    codes = [lv.code for lv in scale.levels]
    rows = []
    totals = dict.fromkeys(codes, 0)
    for pillar in [*Pillar, None]:
        mine = [r for r in results if r.measure.pillar == pillar]
        if not mine:
            continue
        counts = dict.fromkeys(codes, 0)
        for r in mine:
            counts[r.grade.code] = counts.get(r.grade.code, 0) + 1
            totals[r.grade.code] = totals.get(r.grade.code, 0) + 1
        rows.append([pillar.value if pillar else "柱が未入力", *(str(counts[c]) for c in codes), str(len(mine))])
    rows.append(["計", *(str(totals[c]) for c in codes), str(len(results))])
    width = 110 / (len(codes) + 1)
    _table(doc, ["柱", *codes, "KPI数"], rows, (50, *([width] * (len(codes) + 1))), 9)


def _kpi_block(doc, plan: Plan, period: Period, by_year: dict[int, KpiProgress], fy: int, charts: bool) -> None:
    r = by_year[fy]
    k = r.kpi
    years = [y for y in plan.fiscal_years if y <= max(fy, plan.start_fy)] or plan.fiscal_years[:1]
    shown = plan.fiscal_years
    _para(doc, f"指標: {k.name}", 10, True)
    target = kpi_target_text(k) + (f"（{wareki_fy(k.target_fy)}）" if k.target_fy else "")
    header = ["", *(f"{short_wareki_fy(y)}年度" for y in shown)]
    if r.qualitative:
        rows = [["目標（状況）", *(_qual_target(by_year.get(y)) for y in shown)],
                ["状況（実績）", *(by_year[y].actual_text if y in by_year and y in years else "" for y in shown)],
                ["評価", *(_grade_cell(by_year.get(y)) if y in years else "" for y in shown)]]
    else:
        rows = [["目安", *(by_year[y].expected_text if y in by_year else "" for y in shown)],
                ["実績", *(by_year[y].actual_text if y in by_year and y in years else "" for y in shown)],
                ["評価", *(_grade_cell(by_year.get(y)) if y in years else "" for y in shown)]]
    _para(doc, f"現状値: {kpi_baseline_text(k) or '—'}　目標: {target}", 9)
    _table(doc, header, rows, (22, *([max(14, 140 / len(shown))] * len(shown))), 8.5)
    manual = f"（手動）評価理由: {r.reason}" if r.manual else ""
    grade = f"{wareki_fy(fy)}の評価: {r.grade.code} {r.grade.label}{manual}"
    if r.rate is not None:
        grade += f"　達成率 {format_rate(r.rate)}"
    _para(doc, grade, 9.5, True)
    if not r.grade.rated and not r.manual:
        _para(doc, r.note, 8.5, color=GREY)
    _para(doc, f"実績の説明: {r.comment or '（記載なし）'}", 9.5)
    _para(doc, f"今後の取組: {r.next_steps or '（記載なし）'}", 9.5)
    if charts and not r.qualitative and any(by_year[y].actual is not None for y in years if y in by_year):
        places = kpi_decimals(k)
        expected = [by_year[y].expected if y in by_year else None for y in shown]
        actual = [by_year[y].actual if y in by_year and y in years else None for y in shown]
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_line_chart(doc, paragraph, f"{k.name}（{k.unit}）" if k.unit else k.name,
                       [f"{short_wareki_fy(y)}年度" for y in shown],
                       [Series("目安（目標への道筋）", expected, EXPECTED_COLOR, dashed=True, marker="diamond"),
                        Series("実績", [None if v is None else round(v, places + 3) for v in actual], ACTUAL_COLOR)])


def _qual_target(r: KpiProgress | None) -> str:
    """The year's own status target, else 達成 where the target is due, else the 目安 as a share."""
    if r is None:
        return ""
    if r.fy in r.kpi.interim_statuses:
        return r.kpi.interim_statuses[r.fy]
    if r.expected is None:
        return ""
    return "達成" if r.expected >= 100 else f"目安 {r.expected:g}%"


def _grade_cell(r: KpiProgress | None) -> str:
    if r is None or (r.actual is None and r.status is None and not r.manual):
        return ""
    return r.grade_text


# ------------------------------------------------------------------ the document

def progress_report(plan: Plan, fy: int, errors: InputErrors | None = None, charts: bool = True) -> bytes:
    """The report for one fiscal year, as .docx bytes."""
    scale = plan_scale(plan)
    period = Period.of(plan)
    by_kpi: dict[tuple[str, int], dict[int, KpiProgress]] = {}
    for y in sorted({*plan.fiscal_years, fy}):
        for r in plan_progress(plan, y, errors=errors):
            by_kpi.setdefault((r.measure.id, r.kpi_index), {})[y] = r
    results = [years[fy] for years in by_kpi.values()]
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(18)
    _font(doc.styles["Normal"], 10)
    title = _para(doc, f"{_plan_title(plan)}", 16, True)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = _para(doc, f"進捗状況（{wareki_fy(fy)}）", 14, True)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    me = self_reference(plan)
    _para(doc, f"{me}は、{law_citation(plan)}に基づく{plan_kind(plan)}として「{_plan_title(plan)}」"
               f"（計画期間: {period_label(plan.start_fy, plan.years, plan.start_month)}）を定め、施策ごとに指標（KPI）と目標を設けて"
               f"進捗を管理しています。{wareki_fy(fy)}の実績と評価をお知らせします。", 10)
    if plan.contact.department:
        contact = "　".join(x for x in (plan.contact.department, plan.contact.phone, plan.contact.email) if x)
        _para(doc, f"問い合わせ先: {contact}", 9, color=GREY)
    _summary(doc, plan, results, scale, fy)
    _method(doc, plan, scale)
    _heading(doc, "施策ごとの進捗", 1)
    for pillar in [*Pillar, None]:
        measures = [m for m in plan.measures if m.pillar == pillar and m.kpis]
        if not measures:
            continue
        _heading(doc, pillar.info.heading if pillar else "柱が未入力の施策", 2)
        for m in measures:
            _heading(doc, m.name or m.id, 3)
            _para(doc, f"担当課: {m.owner or '（未入力）'}", 9, color=GREY)
            for i in range(len(m.kpis)):
                _kpi_block(doc, plan, period, by_kpi[(m.id, i)], fy, charts)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def export_progress_report(plan: Plan, fy: int, path: Path, errors: InputErrors | None = None) -> Path:
    atomic_write_bytes(Path(path), progress_report(plan, fy, errors))
    return Path(path)



