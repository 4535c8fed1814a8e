"""The CLI end to end on real files: new, dump, validate, populate, schedule, catalog, demo."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from xlplan.adapters.xlsx_file import read_values
from xlplan.builder.workbook import workbook_plan
from xlplan.cli import app
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.catalog_data import load_catalog
from xlplan.planfile import parse_plan

from conftest import SAMPLE

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_part(path: Path, sheet: str) -> str:
    from xlplan.adapters.package import sheet_part_map

    with zipfile.ZipFile(path) as z:
        return sheet_part_map(z)[sheet]


def test_catalog_json_lists_the_44_seed_items_then_the_dx_priorities(catalog):
    result = run("catalog", "--format", "json")
    items = json.loads(result.output)
    assert [i["id"] for i in items][:44] == [f"C{n:02d}" for n in range(1, 45)]
    assert [i["id"] for i in items][44:] == [m.id for m in catalog.measures[44:]] and items[44]["id"] == "D01"
    assert items[2]["seed_text"] == "タブレットを活用した行卯手続の電子化の取り組み"
    assert items[0]["summary"] and items[0]["owner"] and items[0]["kpis"]
    programs = json.loads(run("catalog", "--programs", "--format", "json").output)
    assert len(programs) == len(catalog.programs)


def test_new_with_japanese_names_then_dump_gives_the_plan(tmp_path):
    out = tmp_path / "サンプル市" / "サンプル市 計画.xlsm"
    result = run("new", out, "--municipality", "サンプル市", "--start-fy", "令和9年度", "--years", "5")
    assert result.exit_code == 0, result.output
    dumped = parse_plan(run("dump", out, "--format", "yaml").output)
    assert dumped.municipality == "サンプル市"
    assert dumped.fiscal_years == [2027, 2028, 2029, 2030, 2031]
    assert dumped.measures == []
    assert dumped.programs == load_catalog().programs
    # the xlwings.conf sheet points at the per-user standard place, not at the Python that ran the command
    conf = {r[0]: r[1] for r in read_values(out)[L.XLWINGS_CONF] if r and r[0]}
    assert conf["Interpreter_Win"] == r"%LOCALAPPDATA%\xlplan\venv\Scripts\python.exe"
    # refuses to overwrite without --force
    again = run("new", out, "--municipality", "サンプル市", "--start-fy", "R9")
    assert again.exit_code == 2 and "--force" in again.output


def test_new_from_plan_file_round_trips(tmp_path, sample_plan, catalog):
    out = tmp_path / "青葉台市.xlsm"
    assert run("new", out, "--from", SAMPLE).exit_code == 0
    dumped = parse_plan(run("dump", out, "--format", "json").output)
    assert dumped == workbook_plan(sample_plan, catalog)


def test_new_rejects_a_bad_plan_file_in_japanese(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("municipality: x\nstart_fy: 令和\n", encoding="utf-8")
    result = run("new", tmp_path / "x.xlsm", "--from", bad)
    assert result.exit_code == 2
    assert "start_fy" in result.output and "「令和」" in result.output


def test_validate_sample_exits_0_with_only_the_intended_warnings(sample_book):
    result = run("validate", sample_book, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert {f["severity"] for f in findings} <= {"warning"}
    assert {f["code"] for f in findings} == {"PLAN-RELATED-PERIOD", "PROG-EXPIRED"}
    assert all(set(f) == {"code", "severity", "sheet", "cell", "measure_id", "message"} for f in findings)


def test_validate_flags_a_kpi_target_outside_the_period(tmp_path, sample_plan):
    plan = sample_plan.model_copy(deep=True)
    kpi = plan.measures[0].kpis[0]
    kpi.target_fy = 2035
    src = tmp_path / "plan.yaml"
    src.write_text(yaml.safe_dump(plan.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    book = tmp_path / "範囲外.xlsm"
    assert run("new", book, "--from", src).exit_code == 0
    result = run("validate", book, "--format", "json")
    assert result.exit_code == 1
    hits = [f for f in json.loads(result.output) if f["code"] == "KPI-TARGET-FY-OUTSIDE"]
    read = read_plan(read_values(book))
    rows = read.locator.measures[plan.measures[0].id]
    target_col = read.layout.domain_tables[plan.measures[0].domain].letter("kpi.target_fy")
    assert hits == [{**hits[0], "sheet": plan.measures[0].domain, "cell": f"{target_col}{rows.kpi_rows[0] + 1}",
                     "measure_id": plan.measures[0].id}]
    # the findings sheet lists it with a link, and its key drives the red mark
    findings_sheet = read_values(book)[L.FINDINGS]
    keys = [r[L.FINDINGS_TABLE.col("finding.error_key")] for r in findings_sheet[L.FINDINGS_TABLE.first_row:]]
    assert f"{plan.measures[0].domain}!{target_col}{rows.kpi_rows[0] + 1}" in keys


def test_validate_writes_only_the_findings_and_coverage_sheets(sample_book):
    before = parts(sample_book)
    assert run("validate", sample_book).exit_code == 0
    after = parts(sample_book)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= {sheet_part(sample_book, L.FINDINGS), sheet_part(sample_book, L.COVERAGE)}
    assert sheet_part(sample_book, L.FINDINGS) in changed
    assert run("validate", sample_book).exit_code == 0
    assert parts(sample_book) == after  # twice equals once


def test_validate_unreadable_file_exits_2_in_japanese(tmp_path):
    path = tmp_path / "壊れた.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    assert "Excel ブック" in result.output


def test_populate_adds_under_the_pillar_and_twice_equals_once(sample_book):
    first = run("populate", sample_book, "--ids", "C03,C05,C07")
    assert first.exit_code == 0, first.output
    after_once = parts(sample_book)
    second = run("populate", sample_book, "--ids", "C03,C05,C07")
    assert "0件を追加しました" in second.output
    assert parts(sample_book) == after_once
    read = read_plan(read_values(sample_book))
    added = {m.catalog_id: m for m in read.plan.measures if m.catalog_id in {"C03", "C05", "C07"}}
    assert set(added) == {"C03", "C05", "C07"}
    # each sits inside its pillar's group on its domain sheet
    on_sheet = [m for m in read.plan.measures if m.domain == "電子行政"]
    orders = [m.pillar.order for m in on_sheet]
    assert orders == sorted(orders)


def test_populate_never_moves_a_users_cell_away_from_its_measure(sample_book):
    before = read_plan(read_values(sample_book)).plan
    assert run("populate", sample_book, "--ids", "C02").exit_code == 0
    after = read_plan(read_values(sample_book)).plan
    old = {m.id: m for m in before.measures}
    for m in after.measures:
        if m.id in old:
            assert m == old[m.id]  # every existing measure, with all its KPI rows, unchanged


def test_populate_selected_uses_the_ticks(sample_book):
    result = run("populate", sample_book, "--selected")
    assert result.exit_code == 2 and "○" in result.output


def test_schedule_is_idempotent_and_owns_only_its_sheet(sample_book):
    before = parts(sample_book)
    assert run("schedule", sample_book).exit_code == 0
    once = parts(sample_book)
    assert run("schedule", sample_book).exit_code == 0
    assert parts(sample_book) == once
    changed = {n for n in before if before[n] != once[n]}
    assert changed <= {sheet_part(sample_book, L.SCHEDULE), sheet_part(sample_book, L.FINDINGS),
                       sheet_part(sample_book, L.COVERAGE)}


def test_schedule_draws_every_measure_with_wareki_headers(sample_book, sample_plan):
    assert run("schedule", sample_book).exit_code == 0
    grid = read_values(sample_book)[L.SCHEDULE]
    table = L.ScheduleLayout(tuple(sample_plan.fiscal_years)).table
    header = grid[table.header_row]
    assert header[table.col("fy:2027")] == "令和9年度\n(2027)"
    assert header[table.col("fy:2031")] == "令和13年度\n(2031)"
    names = [r[table.col("row.name")] for r in grid[table.first_row:] if r[table.col("row.kind")] == "measure"]
    assert sorted(n.replace("\n", "") for n in names) == sorted(m.name for m in sample_plan.measures)  # wrapped
    assert grid[2][0] == "凡例"


@pytest.mark.parametrize("group_by", ["pillar", "domain"])
def test_schedule_group_by_option(sample_book, group_by):
    assert run("schedule", sample_book, "--group-by", group_by).exit_code == 0
    grid = read_values(sample_book)[L.SCHEDULE]
    first_section = next(r[0] for r in grid[5:] if r[0] and str(r[0]).startswith("■"))
    assert ("条" in first_section) == (group_by == "pillar")


def test_output_option_leaves_the_original_untouched(sample_book, tmp_path):
    before = sample_book.read_bytes()
    target = tmp_path / "出力.xlsm"
    assert run("schedule", sample_book, "-o", target).exit_code == 0
    assert sample_book.read_bytes() == before
    assert target.exists()


def test_demo_runs_end_to_end(tmp_path):
    result = subprocess.run([sys.executable, "-m", "xlplan", "demo", "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "工程表を描画" in result.stdout
    books = list(tmp_path.glob("*.xlsm"))
    assert len(books) == 1
    with zipfile.ZipFile(io.BytesIO(books[0].read_bytes())) as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_current_fiscal_year_is_marked_when_inside_the_period(sample_book):
    import datetime as dt

    from xlplan.adapters.package import apply_ops
    from xlplan.operations import schedule_ops
    from xlplan.layout.sheet_values import CURRENT_FY_MARK

    read = read_plan(read_values(sample_book))
    apply_ops(sample_book, schedule_ops(read, today=dt.date(2028, 5, 1)))
    layout = read.layout.schedule
    marker = read_values(sample_book)[L.SCHEDULE][layout.marker_row]
    assert marker[layout.table.col("fy:2028")] == CURRENT_FY_MARK
    assert [v for v in marker if v] == [CURRENT_FY_MARK]


def test_json_schema_in_docs_is_current():
    from xlplan.planfile import plan_json_schema

    committed = json.loads((Path(__file__).resolve().parents[1] / "docs" / "plan.schema.json").read_text(encoding="utf-8"))
    assert committed == plan_json_schema(), "run `xlplan schema docs/plan.schema.json --force`"


@pytest.mark.parametrize("subdivision,parts", [("半期", 2), ("四半期", 4)])
def test_schedule_subdivided_into_halves_or_quarters(tmp_path, subdivision, parts):
    book = tmp_path / f"{subdivision}.xlsm"
    assert run("new", book, "--from", SAMPLE, "--subdivision", subdivision).exit_code == 0
    read = read_plan(read_values(book))
    assert read.findings == [] and read.plan.subdivision.value == subdivision
    assert run("schedule", book).exit_code == 0
    layout = L.ScheduleLayout((2027, 2028, 2029, 2030, 2031), read.plan.subdivision)
    grid = read_values(book)[L.SCHEDULE]
    headers = grid[layout.header_row]
    keys = [layout.slot_key(fy, p) for fy, p in layout.slots()]
    assert len(keys) == 5 * parts
    assert headers[layout.table.col(keys[-1])].endswith("下期" if parts == 2 else "1-3月")
    # a KPI target sits in the last part of its year
    m = read.plan.measures[0]
    target_fy = m.kpis[0].target_fy
    row = next(r for r in grid[layout.first_row:] if (r[layout.table.col("row.name")] or "").replace("\n", "") == m.name)
    assert "◎" in (row[layout.table.col(layout.slot_key(target_fy, parts))] or "")
    assert "◎" not in (row[layout.table.col(layout.slot_key(target_fy, 1))] or "")


def test_changing_the_subdivision_after_building_asks_for_a_rebuild(sample_book):
    from xlplan.adapters.package import apply_ops
    from xlplan.layout.ops import SetValues

    row = L.INFO_FIELD["subdivision"].row
    apply_ops(sample_book, [SetValues(L.INFO, row, L.INFO_VALUE_COL, [["四半期"]])])
    result = run("validate", sample_book, "--format", "json")
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.output)]
    assert "INPUT-SCHEDULE-COLUMNS" in codes


def test_coverage_sheet_counts_and_links_each_cell_to_its_measure(sample_book, sample_plan):
    from xlplan.core.coverage import coverage_matrix

    assert run("validate", sample_book).exit_code == 0
    layout = L.CoverageLayout(tuple(sample_plan.domains))
    grid = read_values(sample_book)[L.COVERAGE]
    matrix = coverage_matrix(sample_plan)
    for i, pillar in enumerate(matrix.pillars):
        row = grid[layout.first_row + i]
        assert row[0] == pillar.value
        assert [int(v or 0) for v in row[1:1 + len(matrix.domains)]] == [matrix.count(pillar, d) for d in matrix.domains]
    with zipfile.ZipFile(sample_book) as z:
        xml = z.read(sheet_part(sample_book, L.COVERAGE)).decode()
    first = next(m for m in sample_plan.measures if m.domain == "電子行政" and m.pillar.code == "P10")
    rows = read_plan(read_values(sample_book)).locator.measures[first.id]
    assert f"HYPERLINK(\"#'電子行政'!A{rows.first_row + 1}\"," in xml


def test_coverage_marks_a_domain_without_measures_or_reason(tmp_path, sample_plan):
    from xlplan.export.sheets import NO_REASON

    plan = sample_plan.model_copy(update={"measures": [m for m in sample_plan.measures if m.domain != "金融"]})
    src = tmp_path / "plan.yaml"
    src.write_text(yaml.safe_dump(plan.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    book = tmp_path / "金融なし.xlsm"
    assert run("new", book, "--from", src).exit_code == 0
    result = run("validate", book, "--format", "json")
    assert "COVER-DOMAIN" in {f["code"] for f in json.loads(result.output)}
    layout = L.CoverageLayout(tuple(plan.domains))
    reasons = read_values(book)[L.COVERAGE][layout.reason_row]
    assert reasons[layout.table.col("cov.d:金融")] == NO_REASON


def test_progress_command_writes_the_review_sheet_and_keeps_the_year_cell(tmp_path, sample_plan):
    plan = sample_plan.model_copy(deep=True)
    kpi = plan.measures[0].kpis[0]
    kpi.actuals = {2027: 9000}
    kpi.comments = {2027: "出張申請で伸びた"}
    src = tmp_path / "plan.yaml"
    src.write_text(yaml.safe_dump(plan.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    book = tmp_path / "進捗.xlsm"
    assert run("new", book, "--from", src).exit_code == 0
    result = run("progress", book, "--fy", "R9")
    assert result.exit_code == 0, result.output
    layout = L.ProgressLayout()
    grid = read_values(book)[L.PROGRESS]
    header = grid[layout.header_row]
    assert len(grid) - layout.first_row == plan.years * sum(len(m.kpis) for m in plan.measures)
    row = next(r for r in grid[layout.first_row:] if r[1] == plan.measures[0].id and r[header.index("KPI番号")] == 1)
    assert row[header.index("年度")] == "令和9年度"
    assert row[header.index("実績値")] == 9000
    assert row[header.index("評価")] in {"A", "B", "C"}
    assert row[header.index("実績の説明")] == "出張申請で伸びた"
    assert grid[layout.summary_row][0].startswith("令和9年度の評価")
