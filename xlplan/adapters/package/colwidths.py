"""Column widths set in a worksheet's <cols> (the SetColumnWidths op): each column's other attributes
(style, hidden, outline) are kept, only its width changes."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.safexml import NS
from xlplan.layout.screen import stored_width


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def set_widths(root: etree._Element, col: int, widths: tuple[float, ...]) -> None:
    """Columns col, col+1, … (0-based) get widths[i] (layout widths, stored as XlsxWriter and Excel store them)."""
    if not widths:
        return
    cols = root.find(_q("cols"))
    if cols is None:  # <cols> comes right before <sheetData>
        cols = etree.Element(_q("cols"))
        root.find(_q("sheetData")).addprevious(cols)
    per_col: dict[int, dict[str, str]] = {}
    for element in cols:
        for i in range(int(element.get("min")) - 1, int(element.get("max"))):
            per_col[i] = {k: v for k, v in element.attrib.items() if k not in ("min", "max")}
    for i, width in enumerate(widths):
        attrib = per_col.setdefault(col + i, {})
        attrib["width"] = repr(stored_width(width))
        attrib["customWidth"] = "1"
    for element in list(cols):
        cols.remove(element)
    start = previous = None
    for i in sorted(per_col) + [None]:
        if start is not None and (i is None or i != previous + 1 or per_col[i] != per_col[start]):
            element = etree.SubElement(cols, _q("col"), {"min": str(start + 1), "max": str(previous + 1)})
            for k, v in per_col[start].items():
                element.set(k, v)
            start = None
        if i is not None and start is None:
            start = i
        previous = i
