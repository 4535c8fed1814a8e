"""The 工程表 (スケジュール sheet) a clerk reads on screen and on paper.

柱 and 分野 only in the group rows, text that wraps without a lone 「）」, a filter on the
header, rows grouped by pillar so a section folds away (built and after a redraw),
the current year's column framed over the whole table, and marks that read in black
and white (symbols, not only fills).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, soffice
from lxml import etree

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.core.schedule import PHASE_CODES
from xlplan.core.vocab import CONTINUE_MARK, INTERIM_MARK, MILESTONE_MARK, TARGET_MARK, Phase, Pillar
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.layout.rowheight import wrap_text
from xlplan.layout.sheet_values import CURRENT_FY_MARK, legend_cells, schedule_outline, schedule_sheet_values
from xlplan.operations import schedule_ops
from xlplan.render import render

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
CLOSING = "）)」』］]"
OUT = ROOT / "out" / "schedule"


def sheet_xml(book: Path, sheet: str = L.SCHEDULE) -> etree._Element:
    with zipfile.ZipFile(book) as z:
        workbook = etree.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name") for s in workbook.find("m:sheets", NS)]
        return etree.fromstring(z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"))


def outline(root: etree._Element, first_row: int) -> dict[int, int]:
    """Excel row number -> outline level, for rows from first_row (0-based) down."""
    return {int(r.get("r")): int(r.get("outlineLevel", "0")) for r in root.iterfind(".//m:sheetData/m:row", NS)
            if int(r.get("r")) > first_row}


def redraw(book: Path, today: dt.date = dt.date(2028, 5, 1)):
    read = read_plan(read_values(book))
    apply_ops(book, schedule_ops(read, today=today))
    return read


def test_pillar_and_domain_are_said_once_by_the_group_rows(sample_book, sample_plan):
    read = redraw(sample_book)
    layout = read.layout.schedule
    grid = read_values(sample_book)[L.SCHEDULE]
    assert "柱" not in grid[layout.header_row] and "分野" not in grid[layout.header_row]
    kinds = [(r[layout.table.col("row.kind")], r[0]) for r in grid[layout.first_row:]]
    sections = [t for k, t in kinds if k == "section"]
    assert sections == [f"■ {p.title}" for p in Pillar]
    assert {t.strip() for k, t in kinds if k == "subsection"} == {m.domain for m in sample_plan.measures}


@pytest.mark.parametrize("text, width", [
    ("住民税の特別徴収税額通知（特別徴収義務者用）の電子化", 30),
    ("コンビニ交付（アクションプログラム（コンビニ交付導入促進））", 24),
    ("1,400,000人（令和13年度）", 16),
    ("全路線のGTFS-JPデータの公開と経路検索サービスへの掲載", 16),
])
def test_wrapped_lines_never_start_with_a_closing_bracket(text, width):
    lines = wrap_text(text, width).split("\n")
    assert "".join(lines) == text.replace(" ", "") or "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[0] in CLOSING for line in lines), lines
    assert not any(line[-1] in "（(「『［[" for line in lines), lines
    assert "（令和13年度）" in lines or "令和13年度" not in text   # a date is not split from its brackets


def test_every_cell_of_the_sheet_wraps_without_a_lone_closing_bracket(sample_plan):
    layout = L.ScheduleLayout(tuple(sample_plan.fiscal_years))
    values = schedule_sheet_values(sample_plan, layout, 2028)
    lines = [line for row in values[layout.first_row:] for v in row if isinstance(v, str) for line in v.split("\n")]
    assert lines and not [line for line in lines if line and line[0] in CLOSING]


def test_a_kpis_lines_stay_level_across_its_columns(sample_plan):
    layout = L.ScheduleLayout(tuple(sample_plan.fiscal_years))
    values = schedule_sheet_values(sample_plan, layout, 2028)
    t = layout.table
    for row in values[layout.first_row:]:
        if row[t.col("row.kind")] == "measure" and row[t.col("row.kpi")]:
            counts = {(row[t.col(k)] or "").count("\n") for k in ("row.kpi", "row.baseline", "row.target")}
            assert len(counts) == 1, [row[t.col(k)] for k in ("row.kpi", "row.baseline", "row.target")]


def test_the_header_has_a_filter(sample_book):
    layout = L.ScheduleLayout((2027, 2028, 2029, 2030, 2031))
    ref = sheet_xml(sample_book).find("m:autoFilter", NS).get("ref")
    assert ref.startswith(f"A{layout.header_row + 1}:")


def test_rows_fold_by_pillar_when_built_and_after_a_redraw(sample_book, sample_plan):
    layout = L.ScheduleLayout(tuple(sample_plan.fiscal_years))
    values = schedule_sheet_values(sample_plan, layout, 2027)
    expected = schedule_outline(values, layout)
    kinds = [r[layout.table.col("row.kind")] for r in values[layout.first_row:]]
    assert [lv for k, lv in zip(kinds, expected) if k == "section"] == [0] * len(Pillar)
    assert {lv for k, lv in zip(kinds, expected) if k == "subsection"} == {1}
    assert {lv for k, lv in zip(kinds, expected) if k == "measure"} == {2}
    root = sheet_xml(sample_book)
    assert root.find("m:sheetPr/m:outlinePr", NS).get("summaryBelow") == "0"   # the ［－］ beside the group row
    built = outline(root, layout.header_row)
    assert [built.get(layout.first_row + 1 + i, 0) for i in range(len(expected))] == expected
    assert root.find("m:sheetFormatPr", NS).get("outlineLevelRow") == "2"
    # A redraw of a smaller plan regroups its rows and leaves no stale group below.
    read = read_plan(read_values(sample_book))
    smaller = read.plan.model_copy(update={"measures": read.plan.measures[:3]})
    values = schedule_sheet_values(smaller, layout, 2027)
    from xlplan.layout.ops import OutlineRows, ReplaceValues

    apply_ops(sample_book, [ReplaceValues(L.SCHEDULE, 0, values),
                            OutlineRows(L.SCHEDULE, layout.first_row, tuple(schedule_outline(values, layout)))])
    after = outline(sheet_xml(sample_book), layout.header_row)
    n = len(values) - layout.first_row
    assert [after.get(layout.first_row + 1 + i, 0) for i in range(n)] == schedule_outline(values, layout)
    assert not [r for r, lv in after.items() if r > layout.first_row + n and lv]


def test_redraw_writes_the_outline_too(sample_book):
    read = redraw(sample_book)
    layout = read.layout.schedule
    values = read_values(sample_book)[L.SCHEDULE]
    levels = outline(sheet_xml(sample_book), layout.header_row)
    kinds = [r[layout.table.col("row.kind")] for r in values[layout.first_row:]]
    assert [levels.get(layout.first_row + 1 + i, 0) for i in range(len(kinds))] == schedule_outline(values, layout)


def test_the_current_year_is_framed_over_the_whole_table(sample_book):
    layout = L.ScheduleLayout((2027, 2028, 2029, 2030, 2031))
    root = sheet_xml(sample_book)
    fy0 = layout.table.letter("fy:2027")
    now = f'{fy0}${layout.marker_row + 1}<>""'
    rules = {cf.get("sqref"): [r.findtext("m:formula", namespaces=NS) for r in cf.iterfind("m:cfRule", NS)]
             for cf in root.iterfind("m:conditionalFormatting", NS)}
    fy_block = next(v for k, v in rules.items() if k.startswith(f"{fy0}{layout.first_row + 1}:"))
    framed = [f for f in fy_block if now in f]
    # every kind of row in the year columns has its framed variant, ahead of the plain one (first match wins)
    assert any('"section"' in f for f in framed) and any('"subsection"' in f for f in framed)
    for phase in Phase:
        assert any(f"={PHASE_CODES[phase]}" in f for f in framed), phase
    assert len(framed) == 2 + len(Phase) + 1
    assert fy_block.index(framed[0]) < fy_block.index(next(f for f in fy_block if f not in framed))
    header = next(v for k, v in rules.items() if k.startswith(f"{fy0}{layout.header_row + 1}:"))
    assert header == [now]
    redraw(sample_book, dt.date(2028, 5, 1))
    marker = read_values(sample_book)[L.SCHEDULE][layout.marker_row]
    assert [i for i, v in enumerate(marker) if v == CURRENT_FY_MARK] == [layout.table.col("fy:2028")]


def test_marks_read_in_black_and_white(sample_plan):
    """Every phase has its own symbol; the legend and every year cell carry it (fills only add colour)."""
    symbols = [p.symbol for p in Phase]
    assert len(set(symbols)) == len(Phase)
    legend = legend_cells()
    assert legend[0] == "凡例" and [c[0] for c in legend[1:1 + len(Phase)]] == symbols
    assert {c[0] for c in legend[1 + len(Phase):]} == {CONTINUE_MARK, INTERIM_MARK, TARGET_MARK, MILESTONE_MARK}
    layout = L.ScheduleLayout(tuple(sample_plan.fiscal_years))
    values = schedule_sheet_values(sample_plan, layout, 2028)
    t = layout.table
    code_of = {v: k for k, v in PHASE_CODES.items()}
    for row in values[layout.first_row:]:
        for fy in sample_plan.fiscal_years:
            text, code = row[t.col(f"fy:{fy}")], row[t.col(f"code:fy:{fy}")]
            if code:   # a filled cell says its phase with a symbol (or → for the same phase as the year before)
                assert text and text.split("\n")[0] in (f"{code_of[code].symbol}{code_of[code].value}", CONTINUE_MARK)


def test_grades_carry_their_code_not_only_a_colour(sample_plan):
    """進捗管理 v2: the 評価 cell says the grade's code (A, B …); its colour only follows it."""
    from xlplan.core.grading import DEFAULT_SCALE
    from xlplan.layout.progress_values import progress_table

    plan = sample_plan.model_copy(deep=True)
    plan.measures[0].kpis[0].actuals[2027] = 8800
    layout = L.ProgressLayout()
    rows = progress_table(plan, report_fy=2027)
    grade_col = layout.table.col("progress.grade")
    assert layout.table.columns[grade_col].header == "評価"
    grades = {row[grade_col] for row in rows if row[grade_col]}
    assert grades and grades <= {lv.code for lv in DEFAULT_SCALE.levels}


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is needed to render the sheet")
def test_the_printed_sheet_has_no_lone_closing_bracket_and_shows_the_current_year(sample_book):
    redraw(sample_book)
    pdf, pngs = render(sample_book, [L.SCHEDULE], OUT, stem="schedule_2028", dpi=70)
    assert pngs
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lone = [line for line in text.splitlines() if re.search(r"(^|\s{2,})[）)」』]", line)]
    assert not lone, lone[:3]
    assert CURRENT_FY_MARK in text and "凡例" in text
    assert not re.search(r"\d{4}/\d{1,2}/\d{1,2}", text) and not re.search(r"(?<![A-Za-z])R\d{1,2}(?!\d)", text)


def test_live_excel_groups_rows_with_one_call_per_block_not_per_row(monkeypatch):
    """Through Excel's object model (COM): clear the outline once, then one OutlineLevel per run of rows."""
    from types import SimpleNamespace

    from xlplan.adapters.xlwings_live import apply_ops_live
    from xlplan.layout.ops import OutlineRows

    calls: list[tuple] = []

    class Rows:
        def __init__(self, ref):
            self.ref = ref

        def ClearOutline(self):   # noqa: N802 (Excel's name)
            calls.append(("clear", self.ref))

        def __setattr__(self, name, value):
            if name == "OutlineLevel":
                calls.append(("level", self.ref, value))
            object.__setattr__(self, name, value)

    sheet = SimpleNamespace(api=SimpleNamespace(Rows=Rows), used_range=SimpleNamespace(row=1, shape=(40, 10)))
    engine = SimpleNamespace(name="com", type="desktop")
    book = SimpleNamespace(sheets={L.SCHEDULE: sheet}, name="計画.xlsm", app=SimpleNamespace(engine=engine))
    levels = (0, 1, 2, 2, 2, 1, 2, 0, 1, 2)
    from xlplan.adapters import xlwings_live

    monkeypatch.setattr(xlwings_live, "check_writable", lambda book, sheets: None)
    apply_ops_live(book, [OutlineRows(L.SCHEDULE, 5, levels)])
    assert calls[0] == ("clear", "6:40")
    assert calls[1:] == [("level", "7:7", 2), ("level", "8:10", 3), ("level", "11:11", 2), ("level", "12:12", 3),
                         ("level", "14:14", 2), ("level", "15:15", 3)]
