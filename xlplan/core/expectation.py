"""目安: the value a KPI should have reached at the end of a fiscal year (FY).

1. The FY's own target (中間目標, typed in the domain sheet's 「年度ごとの目標」 column) when given.
2. From the target FY on: the target.
3. Otherwise, by the KPI's 目安の考え方 (Kpi.expectation):
   * 線で結ぶ (path): the straight line through the known points, linear in MONTHS of
     the plan period: the baseline at the plan's start (start_fy and start_month),
     each earlier FY target at the end of its FY, the target at the end of the
     target FY. A plan that starts in January has a first FY of 3 months, so its
     first 目安 is 3/n of the way. Before the first known point (no baseline):
     the next promise (next FY target, else the target).
   * 毎年度目標値 (target): the next promise — the next FY target, else the target.
   * 自動 (auto): 時点 and 累計 follow the path; 年度値 follows the path when the
     baseline is known and is the target itself every year when it is not.
   A 累計 KPI whose baseline is 未把握 starts from 0 (a running total of the plan).
4. The value is rounded (half up) to the precision of the KPI's own values
   (baseline, target, FY targets): 52 → 170 gives whole numbers, 38.5 one decimal.

Qualitative KPIs use the same rules on the status ladder (xlplan.core.statuses):
the baseline is 未着手 (0%), the target 達成 (100%), a FY target its status' share;
目安 is a whole percentage.
"""

from __future__ import annotations

from functools import lru_cache

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xlplan.core.fiscal import months_until_fy_end, wareki_fy
from xlplan.core.model import Kpi, Plan
from xlplan.core.statuses import status_or_none
from xlplan.core.vocab import Aggregation, Expectation

MAX_DECIMALS = 3


@dataclass(frozen=True)
class Period:
    """What the 目安 needs to know about the plan: its first FY, start month and last FY."""

    start_fy: int
    start_month: int
    end_fy: int

    @classmethod
    def of(cls, plan: Plan) -> Period:
        return cls(plan.start_fy, plan.start_month, plan.end_fy)

    def months(self, fy: int) -> int:
        """Months from the plan's start to the end of fy."""
        return months_until_fy_end(fy, self.start_fy, self.start_month)


@dataclass(frozen=True)
class Expected:
    value: float | None   # rounded; for a qualitative KPI the share in % (0–100)
    how: str              # why this value, in Japanese (shown in 評価の根拠)


@lru_cache(maxsize=4096)   # the same few values recur in every year of every KPI
def decimals(value: float) -> int:
    """Digits after the point in the shortest way of writing the value (38.5 → 1, 170 → 0), at most 3."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        exponent = Decimal(text).normalize().as_tuple().exponent
        return min(MAX_DECIMALS, max(0, -exponent)) if isinstance(exponent, int) else 0
    fraction = text.partition(".")[2].rstrip("0")
    return min(MAX_DECIMALS, len(fraction))


def kpi_decimals(kpi: Kpi) -> int:
    """The precision the KPI's own values are written in."""
    values = [v for v in (kpi.target_value, kpi.baseline.value if kpi.baseline else None, *kpi.interim.values())
              if v is not None]
    return max((decimals(v) for v in values), default=0)


def round_half_up(value: float, places: int) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def baseline_for_path(kpi: Kpi) -> float | None:
    """The baseline the path starts from: the value, 0 for a 累計 KPI whose baseline is unknown, else None."""
    value = kpi.baseline.value if kpi.baseline is not None else None
    if value is None and kpi.aggregation is Aggregation.CUMULATIVE and not kpi.qualitative:
        return 0.0
    return value


def target_fy_of(kpi: Kpi, period: Period) -> int:
    return kpi.target_fy if kpi.target_fy is not None else period.end_fy


def _mode(kpi: Kpi, base: float | None) -> Expectation:
    if kpi.expectation is not Expectation.AUTO:
        return kpi.expectation
    if kpi.aggregation is Aggregation.ANNUAL and base is None:
        return Expectation.TARGET
    return Expectation.PATH


def _points(kpi: Kpi, target_fy: int) -> tuple[dict[int, float], float | None, float | None]:
    """(FY targets before the target FY, the target, the baseline) on the KPI's own scale."""
    if kpi.qualitative:
        interim = {fy: float(s.score) for fy, text in kpi.interim_statuses.items()
                   if fy < target_fy and (s := status_or_none(text)) is not None}
        return interim, 100.0, 0.0
    interim = {fy: v for fy, v in kpi.interim.items() if fy < target_fy}
    return interim, kpi.target_value, baseline_for_path(kpi)


def own_target(kpi: Kpi, fy: int, period: Period) -> float | str | None:
    """The target written for this FY (a number, or a status word for a qualitative KPI): the FY target, or
    the target in the target FY."""
    if kpi.qualitative:
        if fy in kpi.interim_statuses:
            return kpi.interim_statuses[fy]
        return (kpi.target_text or "達成") if fy == target_fy_of(kpi, period) else None
    if fy in kpi.interim:
        return kpi.interim[fy]
    return kpi.target_value if fy == target_fy_of(kpi, period) else None


def expected_value(kpi: Kpi, fy: int, period: Period) -> Expected:
    """The 目安 of one KPI for one FY, rounded to the KPI's precision, with how it came about."""
    qualitative = kpi.qualitative
    places = 0 if qualitative else kpi_decimals(kpi)
    target_fy = target_fy_of(kpi, period)
    interim, target, base = _points(kpi, target_fy)
    if qualitative and fy in kpi.interim_statuses and (s := status_or_none(kpi.interim_statuses[fy])) is not None:
        return Expected(float(s.score), f"{wareki_fy(fy)}の目標（{s.value}）")
    if not qualitative and fy in kpi.interim:
        return Expected(kpi.interim[fy], f"{wareki_fy(fy)}の目標")
    if target is None:
        return Expected(None, "目標値がありません")
    if fy < period.start_fy:
        return Expected(None, "計画期間の前の年度です")
    if fy >= target_fy:
        return Expected(target, f"目標値（{wareki_fy(target_fy)}）")
    mode = _mode(kpi, base)
    later = sorted(f for f in interim if f > fy)
    promise = (interim[later[0]], f"次の目標（{wareki_fy(later[0])}）") if later else (target, f"目標値（{wareki_fy(target_fy)}）")
    if mode is Expectation.TARGET:
        return Expected(round_half_up(promise[0], places), promise[1] + "を毎年度の目安")
    # The path, in months since the plan's start.
    points = {period.months(f): v for f, v in interim.items() if f >= period.start_fy}
    points[period.months(target_fy)] = target
    if base is not None:
        points[0] = base
    t = period.months(fy)
    before = [m for m in points if m <= t]
    if not before:
        return Expected(round_half_up(promise[0], places), promise[1] + "（現状値が未把握のため）")
    m0 = max(before)
    m1 = min(m for m in points if m > t)
    value = points[m0] + (points[m1] - points[m0]) * (t - m0) / (m1 - m0)
    start = "現状値" if m0 == 0 else "前の目標"
    end = "次の目標" if m1 != period.months(target_fy) else "目標値"
    return Expected(round_half_up(value, places),
                    f"{start}から{end}への線上（計画開始から{t}か月、{end}まで{m1 - t}か月）")
