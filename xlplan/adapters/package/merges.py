"""A merged cell set over one row's block of cells (the MergeCells op): merged cells overlapping it are
unmerged, as Excel does before it merges; <mergeCells> is created where the schema puts it when absent."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.refs import area_bounds
from xlplan.adapters.package.safexml import q, worksheet_child
from xlplan.layout.a1 import cell_name


def merge_cells(root: etree._Element, row: int, col: int, count: int) -> None:
    container = worksheet_child(root, "mergeCells")
    last = col + count - 1
    for old in container.findall(q("mergeCell")):
        bounds = area_bounds(old.get("ref", ""))
        if bounds is not None and bounds[0] <= row <= bounds[2] and bounds[1] <= last and col <= bounds[3]:
            container.remove(old)
    if count > 1:
        etree.SubElement(container, q("mergeCell"), {"ref": f"{cell_name(row, col)}:{cell_name(row, last)}"})
    if len(container):
        container.set("count", str(len(container)))
    else:
        root.remove(container)
