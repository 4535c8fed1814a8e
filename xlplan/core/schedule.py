"""The 工程表 as data: rows grouped by pillar (or domain), one cell per fiscal year.

Pure layout logic; xlplan.layout.sheet_values turns it into cell values. A run of
fiscal years in the same phase reads as one bar: the first cell names the
phase, the following ones show a continuation arrow, and the fill (drawn by
conditional formats from the hidden phase codes) is the same along the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xlplan.core.fiscal import short_wareki_fy, wareki_fy
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.vocab import CONTINUE_MARK, MILESTONE_MARK, TARGET_MARK, UNKNOWN_BASELINE, Phase, Pillar

GroupBy = Literal["pillar", "domain"]
PHASE_CODES = {phase: i + 1 for i, phase in enumerate(Phase)}  # 0 = no phase


@dataclass(frozen=True)
class YearCell:
    text: str
    code: int  # PHASE_CODES value, 0 when the year has no phase


@dataclass(frozen=True)
class ScheduleRow:
    kind: Literal["section", "subsection", "measure"]
    title: str = ""                     # section rows
    no: int | None = None
    measure: Measure | None = None
    slots: dict[tuple[int, int], YearCell] = field(default_factory=dict)  # (fiscal year, part) -> cell

    @property
    def years(self) -> dict[int, YearCell]:
        """The first part of each year (all of it without subdivision)."""
        return {fy: cell for (fy, part), cell in self.slots.items() if part == 1}


def number_text(value: float) -> str:
    """3,200 / 38.5: thousands separators, no float noise."""
    # 15 significant digits: ",g" alone keeps 6 and shows 1234567.5 as 1.23457e+06.
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.15g}"


_num = number_text


def kpi_target_text(k: Kpi) -> str:
    if k.target_value is not None:
        return f"{_num(k.target_value)}{k.unit}"
    return k.target_text


def kpi_baseline_text(k: Kpi) -> str:
    if k.baseline is None:
        return ""
    value = UNKNOWN_BASELINE if k.baseline.value is None else f"{_num(k.baseline.value)}{k.unit}"
    if k.baseline.as_of_date:
        d = k.baseline.as_of_date
        return f"{value}（{d.year}/{d.month}/{d.day}）"
    if k.baseline.as_of_fy:
        return f"{value}（{short_wareki_fy(k.baseline.as_of_fy)}）"
    return value


def part_phases(phases: tuple[Phase, ...], parts: int) -> list[tuple[Phase, ...]]:
    """A year's phases spread over its parts: 「検討→準備」 is 検討 in 上期 and 準備 in 下期; more phases
    than parts share a part; a single phase fills them all."""
    n = len(phases)
    if n == 0:
        return [()] * parts
    if n <= parts:
        return [(phases[p * n // parts],) for p in range(parts)]
    return [phases[p * n // parts:(p + 1) * n // parts] for p in range(parts)]


def slot_cells(measure: Measure, fiscal_years: list[int], parts: int = 1) -> dict[tuple[int, int], YearCell]:
    """The cell of each time slot (fiscal year, part of the year) of one measure's row.

    A run of slots in one phase shows the phase once and then arrows. Phases
    are planned per fiscal year, so every part of a year carries its phase (a
    year of two phases, 「検討→準備」, spreads them over its parts, or shows both
    when it is one slot); a KPI target sits at the year's end (last part) and a
    milestone in its part. The fill follows the phase a slot ends in.
    """
    cells: dict[tuple[int, int], YearCell] = {}
    previous: Phase | None = None
    for fy in fiscal_years:
        for part, phases in enumerate(part_phases(measure.phases(fy), parts), start=1):
            lines = []
            if phases:
                same = len(phases) == 1 and phases[0] == previous
                lines.append(CONTINUE_MARK if same else "→".join(f"{p.symbol}{p.value}" for p in phases))
            if part == parts:
                lines += [f"{TARGET_MARK}{kpi_target_text(k)}" for k in measure.kpis
                          if k.target_fy == fy and (k.target_value is not None or k.target_text)]
            lines += [f"{MILESTONE_MARK}{m.label}" for m in measure.milestones if m.fy == fy and m.part(parts) == part]
            last = phases[-1] if phases else None
            cells[(fy, part)] = YearCell("\n".join(lines), PHASE_CODES[last] if last else 0)
            previous = last
    return cells


def year_cells(measure: Measure, fiscal_years: list[int]) -> dict[int, YearCell]:
    """One cell per fiscal year (the 工程表 without subdivision)."""
    return {fy: cell for (fy, _), cell in slot_cells(measure, fiscal_years).items()}


def schedule_rows(plan: Plan, group_by: GroupBy = "pillar", parts: int | None = None) -> list[ScheduleRow]:
    """Section rows and measure rows in the order the 工程表 shows them."""
    fys = plan.fiscal_years
    parts = parts or len(plan.subdivision.parts)
    pillar_order = {p: i for i, p in enumerate(Pillar)}
    domain_order = {d: i for i, d in enumerate(plan.domains)}
    for m in plan.measures:  # domains missing from the plan (an error) follow, each its own group
        domain_order.setdefault(m.domain, len(domain_order))

    def pillar_key(m: Measure) -> int:
        return pillar_order.get(m.pillar, len(pillar_order)) if m.pillar else len(pillar_order)

    def domain_key(m: Measure) -> int:
        return domain_order.get(m.domain, len(domain_order))

    def pillar_title(m: Measure) -> str:
        return m.pillar.title if m.pillar else "柱が未入力"

    if group_by == "pillar":
        outer, inner, outer_title, inner_title = pillar_key, domain_key, pillar_title, (lambda m: m.domain)
    else:
        outer, inner, outer_title, inner_title = domain_key, pillar_key, (lambda m: m.domain), (
            lambda m: m.pillar.value if m.pillar else "柱が未入力")
    ordered = sorted(enumerate(plan.measures), key=lambda im: (outer(im[1]), inner(im[1]), im[0]))
    rows: list[ScheduleRow] = []
    last_outer = last_inner = None
    for no, (_, m) in enumerate(ordered, start=1):
        if outer(m) != last_outer:
            rows.append(ScheduleRow("section", title=f"■ {outer_title(m)}"))
            last_outer, last_inner = outer(m), None
        if inner(m) != last_inner:
            rows.append(ScheduleRow("subsection", title=f"　{inner_title(m)}"))
            last_inner = inner(m)
        rows.append(ScheduleRow("measure", no=no, measure=m, slots=slot_cells(m, fys, parts)))
    return rows


def schedule_subtitle(plan: Plan) -> str:
    return f"{plan.municipality}　計画期間: {wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}（{plan.years}年間）"
