"""Small start: turn chosen catalog entries into new measures for a plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the catalog model is built only by the buttons that need it
    from collections.abc import Iterable

    from xlplan.catalog_data import CatalogName
    from xlplan.core.catalog import Catalog, CatalogMeasure

import re
from dataclasses import dataclass, field

from xlplan.core.model import Measure, Plan
from xlplan.core.parse import name_key


@dataclass(frozen=True)
class PopulateResult:
    added: list[Measure]
    already: list[str]       # catalog ids the plan already has
    skipped: list[str]       # Japanese reasons for entries that could not be added
    matched: dict[str, str] = field(default_factory=dict)   # catalog id → the plan's measure id it is already in


def in_plan(plan: Plan, catalog: Catalog) -> dict[str, str]:
    """Catalog id → id of the plan's measure that already holds it: the same カタログID, or the same
    施策名 (NFKC, spaces and punctuation folded) in the same domain, e.g. typed by hand."""
    return matched_in_plan(plan, catalog.measures)


def matched_in_plan(plan: Plan, entries: Iterable[CatalogMeasure | CatalogName]) -> dict[str, str]:
    """in_plan on the entries' id, domain and text alone (xlplan.catalog_data.catalog_names: what
    検証 needs, without building the catalog's models)."""
    by_id = {m.catalog_id: m.id for m in plan.measures if m.catalog_id}
    by_name = {(m.domain, name_key(m.name)): m.id for m in plan.measures if m.name}
    found = {}
    for entry in entries:
        mid = by_id.get(entry.id) or by_name.get((entry.domain, name_key(entry.text)))
        if mid is not None:
            found[entry.id] = mid
    return found


def _match(entry: CatalogMeasure, cid: str, present: dict[str, str], names: dict[tuple[str, str], str]) -> str | None:
    return present.get(cid) or names.get((entry.domain, name_key(entry.text)))


def new_measures(plan: Plan, catalog: Catalog, catalog_ids: list[str], domain_codes: dict[str, str]) -> PopulateResult:
    """Measures to add for catalog_ids, skipping those the plan already has.

    IDs continue each domain's numbering (DG-07 after DG-06). Running it again
    on the updated plan adds nothing: a measure with the catalog id, or with the
    same name in the same domain (typed by hand), is reported, never added twice.
    """
    present = {m.catalog_id: m.id for m in plan.measures if m.catalog_id}
    names = {(m.domain, name_key(m.name)): m.id for m in plan.measures if m.name}
    matched: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for m in plan.measures:
        if (match := re.fullmatch(r"(.+)-(\d+)", m.id)) is not None:
            numbers[match.group(1)] = max(numbers.get(match.group(1), 0), int(match.group(2)))
    added: list[Measure] = []
    already: list[str] = []
    skipped: list[str] = []
    for cid in dict.fromkeys(catalog_ids):
        entry = catalog.measure(cid)
        if entry is None:
            skipped.append(f"カタログID「{cid}」はカタログにありません。")
            continue
        if entry.merged_into:
            cid, entry = entry.merged_into, catalog.measure(entry.merged_into)
            assert entry is not None
        if (mid := _match(entry, cid, present, names)) is not None:
            already.append(cid)
            matched[cid] = mid
            continue
        if entry.domain not in plan.domains:
            skipped.append(f"{cid}「{entry.text}」の分野「{entry.domain}」がこの計画の分野にないため追加しませんでした。")
            continue
        code = domain_codes[entry.domain]
        numbers[code] = numbers.get(code, 0) + 1
        from xlplan.core.catalog import measure_from_catalog

        measure = measure_from_catalog(entry, f"{code}-{numbers[code]:02d}")
        added.append(measure)
        present[cid] = measure.id
    return PopulateResult(added, already, skipped, matched)
