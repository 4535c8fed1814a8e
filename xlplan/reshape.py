"""Reshape a workbook file in place: the plan period and start (year columns added or removed).

Two passes through the package layer, written atomically once: (1) the structure — year columns
inserted (formats, dropdowns and conditional formats copied from a neighbouring year column) or
deleted in both year blocks of every domain sheet and in the 工程表, and 基本情報's period; (2) the
sheets xlplan owns regenerated from the reshaped workbook (工程表, 進捗管理, 検証結果, 網羅表) and
what was dropped written to 「削除した内容」 and to a YAML file beside the workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from xlplan.adapters.package import add_sheet, edit_package, patch_package
from xlplan.adapters.package.physical import read_file, write_file
from xlplan.core.fiscal import period_label, wareki_fy
from xlplan.core.reshape import Dropped, YearChange, dropped_values, year_change
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.cells import fy_cell
from xlplan.layout.legacy import refuse_legacy
from xlplan.layout.ops import DeleteColumns, InsertColumns, Op, SetValues
from xlplan.layout.read import ReadResult

DROPPED_SHEET = "削除した内容"
DROPPED_HEADERS = ("日時", "シート", "施策ID", "指標名", "項目", "年度", "値")


@dataclass
class ReshapeResult:
    change: YearChange
    dropped: list[Dropped] = field(default_factory=list)
    dropped_file: Path | None = None
    renamed: list[tuple[str, str]] = field(default_factory=list)


def _block_ops(sheet: str, first: int, change: YearChange, like_offset: int = 0) -> list[Op]:
    """Column ops for one contiguous year block starting at column `first` (0-based): appended years
    after it, prepended years before it (formats copied from the block's edge), removed years deleted."""
    old, before, after = change.old, change.added_before, change.added_after
    last = first + len(old) - 1
    ops: list[Op] = []
    if after:
        ops.append(InsertColumns(sheet, last + 1, len(after), like=last))
    if before:
        ops.append(InsertColumns(sheet, first, len(before), like=first))
    shift = len(before)
    removed = [i for i, fy in enumerate(old) if fy in change.removed]
    for run in reversed(_runs(removed)):
        ops.append(DeleteColumns(sheet, first + shift + run[0], len(run)))
    return ops


def _runs(indexes: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def domain_ops(read: ReadResult, change: YearChange) -> list[Op]:
    """Both year blocks of every domain sheet, then their headers and group captions rewritten."""
    ops: list[Op] = []
    for domain in read.layout.domains:
        table = read.layout.tables[domain]
        # the right block first, so the left block's columns are still where the table says
        for prefix in ("target:", "fy:"):
            ops += _block_ops(domain, table.col(prefix + str(change.old[0])), change)
        cost = any(c.key == "measure.cost" for c in table.columns)
        extra = [c.header for c in table.columns if c.key.startswith("extra:")]
        new = L.domain_table(domain, change.new, cost, extra)
        ops += _header_ops(domain, new)
    return ops


def _header_ops(sheet: str, table: L.Table) -> list[Op]:
    ops: list[Op] = []
    for prefix in ("fy:", "target:"):
        cols = [c for c in table.columns if c.key.startswith(prefix)]
        first = table.col(cols[0].key)
        ops.append(SetValues(sheet, table.header_row, first, [[c.header for c in cols]]))
    for caption, first_key, _last in table.groups:
        if first_key.startswith(("fy:", "target:")):
            ops.append(SetValues(sheet, table.group_row, table.col(first_key), [[caption]]))
    return ops


def schedule_ops(read: ReadResult, change: YearChange) -> list[Op]:
    """The 工程表's time columns and their hidden code columns, added or removed at the end of each block:
    the sheet is redrawn afterwards, and its phase fills find their code column at a fixed offset that
    moves with these inserts and deletes."""
    layout = read.layout.schedule
    parts = layout.parts
    delta = (len(change.new) - len(change.old)) * parts
    if not change.changed:
        return []
    table = layout.table
    last_slot = table.col(layout.slot_key(change.old[-1], parts))
    last_code = table.col("code:" + layout.slot_key(change.old[-1], parts))
    ops = []
    if delta > 0:
        ops: list[Op] = [InsertColumns(L.SCHEDULE, last_code + 1, delta, like=last_code),
                         InsertColumns(L.SCHEDULE, last_slot + 1, delta, like=last_slot)]
    elif delta < 0:
        ops = [DeleteColumns(L.SCHEDULE, last_code + delta + 1, -delta),
               DeleteColumns(L.SCHEDULE, last_slot + delta + 1, -delta)]
    # the headers say which year each column is (the reader checks them before the redraw)
    new = L.ScheduleLayout(change.new, layout.subdivision).table
    return ops + [SetValues(L.SCHEDULE, new.header_row, 0, [[c.header for c in new.columns]])]


def info_ops(start_fy: int, years: int, start_month: int) -> list[Op]:
    values = {"start_fy": fy_cell(start_fy), "years": years, "start_month": start_month if start_month != 4 else None,
              "period": period_label(start_fy, years, start_month)}
    return [SetValues(L.INFO, L.INFO_FIELD[k].row, L.INFO_VALUE_COL, [[v]])
            for k, v in values.items() if k in L.INFO_FIELD and v is not None]


def dropped_message(dropped: list[Dropped]) -> str:
    shown = "\n".join("・" + d.line() for d in dropped[:30])
    more = f"\n…ほか {len(dropped) - 30}件" if len(dropped) > 30 else ""
    return (f"計画の枠組みを変えると、次の {len(dropped)}件の入力が計画期間から外れて消えます。\n{shown}{more}\n"
            "消してよい場合は、コマンドに --force を付けて（ボタンでは「はい」を選んで）もう一度実行してください。"
            f"消した内容はシート「{DROPPED_SHEET}」とブックの横の YAML ファイルに残ります。")


def plan_change(read: ReadResult, start_fy: int | None, years: int | None) -> YearChange:
    """The period asked for (options first, else 基本情報 as the clerk edited it) against the sheets' year columns."""
    refuse_legacy(read)
    if read.plan is None:
        raise XlplanUserError("「基本情報」の計画開始年度を読み取れません。セルを確認してから、もう一度実行してください。",
                              sheet=L.INFO, cell=L.INFO_LAYOUT.value_cell("start_fy"))
    old = tuple(read.layout.fiscal_years)
    if not old:
        raise XlplanUserError("分野のシートに年度の列が見つかりません。列の見出しを元に戻してから、もう一度実行してください。")
    start = start_fy if start_fy is not None else read.plan.start_fy
    count = years if years is not None else read.plan.years
    if not 1 <= count <= 10:
        raise XlplanUserError(f"計画期間は1〜10年で指定してください（指定: {count}年）。")
    return year_change(old, start, count)


def reshape_file(path: Path, *, start_fy: int | None = None, years: int | None = None, start_month: int | None = None,
                 rename: tuple[tuple[str, str], ...] = (), force: bool = False,
                 today: dt.datetime | None = None) -> ReshapeResult:
    from xlplan.adapters.xlsx_file import read_plan_values, sheet_names
    from xlplan.layout.read import read_plan
    from xlplan.reshape_domains import check_rename, rename_domain

    path = Path(path)
    values = read_plan_values(path, (L.SCHEDULE, L.LISTS))
    read = read_plan(values)
    change = plan_change(read, start_fy, years)
    names = sheet_names(path)
    domains = list(read.layout.domains)
    for old_name, new_name in rename:
        check_rename(domains, names, old_name, new_name)
        domains[domains.index(old_name)] = new_name
        names[names.index(old_name)] = new_name
    month = start_month if start_month is not None else read.plan.start_month
    dropped = dropped_values(read.plan, change.removed)
    if dropped and not force:
        raise XlplanUserError(dropped_message(dropped))
    ops = info_ops(change.new[0], len(change.new), month)
    if change.changed:
        ops = domain_ops(read, change) + schedule_ops(read, change) + ops
    structured = patch_package(read_file(path), ops)
    info, lists = values.get(L.INFO, []), values.get(L.LISTS, [])
    for old_name, new_name in rename:
        structured = rename_domain(structured, info, lists, old_name, new_name)
    result_renamed = list(rename)
    stamp = (today or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    final = regenerate(path, structured, dropped, stamp)
    result = ReshapeResult(change, dropped, renamed=result_renamed)
    if dropped:
        result.dropped_file = write_dropped_yaml(path, dropped, stamp)
    write_file(path, final)
    return result


def regenerate(path: Path, data: bytes, dropped: list[Dropped], stamp: str) -> bytes:
    """The sheets xlplan owns, redrawn from the reshaped workbook (read from a temporary copy beside it),
    and the dropped values appended to 「削除した内容」."""
    from xlplan.adapters.xlsx_file import read_plan_values, read_values, sheet_names
    from xlplan.layout.read import read_plan
    from xlplan.operations import coverage_ops, progress_ops, schedule_ops as redraw_schedule, validate_ops

    fd, name = tempfile.mkstemp(suffix=path.suffix, prefix=".xlplan-reshape-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        read = read_plan(read_plan_values(Path(name), (L.SCHEDULE,)))
        existing = (read_values(Path(name), [DROPPED_SHEET]).get(DROPPED_SHEET)
                    if dropped and DROPPED_SHEET in sheet_names(Path(name)) else None)
    finally:
        os.unlink(name)
    _findings, finding_ops = validate_ops(read)
    ops = redraw_schedule(read) + progress_ops(read) + coverage_ops(read) + finding_ops
    data = patch_package(data, ops)
    return with_dropped_sheet(data, dropped, stamp, existing) if dropped else data


def with_dropped_sheet(data: bytes, dropped: list[Dropped], stamp: str, existing: list | None) -> bytes:
    """「削除した内容」 (added when absent) with the dropped values appended below what it already lists."""
    rows: list[list] = []
    if existing is None:
        data = edit_package(data, lambda p: bool(add_sheet(p, DROPPED_SHEET)) and False)
        rows.append(list(DROPPED_HEADERS))
    rows += [[stamp, d.sheet, d.measure_id, d.kpi, d.what, wareki_fy(d.fy), d.value] for d in dropped]
    return patch_package(data, [SetValues(DROPPED_SHEET, len(existing or []), 0, rows)])


def write_dropped_yaml(path: Path, dropped: list[Dropped], stamp: str) -> Path:
    from xlplan.fileio import atomic_write_bytes

    target = path.with_name(f"{path.stem}_{DROPPED_SHEET}.yaml")
    entries = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else None
    entries = entries if isinstance(entries, list) else []
    entries.append({"日時": stamp, "ブック": path.name, "削除した内容": [d.as_dict() for d in dropped]})
    atomic_write_bytes(target, yaml.safe_dump(entries, allow_unicode=True, sort_keys=False).encode("utf-8"))
    return target
