"""「回答を取り込む」: departments' answers → the merged plan (xlplan.core.merge) → write ops on the master.

Positions come from the layout and from where the reader found each measure:
a changed field is one cell of its measure's or KPI's row (layout key), a new
KPI is a row inserted under its measure, a new measure rows inserted under its
pillar (as 「カタログから追加」 does), a year's 実績値・状況・実績の説明・今後の取組 go to
that KPI's and year's row of 進捗管理 through xlplan.operations.actuals_ops.
Values are only written, never formats; a cell the reader could not read is
never written over. Every change, conflict and problem becomes a row of
「取込結果」, appended under the rows already there; a row already logged is
not logged again, so a second run with the same answers writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Problem
from xlplan.core.findings import Severity
from xlplan.core.merge import Change, MergeResult, Take, merge_answers
from xlplan.core.model import Measure, Plan
from xlplan.core.survey import SurveyKind
from xlplan.core.vocab import Pillar
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell, quote_sheet
from xlplan.layout.cells import Formula
from xlplan.layout.ops import FitRows, InsertRows, Op, SetValues
from xlplan.layout.legacy import refuse_legacy
from xlplan.layout.progress_values import progress_slots
from xlplan.layout.read import ReadResult
from xlplan.layout.read_cells import Grid
from xlplan.layout.sheet_values import kpi_cells, measure_cells, measure_rows
from xlplan.operations import ACTUAL_COLUMNS, ActualUpdate, actuals_ops, measure_insert_row

Place = tuple[str, str]
CHANGE_KINDS = ("変更", "実績", "指標の追加", "施策の追加")


@dataclass
class CollectResult:
    merge: MergeResult
    ops: list[Op]
    places: dict[int, Place] = field(default_factory=dict)      # index of a change in merge.changes → final cell
    conflict_places: dict[int, Place] = field(default_factory=dict)  # index of a conflict → the master's cell
    unplaced: list[Change] = field(default_factory=list)         # accepted, but this workbook has no cell for it
    refused: list[Problem] = field(default_factory=list)         # changes not written: the master's cell is unreadable
    log_rows: list[list[Any]] = field(default_factory=list)      # rows appended to 取込結果

    @property
    def needs_attention(self) -> bool:
        """Open conflicts, or problems the office must look at (notes for information aside)."""
        return (any(k.taken is None for k in self.merge.conflicts) or bool(self.refused)
                or any(not p.info for p in self.merge.problems))

    @property
    def written(self) -> list[Change]:
        return [c for i, c in enumerate(self.merge.changes) if i in self.places]


def answers_kind(answers: list[Answer]) -> SurveyKind | None:
    kinds = {a.signature.kind for a in answers}
    return kinds.pop() if len(kinds) == 1 else None


def collect_ops(read: ReadResult, answers: list[Answer], *, take: Take | None = None, now: dt.datetime,
                log: Grid | None = None) -> CollectResult:
    """The ops that bring the answers into the master read, and the rows that log them."""
    if read.plan is None:
        raise XlplanUserError("マスターの基本情報を読み取れません。計画開始年度を確認してください。", sheet=L.INFO)
    refuse_legacy(read)
    codes = read.layout.domain_codes
    merge = merge_answers(read.plan, answers, take=take, domain_codes=codes, kind=answers_kind(answers))
    writer = _Writer(read, merge, now.date())
    result = CollectResult(merge, writer.ops(), writer.places, writer.conflict_places, writer.unplaced, writer.refused)
    rows = log_rows(result, now)
    if log is not None:
        logged = {_log_key(list(x)) for x in log[L.COLLECT_TABLE.first_row:]}
        # Changes are always logged (each one was written); a conflict, problem or remark already listed is not repeated.
        result.log_rows = [r for r in rows if r[L.COLLECT_TABLE.col("log.kind")] in CHANGE_KINDS or _log_key(r) not in logged]
        if result.log_rows:
            first = max(L.COLLECT_TABLE.first_row, _last_used(log) + 1)
            result.ops += [SetValues(L.COLLECT_LOG, first, 0, result.log_rows), FitRows(L.COLLECT_LOG, first, len(result.log_rows))]
    else:
        result.log_rows = rows
    return result


class _Writer:
    def __init__(self, read: ReadResult, merge: MergeResult, today: dt.date):
        self.read = read
        self.today = today
        self.progress_regenerated = False
        self.merge = merge
        self.plan: Plan = merge.plan
        self.measures = {m.id: m for m in merge.plan.measures}
        self.unreadable = {(f.sheet, f.cell) for f in read.findings if f.severity is Severity.ERROR and f.cell}
        self.places: dict[int, Place] = {}
        self.conflict_places: dict[int, Place] = {}
        self.unplaced: list[Change] = []
        self.refused: list[Problem] = []

    def ops(self) -> list[Op]:
        cells: dict[tuple[str, int], dict[int, Any]] = defaultdict(dict)   # (sheet, row) → {col: value}
        where: dict[int, tuple[str, int, int]] = {}                        # change index → (sheet, row, col)
        actual: dict[ActualUpdate, int] = {}
        inserts: dict[tuple[str, int], list[tuple[int, list[Any]]]] = defaultdict(list)  # (sheet, row) → [(change, row values)]
        for i, c in enumerate(self.merge.changes):
            rows = self.read.locator.measures.get(c.measure_id)
            if c.kind == "施策の追加":
                self._new_measure(i, c, inserts)
            elif rows is None:
                self.unplaced.append(c)
            elif c.kind == "指標の追加":
                table = self.read.layout.domain_tables[rows.sheet]
                kpi = self.measures[c.measure_id].kpis[c.kpi]  # type: ignore[index]
                values = {"measure.id": c.measure_id, **kpi_cells(kpi)}
                inserts[(rows.sheet, rows.last_row + 1)].append((i, [[values.get(col.key) for col in table.columns]]))
            elif F.split_key(c.key)[0].partition(".")[2] in F.ACTUAL_MAPS and c.kpi is not None:
                base, fy = F.split_key(c.key)
                assert fy is not None
                name = base.partition(".")[2]
                value = getattr(self.measures[c.measure_id].kpis[c.kpi], name).get(fy)
                actual[ActualUpdate(c.measure_id, c.kpi, fy, name, value)] = i
            else:
                self._field(i, c, rows, cells, where)
        ops = self._cell_ops(cells)
        write = actuals_ops(self.read, list(actual), today=self.today)
        for u, place in write.refused.items():
            self._refuse(actual[u], place)
        for u, place in write.places.items():
            self.places[actual[u]] = place
        ops += write.ops
        self.progress_regenerated = bool(write.ops)
        self.unplaced += [self.merge.changes[actual[u]] for u in write.unplaced]
        for i, (sheet, row, col) in where.items():
            self.places[i] = (sheet, cell_name(row, col))
        self._conflict_places()
        return ops + self._insert_ops(inserts)

    def _progress_row(self, slot: tuple[str, int, int]) -> int | None:
        """The 進捗管理 row of a KPI's year: as read, or where actuals_ops regenerated it."""
        if self.progress_regenerated:
            rows = {s: i for i, s in enumerate(progress_slots(self.read.plan))}  # type: ignore[arg-type]
            return L.ProgressLayout().first_row + rows[slot] if slot in rows else None
        return self.read.locator.progress_rows.get(slot)

    def _conflict_places(self) -> None:
        """Where the master holds each conflicting field (before rows are inserted)."""
        for i, k in enumerate(self.merge.conflicts):
            rows = self.read.locator.measures.get(k.measure_id)
            if rows is None:
                continue
            base, fy = F.split_key(k.key)
            if base.partition(".")[2] in ACTUAL_COLUMNS and k.kpi is not None:   # held in 進捗管理
                row = self._progress_row((k.measure_id, k.kpi, fy))  # type: ignore[arg-type]
                if row is not None:
                    column = ACTUAL_COLUMNS[base.partition(".")[2]]
                    self.conflict_places[i] = (L.PROGRESS, L.ProgressLayout().table.cell(row, column))
                continue
            table = self.read.layout.domain_tables[rows.sheet]
            key = cell_key(table, k.key) or (base if table.has(base) else None)
            row = rows.first_row if k.kpi is None else rows.kpi_rows[k.kpi] if k.kpi < len(rows.kpi_rows) else None
            if key is not None and row is not None:
                self.conflict_places[i] = (rows.sheet, cell_name(row, table.col(key)))

    def _field(self, i: int, c: Change, rows, cells, where) -> None:
        table = self.read.layout.domain_tables[rows.sheet]
        key = cell_key(table, c.key)
        if key is None:
            self.unplaced.append(c)
            return
        measure = self.measures[c.measure_id]
        if c.kpi is None:
            row, value = rows.first_row, cell_value(key, measure, None)
        elif c.kpi < len(rows.kpi_rows):
            row, value = rows.kpi_rows[c.kpi], cell_value(key, measure, c.kpi)
        else:
            self.unplaced.append(c)
            return
        col = table.col(key)
        if (rows.sheet, cell_name(row, col)) in self.unreadable:
            self._refuse(i, (rows.sheet, cell_name(row, col)))
            return
        cells[(rows.sheet, row)][col] = value
        where[i] = (rows.sheet, row, col)

    def _refuse(self, i: int, place: Place) -> None:
        c = self.merge.changes[i]
        self.refused.append(Problem(
            "COLLECT-CELL-UNREADABLE",
            f"マスターの {place[0]}!{place[1]} は読み取れない値のため、{c.measure_id} の「{c.label}」を書き込みません。"
            "セルを直して（「検証」ボタンで確認できます）から、もう一度取り込んでください。", c.source, place[0], place[1], c.measure_id))

    def _new_measure(self, i: int, c: Change, inserts) -> None:
        measure = self.measures[c.measure_id]
        table = self.read.layout.domain_tables[measure.domain]
        order = measure.pillar.order if measure.pillar else len(Pillar)
        inserts[(measure.domain, measure_insert_row(self.read, measure.domain, order))].append(
            (i, measure_rows(measure, table)))

    def _cell_ops(self, cells: dict[tuple[str, int], dict[int, Any]]) -> list[Op]:
        """One SetValues per row, spanning its changed cells (None leaves the cells between as they are)."""
        ops: list[Op] = []
        for (sheet, row), by_col in sorted(cells.items()):
            first, last = min(by_col), max(by_col)
            ops.append(SetValues(sheet, row, first, [[by_col.get(c) for c in range(first, last + 1)]]))
        return ops

    def _insert_ops(self, inserts: dict[tuple[str, int], list[tuple[int, list[list[Any]]]]]) -> list[Op]:
        """Rows inserted bottom-up per sheet, so earlier insertion points keep their row numbers.
        The places logged are where cells end up after every insert."""
        ops: list[Op] = []
        by_sheet: dict[str, list[tuple[int, int]]] = defaultdict(list)   # sheet → [(row, rows inserted there)]
        for (sheet, row), items in inserts.items():
            by_sheet[sheet].append((row, sum(len(rows) for _, rows in items)))

        def final(sheet: str, row: int, inclusive: bool) -> int:
            return row + sum(n for at, n in by_sheet.get(sheet, ()) if at < row or (inclusive and at == row))

        for places in (self.places, self.conflict_places):   # cells of existing rows move down
            for i, (sheet, cell) in list(places.items()):
                row, col = parse_cell(cell)
                places[i] = (sheet, cell_name(final(sheet, row, True), col))
        for (sheet, row), items in sorted(inserts.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
            table = self.read.layout.domain_tables[sheet]
            offset = final(sheet, row, False)
            for i, rows in items:
                key = "measure.id" if self.merge.changes[i].kind == "施策の追加" else "kpi.name"
                self.places[i] = (sheet, cell_name(offset, table.col(key)))
                offset += len(rows)
            block = [r for _, rows in items for r in rows]
            ops += [InsertRows(sheet, row, len(block)), SetValues(sheet, row, 0, block), FitRows(sheet, row, len(block))]
        return ops


def cell_key(table: L.Table, key: str) -> str | None:
    """The column of the domain table that holds a field, or None when this layout has none."""
    if table.has(key):
        return key
    base, fy = F.split_key(key)
    if base in ("kpi.interim", "kpi.interim_statuses") and table.has(f"target:{fy}"):
        return f"target:{fy}"   # a year's target (a number, or a status word for a qualitative KPI)
    return None


def cell_value(column: str, measure: Measure, kpi: int | None) -> Any:
    """The cell value of one column for the merged measure (or its KPI); "" clears a cell."""
    if column.startswith("fy:"):
        value: Any = F.phases_text(F.schedule_values(measure).get(int(column[3:]), ()))
    elif kpi is None:
        value = measure_cells(measure).get(column)
    else:
        value = kpi_cells(measure.kpis[kpi]).get(column)
    return "" if value is None else value


# ------------------------------------------------------------------ 取込結果

def log_rows(result: CollectResult, now: dt.datetime) -> list[list[Any]]:
    t = L.COLLECT_TABLE
    stamp = f"{now:%Y/%m/%d %H:%M}"

    def row(**values: Any) -> list[Any]:
        return [values.get(c.key.partition(".")[2]) for c in t.columns]

    def link(place: Place | None) -> Any:
        if not place or not place[1]:
            return None
        text = f"{place[0]}!{place[1]}"
        return Formula(f'HYPERLINK("#{quote_sheet(place[0])}!{place[1]}","{text}")', text)

    rows = []
    merge = result.merge
    unplaced = {id(c) for c in result.unplaced}
    refused = {(p.measure_id, p.source) for p in result.refused}
    for i, c in enumerate(merge.changes):
        place = result.places.get(i)
        note = c.note
        kind = c.kind
        if id(c) in unplaced:
            kind, note = "未反映", f"{c.kind}: このブックには書き込む列がないため、回答の値をこの行に残します"
        elif place is None and (c.measure_id, c.source) in refused:
            continue   # listed below as a problem
        rows.append(row(time=stamp, owner=c.owner, source=c.source, kind=kind, measure_id=c.measure_id,
                        item=change_item(c), place=link(place), before=c.before or None, after=c.after or None, note=note or None))
    for i, k in enumerate(merge.conflicts):
        state = {"answer": "競合（回答を採用）", "master": "競合（マスターのまま）"}.get(k.taken or "", "競合（未反映）")
        note = f"照会時の値: {k.base or '（なし）'}"
        if k.taken is None:
            note += (f"。マスターのままにしています。回答を採る場合は、そのセルを書き換えるか、"
                     f"xlplan collect に --take {k.id}=answer を付けて取り込み直してください")
        rows.append(row(time=stamp, owner=k.owner, source=k.source, kind=state, measure_id=k.measure_id,
                        item=k.id.split(":", 1)[1].replace(":", " "), place=link(result.conflict_places.get(i)),
                        before=k.master or "（なし）", after=k.answer or "（なし）", note=note))
    for p in merge.problems:   # places are in the answer file, not in this workbook
        where = f"（回答の {p.sheet}!{p.cell}）" if p.cell else (f"（回答の {p.sheet}シート）" if p.sheet else "")
        rows.append(row(time=stamp, source=p.source or None, kind="参考" if p.info else "注意",
                        measure_id=p.measure_id or None, note=p.message + where))
    for p in result.refused:
        rows.append(row(time=stamp, source=p.source or None, kind="注意", measure_id=p.measure_id or None,
                        place=link((p.sheet, p.cell)), note=p.message))
    for source, owner, mid, text in merge.remarks:
        rows.append(row(time=stamp, owner=owner, source=source, kind="意見", measure_id=mid or None, note=text))
    if merge.missing:
        rows.append(row(time=stamp, owner="、".join(merge.missing), kind="未回答",
                        note=f"{len(merge.missing)}の担当課の回答がありません。"))
    return rows


def change_item(c: Change) -> str:
    return c.label if c.kpi is None or c.kind == "指標の追加" else f"KPI{c.kpi + 1} {c.label}"


def _log_key(row: list[Any]) -> tuple:
    """A logged row without its time: the same change, conflict or problem logged again is a duplicate."""
    values = [(v.cached if isinstance(v, Formula) else v) for v in row[1:L.COLLECT_TABLE.width]]
    values += [None] * (L.COLLECT_TABLE.width - 1 - len(values))
    return tuple(None if v == "" else v for v in values)


def _last_used(grid: Grid) -> int:
    for r in range(len(grid) - 1, -1, -1):
        if any(v not in (None, "") for v in grid[r]):
            return r
    return -1
