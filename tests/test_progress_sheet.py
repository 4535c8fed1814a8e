"""Yearly values one per cell: year targets on the domain sheets, results in 進捗管理, typed input never lost,
unreadable input blocking its grade, xlplan 0.1 workbooks read and not written."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.cli.app import read_workbook
from xlplan.core.progress import plan_progress
from xlplan.layout import sheets as L
from xlplan.layout.legacy import LEGACY_MESSAGE
from xlplan.layout.ops import InsertRows, SetValues
from xlplan.operations import progress_ops

DATA = Path(__file__).resolve().parent / "data"
P = L.ProgressLayout()
T = P.table


def progress_row(grid, measure_id: str, kpi_no: int, fy_label: str) -> int:
    for row in range(T.first_row, len(grid)):
        r = grid[row]
        if r[T.col("progress.measure_id")] == measure_id and r[T.col("progress.kpi_no")] == kpi_no \
                and r[T.col("progress.fy")] == fy_label:
            return row
    raise AssertionError(f"no row for {measure_id} {kpi_no} {fy_label}")


def type_progress(book: Path, measure_id: str, kpi_no: int, fy_label: str, **values) -> int:
    grid = read_values(book)[L.PROGRESS]
    row = progress_row(grid, measure_id, kpi_no, fy_label)
    ops = [SetValues(L.PROGRESS, row, T.col(f"progress.{key}"), [[value]]) for key, value in values.items()]
    apply_ops(book, ops)
    return row


def cell_value(book: Path, sheet: str, row: int, col: int):
    grid = read_values(book)[sheet]
    return grid[row][col] if row < len(grid) and col < len(grid[row]) else None


# ------------------------------------------------------------------ one value per cell

def test_year_targets_are_one_per_cell_on_the_domain_sheet(sample_book):
    read = read_workbook(sample_book)
    rows = read.locator.measures["DG-01"]
    table = read.layout.domain_tables["電子行政"]
    assert table.cell(rows.kpi_rows[0], L.target_key(2029)) == "R5"     # the sample's 中間目標 R11: 8,000
    assert cell_value(sample_book, "電子行政", rows.kpi_rows[0], table.col(L.target_key(2029))) == 8000
    apply_ops(sample_book, [SetValues("電子行政", rows.kpi_rows[0], table.col(L.target_key(2027)), [["4,000"]])])
    assert read_workbook(sample_book).plan.measures[0].kpis[0].interim == {2027: 4000, 2029: 8000}


def test_actuals_statuses_comments_and_manual_grades_are_typed_in_progress(sample_book):
    type_progress(sample_book, "DG-01", 1, "令和9年度", actual=5000, comment="子育て手続を追加", next_steps="介護手続へ拡大")
    type_progress(sample_book, "DG-04", 1, "令和9年度", actual="一部実施")
    type_progress(sample_book, "DG-01", 2, "令和9年度", actual=50, manual_grade="B", reason="国の標準様式の公開が遅れたため")
    plan = read_workbook(sample_book).plan
    k1, k2 = plan.measures[0].kpis
    assert k1.actuals == {2027: 5000} and k1.comments == {2027: "子育て手続を追加"} and k1.next_steps == {2027: "介護手続へ拡大"}
    assert plan.measures[3].kpis[0].statuses == {2027: "一部実施"}
    assert k2.overrides[2027].grade == "B" and k2.overrides[2027].reason.startswith("国の標準様式")
    assert run("progress", sample_book, "--fy", "R9").exit_code == 0
    grid = read_values(sample_book)[L.PROGRESS]
    qualitative = grid[progress_row(grid, "DG-04", 1, "令和9年度")]
    assert qualitative[T.col("progress.actual")] == "一部実施" and qualitative[T.col("progress.grade")] == "B"   # 50% of 50%
    manual = grid[progress_row(grid, "DG-01", 2, "令和9年度")]
    assert manual[T.col("progress.grade")] == "B（手動）" and manual[T.col("progress.basis")].startswith("手動で評価: 国の標準様式")
    first = grid[progress_row(grid, "DG-01", 1, "令和9年度")]
    assert first[T.col("progress.expected")] == 4800 and first[T.col("progress.rate")] == 1.125
    assert first[T.col("progress.grade")] == "A" and first[T.col("progress.comment")] == "子育て手続を追加"


def test_regeneration_keeps_typed_input_when_kpis_move_and_is_idempotent(sample_book):
    type_progress(sample_book, "DG-01", 2, "令和10年度", actual=80, comment="窓口のオンライン化を前倒し")
    # a new KPI inserted above the typed one: its number changes from 2 to 3, its name stays
    read = read_workbook(sample_book)
    table = read.layout.domain_tables["電子行政"]
    rows = read.locator.measures["DG-01"]
    apply_ops(sample_book, [InsertRows("電子行政", rows.kpi_rows[1], 1),
                            SetValues("電子行政", rows.kpi_rows[1], 0, [["DG-01"]]),
                            SetValues("電子行政", rows.kpi_rows[1], table.col("kpi.name"), [["電子申請の満足度"]])])
    assert run("progress", sample_book).exit_code in (0, 1)
    grid = read_values(sample_book)[L.PROGRESS]
    moved = grid[progress_row(grid, "DG-01", 2, "令和10年度")]
    assert moved[T.col("progress.kpi_name")] == "電子申請の満足度" and moved[T.col("progress.actual")] in (None, "")
    # matched by 指標名 first: the input stays with 「オンライン申請が可能な手続数」 although that name is now on a new row
    kept = [r for r in grid[T.first_row:] if r[T.col("progress.comment")] == "窓口のオンライン化を前倒し"]
    assert len(kept) == 1 and kept[0][T.col("progress.kpi_name")] == "オンライン申請が可能な手続数"
    assert kept[0][T.col("progress.fy")] == "令和10年度" and kept[0][T.col("progress.actual")] == 80
    read = read_workbook(sample_book)
    assert progress_ops(read) == []          # nothing changed: nothing written


def test_input_whose_kpi_is_gone_moves_to_the_kept_sheet_with_a_warning(sample_book):
    row = type_progress(sample_book, "DG-02", 1, "令和9年度", actual=40, comment="事業者説明会を実施")
    read = read_workbook(sample_book)
    table = read.layout.domain_tables["電子行政"]
    first = read.locator.measures["DG-02"].first_row
    apply_ops(sample_book, [SetValues("電子行政", first, 0, [["DG-99"]])])   # the measure's ID changed
    read = read_workbook(sample_book)
    [warning] = [f for f in read.findings if f.code == "PROG-ORPHAN-INPUT"]
    assert warning.sheet == L.PROGRESS and warning.cell == T.cell(row, "progress.actual")
    assert run("progress", sample_book).exit_code == 0
    kept = read_values(sample_book)[L.ORPHANS]
    o = L.ORPHANS_TABLE
    entry = kept[o.first_row]
    assert entry[o.col("orphan.measure_id")] == "DG-02" and entry[o.col("orphan.actual")] == 40
    assert entry[o.col("orphan.comment")] == "事業者説明会を実施"
    read = read_workbook(sample_book)
    assert [f.code for f in read.findings if f.code.startswith("PROG-ORPHAN")] == ["PROG-ORPHANS-KEPT"]
    assert not any(r[T.col("progress.comment")] == "事業者説明会を実施" for r in read_values(sample_book)[L.PROGRESS][T.first_row:])
    del table


# ------------------------------------------------------------------ unreadable input blocks what depends on it

def test_an_unreadable_baseline_blocks_the_grade_and_the_commands_exit_1(sample_book, tmp_path):
    type_progress(sample_book, "DG-01", 1, "令和9年度", actual=5000)
    read = read_workbook(sample_book)
    table = read.layout.domain_tables["電子行政"]
    row = read.locator.measures["DG-01"].kpi_rows[0]
    cell = table.cell(row, "kpi.baseline_value")
    apply_ops(sample_book, [SetValues("電子行政", row, table.col("kpi.baseline_value"), [["#REF!"]])])
    read = read_workbook(sample_book)
    first = plan_progress(read.plan, 2027, errors=read.input_errors)[0]
    assert first.grade.code == "D" and first.note == f"評価できない（入力エラー: 電子行政!{cell}）"
    result = run("progress", sample_book, "--fy", "R9", "--no-write")
    assert result.exit_code == 1 and f"電子行政!{cell}" in result.output
    result = run("export", sample_book, "--json", tmp_path / "json")
    assert result.exit_code == 1 and f"電子行政!{cell}" in result.output


def test_an_unreadable_actual_is_named_in_progress(sample_book):
    row = type_progress(sample_book, "DG-01", 1, "令和9年度", actual="5000件くらい")
    result = run("progress", sample_book, "--fy", "R9")
    assert result.exit_code == 1 and f"{L.PROGRESS}!{T.cell(row, 'progress.actual')}" in result.output
    grid = read_values(sample_book)[L.PROGRESS]
    assert grid[row][T.col("progress.actual")] == "5000件くらい"      # kept as typed
    assert grid[row][T.col("progress.grade")] == "D"


# ------------------------------------------------------------------ xlplan 0.1 workbooks

def test_a_populated_xlplan_0_1_workbook_reads_its_packed_cells(tmp_path):
    book = tmp_path / "旧版.xlsm"
    book.write_bytes((DATA / "xlplan-0.1-sample.xlsm").read_bytes())
    read = read_workbook(book)
    assert read.legacy and read.findings == []
    k1, k2 = read.plan.measures[0].kpis
    assert k1.interim == {2029: 8000} and k1.actuals == {2027: 4100, 2028: 6200}
    assert k1.comments == {2027: "子育て手続を追加", 2028: "介護手続を追加\n受付件数が増加"} and k2.actuals == {2027: 60}
    assert read.plan.measures[3].kpis[0].statuses == {2027: "未達成", 2028: "達成"}    # 0.1's 0 / 1
    assert run("progress", book, "--fy", "R10", "--no-write").exit_code == 0
    assert run("validate", book, "--no-write").exit_code in (0, 1)


@pytest.mark.parametrize("command", [("validate",), ("schedule",), ("progress",), ("populate", "--all")])
def test_writing_to_an_xlplan_0_1_workbook_is_refused_naming_the_conversion(tmp_path, command):
    book = tmp_path / "旧版.xlsm"
    book.write_bytes((DATA / "xlplan-0.1-sample.xlsm").read_bytes())
    before = book.read_bytes()
    result = run(command[0], book, *command[1:])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "xlplan new 新しいブック.xlsm --from" in text
    assert book.read_bytes() == before
    assert "--from" in LEGACY_MESSAGE


# ------------------------------------------------------------------ the 工程表 with actuals

def name_of(row, layout) -> str:
    """The 工程表 breaks long names over lines to fit its column (wrap_text)."""
    return (row[layout.table.col("row.name")] or "").replace("\n", "")


def year_text(row, layout, fy: int) -> str:
    """A year cell's text as read, without the line breaks that fit it to the column."""
    return (row[layout.table.col(L.fy_key(fy))] or "").replace("\n", "")


def test_schedule_shows_year_targets_and_with_actuals_the_results(sample_book):
    type_progress(sample_book, "DG-01", 1, "令和9年度", actual=5000)
    assert run("schedule", sample_book).exit_code == 0
    layout = L.ScheduleLayout(tuple(range(2027, 2032)))
    grid = read_values(sample_book)[L.SCHEDULE]
    row = next(r for r in grid[layout.first_row:] if name_of(r, layout) == "マイナポータルの活用による各種申請の電子化促進")
    assert "☆8,000件" in year_text(row, layout, 2029)
    assert "★" not in year_text(row, layout, 2027)
    assert run("schedule", sample_book, "--actuals").exit_code == 0
    grid = read_values(sample_book)[L.SCHEDULE]
    row = next(r for r in grid[layout.first_row:] if name_of(r, layout) == "マイナポータルの活用による各種申請の電子化促進")
    assert "★5,000件（目安4,800件）A" in year_text(row, layout, 2027)
    assert "★ 実績（目安）評価" in grid[layout.legend_row]


# ------------------------------------------------------------------ 進捗管理を作成 regenerates, keeps B2

def test_progress_adds_rows_for_a_new_kpi_and_keeps_the_report_year(sample_book):
    apply_ops(sample_book, [SetValues(L.PROGRESS, *P.fy_cell, [["令和10年度"]])])
    read = read_workbook(sample_book)
    table = read.layout.domain_tables["電子行政"]
    last = read.locator.measures["DG-15"].kpi_rows[-1]
    apply_ops(sample_book, [SetValues("電子行政", last + 1, 0, [["DG-15"]]),
                            SetValues("電子行政", last + 1, table.col("kpi.name"), [["研修の受講者数"]])])
    read = read_workbook(sample_book)
    apply_ops(sample_book, progress_ops(read))
    grid = read_values(sample_book)[L.PROGRESS]
    assert grid[P.fy_cell[0]][P.fy_cell[1]] == "令和10年度"
    assert grid[P.summary_row][0].startswith("令和10年度の評価")
    assert sum(r[T.col("progress.kpi_name")] == "研修の受講者数" for r in grid[T.first_row:]) == 5
