"""One cell's value in SpreadsheetML: written (numbers, booleans, inline text, formulas with their
cached result) and read back as text (inline, shared strings), plus the styles that wrap text.
Text is written as Excel will show it: capped at a cell's 32,767 UTF-16 units, with text that looks
like an OOXML escape (_x0041_) kept literal (xlplan.layout.celltext).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from xlplan.adapters.package.safexml import NS, PARSER, parse
from xlplan.layout.cells import Formula
from xlplan.layout.celltext import cap_cell_text, ooxml_text

C = f"{{{NS}}}c"


def new_cell(ref: str, style: str | None, value: Any) -> etree._Element:
    c = etree.Element(C, r=ref)
    if style is not None:
        c.set("s", style)
    if value is not None:
        _write_value(c, value)   # a new cell has no value to remove first
    return c


def new_cells(cells: list[tuple[str, str | None, Any]]) -> list[etree._Element]:
    """new_cell for many (ref, style, value) at once: written as XML text and parsed in one go, which is
    about twice as fast as building them element by element and gives the same elements."""
    texts = [_cell_xml(ref, style, value) for ref, style, value in cells]
    try:
        parsed = iter(etree.fromstring(f'<row xmlns="{NS}">{"".join(t for t in texts if t)}</row>'.encode(), PARSER))
    except (ValueError, etree.XMLSyntaxError):   # text XML cannot hold (a lone surrogate …): refused as new_cell refuses it
        return [new_cell(*cell) for cell in cells]
    return [next(parsed) if text else new_cell(*cell) for text, cell in zip(texts, cells)]


def _cell_xml(ref: str, style: str | None, value: Any) -> str | None:
    """One cell as new_cell writes it: the same attributes in the same order, the same children. None for
    a cell with an empty text element, which new_cell writes as <t></t> and a parser would read as <t/>."""
    head = f'<c r="{_escape(ref, True)}"' if style is None else f'<c r="{_escape(ref, True)}" s="{_escape(style, True)}"'
    if value is None:
        return head + "/>"
    if isinstance(value, Formula):
        numeric = isinstance(value.cached, (int, float))
        cached = str(value.cached) if numeric else xml_safe(str(value.cached))
        if not value.text or not cached:
            return None
        return (f'{head}><f>{_escape(value.text)}</f><v>{_escape(cached)}</v></c>' if numeric else
                f'{head} t="str"><f>{_escape(value.text)}</f><v>{_escape(cached)}</v></c>')
    if isinstance(value, bool):
        return f'{head} t="b"><v>{"1" if value else "0"}</v></c>'
    if isinstance(value, (int, float)):
        return f'{head}><v>{_escape(repr(value) if isinstance(value, float) else str(value))}</v></c>'
    text = xml_safe(str(value))
    return f'{head} t="inlineStr"><is><t xml:space="preserve">{_escape(text)}</t></is></c>' if text else None


def _escape(text: str, attribute: bool = False) -> str:
    """XML text for a value as lxml would store it: markup escaped, and CR kept (a parser reads a raw CR as LF)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if attribute and ('"' in text or "\n" in text or "\t" in text):
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def set_value(c: etree._Element, value: Any) -> None:
    """Replace the cell's value (None empties it; its style stays)."""
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)
    if value is not None:
        _write_value(c, value)


def _write_value(c: etree._Element, value: Any) -> None:
    if isinstance(value, Formula):
        numeric = isinstance(value.cached, (int, float))
        if not numeric:
            c.set("t", "str")  # a text result; numeric results need no type
        etree.SubElement(c, f"{{{NS}}}f").text = value.text
        etree.SubElement(c, f"{{{NS}}}v").text = str(value.cached) if numeric else xml_safe(str(value.cached))
    elif isinstance(value, bool):
        c.set("t", "b")
        etree.SubElement(c, f"{{{NS}}}v").text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        etree.SubElement(c, f"{{{NS}}}v").text = repr(value) if isinstance(value, float) else str(value)
    else:
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, f"{{{NS}}}is"), f"{{{NS}}}t")
        t.text = xml_safe(str(value))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def xml_safe(text: str) -> str:
    """Text as Excel shows it: at most a cell's length (cut visibly), escape-like runs and control characters escaped."""
    return ooxml_text(cap_cell_text(text))


def has_formula(c: etree._Element) -> bool:
    return c.find(f"{{{NS}}}f") is not None


def cell_text(c: etree._Element, strings: Callable[[], list[str]]) -> str | None:
    """The text a cell shows (its cached value for formulas); strings gives the shared strings."""
    if c.get("t") == "inlineStr":
        return "".join(c.itertext())
    v = c.find(f"{{{NS}}}v")
    if v is None or v.text is None:
        return None
    if c.get("t") == "s":
        index, table = int(v.text), strings()
        return table[index] if index < len(table) else None
    return v.text


def wrapping_styles(styles_xml: bytes | None) -> set[str]:
    """Indices of cell formats (cellXfs) that wrap text."""
    if styles_xml is None:
        return set()
    root = parse(styles_xml, "xl/styles.xml")
    xfs = root.find(f"{{{NS}}}cellXfs")
    wrapping = set()
    for i, xf in enumerate(xfs if xfs is not None else ()):
        alignment = xf.find(f"{{{NS}}}alignment")
        if alignment is not None and alignment.get("wrapText") in ("1", "true"):
            wrapping.add(str(i))
    return wrapping


def shared_strings(xml: bytes | None) -> list[str]:
    if xml is None:
        return []
    root = parse(xml, "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in si.iter(f"{{{NS}}}t")) for si in root.iterfind(f"{{{NS}}}si")]
