"""Sheets added, renamed and removed, with everything that names them kept consistent.

- add_sheet: a new empty worksheet, or a copy of an existing one (`like`: its cells, formats,
  validations, conditional formats, merges, print setup, its buttons and its sheet-scoped names;
  not its notes, pictures, charts or tables), at any position. Names scoped to later sheets are
  renumbered (localSheetId), and so are the active and first tabs.
- rename_sheet: the name in workbook.xml and in every formula, defined name, chart, pivot-cache
  source, hyperlink and linked control that names it, and in docProps/app.xml. Text inside string
  literals ("健康・医療・介護!"&ADDRESS(…)) is not a reference and stays, as in Excel.
- remove_sheet: the sheet, its relationships and the parts only it used (notes, drawings, tables …),
  the names scoped to it. References to it from elsewhere: refused by default, listing where they
  are; with references="#REF!" they become #REF! as Excel makes them (Sheet2!A1 → #REF!A1).
  Pivot caches built on the sheet and structured references to its tables are always refused.

Each returns whether formulas changed (the caller then drops the calculation chain).
"""

from __future__ import annotations

import posixpath
import re
from copy import deepcopy

from xlplan.adapters.package.anchors import vml_blocks, vml_for_copy
from xlplan.adapters.package.formulas import drop_sheet, quote_sheet_name
from xlplan.adapters.package.formulas import rename_sheet as rename_in_formula
from xlplan.adapters.package.parts import (WORKBOOK, Package, add_relationship, content_type, drop_calc_chain,
                                           drop_unreachable, reachable_parts, related_parts, relationships,
                                           remove_relationships,
                                           set_content_type, sheet_part_map)
from xlplan.adapters.package.references import edit_references, referring_parts
from xlplan.adapters.package.safexml import REL_NS, local_name, parse, q, xml_bytes
from xlplan.adapters.package.sheetlist import SheetList, check_name, edit_titles, qualified_title
from xlplan.adapters.package.worksheet import FORMULA_TAGS
from xlplan.errors import WorkbookWriteError

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
EMPTY_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
               f'spreadsheetml/2006/main" xmlns:r="{REL_NS}"><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/>'
               '</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData/><pageMargins left="0.7" right="0.7" '
               'top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>').encode()
# Elements of a copied worksheet that point at parts the copy does not get.
_NOT_COPIED = {"drawing", "legacyDrawingHF", "picture", "tableParts", "oleObjects", "controls"}


def rename_sheet(package: Package, old: str, new: str) -> bool:
    sheets = SheetList(package)
    element = sheets.element(old)
    old = element.get("name")
    check_name(new, [n for n in sheets.names() if n != old])
    element.set("name", new)
    sheets.save()
    parts = sheet_part_map(package)

    def source(e) -> bool:
        e.set("sheet", new)
        return True

    edit_references(package, parts, old, lambda text, home: rename_in_formula(text, old, new), source)
    edit_titles(package, [old], lambda titles: [new if t == old else _requalify(t, old, new) for t in titles])
    return False  # the calculation chain names sheets by id, not by name


def _requalify(title: str, old: str, new: str) -> str:
    if not qualified_title(title, old):
        return title
    return quote_sheet_name(new) + title[title.index("!"):]


def add_sheet(package: Package, name: str, *, index: int | None = None, like: str | None = None) -> str:
    """Add a sheet (a copy of `like` when given) at position index (default: last); its part name."""
    sheets = SheetList(package)
    check_name(name, sheets.names())
    index = len(sheets.names()) if index is None else max(0, min(index, len(sheets.names())))
    numbers = [int(m.group(1)) for n in package.names() if (m := re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", n))]
    part = f"xl/worksheets/sheet{max(numbers, default=0) + 1}.xml"
    parts = sheet_part_map(package)
    package.write(part, _copy(package, parts[like], like, name, part) if like is not None else EMPTY_SHEET)
    set_content_type(package, part, WORKSHEET_CONTENT)
    rel_id = add_relationship(package, WORKBOOK, WORKSHEET_TYPE, part)
    sheets = SheetList(package)  # the relationship is written; workbook.xml itself is edited from here on
    like_index = sheets.index(like) if like is not None else None
    sheets.insert(index, name, rel_id)
    if like_index is not None:
        like_index += like_index >= index
        for d in [d for d in sheets.defined_names() if d.get("localSheetId") == str(like_index)]:
            copy = _copied_name(d, like, name)  # type: ignore[arg-type]
            copy.set("localSheetId", str(index))
            d.addnext(copy)
    sheets.save()
    edit_titles(package, sheets.names(), lambda titles: _with_title(titles, sheets.names(), name))
    return part


def _copied_name(defined, like: str, name: str):
    copy = deepcopy(defined)
    copy.text = rename_in_formula(defined.text or "", like, name)
    return copy


def _with_title(titles: list[str], names: list[str], name: str) -> list[str]:
    if not any(t in names for t in titles):
        return titles
    before = [n for n in names[:names.index(name)] if n in titles]
    at = titles.index(before[-1]) + 1 if before else 0
    return titles[:at] + [name] + titles[at:]


def _copy(package: Package, source: str, like: str, name: str, part: str) -> bytes:
    """The worksheet `source` (of sheet like) for a new part: cells, formats and ranges, its references
    to itself made references to the copy (as Excel copies a sheet); its buttons in a VML of its own."""
    root = parse(package.read(source), source)
    for element in [e for e in root.iter() if local_name(e) in _NOT_COPIED]:
        element.getparent().remove(element)
    for element in [e for e in root.iter(q("hyperlink")) if e.get(f"{{{REL_NS}}}id")]:
        element.getparent().remove(element)  # a link to an address needs a relationship the copy does not have
    links = root.find(q("hyperlinks"))
    if links is not None and len(links) == 0:
        root.remove(links)
    for element in root.iter():
        if local_name(element) in FORMULA_TAGS and element.text:
            element.text = rename_in_formula(element.text, like, name)
        if local_name(element) == "hyperlink" and element.get("location"):
            element.set("location", rename_in_formula(element.get("location"), like, name))
    for view in root.iter(q("sheetView")):
        view.attrib.pop("tabSelected", None)  # two selected tabs would group the sheets
    properties = root.find(q("sheetPr"))
    if properties is not None:
        properties.attrib.pop("codeName", None)  # must be unique; Excel gives the copy its own
    legacy = root.find(q("legacyDrawing"))
    vml = next(iter(related_parts(package, source).get("vmlDrawing", [])), None)
    if legacy is not None:
        copied = None
        if vml is not None:
            blocks = set().union(*(vml_blocks(package.read(n)) for n in package.names() if n.endswith(".vml")))
            copied = vml_for_copy(package.read(vml), max(blocks, default=0) + 1)
        if copied is None:
            root.remove(legacy)
        else:
            numbers = [int(m.group(1)) for n in package.names() if (m := re.fullmatch(r"xl/drawings/vmlDrawing(\d+)\.vml", n))]
            vml_part = f"xl/drawings/vmlDrawing{max(numbers, default=0) + 1}.vml"
            package.write(vml_part, copied)
            if content_type(package, vml_part) is None:
                set_content_type(package, vml_part, "application/vnd.openxmlformats-officedocument.vmlDrawing")
            legacy.set(f"{{{REL_NS}}}id", add_relationship(package, part, VML_TYPE, vml_part))
    return xml_bytes(root)


def remove_sheet(package: Package, name: str, *, references: str = "refuse") -> bool:
    if references not in ("refuse", "#REF!"):
        raise ValueError(f"references must be 'refuse' or '#REF!', not {references!r}")
    sheets = SheetList(package)
    name = sheets.element(name).get("name")
    if sheets.visible() == [name]:
        raise WorkbookWriteError(f"表示されているシートが「{name}」だけのため、削除できません。", sheet=name)
    parts = sheet_part_map(package)
    part = parts[name]
    own = _owned(package, part)
    _refuse_table_references(package, parts, part, own)
    before = reachable_parts(package)
    rel_id = sheets.rel_id(name)
    sheets.remove(name)
    sheets.save()
    others = {n: p for n, p in parts.items() if n != name}

    def source(_e) -> bool:
        raise WorkbookWriteError(f"シート「{name}」を元にしたピボットテーブルがあるため、削除しません。"
                                 "Excel でピボットテーブルの元データを変えてから、もう一度実行してください。", sheet=name)

    found = edit_references(package, others, name, lambda text, home: drop_sheet(text, name), source,
                            skip=frozenset(own), dry_run=True)
    if found and references == "refuse":
        places = "、".join(_describe(p, others) for p in found)
        raise WorkbookWriteError(f"このシートを参照している数式や名前があるため、削除しません（{places}）。"
                                 "参照を消してから、もう一度実行してください。", sheet=name)
    if found:
        edit_references(package, others, name, lambda text, home: drop_sheet(text, name), source, skip=frozenset(own))
    remove_relationships(package, WORKBOOK, {rel_id})
    drop_unreachable(package, before)
    edit_titles(package, [name], lambda titles: [t for t in titles if t != name and not qualified_title(t, name)])
    drop_calc_chain(package)  # it lists the sheet's cells
    return bool(found)


def _owned(package: Package, part: str) -> set[str]:
    """The sheet's part and every part reached from it (notes, drawings, their charts …)."""
    owned, todo = {part}, [part]
    while todo:
        for rel in relationships(package, todo.pop()):
            if not rel.external and rel.target in package and rel.target not in owned:
                owned.add(rel.target)
                todo.append(rel.target)
    return owned


def _refuse_table_references(package: Package, parts: dict[str, str], part: str, own: set[str]) -> None:
    """Structured references (Table1[列]) to a table on the sheet would break: refused."""
    for table in related_parts(package, part).get("table", []):
        root = parse(package.read(table), table)
        label = root.get("displayName") or root.get("name") or ""
        mark = label.casefold().encode() + b"["
        for other in referring_parts(package, parts):
            if other not in own and mark in package.read(other).decode("utf-8", "replace").casefold().encode():
                raise WorkbookWriteError(f"シートのテーブル「{label}」を参照している数式があるため、削除しません"
                                         f"（{_describe(other, parts)}）。", sheet=next(n for n, p in parts.items() if p == part))


def _describe(part: str, sheets: dict[str, str]) -> str:
    """Where a reference is, in the clerk's words."""
    for name, sheet_part in sheets.items():
        if part == sheet_part:
            return f"シート「{name}」"
    if part == WORKBOOK:
        return "名前の定義"
    if part.startswith("xl/charts/"):
        return f"グラフ（{posixpath.basename(part)}）"
    if part.endswith(".vml"):
        return "ボタン・チェックボックスのリンク"
    return posixpath.basename(part)

