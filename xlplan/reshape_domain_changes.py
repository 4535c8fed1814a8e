"""Domains added and removed by reshape, as write operations both adapters apply, and the change read
from 基本情報 when the clerk edited its list of domains and pressed the button (or ran reshape) without
options.

Added: a copy of the last domain sheet (formats, dropdowns, marks, print setup, buttons) keeping its
header rows, placed after it, with its own title and the sheet-name key its marks compare with
(L.DOMAIN_KEY_CELL); 基本情報's list, _lists' xlplan_domains and a 網羅表 column follow. Removed: every
value on the sheet (and its measures' 進捗管理 input) listed as dropped first, a law domain's reason
recorded among 基本情報's 取り組まない柱・分野, then the sheet, its 網羅表 column and its list entries go.
The sheets xlplan redraws (工程表, 進捗管理, 網羅表, 検証結果) follow in pass 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xlplan.core.model import Plan
from xlplan.core.reshape import Dropped, dropped_values, value_text
from xlplan.core.vocab import DEFAULT_DOMAINS, normalize_domain
from xlplan.errors import WorkbookWriteError, XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.cells import read_text
from xlplan.layout.ops import AddSheet, DeleteColumns, FitRows, InsertColumns, Op, SetValues
from xlplan.layout.read import ReadResult
from xlplan.layout.read_info import domains_listed

COMMAND = "xlplan reshape"


def domain_title(domain: str) -> str:
    """The title in A1 of a domain sheet."""
    return f"{domain}　個別施策"


def parse_remove(text: str) -> tuple[str, str]:
    """--remove-domain 名前 or 名前=理由 (the reason is recorded among 基本情報's 取り組まない柱・分野)."""
    for sep in ("=", "＝"):
        if sep in text:
            name, reason = (s.strip() for s in text.split(sep, 1))
            return normalize_domain(name), reason
    return normalize_domain(text.strip()), ""


def _text(value) -> str:
    try:
        return read_text(value).strip()
    except Exception:   # an error value (#REF!) is not a name
        return ""


# ---------------------------------------------------------------- what 基本情報 asks for


def recorded_domains(lists: Sequence[Sequence] | None) -> list[str]:
    """The domains the workbook has sheets for, as xlplan last wrote them (_lists' domain column)."""
    if not lists or "domain" not in lists[0]:
        return []
    col = list(lists[0]).index("domain")
    return [normalize_domain(t) for r in lists[1:] if col < len(r) and (t := _text(r[col]))]


def _listed_rows(info: Sequence[Sequence]) -> list[str]:
    """基本情報's domain cells, one per row of the list (blank rows as "")."""
    layout = L.INFO_LAYOUT
    first = layout.domains_header_row + 1
    rows = [info[r] if r < len(info) else [] for r in range(first, first + layout.domains_capacity)]
    return [normalize_domain(t) if (t := _text(r[layout.domains_col] if layout.domains_col < len(r) else None)) else ""
            for r in rows]


@dataclass(frozen=True)
class InfoDomains:
    """The domains the sheets have (old), and what 基本情報's edited list adds and removes."""

    old: tuple[str, ...]
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()   # a name written over an empty domain's
    order: tuple[str, ...] = ()      # 基本情報's list as the clerk wrote it


def info_domains(values: Mapping[str, list], sheet_names: Sequence[str], explicit: bool) -> InfoDomains:
    """Compare 基本情報's list of domains with the domain sheets the workbook has (as _lists records them).
    A name listed without a sheet is added, a sheet whose name left the list is removed; what could be
    read two ways (a name written over another one, a sheet renamed by hand) is refused."""
    info = values.get(L.INFO, [])
    listed = domains_listed(info)
    recorded = recorded_domains(values.get(L.LISTS)) or [d for d in listed if d in sheet_names]
    fix = ("シート名を手で変えた場合は元の名前に戻し、名前は xlplan reshape --rename-domain 旧=新"
           "（ボタンでは「基本情報」の分野の一覧を書き換えて「計画の枠組みを変更」）で変えてください。")
    for d in recorded:
        if d not in sheet_names:
            raise XlplanUserError(f"分野「{d}」のシートが見つかりません。{fix}", sheet=L.INFO)
    if listed == recorded or not listed:
        return InfoDomains(tuple(recorded))
    if explicit:
        raise XlplanUserError(
            f"「基本情報」の分野の一覧（{'、'.join(listed)}）が分野のシート（{'、'.join(recorded)}）と違います。"
            "一覧を書き換えた場合はオプションを付けずに実行するか、一覧を元に戻してからオプションを付けて実行してください。",
            sheet=L.INFO)
    added = tuple(d for d in listed if d not in recorded)
    removed = tuple(d for d in recorded if d not in listed)
    for d in added:
        if d in sheet_names:
            raise XlplanUserError(f"「基本情報」の分野「{d}」と同じ名前のシートが既にあります。{fix}", sheet=L.INFO)
    rows = _listed_rows(info)
    first = L.INFO_LAYOUT.domains_header_row + 1
    renamed: list[tuple[str, str]] = []
    for i, name in enumerate(rows):
        if name in added and i < len(recorded) and recorded[i] in removed:
            if not _has_input(values.get(recorded[i], [])):
                renamed.append((recorded[i], name))    # nothing on the sheet: renaming it loses and misplaces nothing
                continue
            cell = f"A{first + i + 1}"
            raise XlplanUserError(
                f"「基本情報」の {cell} の分野「{recorded[i]}」が「{name}」に書き換えられています。名前を変えるのか、"
                f"分野を入れ替えるのか決められません。名前を変える場合は {cell} を「{recorded[i]}」に戻して "
                f"{COMMAND} ブック --rename-domain {recorded[i]}={name} を、入れ替える場合は {cell} を戻して "
                f"{COMMAND} ブック --add-domain {name} --remove-domain {recorded[i]} を実行してください。",
                sheet=L.INFO, cell=cell)
    added = tuple(d for d in added if d not in dict((n, o) for o, n in renamed))
    removed = tuple(d for d in removed if d not in dict(renamed))
    return InfoDomains(tuple(recorded), added, removed, tuple(renamed), tuple(listed))


def _has_input(grid: Sequence[Sequence]) -> bool:
    """Whether a domain sheet has anything typed below its headers."""
    return any(_text(v) for row in grid[L.DOMAIN_HEADER_ROW + 1:] for v in row)


def with_domains(values: Mapping[str, list], domains: Sequence[str]) -> dict[str, list]:
    """The values with 基本情報's domain list as the sheets have it, so the workbook reads as it is before
    the change (the reader reads the domains 基本情報 lists)."""
    layout = L.INFO_LAYOUT
    info = [list(r) for r in values.get(L.INFO, [])]
    first = layout.domains_header_row + 1
    for i in range(layout.domains_capacity):
        row = first + i
        while len(info) <= row:
            info.append([])
        cells = info[row]
        while len(cells) <= layout.domains_col:
            cells.append(None)
        cells[layout.domains_col] = domains[i] if i < len(domains) else None
    copy = type(values)() if hasattr(values, "sheet_names") else {}
    copy.update(values)
    for attr in ("sheet_names", "percent_cells", "merged"):
        if hasattr(values, attr):
            setattr(copy, attr, getattr(values, attr))
    copy[L.INFO] = info
    return copy


# ---------------------------------------------------------------- checks


def check_add(name: str, domains: Sequence[str], sheets: Sequence[str]) -> None:
    from xlplan.adapters.package.sheetlist import check_name

    if name in domains:
        raise XlplanUserError(f"分野「{name}」は既にあります（分野: {'、'.join(domains)}）。")
    if name in sheets:
        raise XlplanUserError(f"「{name}」という名前のシートが既にあります。別の名前を指定してください。")
    if len(domains) >= L.DOMAINS_CAPACITY:
        raise XlplanUserError(f"分野は{L.DOMAINS_CAPACITY}個までです（「基本情報」の分野の一覧の行数）。先に使わない分野を外してください。", sheet=L.INFO)
    try:
        check_name(name, list(sheets))
    except WorkbookWriteError as exc:  # the package layer's own message, in Japanese
        raise XlplanUserError(str(exc)) from None


def skip_reason(plan: Plan | None, name: str) -> str:
    for s in plan.skips if plan is not None else ():
        if normalize_domain(s.target) == name and s.reason.strip():
            return s.reason.strip()
    return ""


def check_remove(name: str, reason: str, domains: Sequence[str], plan: Plan | None) -> str:
    """The reason recorded for a law domain (given, or already in 基本情報's skips)."""
    if name not in domains:
        raise XlplanUserError(f"分野「{name}」はこの計画にありません（分野: {'、'.join(domains)}）。"
                              "「基本情報」の分野の一覧にある名前を指定してください。")
    if [d for d in domains if d != name] == []:
        raise XlplanUserError(f"分野「{name}」は最後の分野のため外せません。先に別の分野を追加してください。")
    reason = reason or skip_reason(plan, name)
    if name in DEFAULT_DOMAINS and not reason:
        raise XlplanUserError(
            f"「{name}」は法の定める分野のため、外すときは理由を残します。{COMMAND} ブック --remove-domain {name}=理由 "
            "のように理由を付けるか、「基本情報」の「取り組まない柱・分野と理由」に分野名と理由を書いてから、もう一度実行してください。",
            sheet=L.INFO, cell=f"A{L.SKIPS.first_row + 1}")
    return reason


# ---------------------------------------------------------------- values that go with a removed domain


def sheet_dropped(grid: Sequence[Sequence], table: L.Table, sheet: str) -> list[Dropped]:
    """Every value typed on a domain sheet's rows, the clerk's own columns too, with its measure and KPI."""
    headers = list(grid[table.header_row]) if len(grid) > table.header_row else []
    id_col, kpi_col = table.col("measure.id"), table.col("kpi.name")
    found: list[Dropped] = []
    measure = ""
    for row in grid[table.first_row:]:
        cells = list(row)
        if not any(_text(v) for v in cells):
            continue
        measure = _text(cells[id_col]) if id_col < len(cells) and _text(cells[id_col]) else measure
        kpi = _text(cells[kpi_col]) if kpi_col < len(cells) else ""
        for c, value in enumerate(cells):
            if value is None or (isinstance(value, str) and not value.strip()) or c == id_col:
                continue
            key = table.columns[c].key if c < table.width else ""
            fy = int(key.split(":")[1]) if key.startswith(("fy:", "target:")) else None
            what = ("工程" if key.startswith("fy:") else "年度ごとの目標" if key.startswith("target:")
                    else table.columns[c].header if c < table.width else _text(headers[c]) if c < len(headers) else "")
            found.append(Dropped(sheet, measure, kpi, what.replace("\n", ""), fy, value_text(value)))
    return found


def domain_dropped(read: ReadResult, values: Mapping[str, list], name: str) -> list[Dropped]:
    """What removing domain `name` drops: the values on its sheet, then its measures' 進捗管理 input."""
    found = sheet_dropped(values.get(name, []), read.layout.domain_tables[name], name)
    if read.plan is not None:
        mine = read.plan.model_copy(update={"measures": [m for m in read.plan.measures if m.domain == name]})
        found += [d for d in dropped_values(mine, read.plan.fiscal_years) if d.sheet == L.PROGRESS]
    return found


# ---------------------------------------------------------------- the operations


def _holds_name(values: Mapping[str, list], sheet: str) -> bool:
    """Whether the sheet's marks compare with its name in L.DOMAIN_KEY_CELL (built by this xlplan), rather than
    naming the sheet in the rule (built before: xlplan.reshape_domains rewrites those in files)."""
    r, c = L.DOMAIN_KEY_CELL
    grid = values.get(sheet, [])
    return r < len(grid) and c < len(grid[r]) and _text(grid[r][c]) == sheet


def marks_naming_sheets(values: Mapping[str, list], pairs: list[tuple[str, str]]) -> list[str]:
    """Of the sheets renamed or copied (as read → new), those whose marks name the sheet in the rule (workbooks
    built before the key cell): only the file path can rewrite those rules."""
    return [old for old, _new in pairs if not _holds_name(values, old)]


def name_cell_ops(values: Mapping[str, list], old: str, new: str, sheet: str) -> list[Op]:
    """The title and the marks' key of domain sheet `sheet` (now named `new`, read as `old`), where they say
    what xlplan wrote (a title the clerk changed stays)."""
    grid = values.get(old, [])
    ops: list[Op] = []
    title = _text(grid[0][0]) if grid and grid[0] else ""
    if title in ("", domain_title(old)):
        ops.append(SetValues(sheet, 0, 0, [[domain_title(new)]]))
    if _holds_name(values, old):
        r, c = L.DOMAIN_KEY_CELL
        ops.append(SetValues(sheet, r, c, [[new]]))
    return ops


def add_ops(values: Mapping[str, list], name: str, source_old: str, source_now: str,
            after: str, table: L.Table) -> list[Op]:
    """Domain sheet `name`: a copy of `source_now` (read as `source_old`; `table`: its columns once the years
    are reshaped) keeping its header rows, after sheet `after`; the clerk's own column headers are not copied."""
    ops: list[Op] = [AddSheet(name, like=source_now, after=after, keep_rows=table.first_row)]
    ops += name_cell_ops(values, source_old, name, name)
    for col in [i for i, c in enumerate(table.columns) if c.key.startswith("extra:")]:
        ops.append(SetValues(name, table.header_row, col, [[""]]))
    grid = values.get(source_old, [])
    rows = len(grid) - table.first_row
    if rows > 0:
        ops.append(FitRows(name, table.first_row, rows))   # the copied rows' heights fitted to no text
    return ops


def coverage_column_ops(old: Sequence[str], removed: Sequence[str], added: int) -> list[Op]:
    """網羅表's domain columns (B onwards, one per domain) removed and added, with their formats."""
    ops: list[Op] = [DeleteColumns(L.COVERAGE, 1 + old.index(d), 1)
                     for d in sorted(removed, key=old.index, reverse=True)]
    kept = len(old) - len(removed)
    if added and kept:
        ops.append(InsertColumns(L.COVERAGE, 1 + kept, added, like=kept))
    return ops


def list_ops(values: Mapping[str, list], final: Sequence[str]) -> list[Op]:
    """基本情報's domain list and _lists' xlplan_domains entries: the final domains, then blanks."""
    layout = L.INFO_LAYOUT
    cells = [[d] for d in final] + [[""]] * (layout.domains_capacity - len(final))
    ops: list[Op] = [SetValues(L.INFO, layout.domains_header_row + 1, layout.domains_col, cells)]
    lists = values.get(L.LISTS, [])
    if lists and "domain" in lists[0]:
        col = list(lists[0]).index("domain")
        before = sum(1 for r in lists[1:] if col < len(r) and _text(r[col]))
        ops.append(SetValues(L.LISTS, 1, col, [[d] for d in final] + [[""]] * max(0, before - len(final))))
    return ops


def skip_ops(values: Mapping[str, list], plan: Plan | None, reasons: Sequence[tuple[str, str]]) -> list[Op]:
    """A removed domain's reason among 基本情報's 取り組まない柱・分野と理由 (unless it is there already)."""
    info = values.get(L.INFO, [])
    table = L.SKIPS
    free = [r for r in range(table.first_row, table.first_row + L.SKIPS_CAPACITY)
            if not any(_text(v) for v in (info[r][:table.width] if r < len(info) else []))]
    ops: list[Op] = []
    for name, reason in reasons:
        if not reason or skip_reason(plan, name):
            continue
        if not free:
            raise XlplanUserError("「基本情報」の「取り組まない柱・分野と理由」に空きがありません。使わない行を消してから、"
                                  "もう一度実行してください。", sheet=L.INFO, cell=f"A{table.first_row + 1}")
        ops.append(SetValues(L.INFO, free.pop(0), 0, [[name, reason]]))
    return ops


def unskip_ops(values: Mapping[str, list], added: Sequence[str]) -> list[Op]:
    """A domain added (back): its row among 基本情報's 取り組まない柱・分野と理由 emptied, so the reason does not
    hide that the new sheet has no measures yet."""
    info = values.get(L.INFO, [])
    table = L.SKIPS
    ops: list[Op] = []
    for r in range(table.first_row, min(table.first_row + L.SKIPS_CAPACITY, len(info))):
        target = _text(info[r][0]) if info[r] else ""
        if target and normalize_domain(target) in added:
            ops.append(SetValues(L.INFO, r, 0, [[""] * table.width]))
    return ops
