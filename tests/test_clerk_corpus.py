"""The corpus of clerk inputs (tests/clerk_corpus.py) through a real workbook: every value is read as
the clerk meant it, or a finding with its code sits at that exact cell. Never a silent misread."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from clerk_corpus import BASE, ENTRIES, SHEET, START, Entry
from xlplan.adapters.xlsx_file import read_plan_values
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.core.model import Plan
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.operations import findings_for

TABLE = L.domain_table(SHEET, list(range(START, START + 5)))


def test_the_corpus_is_big_enough():
    assert len(ENTRIES) >= 100
    kinds = {e.key.split(":")[0] for e in ENTRIES}
    assert {"kpi.target_value", "kpi.baseline_value", "kpi.target_fy", "kpi.baseline_as_of", "fy", "measure.id",
            "measure.programs", "measure.origin", "kpi.kind", "kpi.aggregation", "kpi.direction", "target"} <= kinds


def row_of(i: int) -> int:
    return TABLE.first_row + 2 * i     # a blank row between entries, as clerks leave them


def write_corpus(path: Path) -> None:
    """Every entry on its own row, stored as Excel would (openpyxl: another library than the builder)."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[SHEET]
    for i, entry in enumerate(ENTRIES):
        values = {**BASE, "measure.id": f"T-{i:03d}", "measure.name": f"施策{i:03d}", **entry.also, entry.key: entry.typed}
        for key, value in values.items():
            cell = ws.cell(row=row_of(i) + 1, column=TABLE.col(key) + 1)
            cell.value = value
            if key == entry.key and entry.fmt:
                cell.number_format = entry.fmt
    wb.save(path)


@pytest.fixture(scope="module")
def corpus_book(tmp_path_factory) -> Path:
    plan = Plan(municipality="青葉台市", start_fy=START, years=5)
    path = tmp_path_factory.mktemp("corpus") / "入力例.xlsm"
    path.write_bytes(build_workbook(plan, load_catalog(), interpreter="python", current_fy=START))
    write_corpus(path)
    return path


def outcome(read, findings, i: int, entry: Entry):
    """(reading, codes at the entry's cell) for entry i."""
    cell = TABLE.cell(row_of(i), entry.key)
    codes = sorted(f.code for f in findings if f.sheet == SHEET and f.cell == cell)
    measure = next((m for m in read.plan.measures if read.locator.measures[m.id].first_row == row_of(i)), None)
    return measure, codes


def check(read, findings, i: int, entry: Entry) -> None:
    measure, codes = outcome(read, findings, i, entry)
    label = f"{entry.key} ← {entry.typed!r} ({entry.note})"
    if entry.code is not None:
        assert entry.code in codes, f"{label}: expected {entry.code} at {TABLE.cell(row_of(i), entry.key)}, got {codes}"
        for f in findings:
            if f.code == entry.code and f.cell == TABLE.cell(row_of(i), entry.key):
                assert any("\u3040" <= ch <= "\u9fff" for ch in f.message) and "`" not in f.message
        return
    assert not [c for c in codes if c.startswith("INPUT-")], f"{label}: {codes}"
    assert measure is not None, label
    assert entry.reading(measure) == entry.expect, f"{label}: read {entry.reading(measure)!r}"


@pytest.fixture(scope="module")
def file_read(corpus_book):
    read = read_plan(read_plan_values(corpus_book))
    return read, findings_for(read)


@pytest.mark.parametrize("i", range(len(ENTRIES)), ids=[f"{e.key}={e.typed!r}" for e in ENTRIES])
def test_file_path_reads_what_the_clerk_meant(file_read, i):
    check(*file_read, i, ENTRIES[i])


# Under the remote engine number formats cannot be known: entries that rely on a % format are
# refused at their cell instead (INPUT-PERCENT-FRACTION) when the KPI's other values show the scale.
LIVE = [i for i, e in enumerate(ENTRIES) if not e.fmt][::3]
FORMATTED = [i for i, e in enumerate(ENTRIES) if e.fmt and e.expect is not None]


@pytest.fixture(scope="module")
def live_read(corpus_book):
    import xlwings as xw
    from xlwings.main import Engine

    from xlplan.adapters import xlwings_live as live
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.layout.read import percent_columns

    mp = pytest.MonkeyPatch()
    mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    book = xw.Book(json=live.remote_payload(read_values(corpus_book), "入力例.xlsm"))
    try:
        values = live.read_book_values(book, None, percent_columns=percent_columns)
        assert values.percent_cells is None          # the remote engine cannot report formats
        read = read_plan(values)
        yield read, findings_for(read)
    finally:
        book.close()
        mp.undo()


@pytest.mark.parametrize("i", LIVE, ids=[f"{ENTRIES[i].key}={ENTRIES[i].typed!r}" for i in LIVE])
def test_live_path_reads_the_same(live_read, i):
    check(*live_read, i, ENTRIES[i])


@pytest.mark.parametrize("i", FORMATTED, ids=[f"{ENTRIES[i].key}={ENTRIES[i].typed!r}" for i in FORMATTED])
def test_live_path_never_misreads_a_percent_it_cannot_see(live_read, i):
    read, findings = live_read
    entry = ENTRIES[i]
    measure, codes = outcome(read, findings, i, entry)
    value = entry.reading(measure)
    shown = value[0] if isinstance(value, tuple) else value
    if isinstance(value, dict):       # a year's target: what was read for that year
        year = int(entry.key.split(":")[1])
        shown, entry = value.get(year), Entry(entry.key, entry.typed, entry.expect.get(year))
    assert shown == entry.expect or (shown is None and codes == ["INPUT-PERCENT-FRACTION"]) or (
        shown == (entry.expect[0] if isinstance(entry.expect, tuple) else entry.expect)), (entry, value, codes)
