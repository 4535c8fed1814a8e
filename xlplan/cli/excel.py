"""Commands for the Excel side: doctor."""

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
        workbook_checks,
    )

    checks = environment_checks()
    if path is not None:
        try:
            values, vba_version, has_vba = _workbook_facts(path)
        except XlplanUserError as exc:
            raise fail(exc) from None
        checks += workbook_checks(values, classify_location(str(path.resolve())), vba_version, has_vba)
    out.print(format_report(checks), highlight=False, markup=False)
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
