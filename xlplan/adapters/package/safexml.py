"""Parsing a part's XML safely, and writing it back.

A part with a DTD is never parsed (no entity expansion, no XML bombs, also when the DTD hides
after padding or in UTF-16); entities are not resolved and nothing is fetched from the network.
The namespaces every other module of the package layer uses are named here.
"""

from __future__ import annotations

from lxml import etree

from xlplan.errors import WorkbookWriteError

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def q(tag: str, ns: str = NS) -> str:
    """A tag in Clark notation, SpreadsheetML's namespace by default."""
    return f"{{{ns}}}{tag}"


def has_dtd(xml: bytes) -> bool:
    """A DTD anywhere in a part (also after padding, also in UTF-16): never parsed, never expanded."""
    # Every mark is "<!" in UTF-8 or "<\0!" in UTF-16 (either byte order). A part holds few "!" (formulas'
    # sheet references), found by memchr; a search for the marks themselves would stop at every tag.
    at = xml.find(b"!")
    for _ in range(_FEW):
        if at < 0:
            return False
        if xml[at - 1:at] == b"<" or xml[at - 2:at] == b"<\x00":
            break
        at = xml.find(b"!", at + 1)
    return any(mark in xml for mark in _DTD_MARKS)


_FEW = 64


def parse(xml: bytes, part: str) -> etree._Element:
    """The part's root element; a DTD or broken XML is refused with the part's name."""
    if has_dtd(xml):
        raise WorkbookWriteError(f"ブックの部品「{part}」に DTD が含まれているため、安全のため処理しません。")
    try:
        return etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookWriteError(f"ブックの部品「{part}」が壊れています（{xml_reason(exc)}）。Excel で開いて保存し直してください。") from None


def xml_reason(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message in Japanese: where, and the one kind the clerk can act on (nesting too deep)."""
    if "depth" in str(exc).lower():
        return "XML の入れ子が深すぎます。細工されたファイルの可能性があります"
    return f"XML の書き方が壊れています（{exc.lineno}行目）" if getattr(exc, "lineno", None) else "XML の書き方が壊れています"


def xml_bytes(root: etree._Element) -> bytes:
    """A part written back the way Excel writes its XML parts (UTF-8, standalone declaration)."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def local_name(element: etree._Element) -> str | None:
    """The tag without its namespace; None for comments and processing instructions."""
    tag = element.tag
    return tag[tag.rfind("}") + 1:] if isinstance(tag, str) else None


# The bulk of a worksheet: cells, their values and inline text, rows. None of them holds a range,
# a formula or an anchor, so walks over a whole sheet skip them first.
PLAIN_CELL_TAGS = frozenset(q(tag) for tag in ("c", "v", "row", "is", "t", "r", "rPr"))


# CT_Worksheet's children in the order the schema requires (ECMA-376 Part 1, 18.3.1.99).
WORKSHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                   "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                   "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                   "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                   "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                   "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                   "tableParts", "extLst")


def worksheet_child(root: etree._Element, tag: str) -> etree._Element:
    """The worksheet's <tag> element, created where the schema puts it when absent."""
    found = root.find(q(tag))
    if found is not None:
        return found
    element = etree.Element(q(tag))
    for follower_tag in WORKSHEET_ORDER[WORKSHEET_ORDER.index(tag) + 1:]:
        follower = root.find(q(follower_tag))
        if follower is not None:
            follower.addprevious(element)
            return element
    root.append(element)
    return element
