"""Build an Excel VBA project (``vbaProject.bin``) from ASCII sources on any OS.

The output is a source-only project, the interoperable form MS-OVBA asks
writers to produce: ``_VBA_PROJECT`` carries no performance cache (2.3.4.1),
module streams hold only compressed source (MODULEOFFSET 0, 2.3.4.3), so
Excel compiles the code when it opens the file. Streams, records and the
attribute headers mirror what Excel itself writes (compare the ``VBA``
storage of the Excel-written ``macro01.xlsm`` in ../shared/fixtures; xlwings'
own ``quickstart_standalone.xlsm`` is a second reference, but it was written
by Aspose.Cells, per xlwings' build script, not by Excel). Everything is
derived from the input, so the same modules always give byte-identical output.

Pass the result to XlsxWriter::

    wb.add_vba_project(io.BytesIO(build_vba_project(modules)), is_stream=True)
"""

from __future__ import annotations

import importlib.resources
import logging
import re
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

from .ovba_compression import compress, decompress

ModuleKind = Literal["standard", "class", "document"]

_CODEPAGE = 1252  # PROJECTCODEPAGE (2.3.4.2.1.5); sources are ASCII so it is never ambiguous
_ENCODING = "cp1252"
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")  # VBA identifier; CFB names stop at 31 chars

# VB_Base values Excel writes: the Workbook / Worksheet coclasses, and the generic class base.
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

# The two references Excel adds to every new project (REFERENCEREGISTERED, 2.3.4.2.2.5).
_REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)


@dataclass(frozen=True)
class VbaModule:
    name: str  # ASCII identifier, also the stream name
    source: str  # code without the module-level "Attribute VB_" header; any newline style
    kind: ModuleKind  # "document" = ThisWorkbook (by name) or a worksheet codename


# --------------------------------------------------------------------------- sources


def _strip_header(text: str) -> str:
    """Drop an exported file's VERSION/BEGIN..END block and leading ``Attribute VB_`` lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    if lines and lines[0].strip().upper().startswith("VERSION ") and "CLASS" in lines[0].upper():
        while i < len(lines) and lines[i].strip().upper() != "END":
            i += 1
        i += 1
    while i < len(lines) and lines[i].startswith("Attribute VB_"):
        i += 1
    return "\n".join(lines[i:])


def _check_ascii(name: str, text: str, origin: str = "") -> None:
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        bad = next((ch for ch in line if ord(ch) > 0x7F), None)
        if bad is not None:
            raise ValueError(
                f"VBA module {name!r}, line {number}{origin}: non-ASCII character {bad!r}; "
                "VBA sources must be ASCII (the project uses codepage 1252)"
            )


def _module_body(module: VbaModule) -> str:
    """Source as stored: ASCII checked, header stripped, "\\n" newlines, final newline added."""
    _check_ascii(module.name, module.source)
    body = _strip_header(module.source)
    if body and not body.endswith("\n"):
        body += "\n"
    return body


def _attributes(module: VbaModule) -> list[str]:
    """The module-level attribute lines Excel keeps at the top of each module stream."""
    lines = [f'Attribute VB_Name = "{module.name}"']
    if module.kind == "standard":
        return lines
    if module.kind == "class":
        base, predeclared, exposed, customizable = _CLASS_BASE, False, False, False
    else:
        workbook = module.name.lower() == "thisworkbook"
        base, predeclared, exposed, customizable = (
            _WORKBOOK_BASE if workbook else _WORKSHEET_BASE, True, True, True)
    return lines + [
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        f"Attribute VB_PredeclaredId = {predeclared}",
        f"Attribute VB_Exposed = {exposed}",
        "Attribute VB_TemplateDerived = False",
        f"Attribute VB_Customizable = {customizable}",
    ]


def _module_stream(module: VbaModule) -> bytes:
    text = "\n".join(_attributes(module)) + "\n" + _module_body(module)
    raw = text.replace("\n", "\r\n").encode("ascii")  # VBA lines end in CRLF
    packed = compress(raw)
    # A raw final chunk is zero-padded by the spec (2.4.1.3.10) and would corrupt the source.
    if decompress(packed) != raw:
        raise ValueError(f"VBA module {module.name!r} cannot be stored losslessly")
    return packed


# --------------------------------------------------------------------------- project streams


def _rec(rec_id: int, data: bytes = b"") -> bytes:
    """Id/Size/data record of the dir stream (2.3.4.2)."""
    return struct.pack("<HI", rec_id, len(data)) + data


def _names(rec_id: int, unicode_id: int, text: str) -> bytes:
    """A record in the project codepage followed by its UTF-16 twin."""
    return _rec(rec_id, text.encode(_ENCODING)) + _rec(unicode_id, text.encode("utf-16-le"))


def _dir_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    parts = [
        _rec(0x0001, struct.pack("<I", 3)),  # PROJECTSYSKIND: 64-bit Windows
        _rec(0x0002, struct.pack("<I", 0x0409)),  # PROJECTLCID
        _rec(0x0014, struct.pack("<I", 0x0409)),  # PROJECTLCIDINVOKE
        _rec(0x0003, struct.pack("<H", _CODEPAGE)),  # PROJECTCODEPAGE
        _rec(0x0004, project_name.encode(_ENCODING)),  # PROJECTNAME
        _rec(0x0005) + _rec(0x0040),  # PROJECTDOCSTRING, empty (+ Unicode)
        _rec(0x0006) + _rec(0x003D),  # PROJECTHELPFILEPATH, empty (both copies)
        _rec(0x0007, struct.pack("<I", 0)),  # PROJECTHELPCONTEXT
        _rec(0x0008, struct.pack("<I", 0)),  # PROJECTLIBFLAGS
        # PROJECTVERSION: Reserved is 4 yet 6 bytes follow (2.3.4.2.1.11); values as in quickstart_standalone (written by Aspose.Cells).
        struct.pack("<HIIH", 0x0009, 4, 0x68FBFAC5, 4),
        _rec(0x000C) + _rec(0x003C),  # PROJECTCONSTANTS, empty (+ Unicode)
    ]
    for ref_name, libid in _REFERENCES:  # REFERENCENAME + REFERENCEREGISTERED (2.3.4.2.2)
        lib = libid.encode(_ENCODING)
        registered = struct.pack("<I", len(lib)) + lib + bytes(6)  # Libid, Reserved1, Reserved2
        parts += [_names(0x0016, 0x003E, ref_name), _rec(0x000D, registered)]
    parts += [_rec(0x000F, struct.pack("<H", len(modules))), _rec(0x0013, struct.pack("<H", 0xFFFF))]
    for m in modules:  # MODULE records (2.3.4.2.3.2); cookies are 0xFFFF on write
        parts += [
            _names(0x0019, 0x0047, m.name),  # MODULENAME + MODULENAMEUNICODE
            _names(0x001A, 0x0032, m.name),  # MODULESTREAMNAME
            _rec(0x001C) + _rec(0x0048),  # MODULEDOCSTRING, empty
            _rec(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET: source starts the stream
            _rec(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
            _rec(0x002C, struct.pack("<H", 0xFFFF)),  # MODULECOOKIE
            _rec(0x0021 if m.kind == "standard" else 0x0022),  # MODULETYPE: procedural / document+class
            _rec(0x002B),  # module terminator
        ]
    parts.append(_rec(0x0010))  # end of dir stream
    return b"".join(parts)


def _encrypt(project_id: str, data: bytes) -> str:
    """Data Encryption (2.4.3.2) with a fixed seed 0, so no ignored bytes and stable output."""
    seed, version = 0, 2
    key = sum(project_id.encode(_ENCODING)) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ version
    for byte in struct.pack("<I", len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


def _project_stream(project_name: str, project_id: str, modules: Sequence[VbaModule]) -> bytes:
    """PROJECT stream text (2.3.1), laid out as Excel writes it."""
    item = {"standard": "Module={}", "class": "Class={}", "document": "Document={}/&H00000000"}
    lines = [f'ID="{project_id}"']
    lines += [item[m.kind].format(m.name) for m in modules]
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(project_id, bytes(4))}"',  # ProjectProtectionState: not protected
        f'DPB="{_encrypt(project_id, bytes(1))}"',  # ProjectPassword: none
        f'GC="{_encrypt(project_id, bytes([0xFF]))}"',  # ProjectVisibilityState: visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(_ENCODING)


def _projectwm_stream(modules: Sequence[VbaModule]) -> bytes:
    """PROJECTwm (2.3.3): each name in MBCS and UTF-16, NUL-terminated."""
    parts = [m.name.encode(_ENCODING) + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules]
    return b"".join(parts) + b"\0\0"


# --------------------------------------------------------------------------- compound file


_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _cfb(streams: dict[str, bytes]) -> bytes:
    """Minimal MS-CFB version 3 writer for paths like "VBA/dir" (one storage level).

    Small streams go to the mini stream (2.6.3); siblings form a balanced binary
    search tree in CFB name order, all black, which satisfies 2.6.4; times and
    CLSIDs stay zero so the bytes depend only on the content.
    """
    # Directory entries (2.6): root first, then storages and streams as they appear.
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "kids": []}]
    storages: dict[str, int] = {}
    for path, data in streams.items():
        parent = 0
        *dirs, leaf = path.split("/")
        for d in dirs:
            if d not in storages:
                storages[d] = len(entries)
                entries.append({"name": d, "type": 1, "kids": []})
                entries[parent]["kids"].append(storages[d])
            parent = storages[d]
        entries[parent]["kids"].append(len(entries))
        entries.append({"name": leaf, "type": 2, "data": data, "kids": []})

    for e in entries:  # storages keep start sector 0; streams without data ENDOFCHAIN
        start = 0 if e["type"] == 1 else _END
        e.update(left=_NOSTREAM, right=_NOSTREAM, child=_NOSTREAM, start=start, size=0)
    # CFB order: shorter name first, then upper-cased UTF-16 (2.6.4)
    key = lambda i: (len(entries[i]["name"]), entries[i]["name"].upper())

    def tree(ids: list[int]) -> int:
        if not ids:
            return _NOSTREAM
        mid = len(ids) // 2
        entries[ids[mid]]["left"], entries[ids[mid]]["right"] = tree(ids[:mid]), tree(ids[mid + 1 :])
        return ids[mid]

    for e in entries:
        e["child"] = tree(sorted(e["kids"], key=key))

    # Sector allocation: big streams, mini stream, mini FAT, directory, FAT.
    fat: list[int] = []

    def chain(count: int) -> int:
        start = len(fat)
        fat.extend(range(start + 1, start + count))
        if count:
            fat.append(_END)
        return start if count else _END

    def pad(data: bytes, unit: int) -> bytes:
        return data + bytes(-len(data) % unit)

    body, mini, minifat = [], [], []
    for e in entries:
        data = e.get("data", b"")
        e["size"] = len(data)
        if e["type"] != 2 or not data:
            continue
        if len(data) >= _CUTOFF:
            e["start"] = chain(-(-len(data) // _SECTOR))
            body.append(pad(data, _SECTOR))
        else:
            e["start"] = len(minifat)
            count = -(-len(data) // _MINI)
            minifat.extend(range(e["start"] + 1, e["start"] + count))
            minifat.append(_END)
            mini.append(pad(data, _MINI))
    ministream = b"".join(mini)
    if ministream:
        entries[0]["start"], entries[0]["size"] = chain(-(-len(ministream) // _SECTOR)), len(ministream)
        body.append(pad(ministream, _SECTOR))
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += b"\xff" * (-len(minifat_bytes) % _SECTOR)  # unused entries are FREESECT
    first_minifat = chain(len(minifat_bytes) // _SECTOR)
    body.append(minifat_bytes)

    dir_entries = []
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        dir_entries.append(struct.pack(
            "<64sHBBIII16sIQQIQ", name, len(name), e["type"], 1, e["left"], e["right"], e["child"],
            bytes(16), 0, 0, 0, e["start"], e["size"]))
    unused = struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, bytes(16), 0, 0, 0, 0, 0)
    dir_entries += [unused] * (-len(dir_entries) % (_SECTOR // 128))
    first_dir = chain(len(dir_entries) * 128 // _SECTOR)
    body.append(b"".join(dir_entries))

    fat_count = 0  # the FAT must also cover its own sectors
    while fat_count * (_SECTOR // 4) < len(fat) + fat_count:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("VBA project too large for a header-only DIFAT")
    fat_start = len(fat)
    fat += [_FATSECT] * fat_count
    fat += [_FREE] * (fat_count * (_SECTOR // 4) - len(fat))
    body.append(struct.pack(f"<{len(fat)}I", *fat))

    difat = list(range(fat_start, fat_start + fat_count)) + [_FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0, fat_count, first_dir, 0, _CUTOFF, first_minifat, len(minifat_bytes) // _SECTOR,
        _END, 0, *difat)
    return header + b"".join(body)


# --------------------------------------------------------------------------- public API


def build_vba_project(modules: Sequence[VbaModule], project_name: str = "VBAProject") -> bytes:
    """Return a ``vbaProject.bin`` holding ``modules`` (in the given order).

    Raises ValueError for a bad or duplicate name, an unknown kind, or non-ASCII source
    (the message names the module and the line).
    """
    if not _NAME_RE.match(project_name):
        raise ValueError(f"invalid VBA project name {project_name!r}")
    seen: set[str] = set()
    for m in modules:
        if not _NAME_RE.match(m.name):
            raise ValueError(f"invalid VBA module name {m.name!r}")
        if m.name.lower() in seen:
            raise ValueError(f"duplicate VBA module name {m.name!r}")
        if m.kind not in ("standard", "class", "document"):
            raise ValueError(f"VBA module {m.name!r}: unknown kind {m.kind!r}")
        seen.add(m.name.lower())

    # A fixed ID keeps builds reproducible; VBA only needs it to be a well-formed GUID.
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xlplan:vba:{project_name}")).upper() + "}"
    streams = {"VBA/" + m.name: _module_stream(m) for m in modules}
    streams["VBA/dir"] = compress(_dir_stream(project_name, modules))  # dir is compressed (2.3.4.2)
    streams["VBA/_VBA_PROJECT"] = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)  # 2.3.4.1, no cache
    streams["PROJECT"] = _project_stream(project_name, project_id, modules)
    streams["PROJECTwm"] = _projectwm_stream(modules)
    return _cfb(streams)


def read_vba_sources(vba_bin: bytes) -> dict[str, str]:
    """Module name -> source via oletools.olevba, without the module-level ``Attribute VB_``
    header and with "\\n" newlines. ``vba_bin`` may also be a whole .xlsm file.

    Raises ValueError if olevba logs any warning or error while parsing."""
    from oletools.olevba import VBA_Parser

    logger = logging.getLogger("olevba")
    problems: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: problems.append(record.getMessage())  # type: ignore[method-assign]
    saved = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logger.addHandler(handler)
    sources: dict[str, str] = {}
    try:
        parser = VBA_Parser("vbaProject.bin", data=bytes(vba_bin))
        # Stomping detection needs the file on disk and only warns for data in memory;
        # there is no p-code to compare with anyway (source-only project).
        for p in [parser, *parser.ole_subfiles]:
            p.vba_stomping_detected = False
        try:
            for _, stream_path, vba_filename, code in parser.extract_macros():
                name = vba_filename.rsplit(".", 1)[0]
                if name in sources:
                    raise ValueError(f"olevba found module {name!r} twice ({stream_path})")
                text = code.replace("\r\n", "\n").replace("\r", "\n")
                sources[name] = _strip_header(text)
        finally:
            parser.close()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
    if problems:
        raise ValueError("olevba reported: " + "; ".join(problems))
    return sources


def _load_file(path: Path, kind: ModuleKind) -> VbaModule:
    text = path.read_bytes().decode("latin-1")  # byte-preserving, so non-ASCII is reported below
    match = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.MULTILINE)
    name = match.group(1) if match else path.stem
    _check_ascii(name, text, f" of {path}")
    return VbaModule(name=name, source=_strip_header(text), kind=kind)


def load_macro_sources(directory: Path) -> list[VbaModule]:
    """``*.bas`` -> standard and ``*.cls`` -> class modules, sorted by file name.

    Accepts files exported from the VBA editor: the Attribute/VERSION header is
    stripped (the builder regenerates it); ``Attribute VB_Name`` gives the name.
    """
    directory = Path(directory)
    kinds: dict[str, ModuleKind] = {".bas": "standard", ".cls": "class"}
    paths = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in kinds)
    return [_load_file(p, kinds[p.suffix.lower()]) for p in paths]


def xlwings_standalone_modules() -> list[VbaModule]:
    """The installed xlwings' standalone VBA: module ``xlwings`` and class ``Dictionary``."""
    root = importlib.resources.files("xlwings")
    with importlib.resources.as_file(root / "xlwings.bas") as bas, \
            importlib.resources.as_file(root / "addin" / "Dictionary.cls") as cls:
        return [_load_file(Path(bas), "standard"), _load_file(Path(cls), "class")]
