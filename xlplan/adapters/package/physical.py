"""The package as bytes: a workbook file read, its zip opened, a new zip written, the file replaced.

A new zip copies every unchanged part's compressed bytes as they are (no recompression: most
of the work of a write otherwise, and unchanged parts stay byte-identical); only replaced or
added parts are deflated anew. The file is replaced atomically through xlplan.fileio (temporary
file, fsync, rename), so a crash never leaves half a workbook.

Reading a file for the reader goes through zipcheck.check_package instead (sizes, CRCs, DTDs).

The workbook lock (one command at a time on a file) spans read_file … write_file and more: the
commands' whole read-modify-write (xlplan.adapters.lock, held by xlplan.adapters.file_edit); the
identity it takes is checked again by write_file just before the rename.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from xlplan.errors import WorkbookWriteError
from xlplan.fileio import FileIdentity, atomic_write_bytes, os_reason


def read_file(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise WorkbookWriteError(f"「{path}」を読み込めません（{os_reason(exc)}）。") from None


def write_file(path: Path, data: bytes, *, backup: bool = False, overwrite: bool = True,
               expect: FileIdentity | None = None, elsewhere: str = "別の名前で保存してください") -> None:
    """Replace the file atomically (a backup of the old one first when asked); overwrite=False: only
    as a new file; expect: the identity the file had when read, checked again just before the rename."""
    atomic_write_bytes(Path(path), data, backup=backup, overwrite=overwrite, expect=expect, elsewhere=elsewhere)


def open_zip(package: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(package))
    except zipfile.BadZipFile:
        raise WorkbookWriteError("ブックが壊れているため書き込めません（zip として読めません）。"
                                 "バックアップから戻すか、Excel で開いて保存し直してください。") from None


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def write_zip(package: bytes, infos: list[zipfile.ZipInfo], replaced: dict[str, bytes], drop: set[str],
              added: dict[str, bytes] | None = None) -> bytes:
    """The package again in its zip order, without the dropped parts, replaced parts deflated
    anew, every other part's compressed bytes copied as they are, and added parts at the end."""
    out = BytesIO()
    central = []
    entries: list[tuple[zipfile.ZipInfo, bytes | None]] = [
        (info, replaced.get(info.filename)) for info in infos if info.filename not in drop]
    stamp = max((info.date_time for info in infos), default=(1980, 1, 1, 0, 0, 0))
    entries += [(zipfile.ZipInfo(name, stamp), content) for name, content in (added or {}).items()]
    for info, content in entries:
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0  # UTF-8 names; no data descriptor
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
