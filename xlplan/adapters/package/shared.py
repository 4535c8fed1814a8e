"""Shared formulas that a move of rows or columns would break, expanded to one formula per cell.

Excel saves a filled-down formula once, on the group's first cell (the master: <f t="shared"
si="0" ref="B2:B9">A2*2</f>), and the other cells as <f t="shared" si="0"/>: each derives its
formula by copying the master's to itself. When rows or columns move, moving the master's text is
not always enough: a cell below an insertion point whose references cross it, a deleted master,
or a formula on another sheet whose cells point across the moved rows would derive a wrong
formula. For each group this module compares, cell by cell, "derive, then move" with "move the
master, then derive"; where any cell differs, the whole group becomes plain cell formulas (what
each cell meant before the move), which the ordinary formula moving then takes along. Groups the
move keeps right stay shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from xlplan.adapters.package.formulas import move_formula, translate
from xlplan.adapters.package.refs import Move
from xlplan.adapters.package.safexml import NS
from xlplan.layout.a1 import col_index

_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


@dataclass
class _Group:
    master: tuple[int, int, etree._Element] | None = None
    cells: list[tuple[int, int, etree._Element]] = field(default_factory=list)


def expand_broken_groups(root: etree._Element, move: Move, home: str) -> bool:
    """Expand the shared-formula groups of worksheet `root` (sheet `home`) that the move would
    break, before anything moves; True when one was."""
    groups: dict[str, _Group] = {}
    for f in root.iter(f"{{{NS}}}f"):
        c = f.getparent()
        if f.get("t") != "shared" or f.get("si") is None or c is None:
            continue
        m = _CELL_REF.match(c.get("r") or "")
        if m is None:
            continue
        cell = (int(m.group(2)) - 1, col_index(m.group(1)), f)
        group = groups.setdefault(f.get("si"), _Group())
        group.cells.append(cell)
        if f.text and f.get("ref") is not None:
            group.master = cell
    expanded = False
    for group in groups.values():
        if group.master is None:
            continue  # no master text to derive from: left as Excel wrote it
        if _breaks(group, move, home):
            _expand(group)
            expanded = True
    return expanded


def _breaks(group: _Group, move: Move, home: str) -> bool:
    mr, mc, master = group.master  # type: ignore[misc]
    here = move.sheet.casefold() == home.casefold()
    new_master = _moved(mr, mc, move) if here else (mr, mc)
    if new_master is None:
        return True  # the master is deleted: its cells must keep their own formulas
    moved_text = move_formula(master.text, move, home=home)
    for r, c, _f in group.cells:
        new_cell = _moved(r, c, move) if here else (r, c)
        if new_cell is None:
            continue  # deleted with its row or column
        meant = move_formula(translate(master.text, r - mr, c - mc), move, home=home)
        if translate(moved_text, new_cell[0] - new_master[0], new_cell[1] - new_master[1]) != meant:
            return True
    return False


def _moved(r: int, c: int, move: Move) -> tuple[int, int] | None:
    if move.on_rows:
        new = move.index(r)
        return None if new is None else (new, c)
    new = move.index(c)
    return None if new is None else (r, new)


def _expand(group: _Group) -> None:
    mr, mc, master = group.master  # type: ignore[misc]
    text = master.text
    for r, c, f in group.cells:
        f.text = translate(text, r - mr, c - mc)
        for attr in ("t", "si", "ref"):
            f.attrib.pop(attr, None)
