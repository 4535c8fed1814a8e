"""進捗管理: 目安, the one achievement formula, the grade of exactly the ratio shown, scales, statuses, manual grades."""

from __future__ import annotations

import pytest

from xlplan.core.expectation import Period, expected_value, kpi_decimals
from xlplan.core.grading import BUILTIN_SCALES, DEFAULT_SCALE, GradeScaleError, custom_scale, scale_for
from xlplan.core.model import Baseline, GradeOverride, GradeSpec, Kpi, Measure, Plan
from xlplan.core.progress import achievement, format_rate, grade_counts, kpi_progress, latest_actual_fy, plan_progress
from xlplan.core.statuses import Status, parse_status

START, END = 2027, 2031          # 令和9年度〜令和13年度, from April: 60 months
FIVE_YEARS = Period(START, 4, END)


def kpi(aggregation="時点", direction="増加", base=None, target=None, target_fy=END, **kw) -> Kpi:
    baseline = Baseline(value=base, as_of_fy=START - 1) if base is not None else kw.pop("baseline", None)
    return Kpi(name="指標", unit="件", aggregation=aggregation, direction=direction, baseline=baseline,
               target_value=target, target_fy=target_fy, **kw)


def run(k: Kpi, fy: int, actual=None, period: Period = FIVE_YEARS, **kw):
    if actual is not None:
        k = k.model_copy(update={"statuses": {fy: actual}} if k.qualitative else {"actuals": {fy: actual}})
    return kpi_progress(k, fy, period, **kw)


def grade(k: Kpi, fy: int, actual=None, **kw) -> str:
    return run(k, fy, actual, **kw).grade.code


# ------------------------------------------------------------------ the done-when: a plan from January

def test_a_plan_that_starts_in_january_grades_its_second_year_by_hand_calculation():
    """令和5年1月から令和7年度まで (start_fy 2022, month 1): the first FY has 3 months, the plan 39 months.

    The second FY (2023) ends 15 months after the start.
    * 累計 サテライトオフィス: 0 → 39 by the end of FY2025: 目安 = 39 × 15/39 = 15.
      Actual 18: (18 − 0) ÷ (15 − 0) = 120.0% → A (≥ 110%).
    * 年度値 研修受講者 with a baseline of 400/年 → 790/年 in FY2025: 目安 = 400 + 390 × 15/39 = 550.
      Actual 520: (520 − 400) ÷ (550 − 400) = 80.0% → C (< 90%).
    * 年度値 without a baseline, 1,000人/年: 目安 = 1,000 every year. Actual 950: 950 ÷ 1,000 = 95.0% → B.
    """
    plan = Plan(municipality="架空市", start_fy=2022, start_month=1, years=4, measures=[Measure(
        id="DG-01", domain="電子行政", name="職員のDX", kpis=[
            Kpi(name="サテライトオフィス", unit="箇所", aggregation="累計", baseline=Baseline(value=0), target_value=39,
                target_fy=2025, actuals={2023: 18}),
            Kpi(name="研修受講者", unit="人", aggregation="年度値", baseline=Baseline(value=400), target_value=790,
                target_fy=2025, actuals={2023: 520}),
            Kpi(name="DX人材育成研修受講者", unit="人", aggregation="年度値", target_value=1000, target_fy=2025,
                actuals={2023: 950}),
        ])])
    cumulative, annual, annual_without_baseline = plan_progress(plan, 2023)
    assert (cumulative.expected, cumulative.rate, cumulative.grade.code) == (15, 1.2, "A")
    assert (annual.expected, annual.rate, annual.grade.code) == (550, 0.8, "C")
    assert (annual_without_baseline.expected, annual_without_baseline.rate, annual_without_baseline.grade.code) == (1000, 0.95, "B")
    # the first, three-month year expects 3/39 of the way: 3 サテライトオフィス, 400 + 30 受講者
    first = plan_progress(plan, 2022)
    assert [r.expected for r in first] == [3, 430, 1000]
    assert "（実績 18箇所 − 現状値 0箇所）÷（目安 15箇所 − 現状値 0箇所）＝ 120.0%" in cumulative.note


# ------------------------------------------------------------------ 目安

def test_path_is_linear_in_months_and_rounded_to_the_kpis_precision():
    k = kpi("累計", base=52, target=170, interim={2028: 80, 2029: 110, 2030: 140})
    assert [expected_value(k, fy, FIVE_YEARS).value for fy in range(2027, 2032)] == [66, 80, 110, 140, 170]
    k = kpi("時点", base=52, target=265)   # 52 + 213/5 = 94.6 → 95, never 94.6件
    assert expected_value(k, 2027, FIVE_YEARS).value == 95
    k = kpi("時点", base=38.5, target=70)   # one decimal: 38.5 + 31.5/5 = 44.8
    assert kpi_decimals(k) == 1 and expected_value(k, 2027, FIVE_YEARS).value == 44.8


def test_interim_target_of_the_year_wins_and_after_the_target_year_the_target():
    k = kpi("時点", base=0, target=100, interim={2027: 50})
    assert expected_value(k, 2027, FIVE_YEARS).value == 50
    assert expected_value(k, 2028, FIVE_YEARS).value == 63          # 50 + 50/4 = 62.5 → 63 (half up)
    assert expected_value(k, 2033, FIVE_YEARS).value == 100


def test_annual_kpi_without_baseline_is_the_target_every_year_with_one_the_path():
    with_base = kpi("年度値", base=320, target=600)
    assert expected_value(with_base, 2027, FIVE_YEARS).value == 376
    without = kpi("年度値", baseline=Baseline(value=None, as_of_fy=2026), target=600, interim={2029: 500})
    assert [expected_value(without, fy, FIVE_YEARS).value for fy in (2027, 2029, 2030)] == [500, 500, 600]


def test_expectation_option_overrides_the_automatic_rule():
    assert expected_value(kpi("年度値", base=320, target=600, expectation="毎年度目標値"), 2027, FIVE_YEARS).value == 600
    line = kpi("年度値", baseline=Baseline(value=None), target=600, interim={2028: 400}, expectation="線で結ぶ")
    assert expected_value(line, 2027, FIVE_YEARS).value == 400   # nothing known before: the next promise


def test_unknown_baseline_of_a_cumulative_kpi_starts_from_zero():
    k = kpi("累計", baseline=Baseline(value=None), target=60)
    assert expected_value(k, 2027, FIVE_YEARS).value == 12
    assert run(k, 2027, 12).rate == 1.0


# ------------------------------------------------------------------ the one formula and its edges

@pytest.mark.parametrize("direction, base, expected, actual, rate", [
    ("増加", 40, 50, 50, 1.0), ("増加", 40, 50, 51, 1.1), ("増加", 40, 50, 35, -0.5),
    ("減少", 100, 90, 90, 1.0), ("減少", 100, 90, 89, 1.1), ("減少", 100, 90, 95, 0.5),   # the same formula, inverted by its signs
    ("増加", None, 60, 45, 0.75), ("減少", None, 50, 40, 1.25),                              # unknown baseline: levels
    ("増加", 100, 100, 95, 0.95), ("減少", 100, 100, 80, 1.25),                             # 目安 = 現状値
    ("減少", None, 0, 0, 1.0), ("減少", None, 0, 1, 0.0), ("増加", None, 0, 3, 1.0),        # a zero divisor
])
def test_achievement_formula(direction, base, expected, actual, rate):
    from xlplan.core.vocab import Direction

    assert achievement(actual, base, expected, Direction(direction))[0] == pytest.approx(rate)


def test_grade_comes_from_the_rate_as_shown():
    k = kpi("時点", base=0, target=1000)        # 目安 200 in 2027
    r = run(k, 2027, 179.99)                    # 89.995% shown as 90.0% → B, not C
    assert format_rate(r.rate) == "90.0%" and r.grade.code == "B"
    assert grade(k, 2027, 179.89) == "C"        # 89.9%
    assert grade(k, 2027, 220) == "A" and grade(k, 2027, 219.8) == "B"


def test_no_actual_no_target_are_unrated_with_the_reason():
    r = run(kpi("時点", base=40, target=90), 2027)
    assert r.grade.code == "D" and r.expected == 50 and r.rate is None and "実績値" in r.note
    r = run(Kpi(name="目標なし", unit="件"), 2027, 5)
    assert r.grade.code == "D" and "目標" in r.note


def test_an_input_error_blocks_the_grade_and_names_the_cells():
    r = run(kpi("時点", base=40, target=90), 2027, 60, errors=("電子行政!H12",))
    assert r.grade.code == "D" and r.note == "評価できない（入力エラー: 電子行政!H12）" and r.rate is None
    assert r.blocked == ("電子行政!H12",)


# ------------------------------------------------------------------ qualitative KPIs

def qualitative(**kw) -> Kpi:
    return Kpi(name="テレワーク実施マニュアルの運用", direction="達成", target_text="運用・見直し", target_fy=2029, **kw)


def test_status_words_as_typed():
    assert [parse_status(v) for v in ("達成", "○", "〇", "済", "×", 1, 0, "一部実施", "検討")] == [
        Status.ACHIEVED, Status.ACHIEVED, Status.ACHIEVED, Status.DONE, Status.NOT_ACHIEVED, Status.ACHIEVED,
        Status.NOT_ACHIEVED, Status.PARTIAL, Status.STUDYING]
    with pytest.raises(ValueError, match="一部実施"):
        parse_status("たぶん")


def test_partial_credit_by_the_ladder():
    k = qualitative()                       # 0% at the start → 100% at the end of FY2029 (36 months)
    r = run(k, 2028, "一部実施")             # 目安 24/36 = 67%; 50 ÷ 67 = 74.6% → C
    assert (r.expected, r.actual, r.status, r.rate, r.grade.code) == (67, 50, Status.PARTIAL, 0.746, "C")
    assert grade(k, 2027, "一部実施") == "A"    # 50 ÷ 33 = 151.5%
    assert grade(k, 2029, "達成") == "B" and grade(k, 2029, "実施済み") == "B"
    assert grade(k, 2027, "未着手") == "C"      # not an automatic B: 0% of the 33% expected
    with_year_target = qualitative(interim_statuses={2028: "一部実施"})
    assert run(with_year_target, 2028, "一部実施").rate == 1.0


def test_manual_grade_with_a_reason_replaces_the_computed_one_and_says_so():
    k = kpi("時点", base=40, target=90).model_copy(update={
        "actuals": {2027: 45}, "overrides": {2027: GradeOverride(grade="B", reason="国の仕様変更で1年遅れたが計画内")}})
    r = run(k, 2027)
    assert r.manual and r.grade.code == "B" and r.auto_grade.code == "C" and r.grade_text == "B（手動）"
    assert r.note.startswith("手動で評価: 国の仕様変更") and r.reason.startswith("国の仕様変更")
    no_reason = k.model_copy(update={"overrides": {2027: GradeOverride(grade="B")}})
    r = run(no_reason, 2027)
    assert r.grade.code == "D" and not r.manual and "評価理由" in r.note


def test_manual_grade_of_a_qualitative_kpi():
    k = qualitative(statuses={2028: "一部実施"}, overrides={2028: GradeOverride(grade="b", reason="予定どおり試行中")})
    r = run(k, 2028)
    assert r.manual and r.grade.code == "B" and r.status is Status.PARTIAL


# ------------------------------------------------------------------ scales

def test_builtin_scales_and_their_bands():
    assert [lv.code for lv in DEFAULT_SCALE.levels] == ["A", "B", "C", "D"]
    assert DEFAULT_SCALE.band(DEFAULT_SCALE.levels[1]) == "達成率 90%以上110%未満"
    k = kpi("年度値", base=0, target=100, expectation="毎年度目標値")
    assert [grade(k, 2027, v, scale=BUILTIN_SCALES["◎○△×"]) for v in (100, 80, 50, 49.9)] == ["◎", "○", "△", "×"]
    assert grade(k, 2027, scale=BUILTIN_SCALES["◎○△×"]) == "－"


def test_akiruno_scale_has_done_and_not_started():
    akiruno = BUILTIN_SCALES["F・S・A・B・C・X・Y・Z"]
    assert grade(kpi("時点", base=0, target=10), 2028, 10, scale=akiruno) == "F"
    assert grade(qualitative(), 2027, "未着手", scale=akiruno) == "X"
    assert grade(qualitative(), 2027, "達成", scale=akiruno) == "F"
    assert grade(kpi("時点", base=0, target=10), 2028, 4, scale=akiruno) == "A"   # 4 ÷ 4 = 100%
    assert akiruno.find("Y").code == "Y"      # 中止: only by hand


def test_custom_scale_from_the_info_sheet():
    scale = custom_scale([GradeSpec(code="S", label="大きく上回る", min_percent=150), GradeSpec(code="A", min_percent=100),
                          GradeSpec(code="B", min_percent=70), GradeSpec(code="C", min_percent=0),
                          GradeSpec(code="－", label="評価不能")])
    k = kpi("年度値", base=0, target=100, expectation="毎年度目標値")
    assert [grade(k, 2027, v, scale=scale) for v in (150, 100, 70, 69, -5)] == ["S", "A", "B", "C", "C"]
    assert grade(k, 2027, scale=scale) == "－"
    with pytest.raises(GradeScaleError, match="高い順"):
        custom_scale([GradeSpec(code="A", min_percent=50), GradeSpec(code="B", min_percent=90), GradeSpec(code="C", min_percent=0)])
    plan = Plan(municipality="架空市", start_fy=START, grade_scale="独自")
    with pytest.raises(GradeScaleError, match="独自の評価段階"):
        scale_for(plan)
    # a scale that cannot grade leaves every KPI 評価できない with the reason
    plan = plan.model_copy(update={"measures": [Measure(id="M1", domain="電子行政", kpis=[k.model_copy(update={"actuals": {2027: 1}})])]})
    [r] = plan_progress(plan, 2027)
    assert r.grade.code == "D" and "評価の尺度" in r.note


# ------------------------------------------------------------------ the sample plan

def test_every_sample_kpi_on_its_target_path_is_on_track(sample_plan):
    plan = sample_plan.model_copy(deep=True)
    period = Period.of(plan)
    for m in plan.measures:
        for k in m.kpis:
            if k.qualitative:
                k.statuses = {2028: "一部実施"}
            else:
                k.actuals = {2028: expected_value(k, 2028, period).value}
    results = plan_progress(plan, 2028)
    assert len(results) == sum(len(m.kpis) for m in plan.measures)
    assert all(r.grade.code == "B" for r in results if not r.qualitative), [(r.measure_id, r.note) for r in results
                                                                          if not r.qualitative and r.grade.code != "B"]
    assert all(r.grade.code in "ABC" for r in results)
    counts = grade_counts(results)
    assert sum(counts.values()) == len(results) and counts["D"] == 0
    assert latest_actual_fy(plan) == 2028 and latest_actual_fy(sample_plan) is None
