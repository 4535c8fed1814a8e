"""Every place outside a sheet's own part that names the sheet: defined names and the workbook's
other formulas, other sheets' formulas, validations, conditional formats and hyperlinks, charts,
pivot-cache sources, and the links of form controls (VML and ctrlProps) on other sheets.

One walker visits them all with an edit for formula text, so that a move of rows or columns, a
renamed sheet and a removed sheet change the same places. Parts that do not contain the sheet's
name at all are not parsed, and a part is written back only when something in it changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from xlplan.adapters.package.parts import WORKBOOK, Package
from xlplan.adapters.package.safexml import PLAIN_CELL_TAGS, local_name, parse, xml_bytes
from xlplan.adapters.package.worksheet import FORMULA_TAGS

FormulaEdit = Callable[[str, "str | None"], str]    # (formula text, the sheet it lives on) → new text
SourceEdit = Callable[[etree._Element], bool]       # a pivot cache's <worksheetSource> on the sheet; changed?
CONTROL_LINKS = ("fmlaLink", "fmlaRange", "fmlaTxbx")  # a form control's linked cell, list range, text link
_VML_LINK = re.compile(rb"(<x:Fmla(?:Link|Range)>)([^<]*)(</x:Fmla(?:Link|Range)>)")


def xml_escape(text: str) -> str:
    """xml.sax.saxutils.escape (& < >) without importing it: it imports urllib.request, http and ssl,
    about 7 ms of every command that writes a workbook."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name_marks(sheet: str) -> set[bytes]:
    """The sheet's name as it appears in XML text (escaped; with quotes doubled inside a quoted name)."""
    return {xml_escape(sheet).encode(), xml_escape(sheet.replace("'", "''")).encode()}


def referring_parts(package: Package, sheet_parts: dict[str, str]) -> list[str]:
    """Parts whose formulas can name a sheet: the workbook, the sheets, charts, pivot caches, VML."""
    homes = set(sheet_parts.values())
    return [n for n in package.names() if n == WORKBOOK or n in homes or n.endswith(".vml") or
            (n.startswith(("xl/charts/", "xl/pivotCache/", "xl/ctrlProps/")) and n.endswith(".xml"))]


def edit_references(package: Package, sheet_parts: dict[str, str], sheet: str, formula: FormulaEdit,
                    source: SourceEdit | None = None, *, skip: frozenset[str] = frozenset(),
                    dry_run: bool = False) -> list[str]:
    """Apply formula (and source, for pivot caches built on the sheet) wherever sheet is named; the
    parts that changed (with dry_run, that would change: nothing is written)."""
    changed_parts: list[str] = []
    marks = name_marks(sheet)
    homes = {p: name for name, p in sheet_parts.items()}
    for name in referring_parts(package, sheet_parts):
        if name in skip:
            continue
        data = package.read(name)
        if not any(mark in data for mark in marks):
            continue
        if name.endswith(".vml"):
            edited = _edit_vml(data, formula)
            if edited != data:
                changed_parts.append(name)
                if not dry_run:
                    package.write(name, edited)
            continue
        root = parse(data, name)
        changed = False
        for element in root.iter():
            if element.tag in PLAIN_CELL_TAGS:
                continue
            local = local_name(element)
            if local is None:
                continue
            if element.text and (local in FORMULA_TAGS or local == "definedName"):
                text = formula(element.text, homes.get(name))
                changed |= text != element.text
                element.text = text
            for attr in ("location", *CONTROL_LINKS):  # hyperlinks to places; form controls (ctrlProps)
                if element.get(attr) and (attr != "location" or local == "hyperlink"):
                    text = formula(element.get(attr), homes.get(name))
                    changed |= text != element.get(attr)
                    element.set(attr, text)
            if local == "worksheetSource" and source is not None and \
                    (element.get("sheet") or "").casefold() == sheet.casefold():
                changed |= source(element)
        if changed:
            changed_parts.append(name)
            if not dry_run:
                package.write(name, xml_bytes(root))
    return changed_parts


def _edit_vml(data: bytes, formula: FormulaEdit) -> bytes:
    """Linked cells of controls on another sheet (qualified, so no home is needed)."""
    def link(m: re.Match) -> bytes:
        try:
            return m.group(1) + formula(m.group(2).decode("utf-8"), None).encode() + m.group(3)
        except UnicodeDecodeError:
            return m.group(0)

    return _VML_LINK.sub(link, data)
