"""A number format set on a block of one column (the SetNumberFormat op): each cell keeps its own format
(fill, font, borders, alignment) with the number format changed, through a copy of its cell format in
styles.xml; the column's own format follows, so cells not written yet show numbers the same way."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.cellvalues import C
from xlplan.adapters.package.safexml import NS, parse, xml_bytes
from xlplan.adapters.package.sheetdata import SheetData, cell_col
from xlplan.layout.ops import SetNumberFormat

FIRST_CUSTOM_FORMAT = 164   # ids below are Excel's built-in formats


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


class Styles:
    """styles.xml's cell formats, copied with another number format on demand (each copy made once)."""

    def __init__(self, xml: bytes):
        self.root = parse(xml, "xl/styles.xml")
        self.xfs = self.root.find(_q("cellXfs"))
        self.copies: dict[tuple[str, str], str] = {}
        self.changed = False

    def format_id(self, code: str) -> str:
        formats = self.root.find(_q("numFmts"))
        if formats is None:
            formats = etree.Element(_q("numFmts"))
            self.root.insert(0, formats)
        for existing in formats:
            if existing.get("formatCode") == code:
                return existing.get("numFmtId")
        new_id = str(max([FIRST_CUSTOM_FORMAT - 1, *(int(f.get("numFmtId")) for f in formats)]) + 1)
        etree.SubElement(formats, _q("numFmt"), numFmtId=new_id, formatCode=code)
        formats.set("count", str(len(formats)))
        self.changed = True
        return new_id

    def with_format(self, style: str | None, code: str) -> str:
        key = (style or "0", code)
        if key not in self.copies:
            source = self.xfs[int(key[0])] if int(key[0]) < len(self.xfs) else self.xfs[0]
            copy = etree.fromstring(etree.tostring(source))
            copy.set("numFmtId", self.format_id(code))
            copy.set("applyNumberFormat", "1")
            self.xfs.append(copy)
            self.xfs.set("count", str(len(self.xfs)))
            self.copies[key] = str(len(self.xfs) - 1)
            self.changed = True
        return self.copies[key]

    def to_bytes(self) -> bytes:
        return xml_bytes(self.root)


def set_number_format(edit: SheetData, styles: Styles, op: SetNumberFormat) -> None:
    for r in range(op.row, op.row + op.rows):
        row = edit.rows.get(r)
        if row is None:
            continue
        for cell in row.iterfind(C):
            if cell_col(cell) == op.col:
                cell.set("s", styles.with_format(cell.get("s"), op.code))
    cols = edit.root.find(_q("cols"))
    for col in cols if cols is not None else ():
        lo, hi = int(col.get("min")) - 1, int(col.get("max")) - 1
        if lo <= op.col <= hi:
            _split_out(cols, col, op.col).set("style", styles.with_format(col.get("style"), op.code))
            break
    edit.read_columns()


def _split_out(cols: etree._Element, col: etree._Element, index: int) -> etree._Element:
    """The <col> element of column `index` alone (its span split around it when wider)."""
    lo, hi = int(col.get("min")) - 1, int(col.get("max")) - 1
    if lo == hi:
        return col
    parts = [(a, b) for a, b in ((lo, index - 1), (index, index), (index + 1, hi)) if a <= b]
    position = list(cols).index(col)
    cols.remove(col)
    mine = None
    for offset, (a, b) in enumerate(parts):
        element = etree.Element(_q("col"), dict(col.attrib))
        element.set("min", str(a + 1))
        element.set("max", str(b + 1))
        cols.insert(position + offset, element)
        if a == index:
            mine = element
    return mine
