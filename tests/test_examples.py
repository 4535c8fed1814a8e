"""Every example in docs/examples runs as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import soffice

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"


def run(script: str, *args: str | Path) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_examples_run_in_order(tmp_path):
    assert "作成" in run("01_new_workbook.py", tmp_path)
    book = tmp_path / "青葉台市.xlsm"
    assert "PLAN-RELATED-PERIOD" in run("02_validate.py", book)
    # C02 is already on the sheet under its name (DG-02): reported, not added twice
    assert "追加: ['DG-16', 'DG-17'] 追加済み: ['C02']" in run("03_populate_and_schedule.py", book, "C02", "C03", "C05")
    assert "KPI-TARGET-FY-OUTSIDE" in run("04_plan_in_code.py")
    run("05_export.py", book, tmp_path)
    assert (tmp_path / "青葉台市_計画書.docx").exists() and (tmp_path / "opendata" / "measures.csv").exists()
    imported = run("06_programs_import.py", book)
    assert "追加: ['K11', 'K12', 'K13']" in imported and "参照できないID: なし" in imported
    before = tmp_path / "改定前.xlsm"
    before.write_bytes(book.read_bytes())
    collected = run("07_survey_and_collect.py", book, tmp_path)
    assert "照会票: ['計画照会_税務課.xlsx']" in collected and "変更 DG-02 目標値 70% → 90%" in collected
    assert "目標値: 70% → 90%" in run("08_diff.py", before, book, tmp_path)
    assert (tmp_path / "新旧対照表.docx").exists() and (tmp_path / "新旧対照表.xlsx").exists()
    assert "評価 A" in run("10_progress.py", book, tmp_path)
    assert (tmp_path / "進捗状況_令和9年度.docx").exists()
    reshaped = run("11_reshape_domains.py", book)
    assert "入力が消えます" in reshaped and "分野: 電子行政、健康・医療・介護、観光、農林水産、防災・減災、移動、その他、教育" in reshaped
    assert "[('金融', '該当する事業がない')]" in reshaped
    reshaped = run("12_reshape_period.py", book, "3")
    assert "計画期間: 令和9年度〜令和11年度" in reshaped and "計画期間から外れる入力:" in reshaped


@pytest.mark.skipif(soffice() is None, reason="LibreOffice makes the PDF")
def test_plan_pdf_example(tmp_path):
    out = run("09_plan_pdf.py", ROOT / "samples" / "sample_plan.yaml", tmp_path, "和暦")
    pdf = tmp_path / "青葉台市_計画書.pdf"
    assert str(pdf) in out and pdf.read_bytes().startswith(b"%PDF")


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "01_new_workbook.py", "02_validate.py", "03_populate_and_schedule.py", "04_plan_in_code.py", "05_export.py",
        "06_programs_import.py", "07_survey_and_collect.py", "08_diff.py", "09_plan_pdf.py", "10_progress.py",
        "11_reshape_domains.py", "12_reshape_period.py",
        "13_reshape_schedule_and_costs.py", "14_reshape_rules_live.py"]


def test_reshape_example(sample_book):
    out = run("13_reshape_schedule_and_costs.py", sample_book)
    assert "工程表の区切り: 年度 → 四半期" in out and "財源の列を追加しました" in out and "消した入力: 0件" in out


def test_live_rules_example(sample_book):
    out = run("14_reshape_rules_live.py", sample_book)
    assert "← _lists!" in out and "コピー: 16回" in out and "入力規則" not in out
