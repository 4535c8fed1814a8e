"""Finding a table of an answered 照会票 and reading its cells (shared by the form readers).

A table is found by its header row, and each column by its header text, so rows
inserted above it, columns moved or widened and cells formatted do not matter.
Cells are read with the master's cell readers; a cell that cannot be read is a
Problem at that cell, and its field is left out (it stays as the form showed it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Place, Problem
from xlplan.core.vocab import UNKNOWN_BASELINE
from xlplan.layout import survey_form as S
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import CellError, is_blank, read_fy, read_fy_or_date, read_list, read_milestones, read_number, read_text
from xlplan.layout.read_cells import Grid, pillar_reader

CONTINUE_WORDS = ("→", "継続", "〃")


def _phases(value: Any) -> tuple:
    phases = F.phases_of(read_text(value))
    if len(phases) > 1 and not F.years_hold_several_phases():
        raise CellError(f"「{read_text(value)}」: 1つの年度に段階を2つ書く書き方は、このバージョンではまだ使えません。"
                        "段階を1つ選んでください。", "INPUT-NOT-PHASE")
    return phases


def _baseline(value: Any) -> Any:
    text = read_text(value)
    return UNKNOWN_BASELINE if text == UNKNOWN_BASELINE else read_number(value)


def _as_of(value: Any) -> Any:
    fy, day = read_fy_or_date(value)
    return day or fy


READERS: dict[str, Callable[[Any], Any]] = {
    "measure.pillar": lambda v: (p.value if (p := pillar_reader(v)) else None),
    "measure.programs": lambda v: tuple(read_list(v)),
    "measure.milestones": lambda v: tuple((m.fy, m.when or "", m.label) for m in read_milestones(v)),
    "fy": _phases,
    "kpi.baseline_value": _baseline,
    "kpi.baseline_as_of": _as_of,
    "kpi.target_value": read_number,
    "kpi.target_fy": read_fy,
    "kpi.interim": read_number,
}
EMPTY: dict[str, Any] = {"measure.programs": (), "measure.milestones": (), "fy": ()}


class FormTableReader:
    """A table found on a sheet of the answer: where its header is and which column holds which key."""

    def __init__(self, answer: Answer, grid: Grid, table: S.FormTable):
        self.answer, self.grid, self.table = answer, grid, table
        self.header_row: int | None = None
        self.cols: dict[str, int] = {}
        wanted = table.by_header
        for r, row in enumerate(grid[:60]):
            found = {}
            for c, value in enumerate(row):
                column = wanted.get(S.header_key(value))
                if column is not None and column.key not in found:
                    found[column.key] = c
            if table.columns[0].key in found and len(found) * 2 >= len(table.columns):
                self.header_row, self.cols = r, found
                break
        if self.header_row is None:
            self.problem("FORM-NO-TABLE", f"「{table.sheet}」シートの表の見出しが見つかりません。見出しの行を元に戻してください。"
                                          "このシートの回答は取り込みません。")
            return
        for column in table.columns:
            if column.key not in self.cols:
                self.problem("FORM-COLUMN-MISSING", f"見出し「{column.header.replace(chr(10), '')}」の列が見つかりません"
                                                    "（削除されたか、見出しが変わっています）。この列の回答は取り込みません。",
                             cell=cell_name(self.header_row, 0))

    def problem(self, code: str, message: str, cell: str = "", measure_id: str = "") -> None:
        self.answer.problems.append(Problem(code, message, self.answer.source, self.table.sheet, cell, measure_id))

    def rows(self):
        if self.header_row is None:
            return
        for r in range(self.header_row + 1, len(self.grid)):
            row = self.grid[r]
            if not all(is_blank(v) for v in row):
                yield r, row

    def raw(self, row: list, key: str) -> Any:
        c = self.cols.get(key)
        return row[c] if c is not None and c < len(row) else None

    def place(self, r: int, key: str) -> Place:
        return (self.table.sheet, cell_name(r, self.cols[key])) if key in self.cols else (self.table.sheet, "")

    def read(self, r: int, row: list, keys: list[str], measure_id: str = "") -> tuple[dict[str, Any], dict[str, Place]]:
        """The fields in keys as typed on row r (blank → empty); unreadable cells are problems and left out."""
        values: dict[str, Any] = {}
        places: dict[str, Place] = {}
        previous: tuple = ()
        for key in keys:
            if key not in self.cols:
                continue
            base, _ = F.split_key(key)
            value = self.raw(row, key)
            places[key] = self.place(r, key)
            if base == "fy" and isinstance(value, str) and value.strip() in CONTINUE_WORDS:
                values[key] = previous   # 「→」 carries the year before on
                continue
            if is_blank(value):
                values[key] = EMPTY.get(base, None if base in READERS else "")
            else:
                try:
                    values[key] = READERS.get(base, read_text)(value)
                except (CellError, ValueError) as exc:
                    self.problem(getattr(exc, "code", "INPUT-INVALID"), f"{exc} この欄は取り込みません。",
                                 places[key][1], measure_id)
                    continue
            if base == "fy":
                previous = values[key]
        return values, places

    def blank(self, row: list, keys: list[str]) -> bool:
        return all(is_blank(self.raw(row, k)) for k in keys)


def field_keys(table: S.FormTable, prefix: tuple[str, ...]) -> list[str]:
    return [c.key for c in table.columns if c.key.startswith(prefix) and c.key != "measure.domain"]
