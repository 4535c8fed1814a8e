"""The planning workbook: sheets, layout, buttons and macros, round trip, template."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import xlwings
from python_calamine import CalamineWorkbook

from xlplan.adapters.xlsx_file import read_values
from xlplan.builder.macros import macro_sources
from xlplan.builder.template import build_template_bytes
from xlplan.builder.vba_project import read_vba_sources, xlwings_standalone_modules
from xlplan.builder.workbook import build_workbook, workbook_plan
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.planfile import dump_plan, parse_plan

from conftest import PLAN_FY, ROOT


def _vba_bin(xlsm: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsm)) as z:
        return z.read("xl/vbaProject.bin")


def _normalise(source: str) -> str:
    lines = [line for line in source.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute VB_")]
    return "\n".join(lines).strip("\n")


def test_workbook_has_every_sheet_in_order(sample_bytes, sample_plan):
    names = CalamineWorkbook.from_filelike(io.BytesIO(sample_bytes)).sheet_names
    assert names == [L.USAGE, L.INFO, *sample_plan.domains, L.CATALOG, L.PROGRAMS, L.SCHEDULE, L.COVERAGE, L.PROGRESS, L.ORPHANS,
                     L.FINDINGS, L.COLLECT_LOG, L.XLWINGS_CONF, L.LISTS]


def test_dropdowns_use_defined_names_not_cross_sheet_ranges(sample_bytes):
    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    for key, name in L.LIST_NAMES.items():
        assert f'name="{name}"' in workbook, key
    formulas = [f for s in sheets for f in re.findall(r'<dataValidation type="list".*?<formula1>(.*?)</formula1>', s)]
    assert formulas, "no list validations found"
    assert all(f in L.LIST_NAMES.values() for f in formulas), formulas
    assert all("extLst" not in s for s in sheets), "x14 extensions would be lost by other tools"


def test_buttons_call_macros_that_exist_in_the_vba_project(sample_bytes):
    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    macros = set(re.findall(r"<x:FmlaMacro>\[0\]!(\w+)\.(\w+)</x:FmlaMacro>", vml))
    assert {m for _, m in macros} == {b.macro for b in L.BUTTONS}
    sources = read_vba_sources(_vba_bin(sample_bytes))
    for module, sub in macros:
        assert re.search(rf"^Sub {sub}\(\)", sources[module], re.M), f"{module}.{sub} missing"


def test_vba_sources_are_identical_to_macros_and_installed_xlwings(sample_bytes):
    sources = read_vba_sources(_vba_bin(sample_bytes))
    for module in [*macro_sources(), *xlwings_standalone_modules()]:
        assert _normalise(sources[module.name]) == _normalise(module.source), module.name
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in sources["xlwings"]
    assert "RunPython \"import xlplan.excel as x;" in sources["XlplanMacros"]  # fixed ASCII module


def test_olevba_command_line_reads_every_module(tmp_path, sample_bytes):
    path = tmp_path / "計画.xlsm"
    path.write_bytes(sample_bytes)
    run = subprocess.run([sys.executable, "-m", "oletools.olevba", "--json", str(path)],
                         capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout)
    assert not [entry for entry in report if entry.get("type") == "error"], run.stdout[:500]
    modules = {m["vba_filename"]: m["code"] for entry in report for m in entry.get("macros", [])}
    assert {"XlplanMacros.bas", "xlwings.bas", "Dictionary.cls", "ThisWorkbook.cls"} <= set(modules)
    assert "Sub ValidatePlan()" in modules["XlplanMacros.bas"]


def _conf(data: bytes) -> dict:
    return dict((row[0], row[1]) for row in CalamineWorkbook.from_filelike(io.BytesIO(data))
                .get_sheet_by_name(L.XLWINGS_CONF).to_python() if row[0])


def test_xlwings_conf_names_no_path_of_this_machine(tmp_path):
    """`xlplan new` here: every setting RunPython reads is on the hidden sheet, none names this PC."""
    from typer.testing import CliRunner

    from xlplan.cli import app
    from xlplan.userenv import CONF_SETTINGS, PER_CLICK_MAC, PER_CLICK_WIN

    path = tmp_path / "計画.xlsm"
    result = CliRunner().invoke(app, ["new", str(path), "--municipality", "青葉台市", "--start-fy", "R9"])
    assert result.exit_code == 0, result.output
    conf = _conf(path.read_bytes())
    assert list(conf) == [k for k, _ in CONF_SETTINGS]
    assert conf["Interpreter_Win"] == r"%LOCALAPPDATA%\xlplan\venv\Scripts\python.exe"
    assert conf["Interpreter_Mac"] == "$HOME/.xlplan/venv/bin/python"
    assert conf["TEMP DIR"] == "%TEMP%" and conf["Use UDF Server"] is False
    assert {k.upper() for k in conf} >= set(PER_CLICK_WIN) | set(PER_CLICK_MAC)
    machine = [str(p) for p in (sys.prefix, sys.executable, Path.home(), tmp_path, ROOT)]
    for value in conf.values():
        assert not any(m in str(value) for m in machine), value
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    assert re.search(rf'<sheet name="{L.XLWINGS_CONF}" sheetId="\d+" state="hidden"', workbook)
    usage = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.USAGE).to_python()
    assert any("［再表示］→「xlwings.conf」" in str(cell) for row in usage for cell in row)


def test_xlwings_conf_can_name_another_interpreter(sample_plan, catalog):
    conf = _conf(build_workbook(sample_plan, catalog, interpreter=r"C:\Python312\python.exe", current_fy=PLAN_FY))
    assert conf["Interpreter_Win"] == conf["Interpreter_Mac"] == r"C:\Python312\python.exe"


def test_sample_round_trips_through_the_workbook(sample_book, sample_plan, catalog):
    read = read_plan(read_values(sample_book))
    assert read.findings == []
    assert read.plan == workbook_plan(sample_plan, catalog)
    # and through YAML once more
    assert parse_plan(dump_plan(read.plan)) == read.plan


def test_kpi_rows_belong_to_their_measure(sample_book, sample_plan):
    read = read_plan(read_values(sample_book))
    multi = [m for m in sample_plan.measures if len(m.kpis) > 1]
    assert multi
    for m in multi:
        rows = read.locator.measures[m.id]
        assert len(rows.kpi_rows) == len(m.kpis)
        assert rows.kpi_rows == list(range(rows.first_row, rows.first_row + len(m.kpis)))


def test_template_is_reproducible_and_committed_copy_matches(tmp_path):
    built = build_template_bytes()
    # a second process gives the same bytes (no timestamps, no hash-seed dependence)
    code = "import sys; from xlplan.builder.template import build_template_bytes; sys.stdout.buffer.write(build_template_bytes())"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env={"PYTHONHASHSEED": "123",
                                                                                                 "PATH": "/usr/bin:/bin"}).stdout
    assert other == built
    committed = (ROOT / "workbook_templates" / "xlplan_template.xlsm").read_bytes()
    with zipfile.ZipFile(io.BytesIO(committed)) as a, zipfile.ZipFile(io.BytesIO(built)) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name == "xl/vbaProject.bin":
                assert read_vba_sources(a.read(name)) == read_vba_sources(b.read(name)), "VBA source differs"
            else:
                assert a.read(name) == b.read(name), f"{name} differs: run `xlplan build-template --force`"
