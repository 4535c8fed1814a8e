"""Inside a worksheet part, everything but the cells' own numbers that follows moved rows or columns.

Ranges (merges, conditional formats, validations, hyperlinks, filters, selections, frozen panes,
x14 extensions), formulas (cells, conditional formats, validations, sparklines), hyperlink
locations, anchors of form controls and OLE objects, page breaks and, for columns, the <cols>
widths and the filter's column numbers. When rows or columns are deleted, what lies wholly
inside them goes (a merge, a validation, a hyperlink …) and containers left empty go too.

Conditional formats and validations keep one formula for their whole range, relative to its
top-left cell: when that cell is deleted the formula is re-anchored on the new top-left cell
(translated, then moved), as Excel does. Inserted columns can take the formats of another
column (`like`): its width and style, and the conditional formats and validations covering it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from xlplan.adapters.package.formulas import move_formula, translate
from xlplan.adapters.package.refs import Move, area_bounds, clamp_area, move_areas
from xlplan.adapters.package.safexml import NS, PLAIN_CELL_TAGS, REL_NS, XDR_NS, local_name, q
from xlplan.errors import WorkbookWriteError
from xlplan.layout.a1 import col_letter

# Elements whose text is a formula (cells, conditional formats, validations, x14 extensions, charts).
FORMULA_TAGS = {"f", "formula", "formula1", "formula2"}
_X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
# One formula for a whole sqref: conditional formats and validations, also in x14 extensions.
_RANGED_TAGS = [q(tag, ns) for tag in ("conditionalFormatting", "dataValidation") for ns in (NS, _X14_NS)]
_VIEW_ATTRS = ("topLeftCell", "activeCell")
# Containers that must not be left empty when their last child is deleted with its cells.
_CONTAINERS = {"mergeCells", "dataValidations", "hyperlinks", "protectedRanges", "ignoredErrors", "conditionalFormattings",
               "sparklines", "sparklineGroup", "sparklineGroups", "ext", "extLst", "rowBreaks", "colBreaks"}


@dataclass
class Followed:
    formulas: bool = False                              # the sheet has formulas (its calc chain is stale)
    dropped_rels: set[str] = field(default_factory=set)  # relationship ids of hyperlinks deleted with their cells


def follow(root: etree._Element, move: Move, like: int | None = None) -> Followed:
    """Move every range, formula and anchor of the worksheet `root` of move.sheet."""
    sheet = move.sheet
    result = Followed()
    done: set[etree._Element] = set()
    gone: list[etree._Element] = []
    filters = [(auto, area_bounds(auto.get("ref") or "")) for auto in root.iter(q("autoFilter"))]
    for holder in list(root.iter(*_RANGED_TAGS)):
        done |= _follow_ranged(holder, move, like, gone)
    result.formulas = any(local_name(e) == "f" and e.text for e in done)
    for element in root.iter():
        tag = element.tag
        if tag in PLAIN_CELL_TAGS or not isinstance(tag, str) or element in done:
            continue
        local = tag[tag.rfind("}") + 1:]
        if local == "f" and element.get("t") == "array":
            _refuse_cut_array(element, move)
        for attr in ("sqref", "ref"):
            if attr in element.attrib and local != "dimension":
                moved = move_areas(element.get(attr), move)
                if moved and not (move.count < 0 and local == "mergeCell" and _one_cell(moved)):
                    element.set(attr, moved)
                elif local == "selection":
                    element.set(attr, clamp_area(element.get(attr), move))
                else:
                    gone.append(element)
        for attr in _VIEW_ATTRS:
            if attr in element.attrib:
                element.set(attr, clamp_area(element.get(attr), move))
        if "location" in element.attrib:  # a hyperlink to a place in the workbook
            element.set("location", move_formula(element.get("location"), move, home=sheet))
        if not element.text:
            continue
        if local in FORMULA_TAGS:  # cells (also x14 <xm:f>, sparklines)
            result.formulas |= local == "f"
            element.text = move_formula(element.text, move, home=sheet)
        elif local == "sqref":  # x14 extensions keep their ranges in <xm:sqref> text
            element.text = move_areas(element.text, move)
            if not element.text:
                gone.append(element.getparent())
        elif element.tag == f"{{{XDR_NS}}}{move.axis}":  # anchors of form controls and OLE objects
            element.text = str(move.clamped(int(element.text)))
    _follow_breaks(root, move, gone)
    _follow_frozen_panes(root, move)
    if not move.on_rows:
        _follow_cols(root, move, like)
        _follow_filter_columns(filters, move)
    for element in gone:
        if local_name(element) == "hyperlink" and element.get(f"{{{REL_NS}}}id"):
            result.dropped_rels.add(element.get(f"{{{REL_NS}}}id"))
        _remove(element)
    return result


def _follow_ranged(holder: etree._Element, move: Move, like: int | None, gone: list) -> set[etree._Element]:
    """A conditional format or validation: its range moved, its formulas re-anchored if its top-left
    cell was deleted, its range extended to inserted columns formatted like one it covers."""
    sqref_child = next((c for c in holder if local_name(c) == "sqref"), None)
    old = holder.get("sqref") if sqref_child is None else sqref_child.text or ""
    new = move_areas(old, move)
    formulas = [e for e in holder.iter() if local_name(e) in FORMULA_TAGS and e.text]
    if not new:
        gone.append(holder)
        return {holder, *holder.iter()}
    rows, cols = _anchor_shift(old, new, move)
    for f in formulas:
        text = translate(f.text, rows, cols) if rows or cols else f.text
        f.text = move_formula(text, move, home=move.sheet)
    if like is not None and move.count > 0 and not move.on_rows:
        extended = _extend_like(new, move, like)
        before, after = area_bounds(new.split()[0]), area_bounds(extended.split()[0])
        if before and after and after[1] != before[1]:  # grown to the left: anchored on the new first column
            for f in formulas:
                f.text = translate(f.text, 0, after[1] - before[1])
        new = extended
    if sqref_child is None:
        holder.set("sqref", new)
    else:
        sqref_child.text = new
    return {holder, *holder.iter()}


def _anchor_shift(old: str, new: str, move: Move) -> tuple[int, int]:
    """How far (rows, cols), in the old coordinates, the top-left cell of a range went because that
    cell was deleted; (0, 0) when it was not."""
    before, after = area_bounds(old.split()[0]), area_bounds(new.split()[0])
    if before is None or after is None or move.index(before[0] if move.on_rows else before[1]) is not None:
        return 0, 0
    r, c = after[0], after[1]
    if move.on_rows and r >= move.at:  # back to old coordinates: beyond the gap, count rows further on
        r -= move.count
    if not move.on_rows and c >= move.at:
        c -= move.count
    return r - before[0], c - before[1]


def _extend_like(sqref: str, move: Move, like: int) -> str:
    """The sqref with the inserted columns added beside each area that covers column `like`
    (the area itself grows when the new columns touch it)."""
    col = move.index(like)
    first, last = move.at, move.at + move.count - 1
    areas = []
    for area in sqref.split():
        bounds = area_bounds(area)
        if bounds is None or not bounds[1] <= col <= bounds[3] or bounds[1] <= first <= bounds[3]:  # type: ignore[operator]
            areas.append(area)
        elif bounds[3] + 1 == first or last + 1 == bounds[1]:
            lo, hi = min(bounds[1], first), max(bounds[3], last)
            areas.append(f"{col_letter(lo)}{bounds[0] + 1}:{col_letter(hi)}{bounds[2] + 1}")
        else:
            areas += [area, f"{col_letter(first)}{bounds[0] + 1}:{col_letter(last)}{bounds[2] + 1}"]
    return " ".join(areas)


def _one_cell(area: str) -> bool:
    bounds = area_bounds(area)
    return bounds is not None and bounds[0] == bounds[2] and bounds[1] == bounds[3]


def _refuse_cut_array(element: etree._Element, move: Move) -> None:
    """Deleting some but not all cells of an array formula is refused, as Excel refuses it."""
    bounds = area_bounds(element.get("ref") or "")
    if move.count >= 0 or bounds is None:
        return
    lo, hi = (bounds[0], bounds[2]) if move.on_rows else (bounds[1], bounds[3])
    band = move.deleted
    if lo < band.stop and hi >= band.start and not (lo >= band.start and hi < band.stop):
        raise WorkbookWriteError(f"配列数式（{element.get('ref')}）の一部だけを削除することになるため、削除できません。"
                                 "Excel で配列数式を解除するか、配列全体を削除してから、もう一度実行してください。",
                                 sheet=move.sheet)


def _follow_breaks(root: etree._Element, move: Move, gone: list) -> None:
    breaks = root.find(q("rowBreaks" if move.on_rows else "colBreaks"))
    for brk in breaks if breaks is not None else ():
        if brk.get("id", "").isdigit():
            moved = move.index(int(brk.get("id")))
            if moved is None:
                gone.append(brk)
            else:
                brk.set("id", str(moved))


def _follow_frozen_panes(root: etree._Element, move: Move) -> None:
    """Frozen rows or columns count what is frozen: rows inserted (or deleted) among them change the count,
    as in Excel. A split that is not frozen is measured in twips and stays."""
    attr = "ySplit" if move.on_rows else "xSplit"
    for pane in root.iter(q("pane")):
        if pane.get("state") in ("frozen", "frozenSplit") and (pane.get(attr) or "").isdigit() and int(pane.get(attr)) > 0:
            span = move.span(0, int(pane.get(attr)) - 1)
            pane.set(attr, str(0 if span is None else span[1] + 1))


def _follow_cols(root: etree._Element, move: Move, like: int | None) -> None:
    """Column widths and styles (<col min max>, 1-based) after a column move."""
    cols = root.find(q("cols"))
    if cols is None:
        return
    spans: list[tuple[int, int, dict]] = []
    template = None
    for col in cols:
        lo, hi = int(col.get("min")) - 1, int(col.get("max")) - 1
        if like is not None and lo <= like <= hi:
            template = dict(col.attrib)
        span = move.span(lo, hi)
        if span is not None:
            spans.append((span[0], span[1], dict(col.attrib)))
    if template is not None and move.count > 0:
        first, last = move.at, move.at + move.count - 1
        cut = []
        for lo, hi, attrib in spans:  # the inserted columns become the template's, whatever covered them
            if lo < first:
                cut.append((lo, min(hi, first - 1), attrib))
            if hi > last:
                cut.append((max(lo, last + 1), hi, attrib))
        spans = sorted(cut + [(first, last, template)], key=lambda s: s[0])
    for col in list(cols):
        cols.remove(col)
    for lo, hi, attrib in spans:
        element = etree.SubElement(cols, q("col"), attrib)
        element.set("min", str(lo + 1))
        element.set("max", str(hi + 1))
    if len(cols) == 0:
        root.remove(cols)


def _follow_filter_columns(filters: list[tuple[etree._Element, tuple | None]], move: Move) -> None:
    """An autofilter numbers its filtered columns from its own first column: renumber after a column move."""
    for auto, before in filters:
        after = area_bounds(auto.get("ref") or "")
        if before is None or after is None or auto.getparent() is None:
            continue
        for column in list(auto.iterfind(q("filterColumn"))):
            moved = move.index(before[1] + int(column.get("colId", "0")))
            if moved is None:
                auto.remove(column)
            else:
                column.set("colId", str(moved - after[1]))


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    parent.remove(element)
    if "count" in parent.attrib:
        parent.set("count", str(len(parent)))
    if "manualBreakCount" in parent.attrib:
        parent.set("manualBreakCount", str(sum(b.get("man") in ("1", "true") for b in parent)))
    if local_name(parent) in _CONTAINERS and not any(isinstance(c.tag, str) for c in parent):
        _remove(parent)
