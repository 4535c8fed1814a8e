"""`xlplan rollup`: many municipalities' workbooks in one 集計 workbook.

Five small generated workbooks (one with a validation error), a truncated
workbook, an xlsx that is not xlplan's and an Excel lock file are rolled up with
two processes; the output is read back and checked against what xlplan itself
reads from each workbook.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from xlplan.adapters.package import patch_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.cli import app
from xlplan.core.coverage import coverage_matrix
from xlplan.core.findings import Severity
from xlplan.core.vocab import DEFAULT_DOMAINS, Pillar
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues
from xlplan.layout.read import read_plan
from xlplan.operations import findings_for
from xlplan.rollup import SHEETS, collect_files, rollup, summarise_workbook

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["青葉台市", "桜川町", "緑ヶ丘村", "朝日浜市", "白鳥山町"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _generator():
    spec = importlib.util.spec_from_file_location("xlplan_bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def prefecture(tmp_path_factory) -> Path:
    gen = _generator()
    folder = tmp_path_factory.mktemp("prefecture")
    for i, name in enumerate(NAMES):
        data = gen.make_workbook(10 + 3 * i, seed=i, municipality=name, prefecture="架空県")
        if i == 1:   # one municipality forgot an owner: MEAS-OWNER-MISSING
            table = L.domain_table(DEFAULT_DOMAINS[0], list(range(gen.START_FY, gen.START_FY + gen.YEARS)))
            data = patch_package(data, [SetValues(DEFAULT_DOMAINS[0], table.first_row, table.col("measure.owner"), [[" "]])])
        (folder / f"{i + 1:02d}_{name}.xlsm").write_bytes(data)
    good = (folder / f"01_{NAMES[0]}.xlsm").read_bytes()
    sub = folder / "提出分"   # folders are searched recursively
    sub.mkdir()
    (sub / "壊れた町.xlsm").write_bytes(good[: len(good) // 3])
    (sub / "別の表.xlsx").write_bytes(gen.not_xlplan_xlsx())
    (folder / f"~$01_{NAMES[0]}.xlsm").write_bytes(b"lock")       # Excel's lock file: not a workbook
    (folder / "メモ.txt").write_text("集計対象外", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rolled(prefecture, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "集計.xlsx"
    result = CliRunner().invoke(app, ["rollup", str(prefecture), "-o", str(out), "--jobs", "2", "--no-progress"])
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine", header=None) if out.exists() else {}
    return result, out, sheets


def _table(sheets, name: str, header_row: int = 0) -> pd.DataFrame:
    grid = sheets[name]
    frame = grid.iloc[header_row + 1:].copy()
    frame.columns = list(grid.iloc[header_row])
    return frame.reset_index(drop=True)


def _reads(prefecture: Path) -> dict[str, object]:
    """What xlplan reads from each good workbook, by 団体名."""
    reads = {}
    for path in sorted(prefecture.glob("0*.xlsm")):
        read = read_plan(read_values(path))
        reads[read.plan.municipality] = read
    return reads


def test_cli_exits_0_and_prints_a_summary(rolled):
    result, out, _ = rolled
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "集計しました" in result.output and f"{len(NAMES)}団体" in result.output
    assert "読み込めなかったファイル: 2件" in result.output
    assert "検証でエラーのある団体: 1" in result.output


def test_output_has_the_sheets(rolled):
    _, _, sheets = rolled
    assert list(sheets) == list(SHEETS)


def test_every_measure_appears_once_with_its_municipality(rolled, prefecture):
    _, _, sheets = rolled
    measures = _table(sheets, "施策一覧")
    kpis = _table(sheets, "KPI一覧")
    reads = _reads(prefecture)
    assert sorted(reads) == sorted(NAMES)
    expected = sorted((name, m.id) for name, read in reads.items() for m in read.plan.measures)
    assert sorted(zip(measures["団体名"], measures["施策ID"])) == expected          # each once, nothing else
    assert set(measures["都道府県"]) == {"架空県"}
    for name, read in reads.items():
        mine = kpis[kpis["団体名"] == name]
        assert len(mine) == sum(len(m.kpis) for m in read.plan.measures)
        for m in read.plan.measures:
            row = measures[(measures["団体名"] == name) & (measures["施策ID"] == m.id)].iloc[0]
            assert row["施策名"] == m.name and row["柱"] == m.pillar.value and row["分野"] == m.domain
            assert list(mine[mine["施策ID"] == m.id]["指標名"]) == [k.name for k in m.kpis]


def test_coverage_counts_match_core(rolled, prefecture):
    _, _, sheets = rolled
    coverage = _table(sheets, "網羅状況").set_index("団体名")
    for name, read in _reads(prefecture).items():
        matrix = coverage_matrix(read.plan)
        row = coverage.loc[name]
        assert row["施策数"] == len(read.plan.measures)
        for pillar in Pillar:
            assert row[pillar.value] == matrix.row_total(pillar), (name, pillar)
        for domain in DEFAULT_DOMAINS:
            assert row[domain] == matrix.column_total(domain) + len(matrix.unassigned.get(domain, ())), (name, domain)


def test_summary_counts_errors_like_validate(rolled, prefecture):
    _, _, sheets = rolled
    summary = _table(sheets, "集計", header_row=3)
    per_town = summary[summary["団体名"].isin(NAMES)].set_index("団体名")
    for name, read in _reads(prefecture).items():
        findings = findings_for(read)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        assert per_town.loc[name, "エラー"] == errors
        assert per_town.loc[name, "警告"] == len(findings) - errors
    assert per_town.loc[NAMES[1], "エラー"] >= 1
    assert "MEAS-OWNER-MISSING" in per_town.loc[NAMES[1], "主なエラー（コード×件数）"]
    totals = dict(zip(summary["項目"], summary["件数"]))
    assert totals["読み込めた団体"] == len(NAMES) and totals["読み込めなかったファイル"] == 2
    assert totals["施策"] == len(_table(sheets, "施策一覧"))


def test_unreadable_files_are_listed_with_japanese_reasons(rolled):
    _, _, sheets = rolled
    failures = _table(sheets, "読み込めなかったファイル")
    assert sorted(failures["ファイル"]) == sorted(["壊れた町.xlsm", "別の表.xlsx"])
    for reason in failures["理由"]:
        assert JAPANESE.search(reason), reason
    reasons = dict(zip(failures["ファイル"], failures["理由"]))
    assert "基本情報" in reasons["別の表.xlsx"]          # not an xlplan workbook: its missing sheet is named


def test_lock_files_and_other_files_are_skipped(prefecture):
    names = [p.name for p in collect_files([prefecture])]
    assert not any(n.startswith("~$") or n.endswith(".txt") for n in names)
    assert len(names) == len(NAMES) + 2


def test_the_output_is_not_read_back_as_input(prefecture, tmp_path):
    out = prefecture / "集計.xlsx"
    try:
        first = rollup([prefecture], out, jobs=1)
        second = rollup([prefecture], out, jobs=1)      # the first run's output sits in the folder now
        assert second.files == first.files and len(second.failures) == 2
    finally:
        out.unlink(missing_ok=True)


def test_workers_return_plain_data(prefecture):
    summary = summarise_workbook(str(min(prefecture.glob("0*.xlsm"))))

    def plain(value) -> bool:
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(plain(k) and plain(v) for k, v in value.items())
        return value is None or type(value) in (str, int, float, bool, bytes)

    assert plain(summary)


def test_missing_file_given_by_name_is_listed(tmp_path):
    result = rollup([tmp_path / "ない町.xlsm"], None, jobs=1)
    assert [Path(f.path).name for f in result.failures] == ["ない町.xlsm"]
    assert "見つかりません" in result.failures[0].reason


def test_refuses_an_xlsm_output_and_an_empty_folder(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["rollup", str(tmp_path), "-o", str(tmp_path / "集計.xlsm")])
    assert result.exit_code == 2 and ".xlsx" in result.output
    result = runner.invoke(app, ["rollup", str(tmp_path), "-o", str(tmp_path / "集計.xlsx"), "--no-progress"])
    assert result.exit_code == 2 and "見つかりません" in result.output


@pytest.mark.skipif(multiprocessing.get_start_method(allow_none=True) not in (None, "fork") or sys.platform != "linux",
                    reason="the crashing reader is patched in the parent; only forked workers see the patch")
def test_a_worker_that_dies_costs_only_its_file(prefecture, monkeypatch):
    import os

    import xlplan.rollup as r

    files = collect_files([prefecture])
    victim = str(files[2])
    original = r.summarise_workbook

    def crashing(path: str):
        if path == victim:
            os._exit(3)     # as a crash in native code would
        return original(path)

    monkeypatch.setattr(r, "summarise_workbook", crashing)
    results = r.summarise_all(files, jobs=2)
    assert [x["path"] for x in results] == [str(p) for p in files]        # every file, in order
    died = [x for x in results if "異常終了" in x.get("error", "")]
    assert [x["path"] for x in died] == [victim]

