"""The child process of bench/click.py: one button click on the remote engine, started like RunPython."""

from __future__ import annotations

import json
import sys
import time


def run(button: str, payload_path: str, times: int = 1) -> None:
    import xlwings as xw
    from xlwings.main import Engine
    from xlwings.pro import _xlremote

    if "remote" not in [e.name for e in xw.engines]:
        xw.engines.add(Engine(impl=_xlremote.engine))
    with open(payload_path, encoding="utf-8") as f:
        payload = json.load(f)
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        book = xw.Book(json=payload)
        book.set_mock_caller()
        import xlplan.excel as x

        getattr(x, button)()
        seconds.append(time.perf_counter() - started)
        book.close()
    if times > 1:
        print(f"in-process: first {seconds[0]:.3f} s, second {seconds[1]:.3f} s "
              f"(loaded: {', '.join(m for m in ('pandas', 'numpy') if m in sys.modules) or 'no pandas/numpy'})")
