"""Commands for working with departments and revisions: survey (照会票), collect (回答の取込), diff (新旧対照表)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from xlplan.cli.app import EXIT_FINDINGS, BackupOpt, ForceOpt, OutputOpt, app, editing, err, fail, out, read_workbook, require_plan
from xlplan.errors import XlplanUserError

if TYPE_CHECKING:
    from xlplan.core.model import Plan

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
    force: ForceOpt = False,
) -> None:
    """2つの版の計画を比べ、施策の追加・削除・変更（項目ごと）、KPIの目標、工程の変更を表示します。
    終了コード: 0=違いなし、1=違いあり、2=読み込めない。"""
    from xlplan.core.comparison import comparison
    from xlplan.core.diff import diff_plans, summarize
    from xlplan.export.comparison_docx import export_comparison_docx
    from xlplan.export.comparison_xlsx import export_comparison_xlsx

    from xlplan.fileio import check_new_target

    try:
        for target in (docx, xlsx):
            if target is not None:
                check_new_target(target, force)
        result = diff_plans(load_any_plan(old), load_any_plan(new))
        table = comparison(result)
        if docx is not None:
            export_comparison_docx(table, docx, overwrite=force)
        if xlsx is not None:
            export_comparison_xlsx(table, xlsx, overwrite=force)
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


@app.command()
def survey(
    path: Annotated[Path, typer.Argument(help="マスターのブック（または計画ファイル .yaml/.json）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="照会票を書き出すフォルダー")],
    by_owner: Annotated[bool, typer.Option("--by-owner", help="担当課ごとに1ファイル（いまはこの形だけです）")] = True,
    owners: Annotated[Optional[str], typer.Option("--owners", help="照会する担当課（例: 税務課,総務課）。省略時はすべての担当課")] = None,
    kind: Annotated[str, typer.Option("--kind", help="plan（計画照会）または actuals（実績照会）")] = "plan",
    fy: Annotated[Optional[str], typer.Option("--fy", help="実績照会の年度（例: R9、令和9年度、2027）")] = None,
    force: Annotated[bool, typer.Option("--force", help="フォルダーに同じ名前の照会票があっても作り直す")] = False,
) -> None:
    """担当課ごとの照会票（マクロなしの .xlsx）を作ります。計画照会は施策・KPIの確認と新しい施策の提案、
    実績照会はその年度の実績値・実績の説明・今後の取組を尋ねます。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.fiscal import parse_fy, wareki_fy
    from xlplan.core.survey import SurveyKind
    from xlplan.survey import write_forms

    try:
        if not by_owner:
            raise XlplanUserError("照会票は担当課ごとに作ります。--by-owner を付けて実行してください。")
        try:
            survey_kind = SurveyKind(kind)
        except ValueError:
            raise XlplanUserError(f"--kind は plan（計画照会）か actuals（実績照会）です（指定: {kind}）。") from None
        year = parse_fy(fy) if fy else None
        plan = load_any_plan(path)
        names = [o.strip() for o in owners.replace("、", ",").split(",") if o.strip()] if owners else None
        written = write_forms(plan, load_catalog(), output, owners=names, kind=survey_kind, fy=year, force=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    for w in written:
        counts = f"施策 {len(w.form.measures)}件、KPI {sum(len(m.kpis) for m in w.form.measures)}件"
        out.print(f"{w.path.name}（{w.form.owner}: {counts}）", highlight=False)
    what = survey_kind.label + (f"（{wareki_fy(year)}）" if year else "")
    out.print(f"{what}の照会票を {len(written)}件 作りました: {output}", highlight=False)
    unowned = [m.id for m in plan.measures if not m.owner.strip()]
    if unowned and not owners:
        err.print(f"[yellow]注意[/] 担当課が空欄の施策は照会票に入っていません: {'、'.join(unowned)}", highlight=False)


TakeOpt = Annotated[Optional[list[str]], typer.Option(
    "--take", help="競合の決め方: answer（回答）/ master（マスター）をすべてに、ファイル名=answer でその回答に、"
                   "競合ID=answer（例: DG-01:KPI1:目標値=answer）でその競合に。複数指定できます")]


def parse_take(values: list[str] | None, sources: list[str]):
    from xlplan.core.merge import Take

    default, by_source, by_conflict = None, {}, {}
    for value in values or []:
        target, _, choice = value.rpartition("=")
        choice = choice.strip()
        if choice not in ("answer", "master"):
            raise XlplanUserError(f"--take「{value}」: 最後は answer（回答）か master（マスター）です。")
        if not target:
            default = choice
        elif (name := next((s for s in sources if target in (s, Path(s).stem)), None)) is not None:
            by_source[name] = choice
        else:
            by_conflict[target] = choice
    return Take(default, by_source, by_conflict)


@app.command()
def collect(
    path: Annotated[Path, typer.Argument(help="マスターのブック")],
    answers: Annotated[list[Path], typer.Argument(help="回答の照会票（ファイル、またはフォルダー）")],
    take: TakeOpt = None,
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="取り込む内容を表示するだけで、ブックは変えない")] = False,
) -> None:
    """回答をマスターに取り込みます。変わった項目・新しい施策・実績だけを書き込み、マスターでも変わった項目は
    競合として残します（--take で決めます）。結果は「取込結果」シートに記録します。
    終了コード: 0=すべて取り込んだ、1=競合・注意あり、2=読み込めない。"""
    import datetime as dt

    from xlplan.catalog_data import load_catalog
    from xlplan.collect import collect_ops
    from xlplan.layout.sheets import COLLECT_LOG
    from xlplan.survey import answer_files, read_answer_files

    try:
        if path.suffix.lower() in PLAN_SUFFIXES:
            raise XlplanUserError("回答はブック（.xlsm/.xlsx）に取り込みます。計画ファイルの場合は xlplan new --from でブックを作ってください。")
        with editing(path, output, backup=backup, force=force, command="collect") as edit:
            read = edit.read(extra=(COLLECT_LOG,))
            require_plan(read, path)
            files = [f for f in answer_files(answers) if f.resolve() != path.resolve()]
            if not files:
                raise XlplanUserError("回答のファイルがありません。回答の照会票（.xlsx）か、それを入れたフォルダーを指定してください。")
            parsed, unreadable = read_answer_files(files, load_catalog())
            log = _log_grid(path, COLLECT_LOG)
            result = collect_ops(read, parsed, take=parse_take(take, [f.name for f in files]), now=dt.datetime.now(), log=log)
            target = path
            if result.ops and not dry_run:
                target = edit.write(result.ops)
        if log is None and result.log_rows and not dry_run:
            from xlplan.collect_log import write_log_workbook

            fallback = write_log_workbook(target, result.log_rows)
            err.print(f"[yellow]注意[/] このブックには「{COLLECT_LOG}」シートがないため、取込結果を {fallback.name} に書きました。",
                      highlight=False)
    except XlplanUserError as exc:
        raise fail(exc) from None
    _print_collect(result, unreadable, target, dry_run)
    raise typer.Exit(EXIT_FINDINGS if result.needs_attention or unreadable else 0)


def _log_grid(path: Path, sheet: str):
    from xlplan.adapters.xlsx_file import read_values

    values = read_values(path, [sheet])
    return values.get(sheet) if sheet in values.sheet_names else None


def _print_collect(result, unreadable: list[str], target: Path, dry_run: bool) -> None:
    from xlplan.collect import change_item

    merge = result.merge
    places = result.places
    unplaced = {id(c) for c in result.unplaced}
    for i, c in enumerate(merge.changes):
        if i in places:
            where = f" {places[i][0]}!{places[i][1]}"
        elif id(c) in unplaced:
            where = "（未反映: このブックには書き込む列がありません。値は取込結果に残します）"
        else:
            where = "（未反映）"
        change = f"{c.before or '（なし）'} → {c.after or '（なし）'}" if c.key else c.after
        out.print(f"{c.kind} {c.owner} {c.measure_id} {change_item(c)}: {change}{where}", highlight=False)
    for i, k in enumerate(merge.conflicts):
        state = {"answer": "回答を採用", "master": "マスターのまま"}.get(k.taken or "", "未反映")
        where = f" {result.conflict_places[i][0]}!{result.conflict_places[i][1]}" if i in result.conflict_places else ""
        out.print(f"[red]競合[/] {k.id}（{k.source}）マスター: {k.master or '（なし）'} / 回答: {k.answer or '（なし）'}"
                  f" / 照会時: {k.base or '（なし）'} → {state}{where}", highlight=False)
    for p in [*merge.problems, *result.refused]:
        out.print(f"{'参考' if p.info else '[yellow]注意[/]'} {p.place} {p.message}", highlight=False)
    for line in unreadable:
        out.print(f"[red]読めない回答[/] {line}", highlight=False)
    if merge.missing:
        out.print(f"回答がない担当課: {'、'.join(merge.missing)}", highlight=False)
    open_conflicts = [k for k in merge.conflicts if k.taken is None]
    if open_conflicts:
        out.print(f"競合 {len(open_conflicts)}件はマスターのままです。決めるには --take 競合ID=answer（回答を採用）か"
                  " =master（マスターのまま）を付けて、もう一度実行してください。", highlight=False)
    written = len(result.written)
    verb = "取り込みます（--dry-run のため書き込んでいません）" if dry_run else f"取り込みました: {target}"
    out.print(f"{len(merge.changes)}件の変更のうち {written}件を{verb}" if merge.changes else "取り込む変更はありません。",
              highlight=False)
