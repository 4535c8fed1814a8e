"""Apply write operations to a workbook file by patching only the sheets they touch.

Everything else in the package (VBA, buttons, comments, images, charts, other
sheets, styles) is copied through unchanged, which is why xlplan does not
round-trip workbooks through openpyxl. Inside a touched sheet only <sheetData>
changes, plus the row numbers of ranges when rows are inserted.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import defaultdict
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import etree

from xlplan.errors import WorkbookWriteError
from xlplan.fileio import atomic_write_bytes
from xlplan.layout.a1 import cell_name, col_index
from xlplan.layout.cells import Formula
from xlplan.layout.ops import FitRows, InsertRows, Op, ReplaceValues, SetValues
from xlplan.layout.rowheight import row_height

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_C = f"{{{NS}}}c"
_ROW = f"{{{NS}}}row"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_REF_RE = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")
_CELL_REF_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _parse(xml: bytes, part: str) -> etree._Element:
    if b"<!DOCTYPE" in xml[:2048] or b"<!ENTITY" in xml[:4096]:
        raise WorkbookWriteError(f"ブックの部品「{part}」に DTD が含まれているため、安全のため処理しません。")
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookWriteError(f"ブックの部品「{part}」が壊れています（{exc}）。Excel で開いて保存し直してください。") from None


def sheet_part_map(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part, following workbook.xml and workbook.xml.rels."""
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
        c.set("t", "str")
        etree.SubElement(c, f"{{{NS}}}f").text = value.text
        etree.SubElement(c, f"{{{NS}}}v").text = value.cached
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


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)[:32767]  # Excel's cell limit


class _Sheet:
    """A worksheet's <sheetData> as rows of cells, editable by (row, col)."""

    def __init__(self, xml: bytes, part: str):
        self.part = part
        self.root = _parse(xml, part)
        self.data = self.root.find(f"{{{NS}}}sheetData")
        if self.data is None:
            raise WorkbookWriteError(f"シートの部品「{part}」に sheetData がありません。")
        self.rows: dict[int, etree._Element] = {}
        for row in self.data.iterfind(_ROW):
            self.rows[int(row.get("r")) - 1] = row
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

    def fit_rows(self, r0: int, count: int, wrapping: set[str], strings: list[str]) -> None:
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

    def clear_from(self, r0: int) -> None:
        """Remove values from row r0 down; cells keep their formats."""
        for r in [r for r in self.rows if r >= r0]:
            row = self.rows[r]
            for c in list(row.iterfind(_C)):
                if c.find(f"{{{NS}}}f") is not None:
                    self.formulas_changed = True
                if c.get("s") is None or c.get("s") == self.col_styles.get(col_index(_CELL_REF_RE.match(c.get("r")).group(1))):
                    row.remove(c)
                else:
                    _set_value(c, None)
            if len(row) == 0 and not row.get("ht") and not row.get("customFormat") and not row.get("hidden"):
                del self.rows[r]

    def insert_rows(self, r0: int, count: int) -> None:
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
            for attr in ("sqref", "ref", "topLeftCell", "activeCell"):
                if attr in element.attrib and element.tag != _C:
                    element.set(attr, shift_refs(element.get(attr), r0, count))

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


def _cell_text(c: etree._Element, strings: list[str]) -> str | None:
    if c.get("t") == "inlineStr":
        return "".join(c.itertext())
    v = c.find(f"{{{NS}}}v")
    if v is None or v.text is None:
        return None
    if c.get("t") == "s":
        index = int(v.text)
        return strings[index] if index < len(strings) else None
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


def shift_refs(text: str, r0: int, count: int) -> str:
    """Move row numbers at or below 0-based row r0 down by count (Excel's row insert)."""
    def move(m: re.Match) -> str:
        row = int(m.group(4))
        if row - 1 >= r0:
            row += count
        return f"{m.group(1)}{m.group(2)}{m.group(3)}{row}"
    return _REF_RE.sub(move, text)


# ------------------------------------------------------------------ the package

def apply_ops(src: Path, ops: list[Op], dst: Path | None = None, *, backup: bool = False) -> Path:
    """Write the workbook at src with ops applied to dst (default: src, atomically)."""
    src = Path(src)
    dst = Path(dst) if dst else src
    data = patch_package(src.read_bytes(), ops)
    atomic_write_bytes(dst, data, backup=backup and dst == src)
    return dst


def patch_package(package: bytes, ops: list[Op]) -> bytes:
    with zipfile.ZipFile(BytesIO(package)) as zin:
        parts = sheet_part_map(zin)
        by_sheet: dict[str, list[Op]] = defaultdict(list)
        for op in ops:
            if op.sheet not in parts:
                raise WorkbookWriteError(f"シート「{op.sheet}」がないため書き込めません。", sheet=op.sheet)
            by_sheet[op.sheet].append(op)
        replaced: dict[str, bytes] = {}
        formulas_changed = False
        wrapping: set[str] | None = None
        strings: list[str] | None = None
        for sheet, sheet_ops in by_sheet.items():
            part = parts[sheet]
            edit = _Sheet(zin.read(part), part)
            for op in sheet_ops:
                if isinstance(op, InsertRows):
                    _check_insertable(zin, part, sheet)
                    edit.insert_rows(op.row, op.count)
                    replaced.update(_shift_related_parts(zin, part, op.row, op.count, replaced))
                elif isinstance(op, ReplaceValues):
                    edit.clear_from(op.row)
                    edit.set_block(op.row, 0, op.values)
                elif isinstance(op, SetValues):
                    edit.set_block(op.row, op.col, op.values)
                elif isinstance(op, FitRows):
                    if wrapping is None:
                        wrapping, strings = _styles_info(zin), _shared_strings(zin)
                    edit.fit_rows(op.row, op.count, wrapping, strings or [])
            replaced[part] = edit.to_bytes()
            formulas_changed |= edit.formulas_changed
        drop = _calc_chain_removal(zin, replaced) if formulas_changed else set()
        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename in drop:
                    continue
                content = replaced.get(info.filename)
                if content is None:
                    content = zin.read(info.filename)
                new_info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                new_info.compress_type = zipfile.ZIP_DEFLATED
                new_info.external_attr = info.external_attr
                zout.writestr(new_info, content)
        return out.getvalue()


def _sheet_rel_targets(zin: zipfile.ZipFile, part: str) -> dict[str, list[str]]:
    """Relationship type suffix (comments, vmlDrawing, drawing, table …) → parts."""
    rels_part = _rels_of(part)
    if rels_part not in zin.namelist():
        return {}
    rels = _parse(zin.read(rels_part), rels_part)
    result: dict[str, list[str]] = defaultdict(list)
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        result[rel.get("Type").rsplit("/", 1)[-1]].append(_resolve(part, rel.get("Target")))
    return result


def _check_insertable(zin: zipfile.ZipFile, part: str, sheet: str) -> None:
    targets = _sheet_rel_targets(zin, part)
    for kind in ("table", "pivotTable"):
        if targets.get(kind):
            raise WorkbookWriteError(
                f"シート「{sheet}」にテーブル（ListObject）やピボットテーブルがあるため、行を挿入できません。"
                "テーブルを範囲に変換するか、-o で別のファイルに書き出した上で手作業で移してください。", sheet=sheet)


def _shift_related_parts(zin: zipfile.ZipFile, part: str, r0: int, count: int, replaced: dict[str, bytes]) -> dict[str, bytes]:
    """Move notes and drawings anchored at or below the inserted rows along with their cells."""
    updates: dict[str, bytes] = {}
    targets = _sheet_rel_targets(zin, part)
    for comments in targets.get("comments", []):
        xml = replaced.get(comments) or zin.read(comments)
        root = _parse(xml, comments)
        for c in root.iter(f"{{{NS}}}comment"):
            c.set("ref", shift_refs(c.get("ref"), r0, count))
        updates[comments] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    for vml in targets.get("vmlDrawing", []):
        text = (replaced.get(vml) or zin.read(vml)).decode("utf-8", "replace")

        def row_move(m: re.Match) -> str:
            row = int(m.group(2))
            return f"{m.group(1)}{row + count if row >= r0 else row}{m.group(3)}"

        def anchor_move(m: re.Match) -> str:
            nums = [int(n) for n in m.group(2).split(",")]
            if len(nums) == 8:
                nums[2] += count if nums[2] >= r0 else 0
                nums[6] += count if nums[6] >= r0 else 0
            return f"{m.group(1)}{', '.join(map(str, nums))}{m.group(3)}"

        text = re.sub(r"(<x:Row>)(\d+)(</x:Row>)", row_move, text)
        text = re.sub(r"(<x:Anchor>\s*)([\d,\s]+?)(\s*</x:Anchor>)", anchor_move, text)
        updates[vml] = text.encode("utf-8")
    for drawing in targets.get("drawing", []):
        text = (replaced.get(drawing) or zin.read(drawing)).decode("utf-8")
        text = re.sub(r"(<xdr:row>)(\d+)(</xdr:row>)",
                      lambda m: f"{m.group(1)}{int(m.group(2)) + count if int(m.group(2)) >= r0 else m.group(2)}{m.group(3)}",
                      text)
        updates[drawing] = text.encode("utf-8")
    return updates


def _calc_chain_removal(zin: zipfile.ZipFile, replaced: dict[str, bytes]) -> set[str]:
    """Excel rebuilds calcChain.xml; a stale one that names removed formulas makes it 'repair' the file."""
    if "xl/calcChain.xml" not in zin.namelist():
        return set()
    types = zin.read("[Content_Types].xml").decode("utf-8")
    replaced["[Content_Types].xml"] = re.sub(r'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', "", types).encode("utf-8")
    rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    replaced["xl/_rels/workbook.xml.rels"] = re.sub(r'<Relationship[^>]*Target="[^"]*calcChain.xml"[^>]*/>', "", rels).encode("utf-8")
    return {"xl/calcChain.xml"}
