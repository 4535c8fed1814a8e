"""照会: what each 担当課 is asked, and the signature that ties its answer to the master.

A 計画照会 (kind "plan") shows a department its own measures and KPIs to confirm
or correct, with the fields still required highlighted, blank rows to propose
new measures and the catalog's suggestions for its domains. A 実績照会 (kind
"actuals") asks only for one fiscal year's actual, 実績の説明 and 今後の取組 per KPI.

The form carries its base: the measures exactly as the master held them when
the form was made, with content hashes. Collecting an answer is then a
three-way merge (xlplan.core.merge): base, the master now, the answer.
Pure functions; the form's workbook is built by xlplan.builder.survey_form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from xlplan.core.catalog import Catalog, CatalogMeasure
from xlplan.core.fiscal import wareki_fy
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core import fields as F
from xlplan.core.progress import expected_value
from xlplan.errors import XlplanUserError

FORMAT = "xlplan-survey"
FORM_VERSION = 1
# Statuses a qualitative KPI's year can be reported with (the 実績照会's dropdown, without an error alert).
STATUS_WORDS = ("未着手", "検討中", "一部実施", "実施済み", "達成")


class SurveyKind(StrEnum):
    PLAN = "plan"
    ACTUALS = "actuals"

    @property
    def label(self) -> str:
        return "計画照会" if self is SurveyKind.PLAN else "実績照会"


# Fields a department may change in a 計画照会 (xlplan.core.fields keys; per-year keys by their base).
PLAN_MEASURE_FIELDS = ("measure.pillar", "measure.name", "measure.content", "measure.owner", "measure.programs",
                       "fy", "measure.milestones", "measure.notes")
PLAN_KPI_FIELDS = ("kpi.name", "kpi.unit", "kpi.baseline_value", "kpi.baseline_as_of", "kpi.target_value",
                   "kpi.target_text", "kpi.target_fy", "kpi.interim")
ACTUAL_KPI_FIELDS = ("kpi.actuals", "kpi.statuses", "kpi.comments", "kpi.next_steps")


@dataclass(frozen=True)
class Signature:
    """What ties an answer to its master: the plan, the department, when, and hashes of what the form showed."""

    municipality: str
    title: str
    start_fy: int
    years: int
    owner: str
    kind: SurveyKind
    fy: int | None
    generated_at: str                      # ISO 8601, seconds
    base_hash: str
    measure_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def plan_key(self) -> str:
        return plan_key(self.municipality, self.title)

    @property
    def form_id(self) -> str:
        text = "|".join([self.plan_key, self.owner, self.kind.value, str(self.fy or ""), self.generated_at, self.base_hash])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def items(self) -> list[tuple[str, str]]:
        """Key/value rows for the form's hidden sheet (text only, so any spreadsheet keeps them)."""
        rows = [("format", FORMAT), ("version", str(FORM_VERSION)), ("municipality", self.municipality),
                ("title", self.title), ("start_fy", str(self.start_fy)), ("years", str(self.years)),
                ("owner", self.owner), ("kind", self.kind.value), ("fy", str(self.fy or "")),
                ("generated_at", self.generated_at), ("base_hash", self.base_hash), ("form_id", self.form_id)]
        return rows + [(f"hash:{mid}", h) for mid, h in self.measure_hashes.items()]

    @classmethod
    def from_items(cls, items: dict[str, str]) -> Signature:
        """The signature read back; raises ValueError when a required entry is missing or wrong."""
        if items.get("format") != FORMAT:
            raise ValueError("format")
        if items.get("version") != str(FORM_VERSION):
            raise ValueError("version")
        sig = cls(
            municipality=items["municipality"], title=items.get("title", ""), start_fy=int(items["start_fy"]),
            years=int(items["years"]), owner=items["owner"], kind=SurveyKind(items["kind"]),
            fy=int(items["fy"]) if items.get("fy") else None, generated_at=items["generated_at"],
            base_hash=items["base_hash"],
            measure_hashes={k[5:]: v for k, v in items.items() if k.startswith("hash:")})
        if items.get("form_id") != sig.form_id:
            raise ValueError("form_id")
        return sig


def plan_key(municipality: str, title: str) -> str:
    return f"{municipality}／{title}"


# ------------------------------------------------------------------ base and hashes

def base_json(measures: list[Measure]) -> str:
    """The measures as canonical JSON: the form's base, and what its hashes are taken of."""
    return json.dumps([m.model_dump(mode="json") for m in measures], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def measure_hash(m: Measure) -> str:
    return hashlib.sha256(base_json([m]).encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_base(text: str) -> list[Measure]:
    return [Measure.model_validate(m) for m in json.loads(text)]


# ------------------------------------------------------------------ what each department is asked

@dataclass(frozen=True)
class SurveyForm:
    signature: Signature
    plan_title: str
    domains: tuple[str, ...]
    fiscal_years: tuple[int, ...]
    measures: tuple[Measure, ...]                          # the base: the department's measures, as in the master
    base: str                                              # their canonical JSON (base_json)
    required: dict[tuple[str, int | None], frozenset[str]] = field(default_factory=dict)
    suggestions: tuple[CatalogMeasure, ...] = ()           # 計画照会: catalog measures for its domains, not yet adopted
    expected: dict[tuple[str, int], float | None] = field(default_factory=dict)   # 実績照会: the year's 目安
    previous: dict[tuple[str, int], str] = field(default_factory=dict)            # 実績照会: last year's actual, as text

    @property
    def owner(self) -> str:
        return self.signature.owner

    @property
    def kind(self) -> SurveyKind:
        return self.signature.kind


def plan_owners(plan: Plan) -> list[str]:
    """担当課 in order of first appearance (a measure may name several, separated by 「、」)."""
    return list(dict.fromkeys(o for m in plan.measures for o in owners_of(m)))


def owners_of(m: Measure) -> list[str]:
    return [o.strip() for o in m.owner.replace(",", "、").replace("，", "、").split("、") if o.strip()]


def survey_forms(plan: Plan, catalog: Catalog, *, owners: list[str] | None = None, kind: SurveyKind = SurveyKind.PLAN,
                 fy: int | None = None, now: dt.datetime) -> list[SurveyForm]:
    """One form per department (all of the plan's, or those named), in plan order."""
    known = plan_owners(plan)
    if owners:
        unknown = [o for o in owners if o not in known]
        if unknown:
            raise XlplanUserError(f"担当課「{'」「'.join(unknown)}」の施策が計画にありません。担当課の名前を確認してください"
                                  f"（計画の担当課: {'、'.join(known) or 'なし'}）。")
    if kind is SurveyKind.ACTUALS:
        if fy is None:
            raise XlplanUserError("実績照会には年度を指定してください（例: --fy R9）。")
        if not plan.in_period(fy):
            raise XlplanUserError(f"{wareki_fy(fy)}は計画期間（{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）の外です。")
    return [survey_form(plan, catalog, owner, kind=kind, fy=fy, now=now) for owner in (owners or known)]


def survey_form(plan: Plan, catalog: Catalog, owner: str, *, kind: SurveyKind = SurveyKind.PLAN, fy: int | None = None,
                now: dt.datetime) -> SurveyForm:
    measures = [m for m in plan.measures if owner in owners_of(m)]
    if kind is SurveyKind.ACTUALS:
        measures = [m for m in measures if m.kpis]
    base = base_json(measures)
    signature = Signature(
        municipality=plan.municipality, title=plan.title, start_fy=plan.start_fy, years=plan.years, owner=owner,
        kind=kind, fy=fy if kind is SurveyKind.ACTUALS else None,
        generated_at=now.replace(microsecond=0).isoformat(), base_hash=text_hash(base),
        measure_hashes={m.id: measure_hash(m) for m in measures})
    form = SurveyForm(signature, plan.title or plan.municipality, tuple(plan.domains), tuple(plan.fiscal_years),
                      tuple(measures), base)
    if kind is SurveyKind.PLAN:
        adopted = {m.catalog_id for m in plan.measures if m.catalog_id}
        domains = {m.domain for m in measures} or set(plan.domains)
        suggestions = tuple(c for c in catalog.measures if c.adoptable and c.id not in adopted and c.domain in domains
                            and c.domain in plan.domains)
        return SurveyForm(**{**form.__dict__, "required": required_fields(measures), "suggestions": suggestions})
    assert fy is not None
    expected = {(m.id, i): expected_value(k, fy, plan_start_fy=plan.start_fy, plan_end_fy=plan.end_fy)
                for m in measures for i, k in enumerate(m.kpis)}
    previous = {(m.id, i): _previous_actual(k, fy) for m in measures for i, k in enumerate(m.kpis)}
    return SurveyForm(**{**form.__dict__, "expected": expected, "previous": previous})


def required_fields(measures: list[Measure]) -> dict[tuple[str, int | None], frozenset[str]]:
    """What each measure and KPI still lacks: the cells the form highlights as 要記入."""
    result: dict[tuple[str, int | None], frozenset[str]] = {}
    for m in measures:
        missing = {key for key, empty in (("measure.content", not m.content), ("fy", not m.schedule)) if empty}
        if not m.kpis:
            missing |= {"kpi.name", "kpi.target_value", "kpi.target_fy"}
        if missing:
            result[(m.id, None)] = frozenset(missing)
        for i, k in enumerate(m.kpis):
            lacks = _kpi_lacks(k)
            if lacks:
                result[(m.id, i)] = lacks
    return result


def _kpi_lacks(k: Kpi) -> frozenset[str]:
    missing = set()
    if k.baseline is None:
        missing.add("kpi.baseline_value")
    if k.target_value is None and not k.target_text:
        missing |= {"kpi.target_value", "kpi.target_text"}
    if k.target_fy is None:
        missing.add("kpi.target_fy")
    if not k.unit and k.target_value is not None:
        missing.add("kpi.unit")
    return frozenset(missing)


def _previous_actual(k: Kpi, fy: int) -> str:
    if fy - 1 in k.actuals:
        return F.text("kpi.actuals", k.actuals[fy - 1], k.unit)
    return k.statuses.get(fy - 1, "")
