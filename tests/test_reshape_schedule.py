"""xlplan reshape --subdivision (and 基本情報's 工程表の区切り): the 工程表's time columns follow, every value on
the domain sheets stays, and the reader accepts the result; the user's note, picture and own sheet survive."""

from __future__ import annotations

import zipfile

from clirun import run
from lxml import etree
from test_excel_live import remote_engine  # noqa: F401 — the remote engine for the live test
from test_preservation import setting  # noqa: F401 — the sample with a note, a picture and a sheet メモ

from xlplan.adapters.package import Package, apply_ops, sheet_part_map
from xlplan.adapters.xlsx_file import read_values
from xlplan.core.reshape import YearChange
from xlplan.core.vocab import Subdivision
from xlplan.layout import sheets as L
from xlplan.layout.ops import DeleteColumns, InsertColumns, SetColumnWidths, SetValues
from xlplan.layout.read import read_plan
from xlplan.layout.screen import stored_width
from xlplan.reshape_schedule import schedule_ops

YEARS = (2027, 2028, 2029, 2030, 2031)
SHAPE_FINDINGS = ("INPUT-SCHEDULE-COLUMNS", "INPUT-FY-COLUMNS")


def domain_values(path, domains):
    values = read_values(path)
    return {d: values[d] for d in domains}


def slot_widths(path, layout: L.ScheduleLayout) -> set[float]:
    """The <col width> of the 工程表's time columns, as stored."""
    with Package(path.read_bytes()) as package:
        root = etree.fromstring(package.read(sheet_part_map(package)[L.SCHEDULE]))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    first = layout.table.col(layout.slot_key(*layout.slots()[0]))
    wanted = set(range(first, first + len(layout.slots())))
    widths = set()
    for col in root.iterfind("m:cols/m:col", ns):
        span = set(range(int(col.get("min")) - 1, int(col.get("max"))))
        if span & wanted:
            widths.add(float(col.get("width")))
    return widths


def assert_schedule_is(path, subdivision: Subdivision, years=YEARS):
    values = read_values(path)
    read = read_plan(values)
    assert not [f for f in read.findings if f.code in SHAPE_FINDINGS], [f.message for f in read.findings]
    assert read.plan.subdivision is subdivision
    layout = L.ScheduleLayout(tuple(years), subdivision)
    table = layout.table
    header = values[L.SCHEDULE][table.header_row]
    assert [str(v or "").replace("\r", "") for v in header[: table.width]] == [c.header for c in table.columns]
    lists = values[L.LISTS]
    assert lists[1][list(lists[0]).index(L.BUILT_SUBDIVISION)] == subdivision.value
    assert slot_widths(path, layout) == {stored_width(table.columns[table.col(layout.slot_key(*layout.slots()[0]))].width)}
    # and the 工程表 redraws without refusing
    assert run("schedule", path).exit_code == 0


def test_year_quarter_half_year_keeps_every_domain_value(setting, tmp_path):  # noqa: F811
    book = tmp_path / "計画.xlsm"
    book.write_bytes(setting["data"])
    domains = read_plan(read_values(book)).plan.domains
    before = domain_values(book, domains)
    parts_before = set(zipfile.ZipFile(book).namelist())
    for sub in (Subdivision.QUARTER, Subdivision.HALF, Subdivision.YEAR):
        result = run("reshape", book, "--subdivision", sub.value)
        assert result.exit_code == 0, result.output
        assert "工程表の区切りを" in result.output and f"「{sub.value}」に変えました" in result.output
        assert_schedule_is(book, sub)
        assert domain_values(book, domains) == before
        assert run("validate", book, "--no-write").exit_code in (0, 1)   # warnings only, no shape error
    parts_after = set(zipfile.ZipFile(book).namelist())
    assert {p for p in parts_before if "comments" in p or "drawing" in p or "media" in p} <= parts_after
    assert read_values(book)["メモ"][1][:2] == ["予算要求は9月", 2027]


def test_subdivision_edited_in_kihon_joho_points_at_reshape_and_reshape_follows_it(sample_book):
    apply_ops(sample_book, [SetValues(L.INFO, L.INFO_FIELD["subdivision"].row, L.INFO_VALUE_COL, [["半期"]])])
    refused = run("schedule", sample_book)
    assert refused.exit_code != 0
    assert "計画の枠組みを変更" in refused.output and "xlplan reshape" in refused.output
    assert "new" not in refused.output.replace("\n", "")
    result = run("reshape", sample_book)
    assert result.exit_code == 0 and "「年度」から「半期」" in result.output, result.output
    assert_schedule_is(sample_book, Subdivision.HALF)


def test_period_and_subdivision_change_together(sample_book):
    result = run("reshape", sample_book, "--years", "3", "--subdivision", "四半期", "--force")
    assert result.exit_code == 0, result.output
    assert_schedule_is(sample_book, Subdivision.QUARTER, YEARS[:3])


def test_an_unknown_subdivision_is_refused_in_japanese(sample_book):
    data = sample_book.read_bytes()
    result = run("reshape", sample_book, "--subdivision", "月")
    assert result.exit_code != 0 and "工程表の区切り" in result.output
    assert sample_book.read_bytes() == data


def test_schedule_ops_resize_both_blocks_at_their_end():
    values = {L.LISTS: [["phase", L.BUILT_SUBDIVISION], ["検討", "年度"]]}
    change = YearChange((2027, 2028), (2027, 2028))
    year = L.ScheduleLayout((2027, 2028)).table
    last_slot, last_code = year.col("fy:2028"), year.col("code:fy:2028")
    ops = schedule_ops(values, change, Subdivision.YEAR, Subdivision.QUARTER)
    assert ops[:2] == [InsertColumns(L.SCHEDULE, last_code + 1, 6, like=last_code, hidden=True),
                       InsertColumns(L.SCHEDULE, last_slot + 1, 6, like=last_slot)]
    assert SetColumnWidths(L.SCHEDULE, year.col("fy:2027"), (7,) * 8) in ops
    assert ops[-1] == SetValues(L.LISTS, 1, 1, [["四半期"]])
    back = schedule_ops({L.LISTS: [["phase"]]}, change, Subdivision.QUARTER, Subdivision.YEAR)
    quarter = L.ScheduleLayout((2027, 2028), Subdivision.QUARTER).table
    q_slot, q_code = quarter.col("fy:2028:4"), quarter.col("code:fy:2028:4")
    assert back[:2] == [DeleteColumns(L.SCHEDULE, q_code - 5, 6), DeleteColumns(L.SCHEDULE, q_slot - 5, 6)]
    assert back[-1] == SetValues(L.LISTS, 0, 1, [[L.BUILT_SUBDIVISION], ["年度"]])   # an older workbook gets the record
    assert schedule_ops(values, change, Subdivision.YEAR, Subdivision.YEAR) == []


def test_live_column_widths_cost_one_call_per_run_of_equal_widths(remote_engine):  # noqa: F811
    from test_excel_live import actions, open_live

    from xlplan.adapters import xlwings_live as live

    book = open_live({L.SCHEDULE: [["a", "b", "c", "d", "e"]]}, caller=False)
    calls = live.apply_ops_live(book, [SetColumnWidths(L.SCHEDULE, 1, (7, 7, 7, 10))])
    assert calls == 2
    assert [(a["func"], a["args"], a["start_column"], a["column_count"]) for a in actions(book)] == [
        ("setColumnWidth", [7], 1, 3), ("setColumnWidth", [10], 4, 1)]


def test_live_inserted_code_columns_are_hidden_explicitly(remote_engine):  # noqa: F811
    """Excel's insert copies a hidden neighbour's format but not surely its hidden state: the adapter hides them."""
    from test_excel_live import actions, open_live

    from xlplan.adapters import xlwings_live as live

    book = open_live({L.SCHEDULE: [["a", "b", "c", "d", "e"]]}, caller=False)
    calls = live.apply_ops_live(book, [InsertColumns(L.SCHEDULE, 3, 2, like=2, hidden=True)])
    assert calls == 2
    assert [(a["func"], a["args"]) for a in actions(book)] == [
        ("rangeInsert", ["right", "format_from_left_or_above"]), ("setColumnHidden", [True])]


def test_live_merge_unmerges_what_overlaps_then_merges(remote_engine):  # noqa: F811
    from test_excel_live import actions, open_live

    from xlplan.adapters import xlwings_live as live
    from xlplan.layout.ops import MergeCells

    book = open_live({"電子行政": [["a", "b", "c", "d", "e"]]}, caller=False)
    assert live.apply_ops_live(book, [MergeCells("電子行政", 2, 1, 3)]) == 2
    assert [(a["func"], a["start_row"], a["start_column"], a["column_count"]) for a in actions(book)] == [
        ("rangeUnmerge", 2, 1, 3), ("rangeMerge", 2, 1, 3)]


def test_the_clerks_note_and_value_right_of_the_schedule_move_with_its_columns(sample_bytes, tmp_path):
    import badinput as B
    from test_preservation import add_note, related

    from xlplan.layout.a1 import cell_name, parse_cell

    year = L.ScheduleLayout(YEARS).table
    right = cell_name(year.header_row, year.width + 1)      # the clerk's own area, right of the 工程表
    fixed = cell_name(year.header_row, year.col("row.name"))
    book = tmp_path / "計画.xlsm"
    book.write_bytes(add_note(sample_bytes, L.SCHEDULE, [right, fixed], "xlsxwriter"))
    apply_ops(book, [SetValues(L.SCHEDULE, year.header_row, year.width + 1, [["担当者メモ"]])])
    part = B.sheet_part(book.read_bytes(), L.SCHEDULE)

    def notes():
        data = book.read_bytes()
        xml = B.members(data)[related(data, part)["comments"][0]]
        return [c.get("ref") for c in etree.fromstring(xml).iter(B.q("comment"))]

    assert run("reshape", book, "--subdivision", "四半期").exit_code == 0
    quarter = L.ScheduleLayout(YEARS, Subdivision.QUARTER).table
    moved = cell_name(quarter.header_row, quarter.width + 1)
    assert quarter.width - year.width == 2 * 15 and notes() == [moved, fixed]
    assert read_values(book)[L.SCHEDULE][quarter.header_row][parse_cell(moved)[1]] == "担当者メモ"
    assert run("reshape", book, "--subdivision", "年度").exit_code == 0
    assert notes() == [right, fixed]
    assert read_values(book)[L.SCHEDULE][year.header_row][year.width + 1] == "担当者メモ"


def test_live_number_format_is_one_call(remote_engine):  # noqa: F811
    from test_excel_live import actions, open_live

    from xlplan.adapters import xlwings_live as live
    from xlplan.layout.ops import SetNumberFormat

    book = open_live({"電子行政": [["a", "b"]]}, caller=False)
    assert live.apply_ops_live(book, [SetNumberFormat("電子行政", 4, 1, 1000, "#,##0.##")]) == 1
    assert [(a["func"], a["args"], a["start_row"], a["row_count"]) for a in actions(book)] == [
        ("setNumberFormat", ["#,##0.##"], 4, 1000)]
