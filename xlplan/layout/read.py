"""Read a workbook's cell values into a Plan, through the layout.

The input is plain values per sheet (from python-calamine or from xlwings), so
the same reader serves the CLI and the Excel buttons. Cells that cannot be read
become findings pointing at the cell; a workbook that is not xlplan's raises
WorkbookReadError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.fiscal import parse_fy_header, period_label, wareki_fy
from xlplan.core.model import Baseline, Kpi, Measure, Plan
from xlplan.core.statuses import parse_status
from xlplan.core.vocab import (
    Aggregation,
    Direction,
    Expectation,
    KpiKind,
    Origin,
)
from xlplan.errors import WorkbookReadError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.cells import (
    CellError,
    is_blank,
    read_fy,
    read_fy_texts,
    read_fy_values,
    read_list,
    read_milestones,
    read_number,
    read_text,
)
from xlplan.layout.domain_rows import FAST_PATH_ERRORS, RowReader
from xlplan.layout.kpi_cells import KpiNumbers
from xlplan.layout.read_cells import (
    AGGREGATION_READER,
    DIRECTION_READER,
    KIND_READER,
    ORIGIN_READER,
    Cells,
    Grid,
    phases_reader,
    pillar_reader,
    read_fy_cached,
    read_fy_or_date_cached,
    table_rows,
    term_reader,
)
from xlplan.layout.read_cost_columns import cost_columns_finding
from xlplan.layout.read_info import domains_listed, read_info
from xlplan.layout.read_programs import ProgramsRead, read_programs_sheet
from xlplan.layout.read_progress import ProgressRead, read_orphans, read_progress

# Said wherever the sheets' shape no longer matches 基本情報: reshape is what fixes it.
RESHAPE_FIX = ("基本情報の計画期間を変えたときは、「基本情報」の［計画の枠組みを変更］ボタンを押してください"
               "（年度の列を足し引きします。入力した値は残り、期間の外に出る値は一覧して確認を求めます）。"
               "ボタンが使えないときは、ブックを保存して閉じてから、コマンド xlplan reshape ブック.xlsm でも変えられます。")
SUBDIVISION_FIX = ("工程表の区切りを変えたときは、「基本情報」の［計画の枠組みを変更］ボタンを押してください（工程表の列を"
                   "作り直します。入力した値はそのまま残ります）。ボタンが使えないときは、ブックを保存して閉じてから、"
                   "コマンド xlplan reshape ブック.xlsm でも変えられます。")

ADOPT_MARKS = {"○", "〇", "◯", "o", "O", "1", "TRUE", "true", "レ", "✓", "✔", "x", "X", "×"}


@dataclass
class MeasureRows:
    """Where one measure sits on its domain sheet."""

    sheet: str
    measure_id: str
    first_row: int
    kpi_rows: list[int] = field(default_factory=list)
    unnumbered: list[int] = field(default_factory=list)   # rows whose 施策ID cell is blank (the ID is written back)

    @property
    def last_row(self) -> int:
        return max([self.first_row, *self.kpi_rows])


# Per-year KPI fields and the 進捗管理 column that holds them (layout version 2).
PROGRESS_FIELDS = {"actuals": "progress.actual", "statuses": "progress.actual", "comments": "progress.comment",
                   "next_steps": "progress.next_steps", "overrides": "progress.manual_grade", "reason": "progress.reason"}
# The same fields in xlplan 0.1's packed domain-sheet cells.
V1_FIELDS = {"actuals": "kpi.actuals", "statuses": "kpi.actuals", "comments": "kpi.comments", "interim": "kpi.interim"}


@dataclass
class Locator:
    """Turns a finding's Ref into a sheet and cell."""

    layout: L.WorkbookLayout
    info: L.InfoLayout = L.INFO_LAYOUT
    measures: dict[str, MeasureRows] = field(default_factory=dict)
    progress_rows: dict[tuple[str, int, int], int] = field(default_factory=dict)   # (id, KPI index, FY) -> 進捗管理 row
    programs: dict[str, int] = field(default_factory=dict)  # program id -> row on 国・県の施策

    def place(self, ref: Ref) -> tuple[str, str]:
        if ref.measure_id is not None and ref.measure_id in self.measures:
            rows = self.measures[ref.measure_id]
            table = self.layout.domain_tables[rows.sheet]
            if ref.kpi is not None:
                row = rows.kpi_rows[ref.kpi] if ref.kpi < len(rows.kpi_rows) else rows.first_row
                return self._kpi_cell(ref, rows.sheet, table, row)
            if ref.field == "schedule":
                fy = ref.fy if ref.fy is not None and table.has(L.fy_key(ref.fy)) else None
                key = L.fy_key(fy) if fy is not None else "measure.name"
                return rows.sheet, table.cell(rows.first_row, key)
            key = f"measure.{ref.field}" if ref.field else "measure.id"
            return rows.sheet, table.cell(rows.first_row, key if table.has(key) else "measure.id")
        if ref.field == "programs" and ref.program_id in self.programs:
            return L.PROGRAMS, L.PROGRAMS_TABLE.cell(self.programs[ref.program_id], "program.successor")
        if ref.field == "related_plans" and ref.index is not None:
            return L.INFO, self.info.related.cell(self.info.related.first_row + ref.index, "related.name")
        if ref.field == "coverage":
            return L.INFO, self.info.skips.cell(self.info.skips.first_row, "skip.target")
        if ref.field == "custom_grades" and self.info.grades is not None:
            return L.INFO, self.info.grades.cell(self.info.grades.first_row, "grade.code")
        if ref.field in self.info.field:
            return L.INFO, self.info.value_cell(ref.field)
        return "", ""

    def _kpi_cell(self, ref: Ref, sheet: str, table: L.Table, row: int) -> tuple[str, str]:
        fy = ref.fy
        if table.layout_version == L.LAYOUT_V1 and ref.field in V1_FIELDS:
            return sheet, table.cell(row, V1_FIELDS[ref.field])
        if ref.field in ("interim", "interim_statuses") and fy is not None and table.has(L.target_key(fy)):
            return sheet, table.cell(row, L.target_key(fy))
        if ref.field in PROGRESS_FIELDS and fy is not None and (ref.measure_id, ref.kpi, fy) in self.progress_rows:
            progress = L.ProgressLayout().table
            return L.PROGRESS, progress.cell(self.progress_rows[(ref.measure_id, ref.kpi, fy)], PROGRESS_FIELDS[ref.field])
        key = "kpi.baseline_value" if ref.field == "baseline_value" else f"kpi.{ref.field}"
        if ref.field in (None, "baseline"):
            key = "kpi.name"
        return sheet, table.cell(row, key if table.has(key) else "kpi.name")

    def resolve(self, findings: list[Finding]) -> list[Finding]:
        return [f if f.sheet else f.at(*self.place(f.ref)) for f in findings]


@dataclass
class ReadResult:
    plan: Plan | None
    findings: list[Finding]            # problems found while reading cells, already placed
    locator: Locator
    layout: L.WorkbookLayout
    adopted: list[str] = field(default_factory=list)   # catalog ids ticked 採用
    rows: dict[str, list[MeasureRows]] = field(default_factory=dict)  # per domain sheet, in sheet order
    progress_fy: int | None = None     # the year typed in 進捗管理!B2
    catalog: CatalogRows | None = None  # the 施策カタログ's rows (for its 追加状況 column)
    ids_as_read: dict[str, dict[int, Any]] = field(default_factory=dict)  # sheet → row → its 施策ID cell, if not blank
    programs: ProgramsRead | None = None  # where each program sits on 国・県の施策
    progress: ProgressRead | None = None   # 進捗管理's typed inputs (layout version 2)
    input_errors: dict = field(default_factory=dict)   # core.progress.InputErrors: cells a KPI's grade depends on

    @property
    def legacy(self) -> bool:
        """Domain sheets of xlplan 0.1: read, but never written (xlplan reshape converts them)."""
        return self.layout.legacy


def _was_read(values: Mapping[str, Grid], sheet: str) -> bool:
    """Whether the sheet exists though its values were not read (callers that read only some sheets)."""
    names = getattr(values, "sheet_names", None)
    return bool(names) and sheet in names


def _require_sheet(values: Mapping[str, Grid], sheet: str) -> Grid:
    if sheet not in values:
        raise WorkbookReadError(
            f"シート「{sheet}」がありません。xlplan で作ったブックか、シート名が変更されていないか確認してください"
            f"（あるシート: {'、'.join(getattr(values, 'sheet_names', None) or values) or 'なし'}）。"
        )
    return values[sheet]


def _check_headers(grid: Grid, table: L.Table, cells: Cells, upto: int | None = None) -> None:
    columns = table.columns[:upto] if upto is not None else table.columns
    for col, column in enumerate(columns):
        value = cells.get(grid, table.header_row, col)
        try:
            found = read_text(value)
        except CellError:  # an error value such as #REF!
            found = "#エラー"
        if found.replace("\n", "") != column.header.replace("\n", ""):
            raise WorkbookReadError(
                f"見出しが想定と違います。{cell_name(table.header_row, col)} は「{column.header}」のはずですが、"
                f"「{found or '空欄'}」になっています。列を移動・削除せず、見出しを元に戻してください。",
                sheet=table.sheet, cell=cell_name(table.header_row, col),
            )


def _is_error(value: Any) -> bool:
    try:
        read_text(value)
        return False
    except CellError:
        return True


def percent_columns(sheet: str, grid: Grid) -> set[int] | None:
    """The columns of a sheet whose cells' % number format matters (KPI values and year targets of a domain
    sheet), for the adapters to report which of those cells show a percent. None for other sheets."""
    if not grid or len(grid) <= L.DOMAIN_HEADER_ROW:
        return None
    headers = ["" if _is_error(v) else read_text(v) for v in grid[L.DOMAIN_HEADER_ROW]]
    try:
        table = L.domain_table_from_headers(sheet, headers)
    except (ValueError, KeyError, IndexError, WorkbookReadError):
        return None
    if [h.replace("\n", "") for h in headers[:3]] != [c.header.replace("\n", "") for c in table.columns[:3]]:
        return None   # not a domain sheet
    return {i for i, c in enumerate(table.columns) if c.style == "number" or c.key.startswith("target:")}


def plan_sheets(info: Grid, extra: Sequence[str] = ()) -> list[str]:
    """The sheets read_plan needs besides 基本情報, in reading order, plus any extra ones."""
    return [L.LISTS, L.PROGRAMS, L.CATALOG, *domains_listed(info), L.PROGRESS, L.ORPHANS,
            *(s for s in extra if s not in (L.PROGRESS, L.ORPHANS))]


def read_plan(values: Mapping[str, Grid]) -> ReadResult:
    """Read every sheet xlplan owns into a plan, collecting cell-level findings."""
    cells = Cells()
    info_values = read_info(_require_sheet(values, L.INFO), cells)
    start_fy, years, subdivision = info_values.start_fy, info_values.values["years"], info_values.values["subdivision"]
    domains = info_values.domains
    programs_read = read_programs_sheet(_require_sheet(values, L.PROGRAMS), cells)
    programs = programs_read.programs
    catalog = _read_catalog(_require_sheet(values, L.CATALOG), cells)

    # Each domain sheet's layout comes from its header row (xlplan 0.1's or this one, its years,
    # cost and clerk columns); the years must match the plan period, else phases would land in the wrong years.
    for d in domains:
        if d not in values and not _was_read(values, d):
            raise WorkbookReadError(
                f"シート「{d}」がありません（「基本情報」の分野の一覧にある分野です）。分野の一覧を書き換えたときは、"
                "「基本情報」の［計画の枠組みを変更］ボタンを押してください（シートを追加・削除・改名します。"
                "ボタンが使えないときは、ブックを保存して閉じてからコマンド xlplan reshape ブック.xlsm でも変えられます）。"
                "シート名を手で変えた場合は、元の名前に戻してください"
                f"（あるシート: {'、'.join(getattr(values, 'sheet_names', None) or values) or 'なし'}）。", sheet=L.INFO)
    tables = {d: _domain_table(_require_sheet(values, d), d, cells) for d in domains}
    fiscal_years = list(range(start_fy, start_fy + years)) if start_fy else []
    header_years = [int(c.key[3:]) for c in tables[domains[0]].columns if c.key.startswith("fy:")]
    if start_fy and header_years != fiscal_years:
        shown = f"{wareki_fy(header_years[0])}〜{wareki_fy(header_years[-1])}" if header_years else "なし"
        cells.findings.append(Finding(
            "INPUT-FY-COLUMNS", Severity.ERROR,
            f"工程の年度列（{shown}）が基本情報の計画期間（{period_label(start_fy, years)}）と一致しません。"
            + RESHAPE_FIX,
            Ref(field="start_fy"), L.INFO, info_values.layout.value_cell("start_fy")))
    codes = L.domain_codes(domains, {d: _column(values[d], t.first_row, t.col("measure.id")) for d, t in tables.items()})
    layout = L.WorkbookLayout(tuple(domains), tuple(header_years), subdivision, tables=tables, codes=codes)
    if L.SCHEDULE in values and header_years:
        _check_schedule_columns(values[L.SCHEDULE], layout.schedule, cells)
    elif recorded_subdivision(values.get(L.LISTS)) not in (None, subdivision.value):
        cells.findings.append(_schedule_columns_finding())
    cost_finding = cost_columns_finding(values[L.INFO], info_values.layout, tables, info_values.values["cost_columns"])
    if cost_finding is not None:
        cells.findings.append(cost_finding)
    locator = Locator(layout, info_values.layout, programs=dict(programs_read.rows))

    measures: list[Measure] = []
    rows_by_sheet: dict[str, list[MeasureRows]] = {}
    percent_cells = getattr(values, "percent_cells", None)   # None: the number formats are not known
    ids_as_read: dict[str, dict[int, Any]] = {}
    for domain in domains:
        grid = _require_sheet(values, domain)
        table = layout.domain_tables[domain]
        percent = None if percent_cells is None else percent_cells.get(domain, set())
        sheet_measures, sheet_rows = _read_domain(grid, table, domain, codes[domain], cells, percent)
        measures += sheet_measures
        rows_by_sheet[domain] = sheet_rows
        id_col = table.col("measure.id")
        ids_as_read[domain] = {r: grid[r][id_col] for r in range(table.first_row, len(grid))
                               if id_col < len(grid[r]) and not is_blank(grid[r][id_col])}
        for r in sheet_rows:
            if (first := locator.measures.get(r.measure_id)) is not None:
                cells.findings.append(Finding(
                    "INPUT-DUPLICATE-ID", Severity.ERROR,
                    f"施策ID「{r.measure_id}」は「{first.sheet}」の {table.cell(first.first_row, 'measure.id')} でも使われています。"
                    "施策ごとに別のIDにしてください（同じ施策のKPIを足す行は、施策名などを空欄にして同じIDにします）。",
                    Ref(measure_id=r.measure_id), domain, table.cell(r.first_row, "measure.id")))
            locator.measures.setdefault(r.measure_id, r)
        cells.findings += _merge_findings(getattr(values, "merged", {}).get(domain, ()), table, sheet_rows)

    progress = None
    if L.PROGRESS in values and not layout.legacy:
        progress = read_progress(values[L.PROGRESS], measures, header_years, cells)
        progress.orphans_next_row, progress.orphans_kept = read_orphans(values.get(L.ORPHANS), cells)
        locator.progress_rows = progress.rows
    plan = None
    if start_fy is not None:
        try:
            plan = Plan(**info_values.values, domains=domains, programs=programs, measures=measures)
        except ValidationError as exc:  # defensive: cells were converted already
            raise WorkbookReadError(f"基本情報を読み取れません: {exc.errors()[0]['msg']}", sheet=L.INFO) from None
    progress_fy = None
    if L.PROGRESS in values:
        r, c = L.ProgressLayout().fy_cell
        progress_fy = cells.convert(L.PROGRESS, r, c, cells.get(values[L.PROGRESS], r, c), read_fy)
    result = ReadResult(plan, cells.findings, locator, layout, catalog.adopted, rows_by_sheet, progress_fy=progress_fy,
                        programs=programs_read, progress=progress, catalog=catalog, ids_as_read=ids_as_read)
    result.input_errors = input_errors(result)
    return result


def input_errors(read: ReadResult) -> dict:
    """core.progress.InputErrors: for each KPI, the cells with a reading error its grade depends on —
    its own cells on the domain sheet and 基本情報's period and scale (every year), its 進捗管理
    row's 実績値, 評価（手動） and 評価理由 (that year)."""
    errors = [f for f in read.findings if f.severity is Severity.ERROR and f.sheet and f.cell]
    if not errors or read.plan is None:
        return {}
    info = read.locator.info
    global_cells = {info.value_cell(k) for k in ("start_fy", "start_month", "years", "grade_scale") if k in info.field}
    grades = info.grades
    kpi_rows: dict[tuple[str, int], tuple[str, int]] = {}
    for sheet_rows in read.rows.values():
        for r in sheet_rows:
            for i, row in enumerate(r.kpi_rows):
                kpi_rows[(r.sheet, row)] = (r.measure_id, i)
    progress_rows = {row: slot for slot, row in read.locator.progress_rows.items()}
    progress = L.ProgressLayout().table
    graded = {progress.col(k) for k in ("progress.actual", "progress.manual_grade", "progress.reason")}
    everywhere: list[str] = []
    found: dict[tuple[str, int], dict[int | None, list[str]]] = {}
    for f in errors:
        place = f"{f.sheet}!{f.cell}"
        row, col = parse_cell(f.cell)
        if f.sheet == L.INFO:
            if f.cell in global_cells or (grades is not None and grades.first_row <= row < grades.first_row + info.grades_capacity):
                everywhere.append(place)
        elif f.sheet == L.PROGRESS and row in progress_rows and col in graded:
            mid, idx, fy = progress_rows[row]
            found.setdefault((mid, idx), {}).setdefault(fy, []).append(place)
        elif (f.sheet, row) in kpi_rows and f.sheet in read.layout.domain_tables:
            key = read.layout.domain_tables[f.sheet].columns[col].key if col < read.layout.domain_tables[f.sheet].width else ""
            if key.startswith(("kpi.", "target:")):
                found.setdefault(kpi_rows[(f.sheet, row)], {}).setdefault(None, []).append(place)
    if everywhere:
        for m in read.plan.measures:
            for i in range(len(m.kpis)):
                found.setdefault((m.id, i), {}).setdefault(None, [])[:0] = everywhere
    return found


def _domain_table(grid: Grid, sheet: str, cells: Cells) -> L.Table:
    """The domain sheet's table, recognised by its header row and then checked header by header."""
    headers = []
    for col in range(len(grid[L.DOMAIN_HEADER_ROW]) if len(grid) > L.DOMAIN_HEADER_ROW else 0):
        value = grid[L.DOMAIN_HEADER_ROW][col]
        headers.append("" if _is_error(value) else read_text(value))
    table = L.domain_table_from_headers(sheet, headers)
    for col, column in enumerate(table.columns):
        found = headers[col] if col < len(headers) else ""
        if column.key.startswith(("fy:", "target:")) and found.replace("\n", "") != column.header.replace("\n", ""):
            try:
                parse_fy_header(found)
            except ValueError:
                where = cell_name(L.DOMAIN_HEADER_ROW, col)
                raise WorkbookReadError(f"{where} の見出し「{found or '空欄'}」は年度として読めません。工程・年度ごとの目標の列見出しを"
                                        f"元に戻してください（例: {column.header.replace(chr(10), ' ')}）。", sheet=sheet, cell=where) from None
            break
    _check_headers(grid, table, cells)
    return table


def _check_schedule_columns(grid: Grid, layout: L.ScheduleLayout, cells: Cells) -> None:
    """The 工程表 was built for one subdivision; a redraw for another would not fit its formats."""
    table = layout.table
    expected = [table.col(layout.slot_key(fy, p)) for fy, p in layout.slots()]
    found = [cells.get(grid, table.header_row, c) for c in expected]
    wanted = [table.columns[c].header for c in expected]
    if [read_text(v) if not _is_error(v) else "" for v in found] != wanted:
        cells.findings.append(_schedule_columns_finding())


def _schedule_columns_finding() -> Finding:
    return Finding(
        "INPUT-SCHEDULE-COLUMNS", Severity.ERROR,
        "「スケジュール」シートの年度の列が、基本情報の計画期間・工程表の区切りと合っていません。"
        + RESHAPE_FIX + SUBDIVISION_FIX,
        Ref(field="subdivision"), L.INFO, L.INFO_LAYOUT.value_cell("subdivision"))


def recorded_subdivision(lists: Grid | None) -> str | None:
    """The subdivision recorded in _lists when the workbook was built (None in older workbooks)."""
    if not lists:
        return None
    header = list(lists[0])
    if L.BUILT_SUBDIVISION not in header or len(lists) < 2:
        return None
    col = header.index(L.BUILT_SUBDIVISION)
    return str(lists[1][col]) if col < len(lists[1]) and lists[1][col] else None


def _merge_findings(merged, table: L.Table, rows: list[MeasureRows]) -> list[Finding]:
    """Merged cells inside a measure table: calamine (and Excel) give the value to the top-left
    cell only, so a merge across columns, or across rows of different measures, misreads the table.
    A merge down the rows of one measure (e.g. its name beside several KPIs) reads correctly."""
    spans = [(r.first_row, r.last_row) for r in rows]
    findings = []
    for r0, c0, r1, c1 in merged:
        if r1 < table.first_row or c0 >= table.width or (r0 == r1 and c0 == c1):
            continue
        if c0 == c1 and any(first <= r0 and r1 <= last for first, last in spans):
            continue
        top_left = cell_name(r0, c0)
        findings.append(Finding(
            "INPUT-MERGED", Severity.ERROR,
            f"セル {top_left}:{cell_name(r1, c1)} が結合されています。結合したセルの値は左上の {top_left} にしか入らないため、"
            "表を正しく読めません。［セルを結合して中央揃え］を解除し、各セルに値を入れてください。",
            Ref(), table.sheet, top_left))
    return findings


def _column(grid: Grid, first_row: int, col: int) -> list:
    return [r[col] for r in grid[first_row:] if col < len(r)]


def _read_domain(grid: Grid, table: L.Table, domain: str, code: str, cells: Cells,
                 percent: set[tuple[int, int]] | None = None):
    """code: the sheet's measure ID prefix; percent: the (row, col) of value cells with a % number format;
    None when formats are unknown."""
    measures: list[Measure] = []
    rows: list[MeasureRows] = []
    by_id: dict[str, tuple[Measure, MeasureRows]] = {}
    used_numbers = {int(str(v).rsplit("-", 1)[1]) for r in grid[table.first_row:]
                    if r and isinstance(v := r[0], str) and v.startswith(code + "-") and v.rsplit("-", 1)[1].isdigit()}
    next_number = max(used_numbers, default=0) + 1
    current: tuple[Measure, MeasureRows] | None = None
    width = table.width
    index = {c.key: i for i, c in enumerate(table.columns)}
    id_col = index["measure.id"]
    # The columns that make a row a measure's own row rather than another KPI row.
    measure_cols = [index[k] for k in L.measure_keys(table)]
    kpi_cols = [index[k] for k in L.kpi_keys(table)]
    fy_cols = [(c.key, int(c.key[3:]), index[c.key]) for c in table.columns if c.key.startswith("fy:")]
    target_cols = [(c.key, int(c.key[7:])) for c in table.columns if c.key.startswith("target:")]
    extra_cols = [(c.key, c.header) for c in table.columns if c.key.startswith("extra:")]
    sheet = table.sheet
    convert, failed = cells.convert, cells.failed
    key_of = {i: k for k, i in index.items()}
    percent_keys: dict[int, set[str]] = {}   # row → keys of its cells shown as a percent
    for r, c in percent or ():
        if c in key_of:
            percent_keys.setdefault(r, set()).add(key_of[c])
    no_percent: frozenset[str] = frozenset()
    # Rows that read cleanly (almost all) take the fast path; where formats are unknown, only the careful one
    # checks fractions typed in % KPIs, so every row goes that way.
    fast = RowReader(index, width, fy_cols, target_cols, EXPECTATION_READER) if percent is not None else None
    for row in range(table.first_row, len(grid)):
        # one value more than the table is wide: a None, where the fast path reads a column the layout lacks
        raw = list(grid[row][:width]) + [None] * (max(0, width - len(grid[row])) + 1)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):  # is_blank, inlined: every row
            continue

        def conv(key: str, reader, default=None, mid: str = "", row=row, raw=raw):
            col = index.get(key)
            if col is None:   # a column this layout (version or option) does not have
                return default
            value = raw[col]
            if value is None or value == "":   # Cells.convert inlined: ten conversions per row of every domain sheet
                return default
            try:
                return reader(value)
            except (CellError, ValueError) as exc:
                failed(sheet, row, col, exc, mid)
                return default

        measure_id = convert(sheet, row, id_col, raw[id_col], read_text, "", "")
        id_blank = is_blank(raw[id_col])
        measure_blank = _all_blank(raw, measure_cols)
        if measure_blank and (measure_id in by_id or (not measure_id and current is not None)):
            measure, where = by_id[measure_id] if measure_id else current  # another KPI row of a measure
        else:
            if not measure_id:
                measure_id = f"{code}-{next_number:02d}"
                next_number += 1
            measure = None
            if fast is not None:
                try:
                    measure = fast.measure(raw, domain, measure_id)
                except FAST_PATH_ERRORS:
                    measure = None   # read again the careful way, which records the findings
            if measure is None:
                measure = _read_measure_fields(fy_cols, domain, measure_id, conv, raw)
            where = MeasureRows(sheet, measure_id, row)
            measures.append(measure)
            rows.append(where)
            by_id.setdefault(measure_id, (measure, where))
        current = (measure, where)
        for key, header in extra_cols:   # the clerk's own columns: kept with the measure, first value wins
            if header not in measure.extra and (value := conv(key, read_extra, None, measure.id)) is not None:
                measure.extra = {**measure.extra, header: value}
        if id_blank:
            where.unnumbered.append(row)
        kpi = None
        if not _all_blank(raw, kpi_cols):   # a row with KPI cells all blank has no KPI
            if fast is not None:
                try:
                    kpi = fast.kpi(raw, percent_keys.get(row, no_percent))
                except FAST_PATH_ERRORS:
                    kpi = None
            if kpi is None:
                numbers = KpiNumbers(conv, measure.id, index, None if percent is None else percent_keys.get(row, no_percent), raw)
                kpi = _read_kpi(conv, measure.id, numbers, target_cols)
        if kpi is not None:
            measure.kpis.append(kpi)
            where.kpi_rows.append(row)
    return measures, rows


def _all_blank(raw: list, cols: list[int]) -> bool:
    """is_blank on every one of the columns, inlined (twice per row of every domain sheet)."""
    for i in cols:
        value = raw[i]
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _read_measure_fields(fy_cols: list[tuple[str, int, int]], domain: str, measure_id: str, conv, raw: list) -> Measure:
    schedule = {}
    previous: tuple | None = ()
    for key, fy, col in fy_cols:   # in year order, so 「→」 continues the year before
        if (value := raw[col]) is None or value == "":   # a blank year (what conv treats as blank)
            previous = ()
            continue
        # None when the cell could not be read: a 「→」 after it is then not a second finding.
        previous = phases = conv(key, phases_reader(previous), None, measure_id)
        if phases:
            schedule[fy] = phases
    origin = conv("measure.origin", ORIGIN_READER, None, measure_id)
    return Measure(
        id=measure_id, domain=domain,
        pillar=conv("measure.pillar", pillar_reader, None, measure_id),
        name=conv("measure.name", read_text, "", measure_id),
        origin=origin or Origin.ADDED,
        catalog_id=conv("measure.catalog_id", read_text, "", measure_id) or None,
        content=conv("measure.content", read_text, "", measure_id),
        owner=conv("measure.owner", read_text, "", measure_id),
        programs=conv("measure.programs", read_list, [], measure_id),
        schedule=schedule,
        milestones=conv("measure.milestones", read_milestones, [], measure_id),
        notes=conv("measure.notes", read_text, "", measure_id),
        cost=conv("measure.cost", read_number, None, measure_id),
        funding=conv("measure.funding", read_list, [], measure_id),
    )


def _read_kpi(conv, measure_id: str, numbers: KpiNumbers, target_cols: list[tuple[str, int]]) -> Kpi:
    """The KPI on a row whose KPI cells are not all blank; its numbers are read with their cells' formats.
    Year targets are one per cell (a number, or a status for a qualitative KPI); xlplan 0.1's packed
    中間目標/実績値/実績の説明 cells are read when the sheet has them."""
    name = conv("kpi.name", read_text, "", measure_id)
    unit = conv("kpi.unit", read_text, "", measure_id)
    target_text = conv("kpi.target_text", read_text, "", measure_id)
    baseline_value, unknown = numbers.baseline(unit)
    target_value = numbers.value("kpi.target_value", unit)
    direction = conv("kpi.direction", DIRECTION_READER, None, measure_id) or Direction.UP
    qualitative = target_value is None and (bool(target_text) or direction is Direction.ACHIEVE)
    interim, interim_statuses = conv("kpi.interim", read_fy_values, {}, measure_id), {}
    year_targets: dict[str, float] = {}
    for key, fy in target_cols:
        if qualitative:
            status = conv(key, _status_reader, None, measure_id)
            if status is not None:
                interim_statuses[fy] = status
        elif (value := numbers.value(key, unit)) is not None:
            year_targets[key] = value
    actuals = conv("kpi.actuals", read_fy_values, {}, measure_id)
    # A year's own target cell is a value cell like 目標値: checked with them where formats are unknown.
    checked = numbers.check_fractions(unit, {"kpi.baseline_value": baseline_value, "kpi.target_value": target_value,
                                             **year_targets}, [*interim.values(), *actuals.values()])
    baseline_value, target_value = checked["kpi.baseline_value"], checked["kpi.target_value"]
    interim.update({fy: v for key, fy in target_cols if (v := checked.get(key)) is not None})
    as_of_fy, as_of_date = conv("kpi.baseline_as_of", read_fy_or_date_cached, (None, None), measure_id)
    has_baseline = unknown or baseline_value is not None or as_of_fy is not None or as_of_date is not None
    return Kpi(
        name=name,
        kind=conv("kpi.kind", KIND_READER, None, measure_id) or KpiKind.EFFECT,
        unit=unit,
        aggregation=conv("kpi.aggregation", AGGREGATION_READER, None, measure_id) or Aggregation.POINT,
        direction=direction,
        baseline=Baseline(value=baseline_value, as_of_fy=as_of_fy, as_of_date=as_of_date) if has_baseline else None,
        target_value=target_value,
        target_text=target_text,
        target_fy=conv("kpi.target_fy", read_fy_cached, None, measure_id),
        interim=interim,
        interim_statuses=interim_statuses,
        actuals=actuals,
        comments=conv("kpi.comments", read_fy_texts, {}, measure_id),
        expectation=conv("kpi.expectation", EXPECTATION_READER, None, measure_id) or Expectation.AUTO,
    )


EXPECTATION_READER = term_reader(Expectation, "目安の考え方")


def _status_reader(value: Any) -> str:
    try:
        return parse_status(read_text(value)).value
    except ValueError as exc:
        raise CellError(f"{exc}（数値でない目標のKPIの年度ごとの目標には状況を書きます）", "INPUT-STATUS") from None


def read_extra(value: Any) -> str | float | int | bool | dt.date | None:
    """A clerk's own column: text, a number, TRUE/FALSE or a date, as typed."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, (bool, dt.date)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    return read_text(value)


@dataclass
class CatalogRows:
    """The 施策カタログ as read: the ids ticked 採用, each row's catalog id, and whether it has the
    追加状況 column (older workbooks do not; their catalog still reads)."""

    has_status: bool = False
    adopted: list[str] = field(default_factory=list)
    ids: dict[int, str] = field(default_factory=dict)      # row → catalog id (section title rows have none)
    status: dict[int, str] = field(default_factory=dict)   # row → its 追加状況 text as read (when not blank)


def _read_catalog(grid: Grid, cells: Cells) -> CatalogRows:
    t = L.CATALOG_TABLE
    # Only 採用 and カタログID are read back, so workbooks with an older catalog layout still load.
    _check_headers(grid, t, cells, upto=len(L.CATALOG_READ_KEYS))
    status_col = t.col("catalog.status")
    header = cells.get(grid, t.header_row, status_col)
    result = CatalogRows(has_status=not _is_error(header) and read_text(header) == t.columns[status_col].header)
    adopt, cid_col = t.col("catalog.adopt"), t.col("catalog.id")
    for row, raw in table_rows(grid, t):
        cid = cells.convert(t.sheet, row, cid_col, raw[cid_col], read_text, "")
        if cid.startswith(L.CATALOG_SECTION_MARK):   # a section title row
            continue
        if cid:
            result.ids[row] = cid
        if result.has_status and not _is_error(raw[status_col]) and (text := read_text(raw[status_col])):
            result.status[row] = text
        mark = cells.convert(t.sheet, row, adopt, raw[adopt], read_text, "")
        if (mark in ADOPT_MARKS or raw[adopt] is True) and cid:
            result.adopted.append(cid)
    return result


_read_plan_collecting = read_plan


def read_plan(values: Mapping[str, Grid]) -> ReadResult:  # noqa: F811 — the same function with the collector paused
    """Read every sheet xlplan owns into a plan, collecting cell-level findings (see xlplan.gcpause for why the GC waits)."""
    from xlplan.gcpause import paused_gc

    with paused_gc():
        return _read_plan_collecting(values)
