"""MergeCells in files: what overlaps the block is unmerged first, <mergeCells> sits where the schema puts it."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.merges import merge_cells
from xlplan.adapters.package.safexml import NS, local_name, q

SHEET = (f'<worksheet xmlns="{NS}"><sheetData/><mergeCells count="3"><mergeCell ref="B3:D3"/>'
         '<mergeCell ref="A1:A2"/><mergeCell ref="not a ref"/></mergeCells><pageMargins/></worksheet>')


def refs(root) -> list[str]:
    return [m.get("ref") for m in root.iter(q("mergeCell"))]


def test_a_grown_caption_replaces_the_merge_it_overlaps_and_keeps_the_others():
    root = etree.fromstring(SHEET)
    merge_cells(root, 2, 1, 5)
    assert refs(root) == ["A1:A2", "not a ref", "B3:F3"]
    assert root.find(q("mergeCells")).get("count") == "3"


def test_a_new_container_goes_before_what_follows_it_in_the_schema():
    root = etree.fromstring(f'<worksheet xmlns="{NS}"><sheetData/><conditionalFormatting/><pageMargins/></worksheet>')
    merge_cells(root, 0, 0, 2)
    assert [local_name(e) for e in root] == ["sheetData", "mergeCells", "conditionalFormatting", "pageMargins"]
    assert refs(root) == ["A1:B1"]


def test_one_cell_unmerges_and_an_empty_container_goes():
    root = etree.fromstring(f'<worksheet xmlns="{NS}"><sheetData/><mergeCells count="1"><mergeCell ref="A1:C1"/>'
                            '</mergeCells></worksheet>')
    merge_cells(root, 0, 1, 1)
    assert root.find(q("mergeCells")) is None
