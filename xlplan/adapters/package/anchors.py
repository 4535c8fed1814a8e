"""Shapes that sit on cells, moved with their rows and columns: VML (notes, form buttons, check
boxes) and DrawingML (pictures, charts, text boxes) anchors.

Both parts are edited as bytes: Excel may write VML in a legacy encoding, and everything but the
cell numbers must stay byte for byte. When rows or columns are deleted, a note on a deleted cell
goes with it (its comment goes in followers.py by the same rule), a shape partly inside the
deleted band is clipped to it, and one wholly inside is refused: Excel would delete a picture,
chart or button the clerk placed, and xlplan never deletes what it did not make.
"""

from __future__ import annotations

import re

from xlplan.adapters.package.formulas import move_formula
from xlplan.adapters.package.refs import Move
from xlplan.errors import WorkbookWriteError

_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.S)
_NOTE_CELL = {"row": re.compile(rb"<x:Row>\s*(\d+)\s*</x:Row>"), "col": re.compile(rb"<x:Column>\s*(\d+)\s*</x:Column>")}
_VML_INDEX = {"row": re.compile(rb"(<x:Row>\s*)(\d+)(\s*</x:Row>)"), "col": re.compile(rb"(<x:Column>\s*)(\d+)(\s*</x:Column>)")}
_VML_ANCHOR = re.compile(rb"(<x:Anchor>\s*)([\d,\s]+?)(\s*</x:Anchor>)")
_VML_LINK = re.compile(rb"(<x:Fmla(?:Link|Range)>)([^<]*)(</x:Fmla(?:Link|Range)>)")
_ANCHOR = re.compile(rb"<((?:[\w.-]+:)?)(twoCellAnchor|oneCellAnchor)\b(.*?)</\1\2>", re.S)
_MARKER = re.compile(rb"(<((?:[\w.-]+:)?)(from|to)>)(.*?)(</\2\3>)", re.S)
_NAME = re.compile(rb'<(?:[\w.-]+:)?cNvPr\b[^>]*\bname="([^"]*)"')


def _field(tag: str) -> re.Pattern:
    return re.compile(rf"(<(?:[\w.-]+:)?{tag}>\s*)(-?\d+)(\s*</(?:[\w.-]+:)?{tag}>)".encode())


_FIELDS = {"row": (_field("row"), _field("rowOff")), "col": (_field("col"), _field("colOff"))}


def _wholly_inside(first: int, last: int, last_offset: int, move: Move) -> bool:
    """A shape from cell index first to last (ending last_offset into it) lies in the deleted band."""
    band = move.deleted
    return first in band and (last in band or (last == band.stop and last_offset == 0))


def follow_vml(data: bytes, move: Move) -> bytes:
    """The VML part after the move: notes, buttons and check boxes with their cells and linked cells."""
    if move.count < 0:
        data = _SHAPE.sub(lambda m: b"" if _deleted_note(m.group(0), move) else m.group(0), data)

    def index(m: re.Match) -> bytes:
        return m.group(1) + str(move.clamped(int(m.group(2)))).encode() + m.group(3)

    def anchor(m: re.Match) -> bytes:
        nums = [int(n) for n in m.group(2).split(b",")]
        if len(nums) != 8:
            return m.group(0)
        first, last = (2, 6) if move.on_rows else (0, 4)
        if move.count < 0 and _wholly_inside(nums[first], nums[last], nums[last + 1], move):
            raise WorkbookWriteError("削除する行・列の中にボタンやチェックボックスがあるため、削除できません。"
                                     "Excel でボタンを削除する範囲の外へ移してから、もう一度実行してください。", sheet=move.sheet)
        for i in (first, last):
            moved = move.index(nums[i])
            nums[i] = move.clamped(nums[i])
            if moved is None:
                nums[i + 1] = 0
        return m.group(1) + ", ".join(map(str, nums)).encode() + m.group(3)

    def link(m: re.Match) -> bytes:  # a control's linked cell or list range
        try:
            return m.group(1) + move_formula(m.group(2).decode("utf-8"), move, home=move.sheet).encode() + m.group(3)
        except UnicodeDecodeError:
            return m.group(0)

    data = _VML_INDEX[move.axis].sub(index, data)
    data = _VML_ANCHOR.sub(anchor, data)
    return _VML_LINK.sub(link, data)


def _deleted_note(shape: bytes, move: Move) -> bool:
    if b'ObjectType="Note"' not in shape:
        return False
    cell = _NOTE_CELL[move.axis].search(shape)
    return cell is not None and int(cell.group(1)) in move.deleted


def follow_drawing(data: bytes, move: Move) -> bytes:
    """The DrawingML part after the move: each anchor's from/to cells moved (clipped when deleted)."""
    index_re, offset_re = _FIELDS[move.axis]

    def anchor(m: re.Match) -> bytes:
        block = m.group(0)
        if move.count < 0 and m.group(2) == b"twoCellAnchor":  # its size is its cells: none left, nothing to show
            markers = {mk.group(3): mk.group(4) for mk in _MARKER.finditer(block)}
            if b"from" in markers and b"to" in markers:
                first, last = (int(index_re.search(markers[k]).group(2)) for k in (b"from", b"to"))
                offset = int(offset_re.search(markers[b"to"]).group(2))
                if _wholly_inside(first, last, offset, move):
                    name = _NAME.search(block)
                    label = f"「{name.group(1).decode('utf-8', 'replace')}」" if name else ""
                    raise WorkbookWriteError(f"削除する行・列の中に図形・画像・グラフ{label}があるため、削除できません。"
                                             "Excel で削除する範囲の外へ移すか削除してから、もう一度実行してください。",
                                             sheet=move.sheet)
        return _MARKER.sub(marker, block)

    def marker(m: re.Match) -> bytes:
        body = m.group(4)
        found = index_re.search(body)
        if found is None:
            return m.group(0)
        moved = move.index(int(found.group(2)))
        body = index_re.sub(lambda f: f.group(1) + str(move.clamped(int(f.group(2)))).encode() + f.group(3), body, count=1)
        if moved is None:
            body = offset_re.sub(lambda f: f.group(1) + b"0" + f.group(3), body, count=1)
        return m.group(1) + body + m.group(5)

    return _ANCHOR.sub(anchor, data)


_IDMAP = re.compile(rb'(<o:idmap\b[^>]*\bdata=")([\d,\s]*)(")')
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")


def vml_blocks(data: bytes) -> set[int]:
    """The shape-id blocks a VML part claims (o:idmap data); each part of a workbook needs its own."""
    found = _IDMAP.search(data)
    return {int(n) for n in re.findall(rb"\d+", found.group(2))} if found else set()


def vml_for_copy(data: bytes, block: int) -> bytes | None:
    """A sheet's VML for a copy of the sheet: its buttons and controls, without notes (their comments
    are not copied), in shape-id block `block`; None when nothing is left."""
    data = _SHAPE.sub(lambda m: b"" if b'ObjectType="Note"' in m.group(0) else m.group(0), data)
    if not _SHAPE.search(data):
        return None
    data = _IDMAP.sub(lambda m: m.group(1) + str(block).encode() + m.group(3), data, count=1)
    return _SHAPE_ID.sub(lambda m: b"_x0000_s" + str(block * 1024 + int(m.group(1)) % 1024).encode(), data)
