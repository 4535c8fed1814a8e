"""The optional standard columns 概算事業費（千円） and 財源 added to or removed from every domain sheet, as ops.

Added right after 備考 (the last column of 「詳細」), before the clerk's own columns, which move right with
their values: formats and the outline level (collapsed with 「詳細」) come from 備考, the widths, headers, the
number format of 概算事業費 and the input rules (numbers only; the 財源 dropdown, which suggests and lets anything
be typed) from the layout.
Removed with their values, which reshape lists first and keeps in 「削除した内容」.

The 財源 dropdown lists _lists' 「funding」 column (一般財源, 地方債, その他, then the programs' IDs) through
the name xlplan_funding; reshape rewrites that list, so IDs added to 「国・県の施策」 since appear in it.
Live Excel cannot create validations: the button copies each rule's prototype cell from _lists onto the new
columns (xlplan.layout.rule_prototypes; the copy also gives them the builder's format for the column and the
red/yellow marks), or, for a workbook built before the prototypes, applies everything else and tells the
clerk what is missing (live_limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from xlplan.core.funding import funding_choices
from xlplan.core.reshape import Dropped
from xlplan.core.vocab import YES_NO
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.cells import is_blank
from xlplan.layout.ops import (
    DeleteColumns,
    InsertColumns,
    Op,
    SetColumnWidths,
    SetNumberFormat,
    SetValues,
)
from xlplan.layout.read import ReadResult
from xlplan.layout.rule_prototypes import column_rule, live_rule_ops, prototype_columns
from xlplan.layout.styles import STYLES

if TYPE_CHECKING:
    from xlplan.reshape_plan import ReshapePlan

COST_KEYS = ("measure.cost", "measure.funding")
DOMAIN_RULE_ROWS = 1000   # rows of a domain sheet that carry input rules (as the builder makes them)
FUNDING_KEY = "funding"   # the _lists header of the 財源 list


def parse_cost_columns(text: str) -> bool:
    value = text.strip()
    if value in (YES_NO[0], "yes", "on", "1", "はい"):
        return True
    if value in (YES_NO[1], "no", "off", "0", "いいえ"):
        return False
    raise XlplanUserError(f"--cost-columns は「あり」か「なし」で指定してください（指定: {text}）。")


def wanted_cost_columns(read: ReadResult, values: Mapping[str, list], asked: bool | None) -> bool:
    """The option, else 基本情報's 「事業費・財源の列」, else (left blank) what the sheets have now."""
    if asked is not None:
        return asked
    info = values.get(L.INFO) or []
    row = L.INFO_FIELD["cost_columns"].row
    cell = info[row][L.INFO_VALUE_COL] if len(info) > row and len(info[row]) > L.INFO_VALUE_COL else None
    if is_blank(cell):
        return any(cost_columns_of(read).values())
    return read.plan.cost_columns


def cost_columns_of(read: ReadResult, skip: set[str] | frozenset[str] = frozenset()) -> dict[str, bool]:
    """Whether each domain sheet (but those in `skip`, which reshape removes) has the two columns now."""
    return {d: read.layout.domain_tables[d].has("measure.cost") for d in read.layout.domains if d not in skip}


def cost_ops(read: ReadResult, values: Mapping[str, list], wanted: bool,
             skip: set[str] | frozenset[str] = frozenset()) -> tuple[list[Op], list[Dropped]]:
    """Pass 1 ops that give every domain sheet (but those in `skip`, which go) the two columns (wanted) or
    none, and what removing drops. Applied before the year columns change: the two columns lie to the right
    of both year blocks."""
    ops: list[Op] = []
    for domain, has in cost_columns_of(read, skip).items():
        table = read.layout.domain_tables[domain]
        if wanted and not has:
            at = table.col("measure.notes") + 1
            columns = prototype_columns()
            ops += [InsertColumns(domain, at, len(columns), like=at - 1),
                    SetColumnWidths(domain, at, tuple(c.width for c in columns)),
                    SetValues(domain, table.header_row, at, [[c.header for c in columns]])]
            # 備考's formats, with the number format the builder gives a number column (1,000 and decimals)
            ops += [SetNumberFormat(domain, table.first_row, at + i, DOMAIN_RULE_ROWS, STYLES[c.style]["num_format"])
                    for i, c in enumerate(columns) if "num_format" in STYLES[c.style]]
        elif not wanted and has:
            ops.append(DeleteColumns(domain, table.col("measure.cost"), len(COST_KEYS)))
        if wanted:
            at = table.col("measure.cost") if has else table.col("measure.notes") + 1
            source = funding_source(values.get(L.LISTS))
            ops += [column_rule(domain, table.first_row, at + i, DOMAIN_RULE_ROWS, c, source) for i, c in enumerate(prototype_columns())]
    if wanted:
        ops += funding_list_ops(read, values.get(L.LISTS))
    return ops, ([] if wanted else dropped_costs(read, skip))


def funding_list_ops(read: ReadResult, lists: list | None) -> list[Op]:
    """_lists' 財源 list rewritten with the programs as read (workbooks older than the list get the column;
    their dropdown then refers to it directly, having no name for it)."""
    header = list(lists[0]) if lists else []
    col = header.index(FUNDING_KEY) if FUNDING_KEY in header else _free_col(header)
    choices = funding_choices(read.plan)[: L.FUNDING_LIST_ROWS]
    column = [[FUNDING_KEY], *([c] for c in choices), *([""] for _ in range(L.FUNDING_LIST_ROWS - len(choices)))]
    return [SetValues(L.LISTS, 0, col, column)]


def funding_source(lists: list | None) -> str:
    """The 財源 dropdown's list: the name, or for a workbook built before it, the formula it would stand for."""
    header = list(lists[0]) if lists else []
    if FUNDING_KEY in header:
        return "=" + L.LIST_NAMES[FUNDING_KEY]
    return L.funding_list_formula(_free_col(header))


def _free_col(header: list) -> int:
    """Where a workbook built before the 財源 list gets it: one column past the last header, leaving the first
    free column to the 工程表's record (xlplan.reshape_schedule.record_ops), which such workbooks may lack too."""
    while header and header[-1] in (None, ""):
        header = header[:-1]
    return len(header) + 1


def dropped_costs(read: ReadResult, skip: set[str] | frozenset[str] = frozenset()) -> list[Dropped]:
    found: list[Dropped] = []
    for m in (m for m in (read.plan.measures if read.plan else []) if m.domain not in skip):
        if m.cost is not None:
            found.append(Dropped(m.domain, m.id, "", "概算事業費（千円）", None, _number(m.cost)))
        if m.funding:
            found.append(Dropped(m.domain, m.id, "", "財源", None, "、".join(m.funding)))
    return found


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def live_limits(plan: ReshapePlan, lists: list | None) -> tuple[list[Op], list[str]]:
    """Pass 1 as the live path can apply it, and what it cannot do, said to the clerk. Live Excel cannot
    create an input rule: the rules of the columns the button adds are copied from the workbook's prototype
    cells (xlplan.layout.rule_prototypes); a workbook built before has none, and the clerk hears that the
    command adds them. The rules of columns that were already there are only re-applied (files)."""
    ops, missing = live_rule_ops(plan.ops, lists)
    if not missing:
        return ops, []
    sheets = "・".join(dict.fromkeys(op.sheet for op in missing))
    note = ("概算事業費（千円）と財源の列は追加しましたが、このブックは以前の xlplan で作られたため、Excel のボタンからは"
            f"入力規則（財源のドロップダウン、数値だけの入力、入力時の説明）を付けられません（シート: {sheets}）。"
            "付けるには、ブックを保存して閉じてから、コマンド xlplan reshape ブック.xlsm を実行してください。"
            "列と入力した値はそのまま使えます。")
    return ops, [note]
