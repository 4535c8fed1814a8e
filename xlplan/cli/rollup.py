"""`xlplan rollup`: a prefecture's (or the country's) municipalities' workbooks in one 集計 workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from xlplan.cli.app import fail, app, err, out
from xlplan.errors import XlplanUserError

MAX_LISTED = 20   # unreadable files printed; the output workbook lists them all


@app.command()
def rollup(
    inputs: Annotated[list[Path], typer.Argument(help="ブックのあるフォルダー（サブフォルダーも探す）、またはブック（複数可）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="作成する集計ブック（.xlsx）")],
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="同時に読み込むプロセス数（既定: CPU のコア数）")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="進み具合を表示する")] = True,
    force: Annotated[bool, typer.Option("--force", help="集計ブックが既にあっても置き換える")] = False,
) -> None:
    """多数の団体のブックを読み込み、施策・KPI・網羅状況・検証結果を1つの集計ブックにまとめます。

    読み込めないファイルがあっても止まらず、理由を「読み込めなかったファイル」シートに書きます。
    """
    from xlplan.fileio import check_new_target
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from xlplan.rollup import collect_files, default_jobs
    from xlplan.rollup import rollup as run_rollup

    try:
        if output.suffix.lower() != ".xlsx":
            raise XlplanUserError(f"集計ブックの拡張子は .xlsx にしてください（指定: {output.name}）。")
        if output.is_dir():
            raise XlplanUserError(f"「{output}」はフォルダーです。-o には作成するファイルの名前を指定してください。")
        if any(p.resolve() == output.resolve() for p in inputs if p.is_file()):
            raise XlplanUserError(f"「{output.name}」は集計するブックの1つです。-o には別の名前を指定してください。")
        check_new_target(output, force)
        files = collect_files(inputs, exclude=[output])
        total = len(files)
        n_jobs = jobs or default_jobs()
        bar = Progress(TextColumn("読み込み中"), BarColumn(), MofNCompleteColumn(), TextColumn("経過"), TimeElapsedColumn(),
                       TextColumn("残り"), TimeRemainingColumn(), console=err, disable=not progress, transient=False)
        with bar:
            task = bar.add_task("rollup", total=total or None)
            result = run_rollup(files, output, jobs=n_jobs, overwrite=force,
                                progress=lambda done, _total: bar.update(task, completed=done))
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"集計しました: {output}（{result.files:,}ファイル中 {len(result.summaries):,}団体、施策 {result.measures:,}件、"
              f"KPI {result.kpis:,}件、{result.seconds:.1f}秒、{n_jobs}プロセス）", highlight=False)
    errors = sum(1 for s in result.summaries if s["errors"])
    if errors:
        out.print(f"検証でエラーのある団体: {errors:,}（「集計」シートのエラー欄を見てください）", highlight=False)
    if result.failures:
        out.print(f"[yellow]読み込めなかったファイル: {len(result.failures):,}件[/]（「読み込めなかったファイル」シートに理由があります）",
                  highlight=False)
        for f in result.failures[:MAX_LISTED]:
            out.print(f"  {Path(f.path).name}: {f.reason}", highlight=False)
        if len(result.failures) > MAX_LISTED:
            out.print(f"  ほか {len(result.failures) - MAX_LISTED:,}件", highlight=False)
