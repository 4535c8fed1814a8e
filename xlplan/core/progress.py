"""進捗管理: each KPI's 目安, achievement ratio and grade in one fiscal year (FY).

One formula gives the achievement ratio (達成率) shown everywhere:

    達成率 = (実績 − 現状値) ÷ (目安 − 現状値)

It reads the same for 増加 and 減少 KPIs (both differences change sign), 100% means
"where the plan expected to be at the end of this FY" (目安, see
xlplan.core.expectation), and the grade is the scale's band of exactly the ratio
shown (rounded half up to 0.1%). Edge cases:

* 現状値が未把握: a 累計 KPI starts from 0; otherwise the ratio compares levels —
  増加 実績 ÷ 目安, 減少 目安 ÷ 実績.
* 目安 = 現状値 (a target that keeps the current level, or no change expected by
  this FY): the same comparison of levels.
* a zero divisor in that comparison (増加 with 目安 0, 減少 with 実績 0): 100% when
  the actual is at least as good as the 目安, else 0%.
* qualitative KPIs: 実績 is the status' share (未着手 0% … 達成 100%), 現状値 0%.

Grades are 評価できない, never guessed, when: an input cell the KPI depends on
cannot be read (「評価できない（入力エラー: 電子行政!H12）」), the scale cannot grade,
there is no target, no actual (or status) for the FY, or a manual grade lacks its
reason. A manual grade (評価（手動） with 評価理由) replaces the computed one and is
marked as manual. 完了 and 未着手 levels (あきる野's F and X) apply where the scale
has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlplan.core.expectation import (
    Expected,
    Period,
    baseline_for_path,
    expected_value,
    kpi_decimals,
    own_target,
    round_half_up,
    target_fy_of,
)
from xlplan.core.fiscal import wareki_fy
from xlplan.core.grading import DEFAULT_SCALE, GradeLevel, GradeScale, GradeScaleError, scale_for
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.statuses import Status, parse_status
from xlplan.core.vocab import Direction

RATE_PLACES = 3   # 達成率 as a fraction rounded to 0.1%

# (measure id, 0-based KPI index) -> FY (None: every FY) -> cells with an input error the KPI depends on
InputErrors = Mapping[tuple[str, int], Mapping[int | None, Sequence[str]]]
FORMULA_TEXT = "達成率 ＝（実績 − 現状値）÷（目安 − 現状値）"


@dataclass(frozen=True)
class KpiProgress:
    measure: Measure
    kpi_index: int               # 0-based position in the measure's KPIs
    kpi: Kpi
    fy: int
    year_target: float | str | None   # the target written for this FY (FY target, or the target in the target FY)
    expected: float | None       # 目安 (qualitative: share in %)
    expected_how: str
    actual: float | None         # the actual (qualitative: the status' share in %)
    status: Status | None        # qualitative KPIs
    rate: float | None           # 達成率 as shown (1.0 = 100%, rounded to 0.1%)
    grade: GradeLevel
    note: str                    # 評価の根拠: the formula with its numbers, or why there is no grade
    manual: bool = False         # graded by hand (評価（手動）)
    auto_grade: GradeLevel | None = None   # the computed grade a manual one replaced
    blocked: tuple[str, ...] = ()          # cells whose input errors kept the KPI from a grade

    @property
    def measure_id(self) -> str:
        return self.measure.id

    @property
    def qualitative(self) -> bool:
        return self.kpi.qualitative

    @property
    def comment(self) -> str:
        return self.kpi.comments.get(self.fy, "")

    @property
    def next_steps(self) -> str:
        return self.kpi.next_steps.get(self.fy, "")

    @property
    def reason(self) -> str:
        o = self.kpi.overrides.get(self.fy)
        return o.reason if o is not None and self.manual else ""

    @property
    def grade_text(self) -> str:
        """A, or 「A（手動）」 for a manual grade."""
        return f"{self.grade.code}（手動）" if self.manual else self.grade.code

    def value_text(self, value: float | None) -> str:
        if value is None:
            return ""
        if self.qualitative:
            return f"{value:g}%"
        return format_value(value, self.kpi.unit, kpi_decimals(self.kpi))

    @property
    def actual_text(self) -> str:
        if self.status is not None:
            return self.status.value
        if self.qualitative:
            return self.kpi.statuses.get(self.fy, "")
        return self.value_text(self.actual)

    @property
    def expected_text(self) -> str:
        return self.value_text(self.expected)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly shape used by `xlplan progress --format json` and the open data."""
        k = self.kpi
        return {
            "measure_id": self.measure.id, "measure_name": self.measure.name, "owner": self.measure.owner,
            "kpi_no": self.kpi_index + 1, "kpi_name": k.name, "unit": k.unit,
            "aggregation": k.aggregation.value, "direction": k.direction.value, "qualitative": self.qualitative,
            "fiscal_year": self.fy, "fiscal_year_label": wareki_fy(self.fy),
            "baseline": k.baseline.value if k.baseline else None, "target": k.target_value,
            "target_text": k.target_text, "target_fy": k.target_fy,
            "year_target": self.year_target, "expected": self.expected, "actual": self.actual,
            "status": self.status.value if self.status else None, "rate": self.rate,
            "grade": self.grade.code, "grade_label": self.grade.label, "manual": self.manual,
            "reason": self.reason, "note": self.note, "comment": self.comment, "next_steps": self.next_steps,
        }


# ------------------------------------------------------------------ formatting

def format_value(value: float | None, unit: str = "", places: int | None = None) -> str:
    if value is None:
        return "—"
    if places is None:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{places}f}"
    return f"{text}{unit}"


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _round_rate(value: float) -> float:
    return round_half_up(value, RATE_PLACES)


# ------------------------------------------------------------------ the formula

def achievement(actual: float, baseline: float | None, expected: float, direction: Direction) -> tuple[float, str]:
    """(達成率 unrounded, the rule used): the one formula, or its documented edge cases."""
    if baseline is not None and expected != baseline:
        return (actual - baseline) / (expected - baseline), "formula"
    down = direction is Direction.DOWN
    numerator, divisor = (expected, actual) if down else (actual, expected)
    if divisor == 0:
        good = actual <= expected if down else actual >= expected
        return (1.0 if good else 0.0), "zero"
    return numerator / divisor, "levels"


def _formula_note(rule: str, actual: str, base: str, expected: str, rate: float, down: bool) -> str:
    shown = format_rate(rate)
    if rule == "formula":
        return f"（実績 {actual} − 現状値 {base}）÷（目安 {expected} − 現状値 {base}）＝ {shown}"
    if rule == "levels":
        text = f"目安 {expected} ÷ 実績 {actual}" if down else f"実績 {actual} ÷ 目安 {expected}"
        why = "現状値が未把握" if base == "未把握" else "目安が現状値と同じ"
        return f"{text} ＝ {shown}（{why}のため、値どうしを比較）"
    return f"{shown}（{'実績' if down else '目安'}が0のため、実績が目安以上に{'少ない' if down else '多い'}かで判定）"


# ------------------------------------------------------------------ one KPI

def kpi_progress(kpi: Kpi, fy: int, period: Period, *, scale: GradeScale = DEFAULT_SCALE,
                 measure: Measure | None = None, kpi_index: int = 0,
                 errors: Sequence[str] = (), scale_error: str | None = None) -> KpiProgress:
    """目安, 達成率 and grade of one KPI in one FY. `errors` are the cells with an input error it depends on."""
    measure = measure or Measure(id="", domain="その他")
    expected = expected_value(kpi, fy, period)

    def result(grade: GradeLevel, note: str, *, actual: float | None = None, status: Status | None = None,
               rate: float | None = None, **extra: Any) -> KpiProgress:
        return KpiProgress(measure=measure, kpi_index=kpi_index, kpi=kpi, fy=fy,
                           year_target=own_target(kpi, fy, period), expected=expected.value,
                           expected_how=expected.how, actual=actual, status=status, rate=rate, grade=grade,
                           note=note, **extra)

    unrated = scale.unrated
    if errors:
        return result(unrated, f"評価できない（入力エラー: {'、'.join(errors)}）", blocked=tuple(errors))
    if scale_error is not None:
        return result(unrated, f"評価できない（評価の尺度: {scale_error}）")
    auto = _computed(kpi, fy, expected, scale, result)
    override = kpi.overrides.get(fy)
    if override is None:
        return auto
    if not override.reason.strip():
        return result(unrated, f"評価できない（評価（手動）「{override.grade}」に評価理由がありません。評価理由を入力してください）",
                      actual=auto.actual, status=auto.status, rate=auto.rate)
    level = scale.find(override.grade)
    if level is None:
        return result(unrated, f"評価できない（評価（手動）「{override.grade}」は評価の尺度（{scale.name}）にありません）",
                      actual=auto.actual, status=auto.status, rate=auto.rate)
    return result(level, f"手動で評価: {override.reason.strip()}（計算による評価は {auto.grade.code}。{auto.note}）",
                  actual=auto.actual, status=auto.status, rate=auto.rate, manual=True, auto_grade=auto.grade)


def _computed(kpi: Kpi, fy: int, expected: Expected, scale: GradeScale, result) -> KpiProgress:
    label = wareki_fy(fy)
    unrated = scale.unrated
    if kpi.target_value is None and not kpi.target_text and not kpi.qualitative:
        return result(unrated, "評価できない（目標値も目標（定性）もありません）")
    if kpi.qualitative:
        typed = kpi.statuses.get(fy)
        if typed is None:
            return result(unrated, f"評価できない（{label}の状況が入力されていません）")
        try:
            status = parse_status(typed)
        except ValueError as exc:
            return result(unrated, f"評価できない（{exc}）")
        actual = float(status.score)
        if status.complete and scale.done is not None:
            return result(scale.done, f"{status.value}（最終の目標に到達）", actual=actual, status=status)
        if status is Status.NOT_STARTED and scale.not_started is not None:
            return result(scale.not_started, "未着手", actual=actual, status=status)
        assert expected.value is not None
        raw, rule = achievement(actual, 0.0, expected.value, Direction.UP)
        rate = _round_rate(raw)
        note = _formula_note(rule, f"{status.value} {actual:g}%", "未着手 0%", f"{expected.value:g}%", rate, False)
        return result(scale.grade(rate * 100), f"{note}　目安: {expected.how}", actual=actual, status=status, rate=rate)
    actual = kpi.actuals.get(fy)
    if actual is None:
        return result(unrated, f"評価できない（{label}の実績値が入力されていません）")
    if expected.value is None:
        return result(unrated, f"評価できない（{expected.how}）", actual=actual)
    places = kpi_decimals(kpi)
    base = baseline_for_path(kpi)
    down = kpi.direction is Direction.DOWN
    target = kpi.target_value
    if scale.done is not None and target is not None and (actual <= target if down else actual >= target):
        return result(scale.done, f"実績 {format_value(actual, kpi.unit)} が目標値 {format_value(target, kpi.unit)} に到達",
                      actual=actual)
    raw, rule = achievement(actual, base, expected.value, kpi.direction)
    rate = _round_rate(raw)
    unit = kpi.unit
    note = _formula_note(rule, format_value(actual, unit, _places(actual, places)),
                         format_value(base, unit, _places(base, places)) if base is not None else "未把握",
                         format_value(expected.value, unit, places), rate, down)
    return result(scale.grade(rate * 100), f"{note}　目安: {expected.how}", actual=actual, rate=rate)


def _places(value: float | None, places: int) -> int:
    """Show a typed value with at least the KPI's precision, more when it was typed with more."""
    if value is None:
        return places
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


# ------------------------------------------------------------------ a plan

def plan_progress(plan: Plan, fy: int, *, scale: GradeScale | None = None,
                  errors: InputErrors | None = None) -> list[KpiProgress]:
    """One result per KPI of every measure, in plan order. The scale is 基本情報's unless given;
    a scale that cannot grade leaves every KPI 評価できない with the reason."""
    scale_error = None
    if scale is None:
        try:
            scale = scale_for(plan)
        except GradeScaleError as exc:
            scale, scale_error = DEFAULT_SCALE, str(exc)
    period = Period.of(plan)
    errors = errors or {}
    results = []
    for m in plan.measures:
        for i, k in enumerate(m.kpis):
            cells = errors.get((m.id, i), {})
            blocked = [*cells.get(None, ()), *cells.get(fy, ())]
            results.append(kpi_progress(k, fy, period, scale=scale, measure=m, kpi_index=i,
                                        errors=blocked, scale_error=scale_error))
    return results


def plan_scale(plan: Plan) -> GradeScale:
    """基本情報's scale, or the default when it cannot grade (plan_progress then says why)."""
    try:
        return scale_for(plan)
    except GradeScaleError:
        return DEFAULT_SCALE


def grade_counts(results: Iterable[KpiProgress], scale: GradeScale = DEFAULT_SCALE) -> dict[str, int]:
    counts = {level.code: 0 for level in scale.levels}
    for r in results:
        counts[r.grade.code] = counts.get(r.grade.code, 0) + 1
    return counts


def actual_years(plan: Plan) -> list[int]:
    """Fiscal years for which any KPI has an actual or a status, in order."""
    return sorted({fy for m in plan.measures for k in m.kpis for fy in (*k.actuals, *k.statuses)})


def latest_actual_fy(plan: Plan) -> int | None:
    years = actual_years(plan)
    return years[-1] if years else None


def target_fy(kpi: Kpi, plan: Plan) -> int:
    return target_fy_of(kpi, Period.of(plan))
