"""Small start: turn chosen catalog entries into new measures for a plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the catalog model is built only by the buttons that need it
    from xlplan.core.catalog import Catalog

import re
from dataclasses import dataclass

from xlplan.core.model import Measure, Plan


@dataclass(frozen=True)
class PopulateResult:
    added: list[Measure]
    already: list[str]       # catalog ids the plan already has
    skipped: list[str]       # Japanese reasons for entries that could not be added


def new_measures(plan: Plan, catalog: Catalog, catalog_ids: list[str], domain_codes: dict[str, str]) -> PopulateResult:
    """Measures to add for catalog_ids, skipping those the plan already has.

    IDs continue each domain's numbering (DG-07 after DG-06). Running it again
    on the updated plan adds nothing: catalog ids already present are skipped.
    """
    present = {m.catalog_id for m in plan.measures if m.catalog_id}
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
        if cid in present:
            already.append(cid)
            continue
        if entry.domain not in plan.domains:
            skipped.append(f"{cid}「{entry.text}」の分野「{entry.domain}」がこの計画の分野にないため追加しませんでした。")
            continue
        code = domain_codes[entry.domain]
        numbers[code] = numbers.get(code, 0) + 1
        from xlplan.core.catalog import measure_from_catalog

        added.append(measure_from_catalog(entry, f"{code}-{numbers[code]:02d}"))
        present.add(cid)
    return PopulateResult(added, already, skipped)
