"""The plan document's tables: a measure (its outline, then its KPIs), the 工程表 and the 柱 × 分野 table.

Every table is one date scope: with 和暦（西暦） its first date carries the 西暦.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from xlplan.core.coverage import CoverageMatrix
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.notation import Dates
from xlplan.core.schedule import schedule_rows
from xlplan.core.vocab import MILESTONE_MARK, UNKNOWN_BASELINE, Aggregation, Phase
from xlplan.export.docx_parts import (
    GREY,
    HEADER_FILL,
    LABEL_FILL,
    SCHEDULE_SIZE,
    cant_split,
    fixed_table,
    repeat_header,
    row_height,
    text_width,
    write_cell,
)
from xlplan.layout.styles import PHASE_FILLS, SECTION_FILL, SUBSECTION_FILL, WARNING_FILL

KPI_HEADERS = ("指標", "現状値（時点）", "目標値（年度）", "中間目標")
Public = Callable[[str], str]


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.15g}"


def kpi_value(k: Kpi, value: float) -> str:
    """15,000件; a yearly flow reads 年間15,000件 and a running total 累計1,200人 (not for rates)."""
    text = f"{_num(value)}{k.unit}"
    if k.unit not in ("%", "％", "割", "ポイント") and not k.unit.endswith("率"):
        if k.aggregation is Aggregation.ANNUAL:
            return f"年間{text}"
        if k.aggregation is Aggregation.CUMULATIVE:
            return f"累計{text}"
    return text


def kpi_baseline(k: Kpi, dates: Dates) -> str:
    """The value, then its time on the next line: 「3,200件\\n令和7年度」, 「45手続\\n令和8年3月31日時点」."""
    if k.baseline is None:
        return "—"
    value = UNKNOWN_BASELINE if k.baseline.value is None else kpi_value(k, k.baseline.value)
    if k.baseline.as_of_date:
        return f"{value}\n{dates.date(k.baseline.as_of_date)}時点"
    if k.baseline.as_of_fy:
        return f"{value}\n{dates.fy(k.baseline.as_of_fy)}"
    return value


def kpi_target(k: Kpi, dates: Dates, public: Public) -> str:
    text = kpi_value(k, k.target_value) if k.target_value is not None else public(k.target_text)
    if k.target_fy is not None:
        return f"{text}\n{dates.fy(k.target_fy)}" if text else dates.fy(k.target_fy)
    return text or "—"


def kpi_target_line(k: Kpi, dates: Dates, public: Public) -> str:
    """オンライン申請件数: 年間15,000件（令和13年度）."""
    value = kpi_value(k, k.target_value) if k.target_value is not None else public(k.target_text)
    when = f"（{dates.fy(k.target_fy)}）" if k.target_fy is not None else ""
    return f"{public(k.name)}: {value or '—'}{when}"


def kpi_interim(k: Kpi, dates: Dates) -> str:
    return "\n".join(f"{dates.fy(fy)}　{kpi_value(k, v)}" for fy, v in sorted(k.interim.items())) or "—"


def phase_runs(measure: Measure, dates: Dates) -> str:
    """令和9年度 △準備／令和10〜11年度 ■実施・運用／… : the schedule of one measure in a line."""
    runs: list[tuple[int, int, Phase]] = []
    steps = [(fy, phase) for fy, phases in sorted(measure.schedule.items()) for phase in phases]
    for fy, phase in steps:  # a year of 「検討→準備」 gives two steps; runs join the same phase in following years
        if runs and runs[-1][2] == phase and runs[-1][1] in (fy, fy - 1):
            runs[-1] = (runs[-1][0], fy, phase)
        else:
            runs.append((fy, fy, phase))
    return "／".join(f"{dates.fy_range(start, end)} {phase.symbol}{phase.value}" for start, end, phase in runs)


def schedule_text(measure: Measure, dates: Dates, public: Public) -> str:
    lines = [phase_runs(measure, dates)] if measure.schedule else []
    for ms in sorted(measure.milestones, key=lambda x: x.fy):
        when = f"（{ms.when}）" if ms.when else ""
        lines.append(f"{MILESTONE_MARK} {dates.fy(ms.fy)}{when} {public(ms.label)}")
    return "\n".join(lines)


def measure_outline(doc, m: Measure, rows: list[tuple[str, str]]) -> None:
    """Label | text rows (内容, 担当課, 関連する国・県の施策, 工程)."""
    width = text_width(doc.sections[-1])
    label_w = Mm(30)
    table = fixed_table(doc, len(rows), [label_w, width - label_w])
    for row, (label, text) in zip(table.rows, rows):
        write_cell(row.cells[0], label, bold=True, fill=LABEL_FILL)
        write_cell(row.cells[1], text or "（未入力）", color=None if text else GREY)
        cant_split(row)


def kpi_table(doc, m: Measure, dates: Dates, public: Public) -> None:
    """指標 | 現状値（時点） | 目標値（年度） | 中間目標, one row per KPI."""
    width = text_width(doc.sections[-1])
    widths = [int(width * 0.34), int(width * 0.21), int(width * 0.21)]
    widths.append(width - sum(widths))
    kpis = m.kpis
    table = fixed_table(doc, 1 + max(len(kpis), 1), widths)
    for cell, text in zip(table.rows[0].cells, KPI_HEADERS):
        write_cell(cell, text, bold=True, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
    repeat_header(table.rows[0])
    cant_split(table.rows[0])
    if not kpis:
        merged = table.cell(1, 0).merge(table.cell(1, 3))
        write_cell(merged, "（KPIが未設定）", color=GREY)
        return
    for row, k in zip(table.rows[1:], kpis):
        write_cell(row.cells[0], public(k.name) or "（指標名未入力）")
        write_cell(row.cells[1], kpi_baseline(k, dates))
        write_cell(row.cells[2], kpi_target(k, dates, public))
        write_cell(row.cells[3], kpi_interim(k, dates))
        cant_split(row)


def schedule_table(doc, plan: Plan, dates: Dates, public: Public) -> None:
    """The 工程表 on a landscape page: No. (= 施策 number), name, owner, KPI targets, one column per year."""
    section = doc.sections[-1]
    fys = plan.fiscal_years
    show_kpi = len(fys) <= 6
    fixed = [Mm(10), Mm(63), Mm(24)] + ([Mm(50)] if show_kpi else [])
    width = text_width(section)
    fy_w = int((width - sum(fixed)) / max(len(fys), 1))
    widths = fixed + [fy_w] * len(fys)
    rows = schedule_rows(plan, parts=1)  # one cell per fiscal year, whatever the workbook's subdivision
    dates = dates.scope().western_given()  # the year headers say both notations
    table = fixed_table(doc, 1 + len(rows), widths)
    headers = ["No.", "施策名", "担当課"] + (["KPI（目標値・目標年度）"] if show_kpi else []) + [dates.header(fy) for fy in fys]
    for cell, text in zip(table.rows[0].cells, headers):
        write_cell(cell, text, bold=True, size=SCHEDULE_SIZE, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
    repeat_header(table.rows[0])
    ncols = len(widths)
    for row_obj, srow in zip(table.rows[1:], rows):
        cant_split(row_obj)
        if srow.kind in ("section", "subsection"):
            merged = row_obj.cells[0].merge(row_obj.cells[ncols - 1])
            is_section = srow.kind == "section"
            write_cell(merged, srow.title.strip(), bold=is_section, size=SCHEDULE_SIZE,
                       fill=SECTION_FILL if is_section else SUBSECTION_FILL,
                       color=RGBColor(0xFF, 0xFF, 0xFF) if is_section else None)
            merged.paragraphs[0].paragraph_format.keep_with_next = True  # no heading row alone at a page end
            continue
        m = srow.measure
        cells = row_obj.cells
        write_cell(cells[0], str(srow.no), size=SCHEDULE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
        write_cell(cells[1], public(m.name) or f"施策{srow.no}", size=SCHEDULE_SIZE)
        write_cell(cells[2], m.owner, size=SCHEDULE_SIZE)
        col = 3
        if show_kpi:
            write_cell(cells[3], "\n".join(kpi_target_line(k, dates, public) for k in m.kpis), size=Pt(7))
            col = 4
        for fy, cell in zip(fys, cells[col:]):
            ycell = srow.years.get(fy)
            phase = m.last_phase(fy)
            write_cell(cell, public(ycell.text) if ycell else "", size=Pt(7), align=WD_ALIGN_PARAGRAPH.CENTER,
                       fill=PHASE_FILLS[phase] if phase else None)


def coverage_table(doc, cov: CoverageMatrix) -> None:
    """柱 × 分野: the number of measures, the totals; unexplained empty rows and columns shaded."""
    width = text_width(doc.sections[-1])
    label_w, total_w = Mm(70), Mm(14)
    dom_w = int((width - label_w - total_w) / max(len(cov.domains), 1))
    table = fixed_table(doc, len(cov.pillars) + 2, [label_w] + [dom_w] * len(cov.domains) + [total_w])
    unexplained_p = set(cov.unexplained_pillars)
    unexplained_d = set(cov.unexplained_domains)
    header = table.rows[0].cells
    write_cell(header[0], "柱＼分野", bold=True, fill=HEADER_FILL)
    for cell, d in zip(header[1:], cov.domains):
        write_cell(cell, d, bold=True, fill=WARNING_FILL if d in unexplained_d else HEADER_FILL,
                   align=WD_ALIGN_PARAGRAPH.CENTER)
    write_cell(header[-1], "計", bold=True, fill=HEADER_FILL, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in table.rows:
        row_height(row, Mm(8))
        for cell in row.cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    for row, pillar in zip(table.rows[1:], cov.pillars):
        cells = row.cells
        warn = pillar in unexplained_p
        write_cell(cells[0], pillar.title, fill=WARNING_FILL if warn else LABEL_FILL)
        for cell, d in zip(cells[1:], cov.domains):
            n = cov.count(pillar, d)
            write_cell(cell, str(n) if n else "－", align=WD_ALIGN_PARAGRAPH.CENTER,
                       fill=WARNING_FILL if warn or d in unexplained_d else None)
        write_cell(cells[-1], str(cov.row_total(pillar)), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    last = table.rows[-1].cells
    write_cell(last[0], "計", bold=True, fill=LABEL_FILL)
    for cell, d in zip(last[1:], cov.domains):
        write_cell(cell, str(cov.column_total(d)), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    write_cell(last[-1], str(cov.total), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
