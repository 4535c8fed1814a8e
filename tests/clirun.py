"""The CLI run in-process as the tests drive it: a traceback in the output is a failure of its own, whatever
the exit code (every error a clerk can cause must come out as a Japanese message)."""

from __future__ import annotations

from typer.testing import CliRunner

from xlplan.adapters.xlsx_file import read_values
from xlplan.cli import app
from xlplan.layout.read import read_plan

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def read(path):
    """The plan as a command would read the workbook at path."""
    return read_plan(read_values(path))
