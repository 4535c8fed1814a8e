"""A department's answer to a 照会票, as data: the base it was made from and what the department wrote.

xlplan.layout.read_form builds it from the form's cells; xlplan.core.merge merges it.
Problems found while reading (a cell that cannot be read, a row deleted, a
header changed) travel with it so that the report can name the file, sheet and cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlplan.core.model import Measure
from xlplan.core.survey import Signature

Place = tuple[str, str]                       # (sheet, cell) in the form
# Notes for the office's information; they ask for nothing (every other problem does).
INFO_CODES = frozenset({"FORM-MASTER-CHANGED", "FORM-SECOND-ANSWER", "FORM-SAME-FORM"})
FieldRef = tuple[str, int | None, str]        # (measure id, KPI index or None, field key)


@dataclass(frozen=True)
class Problem:
    """Something the planning office must know about an answer; the message is Japanese and says what to do."""

    code: str
    message: str
    source: str = ""          # the answer's file name
    sheet: str = ""
    cell: str = ""
    measure_id: str = ""

    @property
    def info(self) -> bool:
        return self.code in INFO_CODES

    @property
    def place(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{self.source} {where}".strip()


@dataclass(frozen=True)
class Proposal:
    """A new measure proposed on the form (its ID is given when it is merged)."""

    measure: Measure
    place: Place
    catalog_id: str | None = None


@dataclass
class Answer:
    source: str
    signature: Signature
    base: list[Measure]
    measures: list[Measure]                    # the base with the answer applied; same IDs, KPIs added at the end
    places: dict[FieldRef, Place] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    remarks: list[tuple[str, str, Place]] = field(default_factory=list)   # (measure id or "", text, place)
    respondent: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def owner(self) -> str:
        return self.signature.owner

    def place(self, measure_id: str, kpi: int | None, key: str) -> Place:
        return self.places.get((measure_id, kpi, key), ("", ""))
