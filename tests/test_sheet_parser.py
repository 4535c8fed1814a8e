"""Calamine parses in a thread while Python goes on (xlsx_file.SheetParser, read_plan_file): the same values,
the same plan and findings as the one-after-the-other read, and calamine's failures reported the same way."""

from __future__ import annotations

import threading

import pytest

from xlplan.adapters.xlsx_file import SheetParser, read_plan_file, read_plan_values
from xlplan.errors import WorkbookReadError
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan


def test_pending_sheets_are_completed_when_first_asked_for(sample_book):
    plain = read_plan_values(sample_book)
    values = read_plan_values(sample_book, background=(L.PROGRESS,))
    assert dict.__contains__(values, L.INFO)   # read before the others are chosen
    assert values.pending == [L.PROGRESS]
    assert values.get(L.PROGRESS) == plain[L.PROGRESS] and values.pending == []   # by get
    values = read_plan_values(sample_book, background=(L.PROGRESS,))
    assert values[L.PROGRESS] == plain[L.PROGRESS] and values.pending == []       # by []
    values = read_plan_values(sample_book, background=(L.PROGRESS,))
    assert L.PROGRESS in values and values.pending == []                           # by in
    values = read_plan_values(sample_book, background=(L.PROGRESS,))
    assert values.get("ない") is None and "ない" not in values
    with pytest.raises(KeyError):
        values["ない"]
    assert len(values) == len(plain) and values.pending == []   # a whole-dict view waits for all
    assert dict(values) == dict(plain)
    assert values.merged == plain.merged and values.percent_cells == plain.percent_cells
    values.finish()   # nothing left: waits for nothing


def test_finish_completes_every_pending_sheet(sample_book):
    values = read_plan_values(sample_book, background=(L.PROGRESS,))
    values.finish()
    assert values.pending == [] and dict.__contains__(values, L.PROGRESS)


def test_read_plan_file_reads_what_the_plain_read_does(sample_book):
    plain = read_plan(read_plan_values(sample_book))
    piped = read_plan_file(sample_book)
    assert piped.plan.model_dump() == plain.plan.model_dump()
    assert piped.findings == plain.findings
    assert piped.progress.rows == plain.progress.rows


def test_a_sheet_asked_for_twice_is_read_once(sample_book):
    values = read_plan_values(sample_book, extra=(L.LISTS, L.PROGRESS))
    assert L.LISTS in values and L.PROGRESS in values


class _Book:
    """Stands in for a calamine workbook: records the thread each sheet is parsed on; fails where told."""

    def __init__(self, fail: dict[str, BaseException]) -> None:
        self.fail = fail
        self.threads: dict[str, str] = {}

    def get_sheet_by_name(self, name: str):
        self.threads[name] = threading.current_thread().name
        if name in self.fail:
            raise self.fail[name]
        return f"sheet {name}"


class _Panic(BaseException):
    """Like pyo3's PanicException, which derives from BaseException."""


def test_the_parser_hands_back_sheets_and_failures_in_order():
    book = _Book({"壊れた": ValueError("bad xml"), "パニック": _Panic("rust panic")})
    parser = SheetParser(lambda: book)
    for name in ("基本情報", "壊れた", "パニック", "電子行政"):
        parser.submit(name)
    parser.close()
    assert parser.sheet("基本情報") == "sheet 基本情報"
    with pytest.raises(ValueError, match="bad xml"):
        parser.sheet("壊れた")
    with pytest.raises(_Panic):
        parser.sheet("パニック")
    assert parser.sheet("電子行政") == "sheet 電子行政"   # a failure does not stop the sheets after it
    parser._thread.join(timeout=5)
    assert not parser._thread.is_alive()
    assert set(book.threads.values()) == {"xlplan-calamine"}


def test_a_background_sheet_calamine_cannot_read_is_reported_at_finish(sample_book, tmp_path):
    """The package is closed by then: it is opened again to say which part is broken."""
    import badinput as B

    good = B.Good(sample_book.read_bytes(), tmp_path / "good.xlsm")
    broken = tmp_path / "壊れた進捗.xlsm"
    broken.write_bytes(next(c for c in B.CASES if c.name == "truncated_progress_xml").build(good))
    values = read_plan_values(broken, background=(L.PROGRESS,))
    assert values[L.INFO] and values[L.CATALOG] and values.pending == [L.PROGRESS]   # the others are read
    with pytest.raises(WorkbookReadError) as caught:
        values.finish()
    assert caught.value.sheet == L.PROGRESS
    assert "シートの中身（xl/worksheets/" in caught.value.message and "XML が壊れています" in caught.value.message
    with pytest.raises(WorkbookReadError):   # still pending: asked again, the same refusal
        values[L.PROGRESS]
    with pytest.raises(WorkbookReadError):
        read_plan_file(broken)


def test_a_workbook_the_thread_cannot_open_fails_every_sheet_asked_for():
    def open_book():
        raise _Panic("cannot open")

    parser = SheetParser(open_book)
    parser.submit("進捗管理")
    parser.submit("退避した入力")
    parser.close()
    for name in ("進捗管理", "退避した入力"):
        with pytest.raises(_Panic, match="cannot open"):
            parser.sheet(name)


def test_a_parser_never_asked_starts_no_thread():
    parser = SheetParser(lambda: pytest.fail("opened"))
    parser.close()
    assert parser._thread is None


def test_a_background_sheet_is_checked_before_it_is_queued(sample_book, tmp_path):
    """The 進捗管理's XML checks run before calamine's thread gets it: a row written twice is refused at once,
    with the checks' own message."""
    import badinput as B
    from lxml import etree

    data = sample_book.read_bytes()

    def edit(root):
        data_rows = list(root.find(B.q("sheetData")).iterfind(B.q("row")))
        data_rows[-1].addnext(etree.fromstring(etree.tostring(data_rows[-1])))

    broken = tmp_path / "行が2回.xlsm"
    broken.write_bytes(B.edit_sheet(data, L.PROGRESS, edit))
    with pytest.raises(WorkbookReadError) as caught:
        read_plan_values(broken, background=(L.PROGRESS,))
    assert caught.value.sheet == L.PROGRESS and "行目が2回書かれています" in caught.value.message


def test_a_cancelled_parser_parses_nothing_more():
    started = threading.Event()
    release = threading.Event()

    class Slow(_Book):
        def get_sheet_by_name(self, name):
            started.set()
            release.wait(5)
            return super().get_sheet_by_name(name)

    book = Slow({})
    parser = SheetParser(lambda: book)
    for name in ("基本情報", "電子行政", "観光"):
        parser.submit(name)
    started.wait(5)
    parser.close(cancel=True)
    release.set()
    assert parser.sheet("基本情報") == "sheet 基本情報"   # the one being parsed finishes
    for name in ("電子行政", "観光"):
        with pytest.raises(RuntimeError, match="cancelled"):
            parser.sheet(name)
    assert list(book.threads) == ["基本情報"]
