"""A plan's new shape (period, start) and what the change would drop: pure, no workbook.

The shell (xlplan/reshape.py) turns a ReshapePlan into column operations on the domain sheets
and the 工程表, and writes the dropped values to 「削除した内容」 so nothing goes silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlplan.core.fiscal import wareki_fy
from xlplan.core.model import Plan


@dataclass(frozen=True)
class YearChange:
    """How a contiguous block of year columns changes: years removed, years added before and after the kept ones."""

    old: tuple[int, ...]
    new: tuple[int, ...]

    @property
    def removed(self) -> tuple[int, ...]:
        return tuple(fy for fy in self.old if fy not in self.new)

    @property
    def added_before(self) -> tuple[int, ...]:
        first = self.old[0] if self.old else None
        return tuple(fy for fy in self.new if first is not None and fy < first)

    @property
    def added_after(self) -> tuple[int, ...]:
        last = self.old[-1] if self.old else None
        return tuple(fy for fy in self.new if last is None or fy > last)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class Dropped:
    """One value that leaves the workbook: where it was and what it said."""

    sheet: str
    measure_id: str
    kpi: str
    what: str
    fy: int | None      # None: a value of no particular year (概算事業費, 財源, a removed domain's 施策名 …)
    value: str

    def line(self) -> str:
        kpi = f"「{self.kpi}」の" if self.kpi else ""
        year = f"（{wareki_fy(self.fy)}）" if self.fy is not None else ""
        return f"{self.sheet} 施策ID {self.measure_id} {kpi}{self.what}{year}: {self.value}"

    def as_dict(self) -> dict:
        return {"シート": self.sheet, "施策ID": self.measure_id, "指標名": self.kpi, "項目": self.what,
                "年度": self.fy, "値": self.value}


def new_years(start_fy: int, years: int) -> tuple[int, ...]:
    return tuple(range(start_fy, start_fy + years))


def year_change(old: Sequence[int], start_fy: int, years: int) -> YearChange:
    return YearChange(tuple(old), new_years(start_fy, years))


def value_text(value) -> str:
    if isinstance(value, tuple):
        return "→".join(getattr(v, "value", str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return getattr(value, "value", None) or str(value)


def dropped_values(plan: Plan, removed: Sequence[int]) -> list[Dropped]:
    """Every value the plan holds for a removed year: 工程, 年度ごとの目標, and 進捗管理's typed input."""
    gone = set(removed)
    found: list[Dropped] = []
    for m in plan.measures:
        for fy, phases in sorted(m.schedule.items()):
            if fy in gone and phases:
                found.append(Dropped(m.domain, m.id, "", "工程", fy, value_text(phases)))
        for k in m.kpis:
            fields = (("年度ごとの目標", k.interim), ("年度ごとの目標", k.interim_statuses), ("実績値", k.actuals),
                      ("実績値", k.statuses), ("実績の説明", k.comments), ("今後の取組", k.next_steps))
            for what, values in fields:
                for fy, value in sorted(values.items()):
                    if fy in gone and value not in (None, ""):
                        sheet = m.domain if what == "年度ごとの目標" else "進捗管理"
                        found.append(Dropped(sheet, m.id, k.name, what, fy, value_text(value)))
            for fy, override in sorted(k.overrides.items()):
                if fy in gone:
                    found.append(Dropped("進捗管理", m.id, k.name, "評価（手動）", fy,
                                         f"{override.grade} {override.reason}".strip()))
    return found
