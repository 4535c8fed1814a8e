"""Prototype input rules: the cell-input rules (SetValidation) xlplan may add to a built workbook later, each
carried by one empty cell of _lists, so that live Excel can give new cells a rule by copying that cell.

xlwings' remote engine (and so the live path as tested) has no call that creates a data validation, but a
Range.copy of a cell carries its rule. The builder writes, in _lists' columns RULE_KEYS and RULE_CELLS, one row
per rule of prototype_rules: the rule's key as a value, and beside it an empty cell with exactly that rule, the
format the builder gives that column's cells and the red/yellow marks. The live path finds a prototype by its
key in the _lists values it reads anyway (nothing is read from Excel's formatting), and a copy onto freshly
inserted, empty cells gives them what a freshly built workbook has. Workbooks built before have no prototypes:
the live path then leaves the rule to the command (xlplan.reshape_columns.live_limits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from xlplan.layout import sheets as L
from xlplan.layout.ops import (
    CopyCell,
    DeleteColumns,
    DeleteRows,
    FillBlanks,
    InsertColumns,
    InsertRows,
    MergeCells,
    Op,
    RemoveSheet,
    RenameSheet,
    ReplaceValues,
    SetValidation,
    SetValues,
)
from xlplan.layout.table import Column

NUMBERS_ONLY = "数値だけを入力してください（単位は単位の列へ）。"
FUNDING_SOURCE = "=" + L.LIST_NAMES["funding"]
PROTOTYPE_KEYS = ("measure.cost", "measure.funding")   # the columns whose rules reshape adds


def column_rule(sheet: str, row: int, col: int, rows: int, column: Column, source: str) -> SetValidation:
    """The rule the builder gives the column (xlplan.builder.workbook _dropdowns); source: the list's formula."""
    if column.dropdown:
        return SetValidation(sheet, row, col, rows, "list", source,
                             show_error=column.alert, title=column.header, message=column.help)
    if column.numeric:
        return SetValidation(sheet, row, col, rows, "decimal", title=column.header,
                             message=column.help, error=NUMBERS_ONLY)
    return SetValidation(sheet, row, col, rows, title=column.header, message=column.help)


def rule_key(op: SetValidation) -> str:
    """A stable key for what the rule does (not where): readable kind and title, then a digest of every field,
    so a rule whose text changed in a later xlplan does not match an older workbook's prototype."""
    fields = (op.kind, op.source, str(op.show_error), op.title, op.message, op.error)
    digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:12]
    return f"{op.kind}:{op.title}:{digest}"


def prototype_columns() -> tuple[Column, ...]:
    table = L.domain_table("", [], True)
    return tuple(table.columns[table.col(k)] for k in PROTOTYPE_KEYS)


def prototype_rules(col: int) -> tuple[tuple[SetValidation, Column], ...]:
    """Each rule a prototype carries, on _lists' RULE_CELLS column `col` from row 1, with the column it is for."""
    return tuple((column_rule(L.LISTS, i + 1, col, 1, c, FUNDING_SOURCE), c) for i, c in enumerate(prototype_columns()))


def prototype_cells(lists: Sequence[Sequence] | None) -> dict[str, tuple[int, int]]:
    """Key → (row, col) of its prototype cell on _lists, from _lists' values; empty for a workbook without them."""
    header = list(lists[0]) if lists else []
    if L.RULE_KEYS not in header or L.RULE_CELLS not in header:
        return {}
    key_col, cell_col = header.index(L.RULE_KEYS), header.index(L.RULE_CELLS)
    return {str(row[key_col]): (r, cell_col) for r, row in enumerate(lists[1:], start=1)
            if len(row) > key_col and isinstance(row[key_col], str) and row[key_col]}


def live_rule_ops(ops: Sequence[Op], lists: Sequence[Sequence] | None) -> tuple[list[Op], list[SetValidation]]:
    """The ops as live Excel applies them: a SetValidation on cells this batch inserted and has not written
    since becomes one CopyCell from its prototype (the copy brings the prototype's empty value, so it must
    land on empty cells). Rules re-applied over existing cells, which may hold the clerk's values, are left
    to the command. Returns the ops and the rules on new cells that found no prototype (built before)."""
    cells = prototype_cells(lists)
    fresh = _Fresh()
    kept: list[Op] = []
    missing: list[SetValidation] = []
    for op in ops:
        if isinstance(op, SetValidation):
            if fresh.empty(op.sheet, op.row, op.row + op.rows, op.col):
                if (cell := cells.get(rule_key(op))) is None:
                    missing.append(op)
                else:
                    kept.append(CopyCell(op.sheet, op.row, op.col, op.rows, L.LISTS, *cell))
            continue
        fresh.follow(op)
        kept.append(op)
    return kept, missing


def _moved(x: int, at: int, count: int) -> int:
    """A boundary after `count` lines are inserted (count > 0) or deleted (count < 0) at `at`."""
    if count >= 0:
        return x + count if x > at else x
    return x if x <= at else max(at, x + count)


class _Fresh:
    """Columns inserted in a batch, per sheet, and the rectangles written since: where cells are still empty."""

    def __init__(self) -> None:
        self.columns: dict[str, list[tuple[int, int]]] = {}                # [first, end)
        self.written: dict[str, list[tuple[int, int, int, int]]] = {}      # rows [r0, r1), columns [c0, c1)

    def empty(self, sheet: str, r0: int, r1: int, col: int) -> bool:
        return (any(a <= col < b for a, b in self.columns.get(sheet, []))
                and not any(w0 < r1 and r0 < w1 and c0 <= col < c1 for w0, w1, c0, c1 in self.written.get(sheet, [])))

    def follow(self, op: Op) -> None:
        if isinstance(op, RenameSheet):
            for table in (self.columns, self.written):
                if op.old in table:
                    table[op.new] = table.pop(op.old)
        elif isinstance(op, RemoveSheet):
            self.columns.pop(op.name, None)
            self.written.pop(op.name, None)
        elif isinstance(op, (InsertColumns, DeleteColumns)):
            count = op.count if isinstance(op, InsertColumns) else -op.count
            at = op.col - 1 if count > 0 else op.col   # an insert at col moves col itself right
            spans = [(_moved(a, at, count), _moved(b, at, count)) for a, b in self.columns.get(op.sheet, [])]
            if count > 0:
                spans.append((op.col, op.col + count))
            self.columns[op.sheet] = [(a, b) for a, b in spans if a < b]
            self.written[op.sheet] = [(r0, r1, _moved(c0, at, count), _moved(c1, at, count))
                                      for r0, r1, c0, c1 in self.written.get(op.sheet, [])]
        elif isinstance(op, (InsertRows, DeleteRows)):
            count = op.count if isinstance(op, InsertRows) else -op.count
            at = op.row - 1 if count > 0 else op.row
            self.written[op.sheet] = [(_moved(r0, at, count), _moved(r1, at, count), c0, c1)
                                      for r0, r1, c0, c1 in self.written.get(op.sheet, [])]
        elif isinstance(op, (SetValues, FillBlanks)):
            width = max((len(line) for line in op.values), default=0)
            self.written.setdefault(op.sheet, []).append((op.row, op.row + len(op.values), op.col, op.col + width))
        elif isinstance(op, ReplaceValues):
            self.written.setdefault(op.sheet, []).append((op.row, 1 << 30, 0, op.width or 1 << 30))
        elif isinstance(op, CopyCell):
            self.written.setdefault(op.sheet, []).append((op.row, op.row + op.rows, op.col, op.col + 1))
        elif isinstance(op, MergeCells):   # a copy onto part of a merged cell fails: as if written
            self.written.setdefault(op.sheet, []).append((op.row, op.row + 1, op.col, op.col + op.count))
