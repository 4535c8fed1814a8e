"""照会票: one small workbook per 担当課, and reading it back the way clerks return it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from typer.testing import CliRunner

from conftest import soffice
from formedits import Form, libreoffice_save
from xlplan.adapters.xlsx_file import read_values
from xlplan.cli import app
from xlplan.core.survey import SurveyKind, base_json, plan_owners
from xlplan.layout import survey_form as S
from xlplan.layout.read_form import AnswerError, read_answer
from xlplan.survey import write_forms

runner = CliRunner()
NOW = dt.datetime(2027, 5, 10, 9, 0)


@pytest.fixture()
def forms(sample_plan, catalog, tmp_path):
    return {w.form.owner: w.path for w in write_forms(sample_plan, catalog, tmp_path / "照会票", now=NOW)}


def read(path, catalog):
    return read_answer(read_values(path), path.name, catalog)


def test_one_form_per_department_holding_only_its_measures(sample_plan, catalog, forms):
    owners = plan_owners(sample_plan)
    assert len(owners) >= 6 and sorted(forms) == sorted(owners)
    for owner, path in forms.items():
        answer = read(path, catalog)
        assert answer.signature.owner == owner
        assert [m.id for m in answer.base] == [m.id for m in sample_plan.measures if m.owner == owner]


def test_a_form_is_a_plain_xlsx_without_macros(forms):
    with zipfile.ZipFile(forms["税務課"]) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
        sheets = "".join(z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet"))
    assert not any("vba" in n.lower() for n in names) and "macroEnabled" not in types
    assert re.search(r'<sheet name="_照会情報"[^>]*state="veryHidden"', workbook)
    assert '<formula1>"10条 オンライン化原則,' in sheets          # the pillar list is inside the validation
    assert set(re.findall(r'<definedName name="([^"]+)"', workbook)) <= {"_xlnm.Print_Titles"}   # no list names


def test_the_form_highlights_what_is_still_missing(sample_plan, catalog, tmp_path):
    from xlplan.core import fields as F

    plan = sample_plan.model_copy(deep=True)
    i = next(i for i, m in enumerate(plan.measures) if m.owner == "税務課")
    plan.measures[i].kpis[0] = F.with_kpi_values(plan.measures[i].kpis[0], {"kpi.target_value": None})
    (written,) = write_forms(plan, catalog, tmp_path, owners=["税務課"], now=NOW)
    assert written.form.required[(plan.measures[i].id, 0)] == {"kpi.target_value", "kpi.target_text"}
    ws = Form(written.path).sheet(S.MEASURES)
    form = Form(written.path)
    cell = ws.cell(form.row_of(ws, plan.measures[i].id, 1), form.col(ws, "目標値"))
    assert cell.fill.fgColor.rgb.endswith("FCE4D6")  # 要記入 (orange)


def test_an_untouched_form_answers_nothing(sample_plan, catalog, forms):
    for path in forms.values():
        answer = read(path, catalog)
        assert answer.problems == [] and answer.proposals == [] and answer.remarks == []
        assert base_json(answer.measures) == base_json(answer.base)


def test_values_typed_the_way_clerks_type_them(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    form.type(S.MEASURES, "DG-02", 1, "目標値", "９５")                 # full-width digits
    form.type(S.MEASURES, "DG-02", 1, "目標年度", "令和12年度")
    form.type(S.MEASURES, "DG-02", 1, "令和10年度目標", "1,200")        # thousands separator typed as text
    form.type(S.MEASURES, "DG-02", 1, "令和11年度工程", "→")            # carries 令和10年度's phase on
    form.type(S.MEASURES, "DG-02", 1, "意見・連絡事項（企画担当へ）", "事業者説明会の日程は未定です")
    form.cosmetics(S.MEASURES)
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    (m,) = [m for m in answer.measures if m.id == "DG-02"]
    k = m.kpis[0]
    assert (k.target_value, k.target_fy, k.interim[2028]) == (95.0, 2030, 1200.0)
    assert m.schedule[2029] == m.schedule[2028]
    assert answer.remarks[0][:2] == ("DG-02", "事業者説明会の日程は未定です")
    assert answer.problems == []


def test_an_unreadable_cell_is_reported_at_its_cell_and_left_as_it_was(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    form.type(S.MEASURES, "DG-02", 1, "目標値", "約9割")
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    (problem,) = answer.problems
    assert problem.code == "INPUT-NOT-NUMBER" and problem.sheet == S.MEASURES and re.fullmatch(r"[A-Z]+\d+", problem.cell)
    assert base_json(answer.measures) == base_json(answer.base)


def test_a_row_added_under_a_measure_is_a_new_kpi(catalog, forms, tmp_path):
    form = Form(forms["総務課"])
    form.add_kpi_row(S.MEASURES, "DG-04", 1, {"指標名": "条例に基づきオンライン化した手続数", "単位": "手続",
                                               "目標値": 50, "目標年度": "R12"})
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    (m,) = [m for m in answer.measures if m.id == "DG-04"]
    (base,) = [m for m in answer.base if m.id == "DG-04"]
    assert len(m.kpis) == len(base.kpis) + 1
    assert (m.kpis[-1].name, m.kpis[-1].target_value, m.kpis[-1].target_fy) == ("条例に基づきオンライン化した手続数", 50.0, 2030)


def test_a_deleted_row_is_reported_and_deletes_nothing(catalog, forms, tmp_path):
    form = Form(forms["総務課"])
    form.delete_row(S.MEASURES, "DG-12", 2)
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    assert [p.code for p in answer.problems] == ["FORM-ROW-MISSING"] and answer.problems[0].measure_id == "DG-12"
    assert base_json(answer.measures) == base_json(answer.base)


def test_an_overwritten_id_is_not_taken_for_another_measure(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    form.type(S.MEASURES, "DG-02", 1, "施策ID", "DG-09")
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    assert {p.code for p in answer.problems} == {"FORM-UNKNOWN-ID", "FORM-ROW-MISSING"}


def test_a_renamed_header_is_reported_and_its_column_not_read(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    ws = form.sheet(S.MEASURES)
    ws.cell(form.header_row(ws), form.col(ws, "目標値")).value = "目標"
    form.type(S.MEASURES, "DG-02", 1, "目標", 99)
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    assert [p.code for p in answer.problems] == ["FORM-COLUMN-MISSING"] and "目標値" in answer.problems[0].message
    assert base_json(answer.measures) == base_json(answer.base)


def test_proposals_and_catalog_picks_become_new_measures(catalog, forms, tmp_path):
    form = Form(forms["DX推進課"])
    form.propose(0, {"分野": "電子行政", "柱": "10条", "施策名": "公共施設予約のオンライン化", "指標名": "オンライン予約の割合",
                     "単位": "%", "目標値": 60, "目標年度": "R12", "令和10年度工程": "準備"})
    form.propose(1, {"指標名": "予約システムの利用者数", "単位": "人", "目標値": 3000, "目標年度": "R12"})
    ws = form.sheet(S.CATALOG)
    first = form.header_row(ws) + 1
    picked = ws.cell(first, form.col(ws, "カタログID")).value
    ws.cell(first, form.col(ws, "採用を希望")).value = "○"
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    new, pick = answer.proposals
    assert (new.measure.domain, new.measure.pillar.value, new.measure.owner) == ("電子行政", "10条 オンライン化原則", "DX推進課")
    assert [k.name for k in new.measure.kpis] == ["オンライン予約の割合", "予約システムの利用者数"]
    assert new.measure.last_phase(2028).value == "準備"
    assert pick.catalog_id == picked and pick.measure.owner == "DX推進課"


def test_the_respondent_block_is_read(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    ws = form.sheet(S.COVER)
    for row in ws.iter_rows():
        if row[0].value == "回答者名":
            row[1].value = "税務 花子"
    assert read(form.save(tmp_path / "回答.xlsx"), catalog).respondent == {"respondent.name": "税務 花子"}


def test_a_tampered_signature_refuses_the_file(catalog, forms, tmp_path):
    form = Form(forms["税務課"])
    ws = form.sheet(S.SIGNATURE)
    for row in ws.iter_rows():
        if row[0].value == "base:1":
            row[1].value = row[1].value.replace("税務課", "総務課")
    with pytest.raises(AnswerError, match="書き換えられています"):
        read(form.save(tmp_path / "回答.xlsx"), catalog)


def test_a_workbook_that_is_not_a_form_is_refused(catalog, sample_book):
    with pytest.raises(AnswerError, match="照会票ではありません"):
        read(sample_book, catalog)


def test_actuals_form_asks_only_for_the_year(sample_plan, catalog, tmp_path):
    (written,) = write_forms(sample_plan, catalog, tmp_path, owners=["税務課"], kind=SurveyKind.ACTUALS, fy=2027, now=NOW)
    form = Form(written.path)
    ws = form.sheet(S.ACTUALS)
    headers = ["".join(str(c.value or "").split()) for c in ws[form.header_row(ws)]]
    assert headers[-4:] == ["令和9年度の実績値", "実績の説明", "今後の取組", "意見・連絡事項（企画担当へ）"]
    assert S.MEASURES not in form.book.sheetnames and S.PROPOSALS not in form.book.sheetnames
    form.type(S.ACTUALS, "DG-02", 1, "令和9年度の実績値", 41)
    form.type(S.ACTUALS, "DG-02", 1, "実績の説明", "事業者への周知で増加")
    form.type(S.ACTUALS, "DG-02", 1, "今後の取組", "未対応の事業者に個別に案内")
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    (k,) = next(m for m in answer.measures if m.id == "DG-02").kpis
    assert (k.actuals, k.comments, k.next_steps) == ({2027: 41.0}, {2027: "事業者への周知で増加"}, {2027: "未対応の事業者に個別に案内"})


def test_a_qualitative_kpi_reports_a_status(sample_plan, catalog, tmp_path):
    (written,) = write_forms(sample_plan, catalog, tmp_path, owners=["総務課"], kind=SurveyKind.ACTUALS, fy=2027, now=NOW)
    form = Form(written.path)
    form.type(S.ACTUALS, "DG-04", 1, "令和9年度の実績値", "検討中")
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    k = next(m for m in answer.measures if m.id == "DG-04").kpis[0]
    assert k.statuses == {2027: "検討中"} and k.actuals == {}


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_by_libreoffice_reads_the_same(catalog, forms, tmp_path):
    form = Form(forms["総務課"])
    form.type(S.MEASURES, "DG-12", 1, "目標値", 90)
    form.add_kpi_row(S.MEASURES, "DG-12", 2, {"指標名": "電子決裁率", "単位": "%", "目標値": 80, "目標年度": "R11"})
    form.propose(0, {"分野": "電子行政", "施策名": "文書管理システムの更新", "内容": "電子決裁と文書管理を一体で更新する。"})
    (tmp_path / "typed").mkdir()
    typed = form.save(tmp_path / "typed" / "総務課.xlsx")
    saved = libreoffice_save(typed, tmp_path / "lo", soffice())
    by_excel, by_libreoffice = read(typed, catalog), read(saved, catalog)
    assert by_libreoffice.problems == by_excel.problems == []
    assert base_json(by_libreoffice.measures) == base_json(by_excel.measures)
    assert [p.measure for p in by_libreoffice.proposals] == [p.measure for p in by_excel.proposals]


def test_cli_makes_one_form_per_department(sample_book, tmp_path):
    result = runner.invoke(app, ["survey", str(sample_book), "--by-owner", "-o", str(tmp_path / "forms")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "forms").glob("計画照会_*.xlsx"))) >= 6
    again = runner.invoke(app, ["survey", str(sample_book), "--by-owner", "-o", str(tmp_path / "forms")])
    assert again.exit_code == 2 and "既に照会票があります" in again.output


@pytest.mark.parametrize("args, message", [
    (["--owners", "宇宙課"], "宇宙課"),
    (["--kind", "actuals"], "年度を指定してください"),
    (["--kind", "actuals", "--fy", "R20"], "計画期間"),
    (["--kind", "budget"], "--kind は plan"),
])
def test_cli_explains_what_to_fix(sample_book, tmp_path, args, message):
    result = runner.invoke(app, ["survey", str(sample_book), "-o", str(tmp_path / "f"), *args])
    assert result.exit_code == 2 and message in result.output


def test_two_phases_in_one_year_are_read_only_when_the_plan_can_hold_them(catalog, forms, tmp_path):
    from xlplan.core import fields as F

    form = Form(forms["税務課"])
    form.type(S.MEASURES, "DG-02", 1, "令和10年度工程", "検討→準備")
    answer = read(form.save(tmp_path / "回答.xlsx"), catalog)
    m = next(m for m in answer.measures if m.id == "DG-02")
    if F.years_hold_several_phases():
        assert [p.value for p in F.phases_of(m.schedule[2028])] == ["検討", "準備"]
    else:
        (problem,) = answer.problems
        assert problem.code == "INPUT-NOT-PHASE" and "段階を1つ選んでください" in problem.message
        assert base_json(answer.measures) == base_json(answer.base)
