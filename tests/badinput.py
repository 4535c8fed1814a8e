"""A corpus of broken workbooks, made at test time from a good one (nothing binary is committed).

Each Case turns the sample workbook's bytes into one broken input, by a small
edit of the zip or of one XML part, or by building another file with
XlsxWriter. The helpers at the top (rezip, edit_xml, set_cell …) are also used
by the preservation tests to add Excel-written content to a workbook.

A case says what the CLI must do with it:
- validate: "refuse" (exit 2, a Japanese message naming the problem), "finding"
  (exit 1, a finding with `code` at `sheet`/`cell`) or "ok" (exit 0);
- write: what populate and schedule do: "refuse" or "ok".
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import xlsxwriter
from lxml import etree

from xlplan.adapters.package import sheet_part_map
from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, col_index, parse_cell
from xlplan.layout.read import ReadResult, read_plan

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


# ------------------------------------------------------------------ zip and XML helpers

def members(data: bytes) -> dict[str, bytes]:
    """Every part of a package, decompressed, in zip order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def read_member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name)


def rezip(data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The package with parts replaced (None removes one) and parts added at the end."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
            else:
                zout.writestr(info.filename, zin.read(info.filename))
        for name, content in (add or {}).items():
            zout.writestr(name, content)
    return out.getvalue()


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def edit_xml(data: bytes, part: str, edit: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(read_member(data, part))
    edit(root)
    return rezip(data, {part: xml_bytes(root)})


def sheet_part(data: bytes, sheet: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sheet_part_map(z)[sheet]


def edit_sheet(data: bytes, sheet: str, edit: Callable[[etree._Element], None]) -> bytes:
    return edit_xml(data, sheet_part(data, sheet), edit)


def sheet_rels_part(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def get_cell(root: etree._Element, ref: str) -> etree._Element:
    """The <c> element for ref, created (with its row) in order when missing."""
    row_index, col = parse_cell(ref)
    data = root.find(q("sheetData"))
    row = None
    for r in data.iterfind(q("row")):
        n = int(r.get("r"))
        if n == row_index + 1:
            row = r
            break
        if n > row_index + 1:
            row = etree.Element(q("row"), r=str(row_index + 1))
            r.addprevious(row)
            break
    if row is None:
        row = etree.SubElement(data, q("row"), r=str(row_index + 1))
    row.attrib.pop("spans", None)
    for c in row.iterfind(q("c")):
        c_col = col_index(re.match(r"[A-Z]+", c.get("r")).group(0))
        if c_col == col:
            return c
        if c_col > col:
            new = etree.Element(q("c"), r=ref)
            c.addprevious(new)
            return new
    return etree.SubElement(row, q("c"), r=ref)


def set_cell(root: etree._Element, ref: str, value=None, *, formula: str | None = None, error: str | None = None,
             style: int | None = None) -> None:
    """Write a value as Excel stores it: text inline, numbers as <v>, error values as t="e"."""
    c = get_cell(root, ref)
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)
    if style is not None:
        c.set("s", str(style))
    if formula is not None:
        etree.SubElement(c, q("f")).text = formula
    if error is not None:
        c.set("t", "e")
        etree.SubElement(c, q("v")).text = error
    elif isinstance(value, str):
        if formula is not None:
            c.set("t", "str")
            etree.SubElement(c, q("v")).text = value
        else:
            c.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(c, q("is")), q("t")).text = value
    elif value is not None:
        etree.SubElement(c, q("v")).text = repr(value) if isinstance(value, float) else str(value)


def add_cell_style(data: bytes, num_fmt_id: int) -> tuple[bytes, int]:
    """Append a cellXfs entry with a built-in number format (14 = date); returns its index."""
    root = etree.fromstring(read_member(data, "xl/styles.xml"))
    xfs = root.find(q("cellXfs"))
    etree.SubElement(xfs, q("xf"), numFmtId=str(num_fmt_id), fontId="0", fillId="0", borderId="0", xfId="0",
                     applyNumberFormat="1")
    xfs.set("count", str(len(xfs)))
    return rezip(data, {"xl/styles.xml": xml_bytes(root)}), len(xfs) - 1


def remove_sheet(data: bytes, sheet: str) -> bytes:
    def edit(root):
        for s in root.iter(q("sheet")):
            if s.get("name") == sheet:
                s.getparent().remove(s)
    return edit_xml(data, "xl/workbook.xml", edit)


def rename_sheet(data: bytes, old: str, new: str) -> bytes:
    def edit(root):
        for s in root.iter(q("sheet")):
            if s.get("name") == old:
                s.set("name", new)
    return edit_xml(data, "xl/workbook.xml", edit)


def excel_date_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


# ------------------------------------------------------------------ the good workbook

class Good:
    """The sample workbook, and where things are in it."""

    def __init__(self, data: bytes, path) -> None:
        self.data = data
        path.write_bytes(data)
        self.read: ReadResult = read_plan(read_values(path))
        self.domain = self.read.layout.domains[0]
        self.table = self.read.layout.domain_tables[self.domain]

    def cell(self, key: str, measure: int = 0, kpi: int = 0) -> str:
        rows = self.read.rows[self.domain][measure]
        row = rows.first_row if key.startswith(("measure.", "fy:")) else rows.kpi_rows[kpi]
        return self.table.cell(row, key)

    def header(self, key: str) -> str:
        return self.table.cell(self.table.header_row, key)

    @property
    def info_value_cell(self) -> str:
        return cell_name(L.INFO_FIELD["start_fy"].row, L.INFO_VALUE_COL)

    @cached_property
    def new_catalog_id(self) -> str:
        """A catalog measure the sample does not have yet, so populate really inserts rows."""
        from xlplan.core.populate import in_plan

        present = set(in_plan(self.read.plan, load_catalog()))   # by catalog id or by the same name
        for c in load_catalog().measures:
            if c.adoptable and c.id not in present and c.domain == self.domain:
                return c.id
        raise AssertionError("no new catalog measure for the sample")

    def with_cells(self, sheet: str, cells: dict[str, dict]) -> bytes:
        return with_cells(self.data, sheet, cells)


def with_cells(data: bytes, sheet: str, cells: dict[str, dict]) -> bytes:
    """The package with cells of one sheet set: {"B7": {"value": 1, "style": 3}, …} (see set_cell)."""
    def edit(root):
        for ref, kwargs in cells.items():
            set_cell(root, ref, **kwargs)
    return edit_sheet(data, sheet, edit)


# ------------------------------------------------------------------ the cases

@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Good], bytes]
    validate: str = "refuse"          # refuse | finding | ok
    write: str | None = None          # populate: refuse | ok (default: refuse when validate refuses)
    schedule: str | None = None       # schedule: refuse | ok (default: as populate)
    says: tuple[str, ...] = ()        # substrings of the message (refuse) or of the finding's message
    sheet: str | None = None          # where the message/finding must point
    cell: Callable[[Good], str] | str | None = None
    code: str | None = None
    suffix: str = ".xlsm"
    write_says: tuple[str, ...] = ()

    @property
    def write_expect(self) -> str:
        return self.write or ("refuse" if self.validate == "refuse" else "ok")

    @property
    def schedule_expect(self) -> str:
        return self.schedule or self.write_expect

    def cell_of(self, good: Good) -> str | None:
        return self.cell(good) if callable(self.cell) else self.cell


def _xlsxwriter(build: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    build(wb)
    wb.close()
    return out.getvalue()


def _empty_workbook(good: Good) -> bytes:
    return _xlsxwriter(lambda wb: wb.add_worksheet())


def _foreign_workbook(good: Good) -> bytes:
    def build(wb):
        ws = wb.add_worksheet("売上")
        ws.write_row(0, 0, ["月", "売上", "前年比"])
        for i in range(12):
            ws.write_row(i + 1, 0, [f"{i + 1}月", 1000 * (i + 1)])
            ws.write_formula(i + 1, 2, f"=B{i + 2}/1000", None, i + 1)
        wb.add_worksheet("集計").write(0, 0, "合計")
    return _xlsxwriter(build)


def _billion_laughs(levels: int = 9) -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                           for i in range(1, levels + 1)]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE worksheet [' + "".join(entities) + "]>"
            f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol{levels};</t></is></c>'
            "</row></sheetData></worksheet>").encode()


def _xml_bomb_sheet(good: Good) -> bytes:
    return rezip(good.data, {sheet_part(good.data, good.domain): _billion_laughs()})


def _padded_dtd_shared_strings(good: Good) -> bytes:
    # the DTD hidden after 8 KB of comment, past any "first few bytes" check
    original = read_member(good.data, "xl/sharedStrings.xml")
    decl, rest = original.split(b"?>", 1)
    bomb = (decl + b"?>" + b"<!--" + b" " * 8192 + b"-->" + b'<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + rest)
    return rezip(good.data, {"xl/sharedStrings.xml": bomb})


def _zip_bomb(good: Good) -> bytes:
    """200 MB of zeros in one member (about 200 KB compressed), streamed so nothing big is in memory."""
    out = io.BytesIO(good.data)
    out.seek(0, 2)
    chunk = bytes(4 * 1024 * 1024)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z, \
            z.open("xl/media/image9.bin", "w", force_zip64=True) as member:
        for _ in range(50):
            member.write(chunk)
    return out.getvalue()


def _forged_size_bomb(good: Good) -> bytes:
    """A member whose headers declare 1 KB but which inflates to 20 MB: the declared size is a lie."""
    name = "xl/media/image8.bin"
    buffer = bytearray(rezip(good.data, add={name: bytes(20 * 1024 * 1024)}))
    fake_size, fake_crc = 1024, zlib.crc32(bytes(1024))
    with zipfile.ZipFile(io.BytesIO(bytes(buffer))) as z:
        local, central = z.getinfo(name).header_offset, z.start_dir
    struct.pack_into("<L", buffer, local + 14, fake_crc)
    struct.pack_into("<L", buffer, local + 22, fake_size)
    while bytes(buffer[central + 46:central + 46 + len(name)]) != name.encode():
        central = bytes(buffer).index(b"PK\x01\x02", central + 4)
    struct.pack_into("<L", buffer, central + 16, fake_crc)
    struct.pack_into("<L", buffer, central + 24, fake_size)
    return bytes(buffer)


def _too_many_members(good: Good) -> bytes:
    out = io.BytesIO(good.data)
    out.seek(0, 2)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as z:
        for i in range(10_001):
            z.writestr(f"customXml/item{i}.xml", b"")
    return out.getvalue()


def _corrupt_member(good: Good) -> bytes:
    buffer = bytearray(good.data)
    part = sheet_part(good.data, good.domain)
    with zipfile.ZipFile(io.BytesIO(good.data)) as z:
        info = z.getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", buffer, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for i in range(start + info.compress_size // 2, start + info.compress_size // 2 + 16):
        buffer[i] ^= 0x5A
    return bytes(buffer)


def _encrypted(good: Good) -> bytes:
    import msoffcrypto.format.ooxml

    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(good.data)).encrypt("secret", out)
    return out.getvalue()


def _duplicate_member(good: Good) -> bytes:
    out = io.BytesIO(good.data)
    out.seek(0, 2)
    with zipfile.ZipFile(out, "a") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns "Duplicate name": that is the point
        z.writestr("xl/workbook.xml", b"<workbook/>")
    return out.getvalue()


def _move_header(good: Good) -> bytes:
    a, b = good.header("measure.owner"), good.header("measure.content")
    return good.with_cells(good.domain, {a: {"value": "内容"}, b: {"value": "担当課"}})


def _merged_across_measures(good: Good) -> bytes:
    first = good.cell("measure.owner", 1)
    second = good.cell("measure.owner", 2)

    def edit(root):
        merges = root.find(q("mergeCells"))
        etree.SubElement(merges, q("mergeCell"), ref=f"{first}:{second}")
        merges.set("count", str(len(merges)))
    return edit_sheet(good.data, good.domain, edit)


def _date_cell(good: Good, sheet: str, ref: str, day: dt.date) -> bytes:
    data, style = add_cell_style(good.data, 14)  # 14: Excel's built-in date format
    return with_cells(data, sheet, {ref: {"value": excel_date_serial(day), "style": style}})


def _formatted_empty_rows(good: Good) -> bytes:
    def edit(root):
        data = root.find(q("sheetData"))
        last = max(int(r.get("r")) for r in data.iterfind(q("row")))
        style = root.find(q("cols"))[0].get("style") or "1"
        for n in range(last + 1, last + 10_001):
            row = etree.SubElement(data, q("row"), r=str(n), s=style, customFormat="1", ht="18", customHeight="1")
            for col in range(3):
                etree.SubElement(row, q("c"), r=cell_name(n - 1, col), s=style)
    return edit_sheet(good.data, good.domain, edit)


def _hidden_rows(good: Good) -> bytes:
    rows = good.read.rows[good.domain]

    def edit(root):
        for r in root.find(q("sheetData")).iterfind(q("row")):
            if int(r.get("r")) - 1 in (rows[1].first_row, rows[2].first_row):
                r.set("hidden", "1")
    return edit_sheet(good.data, good.domain, edit)


def _protected(good: Good) -> bytes:
    # what XlsxWriter's worksheet.protect() writes, right after sheetData
    def edit(root):
        root.find(q("sheetData")).addnext(etree.Element(q("sheetProtection"), sheet="1", objects="1", scenarios="1"))
    return edit_sheet(good.data, good.domain, edit)


def _huge_strings(good: Good) -> bytes:
    return good.with_cells(good.domain, {good.cell("measure.content"): {"value": "あ" * 32_767},
                                         good.cell("measure.notes"): {"value": "x" * 40_000}})


def _rows_without_numbers(good: Good) -> bytes:
    """Row and cell numbers are optional in OOXML; some tools leave them out."""
    def edit(root):
        data = root.find(q("sheetData"))
        rows = list(data.iterfind(q("row")))
        numbers = [int(r.get("r")) for r in rows]
        contiguous = numbers == list(range(1, len(numbers) + 1))
        for r in rows:
            if contiguous:
                r.attrib.pop("r")
            cells = list(r.iterfind(q("c")))
            if [col_index(re.match(r"[A-Z]+", c.get("r")).group(0)) for c in cells] == list(range(len(cells))):
                for c in cells:
                    c.attrib.pop("r")
    return edit_sheet(good.data, L.INFO, edit)


def _table_over_measures(good: Good) -> bytes:
    """An Excel table (ListObject, as Excel writes it) laid over the measure table of a domain sheet."""
    part = sheet_part(good.data, good.domain)
    rows = good.read.rows[good.domain]
    last = max(r.last_row for r in rows) + 5  # with a few empty rows below, as tables often have
    width = len(good.table.columns)
    ref = f"A{good.table.header_row + 1}:{cell_name(last, width - 1)}"
    columns = "".join(f'<tableColumn id="{i + 1}" name="{c.header.replace(chr(10), "_x000a_")}"/>'
                      for i, c in enumerate(good.table.columns))
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="{NS}" id="1" name="Table1" '
             f'displayName="施策表" ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
             f'<tableColumns count="{width}">{columns}</tableColumns>'
             '<tableStyleInfo name="TableStyleMedium9" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
             'showColumnStripes="0"/></table>').encode()
    rels_part = sheet_rels_part(part)
    rels = etree.fromstring(read_member(good.data, rels_part))
    etree.SubElement(rels, q("Relationship", PKG_REL_NS), Id="rId90",
                     Type=f"{REL_NS}/table", Target="../tables/table1.xml")
    sheet = etree.fromstring(read_member(good.data, part))
    auto = sheet.find(q("autoFilter"))
    auto.getparent().remove(auto)  # a table brings its own filter
    parts = etree.SubElement(sheet, q("tableParts"), count="1")
    etree.SubElement(parts, q("tablePart")).set(f"{{{REL_NS}}}id", "rId90")
    types = etree.fromstring(read_member(good.data, "[Content_Types].xml"))
    etree.SubElement(types, q("Override", CT_NS), PartName="/xl/tables/table1.xml",
                     ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml")
    return rezip(good.data, {part: xml_bytes(sheet), rels_part: xml_bytes(rels), "[Content_Types].xml": xml_bytes(types)},
                 add={"xl/tables/table1.xml": table})


def _truncated_sheet_xml(good: Good) -> bytes:
    part = sheet_part(good.data, good.domain)
    xml = read_member(good.data, part)
    return rezip(good.data, {part: xml[: len(xml) // 2]})


def _truncated_progress_xml(good: Good) -> bytes:
    """The 進捗管理 cut off: calamine fails on it in the background thread (xlsx_file.read_plan_file)."""
    part = sheet_part(good.data, L.PROGRESS)
    xml = read_member(good.data, part)
    return rezip(good.data, {part: xml[: len(xml) // 2]})


def _fy_header(good: Good) -> bytes:
    return good.with_cells(good.domain, {good.header(f"fy:{good.read.plan.start_fy + 1}"): {"value": "来年度"}})


def _start_fy(value=None, **kwargs) -> Callable[[Good], bytes]:
    return lambda good: good.with_cells(L.INFO, {good.info_value_cell: {"value": value, **kwargs}})


def _domain_cell(key: str, value=None, measure: int = 0, **kwargs) -> Callable[[Good], bytes]:
    return lambda good: good.with_cells(good.domain, {good.cell(key, measure): {"value": value, **kwargs}})


def _duplicate_ids(good: Good) -> bytes:
    first_id = good.read.rows[good.domain][0].measure_id
    return good.with_cells(good.domain, {good.cell("measure.id", 2): {"value": first_id}})


def _years_billion(good: Good) -> bytes:
    return good.with_cells(L.INFO, {cell_name(L.INFO_FIELD["years"].row, L.INFO_VALUE_COL): {"value": 1_000_000_000}})


def _value_far_away(ref: str) -> Callable[[Good], bytes]:
    """One stray value at the far end of the sheet: calamine would allocate every cell from A1 to it."""
    return lambda good: good.with_cells(good.domain, {ref: {"value": "x"}})


def _xlsb(good: Good) -> bytes:
    """What an .xlsb holds: a zip with binary parts (xl/workbook.bin) instead of XML."""
    types = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CT_NS}">'
             '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
             "</Types>").encode()
    return rezip(_empty_workbook(good), {"xl/workbook.xml": None, "[Content_Types].xml": types},
                 add={"xl/workbook.bin": b"\x83\x01\x00" * 100})


def _ods(good: Good) -> bytes:
    """An OpenDocument spreadsheet: the mimetype member first and stored, as the format requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>', compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _strict(good: Good) -> bytes:
    """Saved as "Strict Open XML Spreadsheet": the same parts, in the purl.oclc.org namespaces."""
    workbook = read_member(good.data, "xl/workbook.xml").replace(
        NS.encode(), b"http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
        REL_NS.encode(), b"http://purl.oclc.org/ooxml/officeDocument/relationships")
    return rezip(good.data, {"xl/workbook.xml": workbook})


def _picture_in_cell(good: Good) -> bytes:
    """A picture placed in a cell, as Excel stores it: an error cell (#VALUE!) with value metadata."""
    ref = good.cell("measure.content")

    def edit(root):
        set_cell(root, ref, error="#VALUE!")
        get_cell(root, ref).set("vm", "1")
    return edit_sheet(good.data, good.domain, edit)


def _truncated_shared_strings(good: Good) -> bytes:
    sst = read_member(good.data, "xl/sharedStrings.xml")
    cut = len(sst) // 2
    while sst[cut] & 0xC0 == 0x80:  # inside a UTF-8 character, as a cut-off write leaves it
        cut -= 1
    return rezip(good.data, {"xl/sharedStrings.xml": sst[:cut]})


def _deeply_nested(good: Good) -> bytes:
    """300 nested elements in a sheet's extension list: libxml2 refuses past 256 (an attack, not Excel)."""
    part = sheet_part(good.data, good.domain)
    xml = read_member(good.data, part)
    nest = b"<extLst>" + b'<ext uri="{x}"><a>' + b"<a>" * 300 + b"</a>" * 300 + b"</a></ext></extLst>"
    return rezip(good.data, {part: xml.replace(b"</worksheet>", nest + b"</worksheet>")})


def _duplicate_row(good: Good) -> bytes:
    """A domain sheet row written twice (a broken writer): the copy holds other values."""
    row = good.read.rows[good.domain][1].first_row + 1

    def edit(root):
        element = next(r for r in root.find(q("sheetData")).iterfind(q("row")) if int(r.get("r")) == row)
        copy = etree.fromstring(etree.tostring(element))
        for t in copy.iter(q("t")):
            t.text = "別の値"
        element.addnext(copy)
    return edit_sheet(good.data, good.domain, edit)


CASES: list[Case] = [
    # --- not a workbook at all
    Case("not_a_zip", lambda g: b"This is not a workbook.\n" * 40, says=("Excel ブック（.xlsx/.xlsm）ではありません",)),
    Case("xls_ole", lambda g: OLE_MAGIC + bytes(4096), suffix=".xls", says=("古い Excel 形式（.xls）",)),
    Case("csv_renamed", lambda g: "施策ID,施策名\nDG-01,電子申請\n".encode("utf-8-sig"), suffix=".xlsx",
         says=("Excel ブック（.xlsx/.xlsm）ではありません", "CSV")),
    Case("empty_file", lambda g: b"", says=("空のファイル",)),
    Case("encrypted_ooxml", _encrypted, says=("パスワードで暗号化",)),
    # --- a workbook, but not xlplan's
    Case("empty_workbook", _empty_workbook, suffix=".xlsx", says=("シート「基本情報」がありません",)),
    Case("foreign_workbook", _foreign_workbook, suffix=".xlsx", says=("シート「基本情報」がありません", "売上")),
    Case("missing_info_sheet", lambda g: remove_sheet(g.data, L.INFO), says=("シート「基本情報」がありません",)),
    Case("missing_domain_sheet", lambda g: remove_sheet(g.data, g.domain), says=("シート「電子行政」がありません",)),
    Case("missing_programs_sheet", lambda g: remove_sheet(g.data, L.PROGRAMS), says=("シート「国・県の施策」がありません",)),
    Case("missing_catalog_sheet", lambda g: remove_sheet(g.data, L.CATALOG), says=("シート「施策カタログ」がありません",)),
    Case("renamed_domain_sheet", lambda g: rename_sheet(g.data, "観光", "観光 (2)"), says=("シート「観光」がありません", "観光 (2)")),
    Case("renamed_header", lambda g: g.with_cells(g.domain, {g.header("measure.name"): {"value": "事業名"}}),
         says=("見出し", "施策名", "事業名"), sheet="電子行政", cell=lambda g: g.header("measure.name")),
    Case("moved_headers", _move_header, says=("見出し", "内容"), sheet="電子行政",
         cell=lambda g: g.header("measure.content")),
    Case("info_label_moved", lambda g: g.with_cells(L.INFO, {cell_name(L.INFO_FIELD["start_fy"].row, L.INFO_LABEL_COL):
                                                             {"value": "開始年度"}}),
         says=("計画開始年度",), sheet=L.INFO, cell=cell_name(L.INFO_FIELD["start_fy"].row, L.INFO_LABEL_COL)),
    Case("fy_header_unreadable", _fy_header, says=("来年度", "年度として読めません"), sheet="電子行政",
         cell=lambda g: g.header(f"fy:{g.read.plan.start_fy + 1}")),
    # --- broken packages
    Case("truncated_zip", lambda g: g.data[: len(g.data) // 2], says=("壊れている",)),
    Case("corrupt_member", _corrupt_member, says=("壊れ", "xl/worksheets/")),
    Case("truncated_sheet_xml", _truncated_sheet_xml, says=("読み込めません",)),
    Case("truncated_progress_xml", _truncated_progress_xml, sheet=L.PROGRESS,
         says=("シートを読み込めません", "シートの中身（xl/worksheets/", "の XML が壊れています")),
    Case("missing_content_types", lambda g: rezip(g.data, {"[Content_Types].xml": None}), says=("Excel ブックではありません",)),
    Case("missing_workbook_rels", lambda g: rezip(g.data, {"xl/_rels/workbook.xml.rels": None}),
         says=("xl/_rels/workbook.xml.rels",)),
    Case("missing_sheet_part", lambda g: rezip(g.data, {sheet_part(g.data, "観光"): None}), says=("読み込めません",)),
    Case("duplicate_member", _duplicate_member, says=("同じ名前の部品", "xl/workbook.xml")),
    Case("traversal_member", lambda g: rezip(g.data, add={"../../../tmp/evil.txt": b"owned"}),
         says=("不正な名前", "../../../tmp/evil.txt")),
    Case("absolute_member", lambda g: rezip(g.data, add={"/etc/cron.d/evil": b"owned"}), says=("不正な名前",)),
    # --- attacks
    Case("xml_bomb", _xml_bomb_sheet, says=("DTD", "xl/worksheets/")),
    Case("xml_dtd_after_padding", _padded_dtd_shared_strings, says=("DTD", "xl/sharedStrings.xml")),
    Case("zip_bomb", _zip_bomb, says=("圧縮率", "xl/media/image9.bin")),
    Case("zip_bomb_forged_size", _forged_size_bomb, says=("申告より大きく", "xl/media/image8.bin")),
    Case("too_many_members", _too_many_members, says=("部品の数が多すぎる",)),
    # --- readable, with bad cells: findings that point at the cell
    Case("error_ref_in_number", _domain_cell("kpi.target_value", formula="#REF!*2", error="#REF!"), validate="finding",
         code="INPUT-ERROR-VALUE", sheet="電子行政", cell=lambda g: g.cell("kpi.target_value"), says=("#REF!",)),
    Case("error_na_in_name", _domain_cell("measure.name", formula="VLOOKUP(A1,Z:Z,2,FALSE)", error="#N/A"),
         validate="finding", code="INPUT-ERROR-VALUE", sheet="電子行政", cell=lambda g: g.cell("measure.name"),
         says=("#N/A",)),
    Case("error_div0_in_start_fy", _start_fy(formula="1/0", error="#DIV/0!"), validate="finding", write="refuse",
         code="INPUT-ERROR-VALUE", sheet=L.INFO, cell=lambda g: g.info_value_cell, says=("#DIV/0!",),
         write_says=("基本情報",)),
    Case("text_in_number", _domain_cell("kpi.target_value", "約100"), validate="finding", code="INPUT-NOT-NUMBER",
         sheet="電子行政", cell=lambda g: g.cell("kpi.target_value"), says=("約100",)),
    Case("date_for_target_fy", lambda g: _date_cell(g, g.domain, g.cell("kpi.target_fy"), dt.date(2030, 1, 15)),
         validate="finding", code="INPUT-DATE-FOR-YEAR", sheet="電子行政", cell=lambda g: g.cell("kpi.target_fy"),
         says=("2030/1/15",)),
    Case("date_for_start_fy", lambda g: _date_cell(g, L.INFO, g.info_value_cell, dt.date(2027, 4, 1)),
         validate="finding", write="refuse", code="INPUT-DATE-FOR-YEAR", sheet=L.INFO, cell=lambda g: g.info_value_cell,
         says=("2027/4/1",), write_says=("基本情報",)),
    Case("invalid_start_fy", _start_fy("令和"), validate="finding", write="refuse", code="INPUT-NOT-FY", sheet=L.INFO,
         cell=lambda g: g.info_value_cell, says=("令和",), write_says=("基本情報",)),
    Case("start_fy_out_of_range", _start_fy("2200"), validate="finding", write="refuse", code="INPUT-NOT-FY",
         sheet=L.INFO, cell=lambda g: g.info_value_cell, says=("範囲外",), write_says=("基本情報",)),
    Case("duplicate_measure_ids", _duplicate_ids, validate="finding", code="INPUT-DUPLICATE-ID", sheet="電子行政",
         cell=lambda g: g.cell("measure.id", 2), says=("DG-01",)),
    Case("merged_cells_across_measures", _merged_across_measures, validate="finding", code="INPUT-MERGED",
         sheet="電子行政", cell=lambda g: g.cell("measure.owner", 1), says=("結合",)),
    # --- unusual but fine: read as they are, written without loss
    Case("formatted_empty_rows_10000", _formatted_empty_rows, validate="ok"),
    Case("hidden_rows", _hidden_rows, validate="ok"),
    Case("huge_strings", _huge_strings, validate="ok"),
    Case("rows_without_numbers", _rows_without_numbers, validate="ok"),
    Case("formula_with_cached_value", _domain_cell("kpi.target_value", 1_000_000, formula="500000*2"), validate="ok"),
    # --- readable, but writing would lose or override something: refused with a way out
    Case("protected_domain_sheet", _protected, validate="ok", write="refuse", schedule="ok", write_says=("保護",), sheet="電子行政"),
    Case("table_over_measures", _table_over_measures, validate="ok", write="refuse", schedule="ok",
         write_says=("テーブル", "施策表", "-o 新しい名前.xlsm"), sheet="電子行政"),
    # --- issue 20: sizes from cells, formats named, parsers' English kept from the clerk
    Case("plan_years_billion", _years_billion, validate="finding", code="INPUT-YEARS", sheet=L.INFO,
         cell=lambda g: cell_name(L.INFO_FIELD["years"].row, L.INFO_VALUE_COL), says=("1〜10",)),
    Case("value_in_XFD1048576", _value_far_away("XFD1048576"), says=("XFD1048576", "Ctrl+End"), sheet="電子行政"),
    Case("value_in_A1048576", _value_far_away("A1048576"), says=("A1048576", "Ctrl+End"), sheet="電子行政"),
    Case("xlsb", _xlsb, suffix=".xlsb", says=("Excel バイナリブック（.xlsb）", "Excel マクロ有効ブック（*.xlsm）")),
    Case("ods", _ods, suffix=".ods", says=("OpenDocument のスプレッドシート（.ods）", "LibreOffice", ".xlsx")),
    Case("strict_ooxml", _strict, says=("Strict Open XML", "Excel マクロ有効ブック（*.xlsm）")),
    Case("picture_in_cell", _picture_in_cell, validate="finding", code="INPUT-PICTURE-IN-CELL", sheet="電子行政",
         cell=lambda g: g.cell("measure.content"), says=("画像",)),
    Case("truncated_shared_strings", _truncated_shared_strings, says=("文字列の一覧（xl/sharedStrings.xml）の XML が壊れています",)),
    Case("duplicate_row", _duplicate_row, says=("行目が2回書かれています",), sheet="電子行政"),
    Case("deeply_nested_xml", _deeply_nested, validate="ok", write="refuse", schedule="ok",
         write_says=("入れ子が深すぎます",)),
]
