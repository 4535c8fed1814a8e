"""How validate prints its findings: the text as it is when piped or captured, coloured labels in a terminal."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from rich.console import Console

from xlplan.core.findings import Finding, Ref, Severity

cli_app = importlib.import_module("xlplan.cli.app")   # the module; xlplan.cli.app as an attribute is the typer app

FINDINGS = [
    Finding("MEAS-NAME", Severity.ERROR, "施策「[bold]新規[/bold] 防災アプリ :smile:」の名前を確認してください。",
            Ref(measure_id="D-01"), "電子行政", "C5"),
    Finding("PROG-EXPIRED", Severity.WARNING, "終了しています。", Ref(), "国・県の施策", None),
    Finding("KPI-NONE", Severity.WARNING, "KPIがありません。", Ref(measure_id="D-02"), None, None),
]


@pytest.fixture()
def console(monkeypatch):
    def use(terminal: bool) -> io.StringIO:
        buffer = io.StringIO()
        monkeypatch.setattr(cli_app, "out", Console(file=buffer, force_terminal=terminal, soft_wrap=True,
                                                    color_system="standard" if terminal else None))
        return buffer
    return use


def test_piped_text_is_written_as_it_is(console):
    buffer = console(terminal=False)
    cli_app.print_findings(FINDINGS, cli_app.Fmt.text)
    assert buffer.getvalue().splitlines() == [
        "エラー MEAS-NAME 電子行政!C5 施策「[bold]新規[/bold] 防災アプリ :smile:」の名前を確認してください。",
        "警告 PROG-EXPIRED 国・県の施策 終了しています。",
        "警告 KPI-NONE 施策ID D-02 KPIがありません。",
        "エラー 1件、警告 2件",
    ]


def test_a_terminal_gets_coloured_labels_and_the_same_words(console):
    buffer = console(terminal=True)
    cli_app.print_findings(FINDINGS, cli_app.Fmt.text)
    shown = buffer.getvalue()
    assert "\x1b[31mエラー\x1b[0m" in shown and "\x1b[33m警告\x1b[0m" in shown
    assert "「[bold]新規[/bold] 防災アプリ :smile:」" in shown   # no markup, no emoji codes read in a message
    assert shown.endswith("エラー 1件、警告 2件\n")


def test_json_piped_is_the_findings_as_data(console):
    buffer = console(terminal=False)
    cli_app.print_findings(FINDINGS, cli_app.Fmt.json)
    assert json.loads(buffer.getvalue()) == [f.as_dict() for f in FINDINGS]


def test_no_findings_prints_the_count(console):
    buffer = console(terminal=False)
    cli_app.print_findings([], cli_app.Fmt.text)
    assert buffer.getvalue() == "エラー 0件、警告 0件\n"
