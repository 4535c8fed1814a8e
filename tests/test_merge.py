"""The three-way merge of answers into the master (xlplan.core.merge), on plans as data."""

from __future__ import annotations

import datetime as dt

import pytest

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Proposal
from xlplan.core.merge import Take, merge_answers
from xlplan.core.model import Kpi, Measure
from xlplan.core.survey import SurveyKind, survey_form
from xlplan.layout.sheets import DOMAIN_CODES

NOW = dt.datetime(2027, 5, 10, 9, 0)


def answer_for(plan, catalog, owner, edit=lambda m: m, source=None, kind=SurveyKind.PLAN, fy=None) -> Answer:
    """What a department sends back: its form's base, with edit applied to each measure."""
    form = survey_form(plan, catalog, owner, kind=kind, fy=fy, now=NOW)
    base = list(form.measures)
    return Answer(source or f"{owner}.xlsx", form.signature, base, [edit(m) for m in base])


def set_target(measure_id, value, kpi=0):
    def edit(m):
        if m.id != measure_id:
            return m
        kpis = list(m.kpis)
        kpis[kpi] = F.with_kpi_values(kpis[kpi], {"kpi.target_value": value})
        return m.model_copy(update={"kpis": kpis})
    return edit


def measure(plan, mid):
    return next(m for m in plan.measures if m.id == mid)


def test_a_field_only_the_department_changed_goes_in(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    result = merge_answers(sample_plan, [answer], domain_codes=DOMAIN_CODES)
    assert measure(result.plan, "DG-02").kpis[0].target_value == 90.0
    (change,) = result.changes
    assert (change.kind, change.measure_id, change.label, change.before, change.after) == ("変更", "DG-02", "目標値", "70%", "90%")
    assert result.conflicts == []


def test_a_field_changed_in_both_is_a_conflict_left_as_the_master_has_it(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    master = sample_plan.model_copy(deep=True)
    master.measures[1] = set_target("DG-02", 80.0)(master.measures[1])
    result = merge_answers(master, [answer], domain_codes=DOMAIN_CODES)
    assert measure(result.plan, "DG-02").kpis[0].target_value == 80.0 and result.changes == []
    (conflict,) = result.conflicts
    assert (conflict.id, conflict.base, conflict.master, conflict.answer, conflict.taken) == (
        "DG-02:KPI1:目標値", "70%", "80%", "90%", None)


@pytest.mark.parametrize("take, expected", [
    (Take(default="answer"), 90.0),
    (Take(default="master"), 80.0),
    (Take(by_source={"税務課.xlsx": "answer"}), 90.0),
    (Take(default="master", by_conflict={"DG-02:KPI1:目標値": "answer"}), 90.0),
])
def test_the_office_decides_a_conflict_per_conflict_per_file_or_for_all(sample_plan, catalog, take, expected):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    master = sample_plan.model_copy(deep=True)
    master.measures[1] = set_target("DG-02", 80.0)(master.measures[1])
    result = merge_answers(master, [answer], take=take, domain_codes=DOMAIN_CODES)
    assert measure(result.plan, "DG-02").kpis[0].target_value == expected
    assert result.conflicts[0].taken == take.choice("税務課.xlsx", "DG-02:KPI1:目標値")


def test_the_same_change_on_both_sides_is_no_conflict(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    master = sample_plan.model_copy(deep=True)
    master.measures[1] = set_target("DG-02", 90.0)(master.measures[1])
    result = merge_answers(master, [answer], domain_codes=DOMAIN_CODES)
    assert result.changes == [] and result.conflicts == []


def test_merging_the_merged_plan_again_changes_nothing(sample_plan, catalog):
    def edit(m):
        if m.id != "DG-04":
            return m
        extra = Kpi(name="条例に基づきオンライン化した手続数", unit="手続", target_value=50, target_fy=2030)
        return F.with_measure_values(m, {"measure.content": m.content + "（改訂）"}).model_copy(update={"kpis": [*m.kpis, extra]})
    answer = answer_for(sample_plan, catalog, "総務課", edit)
    answer.proposals.append(Proposal(Measure(id="", domain="電子行政", name="公共施設予約のオンライン化", owner="総務課"), ("", "")))
    first = merge_answers(sample_plan, [answer], domain_codes=DOMAIN_CODES)
    assert [c.kind for c in first.changes] == ["変更", "指標の追加", "施策の追加"]
    again = merge_answers(first.plan, [answer], domain_codes=DOMAIN_CODES)
    assert again.changes == [] and again.conflicts == [] and again.plan == first.plan


def test_a_proposal_gets_the_next_id_of_its_domain(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "観光交流課")
    answer.proposals.append(Proposal(Measure(id="", domain="観光", name="観光アプリの多言語化", owner="観光交流課"), ("", "")))
    result = merge_answers(sample_plan, [answer], domain_codes=DOMAIN_CODES)
    last = max(int(m.id.split("-")[1]) for m in sample_plan.measures if m.id.startswith("TR-"))
    assert result.added_measures == [f"TR-{last + 1:02d}"]
    assert measure(result.plan, f"TR-{last + 1:02d}").owner == "観光交流課"


def test_a_proposal_in_a_domain_the_plan_does_not_have_is_reported(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "観光交流課")
    answer.proposals.append(Proposal(Measure(id="", domain="宇宙", name="衛星データの活用", owner="観光交流課"), ("", "")))
    result = merge_answers(sample_plan, [answer], domain_codes=DOMAIN_CODES)
    assert result.changes == [] and [p.code for p in result.problems] == ["FORM-PROPOSAL-DOMAIN"]


def test_an_answer_for_another_plan_is_refused(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    other = sample_plan.model_copy(update={"municipality": "緑が丘町", "title": "緑が丘町官民データ活用推進計画"})
    result = merge_answers(other, [answer], domain_codes=DOMAIN_CODES)
    assert result.changes == [] and [p.code for p in result.problems] == ["FORM-OTHER-PLAN"]
    assert "緑が丘町" in result.problems[0].message and "青葉台市" in result.problems[0].message


def test_a_form_made_before_the_period_changed_is_stale(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    result = merge_answers(sample_plan.model_copy(update={"years": 4}), [answer], domain_codes=DOMAIN_CODES)
    assert result.changes == [] and [p.code for p in result.problems] == ["FORM-STALE-PERIOD"]


def test_a_measure_deleted_from_the_master_since_is_reported_not_revived(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    master = sample_plan.model_copy(update={"measures": [m for m in sample_plan.measures if m.id != "DG-02"]})
    result = merge_answers(master, [answer], domain_codes=DOMAIN_CODES)
    assert result.changes == [] and "FORM-STALE-MEASURE" in [p.code for p in result.problems]
    assert all(m.id != "DG-02" for m in result.plan.measures)


def test_an_answer_to_an_old_form_keeps_what_the_office_changed_since(sample_plan, catalog):
    answer = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0))
    master = sample_plan.model_copy(deep=True)
    master.measures[1] = F.with_measure_values(master.measures[1], {"measure.notes": "財政課と調整済み"})
    result = merge_answers(master, [answer], domain_codes=DOMAIN_CODES)
    merged = measure(result.plan, "DG-02")
    assert merged.notes == "財政課と調整済み" and merged.kpis[0].target_value == 90.0
    assert "FORM-MASTER-CHANGED" in [p.code for p in result.problems]


def test_two_answers_from_one_department_meet_like_any_pair(sample_plan, catalog):
    first = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0), source="税務課_1.xlsx")
    second = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 95.0), source="税務課_2.xlsx")
    same = answer_for(sample_plan, catalog, "税務課", set_target("DG-02", 90.0), source="税務課_3.xlsx")
    result = merge_answers(sample_plan, [first, second, same], domain_codes=DOMAIN_CODES)
    assert measure(result.plan, "DG-02").kpis[0].target_value == 90.0
    (conflict,) = result.conflicts
    assert (conflict.source, conflict.master, conflict.answer) == ("税務課_2.xlsx", "90%", "95%")
    assert "FORM-SECOND-ANSWER" in [p.code for p in result.problems] or "FORM-SAME-FORM" in [p.code for p in result.problems]


def test_actuals_go_into_their_year_only(sample_plan, catalog):
    def report(m):
        if m.id != "DG-02":
            return m
        k = F.with_kpi_values(m.kpis[0], {"kpi.actuals:2027": 41.0, "kpi.comments:2027": "周知で増加",
                                          "kpi.next_steps:2027": "個別に案内"})
        return m.model_copy(update={"kpis": [k]})
    answer = answer_for(sample_plan, catalog, "税務課", report, kind=SurveyKind.ACTUALS, fy=2027)
    result = merge_answers(sample_plan, [answer], domain_codes=DOMAIN_CODES, kind=SurveyKind.ACTUALS)
    kpi = measure(result.plan, "DG-02").kpis[0]
    assert (kpi.actuals, kpi.comments, kpi.next_steps) == ({2027: 41.0}, {2027: "周知で増加"}, {2027: "個別に案内"})
    assert {c.kind for c in result.changes} == {"実績"}


def test_departments_without_an_answer_are_listed(sample_plan, catalog):
    result = merge_answers(sample_plan, [answer_for(sample_plan, catalog, "税務課")], domain_codes=DOMAIN_CODES)
    assert "税務課" not in result.missing and "DX推進課" in result.missing and len(result.missing) >= 6
