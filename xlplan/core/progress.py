"""進捗管理: each KPI's achievement in one fiscal year, and an A–D grade.

Three numbers per KPI and fiscal year (FY):

* expected (期待値・目安): where the KPI should be at the end of the FY.
  累計・時点: the interim target of that FY if given, else a straight line
  through the known points — the baseline (at its FY, or the FY before the plan
  starts), the interim targets and the target at the target FY; from the
  target FY on, the target. 年度値: the interim target of that FY if given,
  else the next interim target after it, else the target itself (an annual
  flow is judged against the level the plan promised, e.g. 「1,000人/年」; pass
  annual_expected="path" to use the straight line instead).
* rate (達成率): 累計・時点 — progress from the baseline toward the final
  target: 増加 (actual − baseline) / (target − baseline), 減少 the mirror
  (baseline − actual) / (baseline − target). When the baseline is 未把握 an
  increasing KPI is measured from 0 (actual / target). 年度値 — the actual
  against the FY's expected value: 増加 actual / expected, 減少 the mirror
  (2·expected − actual) / expected (each 1% above the expected value costs 1%).
* ratio: the rate against the rate expected in that FY (1.0 = on the path).
  The grade compares the ratio with the scale's thresholds.

Default scale (浜松市 DX推進計画's KPI review): A 目標より進んでいる when the
ratio is at least RATIO_AHEAD (110% of the expected progress), B 目標どおり at
least RATIO_ON_TRACK (90%), C 遅れている below, D 評価できない when there is no
actual for the FY, no target, or (qualitative KPIs) no achieved flag.

Qualitative KPIs (方向「達成」, or a 目標（定性） without a number): an actual of 1
means achieved, 0 not yet. Achieved before the target FY → the top grade,
achieved by then → on track; not yet achieved before the target FY → on track
(not yet due), at or after it → the lowest rated grade.

Pure functions with dataclass results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from xlplan.core.fiscal import fy_of_date, wareki_fy
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.vocab import Aggregation, Direction

RATIO_AHEAD = 1.10      # A: at least 110% of the progress expected by this FY
RATIO_ON_TRACK = 0.90   # B: at least 90%; C below
ACHIEVED = 1.0          # a qualitative KPI's actual meaning 達成
RATIO_TOLERANCE = 1e-9  # a ratio exactly at a threshold earns the grade despite float rounding

AnnualExpected = Literal["target", "path"]


@dataclass(frozen=True)
class GradeLevel:
    code: str
    label: str
    min_ratio: float | None = None   # rated levels: the lowest ratio that earns it; None for the unrated level


@dataclass(frozen=True)
class GradeScale:
    """Rated levels best first (the last one catches everything below), plus the unrated level."""

    levels: tuple[GradeLevel, ...]
    unrated: GradeLevel

    def __post_init__(self) -> None:
        if not self.levels:
            raise ValueError("評価の段階が1つもありません。")
        ratios = [lv.min_ratio for lv in self.levels]
        if any(r is None for r in ratios) or ratios != sorted(ratios, reverse=True):
            raise ValueError("評価の段階は、基準の高い順に、基準値（min_ratio）を付けて並べてください。")

    def grade(self, ratio: float) -> GradeLevel:
        for level in self.levels:
            if ratio >= level.min_ratio - RATIO_TOLERANCE:
                return level
        return self.levels[-1]

    @property
    def best(self) -> GradeLevel:
        return self.levels[0]

    @property
    def on_track(self) -> GradeLevel:
        return self.grade(1.0)

    @property
    def worst(self) -> GradeLevel:
        return self.levels[-1]

    @property
    def all_levels(self) -> tuple[GradeLevel, ...]:
        return (*self.levels, self.unrated)


HAMAMATSU_SCALE = GradeScale(
    levels=(
        GradeLevel("A", "目標より進んでいる", RATIO_AHEAD),
        GradeLevel("B", "目標どおり", RATIO_ON_TRACK),
        GradeLevel("C", "遅れている", -math.inf),
    ),
    unrated=GradeLevel("D", "評価できない"),
)
DEFAULT_SCALE = HAMAMATSU_SCALE


@dataclass(frozen=True)
class KpiProgress:
    measure_id: str
    measure_name: str
    owner: str
    kpi_index: int               # 0-based position in the measure's KPIs
    kpi: Kpi
    fy: int
    baseline: float | None       # None: 未把握 or no baseline
    baseline_fy: int | None
    target: float | None
    target_fy: int | None
    expected: float | None       # 期待値: where the KPI should be at the end of fy
    actual: float | None
    rate: float | None           # 達成率 (1.0 = 100%)
    expected_rate: float | None  # the rate expected by the end of fy
    ratio: float | None          # rate / expected_rate, compared with the scale
    grade: GradeLevel
    note: str                    # how the grade came about, or why it could not be given

    @property
    def qualitative(self) -> bool:
        return is_qualitative(self.kpi)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly shape used by `xlplan progress --format json` and the open-data export."""
        return {
            "measure_id": self.measure_id,
            "measure_name": self.measure_name,
            "owner": self.owner,
            "kpi_no": self.kpi_index + 1,
            "kpi_name": self.kpi.name,
            "unit": self.kpi.unit,
            "aggregation": self.kpi.aggregation.value,
            "direction": self.kpi.direction.value,
            "fiscal_year": self.fy,
            "fiscal_year_label": wareki_fy(self.fy),
            "baseline": self.baseline,
            "target": self.target,
            "target_text": self.kpi.target_text,
            "target_fy": self.target_fy,
            "expected": self.expected,
            "actual": self.actual,
            "rate": self.rate,
            "expected_rate": self.expected_rate,
            "ratio": self.ratio,
            "grade": self.grade.code,
            "grade_label": self.grade.label,
            "note": self.note,
        }


# ------------------------------------------------------------------ helpers

def is_qualitative(kpi: Kpi) -> bool:
    return kpi.direction is Direction.ACHIEVE or kpi.is_qualitative


def baseline_fy(kpi: Kpi, plan_start_fy: int) -> int:
    """The FY the baseline describes: its as-of FY or date, else the FY before the plan starts."""
    b = kpi.baseline
    if b is not None and b.as_of_fy is not None:
        return b.as_of_fy
    if b is not None and b.as_of_date is not None:
        return fy_of_date(b.as_of_date)
    return plan_start_fy - 1


def _baseline_value(kpi: Kpi) -> float | None:
    return kpi.baseline.value if kpi.baseline is not None else None


def _effective_baseline(kpi: Kpi) -> float | None:
    """The baseline used for progress: 未把握 counts as 0 for an increasing KPI, unknown otherwise."""
    value = _baseline_value(kpi)
    if value is None and kpi.direction is Direction.UP:
        return 0.0
    return value


def _line(points: dict[int, float], fy: int) -> float | None:
    """Straight line through the known (FY, value) points; flat after the last one."""
    if fy in points:
        return points[fy]
    before = [p for p in points if p < fy]
    after = [p for p in points if p > fy]
    if not before:
        return None
    fy0 = max(before)
    if not after:
        return points[fy0]
    fy1 = min(after)
    v0, v1 = points[fy0], points[fy1]
    return v0 + (v1 - v0) * (fy - fy0) / (fy1 - fy0)


def expected_value(kpi: Kpi, fy: int, *, plan_start_fy: int, plan_end_fy: int | None = None,
                   annual_expected: AnnualExpected = "target") -> float | None:
    """期待値: the value the KPI should have reached by the end of fy (None when it cannot be said)."""
    if fy in kpi.interim:
        return kpi.interim[fy]
    if kpi.target_value is None:
        return None
    target_fy = kpi.target_fy if kpi.target_fy is not None else plan_end_fy
    if target_fy is None or fy >= target_fy:
        return kpi.target_value
    if kpi.aggregation is Aggregation.ANNUAL and annual_expected == "target":
        later = [fy1 for fy1 in kpi.interim if fy < fy1 < target_fy]
        return kpi.interim[min(later)] if later else kpi.target_value
    points = {fy0: v for fy0, v in kpi.interim.items() if fy0 < target_fy}
    points[target_fy] = kpi.target_value
    base = _effective_baseline(kpi)
    if base is not None:
        points.setdefault(min(baseline_fy(kpi, plan_start_fy), target_fy - 1), base)
    value = _line(points, fy)
    if value is None:
        # Before every known point (a 減少 KPI with an unknown baseline, or fy before the baseline):
        # the first known point is the nearest promise.
        value = points[min(points)]
    return value


def _compare(actual: float, expected: float, direction: Direction) -> float | None:
    """The actual against an expected value: 増加 actual/expected, 減少 (2·expected − actual)/expected."""
    if expected == 0:
        if direction is Direction.DOWN:
            return 1.0 if actual <= 0 else 0.0
        return None
    if direction is Direction.DOWN:
        return (2 * expected - actual) / expected
    return actual / expected


def _progress(actual: float, base: float, target: float, direction: Direction) -> float:
    return (base - actual) / (base - target) if direction is Direction.DOWN else (actual - base) / (target - base)


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# ------------------------------------------------------------------ one KPI

def kpi_progress(kpi: Kpi, fy: int, *, plan_start_fy: int, plan_end_fy: int | None = None,
                 scale: GradeScale = DEFAULT_SCALE, measure: Measure | None = None, kpi_index: int = 0,
                 annual_expected: AnnualExpected = "target") -> KpiProgress:
    """Expected value, achievement rate and grade of one KPI in one fiscal year."""
    target_fy = kpi.target_fy if kpi.target_fy is not None else plan_end_fy
    actual = kpi.actuals.get(fy)
    base_value = _baseline_value(kpi)
    has_base_fy = kpi.baseline is not None and (kpi.baseline.as_of_fy is not None or kpi.baseline.as_of_date is not None)
    common = {
        "measure_id": measure.id if measure else "", "measure_name": measure.name if measure else "",
        "owner": measure.owner if measure else "", "kpi_index": kpi_index, "kpi": kpi, "fy": fy,
        "baseline": base_value, "baseline_fy": baseline_fy(kpi, plan_start_fy) if has_base_fy else None,
        "target": kpi.target_value, "target_fy": target_fy, "actual": actual,
    }

    def result(grade: GradeLevel, note: str, expected: float | None = None, rate: float | None = None,
               expected_rate: float | None = None, ratio: float | None = None) -> KpiProgress:
        return KpiProgress(**common, expected=expected, rate=rate, expected_rate=expected_rate, ratio=ratio,
                           grade=grade, note=note)

    label = wareki_fy(fy)
    if kpi.target_value is None and not kpi.target_text:
        return result(scale.unrated, "目標（目標値または定性の目標）がないため評価できません。")

    if is_qualitative(kpi):
        if actual is None:
            return result(scale.unrated, f"{label}の達成・未達成（実績値 1 または 0）が入力されていないため評価できません。")
        achieved = actual >= ACHIEVED
        due = target_fy is None or fy >= target_fy
        expected_rate = 1.0 if due else None
        if achieved:
            grade = scale.on_track if due else scale.best
            note = "達成" + ("（目標年度より前に達成）" if not due else "")
        else:
            grade = scale.worst if due else scale.on_track
            note = "未達成（目標年度を過ぎています）" if due and target_fy is not None and fy > target_fy else (
                "未達成（目標年度に達成していません）" if due else "未達成（目標年度前）")
        return result(grade, note, expected=ACHIEVED if due else None, rate=1.0 if achieved else 0.0,
                      expected_rate=expected_rate)

    expected = expected_value(kpi, fy, plan_start_fy=plan_start_fy, plan_end_fy=plan_end_fy,
                              annual_expected=annual_expected)
    if actual is None:
        return result(scale.unrated, f"{label}の実績値がないため評価できません。", expected=expected)
    unit = kpi.unit
    target = kpi.target_value
    direction = kpi.direction

    if kpi.aggregation is Aggregation.ANNUAL:
        rate = _compare(actual, expected, direction)
        if rate is None:
            return result(scale.unrated, "目安の値が0のため達成率を計算できません。", expected=expected)
        return result(scale.grade(rate), f"実績 {_fmt(actual, unit)} ÷ 目安 {_fmt(expected, unit)}"
                      f"{'（減少を目指す指標）' if direction is Direction.DOWN else ''}",
                      expected=expected, rate=rate, expected_rate=1.0, ratio=rate)

    # 累計・時点: progress from the baseline toward the final target.
    base = _effective_baseline(kpi)
    if base is None or target == base:
        # No baseline for a decreasing KPI, or a target that keeps the current level: compare values.
        rate = _compare(actual, target, direction)
        ratio = _compare(actual, expected, direction)
        if ratio is None:
            return result(scale.unrated, "目標値が0のため達成率を計算できません。", expected=expected)
        why = "現状値が未把握のため、目安の値と比較" if base is None else "現状維持の目標のため、目安の値と比較"
        return result(scale.grade(ratio), why, expected=expected, rate=rate, expected_rate=1.0, ratio=ratio)
    rate = _progress(actual, base, target, direction)
    expected_rate = _progress(expected, base, target, direction)
    start = "0" if _baseline_value(kpi) is None else _fmt(base, unit)
    note = (f"{start}から目標 {_fmt(target, unit)} への進捗 {format_rate(rate)}"
            f"（{label}末の目安 {format_rate(expected_rate)}）")
    if _baseline_value(kpi) is None:
        note += "　※現状値が未把握のため0から計算"
    if abs(expected_rate) < 1e-12:
        # No progress expected yet: ahead, on track or behind by the sign of the progress.
        grade = scale.best if rate > 0 else scale.on_track if rate == 0 else scale.worst
        return result(grade, note, expected=expected, rate=rate, expected_rate=expected_rate)
    ratio = _progress(actual, base, expected, direction)  # = rate / expected_rate, without the rounding
    return result(scale.grade(ratio), note, expected=expected, rate=rate, expected_rate=expected_rate, ratio=ratio)


# ------------------------------------------------------------------ a plan

def plan_progress(plan: Plan, fy: int, *, scale: GradeScale = DEFAULT_SCALE,
                  annual_expected: AnnualExpected = "target") -> list[KpiProgress]:
    """One result per KPI of every measure, in plan order (D where the FY has no actual)."""
    return [
        kpi_progress(k, fy, plan_start_fy=plan.start_fy, plan_end_fy=plan.end_fy, scale=scale, measure=m,
                     kpi_index=i, annual_expected=annual_expected)
        for m in plan.measures for i, k in enumerate(m.kpis)
    ]


def grade_counts(results: Iterable[KpiProgress], scale: GradeScale = DEFAULT_SCALE) -> dict[str, int]:
    counts = {level.code: 0 for level in scale.all_levels}
    for r in results:
        counts[r.grade.code] = counts.get(r.grade.code, 0) + 1
    return counts


def actual_years(plan: Plan) -> list[int]:
    """Fiscal years for which any KPI has an actual, in order."""
    return sorted({fy for m in plan.measures for k in m.kpis for fy in k.actuals})


def latest_actual_fy(plan: Plan) -> int | None:
    years = actual_years(plan)
    return years[-1] if years else None
