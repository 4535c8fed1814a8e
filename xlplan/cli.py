"""The xlplan command line: the same operations as the Excel buttons, headless."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from xlplan import __version__
from xlplan.catalog_data import load_catalog
from xlplan.core.findings import Finding, Severity, has_errors
from xlplan.core.fiscal import parse_fy, period_label, wareki_fy
from xlplan.core.model import Plan
from xlplan.core.vocab import Subdivision, parse_term
from xlplan.errors import XlplanUserError
from xlplan.layout.read import ReadResult
from xlplan.layout.sheets import SCHEDULE

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
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


def main() -> None:
    """Console entry point: user errors print a Japanese message and exit 2, without a traceback."""
    try:
        app()
    except XlplanUserError as exc:
        err.print(f"[bold red]エラー:[/] {exc}", highlight=False)
        sys.exit(EXIT_INPUT)


def _fail(exc: XlplanUserError) -> typer.Exit:
    err.print(f"[bold red]エラー:[/] {exc}", highlight=False)
    return typer.Exit(EXIT_INPUT)


# ------------------------------------------------------------------ helpers

def read_workbook(path: Path, extra: tuple[str, ...] = ()) -> ReadResult:
    """The plan in a workbook: 基本情報 first, then only the sheets it needs (plus `extra`)."""
    from xlplan.adapters.xlsx_file import read_plan_values
    from xlplan.layout.read import read_plan

    return read_plan(read_plan_values(path, extra))


def _require_plan(read: ReadResult, path: Path) -> Plan:
    if read.plan is None:
        first = read.findings[0] if read.findings else None
        where = f"シート「{first.sheet}」のセル {first.cell}: {first.message}" if first else "計画開始年度を確認してください。"
        raise XlplanUserError(f"「{path.name}」の基本情報を読み取れません。{where}")
    return read.plan


def _write(path: Path, ops, output: Optional[Path], backup: bool) -> Path:
    from xlplan.adapters.package import apply_ops

    return apply_ops(path, ops, output, backup=backup)


def _print_findings(findings: list[Finding], fmt: Fmt) -> None:
    if fmt is Fmt.json:
        out.print_json(json.dumps([f.as_dict() for f in findings], ensure_ascii=False))
        return
    errors = sum(f.severity is Severity.ERROR for f in findings)
    for f in findings:
        color = "red" if f.severity is Severity.ERROR else "yellow"
        place = f"{f.sheet}!{f.cell}" if f.cell else f.sheet or (f"施策ID {f.measure_id}" if f.measure_id else "計画")
        out.print(f"[{color}]{f.severity.label}[/] {f.code} {place} {f.message}", highlight=False)
    out.print(f"エラー {errors}件、警告 {len(findings) - errors}件", highlight=False)


def _bundled_sample() -> Path:
    return Path(str(resources.files("xlplan._samples").joinpath("sample_plan.yaml")))


OutputOpt = Annotated[Optional[Path], typer.Option("-o", "--output", help="別のファイルに書き出す（元のファイルは変更しない）")]
BackupOpt = Annotated[bool, typer.Option("--backup", help="上書きする前のファイルを .bak として残す")]


# ------------------------------------------------------------------ commands

@app.command()
def version() -> None:
    """バージョンを表示します。"""
    out.print(f"xlplan {__version__}")


@app.command()
def catalog(
    fmt: Annotated[Fmt, typer.Option("--format", help="text または json")] = Fmt.text,
    programs: Annotated[bool, typer.Option("--programs", help="国の施策・補助の一覧を表示する")] = False,
) -> None:
    """施策カタログ（メモの44項目）または国の施策・補助の一覧を表示します。"""
    cat = load_catalog()
    items = cat.programs if programs else cat.measures
    if fmt is Fmt.json:
        out.print_json(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(show_lines=False)
    if programs:
        for h in ("ID", "施策名", "府省", "支援の種類", "補助率"):
            table.add_column(h)
        for p in cat.programs:
            table.add_row(p.id, p.name, p.ministry, p.support_type, p.rate)
    else:
        for h in ("ID", "分野", "柱", "施策名", "例示KPI"):
            table.add_column(h)
        for m in cat.measures:
            table.add_row(m.id, m.domain, m.pillar.value, m.text, m.kpi.name if m.kpi else "")
    out.print(table)


@app.command()
def new(
    output: Annotated[Path, typer.Argument(help="作成するブック（.xlsm）")],
    municipality: Annotated[Optional[str], typer.Option(help="団体名（例: 青葉台市）")] = None,
    start_fy: Annotated[Optional[str], typer.Option("--start-fy", help="計画開始年度（例: 令和9年度、R9、2027）")] = None,
    years: Annotated[int, typer.Option(help="計画期間の年数（3か5が一般的）")] = 5,
    subdivision: Annotated[Optional[str], typer.Option("--subdivision", help="工程表の区切り: 年度・半期・四半期")] = None,
    from_plan: Annotated[Optional[Path], typer.Option("--from", help="計画ファイル（YAML/JSON）から作る")] = None,
    force: Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする")] = False,
) -> None:
    """計画作成用のブックを作ります。xlwings.conf はこのコマンドを実行した Python を指します。"""
    from xlplan.build.workbook import build_workbook, default_interpreter, write_workbook
    from xlplan.planfile import load_plan

    try:
        if from_plan is not None:
            plan = load_plan(from_plan)
        else:
            if not municipality or not start_fy:
                raise XlplanUserError("--municipality と --start-fy を指定するか、--from で計画ファイルを指定してください。")
            plan = Plan(municipality=municipality, title=f"{municipality}官民データ活用推進計画",
                        start_fy=parse_fy(start_fy), years=years)
        if subdivision is not None:
            try:
                plan = Plan.model_validate({**plan.model_dump(), "subdivision": parse_term(Subdivision, subdivision, "工程表の区切り")})
            except ValueError as exc:
                raise XlplanUserError(str(exc)) from None
        if not 1 <= plan.years <= 10:
            raise XlplanUserError(f"計画期間は1〜10年で指定してください（指定: {plan.years}年）。")
        if output.exists() and not force:
            raise XlplanUserError(f"「{output}」は既にあります。上書きする場合は --force を付けてください。")
        if output.suffix.lower() not in (".xlsm", ".xlsx"):
            raise XlplanUserError(f"「{output.name}」の拡張子は .xlsm にしてください（ボタンを使うため）。")
        data = build_workbook(plan, load_catalog(), interpreter=default_interpreter(),
                              with_macros=output.suffix.lower() == ".xlsm")
        write_workbook(output, data)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    out.print(f"作成しました: {output}（{plan.municipality}、{period_label(plan.start_fy, plan.years, plan.start_month)}、"
              f"施策 {len(plan.measures)}件）", highlight=False)


@app.command()
def dump(
    path: Annotated[Path, typer.Argument(help="読み込むブック")],
    fmt: Annotated[DumpFmt, typer.Option("--format", help="yaml または json")] = DumpFmt.yaml,
    output: OutputOpt = None,
) -> None:
    """ブックの内容を計画ファイル（YAML/JSON）として書き出します。"""
    from xlplan.planfile import dump_plan, save_plan

    try:
        read = read_workbook(path)
        plan = _require_plan(read, path)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    for f in read.findings:
        err.print(f"[yellow]注意[/] {f.sheet}!{f.cell} {f.message}", highlight=False)
    if output:
        save_plan(plan, output)
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
) -> None:
    """KPI・年度・工程の整合性を検証します。終了コード: 0=エラーなし、1=エラーあり、2=読み込めない。"""
    from xlplan.core.catalog import with_catalog_programs
    from xlplan.core.validation import validate_plan
    from xlplan.operations import validate_ops
    from xlplan.planfile import load_plan

    try:
        if path.suffix.lower() in (".yaml", ".yml", ".json"):
            # a plan file lists only its own programs; the workbook would add the catalog's
            findings = validate_plan(with_catalog_programs(load_plan(path), load_catalog()))
        else:
            read = read_workbook(path)
            findings, ops = validate_ops(read)
            if write:
                _write(path, ops, output, backup)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    _print_findings(findings, fmt)
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else 0)


@app.command()
def schedule(
    path: Annotated[Path, typer.Argument(help="ブック")],
    group_by: Annotated[GroupByOpt, typer.Option("--group-by", help="pillar（柱ごと）または domain（分野ごと）")] = GroupByOpt.pillar,
    output: OutputOpt = None,
    backup: BackupOpt = False,
) -> None:
    """「スケジュール」シート（工程表）を分野のシートから作り直し、検証結果も更新します。"""
    from xlplan.operations import schedule_ops, validate_ops

    try:
        read = read_workbook(path, extra=(SCHEDULE,))  # its headers must still fit the plan period
        plan = _require_plan(read, path)
        findings, finding_ops = validate_ops(read)
        target = _write(path, schedule_ops(read, group_by=group_by.value) + finding_ops, output, backup)
    except XlplanUserError as exc:
        raise _fail(exc) from None
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
) -> None:
    """施策カタログの施策を、分野のシートの該当する柱に追加します。追加済みの施策は追加しません。"""
    from xlplan.operations import populate_ops

    try:
        if sum([selected, ids is not None, all_]) != 1:
            raise XlplanUserError("--selected、--ids、--all のどれか1つを指定してください。")
        read = read_workbook(path)
        _require_plan(read, path)
        cat = load_catalog()
        chosen = (read.adopted if selected else [i.strip() for i in ids.split(",") if i.strip()] if ids
                  else [m.id for m in cat.measures if m.adoptable])
        if selected and not chosen:
            raise XlplanUserError("施策カタログで「採用」に ○ が付いた施策がありません。○ を付けてから実行してください。",
                                  sheet="施策カタログ")
        result = populate_ops(read, cat, chosen)
        if result.ops:
            _write(path, result.ops, output, backup)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    for m in result.result.added:
        out.print(f"追加: {m.id} {m.name}（{m.domain} / {m.pillar.value}、カタログ {m.catalog_id}）", highlight=False)
    for reason in result.result.skipped:
        out.print(f"[yellow]追加せず[/] {reason}", highlight=False)
    out.print(f"{len(result.result.added)}件を追加しました（追加済み {len(result.result.already)}件）。", highlight=False)


@app.command("clear-marks")
def clear_marks(path: Annotated[Path, typer.Argument(help="ブック")], output: OutputOpt = None, backup: BackupOpt = False) -> None:
    """検証結果と、セルの赤・黄の印を消します。"""
    from xlplan.operations import clear_marks_ops

    try:
        read_workbook(path)
        _write(path, clear_marks_ops(), output, backup)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    out.print("検証結果と印を消しました。", highlight=False)


@app.command("build-template")
def build_template(
    output: Annotated[Path, typer.Argument(help="出力先")] = Path("workbook_templates/xlplan_template.xlsm"),
) -> None:
    """空の雛形ブックを作ります（workbook_templates/ に置く再現可能なファイル）。"""
    from xlplan.build.template import build_template_bytes
    from xlplan.build.workbook import write_workbook

    write_workbook(output, build_template_bytes())
    out.print(f"雛形を作成しました: {output}", highlight=False)


@app.command()
def render(
    path: Annotated[Path, typer.Argument(help="ブック")],
    sheet: Annotated[list[str], typer.Option("--sheet", help="PDF にするシート（複数可）")] = [],  # noqa: B006
    outdir: Annotated[Path, typer.Option("--out", help="出力フォルダー")] = Path("out/render"),
) -> None:
    """LibreOffice でシートを PDF と PNG にします（印刷したときの見た目の確認用）。"""
    from xlplan.layout.sheets import SCHEDULE
    from xlplan.render import render as render_sheets

    try:
        pdf, pngs = render_sheets(path, sheet or [SCHEDULE], outdir, stem=path.stem)
    except XlplanUserError as exc:
        raise _fail(exc) from None
    out.print(f"PDF: {pdf}（{len(pngs)}ページ、PNG も同じフォルダー）", highlight=False)


@app.command()
def schema(output: Annotated[Optional[Path], typer.Argument(help="出力先（省略時は標準出力）")] = None) -> None:
    """計画ファイルの JSON Schema を書き出します。"""
    from xlplan.fileio import atomic_write_text
    from xlplan.planfile import plan_json_schema

    text = json.dumps(plan_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        atomic_write_text(output, text)
        out.print(f"書き出しました: {output}", highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
def demo(
    outdir: Annotated[Path, typer.Option("--out", help="出力フォルダー")] = Path("out"),
) -> None:
    """同梱のサンプル計画（架空の青葉台市）でブックを作り、カタログ追加・検証・工程表まで実行します。"""
    from xlplan.build.workbook import build_workbook, default_interpreter, write_workbook
    from xlplan.operations import populate_ops, schedule_ops, validate_ops
    from xlplan.planfile import load_plan
    from xlplan.adapters.package import apply_ops

    try:
        sample = _bundled_sample()
        plan = load_plan(sample)
        path = outdir / f"{plan.municipality}_官民データ活用推進計画.xlsm"
        write_workbook(path, build_workbook(plan, load_catalog(), interpreter=default_interpreter()))
        out.print(f"1. ブックを作成: {path}（{plan.municipality}、{period_label(plan.start_fy, plan.years)}、施策 {len(plan.measures)}件）",
                  highlight=False)
        read = read_workbook(path)
        present = {m.catalog_id for m in plan.measures}
        wanted = [m.id for m in load_catalog().measures if m.adoptable and m.id not in present][:3]
        result = populate_ops(read, load_catalog(), wanted + ["C01"])  # C01 is already in the plan: skipped
        apply_ops(path, result.ops)
        out.print(f"2. カタログから追加: {', '.join(m.id + ' ' + m.name for m in result.result.added) or 'なし'}"
                  f"（追加済みで飛ばした: {', '.join(result.result.already) or 'なし'}）", highlight=False)
        read = read_workbook(path, extra=(SCHEDULE,))
        findings, finding_ops = validate_ops(read)
        apply_ops(path, schedule_ops(read) + finding_ops)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        out.print(f"3. 検証: エラー {errors}件、警告 {len(findings) - errors}件（「検証結果」シート）", highlight=False)
        for f in findings[:8]:
            out.print(f"   {f.severity.label} {f.code} {f.sheet}!{f.cell} {f.message}", highlight=False)
        out.print(f"4. 工程表を描画: 「スケジュール」シート（{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）"
                  "、網羅表（柱 × 分野）も更新", highlight=False)
        out.print("   追加した施策は担当課・工程が空欄のため、検証でエラーとして示されます。Excel で入力して再検証してください。", highlight=False)
        from xlplan.export.docx import export_docx
        from xlplan.export.opendata import export_csv

        final = read_workbook(path).plan
        assert final is not None
        document = outdir / f"{plan.municipality}_計画書.docx"
        export_docx(final, document)
        export_csv(final, outdir / "opendata", bom=True)
        out.print(f"5. 計画書の案: {document}（手引の雛型の7章、工程表つき）", highlight=False)
        out.print(f"6. オープンデータ: {outdir / 'opendata'}（施策・KPI・工程の CSV、スキーマは docs/opendata-schema.md）", highlight=False)
    except XlplanUserError as exc:
        raise _fail(exc) from None


# -- extra commands: modules below add their commands to `app` when imported --
from xlplan import cli_excel  # noqa: E402,F401
from xlplan import cli_outputs  # noqa: E402,F401
from xlplan import cli_scale  # noqa: E402,F401
