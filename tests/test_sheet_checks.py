"""The pre-read checks of a sheet part (issue 20), on the XML a clerk's tool may write: the fast bound
and the exact per-cell scan must agree on what is refused."""

from __future__ import annotations

import zipfile

import pytest

from xlplan.adapters.package.safexml import has_dtd
from xlplan.adapters.package.zipcheck import check_package
from xlplan.adapters.sheet_checks import check_rows_unique, check_used_range
from xlplan.errors import WorkbookReadError


def sheet(rows: str) -> bytes:
    return (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + rows.encode() + b"</sheetData></worksheet>")


def test_a_row_written_twice_is_refused_with_its_number():
    xml = sheet('<row r="3"><c r="A3"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>')
    with pytest.raises(WorkbookReadError, match="3 行目が2回"):
        check_rows_unique(xml, "電子行政", "xl/worksheets/sheet3.xml")


def test_rows_without_numbers_are_not_duplicates():
    assert check_rows_unique(sheet("<row><c><v>1</v></c></row><row><c><v>2</v></c></row>"), "s", "p") == [b"", b""]


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="200000"><c r="BA200000"><v>1</v></c></row>',
    # rows without r give no bound from the numbers: the cells are scanned
    '<row><c r="A1"><v>1</v></c></row><row><c r="AAA20000"><v>1</v></c></row>',
])
def test_a_value_far_from_a1_is_refused(rows):
    with pytest.raises(WorkbookReadError, match="Ctrl\\+End"):
        check_used_range(sheet(rows), "電子行政")


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1"><v>1</v></c><c r="AF1"><v>2</v></c></row><row r="50000"><c r="S50000"><v>1</v></c></row>',
    # only formatted (empty) cells far away: they do not count, as for calamine and Ctrl+End
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="3"/></row>',
])
def test_a_sheet_whose_values_stay_near_a1_is_read(rows):
    check_used_range(sheet(rows), "電子行政")


def test_members_kept_from_the_check_are_the_members(sample_book):
    with zipfile.ZipFile(sample_book) as plain:
        expected = {name: plain.read(name) for name in plain.namelist() if name.startswith("xl/worksheets/sheet")}
    with check_package(sample_book, keep=lambda name: name.startswith("xl/worksheets/sheet")) as archive:
        assert set(archive.kept) == set(expected)
        assert {name: archive.read(name) for name in expected} == expected
        assert archive.kept == {}
        assert archive.read(next(iter(expected))) == expected[next(iter(expected))]   # read again: inflated again


@pytest.mark.parametrize("text, encoding", [
    ("<a>!!</a><!DOCTYPE a []>", "utf-8"),
    ("<a>" + "Sheet1!A1 " * 100 + "</a><!ENTITY x 'y'>", "utf-8"),   # more "!" than the quick look takes
    ("<a>!</a><!DOCTYPE a []>", "utf-16-le"),
    ("<a>!</a><!DOCTYPE a []>", "utf-16-be"),
])
def test_a_dtd_is_found_after_other_exclamation_marks(text, encoding):
    assert has_dtd(text.encode(encoding))


@pytest.mark.parametrize("xml", [b"", b"!", b"<a>COUNTIF(x,\"Sheet!\")</a>", b"<!-- a comment --><a/>", b"<a>!</a>" * 100])
def test_parts_without_a_dtd_pass(xml):
    assert not has_dtd(xml)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_dtd_split_across_the_checks_chunks_is_refused(sample_bytes, tmp_path, method, encoding):
    from xlplan.adapters.package import zipcheck

    mark = "<!DOCTYPE a []>".encode(encoding)
    for cut in (3, 9):   # the chunk boundary falls inside the mark
        padding = b" " * (zipcheck._CHUNK - cut)
        path = tmp_path / f"dtd_{cut}.xlsx"
        with zipfile.ZipFile(__import__("io").BytesIO(sample_bytes)) as source, zipfile.ZipFile(path, "w", method) as out:
            for info in source.infolist():
                out.writestr(info.filename, source.read(info))
            out.writestr("xl/extra.xml", padding + mark + b"<a/>")
        with pytest.raises(WorkbookReadError, match="DTD"):
            check_package(path)
