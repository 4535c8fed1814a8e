"""The parts that follow a sheet's moved rows or columns, as Excel moves them.

The sheet's own related parts: notes (legacy and threaded), tables and pivot tables (their
ranges), VML and DrawingML anchors (anchors.py), form controls' linked cells (ctrlProps); then every reference to the sheet from
elsewhere: defined names, other sheets' formulas and hyperlinks, charts, pivot caches, linked
controls (references.py), with filled-down formulas there that the move would break expanded
first (shared.py). Before a move, check_movable refuses what xlplan cannot move right:
rows inserted inside a table or pivot table (in place; a copy with -o gets the range extended),
columns inserted inside one, and any deletion that cuts into one.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from xlplan.adapters.package.anchors import follow_drawing, follow_vml
from xlplan.adapters.package.formulas import move_formula
from xlplan.adapters.package.parts import Package, related_parts
from xlplan.adapters.package.references import CONTROL_LINKS, edit_references, name_marks
from xlplan.adapters.package.refs import Move, area_bounds, move_areas
from xlplan.adapters.package.safexml import NS, parse, xml_bytes
from xlplan.adapters.package.shared import expand_broken_groups
from xlplan.errors import WorkbookWriteError
from xlplan.layout.a1 import col_letter

_OWN_RANGES = ("comments", "threadedComment", "table", "pivotTable")
_LABELS = {"table": "テーブル（ListObject）", "pivotTable": "ピボットテーブル"}


def check_movable(package: Package, part: str, move: Move, in_place: bool) -> None:
    """Refuse a move that would cut into a table or pivot table (see the module's docstring)."""
    inserting_rows = move.on_rows and move.count > 0
    if inserting_rows and not in_place:
        return
    targets = related_parts(package, part)
    for kind, label in _LABELS.items():
        for target in targets.get(kind, []):
            root = parse(package.read(target), target)
            location = root if kind == "table" else root.find(f"{{{NS}}}location")
            if not _cuts(area_bounds(location.get("ref") or "") if location is not None else None, move):
                continue
            name = root.get("displayName") or root.get("name") or posixpath.basename(target)
            place = f"{move.at + 1}行目" if move.on_rows else f"{col_letter(move.at)}列"
            if inserting_rows:
                raise WorkbookWriteError(
                    f"{place}に行を挿入すると{label}「{name}」の中に行が入るため、元のブックには書き込みません"
                    f"（{label}の計算列や集計を xlplan では正しく広げられません）。"
                    f"-o 新しい名前.xlsm を付けて別のファイルに書き出し、Excel で確認してから使ってください。"
                    "元のブックはそのまま残ります。", sheet=move.sheet)
            what = ("行" if move.on_rows else "列") + ("を挿入" if move.count > 0 else "を削除")
            raise WorkbookWriteError(
                f"{place}から{what}すると{label}「{name}」にかかるため、書き込みません。Excel で{label}を"
                "移すか範囲を変えてから、もう一度実行してください。元のブックはそのまま残ります。", sheet=move.sheet)


def _cuts(bounds: tuple[int, int, int, int] | None, move: Move) -> bool:
    """Whether the move inserts inside a range or deletes any of it (an unreadable range: assume so)."""
    if bounds is None:
        return True
    lo, hi = (bounds[0], bounds[2]) if move.on_rows else (bounds[1], bounds[3])
    if move.count > 0:
        return lo < move.at <= hi
    return lo < move.deleted.stop and hi >= move.at


def follow_related(package: Package, sheet_parts: dict[str, str], move: Move) -> None:
    """Move what belongs to the moved rows or columns along with them, in every other part."""
    part = sheet_parts[move.sheet]
    targets = related_parts(package, part)
    _follow_own_parts(package, targets, move)
    marks = name_marks(move.sheet)
    for other, other_part in sheet_parts.items():  # filled-down formulas elsewhere that point across the move
        data = package.read(other_part) if other_part != part else b""
        if b't="shared"' in data and any(mark in data for mark in marks):
            root = parse(data, other_part)
            if expand_broken_groups(root, move, other):
                package.write(other_part, xml_bytes(root))

    def source(element: etree._Element) -> bool:  # a pivot cache built on the sheet
        if not element.get("ref"):
            return False
        ref = move_areas(element.get("ref"), move)
        if not ref:
            raise WorkbookWriteError("ピボットテーブルの元のデータ範囲をすべて削除することになるため、削除できません。"
                                     "Excel でピボットテーブルの元データを変えてから、もう一度実行してください。", sheet=move.sheet)
        changed = ref != element.get("ref")
        element.set("ref", ref)
        return changed

    own = frozenset({part, *targets.get("vmlDrawing", []), *targets.get("ctrlProp", [])})  # moved above
    edit_references(package, sheet_parts, move.sheet, lambda text, home: move_formula(text, move, home=home), source,
                    skip=own)


def _follow_own_parts(package: Package, targets: dict[str, list[str]], move: Move) -> None:
    # Notes (legacy and threaded), tables and pivot tables: every ref attribute is a range on this sheet.
    for kind in _OWN_RANGES:
        for target in targets.get(kind, []):
            root = parse(package.read(target), target)
            if _follow_refs(root, move):  # untouched parts keep their bytes
                package.write(target, xml_bytes(root))
    for vml in targets.get("vmlDrawing", []):
        package.write(vml, follow_vml(package.read(vml), move))
    for drawing in targets.get("drawing", []):
        package.write(drawing, follow_drawing(package.read(drawing), move))
    for control in targets.get("ctrlProp", []):  # a check box's or list box's linked cells
        root = parse(package.read(control), control)
        if _follow_links(root, move):
            package.write(control, xml_bytes(root))


def _follow_links(root: etree._Element, move: Move) -> bool:
    changed = False
    for element in root.iter():
        for attr in CONTROL_LINKS:
            if element.get(attr):
                text = move_formula(element.get(attr), move, home=move.sheet)
                changed |= text != element.get(attr)
                element.set(attr, text)
    return changed


def _follow_refs(root: etree._Element, move: Move) -> bool:
    """Every ref attribute of a notes, table or pivot part moved; a note on a deleted cell goes."""
    changed = False
    for element in list(root.iter()):
        if isinstance(element.tag, str) and "ref" in element.attrib:
            ref = move_areas(element.get("ref"), move)
            changed |= ref != element.get("ref")
            if ref:
                element.set("ref", ref)
            elif element.getparent() is not None:
                element.getparent().remove(element)
    return changed
