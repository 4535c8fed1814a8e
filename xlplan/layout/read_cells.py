"""What every sheet reader shares: the findings collector and the memoised cell parsers."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.vocab import Aggregation, Direction, KpiKind, Origin, Phase, parse_pillar, parse_term
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import CellError, read_fy, read_fy_or_date, read_phases, read_text

Grid = Sequence[Sequence[Any]]


class Cells:
    """Collects findings while converting cells; one per reader run."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def get(self, grid: Grid, row: int, col: int) -> Any:
        if row < len(grid) and col < len(grid[row]):
            return grid[row][col]
        return None

    def convert(self, sheet: str, row: int, col: int, value: Any, reader, default=None, measure_id: str = ""):
        if value is None or value == "":
            # Most cells are empty; every reader gives back the default for an empty cell.
            return default
        try:
            return reader(value)
        except (CellError, ValueError) as exc:
            self.failed(sheet, row, col, exc, measure_id)
            return default

    def failed(self, sheet: str, row: int, col: int, exc: Exception, measure_id: str = "") -> None:
        """The finding for a cell its reader refused (convert's, for callers that inline it)."""
        code = getattr(exc, "code", "INPUT-INVALID")
        self.findings.append(Finding(code, Severity.ERROR, str(exc), Ref(measure_id=measure_id or None),
                                     sheet, cell_name(row, col)))


# The same few labels (柱, 段階, 区分 …) and fiscal years repeat on every row, so
# their parses are memoised. The parsers are pure; a value that fails is not
# cached (lru_cache does not keep exceptions) and raises the same error again.
parse_pillar_cached = lru_cache(maxsize=1024)(parse_pillar)
read_phases_cached = lru_cache(maxsize=4096)(read_phases)
parse_term_cached = lru_cache(maxsize=1024)(parse_term)
# typed: 2027, 2027.0 and True must not share an entry.
read_fy_cached = lru_cache(maxsize=4096, typed=True)(read_fy)
read_fy_or_date_cached = lru_cache(maxsize=4096, typed=True)(read_fy_or_date)


def term_reader(enum, what):
    def reader(value: Any):
        text = read_text(value)
        return parse_term_cached(enum, text, what) if text else None
    return reader


ORIGIN_READER = term_reader(Origin, "区分")
KIND_READER = term_reader(KpiKind, "種別")
AGGREGATION_READER = term_reader(Aggregation, "集計")
DIRECTION_READER = term_reader(Direction, "方向")


def pillar_reader(value: Any):
    text = read_text(value)
    return parse_pillar_cached(text) if text else None


def phases_reader(previous: tuple[Phase, ...] | None):
    """A year cell's phases; previous is the year before's (None when that cell could not be read),
    so 「→」「継続」「〃」 continue it."""
    def reader(value: Any):
        text = read_text(value)
        return read_phases_cached(text, previous) if text else ()
    return reader




def table_rows(grid: Grid, table, capacity: int | None = None):
    """(row, values) of the non-blank rows of a table, padded to its width."""
    from xlplan.layout.cells import is_blank

    end = len(grid) if capacity is None else min(len(grid), table.first_row + capacity)
    for row in range(table.first_row, end):
        raw = list(grid[row][: table.width]) + [None] * max(0, table.width - len(grid[row]))
        if not all(is_blank(v) for v in raw):
            yield row, raw
