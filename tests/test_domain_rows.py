"""The fast path for domain rows (layout.domain_rows) reads what the careful path reads: the same plan, the same
findings at the same cells, over workbooks full of what clerks type, of what cannot be read, and of xlplan 0.1."""

from __future__ import annotations

from pathlib import Path

import badinput as B
import pytest
from test_clerk_corpus import START, write_corpus

from xlplan.adapters.xlsx_file import read_plan_values
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.core.model import Plan
from xlplan.layout import read as R
from xlplan.layout.read import read_plan

DATA = Path(__file__).parent / "data"


def both_ways(path: Path, monkeypatch) -> tuple:
    values = read_plan_values(path)
    fast = read_plan(values)
    with monkeypatch.context() as patch:
        patch.setattr(R, "RowReader", lambda *args, **kwargs: None)   # every row the careful way
        careful = read_plan(values)
    return fast, careful


def assert_same(fast, careful) -> None:
    assert fast.findings == careful.findings
    assert (fast.plan is None) == (careful.plan is None)
    if fast.plan is not None:
        assert fast.plan.model_dump() == careful.plan.model_dump()
    assert fast.rows == careful.rows


def test_the_clerk_corpus_reads_the_same(tmp_path, monkeypatch):
    path = tmp_path / "入力例.xlsm"
    path.write_bytes(build_workbook(Plan(municipality="青葉台市", start_fy=START, years=5), load_catalog(),
                                    interpreter="python", current_fy=START))
    write_corpus(path)
    fast, careful = both_ways(path, monkeypatch)
    assert len(careful.findings) > 20   # the corpus holds many unreadable cells: they all went the careful way
    assert_same(fast, careful)


def test_the_sample_reads_the_same(sample_book, monkeypatch):
    assert_same(*both_ways(sample_book, monkeypatch))


@pytest.mark.parametrize("name", ["xlplan-0.1-sample.xlsm", "xlplan-0.1-template.xlsm"])
def test_xlplan_0_1_workbooks_read_the_same(name, monkeypatch):
    assert_same(*both_ways(DATA / name, monkeypatch))


@pytest.mark.parametrize("case", [c for c in B.CASES if c.validate in ("finding", "ok")], ids=lambda c: c.name)
def test_bad_input_reads_the_same(case, sample_book, tmp_path, monkeypatch):
    good = B.Good(sample_book.read_bytes(), tmp_path / "good.xlsm")
    path = tmp_path / f"case{case.suffix}"
    path.write_bytes(case.build(good))
    assert_same(*both_ways(path, monkeypatch))


def test_rows_that_read_cleanly_take_the_fast_path(sample_book, tmp_path, monkeypatch):
    """No row of the sample goes the careful way; nor does a qualitative KPI with a status for each year."""
    good = B.Good(sample_book.read_bytes(), tmp_path / "good.xlsm")
    start = good.read.plan.start_fy
    cells = {good.cell("kpi.target_value"): {"value": None}, good.cell("kpi.target_text"): {"value": "全庁で運用"},
             **{good.cell(f"target:{fy}"): {"value": None} for fy in good.read.plan.fiscal_years},
             **{good.cell(f"target:{start + i}"): {"value": status} for i, status in enumerate(["検討中", "一部実施"])}}
    path = tmp_path / "状況.xlsm"
    path.write_bytes(good.with_cells(good.domain, cells))
    calls = []
    careful_kpi, careful_measure = R._read_kpi, R._read_measure_fields
    monkeypatch.setattr(R, "_read_kpi", lambda *args: calls.append("kpi") or careful_kpi(*args))
    monkeypatch.setattr(R, "_read_measure_fields", lambda *args: calls.append("measure") or careful_measure(*args))
    for book in (sample_book, path):
        read = read_plan(read_plan_values(book))
        assert not [f for f in read.findings if f.sheet == good.domain]
    assert calls == []
    kpi = read.plan.measures[0].kpis[0]
    assert kpi.target_value is None and kpi.interim_statuses == {start: "検討中", start + 1: "一部実施"}
