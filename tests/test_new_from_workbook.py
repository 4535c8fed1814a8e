"""`xlplan new --from` takes a workbook as well as a plan file; anything else gets a message naming what it accepts."""

from __future__ import annotations

from clirun import run

from xlplan.adapters.package import apply_ops
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues


def test_new_from_a_workbook_carries_its_plan(sample_book, tmp_path):
    # a value the clerk typed in the old book: the plan's title on 基本情報
    row = L.INFO_FIELD["title"].row
    apply_ops(sample_book, [SetValues(L.INFO, row, L.INFO_VALUE_COL, [["青葉台市 DX 計画（改訂）"]])])
    rebuilt = tmp_path / "新しいブック.xlsm"
    result = run("new", rebuilt, "--from", sample_book)
    assert result.exit_code == 0, result.output
    old = run("dump", sample_book, "--format", "json").output
    new = run("dump", rebuilt, "--format", "json").output
    assert "青葉台市 DX 計画（改訂）" in new
    assert old == new


def test_new_from_something_else_names_what_it_accepts(tmp_path):
    table = tmp_path / "plan.csv"
    table.write_text("a,b\n", encoding="utf-8")
    result = run("new", tmp_path / "x.xlsm", "--from", table)
    assert result.exit_code != 0
    assert "計画ファイル（.yaml/.yml/.json）" in result.output and "ブック（.xlsm/.xlsx）" in result.output


def test_new_from_a_broken_workbook_says_so(tmp_path):
    fake = tmp_path / "壊れた.xlsm"
    fake.write_text("not a zip", encoding="utf-8")
    result = run("new", tmp_path / "x.xlsm", "--from", fake)
    assert result.exit_code != 0
    assert "Excel のブックとして読めません" in result.output


def test_new_from_a_missing_file(tmp_path):
    result = run("new", tmp_path / "x.xlsm", "--from", tmp_path / "ない.yaml")
    assert result.exit_code != 0 and "見つかりません" in result.output
