"""Part names, relationships and content types: the package as a set of named parts.

Package is the working set of one edit: reads go through to the zip, writes stay in memory
until to_bytes. Around it, what python-docx keeps in packuri/rel/pkgreader: where a part's
relationships live (xl/worksheets/_rels/sheet1.xml.rels), what a relative target resolves to,
which part is which sheet, adding and removing relationships and content-type overrides, and
dropping the calculation chain that Excel rebuilds.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from lxml import etree

from xlplan.adapters.package.physical import open_zip, write_zip
from xlplan.adapters.package.safexml import CT_NS, NS, PKG_REL_NS, REL_NS, parse, q, xml_bytes
from xlplan.errors import WorkbookWriteError

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
CALC_CHAIN = "xl/calcChain.xml"


class Package:
    """The parts of one package being edited."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = open_zip(data)
        self.infos = self.zip.infolist()
        self.replaced: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.dropped: set[str] = set()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def __contains__(self, name: str) -> bool:
        return name in self.added or (name in self.zip.NameToInfo and name not in self.dropped)

    def names(self) -> list[str]:
        return [i.filename for i in self.infos if i.filename not in self.dropped] + list(self.added)

    def read(self, name: str) -> bytes:
        return self.added.get(name) or self.replaced.get(name) or self.zip.read(name)

    def write(self, name: str, data: bytes) -> None:
        if name in self.zip.NameToInfo and name not in self.dropped:
            self.replaced[name] = data
        else:
            self.added[name] = data

    def drop(self, name: str) -> None:
        self.added.pop(name, None)
        self.replaced.pop(name, None)
        if name in self.zip.NameToInfo:
            self.dropped.add(name)

    def to_bytes(self) -> bytes:
        return write_zip(self.data, self.infos, self.replaced, self.dropped, self.added)


def resolve(source: str, target: str) -> str:
    """The part a relationship target of source points at."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    """The target that points from source at part (what Excel writes in a .rels)."""
    return posixpath.relpath(part, posixpath.dirname(source))


def rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def sheet_part_map(source: zipfile.ZipFile | Package) -> dict[str, str]:
    """Sheet name → its part, following workbook.xml and workbook.xml.rels."""
    for required in (WORKBOOK, WORKBOOK_RELS):
        present = required in source.NameToInfo if isinstance(source, zipfile.ZipFile) else required in source
        if not present:
            raise WorkbookWriteError(f"ブックの部品「{required}」がありません。Excel ブックとして壊れています。")
    workbook = parse(source.read(WORKBOOK), WORKBOOK)
    rels = parse(source.read(WORKBOOK_RELS), WORKBOOK_RELS)
    targets = {r.get("Id"): r.get("Target") for r in rels}
    result = {}
    for sheet in workbook.iter(f"{{{NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"))
        if target:
            result[sheet.get("name")] = resolve(WORKBOOK, target)
    return result


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str          # the part it points at (resolved), or the external address
    external: bool

    @property
    def kind(self) -> str:
        """The type's last word: worksheet, comments, vmlDrawing, drawing, table, pivotTable …"""
        return self.type.rsplit("/", 1)[-1]


def relationships(package: Package, part: str) -> list[Relationship]:
    rels_part = rels_of(part)
    if rels_part not in package:
        return []
    result = []
    for rel in parse(package.read(rels_part), rels_part):
        if not rel.get("Type") or not rel.get("Target"):
            continue
        external = rel.get("TargetMode") == "External"
        target = rel.get("Target") if external else resolve(part, rel.get("Target"))
        result.append(Relationship(rel.get("Id") or "", rel.get("Type"), target, external))
    return result


def related_parts(package: Package, part: str) -> dict[str, list[str]]:
    """Relationship kind (comments, vmlDrawing, drawing, table …) → the parts of that kind that exist."""
    result: dict[str, list[str]] = defaultdict(list)
    for rel in relationships(package, part):
        if not rel.external and rel.target in package:
            result[rel.kind].append(rel.target)
    return result


def add_relationship(package: Package, source: str, type_: str, part: str) -> str:
    """A new relationship from source to part; its id (rIdN, one more than the highest)."""
    rels_part = rels_of(source)
    root = (parse(package.read(rels_part), rels_part) if rels_part in package
            else parse(f'<Relationships xmlns="{PKG_REL_NS}"/>'.encode(), rels_part))
    numbers = [int(m.group(1)) for r in root if (m := re.fullmatch(r"rId(\d+)", r.get("Id") or ""))]
    rid = f"rId{max(numbers, default=0) + 1}"
    etree.SubElement(root, q("Relationship", PKG_REL_NS), Id=rid, Type=type_, Target=relative(source, part))
    package.write(rels_part, xml_bytes(root))
    return rid


def remove_relationships(package: Package, source: str, ids: set[str]) -> None:
    rels_part = rels_of(source)
    if not ids or rels_part not in package:
        return
    root = parse(package.read(rels_part), rels_part)
    for rel in [r for r in root if r.get("Id") in ids]:
        root.remove(rel)
    package.write(rels_part, xml_bytes(root))


def set_content_type(package: Package, part: str, content_type: str) -> None:
    root = parse(package.read(CONTENT_TYPES), CONTENT_TYPES)
    for override in root.iterfind(q("Override", CT_NS)):
        if override.get("PartName") == "/" + part:
            override.set("ContentType", content_type)
            break
    else:
        etree.SubElement(root, q("Override", CT_NS), PartName="/" + part, ContentType=content_type)
    package.write(CONTENT_TYPES, xml_bytes(root))


def content_type(package: Package, part: str) -> str | None:
    root = parse(package.read(CONTENT_TYPES), CONTENT_TYPES)
    for override in root.iterfind(q("Override", CT_NS)):
        if override.get("PartName") == "/" + part:
            return override.get("ContentType")
    extension = part.rsplit(".", 1)[-1].lower()
    for default in root.iterfind(q("Default", CT_NS)):
        if (default.get("Extension") or "").lower() == extension:
            return default.get("ContentType")
    return None


def remove_content_types(package: Package, parts: set[str]) -> None:
    root = parse(package.read(CONTENT_TYPES), CONTENT_TYPES)
    names = {"/" + p for p in parts}
    gone = [o for o in root.iterfind(q("Override", CT_NS)) if o.get("PartName") in names]
    for override in gone:
        root.remove(override)
    if gone:
        package.write(CONTENT_TYPES, xml_bytes(root))


def drop_calc_chain(package: Package) -> None:
    """Excel rebuilds calcChain.xml; a stale one that names removed formulas makes it 'repair' the file.
    Edited as text: the rest of both parts stays byte for byte."""
    if CALC_CHAIN not in package:
        return
    types = package.read(CONTENT_TYPES).decode("utf-8")
    package.write(CONTENT_TYPES, re.sub(r'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', "", types).encode("utf-8"))
    rels = package.read(WORKBOOK_RELS).decode("utf-8")
    package.write(WORKBOOK_RELS, re.sub(r'<Relationship[^>]*Target="[^"]*calcChain.xml"[^>]*/>', "", rels).encode("utf-8"))
    package.drop(CALC_CHAIN)


def reachable_parts(package: Package) -> set[str]:
    """Every part reachable by relationships from the package's root (_rels/.rels)."""
    seen: set[str] = set()
    todo = [""]
    while todo:
        source = todo.pop()
        for rel in relationships(package, source):
            if not rel.external and rel.target in package and rel.target not in seen:
                seen.add(rel.target)
                todo.append(rel.target)
    return seen


def drop_unreachable(package: Package, before: set[str]) -> set[str]:
    """Drop the parts (and their relationships) that were reachable before an edit and are not now;
    parts that were never reachable are left as they were. Returns what was dropped."""
    gone = before - reachable_parts(package)
    for part in gone:
        package.drop(part)
        if rels_of(part) in package:
            package.drop(rels_of(part))
    remove_content_types(package, gone)
    return gone


MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_CONTENT = "application/vnd.ms-office.vbaProject"
WORKBOOK_SUFFIXES = (".xlsm", ".xlsx")


def match_extension(data: bytes, suffix: str) -> tuple[bytes, str | None]:
    """The package as a file with this extension must be, as Excel checks when it opens one: an .xlsx
    has the macro-free type and no VBA project (left out, with a note saying so), an .xlsm the macro type."""
    suffix = suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        raise WorkbookWriteError(f"書き出し先の拡張子「{suffix or '（なし）'}」では Excel で開けません。"
                                 "-o の名前は .xlsm（ボタンを使う場合）か .xlsx にしてください。")
    with Package(data) as package:
        if (content_type(package, WORKBOOK) == MACRO_MAIN) == (suffix == ".xlsm"):
            return data, None
        set_content_type(package, WORKBOOK, MACRO_MAIN if suffix == ".xlsm" else PLAIN_MAIN)
        if suffix == ".xlsm":
            return package.to_bytes(), None
        vba = [r for r in relationships(package, WORKBOOK) if r.kind == "vbaProject" and not r.external]
        remove_relationships(package, WORKBOOK, {r.id for r in vba})
        gone = {r.target for r in vba if r.target in package}
        gone |= {r.target for p in gone for r in relationships(package, p) if not r.external and r.target in package}
        for part in gone | {rels_of(p) for p in gone if rels_of(p) in package}:
            package.drop(part)
        remove_content_types(package, gone)
        if not any(n.lower().endswith(".bin") for n in package.names()):
            types = package.read(CONTENT_TYPES).decode("utf-8")
            package.write(CONTENT_TYPES, re.sub(rf'<Default[^>]*ContentType="{re.escape(VBA_CONTENT)}"[^>]*/>', "",
                                                types).encode("utf-8"))
        return package.to_bytes(), ("拡張子が .xlsx のため、マクロ（VBA）を含めずに書き出しました。このファイルではボタンが動きません。"
                                    "ボタンを使うには -o の名前を .xlsm にしてください。")
