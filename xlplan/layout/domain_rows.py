"""A domain sheet row read without per-cell bookkeeping: the fast path of layout.read._read_domain.

Reading a row the careful way (layout.read) sends each of its ~30 cells through a converter that
records a finding where a cell cannot be read. Almost every row reads cleanly, so this module
reads the same cells with the same readers, in the same order, straight from the row's values,
and raises at the first cell that fails; the caller then reads that row the careful way, which
records the findings. The result for a row that reads cleanly is the same Measure or Kpi.
tests/test_domain_rows.py holds the two paths to that over every workbook the tests build.
"""

from __future__ import annotations

from xlplan.core.model import Baseline, Kpi, Measure
from xlplan.core.parse import is_unknown_baseline
from xlplan.core.statuses import parse_status
from xlplan.core.vocab import Aggregation, Direction, Expectation, KpiKind, Origin
from xlplan.layout.cells import (
    CellError,
    read_fy_texts,
    read_fy_values,
    read_kpi_number,
    read_list,
    read_milestones,
    read_number,
    read_text,
)
from xlplan.layout.read_cells import (
    AGGREGATION_READER,
    DIRECTION_READER,
    KIND_READER,
    ORIGIN_READER,
    pillar_reader,
    read_fy_cached,
    read_fy_or_date_cached,
    read_phases_cached,
)

MEASURE_KEYS = ("measure.pillar", "measure.name", "measure.origin", "measure.catalog_id", "measure.content",
                "measure.owner", "measure.programs", "measure.milestones", "measure.notes", "measure.cost",
                "measure.funding")
KPI_KEYS = ("kpi.name", "kpi.unit", "kpi.target_text", "kpi.baseline_value", "kpi.target_value", "kpi.direction",
            "kpi.interim", "kpi.actuals", "kpi.baseline_as_of", "kpi.kind", "kpi.aggregation", "kpi.target_fy",
            "kpi.comments", "kpi.expectation")


class RowReader:
    """The columns of one domain table, looked up once. Rows handed to it have one more value than the
    table is wide, a None: a column the layout does not have (an older version, no cost columns) reads
    from there, as blank."""

    def __init__(self, index: dict[str, int], width: int, fy_cols: list[tuple[str, int, int]],
                 target_cols: list[tuple[str, int]], expectation_reader) -> None:
        self.measure_cols = tuple(index.get(k, width) for k in MEASURE_KEYS)
        self.kpi_cols = tuple(index.get(k, width) for k in KPI_KEYS)
        self.fy_cols = [(fy, col) for _key, fy, col in fy_cols]
        self.target_cols = [(key, fy, index.get(key, width)) for key, fy in target_cols]
        self.expectation_reader = expectation_reader

    def measure(self, raw: list, domain: str, measure_id: str) -> Measure:
        schedule = {}
        previous: tuple = ()
        for fy, col in self.fy_cols:   # in year order, so 「→」 continues the year before
            v = raw[col]
            if v is None or v == "":
                previous = ()
                continue
            text = read_text(v)
            previous = phases = read_phases_cached(text, previous) if text else ()
            if phases:
                schedule[fy] = phases
        (pillar, name, origin, catalog_id, content, owner, programs, milestones, notes, cost,
         funding) = (raw[c] for c in self.measure_cols)
        origin = None if origin is None or origin == "" else ORIGIN_READER(origin)
        catalog_id = "" if catalog_id is None or catalog_id == "" else read_text(catalog_id)
        return Measure(
            id=measure_id, domain=domain,
            pillar=None if pillar is None or pillar == "" else pillar_reader(pillar),
            name="" if name is None or name == "" else read_text(name),
            origin=origin or Origin.ADDED,
            catalog_id=catalog_id or None,
            content="" if content is None or content == "" else read_text(content),
            owner="" if owner is None or owner == "" else read_text(owner),
            programs=[] if programs is None or programs == "" else read_list(programs),
            schedule=schedule,
            milestones=[] if milestones is None or milestones == "" else read_milestones(milestones),
            notes="" if notes is None or notes == "" else read_text(notes),
            cost=None if cost is None or cost == "" else read_number(cost),
            funding=[] if funding is None or funding == "" else read_list(funding),
        )

    def kpi(self, raw: list, percent_keys: set[str]) -> Kpi:
        """The KPI of a row whose KPI cells are not all blank; percent_keys: the keys of its cells shown
        as a percent (the formats are known: the careful path alone checks fractions where they are not)."""
        (name, unit, target_text, baseline, target, direction, interim, actuals, as_of, kind, aggregation,
         target_fy, comments, expectation) = (raw[c] for c in self.kpi_cols)
        name = "" if name is None or name == "" else read_text(name)
        unit = "" if unit is None or unit == "" else read_text(unit)
        target_text = "" if target_text is None or target_text == "" else read_text(target_text)
        unknown = False
        if baseline is None or baseline == "":
            baseline_value = None
        elif is_unknown_baseline(baseline):
            baseline_value, unknown = None, True
        else:
            baseline_value = read_kpi_number(baseline, "kpi.baseline_value" in percent_keys, unit)
        target_value = (None if target is None or target == ""
                        else read_kpi_number(target, "kpi.target_value" in percent_keys, unit))
        direction = (None if direction is None or direction == "" else DIRECTION_READER(direction)) or Direction.UP
        qualitative = target_value is None and (bool(target_text) or direction is Direction.ACHIEVE)
        interim = {} if interim is None or interim == "" else read_fy_values(interim)
        statuses: dict[int, str] = {}
        for key, fy, col in self.target_cols:
            v = raw[col]
            if v is None or v == "":
                continue
            if qualitative:   # a status per year (a refused one: the careful path gives its own message)
                statuses[fy] = parse_status(read_text(v)).value
            else:
                interim[fy] = read_kpi_number(v, key in percent_keys, unit)
        actuals = {} if actuals is None or actuals == "" else read_fy_values(actuals)
        as_of_fy, as_of_date = (None, None) if as_of is None or as_of == "" else read_fy_or_date_cached(as_of)
        has_baseline = unknown or baseline_value is not None or as_of_fy is not None or as_of_date is not None
        return Kpi(
            name=name,
            kind=(None if kind is None or kind == "" else KIND_READER(kind)) or KpiKind.EFFECT,
            unit=unit,
            aggregation=(None if aggregation is None or aggregation == "" else AGGREGATION_READER(aggregation))
            or Aggregation.POINT,
            direction=direction,
            baseline=Baseline(value=baseline_value, as_of_fy=as_of_fy, as_of_date=as_of_date) if has_baseline else None,
            target_value=target_value,
            target_text=target_text,
            target_fy=None if target_fy is None or target_fy == "" else read_fy_cached(target_fy),
            interim=interim,
            interim_statuses=statuses,
            actuals=actuals,
            comments={} if comments is None or comments == "" else read_fy_texts(comments),
            expectation=(None if expectation is None or expectation == "" else self.expectation_reader(expectation))
            or Expectation.AUTO,
        )


# Errors a fast read may meet; each sends the row the careful way (which meets it again and records it).
FAST_PATH_ERRORS = (CellError, ValueError)
