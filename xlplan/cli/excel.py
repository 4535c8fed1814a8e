"""Commands for the Excel side: doctor, setup (once per PC and user) and bundle (the offline installer)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Annotated

import typer

from xlplan.cli.app import EXIT_FINDINGS, fail, app, out
from xlplan.errors import XlplanUserError


@app.command()
def doctor(
    path: Annotated[Path | None, typer.Argument(help="診断するブック（省略すると Python の環境だけ）")] = None,
) -> None:
    """Python・xlwings・ブックの設定（xlwings.conf、組み込みの xlwings の版、場所）を診断します。「環境診断」ボタンと同じ内容です。

    終了コード: 0=問題なし、1=✗ あり、2=ブックを読み込めない。"""
    from xlplan.doctor import (
        classify_location,
        environment_checks,
        format_report,
        has_problems,
        standard_checks,
        workbook_checks,
    )
    from xlplan.policy import policy_checks, read_facts

    checks = environment_checks()
    if path is None:
        checks += standard_checks()
    else:
        try:
            values, vba_version, has_vba = _workbook_facts(path)
        except XlplanUserError as exc:
            raise fail(exc) from None
        checks += workbook_checks(values, classify_location(str(path.resolve())), vba_version, has_vba)
    checks += policy_checks(read_facts(path), path)
    out.print(format_report(checks), highlight=False, markup=False)
    raise typer.Exit(EXIT_FINDINGS if has_problems(checks) else 0)


@app.command()
def setup(
    wheels: Annotated[Path | None, typer.Option("--wheels", help="オフラインで入れるときの wheel フォルダー（バンドルの wheels）")] = None,
) -> None:
    """この PC・このユーザーでボタンが動くように準備します（一度だけ。管理者権限は不要）。

    ユーザー専用の環境（Windows: %LOCALAPPDATA%\\xlplan\\venv）を作るか直し、xlplan を入れ、
    ボタンと同じコマンドラインを実際に実行して確かめます。終了コード: 0=準備完了、1=✗ あり。"""
    from xlplan.doctor import has_problems
    from xlplan.usersetup import format_setup, setup as run_setup

    if wheels is not None and not wheels.is_dir():
        raise fail(XlplanUserError(f"wheel フォルダー「{wheels}」がありません。バンドルを展開したフォルダーの wheels を指定してください。"))
    checks = run_setup(wheels)
    out.print(format_setup(checks), highlight=False, markup=False)
    raise typer.Exit(EXIT_FINDINGS if has_problems(checks) else 0)


def _workbook_facts(path: Path):
    """The xlwings.conf and _lists values, the embedded VBA's XLWINGS_VERSION, and whether there is VBA."""
    from xlplan.adapters.package.zipcheck import check_package
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.builder.vba_project import read_vba_sources
    from xlplan.doctor import vba_xlwings_version
    from xlplan.layout import sheets as L

    with check_package(path) as archive:
        vba = archive.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in archive.namelist() else None
    values = read_values(path, [L.XLWINGS_CONF, L.LISTS])
    version = None
    if vba is not None:
        try:
            version = vba_xlwings_version(read_vba_sources(vba))
        except (ValueError, zipfile.BadZipFile, OSError):
            version = None   # unreadable VBA: fall back to the version recorded in _lists
    return values, version, vba is not None


@app.command()
def bundle(
    output: Annotated[Path, typer.Argument(help="作成する zip（例: xlplan-setup.zip）")],
    python: Annotated[str, typer.Option("--python", help="配布先の Python の版: 3.11・3.12・3.13")] = "3.12",
    cache: Annotated[Path | None, typer.Option("--cache", help="wheel を取っておくフォルダー（作り直しを速くする）")] = None,
    force: Annotated[bool, typer.Option("--force", help="作成する zip が既にあっても置き換える")] = False,
) -> None:
    """インターネットのない Windows PC 用のオフライン インストーラー（zip）を作ります（どの OS でも作れます）。

    zip には win_amd64 用の wheel（xlplan と必要な部品すべて、pywin32 を含む）、空のひな形ブック、
    セットアップ（setup.cmd / setup.ps1）が入ります。この PC はパッケージのダウンロードにインターネットを使います。"""
    from xlplan.bundle import build_bundle

    from xlplan.fileio import check_new_target

    try:
        check_new_target(output, force)  # before minutes of downloads
        result = build_bundle(output, python, cache=cache, overwrite=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"作成しました: {result.path}（Python {result.python}・win_amd64、wheel {len(result.wheels)}個）\n"
              "配布先の PC では zip を展開し、setup.cmd を実行します。", highlight=False)
    for note in result.notes:
        out.print(f"注意: {note}", highlight=False)
