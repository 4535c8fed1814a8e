"""Roll-up: collect many municipalities' workbooks into one 集計 workbook.

A prefecture (or the whole country: 1,741 municipalities) gathers the
workbooks its municipalities made with xlplan. Every file is read and validated
exactly as `xlplan validate` would (read_values + read_plan + the rules), in
worker processes on all cores; each worker hands back small plain data (tuples
and dicts, never pydantic objects) so that moving results between processes
stays cheap. A file that cannot be read is listed with its reason instead of
stopping the run.

The output has these sheets, Japanese headers, frozen header rows and filters:

* 集計 — the totals, measures by pillar and by domain, and per municipality its
  measures, KPIs and validation errors/warnings;
* 施策一覧 — every measure with its 都道府県・団体名;
* KPI一覧 — every KPI with its municipality and measure;
* 網羅状況 — per municipality, measures per pillar and per domain (the counts of
  xlplan.core.coverage), and the pillars/domains left without a reason;
* 読み込めなかったファイル — every file that could not be read, and why.

XlsxWriter writes the small sheets and the long lists' headers; the long lists'
rows (hundreds of thousands for a prefecture) are rendered and compressed by the
worker that read them and spliced in by the parent (xlplan.export.row_blocks), so
the parent's share of the run stays small and the roll-up scales with the cores.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlplan.core.fiscal import short_wareki_fy, wareki_fy
from xlplan.core.parse import phases_text
from xlplan.core.vocab import Phase
from xlplan.errors import XlplanUserError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SHEET_SUMMARY = "集計"
SHEET_MEASURES = "施策一覧"
SHEET_KPIS = "KPI一覧"
SHEET_COVERAGE = "網羅状況"
SHEET_FAILURES = "読み込めなかったファイル"
SHEETS = (SHEET_SUMMARY, SHEET_MEASURES, SHEET_KPIS, SHEET_COVERAGE, SHEET_FAILURES)
UNASSIGNED = "柱未設定"
MAX_DOMAIN_COLUMNS = 16      # further municipality-specific domains are summed in one column
OTHER_DOMAINS = "上記以外の分野"

# The two long lists hold hundreds of thousands of rows for a prefecture, and writing costs about
# 5 µs a cell: every column here is one a prefecture filters or reads (the file is on 集計).
MEASURE_HEADERS = ("都道府県", "団体名", "施策ID", "分野", "柱", "施策名", "区分", "カタログID", "担当課",
                   "関連する国・県の施策・補助", "KPI数", "工程", "実施・運用の開始", "内容")
KPI_HEADERS = ("都道府県", "団体名", "施策ID", "施策名", "柱", "指標名", "種別", "単位", "集計", "方向",
               "現状値", "現状値の時点", "目標値", "目標（定性）", "目標年度")
Progress = Callable[[int], None]   # called with the number of files just finished


# ------------------------------------------------------------------ which files

def collect_files(inputs: Iterable[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Workbooks to roll up: files as given (even missing ones, to be reported), folders searched recursively.

    In folders, only .xlsx/.xlsm/.xls files count; Excel's lock files (~$…) and hidden files are skipped.
    """
    excluded = {_key(p) for p in exclude}
    found: list[Path] = []
    seen: set[str] = set()
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            candidates = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                                and not p.name.startswith(("~$", ".")))
        else:
            candidates = [item]
        for path in candidates:
            key = _key(path)
            if key not in seen and key not in excluded:
                seen.add(key)
                found.append(path)
    return found


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


# ------------------------------------------------------------------ one workbook (in a worker)

def summarise_workbook(path: str) -> dict[str, Any]:
    """Read and validate one workbook; plain data only, so that it pickles cheaply.

    {"path", "error"} when the file cannot be read; otherwise the plan's header,
    its measures and KPIs as tuples (in MEASURE_HEADERS / KPI_HEADERS order
    without the leading 都道府県・団体名), coverage counts and finding counts.
    """
    from xlplan.adapters.xlsx_file import read_plan_values
    from xlplan.layout.read import read_plan
    from xlplan.operations import findings_for

    try:
        read = read_plan(read_plan_values(Path(path)))
        if read.plan is None:
            first = read.findings[0] if read.findings else None
            where = f"シート「{first.sheet}」のセル {first.cell}: {first.message}" if first else "計画開始年度を確認してください。"
            return {"path": path, "error": f"基本情報を読み取れません。{where}"}
        return _summary(path, read.plan, findings_for(read))
    except XlplanUserError as exc:
        return {"path": path, "error": str(exc)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - one bad file must not stop a prefecture's roll-up
        return {"path": path, "error": f"予期しないエラーのため読み込めません（{type(exc).__name__}: {str(exc)[:200]}）。"
                                       "Excel で開いて保存し直してください。"}


def _summary(path: str, plan, findings) -> dict[str, Any]:
    from xlplan.core.coverage import coverage_matrix
    from xlplan.core.findings import Severity

    measures, kpis = [], []
    for m in plan.measures:
        pillar = m.pillar.value if m.pillar else ""
        operating = m.first_fy_at(Phase.OPERATE.rank)   # 実施・運用 or later
        measures.append((
            m.id, m.domain, pillar, m.name, m.origin.value, m.catalog_id or "", m.owner, "、".join(m.programs),
            len(m.kpis), _schedule_text(m.schedule), _fy_label(operating) if operating else "", m.content,
        ))
        for k in m.kpis:
            base = k.baseline
            kpis.append((
                m.id, m.name, pillar, k.name, k.kind.value, k.unit, k.aggregation.value, k.direction.value,
                (base.value if base.value is not None else "未把握") if base else None,
                _as_of(base.as_of_fy, base.as_of_date) if base else "",
                k.target_value, k.target_text, _fy_label(k.target_fy) if k.target_fy else "",
            ))
    matrix = coverage_matrix(plan)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    from xlplan.export.row_blocks import render_rows

    head = (plan.prefecture, plan.municipality)
    blocks = {key: tuple(render_rows(head + r for r in rows).__dict__.values())
              for key, rows in (("measures", measures), ("kpis", kpis))}
    return {
        "path": path,
        "municipality": plan.municipality,
        "prefecture": plan.prefecture,
        "title": plan.title,
        "period": f"{_fy_label(plan.start_fy)}〜{_fy_label(plan.end_fy)}",
        "domains": list(matrix.domains),
        "measures": measures,
        "kpis": kpis,
        "by_pillar": {p.value: matrix.row_total(p) for p in matrix.pillars},
        "by_domain": {d: matrix.column_total(d) + len(matrix.unassigned.get(d, ())) for d in matrix.domains},
        "unassigned": len(matrix.unassigned_ids),
        "empty_pillars": [p.value for p in matrix.unexplained_pillars],
        "empty_domains": list(matrix.unexplained_domains),
        "errors": len(errors),
        "warnings": len(findings) - len(errors),
        "codes": dict(Counter(f.code for f in errors).most_common()),
        "blocks": blocks,   # the long lists' rows, rendered and deflated here (xlplan.export.row_blocks)
    }


def _summarise_chunk(paths: Sequence[str]) -> list[dict[str, Any]]:
    return [summarise_workbook(p) for p in paths]


_fy_label = lru_cache(maxsize=256)(wareki_fy)
_short_fy_label = lru_cache(maxsize=256)(short_wareki_fy)


def _schedule_text(schedule: dict) -> str:
    return " → ".join(f"{_short_fy_label(fy)} {phases_text(phases)}" for fy, phases in sorted(schedule.items()))


def _as_of(fy: int | None, day: dt.date | None) -> str:
    if day is not None:
        return f"{day.year}/{day.month}/{day.day}"
    return _fy_label(fy) if fy is not None else ""


# ------------------------------------------------------------------ many workbooks

@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class RollupResult:
    summaries: list[dict[str, Any]] = field(default_factory=list)   # readable workbooks, in file order
    failures: list[Failure] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    @property
    def measures(self) -> int:
        return sum(len(s["measures"]) for s in self.summaries)

    @property
    def kpis(self) -> int:
        return sum(len(s["kpis"]) for s in self.summaries)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunk_size(files: int, jobs: int) -> int:
    """Small enough for an even load and a moving progress bar, large enough to keep task overhead low."""
    return max(1, min(32, files // (jobs * 8) or 1))


def summarise_all(paths: Sequence[Path], jobs: int | None = None, progress: Progress | None = None) -> list[dict[str, Any]]:
    """summarise_workbook for every path, in order, on `jobs` processes (1: in this process)."""
    jobs = max(1, jobs or default_jobs())
    names = [str(p) for p in paths]
    if jobs == 1 or len(names) <= 1:
        results = []
        for name in names:
            results.append(summarise_workbook(name))
            if progress:
                progress(1)
        return results
    size = chunk_size(len(names), jobs)
    chunks = [names[i:i + size] for i in range(0, len(names), size)]
    done: dict[int, list[dict[str, Any]]] = {}
    lost = _run_chunks(chunks, list(range(len(chunks))), done, jobs, progress)
    if lost:
        # A worker process died (a crash, not an exception: those are caught per file). Its chunks
        # are read again one file per task in a single process, so the file that kills it is known.
        first_retry = len(chunks)
        chunks += [[name] for i in lost for name in chunks[i]]
        for i in lost:
            done[i] = []
        for i in _run_chunks(chunks, list(range(first_retry, len(chunks))), done, jobs, progress, isolate=True):
            done[i] = [{"path": chunks[i][0], "error": "読み込み中にプロセスが異常終了しました。"
                                                       "ファイルが壊れている可能性があります。Excel で開いて保存し直してください。"}]
            if progress:
                progress(1)
    position = {name: k for k, name in enumerate(names)}
    return sorted((r for i in sorted(done) for r in done[i]), key=lambda r: position[r["path"]])


def _run_chunks(chunks: list[list[str]], which: list[int], done: dict[int, list[dict[str, Any]]], jobs: int,
                progress: Progress | None, isolate: bool = False) -> list[int]:
    """Run the given chunks; returns those lost to a dead worker."""
    lost: list[int] = []
    remaining = list(which)
    while remaining:
        # Isolating: one process, so that when it dies the file it was reading is known.
        with ProcessPoolExecutor(max_workers=1 if isolate else min(jobs, len(remaining))) as pool:
            futures = {i: pool.submit(_summarise_chunk, chunks[i]) for i in remaining}
            broken_at = None
            for i, future in futures.items():
                try:
                    done[i] = future.result()
                    if progress:
                        progress(len(chunks[i]))
                except BrokenProcessPool:
                    broken_at = i
                    break
        if broken_at is None:
            return lost
        unfinished = [i for i in remaining if i not in done]
        if not isolate:
            return unfinished
        # One file per chunk and one process: the first unfinished file killed it; the rest get a fresh pool.
        lost.append(unfinished[0])
        remaining = unfinished[1:]
    return lost


def rollup(inputs: Iterable[Path], output: Path | None = None, *, jobs: int | None = None,
           progress: Callable[[int, int], Any] | None = None, overwrite: bool = True) -> RollupResult:
    """Read every workbook under inputs and, when output is given, write the 集計 workbook there (atomically).

    progress(done, total) is called as files finish.
    """
    started = time.perf_counter()
    paths = collect_files(inputs, exclude=[output] if output else [])
    if not paths:
        raise XlplanUserError("集計するブック（.xlsx/.xlsm）が見つかりません。フォルダーかファイルを指定してください。")
    count = 0

    def tick(n: int) -> None:
        nonlocal count
        count += n
        if progress:
            progress(count, len(paths))

    results = summarise_all(paths, jobs, tick)
    result = RollupResult(files=len(paths))
    for r in results:
        if "error" in r:
            result.failures.append(Failure(r["path"], r["error"]))
        else:
            result.summaries.append(r)
    if output is not None:
        from xlplan.fileio import atomic_write_bytes

        atomic_write_bytes(Path(output), rollup_workbook(result), overwrite=overwrite)
    result.seconds = time.perf_counter() - started
    return result


# ------------------------------------------------------------------ the tables

@dataclass
class Frame:
    """A small table: column names and rows of plain values."""

    columns: list[str]
    rows: list[tuple]

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]


def frames(result: RollupResult) -> dict[str, Frame]:
    """The output's small tables by sheet (集計 gives several); the two long lists are the workers' row blocks."""
    from xlplan.core.vocab import DEFAULT_DOMAINS, OPTIONAL_DOMAINS, Pillar

    summaries = result.summaries
    names = Counter(s["municipality"] for s in summaries)
    pillars = [p.value for p in Pillar]

    # Domains: the standard ones, then others by how many municipalities use them; the rarest are summed.
    usage = Counter(d for s in summaries for d in s["domains"] if d not in DEFAULT_DOMAINS)
    extra = [d for d in OPTIONAL_DOMAINS if d in usage] + [d for d, _ in usage.most_common() if d not in OPTIONAL_DOMAINS]
    shown_extra = extra[:max(0, MAX_DOMAIN_COLUMNS - len(DEFAULT_DOMAINS))]
    domain_columns = [*DEFAULT_DOMAINS, *shown_extra] + ([OTHER_DOMAINS] if len(extra) > len(shown_extra) else [])
    coverage_rows = []
    for s in summaries:
        by_domain = dict(s["by_domain"])
        other = sum(v for d, v in by_domain.items() if d not in domain_columns)
        coverage_rows.append((
            s["prefecture"], s["municipality"], len(s["measures"]),
            *(s["by_pillar"].get(p, 0) for p in pillars), s["unassigned"],
            *(by_domain.get(d, 0) if d != OTHER_DOMAINS else other for d in domain_columns),
            "、".join(s["empty_pillars"]), "、".join(s["empty_domains"]),
        ))
    coverage = Frame(["都道府県", "団体名", "施策数", *pillars, UNASSIGNED, *domain_columns,
                      "施策のない柱（理由の記載なし）", "施策のない分野（理由の記載なし）"], coverage_rows)

    per_municipality = Frame(["都道府県", "団体名", "計画名", "計画期間", "施策数", "KPI数", "エラー", "警告",
                              "主なエラー（コード×件数）", "ファイル", "備考"], [(
        s["prefecture"], s["municipality"], s["title"], s["period"], len(s["measures"]), len(s["kpis"]),
        s["errors"], s["warnings"], "、".join(f"{c}×{n}" for c, n in list(s["codes"].items())[:5]),
        Path(s["path"]).name, f"同じ団体名のファイルが{names[s['municipality']]}件あります" if names[s["municipality"]] > 1 else "",
    ) for s in summaries])

    n = len(summaries)
    with_measures = {p: sum(1 for v in coverage.column(p) if v > 0) for p in [*pillars, UNASSIGNED]}
    by_pillar = Frame(["柱", "施策数", "施策のある団体", "施策のない団体"], [
        (p, sum(coverage.column(p)), with_measures[p], n - with_measures[p]) for p in [*pillars, UNASSIGNED]])
    domain_counts: Counter = Counter()
    domain_users: Counter = Counter()
    for s in summaries:
        for d, v in s["by_domain"].items():
            domain_counts[d] += v
            domain_users[d] += v > 0
    by_domain = Frame(["分野", "施策数", "施策のある団体"],
                      [(d, domain_counts[d], domain_users[d]) for d in [*DEFAULT_DOMAINS, *extra]])
    errors = sum(1 for v in per_municipality.column("エラー") if v > 0)
    warnings = sum(1 for v in per_municipality.column("警告") if v > 0)
    totals = Frame(["項目", "件数"], list(zip(
        ["対象ファイル", "読み込めた団体", "施策", "KPI", "エラーのある団体", "警告のある団体", "読み込めなかったファイル"],
        [result.files, n, result.measures, result.kpis, errors, warnings, len(result.failures)])))
    failures = Frame(["ファイル", "フォルダー", "理由"],
                     [(Path(f.path).name, str(Path(f.path).parent), f.reason) for f in result.failures])
    return {"coverage": coverage, "per_municipality": per_municipality, "by_pillar": by_pillar, "by_domain": by_domain,
            "totals": totals, "failures": failures}


# ------------------------------------------------------------------ the workbook

def rollup_workbook(result: RollupResult, now: dt.datetime | None = None) -> bytes:
    """The 集計 workbook as .xlsx bytes: XlsxWriter for the small sheets and the long lists' headers, then the
    workers' row blocks spliced into the long lists."""
    import xlsxwriter

    from xlplan.export.row_blocks import RowBlock, splice

    tables = frames(result)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    fmt = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                   "valign": "vcenter"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "caption": book.add_format({"bold": True}),
        "zero": book.add_format({"bg_color": "#FCE4D6", "font_color": "#9C0006"}),
        "error": book.add_format({"font_color": "#9C0006", "bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")

    # 集計: per municipality on the left (frozen header), the totals stacked on the right.
    ws = book.add_worksheet(SHEET_SUMMARY)
    ws.write_string(0, 0, "官民データ活用推進計画 集計", fmt["title"])
    ws.write_string(1, 0, f"{stamp} 集計　対象ファイル {result.files:,}件、団体 {len(result.summaries):,}、"
                          f"施策 {result.measures:,}件、KPI {result.kpis:,}件、"
                          f"読み込めなかったファイル {len(result.failures):,}件")
    left = tables["per_municipality"]
    _table(ws, left, 3, 0, fmt)
    if len(left):
        col = left.columns.index("エラー")
        ws.conditional_format(4, col, 3 + len(left), col, {"type": "cell", "criteria": ">", "value": 0,
                                                           "format": fmt["error"]})
    right = len(left.columns) + 1
    row = 3
    widths: dict[int, float] = {}
    for caption, frame in (("全体", tables["totals"]), ("柱別", tables["by_pillar"]), ("分野別", tables["by_domain"])):
        ws.write_string(row - 1, right, caption, fmt["caption"])
        for i, width in enumerate(_table(ws, frame, row, right, fmt, filter_=False)):
            widths[right + i] = max(width, widths.get(right + i, 0))
        row += len(frame) + 3
    for c, width in widths.items():
        ws.set_column(c, c, width)
    ws.freeze_panes(4, 2)
    _print_setup(ws, 3)
    ws.activate()

    # The long lists: headers, widths and filters here; their rows come from the workers' blocks.
    long_lists = []
    for sheet, headers, key in ((SHEET_MEASURES, MEASURE_HEADERS, "measures"), (SHEET_KPIS, KPI_HEADERS, "kpis")):
        ws = book.add_worksheet(sheet)
        sample = [(s["prefecture"], s["municipality"], *r) for s in result.summaries for r in s[key][:50]][:500]
        rows = sum(len(s[key]) for s in result.summaries)
        _table(ws, Frame(list(headers), sample), 0, 0, fmt, body=False, rows=rows)
        ws.freeze_panes(1, 2)
        long_lists.append((f"xl/worksheets/sheet{len(book.worksheets())}.xml", key, rows))

    ws = book.add_worksheet(SHEET_COVERAGE)
    coverage = tables["coverage"]
    _table(ws, coverage, 0, 0, fmt)
    ws.freeze_panes(1, 2)
    if len(coverage):
        first = coverage.columns.index("施策数") + 1
        last = len(coverage.columns) - 3
        ws.conditional_format(1, first, len(coverage), last, {"type": "cell", "criteria": "==", "value": 0,
                                                              "format": fmt["zero"]})
    _print_setup(ws, 0)

    ws = book.add_worksheet(SHEET_FAILURES)
    failures = tables["failures"]
    _table(ws, failures, 0, 0, fmt)
    if not len(failures):
        ws.write_string(1, 0, "すべてのファイルを読み込めました。")
    ws.set_column(2, 2, 80, fmt["wrap"])
    ws.freeze_panes(1, 1)
    book.close()
    blocks = {part: [RowBlock(*s["blocks"][key]) for s in result.summaries] for part, key, _ in long_lists}
    return splice(buffer.getvalue(), blocks, {part: rows + 1 for part, _, rows in long_lists})


def _print_setup(ws, header_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)              # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)


def _table(ws, frame: Frame, row: int, col: int, fmt: dict, *, filter_: bool = True, body: bool = True,
           rows: int | None = None) -> list[float]:
    """A header row in the header format, the values below it (unless body=False: rows come later),
    column widths from the content, a filter over `rows` rows (default: the frame's).

    A table with a filter owns its rows: its header row gets two lines, so long headers (柱 names) wrap
    instead of widening number columns. The small tables beside 集計's main one leave row heights and
    column widths to the caller (they share columns); their widths are returned.
    """
    if filter_:
        ws.set_row(row, 33)
    for i, header in enumerate(frame.columns):
        ws.write_string(row, col + i, str(header), fmt["header"])
    if body:
        for r, values in enumerate(frame.rows, row + 1):
            for c, value in enumerate(values, col):
                _write(ws, r, c, value)
    widths = [column_width(str(name), [r[i] for r in frame.rows], header_lines=2 if filter_ else 1)
              for i, name in enumerate(frame.columns)]
    if filter_:
        for i, width in enumerate(widths):
            ws.set_column(col + i, col + i, width)
        if frame.columns:
            ws.autofilter(row, col, row + max(1, len(frame) if rows is None else rows), col + len(frame.columns) - 1)
    return widths


def _write(ws, r: int, c: int, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(r, c, value)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        if not (isinstance(value, float) and math.isnan(value)):
            ws.write_number(r, c, value)
    else:
        ws.write(r, c, value)


def column_width(header: str, values: Sequence[Any], sample: int = 500, cap: float = 50, header_lines: int = 2) -> float:
    """Enough for most values (90th percentile of a sample) and for the header on header_lines lines."""
    shown = [v for v in values[:sample] if v is not None and not (isinstance(v, float) and math.isnan(v))]
    widths = sorted(_text_width(str(v)) for v in shown)
    body = widths[int(len(widths) * 0.9)] if widths else 0
    return min(cap, max(6, _text_width(header) * (1.1 / header_lines), body) + 2)


def _text_width(text: str) -> float:
    line = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:80])
