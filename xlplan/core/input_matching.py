"""Which KPI and year a typed row of 進捗管理 belongs to, after KPIs were added, removed or reordered.

Each row that carries typed input is identified by its generated cells (施策ID,
KPI番号, 指標名, 年度). Rows are matched in two passes, so that a row found by
its name is never taken by another row's number:

1. by (施策ID, 指標名, 年度) — a KPI keeps its input when KPIs above it are added
   or removed (several KPIs of the measure with that name: the one with the row's
   KPI番号, if any);
2. by (施策ID, KPI番号, 年度), only for rows whose 指標名 no KPI of the measure has any
   more — a KPI keeps its input when it is renamed (a second copy of a row is not
   given to another KPI by its number).

Each KPI and year takes one row (the first); a row that matches nothing — its
measure or KPI deleted, its year outside the plan period, a second copy — is an
orphan, kept in 「退避した入力」 rather than lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Slot = tuple[str, int, int]   # (measure id, 0-based KPI index, fiscal year)


@dataclass(frozen=True)
class TypedRow:
    measure_id: str
    kpi_no: int | None      # 1-based, as shown in the sheet
    kpi_name: str
    fy: int | None


@dataclass(frozen=True)
class KpiSlot:
    measure_id: str
    index: int              # 0-based
    name: str


def match_rows(rows: Sequence[TypedRow], kpis: Sequence[KpiSlot], years: Iterable[int]) -> tuple[dict[int, Slot], list[int]]:
    """(position of a row -> its slot, positions of the orphans), positions in `rows`."""
    years = set(years)
    by_name: dict[tuple[str, str], list[KpiSlot]] = {}
    by_index: dict[tuple[str, int], KpiSlot] = {}
    for k in kpis:
        by_name.setdefault((k.measure_id, k.name), []).append(k)
        by_index[(k.measure_id, k.index)] = k
    claimed: dict[Slot, int] = {}
    matched: dict[int, Slot] = {}

    def claim(position: int, kpi: KpiSlot, fy: int) -> bool:
        slot = (kpi.measure_id, kpi.index, fy)
        if slot in claimed:
            return False
        claimed[slot] = position
        matched[position] = slot
        return True

    for position, row in enumerate(rows):
        if row.fy not in years or not row.measure_id:
            continue
        candidates = by_name.get((row.measure_id, row.kpi_name), [])
        same_no = [k for k in candidates if row.kpi_no is not None and k.index == row.kpi_no - 1]
        pick = same_no or (candidates if len(candidates) == 1 else [])
        if pick:
            claim(position, pick[0], row.fy)
    for position, row in enumerate(rows):
        if position in matched or row.fy not in years or row.kpi_no is None or (row.measure_id, row.kpi_name) in by_name:
            continue
        kpi = by_index.get((row.measure_id, row.kpi_no - 1))
        if kpi is not None:
            claim(position, kpi, row.fy)
    orphans = [p for p in range(len(rows)) if p not in matched]
    return matched, orphans
