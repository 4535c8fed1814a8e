"""A merged cell set over one row's block of cells (the MergeCells op): merged cells overlapping it are
unmerged, as Excel does before it merges; <mergeCells> is created where the schema puts it when absent."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.safexml import NS
from xlplan.layout.a1 import cell_name, parse_cell

# CT_Worksheet's children after <mergeCells>: a new container goes before the first of them present.
_AFTER = ("phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
          "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
          "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
          "webPublishItems", "tableParts", "extLst")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _container(root: etree._Element) -> etree._Element:
    found = root.find(_q("mergeCells"))
    if found is not None:
        return found
    element = etree.Element(_q("mergeCells"))
    for tag in _AFTER:
        follower = root.find(_q(tag))
        if follower is not None:
            follower.addprevious(element)
            return element
    root.append(element)
    return element


def _bounds(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    r0, c0 = parse_cell(first)
    r1, c1 = parse_cell(last or first)
    return r0, c0, r1, c1


def merge_cells(root: etree._Element, row: int, col: int, count: int) -> None:
    container = _container(root)
    last = col + count - 1
    for old in container.findall(_q("mergeCell")):
        r0, c0, r1, c1 = _bounds(old.get("ref", "A1"))
        if r0 <= row <= r1 and c0 <= last and col <= c1:
            container.remove(old)
    if count > 1:
        etree.SubElement(container, _q("mergeCell"), {"ref": f"{cell_name(row, col)}:{cell_name(row, last)}"})
    if len(container):
        container.set("count", str(len(container)))
    else:
        root.remove(container)
