"""Big sheets written in parallel: rows rendered and compressed where they are read, spliced in by the parent.

A prefecture's roll-up lists hundreds of thousands of measures and KPIs. Writing
them cell by cell in one process was the serial half of the roll-up, so each
worker renders its own rows as worksheet XML and deflates them (a raw deflate
stream ended with a sync flush, byte-aligned and therefore concatenable, as
pigz does). The parent builds the small sheets and the big sheets' headers with
XlsxWriter, then splices the blocks into the big sheets' zip members: it only
deflates the few bytes around them and combines the CRCs.

Rows and cells carry no ``r`` attribute: ECMA-376 makes it optional (cells and
rows then follow one another), Excel, LibreOffice and calamine read it so, and
it lets a block be rendered before its row numbers are known. Strings are
inline (no shared-strings table to merge).
"""

from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from xlplan.layout.celltext import cap_cell_text, ooxml_text

_EMPTY = b"<c/>"


@dataclass(frozen=True)
class RowBlock:
    """Rows as a raw deflate stream (sync-flushed, so blocks concatenate), with the CRC and size of the XML."""

    data: bytes
    crc: int
    size: int
    rows: int


def _cell(value: Any) -> bytes:
    if value is None or value == "":
        return _EMPTY
    if type(value) is str:   # plain text only: an enum member equal to its value must not share its entry
        return _text_cell(value)
    if isinstance(value, bool):
        return b'<c t="b"><v>%d</v></c>' % value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return _EMPTY
        return b"<c><v>" + repr(value).encode() + b"</v></c>"
    return _text_cell.__wrapped__(str(value))


@lru_cache(maxsize=8192)   # pillars, kinds, units, the municipality's name … recur on every row
def _text_cell(value: str) -> bytes:
    text = ooxml_text(cap_cell_text(value))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'.encode()


def render_rows(rows: Iterable[Sequence[Any]]) -> RowBlock:
    """Worksheet XML for rows (without row or cell references), deflated into one concatenable block."""
    xml = b"".join(b"<row>" + b"".join(_cell(v) for v in row) + b"</row>" for row in rows)
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = compressor.compress(xml) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return RowBlock(data, zlib.crc32(xml), len(xml), xml.count(b"<row>"))


def crc_combine(crc1: int, crc2: int, size2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B): the update is affine in state and data, so
    crc(B, c1) = crc(0ⁿ, c1) ^ crc(B, 0) ^ crc(0ⁿ, 0) — two C-speed passes over n zero bytes."""
    zeros = bytes(size2)
    return zlib.crc32(zeros, crc1) ^ crc2 ^ zlib.crc32(zeros)


def splice(xlsx: bytes, blocks: dict[str, list[RowBlock]], last_row: dict[str, int]) -> bytes:
    """The workbook with each named sheet part's blocks appended after its existing rows.

    blocks maps a part name (xl/worksheets/sheet2.xml) to its blocks in order; the
    sheet's <dimension> is widened to last_row[part] (1-based). Other members are
    copied as they are (compressed bytes included).
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    central: list[bytes] = []
    for info in source.infolist():
        name = info.filename.encode("utf-8")
        if info.filename in blocks:
            xml = source.read(info)
            head, tail = xml.split(b"</sheetData>", 1)
            head = re.sub(rb'(<dimension ref="[A-Z]+1:[A-Z]+)\d+', lambda m: m.group(1) + str(last_row[info.filename]).encode(),
                          head, count=1)
            tail = b"</sheetData>" + tail
            pieces = [_deflate(head, zlib.Z_SYNC_FLUSH)]
            crc, size = zlib.crc32(head), len(head)
            for block in blocks[info.filename]:
                pieces.append(block.data)
                crc, size = crc_combine(crc, block.crc, block.size), size + block.size
            pieces.append(_deflate(tail, zlib.Z_FINISH))
            crc, size = crc_combine(crc, zlib.crc32(tail), len(tail)), size + len(tail)
            data, method = b"".join(pieces), zipfile.ZIP_DEFLATED
        else:
            header = source.fp
            header.seek(info.header_offset + 26)
            n, e = struct.unpack("<HH", header.read(4))
            header.seek(info.header_offset + 30 + n + e)
            data, method, crc, size = header.read(info.compress_size), info.compress_type, info.CRC, info.file_size
        offset = out.tell()
        flags = 0 if info.filename.isascii() else 0x800
        time, date = _dos_time(info.date_time)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, time, date, crc, len(data), size, len(name), 0))
        out.write(name)
        out.write(data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, time, date, crc, len(data), size,
                                   len(name), 0, 0, 0, 0, info.external_attr, offset) + name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(mode)


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d
