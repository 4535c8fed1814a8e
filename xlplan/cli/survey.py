"""Commands for working with departments and revisions: survey (照会票), collect (回答の取込), diff (新旧対照表)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from xlplan.cli.app import EXIT_FINDINGS, app, err, fail, out, read_workbook, require_plan
from xlplan.core.model import Plan
from xlplan.errors import XlplanUserError

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def load_any_plan(path: Path) -> Plan:
    """A plan from a plan file or a workbook; cells that could not be read are listed on stderr."""
    from xlplan.planfile import load_plan

    if path.suffix.lower() in PLAN_SUFFIXES:
        return load_plan(path)
    read = read_workbook(path)
    plan = require_plan(read, path)
    for f in read.findings:
        err.print(f"[yellow]注意[/] {path.name} {f.sheet}!{f.cell} {f.message}", highlight=False)
    return plan


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="改正前の計画（ブック、または計画ファイル .yaml/.json）")],
    new: Annotated[Path, typer.Argument(help="改正後の計画（ブック、または計画ファイル）")],
    docx: Annotated[Optional[Path], typer.Option("--docx", help="新旧対照表を Word で書き出す（例: 新旧対照表.docx）")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="新旧対照表を Excel で書き出す（例: 新旧対照表.xlsx）")] = None,
) -> None:
    """2つの版の計画を比べ、施策の追加・削除・変更（項目ごと）、KPIの目標、工程の変更を表示します。
    終了コード: 0=違いなし、1=違いあり、2=読み込めない。"""
    from xlplan.core.comparison import comparison
    from xlplan.core.diff import diff_plans, summarize
    from xlplan.export.comparison_docx import export_comparison_docx
    from xlplan.export.comparison_xlsx import export_comparison_xlsx

    try:
        result = diff_plans(load_any_plan(old), load_any_plan(new))
        table = comparison(result)
        if docx is not None:
            export_comparison_docx(table, docx)
        if xlsx is not None:
            export_comparison_xlsx(table, xlsx)
    except XlplanUserError as exc:
        raise fail(exc) from None
    summary = summarize(result)
    for line in summary.lines:
        out.print(line, highlight=False)
    if result.empty:
        out.print("違いはありません。", highlight=False)
    else:
        out.print(f"施策: 追加 {summary.added}件、削除 {summary.removed}件、変更 {summary.changed}件"
                  f"（うちKPIの目標 {summary.targets}項目、工程 {summary.schedules}項目）、基本情報 {summary.plan_fields}項目",
                  highlight=False)
    for path in (docx, xlsx):
        if path is not None:
            out.print(f"新旧対照表を書き出しました: {path}", highlight=False)
    raise typer.Exit(0 if result.empty else EXIT_FINDINGS)
