"""Merge departments' answers into the master: a three-way merge, field by field.

For every field a form showed there are three values: base (what the form was
made from), master (the master now) and answer (what the department wrote).

* answer == base: the department left it → nothing.
* master == answer: already there (e.g. the second run) → nothing.
* master == base: only the department changed it → take the answer.
* otherwise both changed it since the form was made → a conflict, left as the
  master has it unless the office chose (Take: per conflict, per file, or all).

New KPIs and proposed measures are added once: a KPI whose name the measure
already has, or a measure whose name (or catalog ID) the domain already has, is
not added again. So merging the same answers twice changes nothing the second
time. Answers are merged in the order given; two answers from one department
meet like any other pair (the second sees the first in the master).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Problem, Proposal
from xlplan.core.fiscal import period_label
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.survey import SurveyKind, owners_of, plan_key, plan_owners

Choice = Literal["answer", "master"]
ChangeKind = Literal["変更", "実績", "指標の追加", "施策の追加"]


@dataclass(frozen=True)
class Take:
    """How conflicts are decided: per conflict ID, else per answer file, else for all; None leaves them."""

    default: Choice | None = None
    by_source: dict[str, Choice] = field(default_factory=dict)
    by_conflict: dict[str, Choice] = field(default_factory=dict)

    def choice(self, source: str, conflict_id: str) -> Choice | None:
        return self.by_conflict.get(conflict_id) or self.by_source.get(source) or self.default


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    source: str
    owner: str
    measure_id: str
    kpi: int | None          # the KPI's index in the merged master
    key: str                 # a xlplan.core.fields key ("" for a whole new measure or KPI)
    label: str
    before: str
    after: str
    note: str = ""


@dataclass(frozen=True)
class Conflict:
    id: str                  # what --take names: 「DG-01:KPI1:目標値」
    source: str
    owner: str
    measure_id: str
    kpi: int | None
    key: str
    label: str
    base: str
    master: str
    answer: str
    taken: Choice | None = None


@dataclass
class MergeResult:
    plan: Plan
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    remarks: list[tuple[str, str, str, str]] = field(default_factory=list)   # (source, owner, measure id, text)
    answered: list[str] = field(default_factory=list)                       # owners that answered
    missing: list[str] = field(default_factory=list)                        # owners without an answer

    @property
    def added_measures(self) -> list[str]:
        return [c.measure_id for c in self.changes if c.kind == "施策の追加"]

    @property
    def added_kpis(self) -> list[tuple[str, int]]:
        return [(c.measure_id, c.kpi) for c in self.changes if c.kind == "指標の追加" and c.kpi is not None]


def norm(value: Any) -> Any:
    """Empty values compare equal: None, "" and () all mean 'not set'."""
    return None if value is None or value == "" or value == () else value


def merge_answers(master: Plan, answers: Iterable[Answer], *, take: Take | None = None,
                  domain_codes: dict[str, str] | None = None, kind: SurveyKind | None = None) -> MergeResult:
    merger = _Merger(master, take or Take(), domain_codes or {})
    for answer in answers:
        merger.merge(answer)
    result = merger.result
    asked = {o for o in plan_owners(master)
             if kind is not SurveyKind.ACTUALS or any(o in owners_of(m) and m.kpis for m in master.measures)}
    result.missing = [o for o in plan_owners(master) if o in asked and o not in result.answered]
    return result


class _Merger:
    def __init__(self, master: Plan, take: Take, domain_codes: dict[str, str]):
        self.take = take
        self.codes = domain_codes
        self.measures: list[Measure] = list(master.measures)
        self.master = master
        self.result = MergeResult(master)
        self.forms: dict[str, str] = {}        # form id -> first source
        self.changed_since: list[str] = []     # measures the office changed since the current answer's form

    @property
    def index(self) -> dict[str, int]:
        return {m.id: i for i, m in enumerate(self.measures)}

    def merge(self, answer: Answer) -> None:
        sig = answer.signature
        self.result.problems += answer.problems
        if sig.plan_key != plan_key(self.master.municipality, self.master.title):
            self._problem(answer, "FORM-OTHER-PLAN",
                          f"この照会票は別の計画（{sig.municipality}「{sig.title}」）のものです。この計画"
                          f"（{self.master.municipality}「{self.master.title}」）には取り込みません。")
            return
        if (sig.start_fy, sig.years) != (self.master.start_fy, self.master.years):
            self._problem(answer, "FORM-STALE-PERIOD",
                          f"照会票の作成後に計画期間が変わりました（照会票: {period_label(sig.start_fy, sig.years)}、"
                          f"今: {period_label(self.master.start_fy, self.master.years)}）。年度の列が合わないため取り込みません。"
                          "新しい照会票（「照会票を作成」ボタン、または xlplan survey）で照会し直してください。")
            return
        if sig.form_id in self.forms:
            self._problem(answer, "FORM-SAME-FORM", f"「{self.forms[sig.form_id]}」と同じ照会票への回答です。"
                                                   "両方を順に取り込みます（同じ項目を違う値にしていれば競合として示します）。")
        elif sig.owner in self.result.answered:
            self._problem(answer, "FORM-SECOND-ANSWER", f"{sig.owner}からの2件目の回答です。順に取り込みます。")
        self.forms.setdefault(sig.form_id, answer.source)
        if sig.owner not in self.result.answered:
            self.result.answered.append(sig.owner)
        self.result.remarks += [(answer.source, answer.owner, mid, text) for mid, text, _ in answer.remarks]
        self.changed_since = []
        for base, answered in zip(answer.base, answer.measures):
            self._measure(answer, base, answered)
        if self.changed_since:
            self._problem(answer, "FORM-MASTER-CHANGED",
                          f"照会票の作成後に、マスターで変更された施策があります（{'、'.join(dict.fromkeys(self.changed_since))}）。"
                          "回答で変えていない項目はマスターのままにし、回答でも変えた項目は競合として示します。")
        for proposal in answer.proposals:
            self._proposal(answer, proposal)
        self.result.plan = self.master.model_copy(update={"measures": list(self.measures)})

    # -------------------------------------------------------------- existing measures

    def _measure(self, answer: Answer, base: Measure, answered: Measure) -> None:
        i = self.index.get(base.id)
        if i is None:
            if F.measure_values(base) != F.measure_values(answered) or base.kpis != answered.kpis:
                self._problem(answer, "FORM-STALE-MEASURE",
                              f"施策 {base.id}「{base.name}」はマスターにありません（照会票の作成後に削除されたか、IDが変わっています）。"
                              "この施策の回答は取り込みません。内容を確認して手で反映してください。", base.id)
            return
        current = self.measures[i]
        updates = self._three_way(answer, base.id, None, F.measure_values(base), F.measure_values(answered),
                                  F.measure_values(current), "")
        current = F.with_measure_values(current, updates) if updates else current
        kpis = list(current.kpis)
        for n, (b, a) in enumerate(zip(base.kpis, answered.kpis)):
            j = _match_kpi(kpis, base.kpis, n)
            if j is None:
                if F.kpi_values(b) != F.kpi_values(a):
                    self._problem(answer, "FORM-STALE-KPI",
                                  f"施策 {base.id} の指標「{b.name}」はマスターにありません（照会票の作成後に削除されたか、名前が変わっています）。"
                                  "この指標の回答は取り込みません。", base.id)
                continue
            updates = self._three_way(answer, base.id, j, F.kpi_values(b), F.kpi_values(a), F.kpi_values(kpis[j]),
                                      f"KPI{n + 1}:", kpis[j].unit or a.unit)
            if updates:
                kpis[j] = F.with_kpi_values(kpis[j], updates)
        for extra in answered.kpis[len(base.kpis):]:
            if any(k.name == extra.name for k in kpis):
                continue   # added before (this answer merged already, or the master has it)
            kpis.append(extra)
            self._change("指標の追加", answer, base.id, len(kpis) - 1, "", f"指標「{extra.name}」", "", extra.name)
        self.measures[i] = current.model_copy(update={"kpis": kpis})

    def _three_way(self, answer: Answer, mid: str, kpi: int | None, base: F.Values, answered: F.Values,
                   master: F.Values, prefix: str, unit: str = "") -> F.Values:
        updates: F.Values = {}
        for key in sorted(set(base) | set(answered) | set(master), key=F.order):
            b, a, m = norm(base.get(key)), norm(answered.get(key)), norm(master.get(key))
            if m != b and m != a:
                self.changed_since.append(mid)   # the office changed it since the form was made
            if a == b or a == m:
                continue
            texts = (F.text(key, m, unit), F.text(key, a, unit))
            kind: ChangeKind = "実績" if F.split_key(key)[0].partition(".")[2] in F.ACTUAL_MAPS else "変更"
            if m == b:
                updates[key] = a
                self._change(kind, answer, mid, kpi, key, F.label(key), *texts)
                continue
            conflict_id = f"{mid}:{prefix}{F.label(key)}"
            taken = self.take.choice(answer.source, conflict_id)
            self.result.conflicts.append(Conflict(conflict_id, answer.source, answer.owner, mid, kpi, key, F.label(key),
                                                  F.text(key, b, unit), texts[0], texts[1], taken))
            if taken == "answer":
                updates[key] = a
                self._change(kind, answer, mid, kpi, key, F.label(key), *texts, note="競合（回答を採用）")
        return updates

    # -------------------------------------------------------------- new measures

    def _proposal(self, answer: Answer, proposal: Proposal) -> None:
        m = proposal.measure
        if m.domain not in self.master.domains:
            self._problem(answer, "FORM-PROPOSAL-DOMAIN",
                          f"提案「{m.name}」の分野「{m.domain}」はこの計画の分野にないため、取り込みません。"
                          f"分野は {'、'.join(self.master.domains)} から選んでください。")
            return
        twin = next((x for x in self.measures if x.domain == m.domain and (
            (m.name and x.name == m.name) or (proposal.catalog_id and x.catalog_id == proposal.catalog_id))), None)
        if twin is not None:
            if not any(c.kind == "施策の追加" and c.measure_id == twin.id for c in self.result.changes):
                return   # added by an earlier run (or planned already): nothing to do
            self._problem(answer, "FORM-PROPOSAL-TWICE", f"提案「{m.name}」は {twin.id} として追加済みです（同じ提案が2回あります）。")
            return
        new = m.model_copy(update={"id": self._next_id(m.domain)})
        self.measures.append(new)
        self._change("施策の追加", answer, new.id, None, "", "施策", "", new.name,
                     note=f"カタログ {proposal.catalog_id} から" if proposal.catalog_id else "")

    def _next_id(self, domain: str) -> str:
        code = self.codes.get(domain) or domain
        numbers = [int(n) for x in self.measures if (n := _number(x.id, code)) is not None]
        return f"{code}-{max(numbers, default=0) + 1:02d}"

    # -------------------------------------------------------------- reports

    def _change(self, kind: ChangeKind, answer: Answer, mid: str, kpi: int | None, key: str, label: str,
                before: str, after: str, note: str = "") -> None:
        self.result.changes.append(Change(kind, answer.source, answer.owner, mid, kpi, key, label, before, after, note))

    def _problem(self, answer: Answer, code: str, message: str, measure_id: str = "") -> None:
        self.result.problems.append(Problem(code, message, answer.source, measure_id=measure_id))


def _number(measure_id: str, code: str) -> int | None:
    m = re.fullmatch(rf"{re.escape(code)}-(\d+)", measure_id)
    return int(m.group(1)) if m else None


def _match_kpi(kpis: list[Kpi], base_kpis: list[Kpi], n: int) -> int | None:
    """The master's KPI for the base's n-th: same name, else the same position if that KPI was renamed."""
    name = base_kpis[n].name
    j = next((j for j, k in enumerate(kpis) if k.name == name), None)
    if j is not None:
        return j
    base_names = {k.name for k in base_kpis}
    if n < len(kpis) and kpis[n].name not in base_names:
        return n
    return None
