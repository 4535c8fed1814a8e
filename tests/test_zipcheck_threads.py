"""The package check inflates members on two threads (zipcheck._verify_all): the same members kept, and for a
package broken in several places, the error of the first broken member in the zip's order, whichever thread met it."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from xlplan.adapters.package.zipcheck import check_package
from xlplan.errors import WorkbookReadError


def _damaged(data: bytes, part: str) -> bytes:
    """The member's compressed bytes garbled in the middle (its CRC no longer matches)."""
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", buffer, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    for i in range(start, start + 8):
        buffer[i] ^= 0x5A
    return bytes(buffer)


def _sheets_by_size(data: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    return sorted((i for i in infos if i.filename.startswith("xl/worksheets/sheet") and i.compress_size > 400),
                  key=lambda i: i.compress_size)


def test_the_kept_members_are_the_members(sample_book):
    data = sample_book.read_bytes()
    with check_package(sample_book, keep=lambda name: name.startswith("xl/worksheets/")) as archive:
        kept = dict(archive.kept)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        expected = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}
    assert kept == expected


@pytest.mark.parametrize("which", ["largest", "smallest"])
def test_one_broken_member_is_named(sample_book, tmp_path, which):
    """The largest member goes to the helper thread, the smallest stays on this one."""
    data = sample_book.read_bytes()
    sheets = _sheets_by_size(data)
    part = (sheets[-1] if which == "largest" else sheets[0]).filename
    broken = tmp_path / "壊れた.xlsm"
    broken.write_bytes(_damaged(data, part))
    with pytest.raises(WorkbookReadError, match=f"部品「{part}」が壊れています"):
        check_package(broken)


def test_of_two_broken_members_the_first_in_the_zip_is_named(sample_book, tmp_path):
    data = sample_book.read_bytes()
    sheets = _sheets_by_size(data)
    large, small = sheets[-1], sheets[0]
    first = min((large, small), key=lambda i: i.header_offset).filename
    broken = tmp_path / "二つ壊れた.xlsm"
    broken.write_bytes(_damaged(_damaged(data, large.filename), small.filename))
    for _ in range(5):   # whichever thread finishes first
        with pytest.raises(WorkbookReadError, match=f"部品「{first}」が壊れています"):
            check_package(broken)
