"""Engine calls per button: how many times xlwings' API (xlwings/main.py) calls into the engine.

On Windows each such call is one COM round trip from python.exe to Excel (0.1–0.5 ms each), so
this count — not the number of writes — is what a click spends talking to Excel. Under the
remote engine (xlwings/pro/_xlremote.py, no Excel needed) the same API makes the same calls into
its engine, so they are counted there: a profile hook records every call whose code lives in the
engine module and whose caller is xlwings/main.py (or xlplan's live adapter, which calls the
engine directly for sheets added and copied).

    python bench/engine_calls.py            # the sample and a 10× plan, every button

``count_engine_calls(fn)`` is also used by tests/test_excel_live.py to assert the bound.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUTTONS = ("validate", "redraw_schedule", "populate", "update_progress", "clear_marks")
GOAL = 100


def count_engine_calls(fn: Callable[[], object]) -> Counter:
    """Run ``fn`` and return {engine function name: calls from xlwings/main.py}."""
    from xlwings.pro import _xlremote

    engine_file = os.path.normcase(_xlremote.__file__)
    main_file = os.path.normcase(os.path.join(os.path.dirname(os.path.dirname(engine_file)), "main.py"))
    counts: Counter = Counter()

    import xlplan.adapters.xlwings_live as adapter
    import xlplan.adapters.xlwings_structure as structure

    # xlplan's adapter calls the engine directly where xlwings' API would first list every sheet
    # (adding and copying a sheet): those calls count too. What it reads off the engine without
    # asking Excel (cell budgets, value preparation) does not.
    callers = {main_file, *(os.path.normcase(m.__file__) for m in (adapter, structure))}
    constants = {"max_cells_per_read", "max_cells_per_write", "prepare_xl_data_element"}

    def hook(frame, event, arg):
        if event == "call" and os.path.normcase(frame.f_code.co_filename) == engine_file:
            caller = frame.f_back
            if (caller is not None and os.path.normcase(caller.f_code.co_filename) in callers
                    and frame.f_code.co_name not in constants):
                counts[frame.f_code.co_name] += 1

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        fn()
    finally:
        sys.setprofile(previous)
    return counts


def button_counts(data: bytes, workdir: Path) -> dict[str, tuple[int, int, Counter]]:
    """(engine calls, actions, calls by name) of each button on a workbook (its values as the remote payload)."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLPLAN_LOG_DIR", str(workdir / "logs"))
    import xlwings as xw
    from xlwings.main import Engine
    from xlwings.pro import _xlremote

    import xlplan.excel as x
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.adapters.xlwings_live import remote_payload

    if "remote" not in [e.name for e in xw.engines]:
        xw.engines.add(Engine(impl=_xlremote.engine))
    path = workdir / "engine_calls.xlsm"
    path.write_bytes(data)
    payload = remote_payload(read_values(path), "engine_calls.xlsm")
    result = {}
    for button in BUTTONS:
        book = xw.Book(json=payload)
        book.set_mock_caller()
        try:
            counts = count_engine_calls(getattr(x, button))
            result[button] = (sum(counts.values()), len(book.json()["actions"]), counts)
        finally:
            book.close()
            del xw.Book._mock_caller
    return result


def reshape_counts(data: bytes, workdir: Path) -> tuple[int, int, Counter]:
    """The 計画の枠組みを変更 button after the clerk typed 3 into 基本情報's 計画期間（年数） of a 5-year plan,
    answered ［はい］ (reshape_confirmed): year columns deleted on every domain sheet and the 工程表,
    the owned sheets redrawn, 「削除した内容」 added."""
    import xlwings as xw

    import xlplan.excel as x
    from xlplan.adapters.package import patch_package
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.adapters.xlwings_live import remote_payload
    from xlplan.layout import sheets as L
    from xlplan.layout.ops import SetValues

    path = workdir / "reshape.xlsm"
    path.write_bytes(patch_package(data, [SetValues(L.INFO, L.INFO_FIELD["years"].row, L.INFO_VALUE_COL, [[3]])]))
    book = xw.Book(json=remote_payload(read_values(path), "reshape.xlsm"))
    book.set_mock_caller()
    try:
        counts = count_engine_calls(x.reshape_confirmed)
        return sum(counts.values()), len(book.json()["actions"]), counts
    finally:
        book.close()
        del xw.Book._mock_caller


def ticked(data: bytes, workdir: Path, count: int = 2) -> bytes:
    """The workbook with 採用 ticked on the first adoptable catalog measures (so populate adds rows)."""
    from xlplan.adapters.package import patch_package
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.catalog_data import load_catalog
    from xlplan.layout import sheets as L
    from xlplan.layout.ops import SetValues

    path = workdir / "unticked.xlsm"
    path.write_bytes(data)
    t = L.CATALOG_TABLE
    grid = read_values(path)[L.CATALOG]
    wanted = [m.id for m in load_catalog().measures if m.adoptable][:count]
    rows = [r for r in range(t.first_row, len(grid)) if grid[r][t.col("catalog.id")] in wanted]
    return patch_package(data, [SetValues(L.CATALOG, r, t.col("catalog.adopt"), [[L.ADOPT_MARK]]) for r in rows])


def sample_workbooks() -> dict[str, bytes]:
    """The sample plan and the same plan ten times over (every measure copied 9 times under new IDs)."""
    sys.path.insert(0, str(ROOT))
    from xlplan.builder.workbook import build_workbook
    from xlplan.catalog_data import load_catalog
    from xlplan.core.vocab import Origin
    from xlplan.planfile import load_plan

    plan = load_plan(ROOT / "samples" / "sample_plan.yaml")
    copies = []
    for k in range(1, 10):
        for m in plan.measures:
            prefix, number = m.id.rsplit("-", 1)
            copies.append(m.model_copy(deep=True, update={"id": f"{prefix}-{k * 100 + int(number)}", "catalog_id": None,
                                                          "origin": Origin.ADDED}))
    big = plan.model_copy(update={"measures": [*plan.measures, *copies]})
    catalog = load_catalog()
    return {"sample": build_workbook(plan, catalog, current_fy=2027),
            "10x": build_workbook(big, catalog, current_fy=2027)}


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="xlplan-engine-") as tmp:
        workdir = Path(tmp)
        books = sample_workbooks()
        table = {label: button_counts(ticked(data, workdir), workdir) for label, data in books.items()}
        reshaped = {label: reshape_counts(data, workdir) for label, data in books.items()}
    print(f"Engine calls per button (remote engine; calls from xlwings/main.py into the engine; goal ≤ {GOAL})")
    print(f"{'button':16s} {'sample':>7s} {'10×':>7s} {'actions':>8s}  result  top calls (sample)")
    ok = True
    for button in BUTTONS:
        small, big = table["sample"][button], table["10x"][button]
        passed = max(small[0], big[0]) <= GOAL
        ok &= passed
        top = ", ".join(f"{name} {n}" for name, n in small[2].most_common(5))
        print(f"{button:16s} {small[0]:7d} {big[0]:7d} {small[1]:4d}/{big[1]:<3d}  {'PASS' if passed else 'MISS'}    {top}")
    small, big = reshaped["sample"], reshaped["10x"]
    top = ", ".join(f"{name} {n}" for name, n in small[2].most_common(5))
    same = small[0] == big[0]
    ok &= same
    print(f"{'reshape 5→3':16s} {small[0]:7d} {big[0]:7d} {small[1]:4d}/{big[1]:<3d}  {'SAME' if same else 'GROWS'}    {top}")
    print("(reshape: a rare, structural click, held to the same count at every plan size, not to the goal)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
