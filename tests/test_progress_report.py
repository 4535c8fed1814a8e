"""The published side of 進捗管理: the report (.docx through LibreOffice), its CSV, and the small rules behind them
(which typed row belongs to which KPI, how the plan names its body and its legal basis)."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile

import pytest
from typer.testing import CliRunner

from xlplan.cli import app
from xlplan.core.input_matching import KpiSlot, TypedRow, match_rows
from xlplan.core.model import GradeOverride, Plan
from xlplan.core.vocab import BodyType
from xlplan.core.wording import law_citation, legal_basis, plan_kind, self_reference
from xlplan.export.progress_report import progress_report
from xlplan.planfile import dump_plan

from conftest import soffice

runner = CliRunner()


def reported_plan(sample_plan) -> Plan:
    plan = sample_plan.model_copy(deep=True)
    k1, k2 = plan.measures[0].kpis
    k1.actuals = {2027: 5000, 2028: 6200}
    k1.comments = {2028: "介護の手続をオンライン化し、申請件数が増えた。"}
    k1.next_steps = {2028: "転入手続のオンライン化を進める。"}
    k2.actuals = {2028: 80}
    k2.overrides = {2028: GradeOverride(grade="B", reason="国の標準様式の公開が半年遅れたため")}
    plan.measures[3].kpis[0].statuses = {2027: "検討中", 2028: "一部実施"}
    return plan


# ------------------------------------------------------------------ matching typed rows to KPIs

def test_rows_follow_their_kpi_by_name_then_by_number():
    kpis = [KpiSlot("M1", 0, "新しい指標"), KpiSlot("M1", 1, "申請件数"), KpiSlot("M1", 2, "満足度（改）")]
    rows = [TypedRow("M1", 1, "申請件数", 2027),        # moved down to number 2: by name
            TypedRow("M1", 2, "満足度", 2027),          # no such name, and number 2 is taken by the row found by name
            TypedRow("M1", 3, "満足度", 2027),          # renamed, number 3: by number
            TypedRow("M2", 1, "削除した施策", 2027),      # measure gone
            TypedRow("M1", 1, "申請件数", 2040),        # year outside the plan
            TypedRow("M1", 1, "申請件数", 2027)]        # a second copy
    matched, orphans = match_rows(rows, kpis, range(2027, 2032))
    assert matched == {0: ("M1", 1, 2027), 2: ("M1", 2, 2027)}
    assert orphans == [1, 3, 4, 5]


def test_duplicate_names_in_a_measure_are_told_apart_by_number():
    kpis = [KpiSlot("M1", 0, "件数"), KpiSlot("M1", 1, "件数")]
    matched, orphans = match_rows([TypedRow("M1", 2, "件数", 2027), TypedRow("M1", 1, "件数", 2027)], kpis, [2027])
    assert matched == {0: ("M1", 1, 2027), 1: ("M1", 0, 2027)} and orphans == []


# ------------------------------------------------------------------ wording

@pytest.mark.parametrize("body, name, me, basis", [
    ("市町村", "青葉台市", "本市", "第9条第3項"), ("市町村", "架空町", "本町", "第9条第3項"), ("市町村", "架空村", "本村", "第9条第3項"),
    ("都道府県", "架空県", "本県", "第9条第1項"), ("都道府県", "東京都", "本都", "第9条第1項"),
    ("都道府県", "北海道", "本道", "第9条第1項"), ("都道府県", "大阪府", "本府", "第9条第1項"),
])
def test_self_reference_and_legal_basis(body, name, me, basis):
    plan = Plan(municipality=name, body_type=BodyType(body), start_fy=2027)
    assert self_reference(plan) == me and legal_basis(plan) == basis
    assert law_citation(plan) == f"官民データ活用推進基本法（平成28年法律第103号）{basis}"
    assert plan_kind(plan).startswith("都道府県" if body == "都道府県" else "市町村")


# ------------------------------------------------------------------ the report

def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_report_has_summary_method_and_each_kpi_with_a_chart(sample_plan):
    data = progress_report(reported_plan(sample_plan), 2028)
    text = _docx_text(data)
    assert "進捗状況（令和10年度）" in text and "本市は、官民データ活用推進基本法（平成28年法律第103号）第9条第3項" in text
    assert "柱ごとの評価（令和10年度）" in text and "達成率 ＝（実績 − 現状値）÷（目安 − 現状値）" in text
    assert "マイナポータルの活用による各種申請の電子化促進" in text and "担当課: DX推進課" in text
    assert "実績の説明: 介護の手続をオンライン化し、申請件数が増えた。" in text and "今後の取組: 転入手続のオンライン化を進める。" in text
    assert "（手動）評価理由: 国の標準様式の公開が半年遅れたため" in text
    assert "一部実施" in text
    assert "DG-" not in text                                  # measures by name, not by internal code
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [n for n in z.namelist() if n.startswith("word/charts/chart")]
        assert len(charts) == 2                               # the two numeric KPIs with actuals
        chart = z.read(charts[0]).decode()
        assert "目安（目標への道筋）" in chart and "実績" in chart and "R10年度" in chart
        assert "drawingml.chart+xml" in z.read("[Content_Types].xml").decode()


def test_a_prefectures_report_says_honken_and_article_9_1(sample_plan):
    plan = reported_plan(sample_plan).model_copy(update={"body_type": BodyType.PREFECTURE, "municipality": "架空県"})
    text = _docx_text(progress_report(plan, 2028))
    assert "本県は、官民データ活用推進基本法（平成28年法律第103号）第9条第1項に基づく都道府県官民データ活用推進計画" in text


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_report_renders_through_libreoffice(sample_plan, tmp_path):
    plan = reported_plan(sample_plan)
    src = tmp_path / "plan.yaml"
    src.write_text(dump_plan(plan), encoding="utf-8")
    docx = tmp_path / "進捗状況.docx"
    result = runner.invoke(app, ["progress", str(src), "--fy", "R10", "--docx", str(docx)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    run = subprocess.run([soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)], capture_output=True, timeout=240)
    pdf = tmp_path / "進捗状況.pdf"
    assert run.returncode == 0 and pdf.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "進捗状況（令和 10 年度）" in text or "進捗状況（令和10年度）" in text
    assert "柱ごとの評価" in text and "オンライン申請件数（件）" in text      # the chart's title is drawn
    assert "目安（目標への道筋）" in text


def test_progress_csv_is_open_data_for_every_year(sample_plan, tmp_path):
    src = tmp_path / "plan.yaml"
    src.write_text(dump_plan(reported_plan(sample_plan)), encoding="utf-8")
    out = tmp_path / "進捗.csv"
    result = runner.invoke(app, ["progress", str(src), "--fy", "R10", "--csv", str(out), "--bom"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffkpi_id,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["kpi_id"], r["fiscal_year"]) for r in rows] == [
        ("DG-01-1", "2027"), ("DG-04-1", "2027"), ("DG-01-1", "2028"), ("DG-01-2", "2028"), ("DG-04-1", "2028")]
    manual = rows[3]
    assert manual["grade"] == "B" and manual["manual"] == "true" and manual["reason"].startswith("国の標準様式")
    assert rows[1]["status"] == "検討中" and rows[1]["actual"] == ""
    assert rows[0]["expected"] == "4800" and rows[0]["rate"] == "1.125"
