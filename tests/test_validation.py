"""Validation rules: for every code one plan where it fires and one where it does not."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlplan.catalog_data import load_catalog
from xlplan.core.catalog import with_catalog_programs
from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.model import Plan
from xlplan.core.validation import CODES, validate_plan
from xlplan.core.vocab import DEFAULT_DOMAINS, Aggregation, Direction, Phase, Pillar
from xlplan.planfile import load_plan

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "sample_plan.yaml"
START = 2027
YEARS = 5
END = START + YEARS - 1
PILLARS = list(Pillar)
N_MEASURES = 12  # two measures for every pillar, at least one for every domain

# Codes seen firing in this module's failing cases (checked by the meta-test at the end).
FIRED: set[str] = set()


# ------------------------------------------------------------------ a valid baseline plan

def kpi(**over) -> dict:
    data = {"name": "オンライン申請件数", "unit": "件", "baseline": {"value": 100, "as_of_fy": START - 2},
            "target_value": 500, "target_fy": END}
    data.update(over)
    return data


def qualitative_kpi(**over) -> dict:
    data = {"name": "条例の制定", "unit": "", "direction": "達成", "target_text": "条例の制定", "target_fy": END}
    data.update(over)
    return data


def schedule(start: int = START, years: int = YEARS) -> dict:
    """準備 in the first year, then 実施・運用 … 見直し."""
    phases = {start: "準備"}
    for fy in range(start + 1, start + years):
        phases[fy] = "実施・運用"
    if years > 2:
        phases[start + years - 1] = "見直し"
    return phases


def measure(i: int, start: int = START, years: int = YEARS) -> dict:
    return {
        "id": f"M{i:02d}",
        "domain": DEFAULT_DOMAINS[i % len(DEFAULT_DOMAINS)],
        "pillar": PILLARS[i % len(PILLARS)].value,
        "name": f"施策{i:02d}",
        "owner": "DX推進課",
        "kpis": [kpi(target_fy=start + years - 1, baseline={"value": 100, "as_of_fy": start - 2})],
        "schedule": schedule(start, years),
    }


def plan_data(start: int = START, years: int = YEARS) -> dict:
    return {
        "municipality": "青葉台市",
        "start_fy": start,
        "years": years,
        "related_plans": [{"name": "第2次総合計画", "start_fy": start - 1, "end_fy": start + years}],
        "programs": [
            {"id": "N01", "name": "国の補助", "active_to_fy": None},
            {"id": "K01", "name": "県の補助", "level": "県", "active_to_fy": start + years - 1},
        ],
        "measures": [measure(i, start, years) for i in range(N_MEASURES)],
    }


def findings_for(data: dict) -> list[Finding]:
    return validate_plan(Plan.model_validate(data))


def m0(data: dict) -> dict:
    return data["measures"][0]


def k0(data: dict) -> dict:
    return m0(data)["kpis"][0]


def test_baseline_plan_has_no_findings():
    assert findings_for(plan_data()) == []
    assert findings_for(plan_data(2025, 3)) == []


# ------------------------------------------------------------------ mutations

Mutation = Callable[[dict], None]


def setter(path: Callable[[dict], dict], **values) -> Mutation:
    def mutate(data: dict) -> None:
        path(data).update(values)
    return mutate


def top(**values) -> Mutation:
    return setter(lambda d: d, **values)


def meas(**values) -> Mutation:
    return setter(m0, **values)


def kp(**values) -> Mutation:
    return setter(k0, **values)


def both(*mutations: Mutation) -> Mutation:
    def mutate(data: dict) -> None:
        for m in mutations:
            m(data)
    return mutate


def add_kpi(**values) -> Mutation:
    def mutate(data: dict) -> None:
        m0(data)["kpis"].append(kpi(**values))
    return mutate


def set_phase(fy: int, phase: str | None) -> Mutation:
    def mutate(data: dict) -> None:
        if phase is None:
            m0(data)["schedule"].pop(fy, None)
        else:
            m0(data)["schedule"][fy] = phase
    return mutate


def move_pillar(old: Pillar, new: Pillar) -> Mutation:
    def mutate(data: dict) -> None:
        for m in data["measures"]:
            if m["pillar"] == old.value:
                m["pillar"] = new.value
    return mutate


def move_domain(old: str, new: str) -> Mutation:
    def mutate(data: dict) -> None:
        for m in data["measures"]:
            if m["domain"] == old:
                m["domain"] = new
    return mutate


def program(pid: str, **values) -> Mutation:
    def mutate(data: dict) -> None:
        next(p for p in data["programs"] if p["id"] == pid).update(values)
    return mutate


def apply(mutation: Mutation) -> list[Finding]:
    data = copy.deepcopy(plan_data())
    mutation(data)
    return findings_for(data)


# ------------------------------------------------------------------ failing cases

@dataclass(frozen=True)
class Fail:
    code: str
    mutate: Mutation
    ref: Ref
    says: tuple[str, ...] = ()          # fragments the message must contain
    id: str = ""


@dataclass(frozen=True)
class Pass:
    code: str
    mutate: Mutation
    others: frozenset[str] = field(default_factory=frozenset)  # codes that may legitimately fire instead
    id: str = ""


M = "M00"
FAIL_CASES = [
    Fail("PLAN-LENGTH", top(years=12), Ref(field="years"), ("12年",)),
    Fail("PLAN-LENGTH-UNUSUAL", top(years=4), Ref(field="years"), ("4年",)),
    Fail("PLAN-RELATED-PERIOD",
         top(related_plans=[{"name": "総合計画", "start_fy": START, "end_fy": END},
                            {"name": "後期基本計画", "start_fy": START - 1, "end_fy": END - 1}]),
         Ref(field="related_plans", index=1), ("後期基本計画", "令和8年度")),
    Fail("PLAN-RELATED-PERIOD",
         top(related_plans=[{"name": "後の計画", "start_fy": START + 1, "end_fy": END + 3}]),
         Ref(field="related_plans", index=0), ("後の計画",), id="starts-later"),
    Fail("PLAN-NAME-MISSING", top(municipality="  "), Ref(field="municipality"), ("団体名",)),
    Fail("MEAS-DUPLICATE-ID", setter(lambda d: d["measures"][1], id=M), Ref(M, field="id"), ("M00", "2件")),
    Fail("MEAS-NAME-MISSING", meas(name=""), Ref(M, field="name"), ("M00", "施策名")),
    Fail("MEAS-DOMAIN-UNKNOWN", meas(domain="宇宙"), Ref(M, field="domain"), ("施策00", "宇宙")),
    Fail("MEAS-PILLAR-MISSING", meas(pillar=None), Ref(M, field="pillar"), ("施策00", "柱")),
    Fail("MEAS-OWNER-MISSING", meas(owner=""), Ref(M, field="owner"), ("施策00", "担当課")),
    Fail("MEAS-KPI-MISSING", meas(kpis=[]), Ref(M, kpi=0, field="name"), ("施策00", "KPI")),
    Fail("MEAS-SCHEDULE-MISSING", meas(schedule={}), Ref(M, field="schedule", fy=START), ("施策00", "工程")),
    Fail("MEAS-INCOMPLETE", meas(owner="", schedule={}), Ref(M, field="owner"), ("施策00", "担当課・工程（年度ごとの段階）を入力")),
    Fail("MEAS-INCOMPLETE", both(meas(owner="", schedule={}), kp(target_value=None)), Ref(M, field="owner"),
         ("まだ担当課・工程（年度ごとの段階）・KPIの目標が入っていません",), id="catalog-like"),
    Fail("MEAS-INCOMPLETE", both(meas(schedule={}), kp(target_value=None)), Ref(M, field="schedule"),
         ("工程（年度ごとの段階）・KPIの目標",), id="schedule-and-target"),
    Fail("MEAS-PLACEHOLDER", meas(owner="○○課"), Ref(M, field="owner"), ("「○○課」", "「○○」")),
    Fail("MEAS-PLACEHOLDER", meas(owner="未定"), Ref(M, field="owner"), ("「未定」",), id="undecided"),
    Fail("MEAS-PLACEHOLDER", meas(name="××システムの導入"), Ref(M, field="name"), ("「××」",), id="name"),
    Fail("KPI-PLACEHOLDER", kp(name="TBD"), Ref(M, kpi=0, field="name"), ("「TBD」",)),
    Fail("KPI-PLACEHOLDER", kp(target_value=None, target_text="未定"), Ref(M, kpi=0, field="target_text"),
         ("目標（定性）「未定」",), id="target-text"),
    Fail("MEAS-PROGRAM-UNKNOWN", meas(programs=["N01", "X99"]), Ref(M, field="programs", program_id="X99"),
         ("施策00", "X99")),
    Fail("KPI-NAME-MISSING", add_kpi(name=""), Ref(M, kpi=1, field="name"), ("施策00", "指標名")),
    Fail("KPI-TARGET-MISSING", kp(target_value=None, target_text=""), Ref(M, kpi=0, field="target_value"),
         ("オンライン申請件数", "目標")),
    Fail("KPI-UNIT-MISSING", kp(unit=""), Ref(M, kpi=0, field="unit"), ("オンライン申請件数", "単位")),
    Fail("KPI-TARGET-FY-MISSING", kp(target_fy=None), Ref(M, kpi=0, field="target_fy"),
         ("オンライン申請件数", "令和9年度〜令和13年度")),
    Fail("KPI-TARGET-FY-MISSING", add_kpi(target_value=None, target_text="開始", unit="", target_fy=None,
                                          baseline=None, direction="達成"),
         Ref(M, kpi=1, field="target_fy"), ("目標年度",), id="qualitative"),
    Fail("KPI-TARGET-FY-OUTSIDE", kp(target_fy=END + 1), Ref(M, kpi=0, field="target_fy"), ("令和14年度",)),
    Fail("KPI-BASELINE-LATE", kp(baseline={"value": 100, "as_of_fy": START}), Ref(M, kpi=0, field="baseline_as_of"),
         ("令和9年度",)),
    Fail("KPI-BASELINE-LATE", kp(baseline={"value": 100, "as_of_date": dt.date(START, 4, 1)}),
         Ref(M, kpi=0, field="baseline_as_of"), ("令和9年度",), id="as-of-date"),
    Fail("KPI-PERCENT-RANGE", kp(unit="%", baseline={"value": 50, "as_of_fy": START - 1}, target_value=120),
         Ref(M, kpi=0, field="target_value"), ("120",)),
    Fail("KPI-PERCENT-RANGE", kp(unit="％", baseline={"value": 50, "as_of_fy": START - 1}, target_value=90,
                                 interim={START + 2: 101}),
         Ref(M, kpi=0, field="interim", fy=START + 2), ("101",), id="interim-full-width"),
    Fail("KPI-PERCENT-RANGE", kp(unit="%", baseline={"value": -1, "as_of_fy": START - 1}, target_value=90),
         Ref(M, kpi=0, field="baseline_value"), ("-1",), id="baseline"),
    Fail("KPI-PERCENT-RANGE", kp(unit="%", baseline=None, target_value=90, actuals={START: 150}),
         Ref(M, kpi=0, field="actuals", fy=START), ("150",), id="actuals"),
    Fail("KPI-CUMULATIVE-DECREASE", kp(aggregation="累計", interim={START + 1: 300, START + 2: 200}),
         Ref(M, kpi=0, field="interim", fy=START + 2), ("累計", "300", "200")),
    Fail("KPI-CUMULATIVE-DECREASE", kp(aggregation="累計", interim={START + 3: 600}),
         Ref(M, kpi=0, field="interim", fy=END), ("600", "500"), id="target-below-interim"),
    Fail("KPI-CUMULATIVE-DECREASE", kp(aggregation="累計", actuals={START: 150, START + 1: 140}),
         Ref(M, kpi=0, field="actuals", fy=START + 1), ("実績値",), id="actuals"),
    Fail("KPI-DIRECTION", kp(direction="減少"), Ref(M, kpi=0, field="direction"), ("減少", "大きい")),
    Fail("KPI-DIRECTION", kp(direction="増加", target_value=50), Ref(M, kpi=0, field="direction"), ("増加", "小さい"),
         id="up"),
    Fail("KPI-INTERIM-OUTSIDE", kp(interim={START - 1: 200}), Ref(M, kpi=0, field="interim", fy=START - 1),
         ("令和8年度",)),
    Fail("SCHED-OUTSIDE-PERIOD", set_phase(END + 1, "見直し"), Ref(M, field="schedule", fy=END + 1), ("令和14年度",)),
    Fail("SCHED-BACKWARDS", set_phase(START + 3, "検討"), Ref(M, field="schedule", fy=START + 3),
         ("実施・運用", "検討", "備考")),
    Fail("SCHED-BACKWARDS", set_phase(START + 3, "実施・運用→検討"), Ref(M, field="schedule", fy=START + 3),
         ("の中で「実施・運用」から「検討」に戻っています",), id="within-a-year"),
    Fail("SCHED-TARGET-BEFORE-OPERATION", kp(target_fy=START), Ref(M, kpi=0, field="target_fy"),
         ("令和9年度", "令和10年度")),
    Fail("SCHED-TARGET-BEFORE-OPERATION", meas(schedule={START: "検討", START + 1: "準備"}),
         Ref(M, kpi=0, field="target_fy"), ("実施・運用」（または拡充・見直し）の年度がありません",), id="never-operates"),
    Fail("PROG-EXPIRED", both(meas(programs=["K01"]), program("K01", active_to_fy=END - 1)),
         Ref(M, field="programs", program_id="K01"), ("県の補助", "令和12年度", "令和13年度")),
    Fail("PROG-EXPIRED", both(meas(programs=["K01"]), program("K01", active_to_fy=END - 1, status="後継あり", successor="N01")),
         Ref(M, field="programs", program_id="K01"), ("県の補助", "終了", "後継の「国の補助」（N01）"), id="names-successor"),
    Fail("PROG-EXPIRED", both(meas(programs=["N01"]), program("N01", status="終了")),
         Ref(M, field="programs", program_id="N01"), ("国の補助", "終了", "後継の制度"), id="ended-without-year"),
    Fail("PROG-SUCCESSOR-UNKNOWN", program("K01", status="後継あり", successor="K99"),
         Ref(field="programs", program_id="K01"), ("K01", "K99")),
    Fail("MEAS-DRAFT", both(meas(content="【案】窓口を見直す。"), kp(name="【案】オンライン申請件数")),
         Ref(M, field="content"), ("施策00", "内容", "オンライン申請件数", "【案】")),
    Fail("MEAS-DRAFT", kp(name="【案】オンライン申請件数"), Ref(M, kpi=0, field="name"), ("指標名",), id="kpi-only"),
    Fail("COVER-PILLAR", move_pillar(Pillar.P13, Pillar.P10), Ref(field="coverage"), ("13条 マイナンバーカード",)),
    Fail("COVER-DOMAIN", move_domain("金融", "その他"), Ref(field="coverage"), ("金融",)),
]

PASS_CASES = [
    Pass("PLAN-LENGTH", top(years=10), frozenset({"PLAN-LENGTH-UNUSUAL", "PLAN-RELATED-PERIOD"})),
    Pass("PLAN-LENGTH-UNUSUAL", lambda d: d.update(plan_data(START, 3))),
    Pass("PLAN-RELATED-PERIOD", top(related_plans=[{"name": "総合計画", "start_fy": START, "end_fy": END}])),
    Pass("PLAN-RELATED-PERIOD", top(related_plans=[{"name": "後期基本計画", "start_fy": START - 1, "end_fy": END - 1}],
                                    review="令和12年度に総合計画の改定に合わせて見直し"), id="review-stated"),
    Pass("PLAN-NAME-MISSING", top(municipality="青葉台市")),
    Pass("MEAS-DUPLICATE-ID", setter(lambda d: d["measures"][1], id="M00-2")),
    Pass("MEAS-NAME-MISSING", meas(name="施策")),
    Pass("MEAS-DOMAIN-UNKNOWN", meas(domain="インフラ")),     # alias of 防災・減災
    Pass("MEAS-PILLAR-MISSING", meas(pillar="13条")),         # alias of 13条 マイナンバーカード
    Pass("MEAS-OWNER-MISSING", meas(owner="総務課")),
    Pass("MEAS-KPI-MISSING", meas(kpis=[qualitative_kpi()])),
    Pass("MEAS-SCHEDULE-MISSING", meas(schedule={END: "実施・運用"})),
    Pass("MEAS-PROGRAM-UNKNOWN", meas(programs=["N01", "K01"])),
    Pass("KPI-NAME-MISSING", add_kpi(name="別の指標")),
    Pass("KPI-TARGET-MISSING", meas(kpis=[qualitative_kpi()])),
    Pass("KPI-UNIT-MISSING", meas(kpis=[qualitative_kpi(unit="")])),
    Pass("KPI-TARGET-FY-MISSING", kp(target_fy=END)),
    Pass("KPI-TARGET-FY-OUTSIDE", kp(target_fy=START + 1)),  # first 実施・運用 year
    Pass("KPI-BASELINE-LATE", kp(baseline={"value": 100, "as_of_date": dt.date(START, 3, 31)})),
    Pass("KPI-PERCENT-RANGE", kp(unit="%", baseline={"value": 0, "as_of_fy": START - 1}, target_value=100,
                                 interim={START + 2: 50}, actuals={START: 10})),
    Pass("KPI-CUMULATIVE-DECREASE", kp(aggregation="累計", interim={START + 1: 300, START + 2: 300}, target_value=300,
                                       actuals={START: 120, START + 1: 300})),
    Pass("KPI-CUMULATIVE-DECREASE", kp(aggregation="時点", interim={START + 1: 600, START + 2: 400}), id="point"),
    Pass("KPI-DIRECTION", kp(direction="減少", target_value=50)),
    Pass("KPI-DIRECTION", kp(direction="増加", target_value=100), id="equal"),
    Pass("KPI-DIRECTION", kp(direction="達成", target_value=0), id="achieve"),
    Pass("KPI-DIRECTION", kp(direction="増加", baseline={"value": None, "as_of_fy": START - 1}, target_value=0),
         id="unknown-baseline"),
    Pass("KPI-INTERIM-OUTSIDE", kp(interim={START: 200, END: 500})),
    Pass("SCHED-OUTSIDE-PERIOD", set_phase(END, "拡充")),
    Pass("SCHED-BACKWARDS", both(set_phase(START + 3, "検討"), meas(notes="補助の不採択で再検討する"))),
    Pass("SCHED-BACKWARDS", both(set_phase(START + 1, "拡充"), set_phase(START + 2, "実施・運用")), id="same-rank"),
    Pass("SCHED-TARGET-BEFORE-OPERATION", kp(target_fy=START + 1)),
    Pass("SCHED-BACKWARDS", set_phase(START + 1, "準備→実施・運用"), id="two-phases-forward"),
    Pass("MEAS-INCOMPLETE", meas(owner=""), others=frozenset({"MEAS-OWNER-MISSING"})),
    Pass("MEAS-PLACEHOLDER", meas(owner="DX推進課", name="○印の付いた申請書の電子化")),
    Pass("KPI-PLACEHOLDER", kp(name="回答率（％）", unit="%", baseline={"value": 40, "as_of_fy": START - 2}, target_value=80)),
    Pass("PROG-EXPIRED", both(meas(programs=["K01"]), program("K01", active_to_fy=END))),
    Pass("PROG-EXPIRED", meas(programs=["N01"]), id="open-ended"),
    Pass("PROG-EXPIRED", both(meas(programs=["K01"]), program("K01", active_to_fy=END, status="終了")),
         id="ended-after-the-schedule"),
    Pass("PROG-SUCCESSOR-UNKNOWN", program("K01", status="後継あり", successor="N01")),
    Pass("MEAS-DRAFT", meas(content="窓口を見直す（【案】を消して確定）。")),
    Pass("COVER-PILLAR", both(move_pillar(Pillar.P13, Pillar.P10),
                              top(skips=[{"target": "13条", "reason": "別計画で推進するため"}]))),
    Pass("COVER-DOMAIN", both(move_domain("金融", "その他"),
                              top(skips=[{"target": "金融", "reason": "該当する施策がないため"}]))),
    Pass("COVER-DOMAIN", both(move_domain("金融", "その他"),
                              lambda d: d.update(domains=[x for x in DEFAULT_DOMAINS if x != "金融"])), id="not-a-domain"),
]


def case_id(case: Fail | Pass) -> str:
    return f"{case.code}-{case.id}" if case.id else case.code


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("case", FAIL_CASES, ids=case_id)
def test_rule_fires(case: Fail):
    found = [f for f in apply(case.mutate) if f.code == case.code]
    assert found, f"{case.code} did not fire"
    FIRED.add(case.code)
    finding = next((f for f in found if f.ref == case.ref), None)
    assert finding is not None, [f.ref for f in found]
    assert finding.severity is Severity(CODES[case.code][0])
    assert has_japanese(finding.message)
    for fragment in case.says:
        assert fragment in finding.message


@pytest.mark.parametrize("case", PASS_CASES, ids=case_id)
def test_rule_does_not_fire(case: Pass):
    codes = {f.code for f in apply(case.mutate)}
    assert case.code not in codes
    assert codes <= case.others


def test_duplicate_ids_are_reported_for_each_copy():
    found = [f for f in apply(setter(lambda d: d["measures"][1], id=M)) if f.code == "MEAS-DUPLICATE-ID"]
    assert len(found) == 2


def test_each_backwards_step_is_reported_once_per_measure():
    findings = apply(both(set_phase(START + 2, "検討"), set_phase(START + 3, "準備"), set_phase(START + 4, "検討")))
    assert [f.ref.fy for f in findings if f.code == "SCHED-BACKWARDS"] == [START + 2]


def test_measure_level_messages_name_the_measure():
    findings = apply(both(meas(owner="", pillar=None), kp(unit="")))
    assert findings
    for f in findings:
        assert f.ref.measure_id == M
        assert "施策00" in f.message


def test_every_code_has_a_failing_and_a_passing_case():
    assert {c.code for c in FAIL_CASES} == set(CODES)
    assert {c.code for c in PASS_CASES} == set(CODES)


def test_every_code_is_exercised():
    """Every code fires in a failing case (run here too, so the test does not depend on test order)."""
    fired = set(FIRED)
    for case in FAIL_CASES:
        if any(f.code == case.code for f in apply(case.mutate)):
            fired.add(case.code)
    assert fired == set(CODES)


def test_severities_in_codes_are_known():
    assert {severity for severity, _ in CODES.values()} <= {s.value for s in Severity}
    for severity, description in CODES.values():
        assert has_japanese(description)


# ------------------------------------------------------------------ the sample plan

@pytest.fixture(scope="module")
def sample_findings() -> list[Finding]:
    plan = with_catalog_programs(load_plan(SAMPLE), load_catalog())
    return validate_plan(plan)


def test_sample_has_no_errors(sample_findings):
    assert [f for f in sample_findings if f.severity is Severity.ERROR] == []


def test_sample_shows_exactly_the_intended_warnings(sample_findings):
    assert sorted(f.code for f in sample_findings) == ["PLAN-RELATED-PERIOD", "PROG-EXPIRED"]
    related = next(f for f in sample_findings if f.code == "PLAN-RELATED-PERIOD")
    assert related.ref == Ref(field="related_plans", index=0)
    assert "第2次青葉台市総合計画 後期基本計画" in related.message
    expired = next(f for f in sample_findings if f.code == "PROG-EXPIRED")
    assert expired.ref == Ref("DS-01", field="programs", program_id="N01")
    assert "令和3年度" in expired.message


def test_sample_without_catalog_programs_lacks_national_programs():
    """The sample lists only K01; national program ids resolve only once the catalog's are added."""
    findings = validate_plan(load_plan(SAMPLE))
    unknown = {f.ref.program_id for f in findings if f.code == "MEAS-PROGRAM-UNKNOWN"}
    assert unknown and all(pid.startswith("N") for pid in unknown)


# ------------------------------------------------------------------ property: valid plans have no findings

RANKED = {rank: [p for p in Phase if p.rank == rank] for rank in {p.rank for p in Phase}}


@st.composite
def valid_schedules(draw, start: int, years: int) -> dict[int, Phase]:
    """Phases non-decreasing in rank over a run of years inside the period, reaching 実施・運用."""
    first = draw(st.integers(start, start + years - 1))
    last = draw(st.integers(first, start + years - 1))
    fys = list(range(first, last + 1))
    ranks = sorted(draw(st.lists(st.integers(0, 4), min_size=len(fys), max_size=len(fys))))
    ranks[-1] = 4
    return {fy: draw(st.sampled_from(RANKED[r])) for fy, r in zip(fys, ranks, strict=True)}


@st.composite
def valid_kpis(draw, start: int, end: int, operating: int) -> dict:
    target_fy = draw(st.integers(operating, end))
    if draw(st.booleans()):
        return qualitative_kpi(name=draw(st.sampled_from(["条例の制定", "計画の策定"])), target_fy=target_fy)
    percent = draw(st.booleans())
    aggregation = draw(st.sampled_from(list(Aggregation)))
    direction = draw(st.sampled_from(list(Direction)))
    high = 100.0 if percent else 1e6
    base = draw(st.none() | st.floats(0, high, allow_nan=False))
    if base is None or direction is Direction.ACHIEVE:
        target = draw(st.floats(0, high, allow_nan=False))
    elif direction is Direction.UP:
        target = draw(st.floats(base, high, allow_nan=False))
    else:
        target = draw(st.floats(0, base, allow_nan=False))
    interim_years = draw(st.lists(st.integers(start, target_fy - 1), unique=True, max_size=3)) if target_fy > start else []
    interim_values = sorted(draw(st.lists(st.floats(0, target, allow_nan=False), min_size=len(interim_years),
                                          max_size=len(interim_years))))
    as_of = draw(st.one_of(st.builds(dict, as_of_fy=st.integers(start - 5, start - 1)),
                           st.builds(dict, as_of_date=st.dates(dt.date(start - 5, 1, 1), dt.date(start, 3, 31)))))
    return {
        "name": draw(st.sampled_from(["件数", "割合", "人数"])),
        "kind": draw(st.sampled_from(["進捗", "効果"])),
        "unit": "%" if percent else draw(st.sampled_from(["件", "人", "千円"])),
        "aggregation": aggregation.value,
        "direction": direction.value,
        "baseline": {"value": base, **as_of},
        "target_value": target,
        "target_fy": target_fy,
        "interim": dict(zip(sorted(interim_years), interim_values, strict=True)),
    }


@st.composite
def valid_plans(draw) -> dict:
    start = draw(st.integers(2019, 2040))
    years = draw(st.sampled_from([3, 5]))
    end = start + years - 1
    extra = draw(st.integers(0, 4))
    n = len(DEFAULT_DOMAINS) + extra
    domains = draw(st.permutations(list(DEFAULT_DOMAINS))) + draw(
        st.lists(st.sampled_from(DEFAULT_DOMAINS), min_size=extra, max_size=extra))
    pillars = draw(st.permutations(PILLARS)) + draw(
        st.lists(st.sampled_from(PILLARS), min_size=n - len(PILLARS), max_size=n - len(PILLARS)))
    programs = [{"id": "N01", "name": "国の補助"}, {"id": "K01", "name": "県の補助", "level": "県", "active_to_fy": end}]
    measures = []
    for i in range(n):
        sched = draw(valid_schedules(start, years))
        operating = min(fy for fy, p in sched.items() if p.rank >= Phase.OPERATE.rank)
        measures.append({
            "id": f"M{i:02d}",
            "domain": domains[i],
            "pillar": pillars[i].value,
            "name": f"施策{i}",
            "owner": draw(st.sampled_from(["DX推進課", "市民課", "税務課"])),
            "programs": draw(st.lists(st.sampled_from(["N01", "K01"]), unique=True, max_size=2)),
            "kpis": draw(st.lists(valid_kpis(start, end, operating), min_size=1, max_size=3)),
            "schedule": {fy: p.value for fy, p in sched.items()},
        })
    return {"municipality": "青葉台市", "start_fy": start, "years": years, "programs": programs, "measures": measures}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_plans())
def test_generated_valid_plans_have_no_findings(data):
    findings = findings_for(data)
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert findings == []
