"""A SurveyForm → the 照会票's cell values, row by row, with each cell's role (context, input, required).

Values are written the way the domain sheets show them (xlplan.layout.sheet_values),
so a clerk sees the same notation in the master and in the form, and the reader
parses both with the same cell readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlplan.core import fields as F
from xlplan.core.catalog import CatalogMeasure
from xlplan.core.fiscal import wareki_fy
from xlplan.core.schedule import kpi_baseline_text, kpi_target_text
from xlplan.core.survey import SurveyForm
from xlplan.layout import survey_form as S
from xlplan.layout.cells import fmt_number, list_cell
from xlplan.layout.sheet_values import kpi_cells, measure_cells


@dataclass(frozen=True)
class FormRow:
    values: dict[str, Any]            # column key → cell value
    roles: dict[str, str]             # column key → "context" | "input" | "required" | "remark" (absent: the column's own)


def plan_rows(form: SurveyForm, table: S.FormTable) -> list[FormRow]:
    """One row per KPI (one for a measure without KPIs); measure fields on the measure's first row only."""
    rows = []
    measure_keys = [c.key for c in table.columns if c.key.startswith(("measure.", "fy:")) and c.key != "measure.domain"]
    for m in form.measures:
        first = {**measure_cells(m), **{f"fy:{fy}": F.phases_text(p) for fy, p in F.schedule_values(m).items()},
                 S.ID_KEY: m.id, "measure.domain": m.domain}
        required = form.required.get((m.id, None), frozenset())
        for i, kpi in enumerate(m.kpis or [None]):
            values: dict[str, Any] = dict(first) if i == 0 else {S.ID_KEY: m.id, "measure.domain": m.domain}
            values[S.KPI_NO_KEY] = i + 1
            roles: dict[str, str] = {}
            if kpi is not None:
                values.update(kpi_cells(kpi))
                values.update({f"kpi.interim:{fy}": fmt_number(v) for fy, v in kpi.interim.items()})
                roles.update({_column(table, key): "required" for key in form.required.get((m.id, i), ())})
            if i == 0:
                roles.update({_column(table, key): "required" for key in required if _column(table, key)})
            else:
                roles.update({key: "context" for key in measure_keys})
            rows.append(FormRow({k: v for k, v in values.items() if table.has(k)}, roles))
    return rows


def _column(table: S.FormTable, key: str) -> str:
    """The column that shows a field: the first year's column for a per-year field named by its base ("fy")."""
    if table.has(key):
        return key
    return next((c.key for c in table.columns if F.split_key(c.key)[0] == key), "")


def actual_rows(form: SurveyForm, table: S.FormTable) -> list[FormRow]:
    fy = form.signature.fy
    assert fy is not None
    rows = []
    for m in form.measures:
        for i, k in enumerate(m.kpis):
            expected = form.expected.get((m.id, i))
            target = kpi_target_text(k)
            actual: Any = k.actuals.get(fy)
            values = {
                S.ID_KEY: m.id, S.KPI_NO_KEY: i + 1, "measure.domain": m.domain, "measure.name": m.name,
                "kpi.name": k.name, "kpi.unit": k.unit or None, "form.baseline": kpi_baseline_text(k) or None,
                "form.expected": fmt_number(expected) if expected is not None else None,
                "form.target": f"{target}（{wareki_fy(k.target_fy)}）" if k.target_fy and target else target or None,
                "form.previous": form.previous.get((m.id, i)) or None,
                f"kpi.actuals:{fy}": fmt_number(actual) if actual is not None else k.statuses.get(fy),
                f"kpi.comments:{fy}": k.comments.get(fy), f"kpi.next_steps:{fy}": k.next_steps.get(fy),
            }
            roles = {f"kpi.actuals:{fy}": "required"} if actual is None and fy not in k.statuses else {}
            rows.append(FormRow(values, roles))
    return rows


def catalog_rows(suggestions: tuple[CatalogMeasure, ...]) -> list[FormRow]:
    return [FormRow({
        "catalog.id": c.id, "catalog.domain": c.domain, "catalog.pillar": c.pillar.value, "catalog.text": c.text,
        "catalog.kpi": c.kpi.name if c.kpi else None, "catalog.unit": c.kpi.unit if c.kpi and c.kpi.unit else None,
        "catalog.programs": list_cell(c.programs)}, {}) for c in suggestions]
