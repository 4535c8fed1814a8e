"""The CLI's foundation: the typer app, the consoles, exit codes and helpers every command module uses.

Command modules (xlplan.cli.plan, .outputs, .excel, .rollup, .tools) import from here and
register their commands on `app`; xlplan.cli imports them all. Nothing here imports them back.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from xlplan.core.findings import Finding, Severity
from xlplan.errors import XlplanUserError

if TYPE_CHECKING:
    from xlplan.core.model import Plan
    from xlplan.layout.read import ReadResult


class _UnsetHelpIsFalse:
    """--help left out is False, not None: typer (0.29) builds a pydantic TypeAdapter to coerce a flag's
    None, which imported pydantic (≈ 0.04 s) into every command, `xlplan version` and `--help` included."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None and option.default is None:
            option.default = False
        return option


class _Command(_UnsetHelpIsFalse, TyperCommand):
    pass


class _Group(_UnsetHelpIsFalse, TyperGroup):
    pass


class CommandGroup(typer.Typer):
    """typer.Typer whose commands and groups leave pydantic unimported unless a parameter needs it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cls=_Group, **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = CommandGroup(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="官民データ活用推進計画を Excel で作るためのツール。Excel のボタンと同じ操作をコマンドで実行します。")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_FINDINGS = 1
EXIT_INPUT = 2


class Fmt(StrEnum):
    text = "text"
    json = "json"


class DumpFmt(StrEnum):
    yaml = "yaml"
    json = "json"


class GroupByOpt(StrEnum):
    pillar = "pillar"
    domain = "domain"


def fail(exc: XlplanUserError) -> typer.Exit:
    err.print(f"[bold red]エラー:[/] {exc}", highlight=False)
    return typer.Exit(EXIT_INPUT)


# ------------------------------------------------------------------ helpers

def read_workbook(path: Path, extra: tuple[str, ...] = ()) -> ReadResult:
    """The plan in a workbook: 基本情報 first, then only the sheets it needs (plus `extra`)."""
    from xlplan.adapters.xlsx_file import read_plan_file

    return read_plan_file(path, extra)


def require_plan(read: ReadResult, path: Path) -> Plan:
    if read.plan is None:
        first = read.findings[0] if read.findings else None
        where = f"シート「{first.sheet}」のセル {first.cell}: {first.message}" if first else "計画開始年度を確認してください。"
        raise XlplanUserError(f"「{path.name}」の基本情報を読み取れません。{where}")
    return read.plan


@contextmanager
def editing(path: Path, output: Optional[Path] = None, *, backup: bool = False, force: bool = False,
            command: str = ""):
    """The whole read-modify-write of a workbook under its lock (xlplan.adapters.file_edit); what the
    clerk should know about the written file (e.g. macros left out of an .xlsx) is printed after it."""
    from xlplan.adapters.file_edit import FileEdit

    with FileEdit(path, output, backup=backup, force=force, command=command) as edit:
        yield edit
    for note in edit.notes:
        out.print(f"注意: {note}", highlight=False, markup=False)


def print_findings(findings: list[Finding], fmt: Fmt) -> None:
    """Findings, one line each, and the count. In a terminal rich colours the labels; piped or captured (a
    prefecture's script, CI) the text is written as it is, in one write: rich would read each message as markup
    (a clerk's 「[新規]」 in a measure name would be lost) and costs ≈ 0.2 ms a line (2,000 findings: 0.4 s)."""
    if fmt is Fmt.json:
        text = json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)
        if out.is_terminal:
            out.print_json(text)
        else:
            _write_out(text + "\n")
        return
    errors = sum(f.severity is Severity.ERROR for f in findings)
    lines = []
    for f in findings:
        place = f"{f.sheet}!{f.cell}" if f.cell else f.sheet or (f"施策ID {f.measure_id}" if f.measure_id else "計画")
        lines.append((f.severity, f" {f.code} {place} {f.message}\n"))
    summary = f"エラー {errors}件、警告 {len(findings) - errors}件\n"
    if out.is_terminal:
        from rich.text import Text

        text = Text()
        for severity, rest in lines:
            text.append(severity.label, style="red" if severity is Severity.ERROR else "yellow")
            text.append(rest)
        text.append(summary)
        out.print(text, highlight=False, end="")
    else:
        _write_out("".join(severity.label + rest for severity, rest in lines) + summary)


def _write_out(text: str) -> None:
    out.file.write(text)
    out.file.flush()


def bundled_sample() -> Path:
    return Path(str(resources.files("xlplan._samples").joinpath("sample_plan.yaml")))


OutputOpt = Annotated[Optional[Path], typer.Option("-o", "--output", help="別のファイルに書き出す（元のファイルは変更しない）")]
BackupOpt = Annotated[bool, typer.Option("--backup", help="上書きする前のファイルを .bak として残す")]
ForceOpt = Annotated[bool, typer.Option("--force", help="書き出し先（-o など）が既にあっても置き換える")]


