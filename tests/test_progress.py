"""進捗管理: expected values, achievement rates and A–D grades for every aggregation and direction."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from xlplan.core.model import Baseline, Kpi
from xlplan.core.progress import (
    DEFAULT_SCALE,
    RATIO_AHEAD,
    RATIO_ON_TRACK,
    GradeLevel,
    GradeScale,
    expected_value,
    format_rate,
    grade_counts,
    kpi_progress,
    latest_actual_fy,
    plan_progress,
)
from xlplan.export.sheets import PROGRESS_HEADER, progress_sheet_values

START, END = 2027, 2031  # plan period 令和9年度〜令和13年度


def kpi(aggregation="時点", direction="増加", base=None, base_fy=2026, target=None, target_fy=END, **kw) -> Kpi:
    baseline = Baseline(value=base, as_of_fy=base_fy) if base_fy is not None or base is not None else None
    return Kpi(name="指標", unit="件", aggregation=aggregation, direction=direction, baseline=baseline,
               target_value=target, target_fy=target_fy, **kw)


def grade(k: Kpi, fy: int, actual: float | None, **kw) -> str:
    if actual is not None:
        k = k.model_copy(update={"actuals": {fy: actual}})
    return kpi_progress(k, fy, plan_start_fy=START, plan_end_fy=END, **kw).grade.code


def test_thresholds_are_the_documented_constants():
    assert (RATIO_AHEAD, RATIO_ON_TRACK) == (1.10, 0.90)
    assert [(lv.code, lv.label) for lv in DEFAULT_SCALE.all_levels] == [
        ("A", "目標より進んでいる"), ("B", "目標どおり"), ("C", "遅れている"), ("D", "評価できない")]


# ------------------------------------------------------------------ 時点

def test_point_increase_progress_from_baseline_and_grades_at_the_thresholds():
    k = kpi("時点", "増加", base=40, target=90)      # expected in 2027: 40 + 50 × 1/5 = 50
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(50)
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 50}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.rate == pytest.approx(0.2) and r.expected_rate == pytest.approx(0.2) and r.ratio == pytest.approx(1.0)
    assert r.grade.code == "B" and r.grade.label == "目標どおり"
    assert grade(k, 2027, 51) == "A"        # ratio 1.10 exactly
    assert grade(k, 2027, 50.9) == "B"
    assert grade(k, 2027, 49) == "B"        # ratio 0.90 exactly
    assert grade(k, 2027, 48.9) == "C"
    assert grade(k, 2027, 35) == "C"        # went backwards


def test_point_decrease_is_the_mirror():
    k = kpi("時点", "減少", base=100, target=50)     # expected in 2027: 90
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(90)
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 90}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.rate == pytest.approx(0.2) and r.grade.code == "B"
    assert grade(k, 2027, 89) == "A"
    assert grade(k, 2027, 91) == "B"
    assert grade(k, 2027, 91.1) == "C"
    assert grade(k, END, 50) == "B" and grade(k, END, 46) == "B" and grade(k, END, 40) == "A"


# ------------------------------------------------------------------ 累計

def test_cumulative_increase_follows_the_interim_path():
    k = kpi("累計", "増加", base=52, base_fy=None, target=170, interim={2028: 80, 2029: 110, 2030: 140})
    k = k.model_copy(update={"baseline": Baseline(value=52, as_of_date=dt.date(2026, 3, 31))})  # = end of FY2025
    # 2027 lies between the baseline (FY2025, 52) and the interim target of 2028 (80).
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(52 + 28 * 2 / 3)
    assert expected_value(k, 2028, plan_start_fy=START) == 80
    assert expected_value(k, 2030, plan_start_fy=START) == 140
    assert expected_value(k, 2031, plan_start_fy=START) == 170
    assert expected_value(k, 2033, plan_start_fy=START) == 170   # after the target FY: the target
    r = kpi_progress(k.model_copy(update={"actuals": {2028: 80}}), 2028, plan_start_fy=START, plan_end_fy=END)
    assert r.rate == pytest.approx(28 / 118) and r.expected_rate == pytest.approx(28 / 118) and r.grade.code == "B"
    assert grade(k, 2028, 52 + 28 * 1.1) == "A"
    assert grade(k, 2028, 52 + 28 * 0.9) == "B"
    assert grade(k, 2028, 70) == "C"


def test_cumulative_decrease_uses_the_mirrored_progress():
    k = kpi("累計", "減少", base=200, target=100, interim={2029: 120})
    assert expected_value(k, 2029, plan_start_fy=START) == 120
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(200 - 80 / 3)  # 2026 → 2029 line
    assert grade(k, 2029, 120) == "B"
    assert grade(k, 2029, 112) == "A"   # progress 88 vs 80 expected = 1.10
    assert grade(k, 2029, 130) == "C"   # 70 vs 80 = 0.875


def test_interim_target_of_the_year_wins_over_the_line():
    k = kpi("時点", "増加", base=0, target=100, interim={2027: 50})
    assert expected_value(k, 2027, plan_start_fy=START) == 50
    assert expected_value(k, 2028, plan_start_fy=START) == pytest.approx(50 + 50 / 4)


def test_without_baseline_fy_the_line_starts_the_year_before_the_plan():
    k = kpi("時点", "増加", base=10, base_fy=None, target=60)
    k = k.model_copy(update={"baseline": Baseline(value=10)})
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(20)


# ------------------------------------------------------------------ 年度値

def test_annual_increase_is_judged_against_the_target():
    k = kpi("年度値", "増加", base=320, target=600)
    assert expected_value(k, 2027, plan_start_fy=START) == 600
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 600}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.rate == pytest.approx(1.0) and r.expected_rate == 1.0 and r.grade.code == "B"
    assert grade(k, 2027, 660) == "A"
    assert grade(k, 2027, 540) == "B"
    assert grade(k, 2027, 539) == "C"


def test_annual_uses_the_interim_of_the_year_or_the_next_one():
    k = kpi("年度値", "増加", base=3200, target=15000, interim={2029: 8000})
    assert expected_value(k, 2027, plan_start_fy=START) == 8000
    assert expected_value(k, 2029, plan_start_fy=START) == 8000
    assert expected_value(k, 2030, plan_start_fy=START) == 15000
    assert grade(k, 2027, 8000) == "B" and grade(k, 2027, 4000) == "C"


def test_annual_can_follow_the_line_instead():
    k = kpi("年度値", "増加", base=320, target=600)
    assert expected_value(k, 2027, plan_start_fy=START, annual_expected="path") == pytest.approx(376)
    assert grade(k, 2027, 376, annual_expected="path") == "B"


def test_annual_decrease_is_the_mirror():
    k = kpi("年度値", "減少", base=310000, target=250000)
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 250000}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.rate == pytest.approx(1.0) and r.grade.code == "B"
    assert grade(k, 2027, 225000) == "A"    # (2 × 250000 − 225000) / 250000 = 1.10
    assert grade(k, 2027, 275000) == "B"    # 0.90
    assert grade(k, 2027, 300000) == "C"


def test_annual_decrease_to_zero():
    k = kpi("年度値", "減少", base=4, target=0)
    assert grade(k, 2027, 0) == "B"
    assert grade(k, 2027, 1) == "C"


# ------------------------------------------------------------------ 未把握, qualitative, D

def test_unknown_baseline_increase_counts_from_zero():
    k = kpi("時点", "増加", base=None, base_fy=2026, target=60)
    assert expected_value(k, 2027, plan_start_fy=START) == pytest.approx(12)
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 12}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.baseline is None and r.rate == pytest.approx(12 / 60) and r.grade.code == "B"
    assert "未把握" in r.note
    assert grade(k, 2031, 60) == "B" and grade(k, 2031, 30) == "C"


def test_unknown_baseline_annual_increase():
    k = kpi("年度値", "増加", base=None, target=60)
    assert grade(k, 2027, 60) == "B" and grade(k, 2027, 66) == "A" and grade(k, 2027, 50) == "C"


def test_unknown_baseline_decrease_compares_with_the_nearest_promise():
    k = kpi("時点", "減少", base=None, target=50)
    assert expected_value(k, 2027, plan_start_fy=START) == 50
    assert grade(k, 2027, 50) == "B" and grade(k, 2027, 45) == "A" and grade(k, 2027, 55) == "B"
    assert grade(k, 2027, 60) == "C"
    k2 = kpi("累計", "減少", base=None, target=50, interim={2028: 80})
    assert expected_value(k2, 2027, plan_start_fy=START) == 80


def test_qualitative_kpis_one_means_achieved():
    k = Kpi(name="条例の制定", direction="達成", target_text="条例の制定", target_fy=2028)
    assert grade(k, 2027, None) == "D"      # no achieved flag
    assert grade(k, 2027, 1) == "A"         # achieved before the target year
    assert grade(k, 2028, 1) == "B"
    assert grade(k, 2027, 0) == "B"         # not yet, not yet due
    assert grade(k, 2028, 0) == "C"
    assert grade(k, 2029, 0) == "C"
    r = kpi_progress(k.model_copy(update={"actuals": {2028: 1}}), 2028, plan_start_fy=START, plan_end_fy=END)
    assert r.qualitative and r.rate == 1.0 and r.note.startswith("達成")


def test_a_text_target_without_number_is_qualitative_whatever_the_direction():
    k = Kpi(name="GTFS-JP公開", direction="増加", target_text="全路線の公開", target_fy=2028)
    assert grade(k, 2028, 1) == "B" and grade(k, 2028, 0) == "C"


def test_no_actual_or_no_target_is_d():
    k = kpi("時点", "増加", base=40, target=90)
    r = kpi_progress(k, 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.grade.code == "D" and r.expected == pytest.approx(50) and r.rate is None and "実績値" in r.note
    no_target = Kpi(name="目標なし", unit="件", actuals={2027: 5})
    r = kpi_progress(no_target, 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.grade.code == "D" and "目標" in r.note


def test_no_progress_expected_yet_grades_by_the_sign():
    k = kpi("時点", "増加", base=40, base_fy=2027, target=90)   # baseline measured in the evaluated year
    assert grade(k, 2027, 40) == "B" and grade(k, 2027, 41) == "A" and grade(k, 2027, 39) == "C"


def test_keeping_the_current_level():
    k = kpi("時点", "増加", base=100, target=100)
    assert grade(k, 2027, 100) == "B" and grade(k, 2027, 95) == "B" and grade(k, 2027, 80) == "C"


def test_missing_target_fy_uses_the_plan_end():
    k = kpi("時点", "増加", base=0, target=50, target_fy=None)
    r = kpi_progress(k.model_copy(update={"actuals": {2027: 10}}), 2027, plan_start_fy=START, plan_end_fy=END)
    assert r.target_fy == END and r.expected == pytest.approx(10) and r.grade.code == "B"


# ------------------------------------------------------------------ scales, plans, sheets

def test_scale_is_configurable():
    scale = GradeScale(levels=(GradeLevel("S", "大きく上回る", 1.5), GradeLevel("A", "上回る", 1.0),
                               GradeLevel("B", "やや下回る", 0.7), GradeLevel("C", "下回る", -math.inf)),
                       unrated=GradeLevel("－", "評価不能"))
    k = kpi("年度値", "増加", base=0, target=100)
    assert [grade(k, 2027, v, scale=scale) for v in (150, 100, 70, 69)] == ["S", "A", "B", "C"]
    assert grade(k, 2027, None, scale=scale) == "－"
    with pytest.raises(ValueError):
        GradeScale(levels=(GradeLevel("A", "x", 0.5), GradeLevel("B", "y", 0.9)), unrated=GradeLevel("D", "z"))


def test_every_sample_kpi_with_an_actual_gets_a_grade(sample_plan):
    plan = sample_plan.model_copy(deep=True)
    for m in plan.measures:
        for k in m.kpis:
            exp = expected_value(k, 2028, plan_start_fy=plan.start_fy, plan_end_fy=plan.end_fy)
            k.actuals = {2028: 1 if (k.direction.value == "達成" or exp is None) else exp}
    results = plan_progress(plan, 2028)
    assert len(results) == sum(len(m.kpis) for m in plan.measures)
    assert all(r.grade.code in "ABC" for r in results), [(r.measure_id, r.kpi.name, r.note) for r in results if r.grade.code == "D"]
    counts = grade_counts(results)
    assert sum(counts.values()) == len(results) and counts["D"] == 0
    assert latest_actual_fy(plan) == 2028 and latest_actual_fy(sample_plan) is None
    # numeric KPIs exactly on their expected value are on track
    assert all(r.grade.code == "B" for r in results if not r.qualitative)


def test_progress_sheet_values(sample_plan):
    plan = sample_plan.model_copy(deep=True)
    plan.measures[0].kpis[0].actuals = {2027: 8000}
    rows = progress_sheet_values(plan, 2027)
    assert rows[0] == list(PROGRESS_HEADER)
    assert len(rows) == 1 + sum(len(m.kpis) for m in plan.measures)
    first = dict(zip(PROGRESS_HEADER, rows[1]))
    assert first["施策ID"] == "DG-01" and first["年度"] == "令和9年度" and first["実績値"] == 8000
    assert first["目安の値"] == 8000 and first["達成率"] == pytest.approx(1.0) and first["評価"] == "B"
    assert first["コメント"] == ""
    assert dict(zip(PROGRESS_HEADER, rows[2]))["評価"] == "D"
    assert format_rate(0.856) == "85.6%" and format_rate(None) == "—"
