"""Reading workbook files: safety checks on the package, then values via python-calamine.

Calamine gives cached values fast but turns error cells (#REF!, #N/A) into
empty strings; a scan of the sheet XML for t="e" cells puts them back, so the
reader can point at them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xlplan.errors import WorkbookReadError
from xlplan.layout.a1 import parse_cell

MAX_UNCOMPRESSED = 300 * 1024 * 1024   # a planning workbook is a few MB; refuse zip bombs
MAX_RATIO = 200                         # per-member compression ratio limit
MAX_MEMBERS = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ERROR_CELL_RE = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>', re.S)


def check_package(path: Path) -> zipfile.ZipFile:
    """Open a workbook as a zip after checking it is one, of sane size, and OOXML."""
    path = Path(path)
    if not path.exists():
        raise WorkbookReadError(f"ファイル「{path}」が見つかりません。パスを確認してください。")
    if path.is_dir():
        raise WorkbookReadError(f"「{path}」はフォルダーです。ブックのファイルを指定してください。")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC):
        raise WorkbookReadError(
            f"「{path.name}」は古い Excel 形式（.xls）か、パスワードで保護されたブックです。"
            "Excel で開いて「Excel マクロ有効ブック（.xlsm）」として保存し直し、保護を解除してから使ってください。")
    if not head.startswith(b"PK"):
        raise WorkbookReadError(
            f"「{path.name}」は Excel ブック（.xlsx/.xlsm）ではありません（CSV やテキストの可能性があります）。"
            "xlplan new で作ったブックを指定してください。")
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookReadError(f"「{path.name}」は壊れているか、Excel ブックではありません（{exc}）。") from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookReadError(f"「{path.name}」は部品の数が多すぎるため読み込みません（{len(members)}個）。")
    total = 0
    for info in members:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
            raise WorkbookReadError(f"「{path.name}」の中身「{info.filename}」の圧縮率が異常なため、安全のため読み込みません。")
    if total > MAX_UNCOMPRESSED:
        raise WorkbookReadError(f"「{path.name}」は展開後のサイズが大きすぎるため、安全のため読み込みません（{total // 2**20} MB）。")
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookReadError(f"「{path.name}」は Excel ブックではありません（xl/workbook.xml がありません）。")
    return archive


def read_values(path: Path, sheets: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
    """Cell values of the given sheets (all when None), one calamine read each, errors restored."""
    path = Path(path)
    with check_package(path) as archive:
        sheet_parts = _sheet_parts(archive)
        try:
            book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types
            raise WorkbookReadError(f"「{path.name}」を読み込めません（{exc}）。Excel で開いて保存し直してください。") from None
        wanted = list(book.sheet_names) if sheets is None else [s for s in sheets if s in book.sheet_names]
        result: dict[str, list[list[Any]]] = {}
        for name in wanted:
            try:
                grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise WorkbookReadError(f"シート「{name}」を読み込めません（{exc}）。", sheet=name) from None
            part = sheet_parts.get(name)
            if part is not None:
                xml = archive.read(part)
                if b't="e"' in xml:
                    _restore_errors(grid, xml)
            result[name] = grid
        return result


def sheet_names(path: Path) -> list[str]:
    with check_package(path):
        pass
    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def _restore_errors(grid: list[list[Any]], xml: bytes) -> None:
    for ref, value in _ERROR_CELL_RE.findall(xml):
        row, col = parse_cell(ref.decode())
        while len(grid) <= row:
            grid.append([])
        while len(grid[row]) <= col:
            grid[row].append("")
        grid[row][col] = value.decode("utf-8", "replace")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name (xl/worksheets/sheetN.xml), from workbook.xml and its rels."""
    from xlplan.adapters.package import sheet_part_map

    return sheet_part_map(archive)
