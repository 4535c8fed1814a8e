"""The Excel buttons (xlplan.excel) driven through xlwings' remote engine on Linux.

A real workbook is built, its values are turned into the JSON payload an
xlwings client sends, and each button function is called with no argument, so
``xw.Book.caller()`` returns that book (``set_mock_caller``). The remote engine
records every write as an action; replaying the actions on the original values
must give exactly what the FILE path (``patch_package`` + ``read_values``)
gives for the same ops — live and headless agree.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
import xlwings as xw
from badinput import with_cells
from typer.testing import CliRunner
from xlwings.main import Engine

import xlplan.excel as x
from xlplan import operations
from xlplan.adapters import xlwings_live as live
from xlplan.adapters.package import patch_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.core.vocab import Origin
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.cells import Formula
from xlplan.layout.ops import InsertRows, ReplaceValues, SetValues
from xlplan.layout.read import read_plan
from xlplan.planfile import load_plan
from xlplan.render import find_soffice

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "sample_plan.yaml"
BOOK_NAME = "青葉台市 官民データ活用推進計画.xlsm"
WRITE_ACTIONS = {"setValues", "rangeClearContents", "sheetClearContents", "rangeInsert", "setAutofit"}


# ------------------------------------------------------------------ fixtures and helpers

_OPENED: list[xw.Book] = []


def remote():
    """xlwings' remote engine module (importing it needs the license key)."""
    from xlwings.pro import _xlremote

    return _xlremote


@pytest.fixture(autouse=True)
def remote_engine(monkeypatch, tmp_path):
    """The remote engine needs a license key (tests only); logs go to a temp folder."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("XLPLAN_LOG_DIR", str(tmp_path / "logs"))
    # xlwings registers the remote engine on import only if a key is set then;
    # it may have been imported without one (the key is set for these tests only).
    if "remote" not in [e.name for e in xw.engines]:
        xw.engines.add(Engine(impl=remote().engine))
    yield
    for book in _OPENED:
        if book.impl.api is not None:
            book.close()
    _OPENED.clear()
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


def ten_times(plan):
    """The sample with every measure copied 9 more times under new IDs (DG-01 → DG-101 … DG-901)."""
    copies = []
    for k in range(1, 10):
        for m in plan.measures:
            prefix, number = m.id.rsplit("-", 1)
            copies.append(m.model_copy(deep=True, update={
                "id": f"{prefix}-{k * 100 + int(number)}", "catalog_id": None, "origin": Origin.ADDED}))
    return plan.model_copy(update={"measures": [*plan.measures, *copies]})


@pytest.fixture(scope="module")
def sample_data() -> bytes:
    return build_workbook(load_plan(SAMPLE), load_catalog(), current_fy=2027)


@pytest.fixture(scope="module")
def big_data() -> bytes:
    return build_workbook(ten_times(load_plan(SAMPLE)), load_catalog(), current_fy=2027)


def grids_of(data: bytes, tmp_path: Path, name: str = "book.xlsm") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return read_values(path)


def payload(grids: dict, name: str = BOOK_NAME, client: str = "VBA") -> dict:
    return live.remote_payload(grids, name, client)


def open_live(grids: dict, name: str = BOOK_NAME, caller: bool = True) -> xw.Book:
    book = xw.Book(json=payload(grids, name))
    _OPENED.append(book)
    if caller:
        book.set_mock_caller()
    return book


def actions(book: xw.Book, since: int = 0) -> list[dict]:
    return book.json()["actions"][since:]


def alerts(book: xw.Book) -> list[str]:
    return [a["args"][0] for a in actions(book) if a["func"] == "alert"]


def writes(book: xw.Book) -> list[dict]:
    return [a for a in actions(book) if a["func"] in WRITE_ACTIONS]


_HYPERLINK = re.compile(r'^=HYPERLINK\("(?:[^"]|"")*",(?P<shown>"(?:[^"]|"")*"|[^")]*)\)$')


def _stored(value):
    """The value Excel stores for an assigned one: text prefix dropped, HYPERLINK shows its text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    if isinstance(value, str) and value.startswith("="):
        m = _HYPERLINK.match(value)
        assert m, f"unexpected formula {value}"
        shown = m["shown"]
        return shown[1:-1].replace('""', '"') if shown.startswith('"') else float(shown)
    return value


def replay(grids: dict, recorded: list[dict]) -> dict:
    """Apply recorded actions to copies of the grids as Excel would (values only), sheets by position:
    cells, rows and columns, and the sheets added, copied, removed and renamed by reshape."""
    sheets = [[name, [list(r) for r in grid]] for name, grid in grids.items()]
    for a in recorded:
        func = a["func"]
        if func in ("alert", "setAutofit", "setColumnWidth", "setNumberFormat", "setColumnHidden", "rangeMerge",
                    "rangeUnmerge"):   # no values
            continue
        pos = a["sheet_position"]
        if func == "addSheet":
            sheets.insert(a["args"][0], [a["args"][1], []])
            continue
        if func == "copySheet":
            where, target, name = a["args"]
            sheets.insert(target + 1 if where == "After" else target, [name, [list(r) for r in sheets[pos][1]]])
            continue
        if func == "sheetDelete":
            del sheets[pos]
            continue
        if func == "setSheetName":
            sheets[pos][0] = a["args"][0]
            continue
        grid = sheets[pos][1]
        if func == "sheetClearContents":
            grid[:] = [[""] * len(row) for row in grid]
            continue
        r0, c0, nr, nc = a["start_row"], a["start_column"], a["row_count"], a["column_count"]
        whole_rows, whole_cols = nc == 16384, nr == 1048576
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                while len(grid) <= r0 + i:
                    grid.append([])
                line = grid[r0 + i]
                for j, v in enumerate(row):
                    while len(line) <= c0 + j:
                        line.append("")
                    line[c0 + j] = _stored(v)
        elif func == "rangeClearContents":
            for i in range(r0, min(r0 + nr, len(grid))):
                for j in range(c0, min(c0 + nc, len(grid[i]))):
                    grid[i][j] = ""
        elif func == "rangeInsert" and a["args"][0] == "down":
            assert whole_rows, a
            grid[r0:r0] = [[] for _ in range(nr)]
        elif func == "rangeInsert":
            assert a["args"][0] == "right" and whole_cols, a
            for line in grid:
                if c0 < len(line):
                    line[c0:c0] = [""] * nc
        elif func == "rangeDelete" and a["args"][0] == "up":
            assert whole_rows, a
            del grid[r0:r0 + nr]
        elif func == "rangeDelete":
            assert a["args"][0] == "left" and whole_cols, a
            for line in grid:
                del line[c0:c0 + nc]
        elif func == "copyRange":      # one source cell tiled over the destination, as Excel does
            value = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
            target, address = a["args"]
            first, _, last = address.replace("$", "").partition(":")
            (t0, u0), (t1, u1) = parse_cell(first), parse_cell(last or first)
            into = sheets[target][1]
            for i in range(t0, t1 + 1):
                while len(into) <= i:
                    into.append([])
                line = into[i]
                for j in range(u0, u1 + 1):
                    while len(line) <= j:
                        line.append("")
                    line[j] = value
        else:
            raise AssertionError(f"unexpected action {func}")
    return {name: grid for name, grid in sheets}


def trim(grid) -> list[list]:
    return live.normalize_grid([[("" if v is None else v) for v in row] for row in grid])


def same_values(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for name, grid in a.items():
        assert trim(grid) == trim(b[name]), f"sheet {name} differs"


def file_path_result(data: bytes, ops, tmp_path: Path) -> dict:
    return grids_of(patch_package(data, ops), tmp_path, "after.xlsm")


def ticked(data: bytes, catalog_ids: list[str], tmp_path: Path) -> bytes:
    """The workbook with 採用 ticked on the given catalog rows (written through the file path)."""
    t = L.CATALOG_TABLE
    grid = grids_of(data, tmp_path, "unticked.xlsm")[L.CATALOG]
    rows = [r for r in range(t.first_row, len(grid)) if grid[r][t.col("catalog.id")] in catalog_ids]
    assert len(rows) == len(catalog_ids)
    return patch_package(data, [SetValues(L.CATALOG, r, t.col("catalog.adopt"), [[L.ADOPT_MARK]]) for r in rows])


def two_new_catalog_ids(plan) -> list[str]:
    from xlplan.core.populate import in_plan

    present = set(in_plan(plan, load_catalog()))   # by catalog id or by the same name
    chosen, domains = [], set()
    for c in load_catalog().measures:
        if c.adoptable and c.id not in present and c.domain in plan.domains and c.domain not in domains:
            chosen.append(c.id)
            domains.add(c.domain)
        if len(chosen) == 2:
            return chosen
    raise AssertionError("the catalog has no two new measures for the sample")


class ReadCounter:
    """Counts value reads on the remote engine (each is one Excel call on COM)."""

    def __init__(self, monkeypatch):
        self.count = 0
        original = remote().Range.raw_value

        def getter(rng):
            self.count += 1
            return original.fget(rng)

        monkeypatch.setattr(remote().Range, "raw_value", property(getter, original.fset))


# ------------------------------------------------------------------ live and headless agree

@pytest.mark.parametrize("button, file_ops", [
    ("validate", lambda read: operations.validate_ops(read)[1]),
    ("redraw_schedule", lambda read: operations.schedule_ops(read) + operations.validate_ops(read)[1]),
    ("clear_marks", lambda read: operations.clear_marks_ops()),
    ("update_progress", lambda read: operations.progress_ops(read, operations.progress_fy(read))),
    ("show_actuals_on_schedule", lambda read: operations.schedule_ops(read, actuals=True) + operations.validate_ops(read)[1]),
])
def test_button_matches_the_file_path(button, file_ops, sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    book = open_live(grids)
    message = getattr(x, button)()          # no argument: Book.caller()
    assert alerts(book) == [message]
    assert "Traceback" not in message
    expected = file_path_result(sample_data, file_ops(read_plan(grids)), tmp_path)
    same_values(replay(grids, actions(book)), expected)


def test_validate_summary_and_findings_sheet(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    book = open_live(grids)
    message = x.validate()
    assert re.fullmatch(r"エラー \d+件、警告 \d+件。『検証結果』シートを見てください。", message)
    after = replay(grids, actions(book))
    assert after[L.FINDINGS][1][0].startswith(message.split("。")[0])
    # the rows of findings carry a link whose text is the place; the file path reads the cached text
    assert re.match(r".+!\$?[A-Z]+\d+", after[L.FINDINGS][L.FINDINGS_TABLE.first_row][L.FINDINGS_TABLE.col("finding.place")])


def test_populate_inserts_the_ticked_catalog_rows(sample_data, tmp_path):
    plan = load_plan(SAMPLE)
    ids = two_new_catalog_ids(plan)
    data = ticked(sample_data, ids, tmp_path)
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.populate()
    assert message.startswith("2件を追加しました。")
    funcs = [a["func"] for a in writes(book)]
    # two insertion points, each written in one block; the 施策カタログ's 追加状況 column in one block
    assert funcs.count("rangeInsert") == 2
    for a in writes(book):
        if a["func"] == "rangeInsert":
            assert a["args"][0] == "down" and a["column_count"] == 16384
    # the inserted rows hold the new measures, exactly as the file path writes them
    read = read_plan(grids)
    result = operations.populate_ops(read, load_catalog(), read.adopted)
    assert sorted(m.catalog_id for m in result.result.added) == sorted(ids)
    after = replay(grids, actions(book))
    expected = file_path_result(data, result.ops, tmp_path)
    for sheet in read.layout.domains:
        assert after[sheet] == expected[sheet], sheet
    reread = read_plan(after)
    assert {m.catalog_id for m in reread.plan.measures} >= set(ids)
    # re-validated in the same click: every mark in 検証結果 points at the cell the finding is about now
    assert "検証し直しました" in message
    marked = {row[L.FINDINGS_TABLE.col("finding.error_key")] for row in after[L.FINDINGS][L.FINDINGS_TABLE.first_row:]
              if len(row) > L.FINDINGS_TABLE.col("finding.error_key")} - {"", None}
    now = {f"{f.sheet}!{f.cell}" for f in operations.findings_for(reread) if f.severity.value == "error" and f.cell}
    assert marked == now


def test_populate_without_ticks_says_what_to_do(sample_data, tmp_path):
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.populate()
    assert "「採用」に ○ が付いた施策がありません" in message
    assert writes(book) == []


# ------------------------------------------------------------------ the call bound

@pytest.mark.parametrize("button", ["validate", "redraw_schedule", "clear_marks", "doctor", "populate", "update_progress"])
def test_excel_calls_do_not_grow_with_the_plan(button, sample_data, big_data, tmp_path, monkeypatch):
    """Same number of actions (writes + the message box) and of value reads for the sample and a 10× plan."""
    plan = load_plan(SAMPLE)
    ids = two_new_catalog_ids(plan)
    counts = {}
    for label, data in (("sample", sample_data), ("10x", big_data)):
        grids = grids_of(ticked(data, ids, tmp_path), tmp_path, f"{label}.xlsm")
        read = read_plan(grids)
        ops_of = {"validate": operations.validate_ops(read)[1],
                  "redraw_schedule": operations.schedule_ops(read) + operations.validate_ops(read)[1],
                  "clear_marks": operations.clear_marks_ops(), "doctor": [],
                  "populate": (populated := operations.populate_ops(read, load_catalog(), read.adopted).ops)
                  + x.revalidation_after_populate(grids, populated, load_catalog())[1],
                  "update_progress": operations.progress_ops(read, operations.progress_fy(read))}
        reads = ReadCounter(monkeypatch)
        book = open_live(grids)
        getattr(x, button)()
        counts[label] = (len(actions(book)), reads.count)
        book.close()
    assert counts["sample"] == counts["10x"], counts
    n_actions, n_reads = counts["sample"]
    assert n_actions <= 2 * len(ops_of[button]) + 1, counts     # apply_ops_live's bound, plus the message box
    # one value read per sheet: 基本情報, _lists, 国・県の施策, 施策カタログ, the domains, 進捗管理 and 退避した入力
    # (the yearly inputs are part of the plan), and the sheet the button redraws
    assert n_reads <= 7 + len(plan.domains), counts


@pytest.fixture(scope="module")
def wider_data() -> bytes:
    """The sample with four more domain sheets (each sheet a button reads costs four calls)."""
    plan = load_plan(SAMPLE)
    extra = [d for d in ("ものづくり", "環境", "文化", "スポーツ", "消防") if d not in plan.domains][:4]
    return build_workbook(plan.model_copy(update={"domains": [*plan.domains, *extra]}), load_catalog(), current_fy=2027)


@pytest.mark.parametrize("button", ["validate", "redraw_schedule", "populate", "update_progress", "clear_marks"])
def test_engine_calls_per_button_stay_within_100(button, sample_data, big_data, wider_data, tmp_path):
    """Each call from xlwings' API into its engine is one COM round trip on Windows: ≤ 100 per button on
    the sample, the same for a 10× plan; more domain sheets cost 4 calls each (a lookup, the used range,
    its address, one read), never anything per measure."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from engine_calls import GOAL, count_engine_calls
    finally:
        sys.path.remove(str(ROOT / "bench"))
    ids = two_new_catalog_ids(load_plan(SAMPLE))
    counts = {}
    for label, data in (("sample", sample_data), ("10x", big_data), ("+4 domains", wider_data)):
        book = open_live(grids_of(ticked(data, ids, tmp_path), tmp_path, f"{label}.xlsm"))
        calls = count_engine_calls(getattr(x, button))
        assert "Traceback" not in alerts(book)[0]
        counts[label] = sum(calls.values())
        book.close()
    assert counts["sample"] == counts["10x"] <= GOAL, counts
    per_sheet = 0 if button == "clear_marks" else 4
    assert counts["+4 domains"] == counts["sample"] + 4 * per_sheet, counts


def test_the_10x_plan_really_is_bigger(sample_data, big_data, tmp_path):
    small = read_plan(grids_of(sample_data, tmp_path, "a.xlsm")).plan
    big = read_plan(grids_of(big_data, tmp_path, "b.xlsm")).plan
    assert len(big.measures) == 10 * len(small.measures)


# ------------------------------------------------------------------ known RunPython failure modes

def test_japanese_file_name_and_folder_just_work(sample_data, tmp_path, monkeypatch):
    monkeypatch.setattr(x, "book_fullname", lambda book: r"C:\Users\山田 太郎\Documents\計画 令和9年度" + "\\" + BOOK_NAME)
    book = open_live(grids_of(sample_data, tmp_path), name=BOOK_NAME)
    message = x.validate()
    assert message.startswith("エラー ") and "参考" not in message
    # the button never derives a module from the workbook's name
    bas = (ROOT / "macros" / "XlplanMacros.bas").read_text(encoding="ascii")
    calls = re.findall(r'RunPython "([^"]+)"', bas)
    assert calls and all(c.startswith("import xlplan.excel as x; x.") for c in calls)
    assert writes(book)


def test_two_open_workbooks_with_the_same_name_are_refused(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    other = open_live(grids, caller=False)        # e.g. a copy from another folder
    book = open_live(grids)
    message = x.validate()
    assert "同じ名前のブック「青葉台市 官民データ活用推進計画.xlsm」が 2 つ開いています" in message
    assert "閉じてから" in message
    assert writes(book) == [] and writes(other) == []


def test_unsaved_workbook_works_and_says_to_save(sample_data, tmp_path, monkeypatch):
    monkeypatch.setattr(x, "book_fullname", lambda book: "Book1")     # what COM reports for a never-saved book
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.validate()
    assert message.startswith("エラー ")
    assert "まだ保存されていません" in message and "名前を付けて保存" in message
    assert writes(book)


def test_protected_sheet_is_named_and_nothing_is_written(sample_data, tmp_path, monkeypatch):
    monkeypatch.setattr(live, "sheet_protected", lambda sheet, remote=False: sheet.name == L.FINDINGS)
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.redraw_schedule()
    assert f"シート「{L.FINDINGS}」の保護を解除してから" in message
    assert "Traceback" not in message
    assert writes(book) == []          # checked before the first write: スケジュール is untouched too


class ComError(Exception):
    """Shaped like pywintypes.com_error, which is what the COM engine raises."""


def test_protection_error_from_excel_becomes_the_same_message(sample_data, tmp_path, monkeypatch):
    """When the engine cannot tell beforehand (remote), Excel's own refusal is translated."""
    original = remote().Range.raw_value

    def refuse(rng, value):
        raise ComError(-2147352567, "Exception occurred.",
                       (0, "Microsoft Excel", "The cell or chart you're trying to change is on a protected sheet.", None, 0, -2146827284))

    monkeypatch.setattr(remote().Range, "raw_value", property(original.fget, refuse))
    open_live(grids_of(sample_data, tmp_path))
    message = x.validate()
    assert f"シート「{L.FINDINGS}」の保護を解除してから" in message


def test_onedrive_url_works_and_logs_stay_local(sample_data, tmp_path, monkeypatch):
    url = "https://d.docs.live.net/0123abcd/ドキュメント/" + BOOK_NAME
    monkeypatch.setattr(x, "book_fullname", lambda book: url)
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.validate()
    assert message.startswith("エラー ")
    assert "OneDrive/SharePoint" in message and str(tmp_path / "logs") in message
    assert writes(book)
    # an unexpected error on such a book: the log is written locally, never next to the URL
    monkeypatch.setattr(operations, "validate_ops", lambda read: 1 / 0)
    message = x.validate()
    logs = list((tmp_path / "logs").glob("xlplan-*.log"))
    assert len(logs) == 1 and str(logs[0]) in message
    assert url in logs[0].read_text(encoding="utf-8")


def test_book_fullname_keeps_an_unmapped_onedrive_url():
    """On Windows, xlwings raises when it cannot map the URL to a synced folder; the raw URL is kept."""
    class Api:
        FullName = "https://contoso.sharepoint.com/sites/dx/Shared Documents/計画.xlsm"

    class Engine:
        type = "desktop"

    class App:
        engine = Engine()

    class FakeBook:
        app = App()
        api = Api()

        @property
        def fullname(self):
            raise xw.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")

    assert live.book_fullname(FakeBook()) == Api.FullName


def test_embedded_xlwings_version_mismatch_is_explained(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    lists = [list(r) for r in grids[L.LISTS]]
    lists[1][lists[0].index("xlwings_version")] = "0.30.0"
    book = open_live({**grids, L.LISTS: lists})
    message = x.validate()
    assert message.startswith("エラー ")
    assert f"組み込まれた xlwings（VBA）は 0.30.0、この PC の Python の xlwings は {xw.__version__}" in message
    assert "xlplan new 新しいブック.xlsm --from ブック.xlsm" in message and "pip install xlwings==0.30.0" in message
    assert writes(book)
    report = x.doctor()
    assert f"✗ ブックの xlwings（VBA）: 0.30.0（作成時の記録）≠ Python の xlwings {xw.__version__}" in report


def test_unexpected_error_shows_a_log_path_not_a_traceback(sample_data, tmp_path, monkeypatch):
    def broken(read):
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "validate_ops", broken)
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.validate()                      # returns: no SystemExit, no exception
    assert message.startswith("予期しないエラーが起きたため、「検証」を中断しました（RuntimeError）")
    assert "Traceback" not in message and "boom" not in message
    log = Path(re.search(r"^(/.+\.log)$", message, re.MULTILINE).group(1))
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom" in text and BOOK_NAME in text
    assert alerts(book) == [message] and writes(book) == []


def test_expected_problem_shows_only_the_japanese_message(sample_data, tmp_path):
    grids = grids_of(sample_data, tmp_path)
    del grids[L.INFO]
    book = open_live(grids)
    message = x.validate()
    assert message.startswith(f"シート「{L.INFO}」がありません")
    assert alerts(book) == [message] and not list((tmp_path / "logs").glob("*.log"))


def test_without_a_caller_the_error_is_japanese(tmp_path):
    with pytest.raises(RuntimeError, match="ボタンを押したブックに接続できませんでした"):
        x.validate()
    assert list((tmp_path / "logs").glob("xlplan-*.log"))


# ------------------------------------------------------------------ the session and doctor

class FakeApp:
    """A desktop-like App: every setting readable and writable, changes recorded."""

    def __init__(self):
        self.screen_updating, self.calculation, self.status_bar = True, "automatic", False
        self.history: list[tuple[str, object]] = []

    def __setattr__(self, key, value):
        if key != "history" and hasattr(self, "history"):
            self.history.append((key, value))
        object.__setattr__(self, key, value)


class FakeBook:
    def __init__(self):
        self.app = FakeApp()


def test_session_sets_and_restores_settings_even_on_error():
    book = FakeBook()
    with pytest.raises(ZeroDivisionError), live.ExcelSession(book, "検証") as session:
        assert (book.app.screen_updating, book.app.calculation) == (False, "manual")
        session.progress(3, 8)
        assert book.app.status_bar == "検証中…"            # shown on entry; the next update waits STATUS_EVERY
        session._shown -= session.STATUS_EVERY
        session.progress(3, 8)
        assert book.app.status_bar == "検証中… 3/8 シート"
        session.progress(4, 8)
        assert book.app.status_bar == "検証中… 3/8 シート"  # batched: at most one status-bar write per STATUS_EVERY
        raise ZeroDivisionError
    assert (book.app.screen_updating, book.app.calculation, book.app.status_bar) == (True, "automatic", False)


def test_session_skips_what_the_remote_engine_cannot_report(sample_data, tmp_path):
    book = open_live(grids_of(sample_data, tmp_path))
    with live.ExcelSession(book, "検証") as session:
        session.progress(1, 2)
    assert actions(book) == []      # nothing it could not restore was changed


def test_read_book_values_pads_to_a1_and_normalises(tmp_path):
    grids = {"S": [["", "", ""], ["", "a", 1.0], ["", dt.date(2026, 1, 5), "#REF!"]]}
    book = open_live(grids, caller=False)
    book.impl.api["sheets"][0]["used_range_address"] = "$B$2:$C$3"
    values = live.read_book_values(book, ["S", "missing"])
    assert values == {"S": [["", "", ""], ["", "a", 1.0], ["", dt.date(2026, 1, 5), "#REF!"]]}


def test_text_that_excel_would_parse_gets_the_text_prefix():
    assert live.excel_value("2026/4/1") == "'2026/4/1"
    assert live.excel_value("令和7年4月1日") == "'令和7年4月1日"
    assert live.excel_value("１２") == "'１２"          # Japanese Excel turns full-width digits into numbers
    assert live.excel_value("R9:12、R10:25") == "R9:12、R10:25"
    assert live.excel_value("DG-01") == "DG-01"
    assert live.excel_value("=SUM(A1)") == "'=SUM(A1)"
    assert live.excel_value("電子行政") == "電子行政"
    assert live.excel_value(Formula('HYPERLINK("#A1","A1")', "A1")) == '=HYPERLINK("#A1","A1")'
    assert live.excel_value(3) == 3 and live.excel_value(None) is None


def test_set_values_on_existing_rows_leaves_none_cells_alone(tmp_path):
    book = open_live({"S": [["a", "b", "c"], ["d", "e", "f"]]}, caller=False)
    calls = live.apply_ops_live(book, [SetValues("S", 0, 0, [["x", None, "y"], ["z", None, "w"]])])
    assert calls == 2
    after = replay({"S": [["a", "b", "c"], ["d", "e", "f"]]}, actions(book))
    assert trim(after["S"]) == [["x", "b", "y"], ["z", "e", "w"]]


def test_insert_then_write_is_one_call_each(tmp_path):
    book = open_live({"S": [["a"], ["b"]]}, caller=False)
    calls = live.apply_ops_live(book, [InsertRows("S", 1, 2), SetValues("S", 1, 0, [["x", None], [None, "y"]]),
                                       ReplaceValues("S", 0, [["t"]])])
    assert calls == 4
    assert [a["func"] for a in actions(book)] == ["rangeInsert", "setValues", "sheetClearContents", "setValues"]


def test_doctor_button_shows_the_report(sample_data, tmp_path):
    book = open_live(grids_of(sample_data, tmp_path))
    report = x.doctor()
    assert report.startswith("xlplan 環境診断")
    assert "✓ Python:" in report and f"✓ xlwings: {xw.__version__}" in report
    assert "xlwings.conf の Interpreter_Win" in report
    assert alerts(book) == [report] and writes(book) == []


def test_doctor_cli_on_a_file_in_a_japanese_folder(tmp_path):
    from xlplan.cli import app

    data = build_workbook(load_plan(SAMPLE), load_catalog(), current_fy=2027)
    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    path = folder / BOOK_NAME
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["doctor", str(path)])
    assert result.exit_code in (0, 1), result.output     # 1 where this user's environment is not set up
    assert f"✓ ブックの xlwings（VBA）: {xw.__version__}（VBA モジュール）" in result.output
    assert "（日本語を含むパスでも問題ありません）" in result.output
    assert "xlwings.conf の Interpreter_Win: %LOCALAPPDATA%\\xlplan\\venv\\Scripts\\python.exe（標準の場所" in result.output


def test_doctor_cli_flags_a_bare_interpreter_and_an_xlsx(tmp_path):
    from xlplan.cli import app

    data = build_workbook(load_plan(SAMPLE), load_catalog(), current_fy=2027, interpreter="python", with_macros=False)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["doctor", str(path)])
    assert result.exit_code == 1
    assert "✗ マクロ（VBA）" in result.output
    assert "✗ xlwings.conf の Interpreter_Win: 「python」（名前だけで" in result.output
    assert "→ " in result.output


def test_export_document_button_writes_the_docx_next_to_the_workbook(sample_data, tmp_path, monkeypatch):
    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    monkeypatch.setattr(x, "book_fullname", lambda book: str(folder / BOOK_NAME))
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.export_document()
    target = folder / (Path(BOOK_NAME).stem + "_計画書.docx")
    assert target.exists() and target.stat().st_size > 10_000
    assert str(target) in message and alerts(book) == [message]


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is needed to make the PDF")
def test_export_pdf_button_writes_the_pdf_with_page_numbers_next_to_the_workbook(sample_data, tmp_path, monkeypatch):
    import subprocess

    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    monkeypatch.setattr(x, "book_fullname", lambda book: str(folder / BOOK_NAME))
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.export_document_pdf()
    target = folder / (Path(BOOK_NAME).stem + "_計画書.pdf")
    assert target.exists() and target.read_bytes().startswith(b"%PDF")
    assert str(target) in message and "目次のページ番号入り" in message and alerts(book) == [message]
    contents = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(target), "-"], capture_output=True, text=True).stdout
    assert re.search(r"現状及び課題\.{4,}\s*3", contents.replace(" ", ""))
    assert writes(book) == []


def test_export_document_button_needs_a_local_folder(sample_data, tmp_path, monkeypatch):
    monkeypatch.setattr(x, "book_fullname", lambda book: "https://example.sharepoint.com/sites/x/計画.xlsm")
    book = open_live(grids_of(sample_data, tmp_path))
    message = x.export_document()
    assert "この PC のフォルダー" in message and "Traceback" not in message
    assert writes(book) == []


def test_validate_writes_missing_ids_in_one_block_per_sheet(sample_data, tmp_path):
    """Rows typed without a 施策ID (a new measure, KPI rows under one) get it written back: one write for
    the whole ID block of the sheet, live and file path alike, existing IDs untouched."""
    grids = grids_of(sample_data, tmp_path)
    table = read_plan(grids).layout.domain_tables["電子行政"]
    sheet = [list(r) for r in grids["電子行政"]]
    col = table.col("measure.id")
    blanked = [r for r in range(table.first_row, len(sheet)) if sheet[r][col]][1::4][:6]
    for r in blanked:
        sheet[r][col] = ""
    grids = {**grids, "電子行政": sheet}
    read = read_plan(grids)
    book = open_live(grids)
    x.validate()
    id_writes = [a for a in writes(book) if a["func"] == "setValues" and a["sheet_position"] == list(grids).index("電子行政")]
    assert len(id_writes) == 1 and id_writes[0]["start_column"] == col
    after = replay(grids, actions(book))
    assert all(after["電子行政"][r][col] for r in blanked)
    untouched = [r for r in range(min(blanked), max(blanked) + 1) if r not in blanked]
    assert [after["電子行政"][r][col] for r in untouched] == [sheet[r][col] for r in untouched]
    reread = read_plan(after)
    assert [m.id for m in reread.plan.measures] == [m.id for m in read.plan.measures]
    assert not any(r.unnumbered for rows in reread.rows.values() for r in rows)


def with_typed_progress(data: bytes) -> bytes:
    """The sample with actuals typed in 進捗管理 (the first KPI's 令和9年度) and an orphan typed under the table."""
    t = L.ProgressLayout().table
    first = t.first_row
    return patch_package(data, [SetValues(L.PROGRESS, first, t.col("progress.actual"), [[5000]]),
                                SetValues(L.PROGRESS, first, t.col("progress.comment"), [["子育て手続を追加"]]),
                                SetValues(L.PROGRESS, first + 400, 0, [["令和9年度", "DG-99", 1]]),
                                SetValues(L.PROGRESS, first + 400, t.col("progress.comment"), [["消えた施策の説明"]])])


def test_progress_button_keeps_typed_input_like_the_file_path(sample_data, tmp_path):
    data = with_typed_progress(sample_data)
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.update_progress()
    assert "退避した入力" in message and alerts(book) == [message]
    expected = file_path_result(data, operations.progress_ops(read_plan(grids), operations.progress_fy(read_plan(grids))), tmp_path)
    same_values(replay(grids, actions(book)), expected)
    t = L.ProgressLayout().table
    row = expected[L.PROGRESS][t.first_row]
    assert row[t.col("progress.actual")] == 5000 and row[t.col("progress.grade")] == "A"
    assert expected[L.ORPHANS][L.ORPHANS_TABLE.first_row][L.ORPHANS_TABLE.col("orphan.comment")] == "消えた施策の説明"


def test_progress_report_button_writes_the_docx_next_to_the_workbook(sample_data, tmp_path, monkeypatch):
    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    monkeypatch.setattr(x, "book_fullname", lambda book: str(folder / BOOK_NAME))
    book = open_live(grids_of(with_typed_progress(sample_data), tmp_path))
    message = x.export_progress_report()
    target = folder / (Path(BOOK_NAME).stem + "_進捗状況_令和9年度.docx")
    assert target.exists() and target.stat().st_size > 10_000
    assert str(target) in message and alerts(book) == [message] and writes(book) == []



def test_memos_beside_the_findings_table_survive_the_validate_button(sample_data, tmp_path):
    """As in the file path (tests/test_generated_sheets.py): columns right of a generated table are the clerk's."""
    width = L.FINDINGS_TABLE.width
    data = with_cells(sample_data, L.FINDINGS, {cell_name(row, width + 1): {"value": f"メモ {row}"} for row in (0, 5, 30)})
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    x.validate()
    after = replay(grids, actions(book))
    for row in (0, 5, 30):
        assert after[L.FINDINGS][row][width + 1] == f"メモ {row}"
