"""The catalog of example measures (the seed's 44 checklist items) and of programs.

The catalog is data (xlplan/data/*.yaml); this module gives it a shape and turns
a catalog entry into a measure for a plan. Loading the packaged files is done
by xlplan.catalog_data, so this module stays free of I/O.
"""

from __future__ import annotations

from pydantic import Field

from xlplan.core.model import Kpi, Measure, PillarField, Plan, Program, _Model
from xlplan.core.vocab import Origin


class CatalogMeasure(_Model):
    """One example measure from the seed memo."""

    id: str = Field(title="カタログID", description="C01〜C44（メモの順）")
    domain: str = Field(title="分野")
    pillar: PillarField = Field(title="柱", description="メモで置かれている柱")
    suggested_pillar: PillarField | None = Field(None, title="より適切と考えられる柱")
    seed_text: str = Field(title="メモの原文", description="メモの文言そのまま（誤字も含む）")
    text: str = Field(title="施策名", description="誤字を直した文言")
    corrections: list[str] = Field(default_factory=list, title="修正点")
    merged_into: str | None = Field(None, title="統合先", description="改行で分かれた行の続き。施策としては統合先を使う")
    kpi: Kpi | None = Field(None, title="例示KPI")
    programs: list[str] = Field(default_factory=list, title="関連する国の施策（ID）")
    note: str = Field("", title="備考")

    @property
    def adoptable(self) -> bool:
        return self.merged_into is None


class Catalog(_Model):
    measures: list[CatalogMeasure]
    programs: list[Program]

    def measure(self, catalog_id: str) -> CatalogMeasure | None:
        return next((m for m in self.measures if m.id == catalog_id), None)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)


def measure_from_catalog(entry: CatalogMeasure, measure_id: str) -> Measure:
    """A new plan measure taken from the catalog, with its example KPI and programs.

    The content, owner and schedule are left empty: they are the planner's to write.
    """
    return Measure(
        id=measure_id,
        domain=entry.domain,
        pillar=entry.pillar,
        name=entry.text,
        origin=Origin.CATALOG,
        catalog_id=entry.id,
        programs=list(entry.programs),
        kpis=[entry.kpi.model_copy(deep=True)] if entry.kpi else [],
    )


def with_catalog_programs(plan: Plan, catalog: Catalog) -> Plan:
    """The plan with the catalog's national programs first, then its own (e.g. 県の制度).

    A plan entry with a catalog id replaces the catalog's row, so a planner's
    updated 確認日 or 補助率 survives. This is the programs table a new workbook shows.
    """
    own = {p.id: p for p in plan.programs}
    programs = [own.pop(p.id, p) for p in catalog.programs] + list(own.values())
    return plan.model_copy(update={"programs": programs})
