"""Write operations applied to a package: the entry module of the package layer.

Only the sheets the operations touch are patched. Everything else in the package (VBA, buttons,
comments, images, charts, other sheets, styles) is copied through unchanged, which is why xlplan
does not round-trip workbooks through openpyxl. Inside a touched sheet only <sheetData> changes,
plus the ranges, formulas and anchors that follow inserted or deleted rows and columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from xlplan.adapters.package.cellvalues import shared_strings, wrapping_styles
from xlplan.adapters.package.colwidths import set_widths
from xlplan.adapters.package.merges import merge_cells
from xlplan.adapters.package.followers import check_movable, follow_related
from xlplan.adapters.package.numformats import Styles, set_number_format
from xlplan.adapters.package.parts import Package, drop_calc_chain, match_extension, remove_relationships, sheet_part_map
from xlplan.adapters.package.physical import read_file, write_file
from xlplan.adapters.package.refs import Move
from xlplan.adapters.package.shared import expand_broken_groups
from xlplan.adapters.package.sheetdata import SheetData
from xlplan.adapters.package.sheetlist import SheetList
from xlplan.adapters.package.structure import add_sheet, remove_sheet, rename_sheet
from xlplan.adapters.package.validations import set_validation
from xlplan.adapters.package.worksheet import follow
from xlplan.errors import WorkbookWriteError
from xlplan.fileio import FileIdentity, check_new_target, check_regular_input, check_unchanged
from xlplan.layout.ops import (
    AddSheet,
    DeleteColumns,
    DeleteRows,
    FillBlanks,
    FitRows,
    InsertColumns,
    InsertRows,
    MergeCells,
    Op,
    OutlineRows,
    RemoveSheet,
    RenameSheet,
    ReplaceValues,
    SetColumnWidths,
    SetNumberFormat,
    SetValidation,
    SetValues,
)

STRUCTURE_OPS = (AddSheet, RemoveSheet, RenameSheet)


def apply_ops(src: Path, ops: list[Op], dst: Path | None = None, *, backup: bool = False, force: bool = False,
              expect: FileIdentity | None = None, elsewhere: str = "別の名前で保存してください",
              notes: list[str] | None = None) -> Path:
    """Write the workbook at src with ops applied to dst (default: src, atomically).

    A dst other than src must be new unless force. expect: the identity of the file that was
    read, taken under its lock (xlplan.adapters.lock, held by xlplan.adapters.file_edit around
    the whole read-modify-write); if the file being replaced is no longer that file, nothing is
    written. A copy gets the content type its extension needs (match_extension); what that
    changed is appended to notes.
    """
    src = Path(src)
    dst = Path(dst) if dst else src
    check_regular_input(src)
    in_place = dst == src or (dst.exists() and dst.samefile(src))
    if not in_place:
        check_new_target(dst, force)
    package = read_file(src)
    if expect is not None and in_place:
        check_unchanged(src, expect)
    data = patch_package(package, ops, in_place=in_place)
    if not in_place:
        data, note = match_extension(data, dst.suffix)
        if note and notes is not None:
            notes.append(note)
    write_file(dst, data, backup=backup and in_place, overwrite=in_place or force, expect=expect, elsewhere=elsewhere)
    return dst


def patch_package(package: bytes, ops: list[Op], *, in_place: bool = True) -> bytes:
    """The package with ops applied. in_place=False (writing to another file, -o) also allows
    changes that cannot be checked here, e.g. rows inserted inside a user's table."""
    return edit_package(package, lambda parts: _apply(parts, ops, in_place))


def edit_package(package: bytes, edit: Callable[[Package], bool]) -> bytes:
    """The package after edit(parts); edit says whether formulas changed (the calc chain is then dropped)."""
    with Package(package) as parts:
        if edit(parts):
            drop_calc_chain(parts)
        return parts.to_bytes()


def _apply(package: Package, ops: list[Op], in_place: bool) -> bool:
    """Cell ops grouped per sheet; a sheet added, removed or renamed splits the list, so the ops after it
    see the new sheet list."""
    changed = False
    segment: list[Op] = []
    for op in ops:
        if isinstance(op, STRUCTURE_OPS):
            changed |= _apply_cells(package, segment, in_place)
            changed |= _apply_structure(package, op)
            segment = []
        else:
            segment.append(op)
    return _apply_cells(package, segment, in_place) | changed


def _apply_structure(package: Package, op: AddSheet | RemoveSheet | RenameSheet) -> bool:
    if isinstance(op, RenameSheet):
        return rename_sheet(package, op.old, op.new)
    if isinstance(op, RemoveSheet):
        return remove_sheet(package, op.name)
    names = SheetList(package).names()
    index = names.index(op.after) + 1 if op.after is not None else None
    part = add_sheet(package, op.name, index=index, like=op.like)
    if op.like is not None:
        edit = SheetData(package.read(part), part)
        edit.clear_from(op.keep_rows, None)
        package.write(part, edit.to_bytes())
    return op.like is not None  # a copy's formulas name the new sheet


def _apply_cells(package: Package, ops: list[Op], in_place: bool) -> bool:
    if not ops:
        return False
    sheets = sheet_part_map(package)
    by_sheet: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        if op.sheet not in sheets:
            raise WorkbookWriteError(f"シート「{op.sheet}」がないため書き込めません。", sheet=op.sheet)
        by_sheet[op.sheet].append(op)
    formulas_changed = False
    wrapping: set[str] | None = None
    styles: Styles | None = None    # styles.xml, parsed once if a number format is set
    # Parsed only if a fitted row has a shared-string cell; xlplan itself writes inline strings.
    strings = lru_cache(maxsize=1)(lambda: shared_strings(_optional(package, "xl/sharedStrings.xml")))
    for sheet, sheet_ops in by_sheet.items():
        part = sheets[sheet]
        edit = SheetData(package.read(part), part)
        if edit.protected:
            raise WorkbookWriteError(
                "シートが保護されているため、xlplan は書き込みません。Excel の［校閲］→［シート保護の解除］で"
                "保護を解除してから、もう一度実行してください。", sheet=sheet)
        for op in sheet_ops:
            move = _move_of(op)
            if move is not None:
                check_movable(package, part, move, in_place)
                like = op.like if isinstance(op, InsertColumns) else None
                edit.formulas_changed |= expand_broken_groups(edit.root, move, sheet)
                edit.move(move, sheet, like)
                followed = follow(edit.root, move, like)
                if not move.on_rows:
                    edit.read_columns()
                edit.formulas_changed |= followed.formulas
                remove_relationships(package, part, followed.dropped_rels)
                follow_related(package, sheets, move)
            elif isinstance(op, ReplaceValues):
                edit.clear_from(op.row, op.width)
                edit.set_block(op.row, 0, op.values)
            elif isinstance(op, (SetValues, FillBlanks)):   # FillBlanks: None leaves the filled cells alone
                edit.set_block(op.row, op.col, op.values)
            elif isinstance(op, FitRows):
                if wrapping is None:
                    wrapping = wrapping_styles(_optional(package, "xl/styles.xml"))
                edit.fit_rows(op.row, op.count, wrapping, strings)
            elif isinstance(op, OutlineRows):
                edit.outline_rows(op.row, op.levels)
            elif isinstance(op, SetNumberFormat):
                styles = styles or Styles(package.read("xl/styles.xml"))
                set_number_format(edit, styles, op)
            elif isinstance(op, SetValidation):
                set_validation(edit.root, op)
            elif isinstance(op, SetColumnWidths):
                set_widths(edit.root, op.col, op.widths)
                edit.read_columns()
            elif isinstance(op, MergeCells):
                merge_cells(edit.root, op.row, op.col, op.count)
        package.write(part, edit.to_bytes())
        formulas_changed |= edit.formulas_changed
    if styles is not None and styles.changed:
        package.write("xl/styles.xml", styles.to_bytes())
    return formulas_changed


def _move_of(op: Op) -> Move | None:
    if isinstance(op, (InsertRows, DeleteRows, InsertColumns, DeleteColumns)) and op.count < 0:
        raise ValueError(f"a negative count: {op!r}")  # deleting is its own op
    if isinstance(op, InsertRows):
        return Move.rows(op.sheet, op.row, op.count)
    if isinstance(op, DeleteRows):
        return Move.rows(op.sheet, op.row, -op.count)
    if isinstance(op, InsertColumns):
        return Move.cols(op.sheet, op.col, op.count)
    if isinstance(op, DeleteColumns):
        return Move.cols(op.sheet, op.col, -op.count)
    return None


def _optional(package: Package, name: str) -> bytes | None:
    return package.read(name) if name in package else None
