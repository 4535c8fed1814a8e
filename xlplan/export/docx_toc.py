"""The table of contents: a real TOC field whose cached result already lists the headings.

Word shows the cached result until the field is updated, so the entries are there
from the first opening (no 「フィールドの更新」 placeholder page). Each entry links
to a bookmark on its heading and carries a PAGEREF field for its page number:
Word fills the numbers when the contents are updated (the document asks on
opening, and the note under the contents says how), LibreOffice computes PAGEREF
fields itself, and `xlplan export --pdf` updates the whole index before printing.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

TOC_LEVELS = 2
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'
TOC_STYLES = {1: "toc 1", 2: "toc 2"}


@dataclass(frozen=True)
class Entry:
    level: int
    text: str
    bookmark: str


def _run(*children) -> OxmlElement:
    r = OxmlElement("w:r")
    for c in children:
        r.append(c)
    return r


def _fld_char(kind: str, dirty: bool = False) -> OxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    return char


def _instr(text: str) -> OxmlElement:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {text} "
    return instr


def _text(text: str) -> OxmlElement:
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    return t


class Contents:
    """Collects the headings (with bookmarks) and writes the TOC field where `place` was called."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._anchor: Paragraph | None = None
        self._tab_pos = 0

    def place(self, paragraph: Paragraph, tab_pos_twips: int) -> None:
        """The (empty) paragraph the contents replace when the document is finished."""
        self._anchor = paragraph
        self._tab_pos = tab_pos_twips

    def mark(self, paragraph: Paragraph, level: int) -> None:
        """Bookmark a heading of a level the contents list, and list it."""
        if level > TOC_LEVELS:
            return
        number = len(self.entries) + 1
        name = f"_Toc{number:08d}"
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(number))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(number))
        p = paragraph._p
        ppr = p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        self.entries.append(Entry(level, paragraph.text, name))

    def write(self) -> None:
        """Replace the placed paragraph with the field: begin + first entry, the other entries, end."""
        if self._anchor is None:
            return
        anchor = self._anchor._p
        paragraphs = [self._entry(e) for e in self.entries] or [OxmlElement("w:p")]
        first = paragraphs[0]
        begin_runs = [_run(_fld_char("begin", dirty=True)), _run(_instr(TOC_INSTRUCTION)), _run(_fld_char("separate"))]
        ppr = first.find(qn("w:pPr"))
        for i, r in enumerate(begin_runs):
            first.insert((1 if ppr is not None else 0) + i, r)
        closing = OxmlElement("w:p")
        closing.append(_run(_fld_char("end")))
        for p in [*paragraphs, closing]:
            anchor.addprevious(p)
        anchor.getparent().remove(anchor)
        self._anchor = None

    def _entry(self, entry: Entry) -> OxmlElement:
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        style = OxmlElement("w:pStyle")
        style.set(qn("w:val"), TOC_STYLES[entry.level].replace(" ", ""))
        ppr.append(style)
        tabs = OxmlElement("w:tabs")
        tab = OxmlElement("w:tab")
        tab.set(qn("w:val"), "right")
        tab.set(qn("w:leader"), "dot")
        tab.set(qn("w:pos"), str(self._tab_pos))
        tabs.append(tab)
        ppr.append(tabs)
        p.append(ppr)
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), entry.bookmark)
        link.set(qn("w:history"), "1")
        link.append(_run(_text(entry.text)))
        link.append(_run(OxmlElement("w:tab")))
        # The page number: a PAGEREF field with no cached number yet (Word fills it on update).
        link.append(_run(_fld_char("begin")))
        link.append(_run(_instr(f"PAGEREF {entry.bookmark} \\h")))
        link.append(_run(_fld_char("separate")))
        link.append(_run(_fld_char("end")))
        p.append(link)
        return p
