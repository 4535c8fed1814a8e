"""Prefectures and municipalities add their own programs; the national list can be refreshed; expiry is checked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.core.catalog import Catalog, DX_SECTION
from xlplan.core.model import Plan, Program
from xlplan.core.populate import new_measures
from xlplan.core.programs import import_programs, refresh_packaged
from xlplan.core.validation import validate_plan
from xlplan.core.vocab import DRAFT_MARK, Phase
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues
from xlplan.layout.read import read_plan

from conftest import PLAN_FY

T = L.PROGRAMS_TABLE

PREFECTURE_CSV = (
    "ID,区分,施策名,府省・担当,支援の種類,補助率,有効年度（から）,有効年度（まで）,状態\n"
    "K11,県,架空県市町村DX推進補助金,架空県 デジタル推進課,補助金,1/2,令和8年度,令和12年度,現行\n"
    "K12,県,架空県フロントヤード改革伴走支援,架空県 デジタル推進課,無償支援,,R8,,現行\n"
    "K13,県,架空県オープンデータ共同カタログ,架空県 デジタル推進課,システム提供,,2025,,現行\n"
)


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def program_rows(path) -> list[list]:
    grid = read_values(path, [L.PROGRAMS])[L.PROGRAMS]
    return [r for r in grid[T.first_row:] if any(v not in (None, "") for v in r)]


def set_cell(path, sheet: str, cell_row: int, col: int, value) -> None:
    apply_ops(path, [SetValues(sheet, cell_row, col, [[value]])])


# ------------------------------------------------------------------ merging (core)

def test_import_adds_new_ids_updates_own_ones_and_skips_national_ids():
    current = [Program(id="N01", name="国の補助"), Program(id="K01", name="県の補助", level="県", rate="1/2")]
    incoming = [Program(id="K01", name="県の補助", level="県", rate="2/3"), Program(id="K02", name="新しい県の補助", level="県"),
                Program(id="N01", name="古い写し")]
    merge = import_programs(current, incoming, packaged_ids={"N01"})
    assert [p.id for p in merge.append] == ["K02"]
    assert merge.replace["K01"].rate == "2/3"
    assert [pid for pid, _ in merge.skipped] == ["N01"] and "programs update" in merge.skipped[0][1]


def test_refresh_leaves_own_rows_and_reports_an_id_clash():
    current = [Program(id="N01", name="古い名前"), Program(id="N25", name="市の独自補助", level="市町村"),
               Program(id="S01", name="市の補助", level="市町村")]
    packaged = [Program(id="N01", name="新しい名前"), Program(id="N25", name="地域社会DX推進パッケージ事業"),
                Program(id="N26", name="交付金")]
    merge = refresh_packaged(current, packaged)
    assert set(merge.replace) == {"N01"} and [p.id for p in merge.append] == ["N26"]
    assert [pid for pid, _ in merge.skipped] == ["N25"] and "市町村" in merge.skipped[0][1]


# ------------------------------------------------------------------ the done-when: a prefecture's CSV of three programs

def test_prefecture_csv_imports_and_its_ids_validate_in_the_domain_sheets(sample_book, tmp_path):
    csv_path = tmp_path / "架空県の施策.csv"
    csv_path.write_text(PREFECTURE_CSV, encoding="utf-8-sig")
    read = read_plan(read_values(sample_book))
    dg01 = read.locator.measures["DG-01"]
    programs_col = read.layout.domain_tables["電子行政"].col("measure.programs")
    set_cell(sample_book, "電子行政", dg01.first_row, programs_col, "N11、K11、K12、K13")
    before = json.loads(run("validate", sample_book, "--format", "json", "--no-write").output)
    assert {f["message"].split("「")[2].split("」")[0] for f in before if f["code"] == "MEAS-PROGRAM-UNKNOWN"} == {"K11", "K12", "K13"}

    result = run("programs", "import", sample_book, csv_path)
    assert result.exit_code == 0, result.output
    assert "追加 3件" in result.output

    after = json.loads(run("validate", sample_book, "--format", "json", "--no-write").output)
    assert [f for f in after if f["code"] == "MEAS-PROGRAM-UNKNOWN"] == []
    plan = read_plan(read_values(sample_book)).plan
    k11 = plan.program("K11")
    assert (k11.level, k11.active_from_fy, k11.active_to_fy, k11.rate) == ("県", 2026, 2030, "1/2")
    assert plan.program("K01").name == "架空県市町村DX推進補助金"  # the sample's own row is untouched
    # importing the same file again changes nothing
    again = run("programs", "import", sample_book, csv_path)
    assert again.exit_code == 0 and "変更なし 3件" in again.output


def test_bad_csv_names_row_and_column_and_leaves_the_workbook_alone(sample_book, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,区分,施策名,有効年度（まで）\nK11,県,補助,来年度\n,県,名前だけ,\nK13,州,補助,R9\n", encoding="utf-8")
    before = sample_book.read_bytes()
    result = run("programs", "import", sample_book, bad)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "2行目・D列（有効年度（まで））" in text and "来年度" in text
    assert "3行目・A列（ID）: 空欄です" in text
    assert "4行目・B列（区分）" in text and "州" in text
    assert "ブックは変更していません" in text
    assert sample_book.read_bytes() == before


def test_unknown_header_is_refused_not_dropped(sample_book, tmp_path):
    bad = tmp_path / "extra.csv"
    bad.write_text("ID,施策名,県の担当者メモ\nK11,補助,電話で確認\n", encoding="utf-8")
    result = run("programs", "import", sample_book, bad)
    assert result.exit_code == 2 and "C列" in result.output and "県の担当者メモ" in result.output


def test_shift_jis_csv_from_excel_is_read(sample_book, tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes(PREFECTURE_CSV.encode("cp932"))
    assert run("programs", "import", sample_book, path).exit_code == 0
    assert read_plan(read_values(sample_book)).plan.program("K12").name == "架空県フロントヤード改革伴走支援"


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx", ".csv"])
def test_export_own_programs_then_import_them_elsewhere(sample_book, tmp_path, sample_plan, catalog, suffix):
    """A prefecture exports its programs once; each municipality imports the one file."""
    exported = tmp_path / f"県の施策{suffix}"
    result = run("programs", "export", sample_book, "--own", "-o", exported)
    assert result.exit_code == 0, result.output
    other = tmp_path / "別の市.xlsm"
    other.write_bytes(build_workbook(Plan(municipality="別の市", start_fy=PLAN_FY, years=5), catalog, current_fy=PLAN_FY))
    assert run("programs", "import", other, exported).exit_code == 0
    assert read_plan(read_values(other)).plan.program("K01") == sample_plan.program("K01")


def test_export_packaged_lists_every_national_program(tmp_path, catalog):
    path = tmp_path / "national.yaml"
    assert run("programs", "export", "--packaged", "-o", path).exit_code == 0
    from xlplan.programfile import load_programs

    assert load_programs(path) == catalog.programs


# ------------------------------------------------------------------ update

def old_catalog(catalog: Catalog) -> Catalog:
    """The national list as an older xlplan shipped it: 24 programs, no status, one changed rate."""
    old = [p.model_copy(update={"status": None, "successor": None, "verification": ""}) for p in catalog.programs[:24]]
    old[0] = old[0].model_copy(update={"rate": "古い補助率", "active_to_fy": None})
    return catalog.model_copy(update={"programs": old})


def test_update_refreshes_national_rows_and_keeps_the_clerks_rows(tmp_path, sample_plan, catalog):
    path = tmp_path / "古いブック.xlsm"
    path.write_bytes(build_workbook(sample_plan, old_catalog(catalog), current_fy=PLAN_FY))
    k01_before = next(r for r in program_rows(path) if r[0] == "K01")
    result = run("programs", "update", path)
    assert result.exit_code == 0, result.output
    rows = program_rows(path)
    assert next(r for r in rows if r[0] == "K01")[:T.width] == k01_before[:T.width]
    assert [r[0] for r in rows].index("K01") == [r[0] for r in program_rows(path)].index("K01")
    plan = read_plan(read_values(path)).plan
    assert {p.id for p in plan.programs} == {p.id for p in catalog.programs} | {"K01"}
    assert plan.program("N01") == catalog.program("N01")
    assert plan.program("N25").name == "地域社会DX推進パッケージ事業"
    # running it again finds nothing to do
    assert "国の施策は最新です" in run("programs", "update", path).output


def test_update_adds_the_new_columns_to_a_workbook_made_before_them(tmp_path, sample_plan, catalog):
    path = tmp_path / "列の少ないブック.xlsm"
    path.write_bytes(build_workbook(sample_plan, old_catalog(catalog), current_fy=PLAN_FY))
    blank = [[""] * (T.width - L.PROGRAMS_LEGACY_WIDTH)] * 60
    apply_ops(path, [SetValues(L.PROGRAMS, T.header_row, L.PROGRAMS_LEGACY_WIDTH, blank)])
    read = read_plan(read_values(path))
    assert read.findings == [] and read.programs.width == L.PROGRAMS_LEGACY_WIDTH and read.programs.can_widen
    assert run("programs", "update", path).exit_code == 0
    after = read_plan(read_values(path))
    assert after.programs.width == T.width
    assert after.plan.program("N04").status.value == "後継あり"


def test_update_leaves_a_clerks_column_where_the_new_columns_would_go(tmp_path, sample_plan, catalog):
    path = tmp_path / "メモ列のあるブック.xlsm"
    path.write_bytes(build_workbook(sample_plan, old_catalog(catalog), current_fy=PLAN_FY))
    blank = [[""] * (T.width - L.PROGRAMS_LEGACY_WIDTH)] * 60
    apply_ops(path, [SetValues(L.PROGRAMS, T.header_row, L.PROGRAMS_LEGACY_WIDTH, blank),
                     SetValues(L.PROGRAMS, T.header_row, L.PROGRAMS_LEGACY_WIDTH, [["担当者メモ"], ["県に確認済み"]])])
    result = run("programs", "update", path)
    assert result.exit_code == 0 and "書き込んでいません" in " ".join(result.output.split())
    grid = read_values(path, [L.PROGRAMS])[L.PROGRAMS]
    assert grid[T.header_row][L.PROGRAMS_LEGACY_WIDTH] == "担当者メモ"
    assert grid[T.first_row][L.PROGRAMS_LEGACY_WIDTH] == "県に確認済み"


def test_rows_typed_into_the_sheet_still_work(sample_book):
    read = read_plan(read_values(sample_book))
    row = read.programs.end_row
    apply_ops(sample_book, [SetValues(L.PROGRAMS, row, 0, [["S01", "市", "市のDX補助", None, None, None, None, None,
                                                            "R9", "R10", None, "2026/11/30", "終了"]])])
    plan = read_plan(read_values(sample_book)).plan
    s01 = plan.program("S01")
    assert (s01.level, s01.status.value, s01.verified_on) == ("市町村", "終了", dt.date(2026, 11, 30))


def test_unreadable_level_is_flagged_at_its_cell(sample_book):
    read = read_plan(read_values(sample_book))
    row = read.programs.end_row
    apply_ops(sample_book, [SetValues(L.PROGRAMS, row, 0, [["S01", "州", "市のDX補助"]])])
    findings = read_plan(read_values(sample_book)).findings
    assert [(f.sheet, f.cell) for f in findings] == [(L.PROGRAMS, T.cell(row, "program.level"))]
    result = run("programs", "update", sample_book)
    assert result.exit_code == 2 and T.cell(row, "program.level") in result.output


# ------------------------------------------------------------------ expiry and drafts

def populated_plan(start: int) -> Plan:
    catalog = load_catalog()
    plan = Plan(municipality="青葉台市", start_fy=start, years=5, programs=list(catalog.programs))
    codes = {d: L.domain_code(d, plan.domains) for d in plan.domains}
    added = new_measures(plan, catalog, [m.id for m in catalog.measures], codes).added
    # the clerk schedules every measure over the whole period
    scheduled = [m.model_copy(update={"schedule": {fy: (Phase.OPERATE,) for fy in plan.fiscal_years}}) for m in added]
    return plan.model_copy(update={"measures": scheduled})


@pytest.mark.parametrize("start", [2027, 2030])
def test_a_new_plan_populated_with_the_whole_catalog_gives_no_expiry_warning(start):
    plan = populated_plan(start)
    assert len(plan.measures) == len([m for m in load_catalog().measures if m.adoptable])
    assert any(m.catalog_id.startswith("D") for m in plan.measures)
    findings = validate_plan(plan)
    assert [f.message for f in findings if f.code.startswith("PROG-")] == []


def test_populated_measures_arrive_as_drafts_that_validate_asks_to_confirm():
    plan = populated_plan(2027)
    drafts = [f for f in validate_plan(plan) if f.code == "MEAS-DRAFT"]
    assert len(drafts) == len(plan.measures)
    first = plan.measures[0]
    assert first.content.startswith(DRAFT_MARK) and first.kpis[0].name.startswith(DRAFT_MARK)
    assert "先頭の「【案】」を消して" in drafts[0].message
    confirmed = first.model_copy(update={"content": first.content.removeprefix(DRAFT_MARK),
                                         "kpis": [k.model_copy(update={"name": k.name.removeprefix(DRAFT_MARK)}) for k in first.kpis]})
    plan = plan.model_copy(update={"measures": [confirmed, *plan.measures[1:]]})
    assert not any(f.code == "MEAS-DRAFT" and f.ref.measure_id == first.id for f in validate_plan(plan))


def test_an_old_plan_linking_an_ended_program_is_told_the_successor(catalog):
    plan = populated_plan(2027)
    m = plan.measures[0].model_copy(update={"programs": ["N04"]})
    plan = plan.model_copy(update={"measures": [m]})
    expired = [f for f in validate_plan(plan) if f.code == "PROG-EXPIRED"]
    assert len(expired) == 1
    assert "令和6年度で終了" in expired[0].message and "地域社会DX推進パッケージ事業」（N25）" in expired[0].message


def test_populate_into_an_older_workbook_adds_the_programs_it_links(tmp_path, sample_plan, catalog):
    path = tmp_path / "古いブック.xlsm"
    path.write_bytes(build_workbook(sample_plan, old_catalog(catalog), current_fy=PLAN_FY))
    result = run("populate", path, "--ids", "C16,D01")
    assert result.exit_code == 0, result.output
    read = read_plan(read_values(path))
    assert {"N25", "N31", "N32"} <= {p.id for p in read.plan.programs}
    findings = json.loads(run("validate", path, "--format", "json", "--no-write").output)
    assert [f for f in findings if f["code"] == "MEAS-PROGRAM-UNKNOWN"] == []
    drafts = [f for f in findings if f["code"] == "MEAS-DRAFT"]
    assert len(drafts) == 2 and all(f["sheet"] == "電子行政" for f in drafts)
    added = [m for m in read.plan.measures if m.catalog_id in ("C16", "D01")]
    table = read.layout.domain_tables["電子行政"]
    assert {f["cell"] for f in drafts} == {table.cell(read.locator.measures[m.id].first_row, "measure.content") for m in added}


def test_catalog_sheet_shows_the_dx_section_and_program_names(sample_book, catalog):
    grid = read_values(sample_book, [L.CATALOG])[L.CATALOG]
    ct = L.CATALOG_TABLE
    ids = [r[ct.col("catalog.id")] for r in grid[ct.first_row:]]
    assert f"{L.CATALOG_SECTION_MARK}{DX_SECTION}" in ids
    assert ids.index(f"{L.CATALOG_SECTION_MARK}{DX_SECTION}") < ids.index("D01")
    c16 = next(r for r in grid[ct.first_row:] if r[ct.col("catalog.id")] == "C16")
    assert "N25 地域社会DX推進パッケージ事業" in c16[ct.col("catalog.programs")]
    assert c16[ct.col("catalog.summary")] and c16[ct.col("catalog.owner")]
