"""Which value cells show a percent: number formats read from a file's styles or from Excel.

Excel stores 「39%」 typed into a cell as 0.39 under a % number format; reading
the value alone would misread it. Only the cells the reader asks about (KPI value
columns) are looked at, cheaply:

* files: styles.xml's cellXfs → numFmtId (built-in 9 and 10 are 0% and 0.00%;
  a custom format code is a percent one if it has % outside quotes and brackets),
  then one regex scan of the sheet XML for cells whose s= is one of those styles;
* Windows Excel: ``Range.Value(11)`` returns a whole range as XML Spreadsheet
  2003 text, number formats included: one call per sheet (parse_xml_spreadsheet).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable

from lxml import etree

from xlplan.layout.a1 import col_index

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SS = "urn:schemas-microsoft-com:office:spreadsheet"
PERCENT_BUILTIN_IDS = frozenset({9, 10})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|[_*].')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def is_percent_code(code: str) -> bool:
    """Whether a number format code shows a percent: 「0%」「0.0%」「#,##0.00%」, not 「0"%"」 nor 「[$%-409]0」."""
    return "%" in _QUOTED.sub("", code) or code.strip().lower() == "percent"


def percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cellXfs indexes (s= of a cell) whose number format is a percent one."""
    part = _styles_part(archive)
    if part is None:
        return frozenset()
    try:
        root = etree.fromstring(archive.read(part), _PARSER)
    except etree.XMLSyntaxError:
        return frozenset()
    codes = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in root.iter(f"{{{NS}}}numFmt")}
    xfs = root.find(f"{{{NS}}}cellXfs")
    if xfs is None:
        return frozenset()
    result = set()
    for i, xf in enumerate(xfs.iterfind(f"{{{NS}}}xf")):
        fmt = int(xf.get("numFmtId", "0"))
        if (fmt in codes and is_percent_code(codes[fmt])) or (fmt not in codes and fmt in PERCENT_BUILTIN_IDS):
            result.add(i)
    return frozenset(result)


def _styles_part(archive: zipfile.ZipFile) -> str | None:
    rels = "xl/_rels/workbook.xml.rels"
    if rels in archive.NameToInfo:
        try:
            root = etree.fromstring(archive.read(rels), _PARSER)
        except etree.XMLSyntaxError:
            root = None
        for rel in root if root is not None else ():
            if str(rel.get("Type", "")).endswith("/styles"):
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if part in archive.NameToInfo:
                    return part
    return "xl/styles.xml" if "xl/styles.xml" in archive.NameToInfo else None


def percent_cells_in_sheet(xml: bytes, styles: frozenset[int], columns: Iterable[int]) -> set[tuple[int, int]]:
    """(row, col), 0-based, of the cells in the given columns whose style is one of `styles`."""
    cols = set(columns)
    if not styles or not cols:
        return set()
    if len(styles) <= 4 and not any(b's="%d"' % style in xml for style in styles):
        return set()   # no cell has a % style (most sheets): a few substring searches instead of a per-cell scan
    pattern = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\ss="(' + "|".join(map(str, sorted(styles))).encode() + rb')"')
    result = set()
    for letters, row, _style in pattern.findall(xml):
        col = col_index(letters.decode())
        if col in cols:
            result.add((int(row) - 1, col))
    return result


def parse_xml_spreadsheet(text: str) -> set[tuple[int, int]]:
    """(row, col) within the range, 0-based, of the cells whose style shows a percent, from the XML
    Spreadsheet 2003 text Excel returns for ``Range.Value(11)`` (styles inherit through ss:Parent)."""
    try:
        root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, _PARSER)
    except etree.XMLSyntaxError:
        return set()
    formats: dict[str, str | None] = {}
    parents: dict[str, str | None] = {}
    for style in root.iter(f"{{{SS}}}Style"):
        sid = style.get(f"{{{SS}}}ID")
        fmt = style.find(f"{{{SS}}}NumberFormat")
        formats[sid] = fmt.get(f"{{{SS}}}Format") if fmt is not None else None
        parents[sid] = style.get(f"{{{SS}}}Parent")

    def percent(sid: str | None, depth: int = 0) -> bool:
        if sid is None or depth > 10:
            return False
        if formats.get(sid) is not None:
            return is_percent_code(formats[sid] or "")
        return percent(parents.get(sid), depth + 1)

    result = set()
    table = next(root.iter(f"{{{SS}}}Table"), None)
    if table is None:
        return result
    r = -1
    for row in table.iterfind(f"{{{SS}}}Row"):
        r = int(row.get(f"{{{SS}}}Index")) - 1 if row.get(f"{{{SS}}}Index") else r + 1
        c = -1
        for cell in row.iterfind(f"{{{SS}}}Cell"):
            c = int(cell.get(f"{{{SS}}}Index")) - 1 if cell.get(f"{{{SS}}}Index") else c + 1
            if percent(cell.get(f"{{{SS}}}StyleID") or row.get(f"{{{SS}}}StyleID")):
                result.add((r, c))
            c += int(cell.get(f"{{{SS}}}MergeAcross", "0"))
    return result
