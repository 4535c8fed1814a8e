"""xlplan benchmarks: every speed goal as a ratio against a baseline measured in the same run.

    python bench/run.py                              # 100, 1,000 and 5,000 measures
    python bench/run.py --sizes 100,1000,5000 --rollup 1741

For each plan size (a generated, valid plan; see bench/generate.py):

* validate  — what `xlplan validate` does (read_values + read_plan + validate_ops
  + apply_ops, in place) vs. python-calamine reading every sheet of the same
  workbook (to_python). Goal ≤ 2×.
* schedule  — redrawing the 工程表 in place (read + schedule_ops + apply_ops) vs.
  openpyxl load_workbook(keep_vba=True) + save of the same workbook. Goal ≤ 1×.
* Excel calls per button — the ops each button produces and the sheets read
  (the live adapter reads one range per sheet), and, when xlplan.excel and the
  xlwings remote engine are available, the recorded actions and value reads of
  the real button functions. Goal: the same numbers at every size.
* growth    — time per measure at the largest size over the smallest. Goal ≤ 1.3
  (linear or better).
* whole process — `xlplan validate FILE` as a new process vs a process that only
  reads the file with python-calamine, at each size (goal ≤ 2×); and CLI start,
  `xlplan version` / `--help` vs `python -c pass` (goal ≤ 0.15 s). See bench/processes.py.

--rollup N generates a prefecture of N municipality workbooks (~50 measures
each, a few broken files mixed in) and times `xlplan rollup` on all cores.
Goal: 1,741 workbooks in ≤ 60 s on 2 cores. The machine may be shared, so the
run also measures how many cores it really gets (two busy processes vs one)
and reports, next to the wall time, the time projected from the CPU seconds
spent (workers' CPU / jobs + the parent's CPU).

Times are medians of --repeat runs (baseline and target runs alternate, so
both see the same load); a single run is used once a run takes over --slow
seconds. time.perf_counter throughout.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import generate  # noqa: E402  (bench/generate.py)
import processes  # noqa: E402  (bench/processes.py)

ROLLUP_GOAL_SECONDS = 60.0


# ------------------------------------------------------------------ helpers

@dataclass
class Row:
    size: str
    what: str
    seconds: float | None
    baseline: str
    base_seconds: float | None
    ratio: float | None
    goal: str
    ok: bool | None
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    calls: dict[str, dict[int, str]] = field(default_factory=dict)   # button -> size -> "ops …"
    notes: list[str] = field(default_factory=list)


def paired(target: Callable[[], object], baseline: Callable[[], object], repeat: int, slow: float,
           setup: Callable[[], object] | None = None) -> tuple[float, float]:
    """Median seconds of target and of baseline, runs alternating; setup (untimed) before each target run."""
    ts, bs = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        baseline()
        bs.append(time.perf_counter() - t0)
        if setup:
            setup()
        t0 = time.perf_counter()
        target()
        ts.append(time.perf_counter() - t0)
        if max(ts[-1], bs[-1]) > slow:
            break
    return statistics.median(ts), statistics.median(bs)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def effective_cores(jobs: int) -> float:
    """How many cores this run really gets: `jobs` busy processes vs one (1.0 = no parallel speed-up)."""
    from concurrent.futures import ProcessPoolExecutor

    n = 3_000_000
    t0 = time.perf_counter()
    _spin(n)
    one = time.perf_counter() - t0
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_spin, [10] * jobs))   # start the workers first
        t0 = time.perf_counter()
        list(pool.map(_spin, [n] * jobs))
        many = time.perf_counter() - t0
    return jobs * one / many


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# ------------------------------------------------------------------ one plan size

def bench_size(n: int, workdir: Path, repeat: int, slow: float, report: Report, timings: dict) -> None:
    import openpyxl
    from python_calamine import CalamineWorkbook

    from xlplan.adapters.package import apply_ops
    from xlplan.cli.app import read_workbook
    from xlplan.layout.sheets import SCHEDULE
    from xlplan.operations import schedule_ops, validate_ops

    t0 = time.perf_counter()
    data = generate.make_workbook(n, seed=n)
    built = time.perf_counter() - t0
    source = workdir / f"plan_{n}.xlsm"
    work = workdir / f"work_{n}.xlsm"
    saved = workdir / f"openpyxl_{n}.xlsm"
    source.write_bytes(data)
    report.notes.append(f"{n:,} measures: workbook {len(data) / 1e6:.1f} MB, built in {built:.1f} s")

    def fresh() -> None:
        shutil.copyfile(source, work)

    def calamine_read() -> None:
        book = CalamineWorkbook.from_path(str(source))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()

    def validate() -> None:               # = xlplan validate (writes 検証結果 in place)
        read = read_workbook(work)
        _findings, ops = validate_ops(read)
        apply_ops(work, ops)

    def schedule() -> None:               # = the 工程表 redraw, in place (xlplan schedule also reads its headers)
        read = read_workbook(work, extra=(SCHEDULE,))
        apply_ops(work, schedule_ops(read))

    def openpyxl_roundtrip() -> None:
        book = openpyxl.load_workbook(source, keep_vba=True)
        book.save(saved)

    fresh()
    validate()   # warm-up: imports, caches
    t, b = paired(validate, calamine_read, repeat, slow, fresh)
    timings[("validate", n)] = t
    report.rows.append(Row(f"{n:,}", "validate (read+validate+write)", t, "calamine read, all sheets", b, t / b,
                           "≤ 2×", t / b <= 2))
    t, b = paired(schedule, openpyxl_roundtrip, repeat, slow, fresh)
    timings[("schedule", n)] = t
    report.rows.append(Row(f"{n:,}", "schedule redraw in place", t, "openpyxl load+save (keep_vba)", b, t / b,
                           "≤ 1×", t / b <= 1))
    report.notes.append(f"{n:,} measures, one run in phases: {breakdown(work, fresh)}")
    t, b = processes.validate_process(source, workdir / f"process_{n}.xlsm", repeat)
    report.rows.append(Row(f"{n:,}", "validate, whole process", t.wall, "calamine read, whole process", b.wall,
                           t.wall / b.wall, "≤ 2×", t.wall / b.wall <= 2, f"CPU {t.cpu:.3f} / {b.cpu:.3f} s"))
    count_calls(n, source, workdir, report)


def breakdown(work: Path, fresh: Callable[[], None]) -> str:
    """Where validate's and the redraw's time goes (one run each)."""
    from xlplan.adapters.package import patch_package
    from xlplan.adapters.xlsx_file import read_plan_values
    from xlplan.fileio import atomic_write_bytes
    from xlplan.layout.read import read_plan
    from xlplan.operations import schedule_ops, validate_ops

    fresh()
    marks = [("", time.perf_counter())]

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter()))

    values = read_plan_values(work)
    mark("read_plan_values")
    read = read_plan(values)
    mark("read_plan")
    ops = validate_ops(read)[1]
    mark("validate_ops")
    data = patch_package(work.read_bytes(), ops)
    mark("patch_package")
    atomic_write_bytes(work, data)
    mark("atomic write")
    ops = schedule_ops(read)
    mark("schedule_ops")
    patch_package(work.read_bytes(), ops)
    mark("patch_package(schedule)")
    return ", ".join(f"{label} {t - marks[i][1]:.3f} s" for i, (label, t) in enumerate(marks[1:]))


# ------------------------------------------------------------------ Excel calls per button

class RecordingValues(dict):
    """A read_values result that records which sheets read_plan looks at."""

    def __init__(self, values: dict):
        super().__init__(values)
        self.read: set[str] = set()
        self.merged = getattr(values, "merged", {})

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def _ticked(data: bytes, workdir: Path) -> bytes:
    """The workbook with 採用 ticked on two catalog measures (for the populate button)."""
    from xlplan.adapters.package import patch_package
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.catalog_data import load_catalog
    from xlplan.layout import sheets as L
    from xlplan.layout.ops import SetValues

    path = workdir / "unticked.xlsm"
    path.write_bytes(data)
    t = L.CATALOG_TABLE
    grid = read_values(path)[L.CATALOG]
    wanted = [m.id for m in load_catalog().measures if m.adoptable][:2]
    rows = [r for r in range(t.first_row, len(grid)) if grid[r][t.col("catalog.id")] in wanted]
    return patch_package(data, [SetValues(L.CATALOG, r, t.col("catalog.adopt"), [[L.ADOPT_MARK]]) for r in rows])


def count_calls(n: int, source: Path, workdir: Path, report: Report) -> None:
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.catalog_data import load_catalog
    from xlplan.layout.read import read_plan
    from xlplan.operations import clear_marks_ops, populate_ops, schedule_ops, validate_ops

    path = workdir / f"ticked_{n}.xlsm"
    path.write_bytes(_ticked(source.read_bytes(), workdir))
    grids = read_values(path)
    values = RecordingValues(grids)
    read = read_plan(values)
    sheets = len(values.read)
    ops = {
        "validate": validate_ops(read)[1],
        "redraw_schedule": schedule_ops(read) + validate_ops(read)[1],
        "populate": populate_ops(read, load_catalog(), read.adopted).ops,
        "clear_marks": clear_marks_ops(),
    }
    live = live_calls(grids, workdir)
    for button, button_ops in ops.items():
        text = f"{len(button_ops)} ops, " + (f"{sheets} sheets read by read_plan" if button != "clear_marks" else "no plan read")
        if live is not None:
            actions, reads = live[button]
            text += f" | live: {actions} actions, {reads} value reads"
        report.calls.setdefault(button, {})[n] = text


def live_calls(grids: dict, workdir: Path) -> dict[str, tuple[int, int]] | None:
    """(actions recorded, value reads) of each real button function on xlwings' remote engine, or None."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLPLAN_LOG_DIR", str(workdir / "logs"))
    try:
        import xlwings as xw
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        import xlplan.excel as x
        from xlplan.adapters.xlwings_live import remote_payload
    except Exception as exc:  # noqa: BLE001 - optional part of the benchmark
        print(f"  (live Excel calls not counted: {type(exc).__name__}: {exc})", file=sys.stderr)
        return None
    if "remote" not in [e.name for e in xw.engines]:
        xw.engines.add(Engine(impl=_xlremote.engine))

    payload = remote_payload(grids, "bench.xlsm")
    reads = [0]
    original = _xlremote.Range.raw_value

    def getter(rng):
        reads[0] += 1
        return original.fget(rng)

    result = {}
    _xlremote.Range.raw_value = property(getter, original.fset)
    try:
        for button in ("validate", "redraw_schedule", "populate", "clear_marks"):
            book = xw.Book(json=payload)
            book.set_mock_caller()
            reads[0] = 0
            getattr(x, button)()
            result[button] = (len(book.json()["actions"]), reads[0])
            book.close()
    except Exception as exc:  # noqa: BLE001
        print(f"  (live Excel calls not counted: {type(exc).__name__}: {exc})", file=sys.stderr)
        return None
    finally:
        _xlremote.Range.raw_value = original
        if hasattr(xw.Book, "_mock_caller"):
            del xw.Book._mock_caller
    return result


# ------------------------------------------------------------------ the roll-up

def bench_rollup(count: int, workdir: Path, jobs: int, cores: float, report: Report) -> None:
    from python_calamine import CalamineWorkbook

    from xlplan.rollup import rollup

    folder = workdir / "prefecture"
    pref = generate.generate_prefecture(folder, count, progress=False)
    report.notes.append(f"prefecture: {len(pref.good):,} workbooks + {len(pref.bad)} broken files generated in "
                        f"{pref.seconds:.1f} s ({pref.seconds / count * 1000:.0f} ms a file: 4 distinct workbooks "
                        "built, the others renamed by patch_package + SetValues on 基本情報)")
    files = [*pref.files, *pref.missing]

    t0 = time.perf_counter()
    for path in pref.files:          # baseline: calamine reads every sheet of every file, one process
        try:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
        except Exception:  # noqa: BLE001 - the broken files
            pass
    baseline = time.perf_counter() - t0

    out = workdir / "集計.xlsx"
    before = os.times()
    t0 = time.perf_counter()
    result = rollup(files, out, jobs=jobs)
    wall = time.perf_counter() - t0
    after = os.times()
    children = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    parent = (after.user - before.user) + (after.system - before.system)
    projected = children / jobs + parent
    size = f"{count:,} files"
    report.rows.append(Row(size, f"rollup, {jobs} jobs (wall)", wall, "calamine read of all files, 1 process", baseline,
                           wall / baseline, f"≤ {ROLLUP_GOAL_SECONDS:.0f} s", wall <= ROLLUP_GOAL_SECONDS,
                           f"effective cores {cores:.2f}"))
    report.rows.append(Row(size, f"rollup, projected on {jobs} free cores", projected, "", None, None,
                           f"≤ {ROLLUP_GOAL_SECONDS:.0f} s", projected <= ROLLUP_GOAL_SECONDS,
                           f"workers {children:.1f} CPU-s / {jobs} + parent {parent:.1f} CPU-s"))
    listed = {Path(f.path).name for f in result.failures}
    expected = {p.name for p in [*pref.bad, *pref.missing]}
    report.notes.append(f"rollup: {len(result.summaries):,} municipalities, {result.measures:,} measures, {result.kpis:,} KPIs, "
                        f"{len(result.failures)} unreadable files listed ({'all' if listed == expected else 'NOT all'} "
                        f"of the broken ones), output {out.stat().st_size / 1e6:.1f} MB")


# ------------------------------------------------------------------ printing

def _fmt_s(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def print_report(report: Report, sizes: list[int], header: list[str]) -> None:
    for line in header:
        print(line)
    print()
    cols = ("size", "measure", "time", "baseline", "base time", "ratio", "goal", "result", "")
    table = [cols] + [(r.size, r.what, _fmt_s(r.seconds), r.baseline, _fmt_s(r.base_seconds),
                       "" if r.ratio is None else f"{r.ratio:.2f}×" if "growth" not in r.what else f"{r.ratio:.2f}",
                       r.goal, "" if r.ok is None else "PASS" if r.ok else "MISS", r.note) for r in report.rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(cols))]
    for k, row in enumerate(table):
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths).rstrip())
    if report.calls:
        print()
        print("Excel calls per button (goal: the same at every size)")
        for button, by_size in report.calls.items():
            same = len(set(by_size.values())) == 1
            print(f"  {button:16s} {'PASS' if same else 'MISS'}")
            for n in sizes:
                if n in by_size:
                    print(f"    {n:>6,} measures: {by_size[n]}")
    if report.notes:
        print()
        for note in report.notes:
            print(f"- {note}")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="xlplan benchmarks (ratios against baselines measured in this run)")
    parser.add_argument("--sizes", default="100,1000,5000", help="plan sizes in measures, comma-separated")
    parser.add_argument("--rollup", type=int, default=0, metavar="N", help="also roll up a generated prefecture of N files")
    parser.add_argument("--jobs", type=int, default=None, help="roll-up processes (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--slow", type=float, default=20.0, help="one run only once a run takes longer (seconds)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the generated files here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from xlplan.rollup import default_jobs

    jobs = args.jobs or default_jobs()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="xlplan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = load_average()
    cores = effective_cores(max(2, jobs))
    header = [
        "xlplan benchmark",
        (f"machine: {cpu_model()}, {os.cpu_count()} cores ({jobs} used for the roll-up), {platform.system()} "
         f"{platform.release()}, Python {platform.python_version()}"),
        (f"load average at start: {load_before}; effective cores right now: {cores:.2f} of {max(2, jobs)} "
         "(busy processes in parallel vs one; below ~1.8 the machine is shared and wall times suffer)"),
    ]
    report = Report()
    timings: dict = {}
    processes.compile_checkout()   # as pip does at install: processes read bytecode
    try:
        for n in sizes:
            print(f"… {n:,} measures", file=sys.stderr)
            bench_size(n, workdir, args.repeat, args.slow, report, timings)
        if len(sizes) >= 2:
            small, big = min(sizes), max(sizes)
            for what in ("validate", "schedule"):
                per_small = timings[(what, small)] / small
                per_big = timings[(what, big)] / big
                ratio = per_big / per_small
                report.rows.append(Row(f"{small:,}→{big:,}", f"{what}: time per measure, growth", timings[(what, big)],
                                       f"same at {small:,}", timings[(what, small)], ratio, "≤ 1.3", ratio <= 1.3,
                                       f"{per_small * 1e3:.2f} → {per_big * 1e3:.2f} ms/measure"))
        for name, (t, b) in processes.cli_start(max(args.repeat, 7)).items():
            report.rows.append(Row("CLI", f"start: {name}", t.wall, "python -c pass", b.wall, t.wall / b.wall,
                                   f"≤ {processes.CLI_START_GOAL} s", t.wall <= processes.CLI_START_GOAL,
                                   f"CPU {t.cpu:.3f} / {b.cpu:.3f} s"))
        if args.rollup:
            print(f"… roll-up of {args.rollup:,} files", file=sys.stderr)
            bench_rollup(args.rollup, workdir, jobs, cores, report)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    header.append(f"total {time.perf_counter() - started:.0f} s; load average at end: {load_average()}")
    print_report(report, sizes, header)
    return 0


if __name__ == "__main__":
    sys.exit(main())
