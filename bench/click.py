"""The Python side of one button click, against the floor `python -c "import xlwings"`.

Each click starts a new Python (RunPython), so what a clerk waits for is the
interpreter start, the imports and the operation. This benchmark runs, in a
fresh process each time and in an environment without pandas (a venv with
xlplan's dependencies only, as `xlplan setup` and the bundle make it):

* floor — ``python -c "import xlwings"``;
* click — the button's own command line (``import xlwings.utils;
  xlwings.utils.prepare_sys_path(...); ...``) running ``bench/click_child.py``:
  the sample workbook's values as the remote engine's payload, then
  ``import xlplan.excel as x; x.validate()`` (or another button).
  The remote engine stands in for Excel, so the child also imports
  xlwings.pro and builds the payload book: a little more than a real click.

Runs alternate (floor, click, floor, …) and the median is kept. Goal: click ≤ 1.3 × floor.
It also times a second click in the same process (imports done): the Python
side of xlwings' "Use UDF Server" mode, where one Python stays alive.

    python bench/click.py [--repeat 15] [--venv out/bench/click-venv] [--buttons validate,redraw_schedule]

The venv is created once (pip install of this checkout's dependencies, then
the checkout itself on a .pth so edits are measured) and reused while
pyproject.toml is unchanged. Before measuring, the checkout's modules are
compiled to bytecode (``compileall``, into their ``__pycache__``, git-ignored),
as pip does when setup or the bundle installs xlplan: a click then reads
bytecode, as on a clerk's PC, instead of compiling every module (without this,
``PYTHONDONTWRITEBYTECODE`` or a read-only checkout add ≈ 0.06 s of CPU per click).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.3


def ensure_venv(venv: Path) -> Path:
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    marker = venv / "xlplan-bench.stamp"
    if python.is_file() and marker.is_file() and marker.read_text() == stamp:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(ROOT)], check=True)
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "xlplan"], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "xlplan-checkout.pth").write_text(f"{ROOT}\n{ROOT / 'bench'}\n", encoding="utf-8")
    marker.write_text(stamp)
    return python


def compile_checkout(python: Path) -> None:
    """Bytecode for the checkout's modules, as an installed xlplan has (pip compiles at install)."""
    subprocess.run([str(python), "-m", "compileall", "-q", str(ROOT / "xlplan"), str(ROOT / "bench")],
                   check=True, capture_output=True)


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one fresh process. CPU time is steadier than
    wall time on a shared machine; on Windows (no resource module) it repeats the wall time."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}")
    cpu = _children_cpu()
    return seconds, (cpu - cpu0 if cpu is not None else seconds)


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(runs: list[tuple[float, float]], which: int) -> float:
    return statistics.median(r[which] for r in runs)


def click_command(python: Path, payload: Path, button: str, times: int = 1) -> list[str]:
    book = str(payload.with_suffix(".xlsm"))
    code = (f'import xlwings.utils;xlwings.utils.prepare_sys_path("False;{book};{book};;;;"); '
            f'import click_child; click_child.run({button!r}, {str(payload)!r}, {times})')
    return [str(python), "-B", "-c", code, f"--wb={Path(book).name}", "--from_xl=1", "--app=", "--hwnd=0"]


def payload_file(workdir: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.adapters.xlwings_live import remote_payload
    from xlplan.builder.workbook import build_workbook
    from xlplan.catalog_data import load_catalog
    from xlplan.planfile import load_plan

    book = workdir / "sample.xlsm"
    book.write_bytes(build_workbook(load_plan(ROOT / "samples" / "sample_plan.yaml"), load_catalog(), current_fy=2027))
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    path = workdir / "sample.json"
    path.write_text(json.dumps(remote_payload(read_values(book), book.name), ensure_ascii=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--venv", type=Path, default=ROOT / "out" / "bench" / "click-venv")
    parser.add_argument("--buttons", default="validate,redraw_schedule")
    args = parser.parse_args(argv)
    python = ensure_venv(args.venv)
    compile_checkout(python)
    has_pandas = subprocess.run([str(python), "-c", "import pandas"], capture_output=True).returncode == 0
    with tempfile.TemporaryDirectory(prefix="xlplan-click-") as tmp:
        payload = payload_file(Path(tmp))
        env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
        child_env = {**env, "XLWINGS_LICENSE_KEY": "noncommercial", "XLPLAN_LOG_DIR": str(Path(tmp) / "logs")}
        floor_cmd = [str(python), "-c", "import xlwings"]
        # what the stand-in for Excel costs by itself (xlwings.pro and its licence check): not part of a real click
        remote_floor_cmd = [str(python), "-c", "import xlwings; from xlwings.pro import _xlremote"]
        print(f"click benchmark: {python} (pandas installed: {'yes' if has_pandas else 'no'}), "
              f"median of {args.repeat} fresh processes each")
        ok = True
        for button in args.buttons.split(","):
            timed(click_command(python, payload, button), child_env)       # warm the disk cache
            floors, remote_floors, clicks = [], [], []
            for _ in range(args.repeat):
                floors.append(timed(floor_cmd, env))
                remote_floors.append(timed(remote_floor_cmd, child_env))
                clicks.append(timed(click_command(python, payload, button), child_env))
            floor, click, remote_floor = median(floors, 0), median(clicks, 0), median(remote_floors, 0)
            ratio = click / floor
            ok &= ratio <= GOAL
            warm = subprocess.run(click_command(python, payload, button, times=2), capture_output=True, text=True,
                                  env=child_env).stdout.strip().splitlines()[-1]
            print(f"  {button:16s} click {click:.3f} s  floor (import xlwings) {floor:.3f} s  "
                  f"ratio {ratio:.2f}× (goal ≤ {GOAL}×) {'PASS' if ratio <= GOAL else 'MISS'}  | "
                  f"remote-engine floor {remote_floor:.3f} s: ratio {click / remote_floor:.2f}×, "
                  f"xlplan's share {click - remote_floor:.3f} s | {warm}")
            cpu_click, cpu_floor, cpu_remote = median(clicks, 1), median(floors, 1), median(remote_floors, 1)
            print(f"  {'':16s} CPU: click {cpu_click:.3f} s  floor {cpu_floor:.3f} s  ratio {cpu_click / cpu_floor:.2f}×  "
                  f"remote-engine floor {cpu_remote:.3f} s: ratio {cpu_click / cpu_remote:.2f}×")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
