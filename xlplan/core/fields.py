"""A measure's and a KPI's fields as flat, comparable values, keyed like the workbook's columns.

diff (two versions of a plan), merge (a department's answer into the master) and
the survey forms all compare and set fields one by one; this module is the one
place that knows how to take a field out of the model, put it back, label it in
Japanese and show it as text. Keys follow the layout's column keys
("measure.name", "kpi.target_value", "fy:2027" for a year's phase), with
per-year entries of the KPI maps as "kpi.interim:2029", "kpi.actuals:2027" ….

Values are plain and hashable (str, float, int, tuples, None), so equal means
unchanged. An empty value (None, "", ()) means the field is not set.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from xlplan.core.fiscal import short_wareki_fy, wareki_fy
from xlplan.core.model import Baseline, GradeOverride, Kpi, Measure, Milestone
from xlplan.core.vocab import UNKNOWN_BASELINE, Phase, parse_phase

Values = dict[str, Any]

MEASURE_LABELS: dict[str, str] = {
    "measure.name": "施策名",
    "measure.domain": "分野",
    "measure.pillar": "柱",
    "measure.origin": "区分",
    "measure.catalog_id": "カタログID",
    "measure.content": "内容",
    "measure.owner": "担当課",
    "measure.programs": "関連する国・県の施策・補助",
    "fy": "工程",
    "measure.milestones": "マイルストーン",
    "measure.notes": "備考",
    "measure.cost": "概算事業費（千円）",
    "measure.funding": "財源",
    "measure.extra": "自由記入の列",
}
KPI_LABELS: dict[str, str] = {
    "kpi.name": "指標名",
    "kpi.kind": "種別",
    "kpi.unit": "単位",
    "kpi.aggregation": "集計",
    "kpi.direction": "方向",
    "kpi.baseline_value": "現状値",
    "kpi.baseline_as_of": "現状値の時点",
    "kpi.target_value": "目標値",
    "kpi.target_text": "目標（定性）",
    "kpi.target_fy": "目標年度",
    "kpi.interim": "年度別の目標",
    "kpi.expectation": "目安の考え方",
    "kpi.actuals": "実績値",
    "kpi.statuses": "状況",
    "kpi.comments": "実績の説明",
    "kpi.next_steps": "今後の取組",
    "kpi.overrides": "評価（手動）",
}
# The KPI maps keyed by fiscal year; each year is a field of its own.
KPI_YEAR_MAPS = ("interim", "actuals", "statuses", "comments", "next_steps", "overrides")
# What a year's actual report is made of (the 実績照会 asks for these).
ACTUAL_MAPS = ("actuals", "statuses", "comments", "next_steps")
_ORDER = {key: i for i, key in enumerate([*MEASURE_LABELS, *KPI_LABELS])}


# ------------------------------------------------------------------ schedules

def phases_of(value: object) -> tuple[Phase, ...]:
    """A schedule entry as a tuple of phases: one Phase today, a tuple once a year may hold
    「検討→準備」. Every comparison of schedules goes through here."""
    if value is None:
        return ()
    if isinstance(value, Phase):
        return (value,)
    if isinstance(value, str):
        return tuple(parse_phase(part) for part in value.split("→") if part.strip())
    return tuple(value)  # type: ignore[arg-type]


def phases_text(phases: tuple[Phase, ...]) -> str:
    return "→".join(p.value for p in phases)


@lru_cache(maxsize=1)
def years_hold_several_phases() -> bool:
    """Whether this model's Measure.schedule takes 「検討→準備」 (two phases in one year) yet."""
    try:
        Measure(id="x", domain="x", schedule={2027: (Phase.STUDY, Phase.PREPARE)})
    except ValueError:
        return False
    return True


def schedule_values(measure: Measure) -> dict[int, tuple[Phase, ...]]:
    return {fy: phases_of(v) for fy, v in sorted(measure.schedule.items()) if phases_of(v)}


def _schedule_entry(phases: tuple[Phase, ...]) -> object:
    """What Measure.schedule holds for a year: the single phase (the model takes a tuple once it may)."""
    return phases[0] if len(phases) == 1 else phases


# ------------------------------------------------------------------ keys

def year_key(base: str, fy: int) -> str:
    return f"{base}:{fy}"


def split_key(key: str) -> tuple[str, int | None]:
    """("kpi.interim", 2029) for "kpi.interim:2029", ("fy", 2027) for "fy:2027", (key, None) otherwise."""
    base, _, year = key.partition(":")
    return (base, int(year)) if year.isdigit() else (key, None)


def label(key: str) -> str:
    base, fy = split_key(key)
    if base == "measure.extra":
        return key.partition(":")[2]
    text = MEASURE_LABELS.get(base) or KPI_LABELS.get(base) or key
    return f"{text}（{wareki_fy(fy)}）" if fy is not None else text


def order(key: str) -> tuple[int, int, str]:
    base, fy = split_key(key)
    if base == "measure.extra":
        return (_ORDER[base], 0, key)
    return (_ORDER.get(base, len(_ORDER)), fy or 0, key)


# ------------------------------------------------------------------ measure fields

def measure_values(m: Measure) -> Values:
    """The measure's own fields (not its KPIs), one entry per field and per scheduled year."""
    values: Values = {
        "measure.name": m.name,
        "measure.domain": m.domain,
        "measure.pillar": m.pillar.value if m.pillar else None,
        "measure.origin": m.origin.value,
        "measure.catalog_id": m.catalog_id,
        "measure.content": m.content,
        "measure.owner": m.owner,
        "measure.programs": tuple(m.programs),
        "measure.milestones": tuple((x.fy, x.when or "", x.label) for x in m.milestones),
        "measure.notes": m.notes,
        "measure.cost": m.cost,
        "measure.funding": tuple(m.funding),
    }
    values.update({f"fy:{fy}": phases for fy, phases in schedule_values(m).items()})
    values.update({f"measure.extra:{header}": value for header, value in m.extra.items()})
    return values


def with_measure_values(m: Measure, updates: Values) -> Measure:
    """The measure with the given fields set (an empty value clears the field)."""
    data = m.model_dump()
    schedule = {fy: phases_of(v) for fy, v in m.schedule.items()}
    for key, value in updates.items():
        base, fy = split_key(key)
        if base == "fy":
            assert fy is not None
            if phases_of(value):
                schedule[fy] = phases_of(value)
            else:
                schedule.pop(fy, None)
        elif base == "measure.extra":
            header = key.partition(":")[2]
            if _empty(value):
                data["extra"].pop(header, None)
            else:
                data["extra"][header] = value
        elif base == "measure.milestones":
            data["milestones"] = [Milestone(fy=f, when=w or None, label=t) for f, w, t in (value or ())]
        elif base in ("measure.programs", "measure.funding"):
            data[base.partition(".")[2]] = list(value or ())
        else:
            name = base.partition(".")[2]
            data[name] = value if value is not None or name in ("pillar", "catalog_id", "cost") else ""
    data["schedule"] = {fy: _schedule_entry(p) for fy, p in sorted(schedule.items())}
    data["kpis"] = m.kpis
    return Measure.model_validate(data)


# ------------------------------------------------------------------ KPI fields

def kpi_values(k: Kpi) -> Values:
    baseline: object = None
    as_of: object = None
    if k.baseline is not None:
        baseline = UNKNOWN_BASELINE if k.baseline.value is None else k.baseline.value
        as_of = k.baseline.as_of_date or k.baseline.as_of_fy
    values: Values = {
        "kpi.name": k.name,
        "kpi.kind": k.kind.value,
        "kpi.unit": k.unit,
        "kpi.aggregation": k.aggregation.value,
        "kpi.direction": k.direction.value,
        "kpi.baseline_value": baseline,
        "kpi.baseline_as_of": as_of,
        "kpi.target_value": k.target_value,
        "kpi.target_text": k.target_text,
        "kpi.target_fy": k.target_fy,
        "kpi.expectation": k.expectation.value,
    }
    for name in KPI_YEAR_MAPS:
        for fy, value in sorted(getattr(k, name).items()):
            if isinstance(value, GradeOverride):
                value = (value.grade, value.reason)
            values[year_key(f"kpi.{name}", fy)] = value
    return values


def with_kpi_values(k: Kpi, updates: Values) -> Kpi:
    data = k.model_dump()
    for key, value in updates.items():
        base, fy = split_key(key)
        name = base.partition(".")[2]
        if fy is not None:
            if _empty(value):
                data[name].pop(fy, None)
            else:
                data[name][fy] = GradeOverride(grade=value[0], reason=value[1]) if name == "overrides" else value
        elif name == "baseline_value":
            data["baseline"] = _baseline(value, (data["baseline"] or {}))
        elif name == "baseline_as_of":
            current = data["baseline"] or {}
            as_of_date = value if isinstance(value, dt.date) else None
            as_of_fy = value if isinstance(value, int) else None
            data["baseline"] = None if (value is None and not current) else {
                **current, "as_of_fy": as_of_fy, "as_of_date": as_of_date, "value": current.get("value")}
        else:
            data[name] = value if value is not None or name in ("target_value", "target_fy") else ""
    return Kpi.model_validate(data)


def _baseline(value: object, current: dict) -> dict | None:
    if value is None:
        return None if not (current.get("as_of_fy") or current.get("as_of_date")) else {**current, "value": None}
    number = None if value == UNKNOWN_BASELINE else value
    return {**Baseline().model_dump(), **current, "value": number}


def _empty(value: object) -> bool:
    return value is None or value == "" or value == ()


# ------------------------------------------------------------------ text

def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.15g}"


def text(key: str, value: object, unit: str = "") -> str:
    """A field's value as a clerk reads it (empty → 「（なし）」 is the caller's choice: this gives "")."""
    base, _ = split_key(key)
    if _empty(value):
        return ""
    if base == "fy":
        return phases_text(phases_of(value))
    if base in ("kpi.target_value", "kpi.interim", "kpi.actuals", "kpi.baseline_value") and isinstance(value, (int, float)):
        return f"{_num(value)}{unit}"
    if base in ("kpi.target_fy",) and isinstance(value, int):
        return wareki_fy(value)
    if base == "kpi.baseline_as_of":
        if isinstance(value, dt.date):
            return f"{value.year}/{value.month}/{value.day}"
        return wareki_fy(value)  # type: ignore[arg-type]
    if base == "measure.milestones":
        return "\n".join(f"{short_wareki_fy(fy)}{when} {label_}" for fy, when, label_ in value)  # type: ignore[union-attr]
    if base in ("measure.programs", "measure.funding"):
        return "、".join(value)  # type: ignore[arg-type]
    if base == "kpi.overrides":
        grade, reason = value  # type: ignore[misc]
        return f"{grade}（{reason}）" if reason else grade
    if base == "measure.cost" and isinstance(value, (int, float)):
        return _num(value)
    if isinstance(value, float):
        return _num(value)
    return str(value)
