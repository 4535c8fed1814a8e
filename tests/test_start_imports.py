"""What a fresh process imports: a button click and the CLI's light commands load only what they use.

Each click and each command is a new Python, so a module imported for nothing is paid every time
(bench/click.py and bench/run.py time it; these tests only keep the imports from coming back).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_values
from xlplan.adapters.xlwings_live import remote_payload
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.planfile import load_plan

ROOT = Path(__file__).resolve().parents[1]

# Loaded by a validate click only through a needless import: the file reader (calamine, the zip
# package), the YAML parser and the catalog's models, the CLI, the workbook builder, documents.
NOT_FOR_A_CLICK = ("python_calamine", "xlplan.adapters.xlsx_file", "xlplan.adapters.package", "yaml",
                   "xlplan.core.catalog", "xlplan.planfile", "typer", "rich", "xlsxwriter", "openpyxl", "docx",
                   "lxml", "xlplan.builder", "xlplan.cli")

CLICK = """
import json, sys
import xlwings as xw
from xlwings.main import Engine
from xlwings.pro import _xlremote
if "remote" not in [e.name for e in xw.engines]:
    xw.engines.add(Engine(impl=_xlremote.engine))
with open(sys.argv[1], encoding="utf-8") as f:
    book = xw.Book(json=json.load(f))
book.set_mock_caller()
before = set(sys.modules)
import xlplan.excel as x
print(x.validate(), file=sys.stderr)
print(json.dumps(sorted(set(sys.modules) - before)))
"""

COMMAND = """
import json, sys
sys.argv = ["xlplan", *sys.argv[1:]]
from xlplan.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(output: str) -> list[str]:
    return json.loads(output.strip().splitlines()[-1])


def _unwanted(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_a_validate_click_imports_only_what_it_uses(tmp_path, monkeypatch):
    book = tmp_path / "sample.xlsm"
    book.write_bytes(build_workbook(load_plan(ROOT / "samples" / "sample_plan.yaml"), load_catalog(), current_fy=2027))
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("XLPLAN_LOG_DIR", str(tmp_path / "logs"))
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(remote_payload(read_values(book), book.name), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CLICK, str(payload)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "エラー" in done.stderr    # the click ran: its message box text
    assert _unwanted(_loaded(done.stdout), NOT_FOR_A_CLICK) == []


def test_version_and_help_do_not_import_pydantic():
    # typer coerces a flag left unset through pydantic; xlplan's commands make --help False instead.
    for args in (["version"], ["--help"], ["validate", "--help"], ["programs", "--help"]):
        done = subprocess.run([sys.executable, "-c", COMMAND, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert _unwanted(_loaded(done.stdout), ("pydantic", "xlplan.core.model", "yaml")) == [], args
