"""Reading workbook files: the package checked first (package.zipcheck), then values via python-calamine.

Calamine gives cached values fast but turns error cells (#REF!, #N/A) into
empty strings; a scan of the sheet XML for t="e" cells puts them back, so the
reader can point at them. The same scan collects merged ranges, which values
alone do not show. Formulas are never evaluated: only Excel's cached values are read.

Calamine parses without holding the GIL, so it parses in threads (SheetParser) while this thread checks
the next sheet's XML, completes the grid before, or (read_plan_file) reads the domain sheets into the plan
as the 進捗管理 is still being parsed: on two cores the wait is close to the longer of the two, not their sum.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xlplan.adapters.package.parts import sheet_part_map
from xlplan.adapters.package.zipcheck import check_package
from xlplan.adapters.sheet_checks import check_rows_unique, check_used_range
from xlplan.adapters.number_formats import percent_cells_in_sheet, percent_styles
from xlplan.adapters.values import WorkbookValues
from xlplan.errors import WorkbookReadError
from xlplan.layout.a1 import parse_cell
from xlplan.layout.cells import PICTURE_IN_CELL

_ERROR_CELL_RE = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?t="e"[^>]*)>(?:<f[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>', re.S)
# Whether a sheet has any error cell at all: a compiled search is faster than `in` here (bytes' `in` tests the
# needle's last byte first, and '"' is everywhere in cell XML): 11 against 17 ms on 33 MB.
_ERROR_TYPE_RE = re.compile(rb't="e"')

# Which columns of a sheet hold values whose % number format matters (the layout says; None: none).
PercentColumns = Callable[[str, list], "set[int] | None"]


def read_values(path: Path, sheets: Iterable[str] | None = None) -> WorkbookValues:
    """Cell values of the given sheets (all when None), one calamine read each, errors restored."""
    return read_values_then(path, lambda _first: list(sheets) if sheets is not None else None)


def read_plan_values(path: Path, extra: Iterable[str] = (), background: Iterable[str] = ()) -> WorkbookValues:
    """What read_plan needs: 基本情報, then the sheets it lists (domains …), plus `extra` sheets.

    `background` sheets may still be parsing when this returns: each is completed when it is first asked
    for (WorkbookValues; see read_plan_file)."""
    from xlplan.layout.read import percent_columns, plan_sheets
    from xlplan.layout.sheets import INFO

    return read_values_then(path, lambda first: plan_sheets(first.get(INFO, []), tuple(extra)), first=(INFO,),
                            percent_columns=percent_columns, background=background)


def read_plan_file(path: Path, extra: Iterable[str] = ()):
    """read_plan of a workbook file. Calamine parses the 進捗管理 (the largest sheet: a third of a plain calamine
    read at 5,000 measures) in a thread, without the GIL, while read_plan reads the domain sheets in Python."""
    from xlplan.layout.read import read_plan
    from xlplan.layout.sheets import PROGRESS

    return read_plan(read_plan_values(path, extra, background=(PROGRESS,)))


def read_values_then(path: Path, more: Callable[[WorkbookValues], list[str] | None],
                     first: Iterable[str] = (), percent_columns: PercentColumns | None = None,
                     background: Iterable[str] = ()) -> WorkbookValues:
    """Read the `first` sheets, then the sheets more(values so far) names (all when None),
    opening the package once: e.g. 基本情報 first, then the domain sheets it lists. The `background`
    ones among them are parsed by a thread of their own and completed when first asked for."""
    from xlplan.gcpause import paused_gc

    path = Path(path)
    # The sheets' XML is kept from the package check, so the scans below do not inflate it again; the
    # collector waits while calamine's grids (a million cells at 5,000 measures) are built (xlplan.gcpause).
    with check_package(path, keep=_is_sheet_part) as archive, paused_gc():
        sheet_parts = _sheet_parts(archive)
        result = WorkbookValues()
        scan = None
        if percent_columns is not None:
            result.percent_cells = {}
            scan = (percent_columns, percent_styles(archive))
        reader = _SheetReader(path, archive, sheet_parts, result, scan)
        # The background sheets get a thread and a calamine workbook of their own, and are queued first, before
        # this thread even opens its own: the largest (the 進捗管理) is parsing while everything else is read.
        aside = SheetParser(lambda: CalamineWorkbook.from_path(str(path)))
        parser = None
        try:
            early = [s for s in dict.fromkeys(background) if s in sheet_parts]
            reader.queue(early, aside)
            book = _calamine(lambda: CalamineWorkbook.from_path(str(path)),
                             f"「{path.name}」を読み込めません（{{}}）。Excel で開いて保存し直してください。", archive=archive)
            result.sheet_names = list(book.sheet_names)
            parser = SheetParser(lambda: book)
            firsts = [s for s in first if s in book.sheet_names]
            reader.queue(firsts, parser)
            reader.complete(firsts)
            rest = more(result)
            wanted = [s for s in dict.fromkeys(book.sheet_names if rest is None else rest)   # once each, in order
                      if s in book.sheet_names and s not in result]
            now = [s for s in wanted if s not in early]
            reader.queue(now, parser)
            reader.complete(now)
        except BaseException:
            aside.close(cancel=True)   # the workbook is refused: nothing queued is parsed any more
            if parser is not None:
                parser.close(cancel=True)
            raise
        aside.close()   # no more sheets: the threads end once the queued ones are parsed
        parser.close()
        later = [s for s in wanted if s in reader.queued]
        if later:
            result.defer(later, reader.complete_later)
        return result


class SheetParser:
    """Calamine parses sheets in a thread, in the order asked; sheet(name) waits for one. Calamine releases
    the GIL while it parses, so the caller's Python (checks, grids, read_plan) runs meanwhile on another
    core. The thread is the workbook's only caller: a calamine workbook refuses a second one while it parses
    ("Already borrowed"). open_book runs in the thread, before the first sheet."""

    def __init__(self, open_book: Callable[[], Any]) -> None:
        self._open_book = open_book
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._done: dict[str, tuple[threading.Event, list]] = {}
        self._thread: threading.Thread | None = None
        self._cancelled = False

    def submit(self, name: str) -> None:
        self._done[name] = (threading.Event(), [])
        self._jobs.put(name)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="xlplan-calamine", daemon=True)
            self._thread.start()

    def sheet(self, name: str):
        """The parsed sheet; what calamine raised (a Rust panic is a BaseException) is raised here."""
        event, box = self._done[name]
        event.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def close(self, cancel: bool = False) -> None:
        """No more sheets; with cancel, the ones queued and not started are dropped (asked for, they raise)."""
        self._cancelled = self._cancelled or cancel
        if self._thread is not None:
            self._jobs.put(None)

    def _work(self) -> None:
        book = opening_failed = None
        while (name := self._jobs.get()) is not None:
            event, box = self._done[name]
            try:
                if self._cancelled:
                    raise RuntimeError(f"reading {name!r} was cancelled")
                if book is None:
                    if opening_failed is not None:
                        raise opening_failed
                    try:
                        book = self._open_book()
                    except BaseException as exc:  # noqa: BLE001 — each waiting sheet is told
                        opening_failed = exc
                        raise
                box.append(book.get_sheet_by_name(name))
            except BaseException as exc:  # noqa: BLE001 — handed to the caller waiting for this sheet
                box.append(exc)
            event.set()


class _SheetReader:
    """Each sheet's XML checked before calamine parses it, then its grid completed with what calamine does
    not give: error cells, merged ranges, which value cells show a percent."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, sheet_parts: dict[str, str], result: WorkbookValues,
                 scan: tuple[PercentColumns, frozenset[int]] | None) -> None:
        self.path, self.archive, self.sheet_parts, self.result, self.scan = path, archive, sheet_parts, result, scan
        self.queued: dict[str, tuple[bytes | None, SheetParser]] = {}

    def queue(self, names: list[str], parser: SheetParser) -> None:
        """Hand each sheet to calamine once its XML passed the checks: calamine parses it in its thread while
        this one checks the next sheet or completes the one before. (The checks stay in this thread: they are
        regex scans, which hold the GIL, and would hold this thread up from a calamine thread just as long.)"""
        for name in names:
            part = self.sheet_parts.get(name)
            xml = self.archive.read(part) if part is not None and part in self.archive.NameToInfo else None
            if xml is not None:
                rows = check_rows_unique(xml, name, part)
                check_used_range(xml, name, rows)  # calamine allocates every cell from A1 to the last one
            self.queued[name] = (xml, parser)
            parser.submit(name)

    def complete(self, names: list[str]) -> None:
        for name in names:
            xml, parser = self.queued.pop(name)
            self._complete(name, xml, self.archive, parser)

    def complete_later(self, name: str) -> None:
        """A sheet queued before the package was closed, waiting for calamine if it is still parsing (the
        package is opened again only to say which part is broken)."""
        from xlplan.gcpause import paused_gc

        xml, parser = self.queued[name]
        with paused_gc():
            self._complete(name, xml, self.path, parser)
        del self.queued[name]

    def _complete(self, name: str, xml: bytes | None, archive: zipfile.ZipFile | Path, parser: SheetParser) -> None:
        result, scan = self.result, self.scan
        grid = _calamine(lambda: parser.sheet(name).to_python(skip_empty_area=False),
                         "シートを読み込めません（{}）。Excel で開いて保存し直してください。", sheet=name, archive=archive)
        if xml is not None:
            if _ERROR_TYPE_RE.search(xml) is not None:
                _restore_errors(grid, xml)
            # <mergeCells> follows <sheetData> (the schema's order, which Excel enforces): search only after it,
            # not through the cells (30 MB in the 進捗管理 of 5,000 measures).
            after = max(xml.rfind(b"</sheetData>"), 0)
            if xml.find(b"<mergeCell ", after) >= 0:
                result.merged[name] = _merged_ranges(xml, after)
            if scan is not None and scan[1] and result.percent_cells is not None:
                columns = scan[0](name, grid)
                if columns:
                    result.percent_cells[name] = percent_cells_in_sheet(xml, scan[1], columns)
        result[name] = grid


def sheet_names(path: Path) -> list[str]:
    with check_package(path):
        pass
    return list(_calamine(lambda: CalamineWorkbook.from_path(str(path)), f"「{Path(path).name}」を読み込めません（{{}}）。").sheet_names)


def _calamine(call, message: str, sheet: str | None = None, archive: zipfile.ZipFile | Path | None = None):
    """Run a calamine call; its errors, and its Rust panics (BaseException), become a WorkbookReadError
    whose message says in Japanese what is broken: calamine's own text is English and often a bare
    tag name, so the broken part is found by parsing the package's XML parts here."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # noqa: BLE001 — pyo3's PanicException derives from BaseException
        if isinstance(archive, Path):   # the package is closed by now: open it again to say what is broken
            with zipfile.ZipFile(archive) as reopened:
                reason = broken_part(reopened)
        else:
            reason = broken_part(archive)
        raise WorkbookReadError(message.format(reason), sheet=sheet) from None


_PART_LABELS = {"xl/sharedStrings.xml": "文字列の一覧", "xl/styles.xml": "書式", "xl/workbook.xml": "ブックの構成",
                "[Content_Types].xml": "部品の種類の一覧"}


def broken_part(archive: zipfile.ZipFile | None) -> str:
    """Which XML part of the package does not parse, in Japanese; a general reason when none (or unknown)."""
    from lxml import etree

    from xlplan.adapters.package.safexml import PARSER as _PARSER

    for info in archive.infolist() if archive is not None else ():
        name = info.filename
        if not name.lower().endswith((".xml", ".rels")) or info.file_size > 50 * 2**20:
            continue
        try:
            etree.fromstring(archive.read(name), _PARSER)
        except etree.XMLSyntaxError:
            label = _PART_LABELS.get(name) or ("シートの中身" if name.startswith("xl/worksheets/") else
                                               "部品のつながり" if name.endswith(".rels") else "部品")
            return f"{label}（{name}）の XML が壊れています"
        except Exception:  # noqa: BLE001 — anything else: keep looking, the general reason follows
            continue
    return "中身が壊れているか、xlplan が読めない形式です"


_MERGE_RE = re.compile(rb'<mergeCell ref="\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?"')


def _merged_ranges(xml: bytes, start: int = 0) -> list[tuple[int, int, int, int]]:
    ranges = []
    for c0, r0, c1, r1 in _MERGE_RE.findall(xml, start):
        first = parse_cell((c0 + r0).decode())
        last = parse_cell((c1 + r1).decode()) if c1 else first
        ranges.append((first[0], first[1], last[0], last[1]))
    return ranges


def _restore_errors(grid: list[list[Any]], xml: bytes) -> None:
    for ref, attributes, value in _ERROR_CELL_RE.findall(xml):
        row, col = parse_cell(ref.decode())
        if row < 0:
            continue
        while len(grid) <= row:
            grid.append([])
        while len(grid[row]) <= col:
            grid[row].append("")
        # A picture placed in a cell (or IMAGE()) is stored as #VALUE! with value metadata (vm=…).
        grid[row][col] = PICTURE_IN_CELL if b" vm=" in attributes else value.decode("utf-8", "replace")


def _is_sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name (xl/worksheets/sheetN.xml), from workbook.xml and its rels."""
    from xlplan.errors import XlplanUserError

    try:
        return sheet_part_map(archive)
    except XlplanUserError as exc:
        raise WorkbookReadError(exc.message, sheet=exc.sheet, cell=exc.cell) from None
