"""Opening a workbook file for reading only after checking it is a sane OOXML zip.

Sizes and CRCs written in the zip are not trusted: every member is inflated once, counting bytes
as they come, so a forged zip bomb, a DTD (XML bomb), an encrypted or old-format workbook, or a
member with a path-like name is refused with a Japanese message before any reader parses it; so are
a device or pipe given as the file, and zip-based formats xlplan does not read (.xlsb, .ods, Strict
OOXML), each named with how to convert it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from xlplan.adapters.package.safexml import has_dtd
from xlplan.errors import WorkbookReadError
from xlplan.fileio import check_regular_input, os_reason

MAX_UNCOMPRESSED = 300 * 1024 * 1024   # a planning workbook is a few MB; refuse zip bombs
MAX_RATIO = 200                         # per-member compression ratio limit
MAX_MEMBERS = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1024 * 1024


class CheckedZip(zipfile.ZipFile):
    """A package whose members were all inflated and checked; the members kept from that pass
    (the sheets a reader scans next) are read from memory instead of being inflated again."""

    kept: dict[str, bytes]

    def read(self, name, pwd=None):  # noqa: ANN001, ANN201 — zipfile.ZipFile.read's signature
        data = self.kept.pop(name, None) if isinstance(name, str) else None
        return data if data is not None else super().read(name, pwd)


def check_package(path: Path, keep: Callable[[str], bool] | None = None) -> zipfile.ZipFile:
    """Open a workbook as a zip after checking it is one, of sane size, and OOXML.

    Every member is inflated once here, counting bytes as they come: sizes and
    CRCs written in the zip are not trusted, so a forged zip bomb or a DTD
    (XML bomb) is refused before calamine or lxml ever sees the package. The
    members `keep` names are kept as inflated (read() returns them once).
    """
    path = Path(path)
    if not path.exists():
        raise WorkbookReadError(f"ファイル「{path}」が見つかりません。パスを確認してください。")
    if path.is_dir():
        raise WorkbookReadError(f"「{path}」はフォルダーです。ブックのファイルを指定してください。")
    check_regular_input(path)  # a named pipe would block the open below; a device never ends
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WorkbookReadError(f"「{path}」を読み込めません（{os_reason(exc)}）。ファイルのアクセス権を確認してください。") from None
    if not head:
        raise WorkbookReadError(f"「{path.name}」は空のファイル（0 バイト）です。保存に失敗した可能性があります。バックアップから戻してください。")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise WorkbookReadError(
                f"「{path.name}」はパスワードで暗号化されたブックのため読み込めません。Excel で開き、［ファイル］→［情報］→"
                "［ブックの保護］→［パスワードを使用して暗号化］でパスワードを消して保存し直してください。")
        raise WorkbookReadError(
            f"「{path.name}」は古い Excel 形式（.xls）か、パスワードで保護されたブックです。"
            "Excel で開いて「Excel マクロ有効ブック（.xlsm）」として保存し直し、保護を解除してから使ってください。")
    if not head.startswith(b"PK"):
        raise WorkbookReadError(
            f"「{path.name}」は Excel ブック（.xlsx/.xlsm）ではありません（CSV やテキストの可能性があります）。"
            "xlplan new で作ったブックを指定してください。")
    try:
        archive = CheckedZip(path)
        archive.kept = {}
        members = archive.infolist()
    except Exception:  # noqa: BLE001 — zipfile raises BadZipFile, but also ValueError, struct.error … on garbage
        raise WorkbookReadError(f"「{path.name}」は壊れているか、Excel ブックではありません（zip として読めません）。"
                                "バックアップから戻すか、Excel で開いて保存し直してください。") from None
    try:
        _check_format(path, archive)
        _check_members(path, archive, members, keep)
    except BaseException:
        archive.close()
        raise
    return archive


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_SAVE_AS_XLSM = "［ファイル］→［名前を付けて保存］で「Excel マクロ有効ブック（*.xlsm）」を選んで保存し直してください"


def _check_format(path: Path, archive: zipfile.ZipFile) -> None:
    """Zip-based formats that are not the OOXML xlplan reads: say which one, and how to convert it."""
    names = archive.NameToInfo
    if "xl/workbook.bin" in names:
        raise WorkbookReadError(f"「{path.name}」は Excel バイナリブック（.xlsb）のため読み込めません。Excel で開き、{_SAVE_AS_XLSM}。")
    if "mimetype" in names and archive.read("mimetype").strip().startswith(b"application/vnd.oasis.opendocument"):
        kind = "スプレッドシート（.ods）" if archive.read("mimetype").strip() == ODS_MIMETYPE else "文書"
        raise WorkbookReadError(
            f"「{path.name}」は OpenDocument の{kind}のため読み込めません。LibreOffice Calc などで開き、"
            "［名前を付けて保存］でファイルの種類を「Excel 2007-365 (.xlsx)」にして保存し、"
            "Excel で開いて「Excel マクロ有効ブック（*.xlsm）」として保存し直してください。")
    if "xl/workbook.xml" in names and names["xl/workbook.xml"].file_size < 10 * 2**20:
        head = archive.read("xl/workbook.xml")[:4096]
        if STRICT_NS in head:
            raise WorkbookReadError(
                f"「{path.name}」は「Strict Open XML スプレッドシート」形式で保存されているため読み込めません。"
                f"Excel で開き、{_SAVE_AS_XLSM}（Strict ではない形式になります）。")


def _check_members(path: Path, archive: CheckedZip, members: list[zipfile.ZipInfo],
                   keep: Callable[[str], bool] | None) -> None:
    if len(members) > MAX_MEMBERS:
        raise WorkbookReadError(f"「{path.name}」は部品の数が多すぎるため読み込みません（{len(members)}個）。")
    names: set[str] = set()
    total = 0
    for info in members:
        name = info.filename
        if name in names:
            raise WorkbookReadError(f"「{path.name}」の中に同じ名前の部品「{name}」が2つあります。壊れているか、細工されたファイルです。")
        names.add(name)
        if name.startswith(("/", "\\")) or "\\" in name or ":" in name or ".." in name.split("/"):
            raise WorkbookReadError(f"「{path.name}」の中に不正な名前の部品「{name}」があります。壊れているか、細工されたファイルです。")
        if info.flag_bits & 0x1:
            raise WorkbookReadError(f"「{path.name}」の部品「{name}」が暗号化されているため読み込めません。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookReadError(f"「{path.name}」の部品「{name}」は Excel が使わない圧縮形式のため読み込めません。"
                                    "Excel で開いて保存し直してください。")
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024:
            raise WorkbookReadError(f"「{path.name}」の中身「{name}」の圧縮率が異常なため、安全のため読み込みません。")
    if total > MAX_UNCOMPRESSED:
        raise WorkbookReadError(f"「{path.name}」は展開後のサイズが大きすぎるため、安全のため読み込みません（{total // 2**20} MB）。")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookReadError(f"「{path.name}」は Excel ブックではありません（xl/workbook.xml がありません）。")
    _verify_all(path, archive, members, keep)


def _verify_all(path: Path, archive: CheckedZip, members: list[zipfile.ZipInfo], keep: Callable[[str], bool] | None) -> None:
    """Every member verified; a helper thread with its own file handle takes about half of the compressed bytes
    (zlib inflates without the GIL, so the two halves run on two cores). Whatever the threads meet, the error
    raised is the one of the first member in the zip's order, as one thread would have met it."""
    import threading

    half = sum(info.compress_size for info in members) // 2
    mine: list[tuple[int, zipfile.ZipInfo]] = []
    theirs: list[tuple[int, zipfile.ZipInfo]] = []
    given = 0
    for index, info in sorted(enumerate(members), key=lambda pair: -pair[1].compress_size):
        if given + info.compress_size <= half:   # largest first, so the halves come out close
            theirs.append((index, info))
            given += info.compress_size
        else:
            mine.append((index, info))
    failures: list[tuple[int, BaseException]] = []

    def verify(part: list[tuple[int, zipfile.ZipInfo]], fp) -> None:
        for index, info in sorted(part, key=lambda pair: pair[0]):
            if failures and min(i for i, _ in failures) < index:
                return   # an earlier member failed already: its error is the one raised
            chunks: list[bytes] | None = [] if keep is not None and keep(info.filename) else None
            try:
                _verify_member(path, fp, info, chunks)
            except BaseException as exc:  # noqa: BLE001 — re-raised below, in member order
                failures.append((index, exc))
                return
            if chunks is not None:
                archive.kept[info.filename] = b"".join(chunks)

    def helper() -> None:
        try:
            with open(path, "rb") as fp:
                verify(theirs, fp)
        except OSError as exc:
            failures.append((min(i for i, _ in theirs), exc))

    thread = threading.Thread(target=helper, name="xlplan-zipcheck", daemon=True) if theirs else None
    if thread is not None:
        thread.start()
    try:
        verify(mine, archive.fp)
    finally:
        if thread is not None:
            thread.join()
    if failures:
        raise min(failures, key=lambda pair: pair[0])[1]


def _verify_member(path: Path, fp, info: zipfile.ZipInfo, chunks: list[bytes] | None = None) -> None:
    """Inflate one member (read through the file object fp), never past the size the zip declares; check its CRC and,
    for XML, that it has no DTD. The inflated bytes go to `chunks` when given (and are complete only if this returns)."""
    broken = WorkbookReadError(f"「{path.name}」の部品「{info.filename}」が壊れています（途中で切れているか、中身が一致しません）。"
                               "バックアップから戻すか、Excel で開いて保存し直してください。")
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise broken
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, crc, tail = info.compress_size, 0, 0, b""

    def take(chunk: bytes) -> None:
        nonlocal size, crc, tail
        size += len(chunk)
        if size > info.file_size:
            raise WorkbookReadError(f"「{path.name}」の部品「{info.filename}」は壊れているか、申告より大きく展開されます"
                                    "（zip 爆弾の可能性）。安全のため読み込みません。")
        crc = zlib.crc32(chunk, crc)
        if chunks is not None:
            chunks.append(chunk)
        if xml:
            # A mark (at most 18 bytes) across the boundary lies in tail + the chunk's head: no copy of the chunk.
            if has_dtd(chunk) or has_dtd(tail + chunk[:32]):
                raise WorkbookReadError(f"「{path.name}」の部品「{info.filename}」に DTD（<!DOCTYPE>）が含まれています。"
                                        "XML 爆弾などの攻撃に使われるため、安全のため読み込みません。")
            tail = (tail + chunk)[-32:] if len(chunk) < 32 else chunk[-32:]

    try:
        while left > 0:
            raw = fp.read(min(_CHUNK, left))
            if not raw:
                raise broken
            left -= len(raw)
            if inflater is None:
                take(raw)
                continue
            take(inflater.decompress(raw, _CHUNK))
            while inflater.unconsumed_tail:
                take(inflater.decompress(inflater.unconsumed_tail, _CHUNK))
        if inflater is not None:
            take(inflater.flush())
            if not inflater.eof:
                raise broken
    except zlib.error:
        raise broken from None
    if size != info.file_size or crc != info.CRC:
        raise broken


def _is_encrypted_ooxml(path: Path) -> bool:
    """An OLE container holding an encrypted .xlsx/.xlsm (Excel's 'Encrypt with password')."""
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 — not a valid OLE file: treated as an old .xls
        return False
