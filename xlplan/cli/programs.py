"""`xlplan programs …`: import, export and update the 国・県の施策 list of a workbook.

A prefecture exports its own programs (K01 …) once and hands the file to its municipalities,
who import it; `update` brings a workbook's national rows to the list packaged with this
version of xlplan. Rows whose ID is not a packaged ID are the clerk's own and are never changed
by `update`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from xlplan.cli.app import BackupOpt, CommandGroup, ForceOpt, OutputOpt, app, editing, err, fail, out
from xlplan.errors import XlplanUserError

if TYPE_CHECKING:
    from xlplan.core.programs import ProgramMerge
    from xlplan.layout.read import ReadResult

programs_app = CommandGroup(no_args_is_help=True, rich_markup_mode=None,
                             help="「国・県の施策」の一覧を取り込む（import）・書き出す（export）・最新にする（update）。")
app.add_typer(programs_app, name="programs")


def _read(source) -> ReadResult:
    """The workbook's plan (source: a path, or a FileEdit that holds the workbook's lock)."""
    from xlplan.layout.sheets import PROGRAMS
    from xlplan.cli.app import read_workbook
    from xlplan.operations import program_sheet_problems

    read = source.read() if hasattr(source, "read") else read_workbook(source)
    problems = program_sheet_problems(read)
    if problems:
        first = problems[0]
        raise XlplanUserError(f"「{PROGRAMS}」シートに読めないセルがあるため、一覧を変更しません。"
                              f"先に {first.sheet}!{first.cell} を直してください: {first.message}"
                              + (f"（ほか {len(problems) - 1}件）" if len(problems) > 1 else ""),
                              sheet=first.sheet, cell=first.cell)
    return read


def _report(merge: ProgramMerge, what: str) -> None:
    for p in merge.append:
        out.print(f"追加: {p.id} {p.name}", highlight=False)
    for pid, p in merge.replace.items():
        out.print(f"更新: {pid} {p.name}", highlight=False)
    for pid, reason in merge.skipped:
        out.print(f"[yellow]取り込まず[/] {pid}: {reason}", highlight=False)
    out.print(f"{what}: 追加 {len(merge.append)}件、更新 {len(merge.replace)}件、変更なし {len(merge.unchanged)}件"
              f"、取り込まず {len(merge.skipped)}件。", highlight=False)


def _write(edit, read: ReadResult, merge: ProgramMerge) -> Optional[Path]:
    from xlplan.layout.sheets import PROGRAMS_TABLE
    from xlplan.operations import program_merge_ops

    ops = program_merge_ops(read, merge)
    if not ops:
        return None
    assert read.programs is not None
    if read.programs.width < PROGRAMS_TABLE.width and not read.programs.can_widen:
        err.print("[yellow]注意[/] このブックの「国・県の施策」には「状態」「後継」「確認の内容」の列がないため（その場所に別の入力があります）、"
                  "これらは書き込んでいません。xlplan new --from で作り直すと表示されます。", highlight=False)
    return edit.write(ops)


@programs_app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="取り込み先のブック")],
    file: Annotated[Path, typer.Argument(help="施策の一覧（.csv / .yaml / .xlsx）。見出しは「国・県の施策」シートと同じ")],
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """県・市町村の施策をブックの「国・県の施策」に取り込みます（同じIDの行は更新、新しいIDは追加）。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.programs import import_programs
    from xlplan.programfile import load_programs

    try:
        incoming = load_programs(file)
        with editing(workbook, output, backup=backup, force=force, command="programs import") as edit:
            read = _read(edit)
            assert read.programs is not None
            merge = import_programs(read.programs.programs, incoming, load_catalog().program_ids)
            target = _write(edit, read, merge)
    except XlplanUserError as exc:
        raise fail(exc) from None
    _report(merge, f"「{file.name}」から取り込みました" if target else f"「{file.name}」: 変更はありません")


@programs_app.command("export")
def export(
    workbook: Annotated[Optional[Path], typer.Argument(help="書き出すブック（--packaged のときは不要）")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="出力先（.csv / .yaml / .xlsx）")] = ...,
    packaged: Annotated[bool, typer.Option("--packaged", help="xlplan に同梱の国の施策の一覧を書き出す")] = False,
    own: Annotated[bool, typer.Option("--own", help="自団体の施策（同梱の一覧にないID）だけを書き出す")] = False,
    force: ForceOpt = False,
) -> None:
    """「国・県の施策」の一覧をファイルに書き出します（県が市町村に配るときなど）。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.programs import own_programs
    from xlplan.fileio import check_new_target
    from xlplan.programfile import save_programs

    try:
        check_new_target(output, force)
        if packaged == (workbook is not None):
            raise XlplanUserError("ブックを指定するか、--packaged を付けてください（どちらか一方）。")
        catalog = load_catalog()
        if packaged:
            programs = list(catalog.programs)
        else:
            read = _read(workbook)
            assert read.programs is not None
            programs = read.programs.programs
        if own:
            programs = own_programs(programs, catalog.program_ids)
        if not programs:
            raise XlplanUserError("書き出す施策がありません（--own のときは、同梱の一覧にないIDの施策だけを書き出します）。")
        save_programs(programs, output, overwrite=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"{len(programs)}件を書き出しました: {output}", highlight=False)


@programs_app.command("update")
def update(
    workbook: Annotated[Path, typer.Argument(help="更新するブック")],
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """ブックの国の施策を、この xlplan に同梱の最新の一覧にします。自団体の施策の行（同梱の一覧にないID）は変更しません。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.programs import refresh_packaged
    try:
        with editing(workbook, output, backup=backup, force=force, command="programs update") as edit:
            read = _read(edit)
            assert read.programs is not None
            merge = refresh_packaged(read.programs.programs, load_catalog().programs)
            target = _write(edit, read, merge)
    except XlplanUserError as exc:
        raise fail(exc) from None
    _report(merge, f"国の施策を最新にしました（{target}）" if target else "国の施策は最新です")
    if target:
        out.print("終了した施策を関連付けている施策は、xlplan validate で後継とあわせて示されます。", highlight=False)
