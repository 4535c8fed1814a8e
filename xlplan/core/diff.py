"""Two versions of a plan, compared: what a 新旧対照表 and `xlplan diff` report.

Measures are matched by 施策ID; a measure whose ID changed but whose name did
not is matched by name (within its domain) and reported as a change of ID.
KPIs of a matched measure are matched by 指標名, then by position. Every field
is compared through xlplan.core.fields, so the report is field by field:
measure fields, KPI fields (target, interim targets per year, actuals …) and
each fiscal year of the schedule. Plan-level text (基本情報) is compared too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xlplan.core import fields as F
from xlplan.core.fiscal import period_label, wareki_fy
from xlplan.core.model import Kpi, Measure, Plan

Status = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    key: str        # a xlplan.core.fields key, or "plan.*" for 基本情報
    label: str
    old: str        # as text; "" when the field was empty
    new: str


@dataclass(frozen=True)
class KpiDiff:
    status: Status
    old: Kpi | None
    new: Kpi | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def name(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]


@dataclass(frozen=True)
class MeasureDiff:
    status: Status
    old: Measure | None
    new: Measure | None
    changes: tuple[FieldChange, ...] = ()     # the measure's own fields (schedule years included)
    kpis: tuple[KpiDiff, ...] = ()

    @property
    def id(self) -> str:
        return (self.new or self.old).id  # type: ignore[union-attr]

    @property
    def name(self) -> str:
        return (self.new or self.old).name  # type: ignore[union-attr]

    @property
    def target_changes(self) -> list[tuple[str, FieldChange]]:
        """(KPI name, change) of KPI targets: 目標値, 目標（定性）, 目標年度 and the years' targets."""
        return [(k.name, c) for k in self.kpis for c in k.changes
                if F.split_key(c.key)[0] in ("kpi.target_value", "kpi.target_text", "kpi.target_fy", "kpi.interim")]

    @property
    def schedule_changes(self) -> list[FieldChange]:
        return [c for c in self.changes if F.split_key(c.key)[0] in ("fy", "measure.milestones")]


@dataclass(frozen=True)
class PlanDiff:
    plan: tuple[FieldChange, ...] = ()
    measures: tuple[MeasureDiff, ...] = ()
    old_title: str = ""
    new_title: str = ""

    @property
    def empty(self) -> bool:
        return not self.plan and not self.measures

    def of(self, status: Status) -> list[MeasureDiff]:
        return [m for m in self.measures if m.status == status]


# ------------------------------------------------------------------ comparing

def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    return PlanDiff(
        plan=tuple(_changes(plan_texts(old), plan_texts(new))),
        measures=tuple(_measure_diffs(old.measures, new.measures)),
        old_title=old.title or old.municipality, new_title=new.title or new.municipality)


def _measure_diffs(old: list[Measure], new: list[Measure]) -> list[MeasureDiff]:
    old_by_id = {m.id: m for m in old}
    new_ids = {m.id for m in new}
    unmatched_old = {m.id: m for m in old if m.id not in new_ids}
    pairs: dict[str, Measure] = {}   # new id -> old measure
    for m in new:
        if m.id in old_by_id:
            pairs[m.id] = old_by_id[m.id]
        else:  # renumbered: the same name in the same domain
            twin = next((o for o in unmatched_old.values() if o.name and o.name == m.name and o.domain == m.domain), None)
            if twin is not None:
                pairs[m.id] = unmatched_old.pop(twin.id)
    result: list[MeasureDiff] = []
    for m in new:
        before = pairs.get(m.id)
        if before is None:
            result.append(MeasureDiff("added", None, m))
            continue
        changes = _measure_changes(before, m)
        kpis = tuple(_kpi_diffs(before.kpis, m.kpis))
        if changes or kpis:
            result.append(MeasureDiff("changed", before, m, tuple(changes), kpis))
    result += [MeasureDiff("removed", m, None) for m in old if m.id in unmatched_old]
    return result


def _measure_changes(old: Measure, new: Measure) -> list[FieldChange]:
    changes = _changes(measure_texts(old), measure_texts(new))
    if old.id != new.id:
        changes.insert(0, FieldChange("measure.id", "施策ID", old.id, new.id))
    return changes


def measure_texts(m: Measure) -> dict[str, tuple[str, str]]:
    return {key: (F.label(key), F.text(key, value)) for key, value in F.measure_values(m).items()}


def kpi_texts(k: Kpi) -> dict[str, tuple[str, str]]:
    return {key: (F.label(key), F.text(key, value, k.unit)) for key, value in F.kpi_values(k).items()}


def match_kpis(old: list[Kpi], new: list[Kpi]) -> list[tuple[int | None, int | None]]:
    """(old index, new index) pairs: by name first, then by position; unmatched ones pair with None."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for j, k in enumerate(new):
        i = next((i for i, o in enumerate(old) if i not in taken and o.name == k.name), None)
        if i is not None:
            pairs[j] = i
            taken.add(i)
    for j in range(len(new)):
        if j not in pairs and j < len(old) and j not in taken:
            pairs[j] = j
            taken.add(j)
    result: list[tuple[int | None, int | None]] = [(pairs.get(j), j) for j in range(len(new))]
    result += [(i, None) for i in range(len(old)) if i not in taken]
    return result


def _kpi_diffs(old: list[Kpi], new: list[Kpi]) -> list[KpiDiff]:
    result = []
    for i, j in match_kpis(old, new):
        if i is None:
            result.append(KpiDiff("added", None, new[j]))  # type: ignore[index]
        elif j is None:
            result.append(KpiDiff("removed", old[i], None))
        elif changes := _changes(kpi_texts(old[i]), kpi_texts(new[j])):
            result.append(KpiDiff("changed", old[i], new[j], tuple(changes)))
    return result


def _changes(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[FieldChange]:
    keys = sorted(set(old) | set(new), key=_order)
    changes = []
    for key in keys:
        label, before = old.get(key, ("", ""))
        label2, after = new.get(key, ("", ""))
        if before != after:
            changes.append(FieldChange(key, label2 or label, before, after))
    return changes


def _order(key: str):
    return (0, PLAN_KEYS.index(key), "") if key in PLAN_KEYS else (1, *F.order(key))


# ------------------------------------------------------------------ 基本情報

PLAN_KEYS = ("plan.municipality", "plan.title", "plan.period", "plan.review", "plan.roles", "plan.related",
             "plan.situation", "plan.purpose", "plan.structure", "plan.domains", "plan.skips", "plan.contact")


def plan_texts(plan: Plan) -> dict[str, tuple[str, str]]:
    related = "\n".join(f"{r.name}（{wareki_fy(r.start_fy)}〜{wareki_fy(r.end_fy)}）{'　' + r.relation if r.relation else ''}"
                        for r in plan.related_plans)
    contact = "　".join(x for x in (plan.contact.department, plan.contact.phone, plan.contact.email) if x)
    values = {
        "plan.municipality": ("団体名", plan.municipality),
        "plan.title": ("計画名", plan.title),
        "plan.period": ("計画期間", period_label(plan.start_fy, plan.years, plan.start_month)),
        "plan.review": ("見直し時期", plan.review),
        "plan.roles": ("位置付け", "\n".join(plan.roles)),
        "plan.related": ("関連する計画", related),
        "plan.situation": ("現状及び課題", plan.situation),
        "plan.purpose": ("計画の目的", plan.purpose),
        "plan.structure": ("推進体制", plan.structure),
        "plan.domains": ("分野", "、".join(plan.domains)),
        "plan.skips": ("取り組まない柱・分野と理由", "\n".join(f"{s.target}: {s.reason}" for s in plan.skips)),
        "plan.contact": ("問い合わせ先", contact),
    }
    return values


# ------------------------------------------------------------------ summary

@dataclass
class Summary:
    added: int = 0
    removed: int = 0
    changed: int = 0
    targets: int = 0
    schedules: int = 0
    plan_fields: int = 0
    lines: list[str] = field(default_factory=list)


def summarize(diff: PlanDiff) -> Summary:
    """Counts and one Japanese line per change, for the CLI."""
    s = Summary(plan_fields=len(diff.plan))
    for c in diff.plan:
        s.lines.append(f"基本情報 {c.label}: 変更")
    for m in diff.measures:
        if m.status == "added":
            s.added += 1
            s.lines.append(f"追加 {m.id} {m.name}（{m.new.domain}、担当 {m.new.owner or '未定'}）")  # type: ignore[union-attr]
            continue
        if m.status == "removed":
            s.removed += 1
            s.lines.append(f"削除 {m.id} {m.name}")
            continue
        s.changed += 1
        s.targets += len(m.target_changes)
        s.schedules += len(m.schedule_changes)
        for c in m.changes:
            s.lines.append(f"変更 {m.id} {c.label}: {_short(c.old)} → {_short(c.new)}")
        for k in m.kpis:
            if k.status != "changed":
                s.lines.append(f"変更 {m.id} KPI「{k.name}」を{'追加' if k.status == 'added' else '削除'}")
            for c in k.changes:
                s.lines.append(f"変更 {m.id} KPI「{k.name}」{c.label}: {_short(c.old)} → {_short(c.new)}")
    return s


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ／ ")
    if not text:
        return "（なし）"
    return text if len(text) <= limit else text[: limit - 1] + "…"
