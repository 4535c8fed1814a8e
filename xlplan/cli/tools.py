"""Commands about xlplan itself and its data: version, catalog, build-template, render, schema, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from xlplan import __version__
from xlplan.cli.app import Fmt, app, bundled_sample, fail, out, read_workbook
from xlplan.errors import XlplanUserError


@app.command()
def version() -> None:
    """バージョンを表示します。"""
    out.print(f"xlplan {__version__}")


@app.command()
def catalog(
    fmt: Annotated[Fmt, typer.Option("--format", help="text または json")] = Fmt.text,
    programs: Annotated[bool, typer.Option("--programs", help="国の施策・補助の一覧を表示する")] = False,
) -> None:
    """施策カタログ（メモの44項目と自治体DX推進計画の重点取組事項）または国の施策・補助の一覧を表示します。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.fiscal import wareki_fy
    cat = load_catalog()
    items = cat.programs if programs else cat.measures
    if fmt is Fmt.json:
        out.print_json(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(show_lines=False)
    if programs:
        for h in ("ID", "状態", "施策名", "府省", "支援の種類", "有効年度", "補助率"):
            table.add_column(h)
        for p in cat.programs:
            years = "〜".join([wareki_fy(p.active_from_fy) if p.active_from_fy else "", wareki_fy(p.active_to_fy) if p.active_to_fy else ""])
            status = (p.status.value if p.status else "") + (f"→{p.successor}" if p.successor else "")
            table.add_row(p.id, status, p.name, p.ministry, p.support_type, years if years != "〜" else "", p.rate)
    else:
        for h in ("ID", "区分", "分野", "柱", "施策名", "担当課（例）", "例示KPI"):
            table.add_column(h)
        for m in cat.measures:
            table.add_row(m.id, m.section, m.domain, m.pillar.value, m.text, m.owner, m.kpi.name if m.kpi else "")
    out.print(table)


@app.command("build-template")
def build_template(
    output: Annotated[Path, typer.Argument(help="出力先")] = Path("workbook_templates/xlplan_template.xlsm"),
    force: Annotated[bool, typer.Option("--force", help="出力先が既にあっても置き換える")] = False,
) -> None:
    """空の雛形ブックを作ります（workbook_templates/ に置く再現可能なファイル）。"""
    from xlplan.builder.template import build_template_bytes
    from xlplan.builder.workbook import write_workbook
    from xlplan.fileio import check_new_target

    try:
        check_new_target(output, force)
        write_workbook(output, build_template_bytes(), overwrite=force)
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"雛形を作成しました: {output}", highlight=False)


@app.command()
def render(
    path: Annotated[Path, typer.Argument(help="ブック")],
    sheet: Annotated[list[str], typer.Option("--sheet", help="PDF にするシート（複数可）")] = [],  # noqa: B006
    outdir: Annotated[Path, typer.Option("--out", help="出力フォルダー")] = Path("out/render"),
    force: Annotated[bool, typer.Option("--force", help="同じ名前の PDF・PNG が既にあっても置き換える")] = False,
) -> None:
    """LibreOffice でシートを PDF と PNG にします（印刷したときの見た目の確認用）。"""
    from xlplan.layout.sheets import SCHEDULE
    from xlplan.fileio import check_new_target, check_regular_input
    from xlplan.render import render as render_sheets

    try:
        check_regular_input(path)
        check_new_target(outdir / f"{path.stem}.pdf", force)
        pdf, pngs = render_sheets(path, sheet or [SCHEDULE], outdir, stem=path.stem)
    except XlplanUserError as exc:
        raise fail(exc) from None
    out.print(f"PDF: {pdf}（{len(pngs)}ページ、PNG も同じフォルダー）", highlight=False)


@app.command()
def schema(output: Annotated[Optional[Path], typer.Argument(help="出力先（省略時は標準出力）")] = None,
           force: Annotated[bool, typer.Option("--force", help="出力先が既にあっても置き換える")] = False) -> None:
    """計画ファイルの JSON Schema を書き出します。"""
    from xlplan.fileio import atomic_write_text, check_new_target
    from xlplan.planfile import plan_json_schema

    text = json.dumps(plan_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        try:
            check_new_target(output, force)
            atomic_write_text(output, text, overwrite=force)
        except XlplanUserError as exc:
            raise fail(exc) from None
        out.print(f"書き出しました: {output}", highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
def demo(
    outdir: Annotated[Path, typer.Option("--out", help="出力フォルダー")] = Path("out"),
) -> None:
    """同梱のサンプル計画（架空の青葉台市）でブックを作り、カタログ追加・検証・工程表まで実行します。"""
    from xlplan.catalog_data import load_catalog
    from xlplan.core.findings import Severity
    from xlplan.core.fiscal import period_label, wareki_fy
    from xlplan.layout.sheets import SCHEDULE
    from xlplan.builder.workbook import build_workbook, write_workbook
    from xlplan.operations import populate_ops, schedule_ops, validate_ops
    from xlplan.planfile import load_plan
    from xlplan.adapters.package import apply_ops

    try:
        sample = bundled_sample()
        plan = load_plan(sample)
        path = outdir / f"{plan.municipality}_官民データ活用推進計画.xlsm"
        write_workbook(path, build_workbook(plan, load_catalog()))
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
        findings, finding_ops = validate_ops(read, progress=True)
        apply_ops(path, schedule_ops(read) + finding_ops)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        out.print(f"3. 検証: エラー {errors}件、警告 {len(findings) - errors}件（「検証結果」シート）", highlight=False)
        for f in findings[:8]:
            out.print(f"   {f.severity.label} {f.code} {f.sheet}!{f.cell} {f.message}", highlight=False)
        out.print(f"4. 工程表を描画: 「スケジュール」シート（{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）"
                  "、網羅表（柱 × 分野）も更新", highlight=False)
        out.print("   追加した施策の内容とKPIは【案】として入り、担当課・工程は空欄のため、検証で示されます。Excel で直して再検証してください。", highlight=False)
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
        raise fail(exc) from None
