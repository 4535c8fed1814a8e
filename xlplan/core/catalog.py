"""The catalog of example measures and of programs.

Two sections: the seed memo's 44 checklist items (C01–C44, memo order) and the
自治体DX推進計画's 重点取組事項 (D01…). The catalog is data (xlplan/data/*.yaml);
this module gives it a shape and turns a catalog entry into a measure for a plan,
with its 内容 and first KPI pre-filled as drafts (DRAFT_MARK). Loading the packaged
files is done by xlplan.catalog_data, so this module stays free of I/O.
"""

from __future__ import annotations

from pydantic import Field

from xlplan.core.model import Kpi, Measure, PillarField, Plan, Program, _Model
from xlplan.core.vocab import DRAFT_MARK, Origin

MEMO_SECTION = "メモのチェックリスト"
DX_SECTION = "自治体DX推進計画の重点取組事項"
SECTIONS = (MEMO_SECTION, DX_SECTION)


class CatalogMeasure(_Model):
    """One example measure: a seed-memo item or a 重点取組事項 of the 自治体DX推進計画."""

    id: str = Field(title="カタログID", description="メモはC01〜C44（メモの順）、自治体DX推進計画の重点取組事項はD01〜")
    section: str = Field(MEMO_SECTION, title="区分", description="メモのチェックリスト・自治体DX推進計画の重点取組事項")
    domain: str = Field(title="分野")
    pillar: PillarField = Field(title="柱", description="メモで置かれている柱")
    suggested_pillar: PillarField | None = Field(None, title="より適切と考えられる柱")
    seed_text: str = Field("", title="メモの原文", description="メモの文言そのまま（誤字も含む）。メモにない項目は空欄")
    source: str = Field("", title="出典", description="メモにない項目の出典（例: 自治体DX推進計画【第2.3版】3.1(1)）")
    text: str = Field(title="施策名", description="誤字を直した文言")
    corrections: list[str] = Field(default_factory=list, title="修正点")
    merged_into: str | None = Field(None, title="統合先", description="改行で分かれた行の続き。施策としては統合先を使う")
    summary: str = Field("", title="概要", description="担当者向けの説明。追加した施策の内容の案にもなる")
    owner: str = Field("", title="担当課（例）")
    kpis: list[Kpi] = Field(default_factory=list, title="例示KPI", description="最初のKPIが追加した施策の案になる")
    programs: list[str] = Field(default_factory=list, title="関連する国の施策（ID）", description="現行の施策だけ")
    note: str = Field("", title="備考")

    @property
    def adoptable(self) -> bool:
        return self.merged_into is None

    @property
    def kpi(self) -> Kpi | None:
        return self.kpis[0] if self.kpis else None


class Catalog(_Model):
    measures: list[CatalogMeasure]
    programs: list[Program]

    def measure(self, catalog_id: str) -> CatalogMeasure | None:
        return next((m for m in self.measures if m.id == catalog_id), None)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def section(self, name: str) -> list[CatalogMeasure]:
        return [m for m in self.measures if m.section == name]

    @property
    def program_ids(self) -> set[str]:
        return {p.id for p in self.programs}


def draft(text: str) -> str:
    """Text marked as a draft the planner still has to confirm."""
    return text if not text or text.startswith(DRAFT_MARK) else DRAFT_MARK + text


def measure_from_catalog(entry: CatalogMeasure, measure_id: str) -> Measure:
    """A new plan measure taken from the catalog.

    Its 内容 (the entry's 概要) and first example KPI arrive as drafts marked
    【案】; owner, targets and schedule are left empty: they are the planner's to write.
    """
    kpi = entry.kpi.model_copy(deep=True, update={"name": draft(entry.kpi.name)}) if entry.kpi else None
    return Measure(
        id=measure_id,
        domain=entry.domain,
        pillar=entry.pillar,
        name=entry.text,
        origin=Origin.CATALOG,
        catalog_id=entry.id,
        content=draft(entry.summary),
        programs=list(entry.programs),
        kpis=[kpi] if kpi else [],
    )


def with_catalog_programs(plan: Plan, catalog: Catalog) -> Plan:
    """The plan with the catalog's national programs first, then its own (e.g. 県の制度).

    A plan entry with a catalog id replaces the catalog's row, so a planner's
    updated 確認日 or 補助率 survives. This is the programs table a new workbook shows.
    """
    own = {p.id: p for p in plan.programs}
    programs = [own.pop(p.id, p) for p in catalog.programs] + list(own.values())
    return plan.model_copy(update={"programs": programs})
