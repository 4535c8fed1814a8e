"""新しい施策の提案 and カタログの候補 of an answered 計画照会: the measures a department proposes."""

from __future__ import annotations

from collections.abc import Mapping

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Place, Problem, Proposal
from xlplan.core.catalog import Catalog, measure_from_catalog
from xlplan.core.model import Kpi, Measure
from xlplan.core.survey import Signature
from xlplan.core.vocab import Origin
from xlplan.layout import survey_form as S
from xlplan.layout.cells import is_blank, read_text
from xlplan.layout.read import ADOPT_MARKS
from xlplan.layout.read_cells import Grid
from xlplan.layout.read_form_table import FormTableReader

def proposal_from_row(t: FormTableReader, r: int, row: list, domain: str, owner: str, keys: list[str]) -> tuple[Measure | None, Place]:
    place = t.place(r, "measure.name")
    if not domain:
        t.problem("FORM-PROPOSAL-DOMAIN", "新しい施策の分野が空欄です。分野を選んでください。この施策は取り込みません。",
                  t.place(r, "measure.domain")[1])
        return None, place
    values, _ = t.read(r, row, keys)
    measure_values = {k: v for k, v in values.items() if not k.startswith("kpi.")}
    measure = F.with_measure_values(Measure(id="", domain=domain, owner=owner, origin=Origin.ADDED), measure_values)
    kpi_values = {k: v for k, v in values.items() if k.startswith("kpi.")}
    if kpi_values.get("kpi.name"):
        measure = measure.model_copy(update={"kpis": [F.with_kpi_values(Kpi(name=kpi_values["kpi.name"]), kpi_values)]})
    return measure, place


def read_proposals(answer: Answer, values: Mapping[str, Grid], signature: Signature) -> None:
    if S.PROPOSALS not in values:
        answer.problems.append(Problem("FORM-SHEET-MISSING", f"「{S.PROPOSALS}」シートがありません（削除された可能性があります）。",
                                       answer.source, S.PROPOSALS))
        return
    layout = S.proposals_table(tuple(range(signature.start_fy, signature.start_fy + signature.years)))
    t = FormTableReader(answer, values[S.PROPOSALS], layout)
    keys = [c.key for c in layout.columns if c.key != "measure.domain"]
    kpi_keys = [k for k in keys if k.startswith("kpi.")]
    current: Proposal | None = None
    for r, row in t.rows():
        if t.blank(row, ["measure.name"]):
            if current is None or t.blank(row, kpi_keys):
                if not t.blank(row, keys):
                    t.problem("FORM-PROPOSAL-NAME", "施策名が空欄の行です。新しい施策は施策名から書いてください。この行は取り込みません。",
                              t.place(r, "measure.name")[1])
                continue
            kpi, _ = t.read(r, row, kpi_keys)
            if kpi.get("kpi.name"):
                measure = current.measure.model_copy(
                    update={"kpis": [*current.measure.kpis, F.with_kpi_values(Kpi(name=kpi["kpi.name"]), kpi)]})
                current = Proposal(measure, current.place)
                answer.proposals[-1] = current
            continue
        domain = read_text(t.raw(row, "measure.domain")) if not is_blank(t.raw(row, "measure.domain")) else ""
        measure, place = proposal_from_row(t, r, row, domain, answer.owner, keys)
        current = Proposal(measure, place) if measure is not None else None
        if current is not None:
            answer.proposals.append(current)


def read_catalog(answer: Answer, values: Mapping[str, Grid], catalog: Catalog) -> None:
    if S.CATALOG not in values:
        return
    t = FormTableReader(answer, values[S.CATALOG], S.CATALOG_TABLE)
    for r, row in t.rows():
        mark = t.raw(row, S.ADOPT_KEY)
        if not (mark is True or (isinstance(mark, str) and mark.strip() in ADOPT_MARKS)):
            continue
        cid = read_text(t.raw(row, "catalog.id"))
        entry = catalog.measure(cid)
        if entry is None:
            t.problem("FORM-CATALOG-ID", f"カタログID「{cid}」はカタログにありません。この行は取り込みません。", t.place(r, "catalog.id")[1])
            continue
        measure = measure_from_catalog(entry, "").model_copy(update={"owner": answer.owner})
        answer.proposals.append(Proposal(measure, t.place(r, S.ADOPT_KEY), cid))
