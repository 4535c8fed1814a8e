"""Whole processes for bench/run.py: what a clerk waits for when a command starts a new Python.

* `xlplan validate FILE` as a process vs a process that only reads the same file with
  python-calamine (every sheet, to_python): interpreter start and imports included (issue 19).
* CLI start: `xlplan version` and `xlplan --help` vs `python -c pass` (goal ≤ 0.15 s).

Commands run as ``python -m xlplan`` with this interpreter. The checkout's modules are compiled
to bytecode first, as pip does at install (a PYTHONDONTWRITEBYTECODE environment would otherwise
compile every module in every process). Runs alternate with their baseline; medians of wall time,
and of CPU time (user + system of the child), which is steadier on a shared machine.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI_START_GOAL = 0.15


@dataclass
class Timed:
    wall: float
    cpu: float


def compile_checkout() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "xlplan")], check=True, capture_output=True)


def run(command: list[str], ok_codes: tuple[int, ...] = (0,)) -> Timed:
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode not in ok_codes:
        raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    cpu1 = _children_cpu()
    return Timed(wall, cpu1 - cpu0 if cpu1 is not None else wall)


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:   # Windows: CPU time is reported as the wall time
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired(target: Callable[[], Timed], baseline: Callable[[], Timed], repeat: int,
           setup: Callable[[], object] | None = None) -> tuple[Timed, Timed]:
    """Medians of target and baseline, runs alternating; setup (untimed) before each target run."""
    ts, bs = [], []
    for _ in range(repeat):
        bs.append(baseline())
        if setup:
            setup()
        ts.append(target())
    return _median(ts), _median(bs)


def _median(runs: list[Timed]) -> Timed:
    return Timed(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))


def calamine_process(path: Path) -> list[str]:
    code = ("import sys\nfrom python_calamine import CalamineWorkbook\nbook = CalamineWorkbook.from_path(sys.argv[1])\n"
            "for name in book.sheet_names:\n    book.get_sheet_by_name(name).to_python()\n")
    return [sys.executable, "-c", code, str(path)]


def xlplan(*args: str) -> list[str]:
    return [sys.executable, "-m", "xlplan", *args]


def validate_process(source: Path, work: Path, repeat: int) -> tuple[Timed, Timed]:
    """`xlplan validate WORK` (writes 検証結果 in place; exit 1 = findings with errors) vs a calamine process."""
    def fresh() -> None:
        shutil.copyfile(source, work)

    fresh()
    run(xlplan("validate", str(work)), (0, 1))   # warm the disk cache
    return paired(lambda: run(xlplan("validate", str(work)), (0, 1)), lambda: run(calamine_process(source)),
                  repeat, fresh)


def cli_start(repeat: int) -> dict[str, tuple[Timed, Timed]]:
    """`xlplan version` and `xlplan --help`, each against `python -c pass`."""
    floor = [sys.executable, "-c", "pass"]
    return {name: paired(lambda command=command: run(command), lambda: run(floor), repeat)
            for name, command in (("xlplan version", xlplan("version")), ("xlplan --help", xlplan("--help")))}
