"""CLI commands for the plan's outputs: `xlplan export` and `xlplan progress`.

FILE may be a workbook (.xlsm/.xlsx) or a plan file (.yaml/.yml/.json); a plan
file gets the catalog's national programs added, as a new workbook would show.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from xlplan.cli.app import (
    EXIT_FINDINGS,
    BackupOpt,
    Fmt,
    ForceOpt,
    OutputOpt,
    app,
    editing,
    err,
    fail,
    out,
    read_workbook,
    require_plan,
)
from xlplan.errors import XlplanUserError

if TYPE_CHECKING:
    from xlplan.core.model import Plan

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


def load_plan_or_workbook(path: Path) -> Plan:
    """The plan in a workbook or a plan file; reading problems of a workbook are shown as 注意."""
    return load_for_output(path)[0]


def load_for_output(path: Path) -> tuple[Plan, list[str], dict]:
    """(the plan, the cells that could not be read and whose values would be published, the KPIs' input errors)."""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.catalog import with_catalog_programs
    from xlplan.planfile import load_plan

    if path.suffix.lower() in PLAN_SUFFIXES:
        return with_catalog_programs(load_plan(path), load_catalog()), [], {}
    read = read_workbook(path)
    plan = require_plan(read, path)
    for f in read.findings:
        err.print(f"注意 {f.sheet}!{f.cell} {f.message}", highlight=False, markup=False)
    return plan, published_errors(read), read.input_errors


def _counts(written: dict[str, Path], plan: Plan) -> str:
    from xlplan.export.opendata import TABLE_BY_NAME

    parts = []
    for name in ("measures", "kpis", "schedule"):
        if name in written:
            parts.append(f"{TABLE_BY_NAME[name].label} {len(TABLE_BY_NAME[name].rows(plan))}行")
    return "、".join(parts)


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="ブック（.xlsm）または計画ファイル（.yaml/.json）")],
    docx: Annotated[Optional[Path], typer.Option("--docx", help="計画書（Word）の出力先（例: 計画書.docx）")] = None,
    pdf: Annotated[Optional[Path], typer.Option("--pdf", help="計画書（PDF、目次のページ番号入り）の出力先。LibreOffice を使います")] = None,
    json_dir: Annotated[Optional[Path], typer.Option("--json", help="オープンデータ（JSON）の出力フォルダー")] = None,
    csv_dir: Annotated[Optional[Path], typer.Option("--csv", help="オープンデータ（CSV）の出力フォルダー")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="CSV の先頭に BOM を付ける（Excel でそのまま開く場合）")] = False,
    force: Annotated[bool, typer.Option("--force", help="出力先に同じ名前のファイルが既にあっても置き換える")] = False,
) -> None:
    """計画書（.docx・PDF）やオープンデータ（JSON・CSV）を書き出します。項目の定義は docs/opendata-schema.md にあります。"""
    from xlplan.core.fiscal import wareki_fy
    from xlplan.export.docx import docx_bytes, export_docx
    from xlplan.export.opendata import export_csv, export_json, export_targets
    from xlplan.export.pdf import docx_to_pdf
    from xlplan.fileio import check_new_target

    try:
        if docx is None and pdf is None and json_dir is None and csv_dir is None:
            raise XlplanUserError("--docx、--pdf、--json、--csv のどれかを指定してください（例: xlplan export 計画.xlsm --pdf 計画書.pdf）。")
        if bom and csv_dir is None:
            raise XlplanUserError("--bom は --csv と一緒に指定してください。")
        if docx is not None:
            if docx.is_dir():
                raise XlplanUserError(f"「{docx}」はフォルダーです。計画書のファイル名（例: 計画書.docx）を指定してください。")
            if docx.suffix.lower() != ".docx":
                raise XlplanUserError(f"「{docx.name}」の拡張子は .docx にしてください。")
        if pdf is not None:
            if pdf.is_dir():
                raise XlplanUserError(f"「{pdf}」はフォルダーです。計画書のファイル名（例: 計画書.pdf）を指定してください。")
            if pdf.suffix.lower() != ".pdf":
                raise XlplanUserError(f"「{pdf.name}」の拡張子は .pdf にしてください。")
        for folder in (json_dir, csv_dir):
            if folder is not None and folder.exists() and not folder.is_dir():
                raise XlplanUserError(f"「{folder}」はファイルです。出力先のフォルダーを指定してください。")
        targets = [t for t in (docx, pdf) if t is not None] + (export_targets(json_dir, "json") if json_dir else []) \
            + (export_targets(csv_dir, "csv") if csv_dir else [])
        for target in targets:  # all checked before anything is written
            check_new_target(target, force)
        plan, unreadable, _ = load_for_output(path)
        if docx is not None:
            export_docx(plan, docx, overwrite=force)
            out.print(f"計画書を書き出しました: {docx}（施策 {len(plan.measures)}件、"
                      f"{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）", highlight=False, markup=False)
        if pdf is not None:
            with tempfile.TemporaryDirectory(prefix="xlplan-export-") as tmp:
                source = docx if docx is not None else Path(tmp) / "plan.docx"
                if docx is None:
                    source.write_bytes(docx_bytes(plan))
                docx_to_pdf(source, pdf)
            out.print(f"計画書（PDF、目次のページ番号入り）を書き出しました: {pdf}", highlight=False, markup=False)
        if json_dir is not None:
            written = export_json(plan, json_dir, overwrite=force)
            out.print(f"オープンデータ（JSON）を書き出しました: {json_dir}（{_counts(written, plan)}）",
                      highlight=False, markup=False)
        if csv_dir is not None:
            written = export_csv(plan, csv_dir, bom=bom, overwrite=force)
            out.print(f"オープンデータ（CSV{'、BOM付き' if bom else ''}）を書き出しました: {csv_dir}（{_counts(written, plan)}）",
                      highlight=False, markup=False)
    except XlplanUserError as exc:
        raise fail(exc) from None
    _refuse_unreadable(unreadable, "出力")


def published_errors(read) -> list[str]:
    """Cells with a reading error whose values the outputs publish (everything but the catalog's ticks)."""
    from xlplan.core.findings import Severity
    from xlplan.layout.sheets import CATALOG

    return [f"{f.sheet}!{f.cell}" for f in read.findings
            if f.severity is Severity.ERROR and f.sheet and f.cell and f.sheet != CATALOG]


def _refuse_unreadable(cells: list[str], what: str) -> None:
    """Exit 1 naming the cells when published values came from cells that cannot be read."""
    if cells:
        shown = "、".join(cells[:20]) + (f" ほか{len(cells) - 20}件" if len(cells) > 20 else "")
        err.print(f"エラー: 読み取れないセルがあるため、{what}の一部の値は正しくありません（空欄・評価できない として出力しました）: {shown}。"
                  "セルを直してから、もう一度実行してください（xlplan validate で内容を確認できます）。", highlight=False, markup=False)
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def progress(
    path: Annotated[Path, typer.Argument(help="ブック（.xlsm）または計画ファイル（.yaml/.json）")],
    fy: Annotated[Optional[str], typer.Option("--fy", help="報告する年度（例: 令和9年度、R9、2027）。省略すると進捗管理のB2、なければ実績のある最新の年度")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="text または json")] = Fmt.text,
    write: Annotated[bool, typer.Option("--write/--no-write", help="ブックの「進捗管理」シートを作り直す（入力した内容は残ります）")] = True,
    docx: Annotated[Optional[Path], typer.Option("--docx", help="進捗状況の報告書（Word）の出力先（例: 進捗状況.docx）")] = None,
    csv_path: Annotated[Optional[Path], typer.Option("--csv", help="進捗評価のオープンデータ（CSV、全年度）の出力先（例: 進捗.csv）")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="CSV の先頭に BOM を付ける（Excel でそのまま開く場合）")] = False,
    output: OutputOpt = None,
    backup: BackupOpt = False,
    force: ForceOpt = False,
) -> None:
    """KPIごとに、その年度の目安・実績・達成率と評価を表示し、ブックなら「進捗管理」シートを作り直します。
    達成率 ＝（実績 − 現状値）÷（目安 − 現状値）。終了コード: 0=問題なし、1=読み取れないセルがある、2=読み込めない。"""
    from xlplan.core.fiscal import wareki_fy
    from xlplan.core.parse import parse_fy
    from xlplan.core.grading import GradeScaleError, scale_for
    from xlplan.core.progress import format_rate, grade_counts, latest_actual_fy, plan_progress, plan_scale
    from xlplan.fileio import check_new_target
    from xlplan.layout.legacy import refuse_legacy
    from xlplan.operations import progress_fy, progress_ops

    errors, unreadable = None, []
    try:
        for target, suffix in ((docx, ".docx"), (csv_path, ".csv")):
            if target is not None and (target.is_dir() or target.suffix.lower() != suffix):
                raise XlplanUserError(f"「{target}」には拡張子 {suffix} のファイル名を指定してください。")
        if path.suffix.lower() in PLAN_SUFFIXES:
            plan = load_plan_or_workbook(path)
            year = parse_fy(fy) if fy is not None else latest_actual_fy(plan)
            if year is None:
                raise XlplanUserError("実績値が入力されたKPIがありません。評価する年度を --fy で指定してください（例: --fy 令和9年度）。")
        else:
            if write:
                with editing(path, output, backup=backup, force=force, command="progress") as edit:
                    read = edit.read()
                    plan = require_plan(read, path)
                    year = progress_fy(read, parse_fy(fy) if fy is not None else None)
                    refuse_legacy(read)
                    edit.write(progress_ops(read, year))
            else:
                read = read_workbook(path)
                plan = require_plan(read, path)
                year = progress_fy(read, parse_fy(fy) if fy is not None else None)
            errors, unreadable = read.input_errors, published_errors(read)
            for f in read.findings:
                err.print(f"注意 {f.sheet}!{f.cell} {f.message}", highlight=False, markup=False)
        results = plan_progress(plan, year, errors=errors)
        if docx is not None:
            from xlplan.export.progress_report import export_progress_report

            check_new_target(docx, force)
            export_progress_report(plan, year, docx, errors)
        if csv_path is not None:
            from xlplan.export.opendata import write_table_csv

            check_new_target(csv_path, force)
            write_table_csv(plan, "progress", csv_path, bom=bom, errors=errors)
    except XlplanUserError as exc:
        raise fail(exc) from None
    if not plan.in_period(year):
        err.print(f"注意 {wareki_fy(year)}は計画期間（{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）の外です。",
                  highlight=False, markup=False)
    try:
        scale_for(plan)
    except GradeScaleError as exc:
        err.print(f"エラー: {exc}", highlight=False, markup=False)
    scale = plan_scale(plan)
    counts = grade_counts(results, scale)
    if fmt is Fmt.json:
        data = {
            "municipality": plan.municipality, "fiscal_year": year, "fiscal_year_label": wareki_fy(year),
            "scale": {lv.code: lv.label for lv in scale.levels}, "scale_name": scale.name,
            "formula": "達成率 = (実績 − 現状値) ÷ (目安 − 現状値)",
            "summary": counts, "results": [r.as_dict() for r in results],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(f"{plan.municipality}　{wareki_fy(year)}の進捗（KPI {len(results)}件、評価の尺度 {scale.name}）",
                  highlight=False, markup=False)
        for r in results:
            expected = r.expected_text or "—"
            out.print(f"{r.grade_text} {r.grade.label}　{r.measure_id} {r.kpi.name}: 目安 {expected}、実績 {r.actual_text or '—'}、"
                      f"達成率 {format_rate(r.rate)}（{r.note}）", highlight=False, markup=False)
        summary = "、".join(f"{lv.code} {lv.label} {counts.get(lv.code, 0)}件" for lv in scale.levels)
        out.print(f"評価: {summary}", highlight=False, markup=False)
        for target, what in ((docx, "進捗状況の報告書"), (csv_path, "進捗評価のCSV")):
            if target is not None:
                out.print(f"{what}を書き出しました: {target}", highlight=False, markup=False)
    _refuse_unreadable(sorted(set(unreadable) | {cell for r in results for cell in r.blocked}), "進捗の評価")
