"""xlplan diff and the 新旧対照表: two versions of a plan, compared field by field."""

from __future__ import annotations

import subprocess

import pytest
from docx import Document
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from conftest import soffice
from xlplan.cli import app
from xlplan.core import fields as F
from xlplan.core.comparison import DELETED_MARK, NEW_MARK, comparison, line_text, underline_changes
from xlplan.core.diff import diff_plans, summarize
from xlplan.core.model import Kpi, Measure
from xlplan.export.comparison_docx import comparison_docx_bytes
from xlplan.export.comparison_xlsx import comparison_xlsx_bytes
from xlplan.planfile import save_plan

runner = CliRunner()


def revised(plan):
    """The sample after a revision: one target raised, one year of a schedule changed, a measure added, one dropped."""
    new = plan.model_copy(deep=True)
    m = new.measures[0]
    m.kpis[0] = F.with_kpi_values(m.kpis[0], {"kpi.target_value": 18000.0})
    new.measures[1] = F.with_measure_values(new.measures[1], {"fy:2028": "拡充"})
    new.measures.append(Measure(id="DG-20", domain="電子行政", pillar="11条", name="公共施設予約のオンライン化",
                                owner="総務課", kpis=[Kpi(name="オンライン予約率", unit="%", target_value=60, target_fy=2030)]))
    dropped = new.measures.pop(5)
    return new, dropped


def test_identical_plans_have_no_difference(sample_plan):
    assert diff_plans(sample_plan, sample_plan.model_copy(deep=True)).empty


def test_revision_is_reported_field_by_field(sample_plan):
    new, dropped = revised(sample_plan)
    result = diff_plans(sample_plan, new)
    assert [m.id for m in result.of("added")] == ["DG-20"]
    assert [m.id for m in result.of("removed")] == [dropped.id]
    changed = {m.id: m for m in result.of("changed")}
    assert set(changed) == {"DG-01", "DG-02"}
    (kpi_name, target), = changed["DG-01"].target_changes
    assert (kpi_name, target.label, target.old, target.new) == ("オンライン申請件数", "目標値", "15,000件", "18,000件")
    (year,) = changed["DG-02"].schedule_changes
    assert (year.label, year.old, year.new) == ("工程（令和10年度）", "実施・運用", "拡充")
    summary = summarize(result)
    assert (summary.added, summary.removed, summary.changed, summary.targets, summary.schedules) == (1, 1, 2, 1, 1)


def test_a_renumbered_measure_is_a_change_of_id_not_a_new_measure(sample_plan):
    new = sample_plan.model_copy(deep=True)
    new.measures[0] = new.measures[0].model_copy(update={"id": "DG-31"})
    (m,) = diff_plans(sample_plan, new).measures
    assert m.status == "changed" and [(c.label, c.old, c.new) for c in m.changes] == [("施策ID", "DG-01", "DG-31")]


def test_reordered_kpis_are_matched_by_name(sample_plan):
    new = sample_plan.model_copy(deep=True)
    new.measures[0].kpis.reverse()
    assert diff_plans(sample_plan, new).empty


def test_long_text_is_underlined_where_it_changed_and_short_values_as_a_whole():
    old = "eLTAXを通じて特別徴収義務者用の税額通知を電子で送付する。"
    new_runs, old_runs = underline_changes(old, old.replace("送付する", "送付し、受取を促進する"))
    assert [r.text for r in new_runs if r.underline] == ["し、受取を促進"]
    assert [r.text for r in old_runs if r.underline] == []   # nothing of the old text went
    new_runs, old_runs = underline_changes(old, old.replace("電子で", "電子（正本）で"))
    assert [r.text for r in new_runs if r.underline] == ["（正本）"]
    new_runs, old_runs = underline_changes(old, old.replace("税額通知", "決定通知"))
    assert [r.text for r in new_runs if r.underline] == ["決定"] and [r.text for r in old_runs if r.underline] == ["税額"]
    assert "".join(r.text for r in new_runs) == old.replace("税額通知", "決定通知")
    assert "".join(r.text for r in old_runs) == old
    new_runs, old_runs = underline_changes("15,000件", "18,000件")
    assert [(r.text, r.underline) for r in new_runs] == [("18,000件", True)]


def test_comparison_marks_new_and_deleted_measures(sample_plan):
    new, dropped = revised(sample_plan)
    rows = comparison(diff_plans(sample_plan, new)).rows
    added = next(r for r in rows if r.old and line_text(r.old[0]) == NEW_MARK)
    assert line_text(added.new[0]) == "DG-20　公共施設予約のオンライン化"
    gone = next(r for r in rows if r.new and line_text(r.new[0]) == DELETED_MARK)
    assert line_text(gone.old[0]) == f"{dropped.id}　{dropped.name}"
    assert [r.section for r in rows if r.section] == ["個別施策（電子行政）"]


def _underlined(doc) -> list[str]:
    return [run.text for table in doc.tables for row in table.rows for cell in row.cells
            for p in cell.paragraphs for run in p.runs if run.underline]


def test_docx_puts_the_revision_left_and_underlines_it(sample_plan, tmp_path):
    new, _ = revised(sample_plan)
    path = tmp_path / "新旧対照表.docx"
    path.write_bytes(comparison_docx_bytes(comparison(diff_plans(sample_plan, new))))
    doc = Document(str(path))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["改正後", "改正前"]
    underlined = _underlined(doc)
    assert "18,000件" in underlined and "15,000件" in underlined and "拡充" in underlined
    row = next(r for r in table.rows if "目標値：18,000件" in r.cells[0].text)
    assert "目標値：15,000件" in row.cells[1].text


def test_xlsx_holds_the_same_table(sample_plan, tmp_path):
    new, _ = revised(sample_plan)
    path = tmp_path / "新旧対照表.xlsx"
    path.write_bytes(comparison_xlsx_bytes(comparison(diff_plans(sample_plan, new))))
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("新旧対照表").to_python()
    assert grid[2][:2] == ["改正後", "改正前"]
    assert any("目標値：18,000件" in str(r[0]) and "目標値：15,000件" in str(r[1]) for r in grid)


def test_cli_exit_code_says_whether_plans_differ(sample_plan, sample_book, tmp_path):
    new, _ = revised(sample_plan)
    new_file = tmp_path / "改定案.yaml"
    save_plan(new, new_file)
    same = runner.invoke(app, ["diff", str(sample_book), str(sample_book)])
    assert same.exit_code == 0 and "違いはありません" in same.output
    docx, xlsx = tmp_path / "対照表.docx", tmp_path / "対照表.xlsx"
    result = runner.invoke(app, ["diff", str(sample_book), str(new_file), "--docx", str(docx), "--xlsx", str(xlsx)])
    assert result.exit_code == 1, result.output
    assert "変更 DG-01 KPI「オンライン申請件数」目標値: 15,000件 → 18,000件" in result.output
    assert "追加 DG-20 公共施設予約のオンライン化" in result.output
    assert docx.exists() and xlsx.exists()


def test_unreadable_input_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("municipality: [", encoding="utf-8")
    assert runner.invoke(app, ["diff", str(bad), str(bad)]).exit_code == 2


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_docx_renders_in_libreoffice_with_both_columns(sample_plan, tmp_path):
    new, _ = revised(sample_plan)
    path = tmp_path / "taisho.docx"
    path.write_bytes(comparison_docx_bytes(comparison(diff_plans(sample_plan, new))))
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=240)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "taisho.pdf"), "-"], capture_output=True, text=True).stdout
    assert "改正後" in text and "改正前" in text and "18,000" in text and "傍線部分は改正部分" in text
