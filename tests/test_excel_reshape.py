"""The 「計画の枠組みを変更」 button (xlplan.excel.reshape) under xlwings' remote engine.

The clerk edits 基本情報 and presses the button; the recorded actions (column inserts and deletes,
sheets added, renamed, values written), replayed on the values the workbook was opened with, give
the same workbook values as `xlplan reshape` on the file. Values that leave the period are asked
about first: under the remote engine the Yes/No box is an action and the click stops; the clerk's
［はい］ comes back as a second call, reshape_confirmed (on the desktop engines the box answers at once).
"""

# ruff: noqa: F811 - the fixtures come from test_excel_live
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from test_excel_live import (  # noqa: F401 - remote_engine: the autouse fixture that registers the engine
    BOOK_NAME,
    ROOT,
    actions,
    alerts,
    big_data,
    grids_of,
    open_live,
    remote,
    remote_engine,
    replay,
    sample_data,
    trim,
)

import xlplan.excel as x
from xlplan.adapters.package import patch_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.layout import sheets as L
from xlplan.layout.cells import fy_cell
from xlplan.layout.ops import SetValues
from xlplan.layout.ops_values import apply_to_values
from xlplan.layout.read import read_plan
from xlplan.reshape import reshape_file
from xlplan.reshape_plan import (
    DROPPED_SHEET,
    ReshapeRequest,
    dropped_sheet_ops,
    plan_reshape,
    read_for_reshape,
    regenerate_ops,
)

STRUCTURE = {"rangeInsert", "rangeDelete", "copySheet", "addSheet", "sheetDelete", "setSheetName"}
WRITES = STRUCTURE | {"setValues", "rangeClearContents", "sheetClearContents", "setAutofit"}


def info_edited(data: bytes, **fields) -> bytes:
    """The workbook with 基本情報's fields typed as the clerk would (years=3, start_fy=2028 …)."""
    return patch_package(data, [SetValues(L.INFO, L.INFO_FIELD[k].row, L.INFO_VALUE_COL,
                                          [[fy_cell(v) if k == "start_fy" else v]]) for k, v in fields.items()])


def without_stamps(grids: dict) -> dict:
    """「削除した内容」's 日時 column blanked (the click and the command run at different minutes)."""
    result = {name: trim(grid) for name, grid in grids.items()}
    if DROPPED_SHEET in result:
        result[DROPPED_SHEET] = [["" if r and c == 0 else v for c, v in enumerate(row)]
                                 for r, row in enumerate(result[DROPPED_SHEET])]
    return result


def file_path(data: bytes, tmp_path: Path, request: ReshapeRequest = ReshapeRequest()) -> dict:
    path = tmp_path / "command" / BOOK_NAME
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    reshape_file(path, request, force=True, today=dt.datetime(2026, 11, 30, 9, 0))
    return read_values(path)


def same_as_the_command(data: bytes, book, grids: dict, tmp_path: Path, request=ReshapeRequest()) -> dict:
    after = replay(grids, actions(book))
    expected = file_path(data, tmp_path, request)
    assert list(after) == list(expected)                 # the same sheets, in the same order
    got, want = without_stamps(after), without_stamps(expected)
    for name in want:
        assert got[name] == want[name], f"sheet {name} differs"
    return after


def structure(book) -> list[str]:
    return [a["func"] for a in actions(book) if a["func"] in STRUCTURE]


# ------------------------------------------------------------------ the period

def test_period_5_to_3_asks_first_and_changes_nothing(sample_data, tmp_path):
    data = info_edited(sample_data, years=3)
    book = open_live(grids_of(data, tmp_path))
    message = x.reshape()
    recorded = actions(book)
    assert [a["func"] for a in recorded] == ["alert"]               # the question, nothing written
    prompt, _title, buttons, _mode, callback = recorded[0]["args"]
    assert prompt == message and buttons == "yes_no" and callback == "XlplanMacros.ReshapeConfirmed"
    assert "件の入力が消えます（計画期間から外れる年度、外す分野、取り除く列。内訳: 工程 " in message and "工程（令和12年度）" in message
    assert "［はい］" in message and "--force" not in message and "`" not in message


def test_period_5_to_3_confirmed_gives_what_the_command_gives(sample_data, tmp_path, monkeypatch):
    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    monkeypatch.setattr(x, "book_fullname", lambda book: str(folder / BOOK_NAME))
    data = info_edited(sample_data, years=3)
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.reshape_confirmed()                      # the clerk's ［はい］, called back
    assert alerts(book) == [message]
    assert "令和9年度〜令和13年度 から 令和9年度〜令和11年度 に変えました" in message
    assert "シート「削除した内容」に残しました" in message and "保存せずにブックを閉じてください" in message
    yaml_file = folder / f"{Path(BOOK_NAME).stem}_{DROPPED_SHEET}.yaml"
    assert yaml_file.exists() and str(yaml_file) in message
    assert structure(book).count("rangeDelete") == 2 * len(read_plan(grids).layout.domains) + 2
    assert structure(book).count("addSheet") == 1                          # 削除した内容
    after = same_as_the_command(data, book, grids, tmp_path)
    reread = read_plan(after)
    assert reread.plan.years == 3 and list(reread.layout.fiscal_years) == [2027, 2028, 2029]
    assert not [f for f in reread.findings if f.code in ("INPUT-FY-COLUMNS", "INPUT-SCHEDULE-COLUMNS")]


def test_desktop_answers_at_once_yes_applies_no_leaves_the_book(sample_data, tmp_path, monkeypatch):
    """On Windows the box is synchronous (app.alert returns "yes" or "no"): one click."""
    data = info_edited(sample_data, years=3)
    grids = grids_of(data, tmp_path)
    original = remote().App.alert

    def answering(answer):
        def alert(app, prompt, title, buttons, mode, callback):
            original(app, prompt, title, buttons, mode, callback)
            return answer if buttons == "yes_no" else None
        return alert

    monkeypatch.setattr(remote().App, "alert", answering("no"))
    book = open_live(grids)
    message = x.reshape()
    assert message == "計画の枠組みの変更を取りやめました。ブックは変更していません。"
    assert [a["func"] for a in actions(book)] == ["alert", "alert"]
    book.close()
    monkeypatch.setattr(remote().App, "alert", answering("yes"))
    book = open_live(grids)
    message = x.reshape()
    assert "に変えました" in message
    assert next(a for a in actions(book) if a["func"] == "alert")["args"][2] == "yes_no"
    same_as_the_command(data, book, grids, tmp_path)


def test_period_3_to_5_adds_the_years_back(sample_data, tmp_path):
    three = tmp_path / "three" / BOOK_NAME
    three.parent.mkdir()
    three.write_bytes(sample_data)
    reshape_file(three, ReshapeRequest(years=3), force=True)
    data = info_edited(three.read_bytes(), years=5)
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.reshape()                                # nothing to drop: no question
    assert [a["args"][2] for a in actions(book) if a["func"] == "alert"] == ["ok"]
    assert "令和9年度〜令和11年度 から 令和9年度〜令和13年度 に変えました" in message
    assert "rangeInsert" in structure(book) and "rangeDelete" not in structure(book)
    after = same_as_the_command(data, book, grids, tmp_path)
    assert read_plan(after).plan.years == 5


def test_start_year_moved_one_year_later(sample_data, tmp_path):
    data = info_edited(sample_data, start_fy=2028)
    grids = grids_of(data, tmp_path)
    asked = open_live(grids)
    assert "令和9年度" in x.reshape() and [a["func"] for a in actions(asked)] == ["alert"]
    asked.close()
    book = open_live(grids)
    message = x.reshape_confirmed()
    assert "令和10年度〜令和14年度 に変えました" in message
    after = same_as_the_command(data, book, grids, tmp_path)
    assert list(read_plan(after).layout.fiscal_years) == [2028, 2029, 2030, 2031, 2032]


def test_a_domain_renamed(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    old = read_plan(grids).layout.domains[-1]
    request = ReshapeRequest(rename=((old, "地域づくり"),))
    book = open_live(grids)
    message = x.reshape(request=request)
    assert f"分野「{old}」を「地域づくり」に変えました" in message
    assert structure(book) == ["setSheetName"]
    after = same_as_the_command(sample_data, book, grids, tmp_path, request)
    assert "地域づくり" in read_plan(after).plan.domains


def domain_list_edited(data: bytes, domains: list[str], skips: list[list[str]] = ()) -> bytes:
    """基本情報's domain list as the clerk rewrote it (and reasons typed under 取り組まない柱・分野と理由)."""
    first = L.INFO_LAYOUT.domains_header_row + 1
    cells = [[d] for d in domains] + [[""]] * (L.DOMAINS_CAPACITY - len(domains))
    ops = [SetValues(L.INFO, first, L.DOMAINS_COL, cells)]
    if skips:
        ops.append(SetValues(L.INFO, L.SKIPS.first_row + 6, 0, [list(s) for s in skips]))
    return patch_package(data, ops)


def test_domains_added_and_removed_in_kihon_joho(sample_data, tmp_path):
    """Helper "domains"' plan (a copy of the last domain sheet, a sheet removed with its values listed),
    through the same button: asked first, then what the command gives."""
    domains = read_plan(grids_of(sample_data, tmp_path)).plan.domains
    assert not read_plan(grids_of(sample_data, tmp_path)).plan.skips[6:]
    data = domain_list_edited(sample_data, [d for d in domains if d != "金融"] + ["教育"], [["金融", "他の分野で扱う"]])
    grids = grids_of(data, tmp_path)
    asked = open_live(grids)
    assert "入力が消えます" in x.reshape() and [a["func"] for a in actions(asked)] == ["alert"]
    asked.close()
    book = open_live(grids)
    message = x.reshape_confirmed()
    assert "分野「教育」を追加しました" in message and "分野「金融」を外しました" in message, message
    assert {"copySheet", "sheetDelete"} <= set(structure(book))
    after = same_as_the_command(data, book, grids, tmp_path)
    reread = read_plan(after)
    assert reread.plan.domains == [d for d in domains if d != "金融"] + ["教育"]


def test_a_name_written_over_an_empty_domain_renames_it(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    domains = read_plan(grids).plan.domains
    added = tmp_path / "added" / BOOK_NAME
    added.parent.mkdir()
    added.write_bytes(sample_data)
    reshape_file(added, ReshapeRequest(add=("教育",)))
    data = domain_list_edited(added.read_bytes(), [*domains, "学校教育"])
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.reshape()
    assert "分野「教育」を「学校教育」に変えました" in message, message
    after = same_as_the_command(data, book, grids, tmp_path)
    assert read_plan(after).plan.domains == [*domains, "学校教育"]


def test_nothing_to_do_says_so_and_writes_nothing(sample_data, tmp_path):
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.reshape()
    assert "すでに合っています。変更することはありません" in message and "［計画の枠組みを変更］" not in message
    assert [a["func"] for a in actions(book)] == ["alert"]


def test_a_sheet_named_like_the_new_domain_is_refused_before_writing(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    old = read_plan(grids).layout.domains[-1]
    book = open_live(grids)
    message = x.reshape(request=ReshapeRequest(rename=((old, L.CATALOG),)))
    assert "既にあります" in message
    assert [a for a in actions(book) if a["func"] in WRITES] == []


def test_a_book_whose_marks_name_their_sheet_is_sent_to_the_command(sample_data, tmp_path):
    """Built before the marks' key cell: a live rename would leave marks pointing at the old name."""
    grids = grids_of(sample_data, tmp_path)
    old = read_plan(grids).layout.domains[-1]
    r, c = L.DOMAIN_KEY_CELL
    grids[old][r][c] = None                 # what such a workbook holds there
    book = open_live(grids)
    message = x.reshape(request=ReshapeRequest(rename=((old, "地域づくり"),)))
    assert f"シート「{old}」は以前の xlplan で作られた" in message and "xlplan reshape ブック.xlsm" in message
    assert [a for a in actions(book) if a["func"] in WRITES] == []


# ------------------------------------------------------------------ Excel calls

def _period_5_to_3(data: bytes) -> bytes:
    return info_edited(data, years=3)


def _start_moved(data: bytes) -> bytes:
    return info_edited(data, start_fy=2028)        # a year leaves at the start, one is added at the end


def _domains_changed(data: bytes) -> bytes:
    info = read_values_of(data)[L.INFO]
    from xlplan.layout.read_info import domains_listed

    domains = domains_listed(info)
    return domain_list_edited(data, [d for d in domains if d != "金融"] + ["教育"], [["金融", "他の分野で扱う"]])


def _costs_added(data: bytes) -> bytes:
    """The two cost columns with their input rules, copied from the prototypes: one copy per rule."""
    return info_edited(data, cost_columns="あり")


def read_values_of(data: bytes) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsm"
        path.write_bytes(data)
        return read_values(path, [L.INFO])


@pytest.mark.parametrize("edit", [_period_5_to_3, _start_moved, _domains_changed, _costs_added],
                         ids=["period 5→3", "start moved", "domain added and removed", "cost columns added"])
def test_excel_calls_do_not_grow_with_the_plan(edit, sample_data, big_data, tmp_path):
    """Engine calls (one COM round trip each on Windows) and actions: the same for the sample and a 10×
    plan; actions stay within 3 per op (+ the message box)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from engine_calls import count_engine_calls
    finally:
        sys.path.remove(str(ROOT / "bench"))
    counts = {}
    for label, data in (("sample", sample_data), ("10x", big_data)):
        grids = grids_of(edit(data), tmp_path, f"{label}.xlsm")
        book = open_live(grids)
        calls = count_engine_calls(x.reshape_confirmed)
        counts[label] = (sum(calls.values()), len(actions(book)))
        assert "しました" in alerts(book)[0] and "予期しない" not in alerts(book)[0], alerts(book)
        book.close()
        names = list(grids)
        read, request = read_for_reshape(grids, names, ReshapeRequest())
        plan = plan_reshape(read, grids, names, request)
        ops = (plan.ops + regenerate_ops(read_plan(apply_to_values(grids, plan.ops)))
               + dropped_sheet_ops(plan.dropped, "", None))
        assert counts[label][1] <= 3 * len(ops) + 1, (counts, len(ops))
    assert counts["sample"] == counts["10x"], counts
    # bench/README.md records them (2026-11-30: period 5→3 254, start moved 430 — the captions over the grown
    # year blocks merged again, 2 actions per block; cost columns added 305, one copy per rule and domain sheet):
    # reads 4 per sheet, 2 per op, one pass over the sheets' names
    assert counts["sample"][0] <= 450, counts


# ------------------------------------------------------------------ the adapter's structure ops

def test_structure_ops_are_one_call_each_and_later_ops_find_the_sheets():
    from xlplan.adapters import xlwings_live as live
    from xlplan.layout.ops import (
        AddSheet,
        DeleteColumns,
        DeleteRows,
        InsertColumns,
        RemoveSheet,
        RenameSheet,
        ReplaceValues,
    )

    grids = {"A": [["h1", "h2"], ["v1", "v2"], ["w1", "w2"]], "B": [["b"]], "C": [["c"]]}
    book = open_live(grids, caller=False)
    calls = live.apply_ops_live(book, [
        InsertColumns("A", 2, 2, like=1), InsertColumns("A", 0, 1, like=0), DeleteColumns("A", 1, 1),
        DeleteRows("A", 1, 1), AddSheet("A2", like="A", after="A", keep_rows=1), RenameSheet("B", "B2"),
        SetValues("B2", 1, 0, [["x"]]), RemoveSheet("C"), AddSheet("D"), ReplaceValues("A2", 1, [["new"]])])
    recorded = [a["func"] for a in actions(book)]
    assert recorded[:4] == ["rangeInsert", "rangeInsert", "rangeDelete", "rangeDelete"]
    assert [a["args"][1] for a in actions(book)[:2]] == ["format_from_left_or_above", "format_from_right_or_below"]
    assert recorded[4:] == ["copySheet", "setSheetName", "rangeClearContents", "setSheetName", "setValues",
                            "sheetDelete", "addSheet", "rangeClearContents", "setValues"]
    assert calls == len(recorded)
    after = replay(grids, actions(book))
    assert list(after) == ["A", "A2", "B2", "D"]
    assert trim(after["A"]) == [["", "h2"], ["", "w2"]]
    assert trim(after["A2"]) == [["", "h2"], ["new", ""]] and trim(after["B2"]) == [["b"], ["x"]]
    assert [s.name for s in book.sheets] == ["A", "A2", "B2", "D"]


def test_a_taken_name_or_a_far_format_source_is_refused_before_writing():
    from xlplan.adapters import xlwings_live as live
    from xlplan.errors import XlplanUserError
    from xlplan.layout.ops import AddSheet, InsertColumns, RenameSheet

    book = open_live({"A": [["a"]], "B": [["b"]]}, caller=False)
    with pytest.raises(XlplanUserError, match="「B」という名前のシートが既にあります"):
        live.apply_ops_live(book, [SetValues("A", 0, 0, [["x"]]), RenameSheet("A", "B")])
    with pytest.raises(XlplanUserError, match="既にあります"):
        live.apply_ops_live(book, [AddSheet("A")])
    with pytest.raises(TypeError, match="neighbouring column"):
        live.apply_ops_live(book, [SetValues("A", 0, 0, [["x"]]), InsertColumns("A", 3, 1, like=0)])
    assert actions(book) == []


def test_stopped_half_way_says_to_close_without_saving(sample_data, tmp_path, monkeypatch):
    import xlplan.reshape_plan as reshape_plan

    def broken(read):
        raise RuntimeError("boom")

    monkeypatch.setattr(reshape_plan, "regenerate_ops", broken)
    book = open_live(grids_of(info_edited(sample_data, years=7), tmp_path))
    message = x.reshape()
    assert message.startswith("予期しないエラーが起きたため、「計画の枠組みを変更」を中断しました（RuntimeError）")
    assert message.endswith(x.RESHAPE_STOPPED) and "保存せずに閉じ" in message
    assert "rangeInsert" in structure(book)                 # pass 1 was written: the note is what matters


def test_a_protected_domain_sheet_is_refused_before_anything_changes(sample_data, tmp_path, monkeypatch):
    from xlplan.adapters import xlwings_live as live

    grids = grids_of(info_edited(sample_data, years=7), tmp_path)
    domain = read_plan(grids).layout.domains[2]
    monkeypatch.setattr(live, "sheet_protected", lambda sheet, remote=False: sheet.name == domain)
    book = open_live(grids)
    message = x.reshape()
    assert f"シート「{domain}」の保護を解除してから" in message and x.RESHAPE_STOPPED not in message
    assert [a for a in actions(book) if a["func"] in WRITES] == []


def test_a_second_drop_is_listed_under_the_first(sample_data, tmp_path):
    first = tmp_path / "first" / BOOK_NAME
    first.parent.mkdir()
    first.write_bytes(sample_data)
    reshape_file(first, ReshapeRequest(years=3), force=True)
    data = info_edited(first.read_bytes(), start_fy=2028)
    grids = grids_of(data, tmp_path)
    listed = len(trim(grids[DROPPED_SHEET]))
    book = open_live(grids)
    x.reshape_confirmed()
    assert "addSheet" not in structure(book)
    after = same_as_the_command(data, book, grids, tmp_path)
    rows = trim(after[DROPPED_SHEET])
    assert len(rows) > listed and rows[:listed] == trim(grids[DROPPED_SHEET])
    assert {row[rows[0].index("年度")] for row in rows[listed:]} == {"令和9年度"}
