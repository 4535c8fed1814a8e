"""What a reshape writes, as write operations both adapters apply (the file patcher and live Excel).

plan_reshape turns the request (options, or 基本情報 as the clerk edited it) and the workbook as read
into pass 1: the structure — year columns inserted (formats, dropdowns and conditional formats copied
from a neighbouring year column) or deleted in both year blocks of every domain sheet and in the 工程表,
the 工程表's time columns for its subdivision (xlplan.reshape_schedule), the optional 概算事業費・財源 columns
(xlplan.reshape_columns), domain sheets renamed, added and removed, 基本情報's values. Pass 2 (regenerate_ops) redraws the sheets xlplan owns from
the workbook as pass 1 left it; dropped_sheet_ops lists what left the workbook in 「削除した内容」.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from xlplan.core.fiscal import period_label, wareki_fy
from xlplan.core.reshape import Dropped, YearChange, dropped_values, year_change
from xlplan.core.vocab import YES_NO, Subdivision
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.cells import fy_cell
from xlplan.layout.legacy import refuse_legacy
from xlplan.layout.ops import AddSheet, DeleteColumns, InsertColumns, MergeCells, Op, RemoveSheet, RenameSheet, SetValues
from xlplan.layout.read import ReadResult

DROPPED_SHEET = "削除した内容"
DROPPED_HEADERS = ("日時", "シート", "施策ID", "指標名", "項目", "年度", "値")


@dataclass(frozen=True)
class ReshapeRequest:
    """What the clerk asked for; None or empty keeps what 基本情報 says."""

    start_fy: int | None = None
    years: int | None = None
    start_month: int | None = None
    rename: tuple[tuple[str, str], ...] = ()
    add: tuple[str, ...] = ()
    remove: tuple[tuple[str, str], ...] = ()    # (domain, reason: recorded for a law domain)
    order: tuple[str, ...] = ()                 # the domains in 基本情報's order, when read from there
    subdivision: Subdivision | None = None
    cost_columns: bool | None = None     # 概算事業費（千円）・財源 の列: True adds, False removes


@dataclass
class ReshapePlan:
    change: YearChange
    ops: list[Op]                       # pass 1: structure and 基本情報
    dropped: list[Dropped] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)     # (domain, reason)
    copied: list[tuple[str, str]] = field(default_factory=list)      # (source sheet as read, added sheet)
    subdivision: tuple[Subdivision, Subdivision] | None = None   # (as built, asked for) when they differ
    cost_columns: bool | None = None     # True: the two columns were added, False: removed, None: unchanged

    @property
    def changes_anything(self) -> bool:
        return (self.change.changed or bool(self.renamed or self.added or self.removed) or self.subdivision is not None
                or self.cost_columns is not None)

    @property
    def mark_renames(self) -> list[tuple[str, str]]:
        """Sheets whose conditional formats may name another sheet in a literal (workbooks built before
        the marks' key cell): the renamed ones and the copies (files only: xlplan.reshape_domains)."""
        return self.renamed + self.copied


def read_for_reshape(values: Mapping[str, list], sheet_names: list[str],
                     request: ReshapeRequest) -> tuple[ReadResult, ReshapeRequest]:
    """The workbook as read before the change, and the request with the domains 基本情報's edited list
    adds and removes (when it differs from the domain sheets and no domain option was given).
    `values`: 基本情報, _lists and every sheet _lists records as a domain (besides what read_plan reads)."""
    from xlplan.layout.read import read_plan
    from xlplan.reshape_domain_changes import info_domains, with_domains

    found = info_domains(values, sheet_names, bool(request.add or request.remove or request.rename))
    if found.added or found.removed or found.renamed:
        values = with_domains(values, found.old)
        request = replace(request, add=found.added, remove=tuple((d, "") for d in found.removed), rename=found.renamed,
                          order=found.order)
    return read_plan(values), request


def plan_reshape(read: ReadResult, values: Mapping[str, list], sheet_names: list[str],
                 request: ReshapeRequest) -> ReshapePlan:
    """Pass 1 for `request` on the workbook as read (`values`: the sheets' values it was read from).

    Op order: the 概算事業費・財源 columns (right of the year blocks, so first); year columns of the kept
    domain sheets and the 工程表's time columns; 基本情報's period; renames (sheet,
    title, key, lists); added sheets (copies of the last domain sheet as reshaped, after it); removed
    sheets; 基本情報's skips, domain list and _lists; 網羅表's domain columns."""
    from xlplan.reshape_domain_changes import (add_ops, check_add, check_remove, coverage_column_ops,
                                               domain_dropped, list_ops, name_cell_ops, skip_ops,
                                               unskip_ops)
    from xlplan.reshape_columns import cost_columns_of, cost_ops, wanted_cost_columns
    from xlplan.reshape_domains import check_rename, rename_ops
    from xlplan.reshape_schedule import built_subdivision, schedule_ops

    change = plan_change(read, request.start_fy, request.years)
    names, domains = list(sheet_names), list(read.layout.domains)
    as_read = {d: d for d in domains}                       # current name -> name as read
    for old, new in request.rename:
        check_rename(domains, names, old, new)
        domains[domains.index(old)] = new
        names[names.index(old)] = new
        as_read[new] = as_read.pop(old)
    removed: list[tuple[str, str]] = []
    for name, reason in request.remove:
        removed.append((name, check_remove(name, reason, [d for d in domains if d not in dict(removed)], read.plan)))
    gone = {as_read[d] for d, _ in removed}
    remaining = [d for d in domains if d not in dict(removed)]
    for name in request.add:
        check_add(name, remaining + list(request.add[:request.add.index(name)]), names)

    month = request.start_month if request.start_month is not None else read.plan.start_month
    wanted = request.subdivision or read.plan.subdivision
    built = built_subdivision(values, change.old, read.layout.subdivision)
    ops = info_ops(change.new[0], len(change.new), month, wanted if request.subdivision else None)
    ops = (domain_ops(read, change, skip=gone) if change.changed else []) + schedule_ops(values, change, built, wanted) + ops
    cost = wanted_cost_columns(read, values, request.cost_columns)
    had = set(cost_columns_of(read, skip=gone).values())
    columns, dropped_columns = cost_ops(read, values, cost, skip=gone)   # right of the year blocks: applied first
    ops = columns + ops + (info_cost_ops(cost) if request.cost_columns is not None else [])
    info, lists = values.get(L.INFO, []), values.get(L.LISTS, [])
    for old, new in request.rename:
        ops += [RenameSheet(old, new)] + rename_ops(info, lists, old, new) + name_cell_ops(values, old, new, new)
    copied: list[tuple[str, str]] = []
    if request.add:
        source = [n for n in names if n in remaining][-1]   # the last domain sheet, in the book's order
        table = reshaped_table(read, as_read[source], change, cost)
        after = source
        for name in request.add:
            ops += add_ops(values, name, as_read[source], source, after, table)
            copied.append((as_read[source], name))
            after = name
    for name, _reason in removed:
        ops.append(RemoveSheet(name))
    gone_ids = {m.id for m in read.plan.measures if m.domain in gone}
    dropped = [d for d in dropped_values(read.plan, change.removed) if d.measure_id not in gone_ids] + dropped_columns
    for name, _reason in removed:
        dropped += domain_dropped(read, values, as_read[name])
    if request.add or removed:
        final = remaining + list(request.add)
        if request.order:
            final = [d for d in request.order if d in final] + [d for d in final if d not in request.order]
        ops += unskip_ops(values, request.add) + skip_ops(values, read.plan, removed) + list_ops(values, final)
        if L.COVERAGE in names:
            ops += coverage_column_ops(domains, [d for d, _ in removed], len(request.add))
    return ReshapePlan(change, ops, dropped, list(request.rename), list(request.add), removed, copied,
                       (built, wanted) if built != wanted else None, cost if had and had != {cost} else None)


def reshaped_table(read: ReadResult, domain: str, change: YearChange, cost: bool | None = None) -> L.Table:
    """A domain sheet's table once its year columns are reshaped (its clerk columns kept; its cost columns
    kept too, or as `cost` says when reshape adds or removes them)."""
    table = read.layout.tables[domain] if read.layout.tables else read.layout.domain_tables[domain]
    cost = any(c.key == "measure.cost" for c in table.columns) if cost is None else cost
    extra = [c.header for c in table.columns if c.key.startswith("extra:")]
    return L.domain_table(domain, change.new, cost, extra)


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


def _block_ops(sheet: str, first: int, change: YearChange) -> list[Op]:
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


def domain_ops(read: ReadResult, change: YearChange, skip: set[str] | frozenset[str] = frozenset()) -> list[Op]:
    """Both year blocks of every domain sheet (but those in `skip`, which go), then their headers and group
    captions rewritten."""
    ops: list[Op] = []
    for domain in read.layout.domains:
        if domain in skip:
            continue
        table = read.layout.tables[domain]
        # the right block first, so the left block's columns are still where the table says
        for prefix in ("target:", "fy:"):
            ops += _block_ops(domain, table.col(prefix + str(change.old[0])), change)
        grown = bool(change.added_before or change.added_after)
        ops += _header_ops(domain, reshaped_table(read, domain, change), merge=grown)
    return ops


def _header_ops(sheet: str, table: L.Table, merge: bool) -> list[Op]:
    """The year headers and the captions over both blocks; merge: years were added at a block's edge, where an
    inserted column stays outside the merged caption (in Excel as in files; deleted columns shrink it)."""
    ops: list[Op] = []
    for prefix in ("fy:", "target:"):
        cols = [c for c in table.columns if c.key.startswith(prefix)]
        first = table.col(cols[0].key)
        ops.append(SetValues(sheet, table.header_row, first, [[c.header for c in cols]]))
    for caption, first_key, last_key in table.groups:
        if first_key.startswith(("fy:", "target:")):
            first, last = table.col(first_key), table.col(last_key)
            ops.append(SetValues(sheet, table.group_row, first, [[caption]]))
            if merge:
                ops.append(MergeCells(sheet, table.group_row, first, last - first + 1))
    return ops


def info_ops(start_fy: int, years: int, start_month: int, subdivision: Subdivision | None = None) -> list[Op]:
    values = {"start_fy": fy_cell(start_fy), "years": years, "start_month": start_month if start_month != 4 else None,
              "period": period_label(start_fy, years, start_month), "subdivision": subdivision and subdivision.value}
    return [SetValues(L.INFO, L.INFO_FIELD[k].row, L.INFO_VALUE_COL, [[v]])
            for k, v in values.items() if k in L.INFO_FIELD and v is not None]


def info_cost_ops(cost_columns: bool) -> list[Op]:
    return [SetValues(L.INFO, L.INFO_FIELD["cost_columns"].row, L.INFO_VALUE_COL, [[YES_NO[0] if cost_columns else YES_NO[1]]])]


def regenerate_ops(read: ReadResult) -> list[Op]:
    """Pass 2: the sheets xlplan owns (工程表, 進捗管理, 網羅表, 検証結果) redrawn from the reshaped workbook."""
    from xlplan.operations import coverage_ops, progress_ops, schedule_ops as redraw_schedule, validate_ops

    _findings, finding_ops = validate_ops(read)
    return redraw_schedule(read) + progress_ops(read) + coverage_ops(read) + finding_ops


def dropped_sheet_ops(dropped: list[Dropped], stamp: str, existing: list | None) -> list[Op]:
    """「削除した内容」 (added when absent: existing None) with the dropped values below what it already lists."""
    if not dropped:
        return []
    ops: list[Op] = []
    rows: list[list] = []
    if existing is None:
        ops.append(AddSheet(DROPPED_SHEET))
        rows.append(list(DROPPED_HEADERS))
    rows += [[stamp, d.sheet, d.measure_id, d.kpi, d.what, wareki_fy(d.fy) if d.fy is not None else None, d.value]
             for d in dropped]
    return ops + [SetValues(DROPPED_SHEET, len(existing or []), 0, rows)]


def dropped_lines(dropped: list[Dropped], limit: int = 30) -> str:
    shown = "\n".join("・" + d.line() for d in dropped[:limit])
    more = f"\n…ほか {len(dropped) - limit}件" if len(dropped) > limit else ""
    counts: dict[str, int] = {}
    for d in dropped:
        counts[d.what] = counts.get(d.what, 0) + 1
    kinds = "、".join(f"{what} {n}件" for what, n in counts.items())
    return (f"計画の枠組みを変えると、次の {len(dropped)}件の入力が消えます（計画期間から外れる年度、外す分野、取り除く列。内訳: {kinds}）。\n"
            f"{shown}{more}\n")


def dropped_message(dropped: list[Dropped]) -> str:
    return (dropped_lines(dropped) + "消してよい場合は、コマンドに --force を付けて（ボタンでは「はい」を選んで）もう一度実行してください。"
            f"消した内容はシート「{DROPPED_SHEET}」とブックの横の YAML ファイルに残ります。")


def dropped_question(dropped: list[Dropped]) -> str:
    """The button's Yes/No question (a message box: the list is kept short)."""
    return (dropped_lines(dropped, 12) + f"\n消した内容はシート「{DROPPED_SHEET}」（保存したブックなら、ブックと同じフォルダーの "
            "YAML ファイルにも）に残ります。\n消して計画の枠組みを変えるときは［はい］、やめるときは［いいえ］を押してください。")
