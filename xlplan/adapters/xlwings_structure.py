"""Live Excel: the ops that change a workbook's structure, and the checks made before a batch writes.

Columns and rows inserted or deleted (one call each: whole columns "K:L", formats copied from the
left or right neighbour as ``InsertColumns.like`` says — Excel's CopyOrigin; macOS Excel always
copies from the left), sheets added (``sheets.add``, or a copy of a sheet renamed and emptied below
its first rows), removed (the desktop engines turn Excel's confirmation off around the delete) or
renamed, with the ``LiveBook``'s kept sheets following. Used by ``xlwings_live.apply_ops_live``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from xlplan.errors import XlplanUserError
from xlplan.layout.ops import AddSheet, CopyCell, InsertColumns, Op, RemoveSheet, RenameSheet

if TYPE_CHECKING:
    from xlplan.adapters.xlwings_live import LiveBook

STRUCTURE_OPS = (AddSheet, RemoveSheet, RenameSheet)
COPY_ORIGIN = {"left": "format_from_left_or_above", "right": "format_from_right_or_below"}
MAX_ROWS = 1048576


def whole_columns(sheet, col: int, count: int):
    """Whole columns col .. col + count - 1 (0-based), e.g. "K:L"."""
    from xlplan.layout.a1 import col_letter

    return sheet.range(f"{col_letter(col)}:{col_letter(col + count - 1)}")


def like_side(op: InsertColumns) -> str:
    """Which neighbour's formats the inserted columns take (Excel copies from one of the two)."""
    if op.like is None or op.like == op.col - 1:
        return "left"
    if op.like == op.col:
        return "right"
    raise TypeError(f"live Excel copies formats from a neighbouring column only: {op!r}")


def span_after_delete(a: int, b: int, row: int, count: int) -> tuple[int, int]:
    def moved(r: int) -> int:
        return r if r <= row else max(row, r - count)
    return moved(a), moved(b)


def shrink_extent(live: LiveBook, name: str, axis: int, first: int, count: int) -> None:
    if (extent := live.extents.get(name)) is not None:
        size = extent[axis] - max(0, min(extent[axis], first + count) - first)
        live.extents[name] = (size, extent[1]) if axis == 0 else (extent[0], size)


def apply_structure(live: LiveBook, op: Op) -> int:
    """Sheets added (a copy of `like`, values below its first keep_rows rows cleared; or empty),
    removed or renamed, with the LiveBook's kept sheets following."""
    from xlwings import Sheet

    if isinstance(op, RenameSheet):
        sheet = live.sheet(op.old)
        sheet.name = op.new
        live.renamed(op.old, op.new, sheet)
        return 1
    if isinstance(op, RemoveSheet):
        live.sheet(op.name).delete()
        live.removed(op.name)
        return 1
    assert isinstance(op, AddSheet)
    after = live.sheet(op.after) if op.after is not None else live.collection[-1]
    if op.like is None:
        # the engine's add, not Sheets.add: that one first lists every sheet's name
        sheet = Sheet(impl=live.collection.impl.add(None, after.impl, op.name))
        live.added(op.name, sheet)
        return 1
    source = live.sheet(op.like)
    copy_name = _copy_name(live, op.like)
    source.impl.copy(None, after.impl)        # Sheet.copy would list every sheet's name twice
    sheet = _the_copy(live, copy_name)
    sheet.name = op.name
    live.added(op.name, sheet)
    if op.keep_rows == 0:
        sheet.clear_contents()
    else:
        sheet.range(f"{op.keep_rows + 1}:{MAX_ROWS}").clear_contents()
    return 3


def _copy_name(live: LiveBook, like: str) -> str:
    """The name Excel (and xlwings' remote engine) gives a copy of `like`: "like (2)", or the next free number."""
    taken = {name.casefold() for name in live.sheets}
    suffix = 2
    while f"{like} ({suffix})".casefold() in taken:
        suffix += 1
    return f"{like} ({suffix})"


def _the_copy(live: LiveBook, name: str):
    """The copy just made, by the name Excel gave it; the active sheet (the copy, on the desktop
    engines) when that name is not found, e.g. shortened to Excel's 31 characters."""
    try:
        return live.collection[name]
    except Exception:  # noqa: BLE001
        return live.book.sheets.active


def check_batch(live: LiveBook, ops: list[Op]) -> None:
    """Before the first write: every op is one live Excel knows, the sheets the ops need exist (or are
    added earlier in the batch) and are not protected, the names of sheets added or renamed are free,
    and when sheets are added, removed or renamed, the workbook's structure is not protected."""
    from xlplan.adapters.xlwings_live import LIVE_OPS, check_writable, missing_sheet_error

    unsupported = [op for op in ops if not isinstance(op, LIVE_OPS)]
    if unsupported:  # an op only the file path knows
        raise TypeError(f"not implemented for live Excel: {unsupported[0]!r}")
    made: set[str] = set()
    needed: set[str] = set()
    written: set[str] = set()
    for op in ops:
        if isinstance(op, AddSheet):
            names = [n for n in (op.like, op.after) if n is not None]
        elif isinstance(op, RemoveSheet):
            names = [op.name]
        elif isinstance(op, RenameSheet):
            names = [op.old]
        else:
            names = [op.sheet]
            written |= {op.sheet} - made
            if isinstance(op, InsertColumns):
                like_side(op)
            if isinstance(op, CopyCell):   # the prototype's sheet: read from, not written
                names.append(op.source)
        needed |= {n for n in names if n not in made}
        new = op.name if isinstance(op, AddSheet) else op.new if isinstance(op, RenameSheet) else None
        if new is not None:
            if new not in made and live.sheet(new) is not None:
                raise XlplanUserError(f"「{new}」という名前のシートが既にあります。そのシートの名前を変えるか、別の名前を指定してください。"
                                      "ブックは変更していません。")
            made.add(new)
    # sheets only added after, copied, removed or renamed: they must exist (their cells are not written)
    for name in sorted(needed - written):
        if live.sheet(name) is None:
            raise missing_sheet_error(name)
    check_writable(live, written)
    if any(isinstance(op, STRUCTURE_OPS) for op in ops) and structure_protected(live):
        raise XlplanUserError("ブックの構成が保護されているため、シートを追加・削除・名前の変更できません。"
                              "［校閲］タブ →［ブックの保護］で保護を解除してから、もう一度ボタンを押してください。"
                              "ブックは変更していません。")


def structure_protected(live: LiveBook) -> bool | None:
    """Whether the workbook's structure (its sheets) is protected; None when the engine cannot tell."""
    if live.remote:
        return None
    try:
        if sys.platform.startswith("win"):
            return bool(live.book.api.ProtectStructure)
        return bool(live.book.api.protect_structure.get())
    except Exception:  # noqa: BLE001 - a probe only; Excel's own refusal still reports it
        return None
