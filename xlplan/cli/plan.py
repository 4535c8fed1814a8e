"""Commands that make, read and change a workbook: new, dump, validate, schedule, populate, clear-marks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from xlplan.cli.app import (
    EXIT_FINDINGS,
    BackupOpt,
    DumpFmt,
    Fmt,
    ForceOpt,
    GroupByOpt,
    OutputOpt,
    app,
    err,
    fail,
    out,
    editing,
    print_findings,
    read_workbook,
    require_plan,
)
from xlplan.errors import XlplanUserError

if TYPE_CHECKING:
    from xlplan.core.model import Plan


@app.command()
def new(
    output: Annotated[Path, typer.Argument(help="作成するブック（.xlsm）")],
    municipality: Annotated[Optional[str], typer.Option(help="団体名（例: 青葉台市）")] = None,
    start_fy: Annotated[Optional[str], typer.Option("--start-fy", help="計画開始年度（例: 令和9年度、R9、2027）")] = None,
    years: Annotated[str, typer.Option(help="計画期間の年数（例: 5、5年。3か5が一般的）")] = "5",
    subdivision: Annotated[Optional[str], typer.Option("--subdivision", help="工程表の区切り: 年度・半期・四半期")] = None,
    cost_columns: Annotated[Optional[str], typer.Option("--cost-columns", help="分野のシートに概算事業費（千円）と財源の列を置く: あり・なし")] = None,
    from_plan: Annotated[Optional[Path], typer.Option("--from", help="計画ファイル（YAML/JSON）または xlplan のブック（.xlsm/.xlsx）から作る")] = None,
    force: Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする")] = False,
) -> None:
    """計画作成用のブックを作ります。ボタンは各 PC の標準の場所の Python（xlplan setup で準備）を使います。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.fiscal import period_label
    from xlplan.core.model import Plan
    from xlplan.core.parse import parse_fy, parse_years
    from xlplan.core.vocab import Subdivision, parse_term
    from xlplan.fileio import check_new_target
    from xlplan.builder.workbook import build_workbook, write_workbook

    try:
        if from_plan is not None:
            plan = plan_from(from_plan)
        else:
            if not municipality or not start_fy:
                raise XlplanUserError("--municipality と --start-fy を指定するか、--from で計画ファイルを指定してください。")
            plan = Plan(municipality=municipality, title=f"{municipality}官民データ活用推進計画",
                        start_fy=parse_fy(start_fy), years=parse_years(years))
        if subdivision is not None:
            try:
                plan = Plan.model_validate({**plan.model_dump(), "subdivision": parse_term(Subdivision, subdivision, "工程表の区切り")})
            except ValueError as exc:
                raise XlplanUserError(str(exc)) from None
        if cost_columns is not None:
            from xlplan.reshape_columns import parse_cost_columns

            plan = plan.model_copy(update={"cost_columns": parse_cost_columns(cost_columns)})
        if not 1 <= plan.years <= 10:
            raise XlplanUserError(f"計画期間は1〜10年で指定してください（指定: {plan.years}年）。")
        check_new_target(output, force)
        if output.suffix.lower() not in (".xlsm", ".xlsx"):
            raise XlplanUserError(f"「{output.name}」の拡張子は .xlsm にしてください（ボタンを使うため）。")
        data = build_workbook(plan, load_catalog(),
                              with_macros=output.suffix.lower() == ".xlsm")
        write_workbook(output, data, overwrite=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"作成しました: {output}（{plan.municipality}、{period_label(plan.start_fy, plan.years, plan.start_month)}、"
              f"施策 {len(plan.measures)}件）", highlight=False)


PLAN_SUFFIXES = (".yaml", ".yml", ".json")
BOOK_SUFFIXES = (".xlsm", ".xlsx")


def plan_from(path: Path) -> Plan:
    """The plan in a plan file or in a workbook (what `new --from` accepts): anything else is refused by name."""
    from xlplan.planfile import load_plan

    if not path.exists():
        raise XlplanUserError(f"「{path}」が見つかりません。パスを確認してください。")
    suffix = path.suffix.lower()
    if suffix in PLAN_SUFFIXES:
        return load_plan(path)
    if suffix in BOOK_SUFFIXES:
        with path.open("rb") as f:
            if f.read(2) != b"PK":
                raise XlplanUserError(f"「{path.name}」は Excel のブックとして読めません（壊れているか、別の形式です）。"
                                      "Excel で開いて .xlsm 形式で保存し直してから、もう一度実行してください。")
        read = read_workbook(path)
        plan = require_plan(read, path)
        for f in read.findings:
            err.print(f"[yellow]注意[/] {f.sheet}!{f.cell} {f.message}", highlight=False)
        return plan
    raise XlplanUserError(
        f"「{path.name}」は --from に使えません。計画ファイル（.yaml/.yml/.json）か、"
        "xlplan で作ったブック（.xlsm/.xlsx）を指定してください（.xls や .csv は Excel で .xlsm に保存し直してください）。")


@app.command()
def dump(
    path: Annotated[Path, typer.Argument(help="読み込むブック")],
    fmt: Annotated[DumpFmt, typer.Option("--format", help="yaml または json")] = DumpFmt.yaml,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """ブックの内容を計画ファイル（YAML/JSON）として書き出します。"""
    from xlplan.fileio import check_new_target
    from xlplan.planfile import dump_plan, save_plan

    try:
        if output is not None:
            check_new_target(output, force)
        read = read_workbook(path)
        plan = require_plan(read, path)
        for f in read.findings:
            err.print(f"[yellow]注意[/] {f.sheet}!{f.cell} {f.message}", highlight=False)
        if output:
            save_plan(plan, output, overwrite=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    if output:
        out.print(f"書き出しました: {output}", highlight=False)
    else:
        sys.stdout.write(dump_plan(plan, fmt.value))


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="検証するブック（または計画ファイル .yaml/.json）")],
    fmt: Annotated[Fmt, typer.Option("--format", help="text または json")] = Fmt.text,
    write: Annotated[bool, typer.Option("--write/--no-write", help="結果をブックの「検証結果」シートに書く")] = True,
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """KPI・年度・工程の整合性を検証します。終了コード: 0=エラーなし、1=エラーあり、2=読み込めない。"""
    from xlplan.core.findings import has_errors
    from xlplan.operations import findings_for, validate_ops

    try:
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            from xlplan.catalog_data import load_catalog   # a workbook's validate needs neither the catalog's
            from xlplan.core.catalog import with_catalog_programs   # models nor the plan-file reader
            from xlplan.core.validation import validate_plan
            from xlplan.planfile import load_plan

            # a plan file lists only its own programs; the workbook would add the catalog's
            findings = validate_plan(with_catalog_programs(load_plan(path), load_catalog()))
        elif not write:
            findings = findings_for(read_workbook(path))
        else:
            with editing(path, output, backup=backup, force=force, command="validate") as edit:
                findings, ops = validate_ops(edit.read())
                edit.write(ops)
    except XlplanUserError as exc:
        raise fail(exc) from None
    print_findings(findings, fmt)
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else 0)


@app.command()
def schedule(
    path: Annotated[Path, typer.Argument(help="ブック")],
    group_by: Annotated[GroupByOpt, typer.Option("--group-by", help="pillar（柱ごと）または domain（分野ごと）")] = GroupByOpt.pillar,
    actuals: Annotated[bool, typer.Option("--actuals", help="実績のある年度に、実績・目安・評価（★）を表示する")] = False,
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """「スケジュール」シート（工程表）を分野のシートから作り直し、検証結果も更新します。"""
    from xlplan.core.findings import Severity
    from xlplan.core.fiscal import wareki_fy
    from xlplan.layout.sheets import SCHEDULE
    from xlplan.operations import schedule_ops, validate_ops

    try:
        with editing(path, output, backup=backup, force=force, command="schedule") as edit:
            read = edit.read(extra=(SCHEDULE,))  # its headers must still fit the plan period
            plan = require_plan(read, path)
            findings, finding_ops = validate_ops(read, progress=True)
            target = edit.write(schedule_ops(read, group_by=group_by.value, actuals=actuals) + finding_ops)
    except XlplanUserError as exc:
        raise fail(exc) from None
    errors = sum(f.severity is Severity.ERROR for f in findings)
    out.print(f"工程表を作り直しました: {target}（施策 {len(plan.measures)}件、{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）"
              f"　検証: エラー {errors}件、警告 {len(findings) - errors}件", highlight=False)


@app.command()
def populate(
    path: Annotated[Path, typer.Argument(help="ブック")],
    selected: Annotated[bool, typer.Option("--selected", help="施策カタログで「採用」に ○ を付けた施策を追加")] = False,
    ids: Annotated[Optional[str], typer.Option("--ids", help="追加するカタログID（例: C01,C13）")] = None,
    all_: Annotated[bool, typer.Option("--all", help="カタログのすべての施策を追加")] = False,
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """施策カタログの施策を、分野のシートの該当する柱に追加します。追加済みの施策は追加しません。
    追加したときは検証し直し、検証結果と印を新しい行の位置に合わせます。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.findings import Severity
    from xlplan.operations import populate_ops, validate_ops

    try:
        if sum([selected, ids is not None, all_]) != 1:
            raise XlplanUserError("--selected、--ids、--all のどれか1つを指定してください。")
        with editing(path, output, backup=backup, force=force, command="populate") as edit:
            read = edit.read()
            require_plan(read, path)
            cat = load_catalog()
            chosen = (read.adopted if selected else [i.strip() for i in ids.split(",") if i.strip()] if ids
                      else [m.id for m in cat.measures if m.adoptable])
            if selected and not chosen:
                raise XlplanUserError("施策カタログで「採用」に ○ が付いた施策がありません。○ を付けてから実行してください。",
                                      sheet="施策カタログ")
            result = populate_ops(read, cat, chosen)
            findings = None
            if result.ops:
                edit.write(result.ops)
                # The rows moved: the findings (and the red and yellow marks they drive) follow them.
                findings, finding_ops = validate_ops(edit.read())
                edit.write(finding_ops)
    except XlplanUserError as exc:
        raise fail(exc) from None
    for m in result.result.added:
        out.print(f"追加: {m.id} {m.name}（{m.domain} / {m.pillar.value}、カタログ {m.catalog_id}）", highlight=False)
    from xlplan.operations import already_lines

    for line in already_lines(read, result.result, cat):
        out.print(f"[yellow]追加済み[/] {line}", highlight=False)
    for reason in result.result.skipped:
        out.print(f"[yellow]追加せず[/] {reason}", highlight=False)
    out.print(f"{len(result.result.added)}件を追加しました（追加済み {len(result.result.already)}件）。", highlight=False)
    if findings is not None:
        errors = sum(f.severity is Severity.ERROR for f in findings)
        out.print(f"検証し直しました: エラー {errors}件、警告 {len(findings) - errors}件"
                  "（「検証結果」シートとセルの印は、行を追加した後の位置を指しています）。", highlight=False)


@app.command("clear-marks")
def clear_marks(path: Annotated[Path, typer.Argument(help="ブック")], output: OutputOpt = None, backup: BackupOpt = False,
                force: ForceOpt = False) -> None:
    """検証結果と、セルの赤・黄の印を消します。"""
    from xlplan.operations import clear_marks_ops

    try:
        with editing(path, output, backup=backup, force=force, command="clear-marks") as edit:
            edit.read()
            edit.write(clear_marks_ops())
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print("検証結果と印を消しました。", highlight=False)


@app.command()
def reshape(
    path: Annotated[Path, typer.Argument(help="変更するブック（.xlsm）。閉じてから実行します")],
    start_fy: Annotated[Optional[str], typer.Option("--start-fy", help="新しい計画開始年度（例: 令和9年度、R9、2027）")] = None,
    years: Annotated[Optional[str], typer.Option("--years", help="新しい計画期間の年数（例: 3、5年）")] = None,
    start_month: Annotated[Optional[str], typer.Option("--start-month", help="開始月（4月以外に始まる計画、例: 12）")] = None,
    rename_domain: Annotated[Optional[list[str]], typer.Option("--rename-domain", help="分野の名前を変える（旧=新、例: その他=地域づくり）")] = None,
    add_domain: Annotated[Optional[list[str]], typer.Option("--add-domain", help="分野を追加する（例: 教育）。繰り返し指定できます")] = None,
    remove_domain: Annotated[Optional[list[str]], typer.Option("--remove-domain", help="分野を外す（名前=理由、例: 金融=該当する事業がない）。法の8分野は理由が必要です")] = None,
    subdivision: Annotated[Optional[str], typer.Option("--subdivision", help="工程表の区切り: 年度・半期・四半期")] = None,
    cost_columns: Annotated[Optional[str], typer.Option("--cost-columns", help="分野のシートの概算事業費（千円）・財源の列: あり・なし")] = None,
    force: Annotated[bool, typer.Option("--force", help="消える入力（計画期間から外れる年度の値、外す分野の施策、取り除く列の値）があっても変更する（消した内容は「削除した内容」に残す）")] = False,
) -> None:
    """計画の枠組み（計画期間・開始年度・工程表の区切り・分野・事業費と財源の列）を変え、列やシートを足し引きします。オプションなしなら「基本情報」の値（計画期間、工程表の区切り、分野の一覧、事業費・財源の列）に合わせます。"""
    from xlplan.core.fiscal import wareki_fy
    from xlplan.core.parse import parse_fy, parse_years
    from xlplan.core.parse import parse_month
    from xlplan.reshape import reshape_file
    from xlplan.core.vocab import normalize_domain
    from xlplan.reshape_columns import parse_cost_columns
    from xlplan.reshape_domain_changes import parse_remove
    from xlplan.reshape_domains import parse_rename
    from xlplan.core.vocab import Subdivision, parse_term
    from xlplan.reshape_plan import ReshapeRequest

    try:
        try:
            sub = parse_term(Subdivision, subdivision, "工程表の区切り") if subdivision else None
        except ValueError as exc:
            raise XlplanUserError(str(exc)) from None
        request = ReshapeRequest(subdivision=sub, cost_columns=parse_cost_columns(cost_columns) if cost_columns else None,
                                 start_fy=parse_fy(start_fy) if start_fy else None,
                                 years=parse_years(years) if years else None,
                                 start_month=parse_month(start_month) if start_month else None,
                                 rename=tuple(parse_rename(r) for r in rename_domain or ()),
                                 add=tuple(normalize_domain(d.strip()) for d in add_domain or () if d.strip()),
                                 remove=tuple(parse_remove(r) for r in remove_domain or ()))
        result = reshape_file(path, request, force=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    change = result.change
    if change.changed:
        out.print(f"計画期間を {wareki_fy(change.old[0])}〜{wareki_fy(change.old[-1])} から "
                  f"{wareki_fy(change.new[0])}〜{wareki_fy(change.new[-1])} に変えました: {path}", highlight=False)
    if result.subdivision is not None:
        out.print(f"工程表の区切りを「{result.subdivision[0]}」から「{result.subdivision[1]}」に変えました: {path}", highlight=False)
    if result.cost_columns is not None:
        done = "追加しました（「詳細」の備考の右）" if result.cost_columns else "取り除きました"
        out.print(f"分野のシートに概算事業費（千円）と財源の列を{done}: {path}", highlight=False)
    if not (change.changed or result.renamed or result.added or result.removed or result.subdivision
            or result.cost_columns is not None):
        out.print(f"年度の列は基本情報の計画期間と合っています（変更なし）: {path}", highlight=False)
    for old_name, new_name in result.renamed:
        out.print(f"分野「{old_name}」を「{new_name}」に変えました（シート名・基本情報・網羅表）: {path}", highlight=False)
    for name in result.added:
        out.print(f"分野「{name}」を追加しました（シート・基本情報・網羅表）: {path}", highlight=False)
    for name, reason in result.removed:
        why = f"（理由「{reason}」を基本情報の「取り組まない柱・分野と理由」に記録）" if reason else ""
        out.print(f"分野「{name}」を外しました{why}: {path}", highlight=False)
    if result.dropped:
        out.print(f"入力 {len(result.dropped)}件を消しました。シート「削除した内容」と "
                  f"{result.dropped_file} に残しています:", highlight=False)
        for d in result.dropped:
            out.print("・" + d.line(), highlight=False)
