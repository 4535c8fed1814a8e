"""The workbook's list of sheets: <sheets> in workbook.xml, the defined names scoped to a sheet by
its position (localSheetId), the active and first visible tab, and the titles in docProps/app.xml.

SheetList is workbook.xml parsed once; structure.py adds, removes and renames through it and
writes it back. Sheet names follow Excel's rules (check_name).
"""

from __future__ import annotations

import re

from lxml import etree

from xlplan.adapters.package.formulas import quote_sheet_name
from xlplan.adapters.package.parts import WORKBOOK, Package
from xlplan.adapters.package.safexml import REL_NS, parse, q, xml_bytes
from xlplan.errors import WorkbookWriteError

APP = "docProps/app.xml"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FORBIDDEN = re.compile(r"[:\\/?*\[\]]")


def check_name(name: str, taken: list[str]) -> None:
    """Refuse a sheet name Excel would refuse: empty, over 31 characters, one of : \\ / ? * [ ],
    quotes at either end, History, or a name another sheet has (case ignored)."""
    problem = None
    if not name.strip():
        problem = "空の名前は使えません"
    elif len(name) > 31:
        problem = f"31文字までです（{len(name)}文字あります）"
    elif _FORBIDDEN.search(name):
        problem = "「: \\ / ? * [ ]」は使えません"
    elif name.startswith("'") or name.endswith("'"):
        problem = "先頭と末尾に「'」は使えません"
    elif name.casefold() == "history":
        problem = "「History」は Excel が予約している名前です"
    elif any(name.casefold() == t.casefold() for t in taken):
        problem = "同じ名前のシートがすでにあります"
    if problem:
        raise WorkbookWriteError(f"シート名「{name}」は使えません（{problem}）。別の名前を指定してください。")


class SheetList:
    """workbook.xml, parsed: its sheets in order, its defined names, its views."""

    def __init__(self, package: Package):
        self.package = package
        self.root = parse(package.read(WORKBOOK), WORKBOOK)
        self.sheets = self.root.find(q("sheets"))
        if self.sheets is None:
            raise WorkbookWriteError("ブックの部品「xl/workbook.xml」にシートの一覧がありません。Excel ブックとして壊れています。")

    def names(self) -> list[str]:
        return [s.get("name") for s in self.sheets]

    def index(self, name: str) -> int:
        names = self.names()
        if name in names:
            return names.index(name)
        folded = [n.casefold() for n in names]
        if name.casefold() in folded:
            return folded.index(name.casefold())
        raise WorkbookWriteError(f"シート「{name}」がありません。", sheet=name)

    def element(self, name: str) -> etree._Element:
        return self.sheets[self.index(name)]

    def rel_id(self, name: str) -> str:
        return self.element(name).get(f"{{{REL_NS}}}id")

    def visible(self) -> list[str]:
        return [s.get("name") for s in self.sheets if s.get("state") in (None, "visible")]

    def insert(self, index: int, name: str, rel_id: str) -> None:
        """A new <sheet> at position index; names scoped to later sheets and the views follow it."""
        numbers = [int(s.get("sheetId")) for s in self.sheets if (s.get("sheetId") or "").isdigit()]
        element = etree.Element(q("sheet"), name=name, sheetId=str(max(numbers, default=0) + 1))
        element.set(f"{{{REL_NS}}}id", rel_id)
        self.sheets.insert(index, element)
        self._renumber(lambda i: i + 1 if i >= index else i)

    def remove(self, name: str) -> list[etree._Element]:
        """The <sheet> gone, with the names scoped to it (returned); later positions move back."""
        index = self.index(name)
        self.sheets.remove(self.sheets[index])
        scoped = [d for d in self.defined_names() if d.get("localSheetId") == str(index)]
        for d in scoped:
            d.getparent().remove(d)
        self._renumber(lambda i: i - 1 if i > index else i)
        names = self.root.find(q("definedNames"))
        if names is not None and len(names) == 0:
            self.root.remove(names)
        return scoped

    def defined_names(self) -> list[etree._Element]:
        return list(self.root.iter(q("definedName")))

    def _renumber(self, new: callable) -> None:
        for d in self.defined_names():
            if (d.get("localSheetId") or "").isdigit():
                d.set("localSheetId", str(new(int(d.get("localSheetId")))))
        last = len(self.sheets) - 1
        for view in self.root.iter(q("workbookView")):
            for attr in ("activeTab", "firstSheet"):
                if (view.get(attr) or "").isdigit():
                    view.set(attr, str(min(new(int(view.get(attr))), last)))
            if (view.get("activeTab") or "").isdigit() and self.sheets[int(view.get("activeTab"))].get("state") not in \
                    (None, "visible"):  # the active tab must be one the clerk can see
                view.set("activeTab", str(next(i for i, s in enumerate(self.sheets) if s.get("state") in (None, "visible"))))

    def save(self) -> None:
        self.package.write(WORKBOOK, xml_bytes(self.root))


def edit_titles(package: Package, sheet_names: list[str], edit: callable) -> None:
    """Apply edit(titles) to the titles of docProps/app.xml that name sheets (the worksheets' group
    and the sheet-qualified names such as 'シート'!Print_Titles), keeping its counts right.
    edit gets and returns the list of titles; a package without those titles is left alone."""
    if APP not in package:
        return
    root = parse(package.read(APP), APP)
    pairs = root.find(f"{q('HeadingPairs', root.nsmap.get(None, ''))}/{q('vector', VT_NS)}")
    titles = root.find(f"{q('TitlesOfParts', root.nsmap.get(None, ''))}/{q('vector', VT_NS)}")
    if pairs is None or titles is None:
        return
    variants = [v[0] for v in pairs if len(v)]
    groups = [(variants[i], variants[i + 1]) for i in range(0, len(variants) - 1, 2)]
    texts = [t.text or "" for t in titles]
    out: list[str] = []
    start = 0
    for label, count in groups:
        n = int(count.text or "0")
        chunk = texts[start:start + n]
        start += n
        if chunk and any(t in sheet_names or "!" in t for t in chunk):
            chunk = edit(chunk)
            count.text = str(len(chunk))
        out += chunk
    if out == texts:
        return
    for t in list(titles):
        titles.remove(t)
    for text in out:
        etree.SubElement(titles, q("lpstr", VT_NS)).text = text
    titles.set("size", str(len(out)))
    package.write(APP, xml_bytes(root))


def qualified_title(title: str, sheet: str) -> bool:
    """A title like 'シート'!Print_Titles or Sheet1!Print_Area that belongs to sheet."""
    return title.casefold().startswith((sheet.casefold() + "!", quote_sheet_name(sheet).casefold() + "!"))
