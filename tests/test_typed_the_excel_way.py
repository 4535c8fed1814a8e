"""The issue's promise, end to end: a workbook made by `xlplan new`, cells typed the Excel way, read by
`xlplan validate` and `xlplan dump` as the clerk meant them, or refused at the exact cell. Populate on
a sheet that already holds a catalog measure by name adds nothing twice; IDs are written back."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import yaml
from typer.testing import CliRunner

from xlplan.adapters.xlsx_file import read_plan_values, read_values
from xlplan.catalog_data import load_catalog
from xlplan.core.findings import Ref
from xlplan.cli import app
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.planfile import PlanFileError, parse_plan

SHEET = "電子行政"
START = 2027


def run(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def new_book(tmp_path: Path) -> Path:
    path = tmp_path / "青葉台市.xlsm"
    result = run("new", path, "--municipality", "青葉台市", "--start-fy", "令和9年度")
    assert result.exit_code == 0, result.output
    return path


def type_rows(path: Path, rows: list[dict], fmts: dict[tuple[int, str], str] = {}) -> None:
    """Rows typed into 電子行政 from its first row, as Excel stores them (openpyxl, not the builder)."""
    table = L.domain_table(SHEET, list(range(START, START + 5)))
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[SHEET]
    for i, values in enumerate(rows):
        for key, value in values.items():
            cell = ws.cell(row=table.first_row + i + 1, column=table.col(key) + 1)
            cell.value = value
            if (i, key) in fmts:
                cell.number_format = fmts[(i, key)]
    wb.save(path)


def test_typed_the_excel_way_is_read_as_meant(tmp_path):
    path = new_book(tmp_path)
    table = L.domain_table(SHEET, list(range(START, START + 5)))
    type_rows(path, [
        {"measure.pillar": "10条", "measure.name": "電子申請の拡大", "measure.owner": "DX推進課",
         "kpi.name": "オンライン申請率", "kpi.unit": "%", "kpi.baseline_value": 0.39, "kpi.baseline_as_of": "R7",
         "kpi.target_value": 0.7, "kpi.target_fy": "R10年度末",
         "fy:2027": "検討→準備", "fy:2028": "→", "fy:2029": "実施・運用", "fy:2030": "継続", "fy:2031": "〃"},
        {"kpi.name": "窓口の待ち時間", "kpi.unit": "分", "kpi.direction": "減少", "kpi.baseline_value": "-",
         "kpi.target_value": 10, "kpi.target_fy": "令和11年度末"},
    ], fmts={(0, "kpi.baseline_value"): "0%", (0, "kpi.target_value"): "0%"})

    result = run("validate", path, "--format", "json")
    findings = json.loads(result.stdout[result.stdout.index("["):])
    assert not [f for f in findings if f["code"].startswith("INPUT-")], findings
    dumped = run("dump", path)
    assert dumped.exit_code == 0, dumped.output
    plan = yaml.safe_load(dumped.stdout)
    [m] = plan["measures"]
    first, second = m["kpis"]
    assert (first["baseline"]["value"], first["target_value"], first["target_fy"]) == (39, 70, 2028)
    assert m["schedule"] == {"2027": "検討→準備", "2028": "準備", "2029": "実施・運用", "2030": "実施・運用", "2031": "実施・運用"}
    assert second["baseline"]["value"] is None and second["target_fy"] == 2029      # 「-」: not measured yet
    # validate wrote the ID back into both rows (the KPI row gets the measure's)
    grid = read_values(path, [SHEET])[SHEET]
    assert [grid[table.first_row + i][table.col("measure.id")] for i in (0, 1)] == ["DG-01", "DG-01"]


def test_what_cannot_be_read_is_a_finding_at_its_cell(tmp_path):
    path = new_book(tmp_path)
    table = L.domain_table(SHEET, list(range(START, START + 5)))
    type_rows(path, [{"measure.pillar": "10条", "measure.name": "電子申請の拡大", "measure.owner": "DX推進課",
                      "kpi.name": "件数", "kpi.unit": "件", "kpi.baseline_value": 0.5, "kpi.target_value": 800,
                      "kpi.target_fy": "来年度", "fy:2027": "→"}], fmts={(0, "kpi.baseline_value"): "0%"})
    findings = json.loads(run("validate", path, "--format", "json").stdout)
    at = {(f["cell"], f["code"]) for f in findings}
    assert (table.cell(table.first_row, "kpi.baseline_value"), "INPUT-PERCENT-UNIT") in at
    assert (table.cell(table.first_row, "kpi.target_fy"), "INPUT-NOT-FY") in at
    assert (table.cell(table.first_row, "fy:2027"), "INPUT-NOT-PHASE") in at
    # no second, false finding at a cell that could not be read
    assert not [f for f in findings if f["cell"] == table.cell(table.first_row, "kpi.target_fy")
                and f["code"] == "KPI-TARGET-FY-MISSING"]


def test_populate_adds_nothing_twice_when_the_name_is_already_there(tmp_path):
    path = new_book(tmp_path)
    entry = next(c for c in load_catalog().measures if c.adoptable and c.domain == SHEET)
    # typed by hand, spaced and punctuated differently, without a カタログID
    typed = entry.text.replace("の", " の ", 1) + "。"
    type_rows(path, [{"measure.id": "DG-01", "measure.pillar": entry.pillar.value, "measure.name": typed,
                      "measure.owner": "DX推進課"}])
    result = run("populate", path, "--ids", entry.id)
    assert result.exit_code == 0, result.output
    assert "0件を追加しました" in result.output and f"{entry.id}「" in result.output and "DG-01" in result.output
    read = read_plan(read_plan_values(path))
    assert [m.id for m in read.plan.measures] == ["DG-01"]
    # the catalog shows where it already is
    t = L.CATALOG_TABLE
    row = next(r for r, cid in read.catalog.ids.items() if cid == entry.id)
    assert read.catalog.status[row] == f"追加済み（{SHEET}!A{L.domain_table(SHEET, []).first_row + 1}）"
    assert t.col("catalog.status") == 2


def test_catalog_status_follows_populated_rows(tmp_path):
    path = new_book(tmp_path)
    ids = [c.id for c in load_catalog().measures if c.adoptable and c.domain == SHEET][:2]
    assert run("populate", path, "--ids", ",".join(ids)).exit_code == 0
    read = read_plan(read_plan_values(path))
    where = {m.catalog_id: read.locator.place(Ref(measure_id=m.id)) for m in read.plan.measures}
    shown = {read.catalog.ids[r]: text for r, text in read.catalog.status.items()}
    assert shown == {cid: f"追加済み（{sheet}!{cell}）" for cid, (sheet, cell) in where.items()}


def test_plan_files_accept_what_cells_accept_with_the_same_message():
    text = """
municipality: 青葉台市
start_fy: R9
start_month: １２月
years: 5年
programs:
  - {id: K01, name: 県の補助, verified_on: 平成30年7月10日}
measures:
  - id: DG-01
    domain: 電子行政
    schedule: {R9: 検討→準備, R10: →, R11: 実施・運用}
    kpis:
      - {name: 率, unit: "%", baseline: {value: "-"}, target_value: "70%", target_fy: R10年度末, kind: 効果}
"""
    plan = parse_plan(text)
    assert plan.start_month == 12 and plan.years == 5 and str(plan.programs[0].verified_on) == "2018-07-10"
    m = plan.measures[0]
    assert [p.value for p in m.schedule[2027]] == ["検討", "準備"] and m.schedule[2028][0].value == "準備"
    k = m.kpis[0]
    assert (k.baseline.value, k.target_value, k.target_fy) == (None, 70, 2028)
    try:
        parse_plan(text.replace("R10年度末", "来年度"))
    except PlanFileError as exc:
        assert "「来年度」は年度として読めません" in str(exc) and "target_fy" in str(exc)
    else:
        raise AssertionError("a bad year must be refused")
