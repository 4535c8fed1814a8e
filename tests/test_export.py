"""Exports: open data (JSON/CSV) that matches the plan and the workbook.

The plan document (.docx, PDF) has its own tests: test_plan_document.py and test_plan_pdf.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from clirun import run
from conftest import ROOT, SAMPLE

from xlplan.core.model import Measure, Plan
from xlplan.export.opendata import (
    BOM,
    TABLES,
    csv_cell,
    export_csv,
    export_json,
    neutralize,
    schema_markdown,
)
from xlplan.planfile import dump_plan

TODAY = dt.date(2026, 11, 1)


def read_csv(path: Path, bom: bool = False) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode()) == bom
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


def expected_counts(plan: Plan) -> dict[str, int]:
    return {
        "measures": len(plan.measures),
        "kpis": sum(len(m.kpis) for m in plan.measures),
        "kpi_values": sum(len(k.interim) + len(k.actuals) for m in plan.measures for k in m.kpis),
        "schedule": sum(len(m.schedule) for m in plan.measures),
        "milestones": sum(len(m.milestones) for m in plan.measures),
        "programs": len(plan.programs),
        "coverage": 6 * len(plan.domains),
        "progress": sum(len(k.actuals) for m in plan.measures for k in m.kpis),
    }


# ------------------------------------------------------------------ open data

def test_json_tables_match_the_plan(tmp_path, sample_plan):
    written = export_json(sample_plan, tmp_path / "json", today=TODAY)
    counts = expected_counts(sample_plan)
    assert counts["measures"] == 35 and counts["schedule"] > 100
    for table in TABLES:
        rows = json.loads(written[table.name].read_text(encoding="utf-8"))
        assert len(rows) == counts[table.name], table.name
        assert all(list(row) == table.column_names for row in rows)
    measures = {r["measure_id"]: r for r in json.loads(written["measures"].read_text(encoding="utf-8"))}
    assert set(measures) == {m.id for m in sample_plan.measures}
    dg01 = measures["DG-01"]
    assert dg01["pillar_code"] == "P10" and dg01["program_ids"] == ["N11"] and dg01["kpi_count"] == 2
    assert dg01["first_fy"] == 2027 and dg01["last_fy"] == 2031
    kpis = json.loads(written["kpis"].read_text(encoding="utf-8"))
    first = next(k for k in kpis if k["kpi_id"] == "DG-01-1")
    assert first["baseline_value"] == 3200 and first["target_value"] == 15000 and first["target_fy_label"] == "令和13年度"
    unknown = next(k for k in kpis if k["measure_id"] == "HL-02")
    assert unknown["baseline_status"] == "未把握" and unknown["baseline_value"] is None
    schedule = json.loads(written["schedule"].read_text(encoding="utf-8"))
    dg01_rows = [s for s in schedule if s["measure_id"] == "DG-01"]
    assert [(s["fiscal_year"], s["phase"]) for s in dg01_rows] == sorted(
        (fy, p.value) for fy, phases in sample_plan.measures[0].schedule.items() for p in phases)
    assert dg01_rows[3]["continued"] is True and dg01_rows[0]["fiscal_year_label"] == "令和9年度"
    coverage = json.loads(written["coverage"].read_text(encoding="utf-8"))
    assert sum(c["measure_count"] for c in coverage) == 35
    meta = json.loads(written["metadata"].read_text(encoding="utf-8"))
    assert meta["municipality"] == "青葉台市" and meta["exported_on"] == "2026-11-01"
    assert meta["period_label"] == "令和9年度から令和13年度まで（5年間）"
    assert {name: t["rows"] for name, t in meta["tables"].items()} == counts


@pytest.mark.parametrize("bom", [False, True])
def test_csv_tables_match_the_plan_with_optional_bom(tmp_path, sample_plan, bom):
    written = export_csv(sample_plan, tmp_path / "csv", bom=bom, today=TODAY)
    counts = expected_counts(sample_plan)
    for table in TABLES:
        rows = read_csv(written[table.name], bom=bom)
        assert len(rows) == counts[table.name], table.name
        header = written[table.name].read_bytes().decode("utf-8-sig").split("\r\n", 1)[0]
        assert header.split(",") == table.column_names
    measures = read_csv(written["measures"], bom=bom)
    assert measures[0]["measure_id"] == "DG-01" and measures[0]["program_ids"] == "N11"
    assert next(r for r in measures if r["measure_id"] == "HL-01")["program_ids"] == "N20;N22"
    kpis = read_csv(written["kpis"], bom=bom)
    assert next(k for k in kpis if k["kpi_id"] == "DG-02-1")["baseline_value"] == "38.5"
    schedule = read_csv(written["schedule"], bom=bom)
    assert {r["continued"] for r in schedule} == {"true", "false"}


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path):
    evil = {"name": "=HYPERLINK(\"http://x\",\"y\")", "content": "+1+1", "owner": "-課", "notes": "@SUM(A1)"}
    plan = Plan(municipality="テスト市", start_fy=2027, measures=[
        Measure(id="=X-1", domain="電子行政", pillar="10条", schedule={2027: "検討"}, **evil),
        Measure(id="X-2", domain="電子行政", pillar="10条", name="ok", programs=["=cmd"]),
    ])
    written = export_csv(plan, tmp_path, today=TODAY)
    text = written["measures"].read_text(encoding="utf-8")
    rows = read_csv(written["measures"])
    assert rows[0]["name"] == "'" + evil["name"]
    assert rows[0]["content"] == "'+1+1" and rows[0]["owner"] == "'-課" and rows[0]["notes"] == "'@SUM(A1)"
    assert rows[0]["measure_id"] == "'=X-1" and rows[1]["program_ids"] == "'=cmd"
    assert read_csv(written["schedule"])[0]["measure_id"] == "'=X-1"
    assert ",=" not in text and ",+" not in text and ",@" not in text and ",-" not in text
    # the model strips leading whitespace, so tab and CR are checked on the cell function itself
    assert csv_cell("\tcmd") == "'\tcmd" and csv_cell("\rcmd") == "'\rcmd" and csv_cell(["=a", "b"]) == "'=a;b"
    # numbers stay numbers; ordinary text is untouched; JSON keeps the data as it is
    assert csv_cell(-5) == "-5" and csv_cell(2.5) == "2.5" and csv_cell(3.0) == "3" and csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert neutralize("DX推進課") == "DX推進課" and neutralize("") == ""
    rows_json = json.loads(export_json(plan, tmp_path / "j", today=TODAY)["measures"].read_text(encoding="utf-8"))
    assert rows_json[0]["name"] == evil["name"]


def test_schema_document_is_current_and_lists_every_column():
    doc = (ROOT / "docs" / "opendata-schema.md").read_text(encoding="utf-8")
    assert doc == schema_markdown(), "docs/opendata-schema.md is stale: run python -m xlplan.export.opendata"
    for table in TABLES:
        assert f"## {table.name}（{table.label}）" in doc
        for column in table.columns:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", column.name)
            assert f"| `{column.name}` | {column.label} |" in doc


def test_exports_of_the_workbook_and_of_its_plan_file_are_identical(tmp_path, sample_bytes):
    book = tmp_path / "青葉台市.xlsm"
    book.write_bytes(sample_bytes)
    for source, folder in ((book, "from_book"), (SAMPLE, "from_yaml")):
        result = run("export", source, "--json", tmp_path / folder / "json", "--csv", tmp_path / folder / "csv", "--bom")
        assert result.exit_code == 0, result.output
        assert "オープンデータ（JSON）を書き出しました" in result.output and "個別施策 35行" in result.output
    for kind in ("json", "csv"):
        files = sorted(p.name for p in (tmp_path / "from_book" / kind).iterdir())
        assert len(files) == len(TABLES) + 1
        for name in files:
            a = (tmp_path / "from_book" / kind / name).read_bytes()
            b = (tmp_path / "from_yaml" / kind / name).read_bytes()
            if name == "metadata.json":  # the export date may differ across midnight
                a, b = (json.loads(x) for x in (a, b))
                a.pop("exported_on"), b.pop("exported_on")
            assert a == b, f"{kind}/{name}"


def test_export_command_errors_exit_2(tmp_path):
    assert run("export", SAMPLE).exit_code == 2
    assert run("export", SAMPLE, "--json", tmp_path, "--bom").exit_code == 2
    result = run("export", SAMPLE, "--docx", tmp_path / "plan.pdf")
    assert result.exit_code == 2 and ".docx" in result.output
    result = run("export", SAMPLE, "--pdf", tmp_path / "plan.docx")
    assert result.exit_code == 2 and ".pdf" in result.output
    (tmp_path / "file").write_text("x")
    assert run("export", SAMPLE, "--csv", tmp_path / "file").exit_code == 2
    assert run("export", tmp_path / "missing.yaml", "--json", tmp_path / "j").exit_code == 2


def test_progress_command_text_and_json(tmp_path, sample_plan):
    plan = sample_plan.model_copy(deep=True)
    plan.measures[0].kpis[0].actuals = {2027: 5000}     # DG-01 申請件数 (年度値, 3,200 → 8,000 in R11): 目安 4,800 → 112.5% → A
    plan.measures[3].kpis[0].statuses = {2027: "達成"}  # DG-04 条例 (due 令和10年度): 100% of the 50% expected → A
    plan.measures[4].kpis[0].actuals = {2027: 60}       # DG-05 datasets (累計 52 → 80 in R10): 目安 66 → 57.1% → C
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan(plan), encoding="utf-8")
    result = run("progress", path, "--fy", "令和9年度")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("青葉台市　令和9年度の進捗")
    assert any(line.startswith("A 目標より進んでいる　DG-01 オンライン申請件数: 目安 4,800件、実績 5,000件、達成率 112.5%")
               for line in lines)
    assert any(line.startswith("A 目標より進んでいる　DG-04") and "実績 達成" in line for line in lines)
    assert any(line.startswith("C 目標より遅れている　DG-05") and "目安 66件" in line and "57.1%" in line for line in lines)
    assert lines[-1] == "評価: A 目標より進んでいる 2件、B 目標どおり進んでいる 0件、C 目標より遅れている 1件、D 評価できない 42件"
    data = json.loads(run("progress", path, "--format", "json").stdout)   # default FY: the latest with actuals
    assert data["fiscal_year"] == 2027 and data["summary"] == {"A": 2, "B": 0, "C": 1, "D": 42}
    first = data["results"][0]
    assert first["grade"] == "A" and first["expected"] == 4800 and first["rate"] == pytest.approx(1.125)
    assert run("progress", SAMPLE).exit_code == 2        # no actuals and no --fy
    assert run("progress", SAMPLE, "--fy", "来年").exit_code == 2
