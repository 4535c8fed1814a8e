"""Apply write operations to a workbook file by patching only the sheets they touch.

Everything else in the package (VBA, buttons, comments, images, charts, other
sheets, styles) is copied through unchanged, which is why xlplan does not
round-trip workbooks through openpyxl. Inside a touched sheet only <sheetData>
changes, plus the row numbers of ranges when rows are inserted.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from xlplan.errors import WorkbookWriteError
from xlplan.fileio import FileIdentity, atomic_write_bytes, check_new_target, check_regular_input, check_unchanged, os_reason
from xlplan.layout.a1 import cell_name, col_index
from xlplan.layout.cells import Formula
from xlplan.layout.celltext import cap_cell_text, ooxml_text
from xlplan.layout.ops import FitRows, InsertRows, Op, ReplaceValues, SetValues
from xlplan.layout.rowheight import row_height

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_C = f"{{{NS}}}c"
_ROW = f"{{{NS}}}row"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_REF_RE = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")
_CELL_REF_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")
MAX_ROWS = 1_048_576
# Elements whose text is a formula (cells, conditional formats, validations, x14 extensions, charts).
_FORMULA_TAGS = {"f", "formula", "formula1", "formula2"}
_DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))


def has_dtd(xml: bytes) -> bool:
    """A DTD anywhere in a part (also after padding, also in UTF-16): never parsed, never expanded."""
    return any(mark in xml for mark in _DTD_MARKS)


def _parse(xml: bytes, part: str) -> etree._Element:
    if has_dtd(xml):
        raise WorkbookWriteError(f"ブックの部品「{part}」に DTD が含まれているため、安全のため処理しません。")
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookWriteError(f"ブックの部品「{part}」が壊れています（{xml_reason(exc)}）。Excel で開いて保存し直してください。") from None


def xml_reason(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message in Japanese: where, and the one kind the clerk can act on (nesting too deep)."""
    text = str(exc).lower()
    where = f"{exc.lineno}行目" if getattr(exc, "lineno", None) else ""
    if "depth" in text:
        return "XML の入れ子が深すぎます。細工されたファイルの可能性があります"
    return f"XML の書き方が壊れています{('、' + where) if where else ''}"


def sheet_part_map(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part, following workbook.xml and workbook.xml.rels."""
    for required in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if required not in archive.NameToInfo:
            raise WorkbookWriteError(f"ブックの部品「{required}」がありません。Excel ブックとして壊れています。")
    workbook = _parse(archive.read("xl/workbook.xml"), "xl/workbook.xml")
    rels = _parse(archive.read("xl/_rels/workbook.xml.rels"), "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    result = {}
    for sheet in workbook.iter(f"{{{NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"))
        if target:
            result[sheet.get("name")] = _resolve("xl/workbook.xml", target)
    return result


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


# ------------------------------------------------------------------ cell values

def _cell(ref: str, style: str | None, value: Any) -> etree._Element:
    c = etree.Element(_C, r=ref)
    if style is not None:
        c.set("s", style)
    _set_value(c, value)
    return c


def _set_value(c: etree._Element, value: Any) -> None:
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)
    if value is None:
        return
    if isinstance(value, Formula):
        numeric = isinstance(value.cached, (int, float))
        if not numeric:
            c.set("t", "str")  # a text result; numeric results need no type
        etree.SubElement(c, f"{{{NS}}}f").text = value.text
        etree.SubElement(c, f"{{{NS}}}v").text = str(value.cached) if numeric else _xml_safe(str(value.cached))
    elif isinstance(value, bool):
        c.set("t", "b")
        etree.SubElement(c, f"{{{NS}}}v").text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        etree.SubElement(c, f"{{{NS}}}v").text = repr(value) if isinstance(value, float) else str(value)
    else:
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, f"{{{NS}}}is"), f"{{{NS}}}t")
        t.text = _xml_safe(str(value))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _xml_safe(text: str) -> str:
    """Text as Excel shows it: at most a cell's length (cut visibly), escape-like runs and control characters escaped."""
    return ooxml_text(cap_cell_text(text))


class _Sheet:
    """A worksheet's <sheetData> as rows of cells, editable by (row, col)."""

    def __init__(self, xml: bytes, part: str):
        self.part = part
        self.root = _parse(xml, part)
        self.data = self.root.find(f"{{{NS}}}sheetData")
        if self.data is None:
            raise WorkbookWriteError(f"シートの部品「{part}」に sheetData がありません。")
        self.rows: dict[int, etree._Element] = {}
        previous = -1
        for row in self.data.iterfind(_ROW):
            previous = _number_row(row, previous, part)
            if previous in self.rows:  # collapsing them would drop one row's cells
                raise WorkbookWriteError(duplicate_row_message(previous + 1, part))
            self.rows[previous] = row
        protection = self.root.find(f"{{{NS}}}sheetProtection")
        self.protected = protection is not None and protection.get("sheet") in ("1", "true")
        self.col_styles: dict[int, str] = {}
        self.col_widths: dict[int, float] = {}
        cols = self.root.find(f"{{{NS}}}cols")
        for col in cols if cols is not None else ():
            for i in range(int(col.get("min")) - 1, int(col.get("max"))):
                if col.get("style"):
                    self.col_styles[i] = col.get("style")
                if col.get("width"):
                    self.col_widths[i] = float(col.get("width"))
        self.formulas_changed = False

    def fit_rows(self, r0: int, count: int, wrapping: set[str], strings: Callable[[], list[str]]) -> None:
        """Set each row's height from its wrapped text; the stored height is what LibreOffice shows."""
        for r in range(r0, r0 + count):
            row = self.rows.get(r)
            if row is None:
                continue
            values, widths, wraps = [], [], []
            for col, c in self._cells(row).items():
                values.append(_cell_text(c, strings))
                widths.append(self.col_widths.get(col, 8.43))
                wraps.append((c.get("s") or "0") in wrapping)
            row.set("ht", f"{row_height(values, widths, wraps):g}")
            row.set("customHeight", "1")

    def _row(self, r: int) -> etree._Element:
        row = self.rows.get(r)
        if row is None:
            row = etree.Element(_ROW, r=str(r + 1))
            self.rows[r] = row
        row.attrib.pop("spans", None)
        return row

    def _cells(self, row: etree._Element) -> dict[int, etree._Element]:
        return {col_index(_CELL_REF_RE.match(c.get("r")).group(1)): c for c in row.iterfind(_C)}

    def set_block(self, r0: int, c0: int, values: list[list[Any]]) -> None:
        for dr, line in enumerate(values):
            if all(v is None for v in line):
                continue
            row = self._row(r0 + dr)
            cells = self._cells(row)
            row_style = row.get("s") if row.get("customFormat") == "1" else None
            for dc, value in enumerate(line):
                if value is None:
                    continue
                col = c0 + dc
                if isinstance(value, Formula):
                    self.formulas_changed = True
                existing = cells.get(col)
                if existing is not None:
                    if existing.find(f"{{{NS}}}f") is not None:
                        self.formulas_changed = True
                    _set_value(existing, value)
                else:
                    cells[col] = _cell(cell_name(r0 + dr, col), self.col_styles.get(col, row_style), value)
            self._sort(row, cells)

    def clear_from(self, r0: int, width: int | None = None) -> None:
        """Remove values from row r0 down, in the first `width` columns (all when None); cells keep their formats."""
        for r in [r for r in self.rows if r >= r0]:
            row = self.rows[r]
            for c in list(row.iterfind(_C)):
                if width is not None and col_index(_CELL_REF_RE.match(c.get("r")).group(1)) >= width:
                    continue  # the clerk's own columns, right of the generated block
                if c.find(f"{{{NS}}}f") is not None:
                    self.formulas_changed = True
                if c.get("s") is None or c.get("s") == self.col_styles.get(col_index(_CELL_REF_RE.match(c.get("r")).group(1))):
                    row.remove(c)
                else:
                    _set_value(c, None)
            if len(row) == 0 and not row.get("ht") and not row.get("customFormat") and not row.get("hidden"):
                del self.rows[r]

    def insert_rows(self, r0: int, count: int, sheet: str) -> None:
        last = max(self.rows, default=-1)
        if last >= r0 and last + count >= MAX_ROWS:
            raise WorkbookWriteError(f"行を挿入するとシートの最終行（{MAX_ROWS:,}行）を超えるため、挿入できません。", sheet=sheet)
        moved = {}
        for r, row in self.rows.items():
            if r >= r0:
                row.set("r", str(r + count + 1))
                for c in row.iterfind(_C):
                    m = _CELL_REF_RE.match(c.get("r"))
                    c.set("r", f"{m.group(1)}{int(m.group(2)) + count}")
                moved[r + count] = row
            else:
                moved[r] = row
        self.rows = moved
        for element in self.root.iter():
            if not isinstance(element.tag, str) or element.tag == _C:
                continue
            for attr in ("sqref", "ref", "topLeftCell", "activeCell"):
                if attr in element.attrib:
                    element.set(attr, shift_refs(element.get(attr), r0, count))
            if "location" in element.attrib:  # a hyperlink to a place in the workbook
                element.set("location", shift_formula(element.get("location"), sheet, r0, count, home=sheet))
            local = etree.QName(element).localname
            if not element.text:
                continue
            if local in _FORMULA_TAGS:  # cells, conditional formats, validations (also x14 <xm:f>)
                self.formulas_changed |= local == "f"
                element.text = shift_formula(element.text, sheet, r0, count, home=sheet)
            elif local == "sqref":  # x14 extensions keep their ranges in <xm:sqref> text
                element.text = shift_refs(element.text, r0, count)
            elif element.tag == f"{{{XDR_NS}}}row":  # anchors of form controls and OLE objects
                element.text = str(_moved_row(int(element.text), r0, count))
        breaks = self.root.find(f"{{{NS}}}rowBreaks")
        for brk in breaks if breaks is not None else ():
            if brk.get("id", "").isdigit():
                brk.set("id", str(_moved_row(int(brk.get("id")), r0, count)))

    @staticmethod
    def _sort(row: etree._Element, cells: dict[int, etree._Element]) -> None:
        for c in list(row.iterfind(_C)):
            row.remove(c)
        for _, c in sorted(cells.items()):
            row.append(c)

    def to_bytes(self) -> bytes:
        for child in list(self.data):
            self.data.remove(child)
        for _, row in sorted(self.rows.items()):
            self.data.append(row)
        dimension = self.root.find(f"{{{NS}}}dimension")
        if dimension is not None:
            last_row = max(self.rows, default=0)
            last_col = max((col_index(_CELL_REF_RE.match(c.get("r")).group(1)) for row in self.rows.values()
                            for c in row.iterfind(_C)), default=0)
            dimension.set("ref", f"A1:{cell_name(last_row, last_col)}")
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _cell_text(c: etree._Element, strings: Callable[[], list[str]]) -> str | None:
    if c.get("t") == "inlineStr":
        return "".join(c.itertext())
    v = c.find(f"{{{NS}}}v")
    if v is None or v.text is None:
        return None
    if c.get("t") == "s":
        index, table = int(v.text), strings()
        return table[index] if index < len(table) else None
    return v.text


def _styles_info(zin: zipfile.ZipFile) -> set[str]:
    """Indices of cell formats (cellXfs) that wrap text."""
    if "xl/styles.xml" not in zin.namelist():
        return set()
    root = _parse(zin.read("xl/styles.xml"), "xl/styles.xml")
    xfs = root.find(f"{{{NS}}}cellXfs")
    wrapping = set()
    for i, xf in enumerate(xfs if xfs is not None else ()):
        alignment = xf.find(f"{{{NS}}}alignment")
        if alignment is not None and alignment.get("wrapText") in ("1", "true"):
            wrapping.add(str(i))
    return wrapping


def _shared_strings(zin: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zin.namelist():
        return []
    root = _parse(zin.read("xl/sharedStrings.xml"), "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in si.iter(f"{{{NS}}}t")) for si in root.iterfind(f"{{{NS}}}si")]


def duplicate_row_message(row: int, part: str) -> str:
    return (f"シートの部品「{part}」に {row} 行目が2回書かれています（壊れたファイルです）。xlplan はどちらの行を"
            "残すか決められないため書き込みません。Excel で開いて、その行を確かめてから保存し直してください。")


def _number_row(row: etree._Element, previous: int, part: str) -> int:
    """The row's 0-based index; rows and cells without r (allowed, written by some tools) are numbered in order."""
    r = row.get("r")
    if r is None:
        index = previous + 1
        row.set("r", str(index + 1))
    elif r.isdigit() and 0 < int(r) <= MAX_ROWS:
        index = int(r) - 1
    else:
        raise WorkbookWriteError(f"シートの部品「{part}」の行番号「{r}」が壊れています。Excel で開いて保存し直してください。")
    column = -1
    for c in row.iterfind(_C):
        ref = c.get("r")
        if ref is None:
            column += 1
            c.set("r", cell_name(index, column))
        elif (m := _CELL_REF_RE.match(ref)) and int(m.group(2)) == index + 1:
            column = col_index(m.group(1))
        else:
            raise WorkbookWriteError(f"シートの部品「{part}」のセル番地「{ref}」が壊れています。Excel で開いて保存し直してください。")
    return index


def _moved_row(row: int, r0: int, count: int) -> int:
    """A 0-based row index after inserting count rows before r0."""
    return row + count if row >= r0 else row


def shift_refs(text: str, r0: int, count: int) -> str:
    """Move row numbers at or below 0-based row r0 down by count (Excel's row insert)."""
    def move(m: re.Match) -> str:
        row = int(m.group(4))
        if row - 1 >= r0:
            row = min(row + count, MAX_ROWS)  # a range to the sheet's end stays at its end
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{row}"
    return _REF_RE.sub(move, text)


# Tokens of a formula that matter for row shifting: string literals (skipped), sheet
# qualifiers ('健康・医療・介護'! or Sheet1! or [1]Sheet1!), cell references, row ranges ($1:$4).
_FORMULA_TOKEN = re.compile(
    r'(?P<string>"(?:[^"]|"")*")'
    r"|(?P<sheet>(?P<book>\[[^\]]*\])?(?:'(?P<quoted>(?:[^']|'')+)'|(?<![\w.])(?P<plain>[^\s!\"'(),;:=+\-*/&^<>{}#\[\]%]+))!)"
    r"|(?P<cell>(?<![\w.$])\$?[A-Z]{1,3}\$?[0-9]+(?![\w.(!]))"
    r"|(?P<rows>(?<![\w.$:])\$?[0-9]+:\$?[0-9]+(?![\w.:(!]))"
)


def shift_formula(text: str, sheet: str, r0: int, count: int, *, home: str | None = None) -> str:
    """Shift the references to `sheet` in a formula, as Excel does when rows are inserted there.

    home is the sheet the formula lives on (its unqualified references point there);
    None for defined names and charts, whose references are always qualified.
    """
    target = sheet.casefold()
    pieces: list[str] = []
    last = 0
    qualifier_end, qualifier = -1, None
    previous_end, previous_owner = -2, None
    for m in _FORMULA_TOKEN.finditer(text):
        if m.group("string") is not None:
            continue
        if m.group("sheet") is not None:
            quoted = m.group("quoted")
            qualifier = None if m.group("book") else (quoted.replace("''", "'") if quoted is not None else m.group("plain"))
            qualifier_end = m.end()
            continue
        if m.start() == qualifier_end:
            owner = qualifier
        elif m.start() == previous_end + 1 and text[previous_end] == ":":  # the end of Sheet1!A1:B2
            owner = previous_owner
        else:
            owner = home
        previous_end, previous_owner = m.end(), owner
        if owner is None or owner.casefold() != target:
            continue
        token = m.group(0)
        if m.group("cell") is not None:
            moved = shift_refs(token, r0, count)
        else:
            moved = re.sub(r"(\$?)(\d+)", lambda n: f"{n.group(1)}{min(_moved_row(int(n.group(2)) - 1, r0, count) + 1, MAX_ROWS)}",
                           token)
        pieces += [text[last:m.start()], moved]
        last = m.end()
    return "".join(pieces) + text[last:] if pieces else text


# ------------------------------------------------------------------ the package

def apply_ops(src: Path, ops: list[Op], dst: Path | None = None, *, backup: bool = False, force: bool = False,
              expect: FileIdentity | None = None, elsewhere: str = "別の名前で保存してください",
              notes: list[str] | None = None) -> Path:
    """Write the workbook at src with ops applied to dst (default: src, atomically).

    A dst other than src must be new unless force. expect: the identity of the file that
    was read (taken under its lock, xlplan.adapters.lock); if the file being replaced is no
    longer that file, nothing is written. A copy gets the content type its extension
    needs (match_extension); what that changed is appended to notes.
    """
    src = Path(src)
    dst = Path(dst) if dst else src
    check_regular_input(src)
    in_place = dst == src or (dst.exists() and dst.samefile(src))
    if not in_place:
        check_new_target(dst, force)
    try:
        package = src.read_bytes()
    except OSError as exc:
        raise WorkbookWriteError(f"「{src}」を読み込めません（{os_reason(exc)}）。") from None
    if expect is not None and in_place:
        check_unchanged(src, expect)
    data = patch_package(package, ops, in_place=in_place)
    if not in_place:
        data, note = match_extension(data, dst.suffix)
        if note and notes is not None:
            notes.append(note)
    atomic_write_bytes(dst, data, backup=backup and in_place, overwrite=in_place or force, expect=expect,
                       elsewhere=elsewhere)
    return dst


MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORKBOOK_SUFFIXES = (".xlsm", ".xlsx")


def match_extension(package: bytes, suffix: str) -> tuple[bytes, str | None]:
    """The package as a file with this extension must be, as Excel checks on opening: an .xlsx has the
    macro-free content type and no VBA project (dropped, with a note saying so); an .xlsm the macro-enabled type."""
    suffix = suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        raise WorkbookWriteError(f"書き出し先の拡張子「{suffix or '（なし）'}」では Excel で開けません。"
                                 "-o の名前は .xlsm（ボタンを使う場合）か .xlsx にしてください。")
    with zipfile.ZipFile(BytesIO(package)) as zin:
        types = zin.read("[Content_Types].xml").decode("utf-8")
        macro = MACRO_MAIN in types
        if (suffix == ".xlsm") == macro:
            return package, None
        if suffix == ".xlsm":
            return _write_zip(package, zin.infolist(), {"[Content_Types].xml": types.replace(PLAIN_MAIN, MACRO_MAIN).encode()},
                              set()), None
        vba = {n for n in zin.namelist() if posixpath.basename(n).startswith("vbaProject")}
        types = re.sub(r'<Override[^>]*PartName="/xl/vbaProject[^"]*"[^>]*/>', "", types.replace(MACRO_MAIN, PLAIN_MAIN))
        types = re.sub(r'<Default[^>]*ContentType="application/vnd\.ms-office\.vbaProject"[^>]*/>', "", types)
        rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        rels = re.sub(r'<Relationship[^>]*Target="[^"]*vbaProject[^"]*"[^>]*/>', "", rels)
        replaced = {"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()}
        data = _write_zip(package, zin.infolist(), replaced, vba)
    return data, ("拡張子が .xlsx のため、マクロ（VBA）を含めずに書き出しました。このファイルではボタンが動きません。"
                  "ボタンを使うには -o の名前を .xlsm にしてください。")


def patch_package(package: bytes, ops: list[Op], *, in_place: bool = True) -> bytes:
    """The package with ops applied. in_place=False (writing to another file, -o) also allows
    changes that cannot be checked here, e.g. rows inserted inside a user's table."""
    try:
        zin = zipfile.ZipFile(BytesIO(package))
    except zipfile.BadZipFile as exc:
        raise WorkbookWriteError("ブックが壊れているため書き込めません（zip として読めません）。"
                                 "バックアップから戻すか、Excel で開いて保存し直してください。") from None
    with zin:
        parts = sheet_part_map(zin)
        by_sheet: dict[str, list[Op]] = defaultdict(list)
        for op in ops:
            if op.sheet not in parts:
                raise WorkbookWriteError(f"シート「{op.sheet}」がないため書き込めません。", sheet=op.sheet)
            by_sheet[op.sheet].append(op)
        replaced: dict[str, bytes] = {}
        formulas_changed = False
        wrapping: set[str] | None = None
        # Parsed only if a fitted row has a shared-string cell; xlplan itself writes inline strings.
        shared_strings = lru_cache(maxsize=1)(lambda: _shared_strings(zin))
        for sheet, sheet_ops in by_sheet.items():
            part = parts[sheet]
            edit = _Sheet(replaced.get(part) or zin.read(part), part)
            if edit.protected:
                raise WorkbookWriteError(
                    "シートが保護されているため、xlplan は書き込みません。Excel の［校閲］→［シート保護の解除］で"
                    "保護を解除してから、もう一度実行してください。", sheet=sheet)
            for op in sheet_ops:
                if isinstance(op, InsertRows):
                    _check_insertable(zin, part, sheet, op.row, replaced, in_place)
                    edit.insert_rows(op.row, op.count, sheet)
                    replaced.update(_shift_related_parts(zin, parts, sheet, op.row, op.count, replaced))
                elif isinstance(op, ReplaceValues):
                    edit.clear_from(op.row, op.width)
                    edit.set_block(op.row, 0, op.values)
                elif isinstance(op, SetValues):
                    edit.set_block(op.row, op.col, op.values)
                elif isinstance(op, FitRows):
                    if wrapping is None:
                        wrapping = _styles_info(zin)
                    edit.fit_rows(op.row, op.count, wrapping, shared_strings)
            replaced[part] = edit.to_bytes()
            formulas_changed |= edit.formulas_changed
        drop = _calc_chain_removal(zin, replaced) if formulas_changed else set()
        return _write_zip(package, zin.infolist(), replaced, drop)


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def _write_zip(package: bytes, infos: list[zipfile.ZipInfo], replaced: dict[str, bytes], drop: set[str]) -> bytes:
    """The package again, with replaced parts deflated anew and every other part's
    compressed bytes copied as they are: unchanged parts stay byte-identical and
    are not recompressed (most of the work of a write otherwise)."""
    out = BytesIO()
    central = []
    for info in infos:
        if info.filename in drop:
            continue
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0  # UTF-8 names; no data descriptor
        content = replaced.get(info.filename)
        if content is None:
            n, e = struct.unpack("<HH", package[info.header_offset + 26:info.header_offset + 30])
            start = info.header_offset + 30 + n + e
            data, method, crc, size = package[start:start + info.compress_size], info.compress_type, info.CRC, info.file_size
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = compressor.compress(content) + compressor.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
        time, date = _dos_time(info.date_time)
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, time, date, crc, len(data), size, len(name), 0))
        out.write(name)
        out.write(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, time, date, crc, len(data),
                                   size, len(name), 0, 0, 0, 0, info.external_attr, offset) + name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _sheet_rel_targets(zin: zipfile.ZipFile, part: str) -> dict[str, list[str]]:
    """Relationship type suffix (comments, vmlDrawing, drawing, table …) → parts."""
    rels_part = _rels_of(part)
    if rels_part not in zin.namelist():
        return {}
    rels = _parse(zin.read(rels_part), rels_part)
    result: dict[str, list[str]] = defaultdict(list)
    for rel in rels:
        if rel.get("TargetMode") == "External" or not rel.get("Type") or not rel.get("Target"):
            continue
        target = _resolve(part, rel.get("Target"))
        if target in zin.namelist():
            result[rel.get("Type").rsplit("/", 1)[-1]].append(target)
    return result


def _ref_rows(ref: str | None) -> tuple[int, int] | None:
    """0-based first and last row of a range like A4:F20."""
    rows = [int(m.group(4)) - 1 for m in _REF_RE.finditer(ref or "")]
    return (min(rows), max(rows)) if rows else None


def _check_insertable(zin: zipfile.ZipFile, part: str, sheet: str, r0: int, replaced: dict[str, bytes],
                      in_place: bool) -> None:
    """Rows inserted inside a table or pivot table are refused in place: Excel would extend its
    calculated columns or refuse; a copy written with -o gets the range extended, to check in Excel."""
    if not in_place:
        return
    targets = _sheet_rel_targets(zin, part)
    for kind, label in (("table", "テーブル（ListObject）"), ("pivotTable", "ピボットテーブル")):
        for target in targets.get(kind, []):
            root = _parse(replaced.get(target) or zin.read(target), target)
            location = root if kind == "table" else root.find(f"{{{NS}}}location")
            rows = _ref_rows(location.get("ref") if location is not None else None)
            if rows is None or rows[0] < r0 <= rows[1]:
                name = root.get("displayName") or root.get("name") or posixpath.basename(target)
                raise WorkbookWriteError(
                    f"{r0 + 1}行目に行を挿入すると{label}「{name}」の中に行が入るため、元のブックには書き込みません"
                    f"（{label}の計算列や集計を xlplan では正しく広げられません）。"
                    f"-o 新しい名前.xlsm を付けて別のファイルに書き出し、Excel で確認してから使ってください。"
                    "元のブックはそのまま残ります。", sheet=sheet)


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shift_related_parts(zin: zipfile.ZipFile, parts: dict[str, str], sheet: str, r0: int, count: int,
                         replaced: dict[str, bytes]) -> dict[str, bytes]:
    """Move what belongs to the inserted-at rows along with them, as Excel does: notes, drawings
    (images, charts, shapes), tables, and every reference to the sheet's rows from other parts."""
    part = parts[sheet]
    updates: dict[str, bytes] = {}

    def current(name: str) -> bytes:
        return updates.get(name) or replaced.get(name) or zin.read(name)

    targets = _sheet_rel_targets(zin, part)
    # Notes (legacy and threaded), tables and pivot tables: every ref/sqref attribute is a range on this sheet.
    for kind in ("comments", "threadedComment", "table", "pivotTable"):
        for target in targets.get(kind, []):
            root = _parse(current(target), target)
            changed = False
            for element in root.iter():
                if isinstance(element.tag, str) and "ref" in element.attrib:
                    ref = shift_refs(element.get("ref"), r0, count)
                    changed |= ref != element.get("ref")
                    element.set("ref", ref)
            if changed:  # untouched parts keep their bytes
                updates[target] = _xml_bytes(root)
    # VML (notes, form buttons) and DrawingML anchors are edited as bytes: Excel may write VML in a
    # legacy encoding, and everything but the row numbers must stay byte for byte.
    for vml in targets.get("vmlDrawing", []):
        def row_move(m: re.Match) -> bytes:
            return m.group(1) + str(_moved_row(int(m.group(2)), r0, count)).encode() + m.group(3)

        def anchor_move(m: re.Match) -> bytes:
            nums = [int(n) for n in m.group(2).split(b",")]
            if len(nums) != 8:
                return m.group(0)
            nums[2] = _moved_row(nums[2], r0, count)
            nums[6] = _moved_row(nums[6], r0, count)
            return m.group(1) + ", ".join(map(str, nums)).encode() + m.group(3)

        def link_move(m: re.Match) -> bytes:  # a control's linked cell or list range
            try:
                return m.group(1) + shift_formula(m.group(2).decode("utf-8"), sheet, r0, count, home=sheet).encode() + m.group(3)
            except UnicodeDecodeError:
                return m.group(0)

        data = current(vml)
        data = re.sub(rb"(<x:Row>\s*)(\d+)(\s*</x:Row>)", row_move, data)
        data = re.sub(rb"(<x:Anchor>\s*)([\d,\s]+?)(\s*</x:Anchor>)", anchor_move, data)
        data = re.sub(rb"(<x:Fmla(?:Link|Range)>)([^<]*)(</x:Fmla(?:Link|Range)>)", link_move, data)
        updates[vml] = data
    for drawing in targets.get("drawing", []):
        updates[drawing] = re.sub(rb"(<(?:[\w.-]+:)?row>\s*)(\d+)(\s*</(?:[\w.-]+:)?row>)",
                                  lambda m: m.group(1) + str(_moved_row(int(m.group(2)), r0, count)).encode() + m.group(3),
                                  current(drawing))

    # References to the sheet from elsewhere: defined names, other sheets' formulas, charts, pivot caches.
    names = {xml_escape(sheet).encode(), xml_escape(sheet.replace("'", "''")).encode()}
    homes = {p: name for name, p in parts.items()}
    for name in zin.namelist():
        if name == part or not (name == "xl/workbook.xml" or name in homes or
                                (name.startswith(("xl/charts/", "xl/pivotCache/")) and name.endswith(".xml"))):
            continue
        data = current(name)
        if not any(n in data for n in names):
            continue
        root = _parse(data, name)
        changed = False
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = etree.QName(element).localname
            if element.text and (local in _FORMULA_TAGS or local == "definedName"):
                text = shift_formula(element.text, sheet, r0, count, home=homes.get(name))
                changed |= text != element.text
                element.text = text
            if local == "hyperlink" and element.get("location"):
                text = shift_formula(element.get("location"), sheet, r0, count, home=homes.get(name))
                changed |= text != element.get("location")
                element.set("location", text)
            if local == "worksheetSource" and (element.get("sheet") or "").casefold() == sheet.casefold() \
                    and element.get("ref"):
                text = shift_refs(element.get("ref"), r0, count)
                changed |= text != element.get("ref")
                element.set("ref", text)
        if changed:
            updates[name] = _xml_bytes(root)
    return updates


def _calc_chain_removal(zin: zipfile.ZipFile, replaced: dict[str, bytes]) -> set[str]:
    """Excel rebuilds calcChain.xml; a stale one that names removed formulas makes it 'repair' the file."""
    if "xl/calcChain.xml" not in zin.namelist():
        return set()
    types = (replaced.get("[Content_Types].xml") or zin.read("[Content_Types].xml")).decode("utf-8")
    replaced["[Content_Types].xml"] = re.sub(r'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', "", types).encode("utf-8")
    rels = (replaced.get("xl/_rels/workbook.xml.rels") or zin.read("xl/_rels/workbook.xml.rels")).decode("utf-8")
    replaced["xl/_rels/workbook.xml.rels"] = re.sub(r'<Relationship[^>]*Target="[^"]*calcChain.xml"[^>]*/>', "", rels).encode("utf-8")
    return {"xl/calcChain.xml"}
