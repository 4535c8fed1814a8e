"""validate in phases, in CPU seconds, against a calamine read of every sheet in the same process.

    python bench/phases.py 5000 [repeats]          # the workbook bench/run.py builds for that size

CPU time (time.process_time) is steadier than wall time on a shared machine: other processes
slow a run's wall clock, much less its CPU seconds. To compare two versions side by side, run this
file from each checkout in turn, one size after the other (copy it into an older checkout's bench/:
the checkout's own xlplan is imported, its folder comes first on sys.path). Prints the medians of
`repeats` runs (default 5); fsync waits are not CPU time.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import generate  # noqa: E402


def main(argv: list[str]) -> int:
    from python_calamine import CalamineWorkbook

    from xlplan.adapters.package import apply_ops
    from xlplan.adapters.xlsx_file import read_plan_values
    from xlplan.layout.read import read_plan
    from xlplan.operations import validate_ops

    n = int(argv[0])
    repeats = int(argv[1]) if len(argv) > 1 else 5
    folder = Path(tempfile.mkdtemp(prefix="xlplan-phases-"))
    source, work = folder / "plan.xlsm", folder / "work.xlsm"
    source.write_bytes(generate.make_workbook(n, seed=n))

    def calamine() -> float:
        t0 = time.process_time()
        book = CalamineWorkbook.from_path(str(source))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        return time.process_time() - t0

    def phases() -> list[float]:
        shutil.copyfile(source, work)
        marks = [time.process_time()]
        values = read_plan_values(work)
        marks.append(time.process_time())
        read = read_plan(values)
        marks.append(time.process_time())
        ops = validate_ops(read)[1]
        marks.append(time.process_time())
        apply_ops(work, ops)
        marks.append(time.process_time())
        return [b - a for a, b in zip(marks, marks[1:])]

    try:
        phases()   # warm-up: imports, the catalog
        runs = [(calamine(), phases()) for _ in range(repeats)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = statistics.median(c for c, _ in runs)
    total = statistics.median(sum(p) for _, p in runs)
    cols = [statistics.median(p[i] for _, p in runs) for i in range(4)]
    print(f"{n:,} measures, CPU s: calamine {base:.3f} | read_plan_values {cols[0]:.3f} read_plan {cols[1]:.3f} "
          f"validate_ops {cols[2]:.3f} apply_ops {cols[3]:.3f} = {total:.3f} ({total / base:.2f}× calamine)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
