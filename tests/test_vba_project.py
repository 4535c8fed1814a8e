"""vbaProject.bin builder: MS-OVBA compression, project structure, olevba round trip."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared_material import FIXTURES, need
from oletools.olevba import decompress_stream

from xlplan.builder.ovba_compression import compress, decompress
from xlplan.builder.vba_project import (
    VbaModule,
    build_vba_project,
    load_macro_sources,
    read_vba_sources,
    xlwings_standalone_modules,
)

XLWINGS_BAS = Path(__import__("xlwings").__file__).parent / "xlwings.bas"
QUICKSTART = Path(__import__("xlwings").__file__).parent / "quickstart_standalone.xlsm"


# --------------------------------------------------------------------------- helpers


def _chunks(container: bytes) -> list[tuple[bool, int]]:
    """(compressed flag, size) of each chunk header in a CompressedContainer."""
    out, pos = [], 1
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        assert header >> 12 & 0b111 == 0b011
        out.append((bool(header & 0x8000), (header & 0x0FFF) + 3))
        pos += (header & 0x0FFF) + 3
    assert pos == len(container)
    return out


def _assert_round_trip(data: bytes) -> None:
    packed = compress(data)
    chunks = _chunks(packed)
    assert len(chunks) == -(-len(data) // 4096)
    assert all(size <= 4098 for _, size in chunks)
    out = decompress(packed)
    assert out == decompress_stream(bytearray(packed))  # oletools agrees
    if chunks and not chunks[-1][0]:
        # MS-OVBA 2.4.1.3.10: a raw chunk always holds 4096 bytes, zero-padded.
        assert out == data.ljust(-(-len(data) // 4096) * 4096, b"\0")
    else:
        assert out == data


def _records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """dir stream records (MS-OVBA 2.3.4.2); PROJECTVERSION's size field lies (says 4, has 6)."""
    out, pos = [], 0
    while pos < len(dir_stream):
        rec_id, size = struct.unpack_from("<HI", dir_stream, pos)
        size = 6 if rec_id == 0x0009 else size
        out.append((rec_id, dir_stream[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return out


def _module_streams(ole: olefile.OleFileIO) -> dict[str, bytes]:
    """Decompressed source of every module, located through the dir stream."""
    names, offsets = [], []
    for rec_id, data in _records(decompress(ole.openstream("VBA/dir").read())):
        if rec_id == 0x001A:
            names.append(data.decode("cp1252"))
        elif rec_id == 0x0031:
            offsets.append(struct.unpack("<I", data)[0])
    return {n: ole.openstream("VBA/" + n).read()[o:] for n, o in zip(names, offsets)}


def _decrypt(hex_text: str) -> bytes:
    """MS-OVBA 2.4.3.3 Data Decryption."""
    enc = bytes.fromhex(hex_text)
    seed, version, key = enc[0], enc[1] ^ enc[0], enc[2] ^ enc[0]
    assert version == 2
    unencrypted1, encrypted1, encrypted2 = key, enc[2], enc[1]
    plain = bytearray()
    for byte in enc[3:]:
        value = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(value)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte, value
    plain = plain[(seed & 6) // 2 :]
    length = int.from_bytes(plain[:4], "little")
    assert len(plain) == 4 + length
    return bytes(plain[4:])


def _expected(module: VbaModule) -> str:
    text = module.source.replace("\r\n", "\n")
    return text if not text or text.endswith("\n") else text + "\n"


SMALL = VbaModule(
    "Module1",
    'Option Explicit\r\n\r\nSub Hello()\r\n    MsgBox "Hello from xlplan"\r\nEnd Sub\r\n',
    "standard",
)


def _modules() -> list[VbaModule]:
    sheet1 = "Private Sub Worksheet_Activate()\n    Me.Range(\"A1\").Select\nEnd Sub\n"
    return [
        VbaModule("ThisWorkbook", "", "document"),
        VbaModule("Sheet1", sheet1, "document"),
        VbaModule("Sheet2", "", "document"),
        VbaModule("Sheet3", "", "document"),
        SMALL,
        *xlwings_standalone_modules(),
    ]


@pytest.fixture(scope="module")
def project() -> bytes:
    return build_vba_project(_modules())


# --------------------------------------------------------------------------- compression


def test_spec_normal_compression_example():
    # MS-OVBA 3.2.2, byte for byte.
    text = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    packed = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C"
        " 00 20 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
    )
    assert compress(text) == packed
    assert decompress(packed) == text


def test_no_compression_example():
    # MS-OVBA 3.2.1: nothing repeats, so only flag bytes are added.
    packed = bytes.fromhex(
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
    assert compress(b"abcdefghijklmnopqrstuv.") == packed
    assert decompress(packed) == b"abcdefghijklmnopqrstuv."


_RNG = random.Random(20240501)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"x",
        b"abc" * 2,
        _RNG.randbytes(4096),
        _RNG.randbytes(4097),
        _RNG.randbytes(4000),  # incompressible final chunk: raw and zero-padded
        (b"Sub A()\r\n    x = 1\r\nEnd Sub\r\n" * 200)[:4096],
        (b"Sub A()\r\n    x = 1\r\nEnd Sub\r\n" * 200)[:4097],
        b"a" * 51200,
        b"Option Explicit\r\n" * 3012,
        _RNG.randbytes(51200),
        bytes(_RNG.choice(b"ab \r\n") for _ in range(51200)),
        XLWINGS_BAS.read_bytes(),
    ],
    ids=lambda d: f"{len(d)}B",
)
def test_round_trip(data):
    _assert_round_trip(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=9000))
def test_round_trip_binary(data):
    _assert_round_trip(data)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="Sub End()x =1\r\n'", max_size=20000))
def test_round_trip_text(text):
    _assert_round_trip(text.encode("ascii"))


def test_raw_chunks_for_incompressible_data():
    data = _RNG.randbytes(8192)
    assert _chunks(compress(data)) == [(False, 4098), (False, 4098)]
    assert decompress(compress(data)) == data


def test_decompress_rejects_garbage():
    for bad in (b"", b"\x02\x00\xb0", b"\x01\x05\xb0\x00", b"\x01\x02\xb0\x01\x00\x00"):
        with pytest.raises(ValueError):
            decompress(bad)


def _excel_projects() -> list[Path]:
    need(FIXTURES)
    return sorted(FIXTURES.glob("*.xlsm")) + [QUICKSTART]


def test_decompress_excel_streams():
    """dir and module streams of Excel's files (and of xlwings' quickstart_standalone, written by Aspose.Cells) decompress
    as oletools does, and survive re-compression with ours."""
    seen = 0
    for path in _excel_projects():
        with zipfile.ZipFile(path) as z:
            ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
        packed = [ole.openstream("VBA/dir").read(), *_module_streams(ole).values()]
        for blob in packed:
            plain = decompress(blob)
            assert plain == decompress_stream(bytearray(blob)), path.name
            assert decompress(compress(plain)) == plain
            seen += 1
    assert seen >= 10


# --------------------------------------------------------------------------- project


def test_sources_round_trip_through_olevba(project):
    modules = _modules()
    assert read_vba_sources(project) == {m.name: _expected(m) for m in modules}


def test_project_structure(project):
    ole = olefile.OleFileIO(io.BytesIO(project), raise_defects=olefile.DEFECT_INCORRECT)
    names = [m.name for m in _modules()]
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"] + [f"VBA/{n}" for n in names]
    )
    # Source-only project (MS-OVBA 2.3.4.1): no performance cache, Version 0xFFFF.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")

    # Real source always compresses, so no module needs a raw chunk (the rarely used path).
    for name, stream in _module_streams(ole).items():
        assert all(flag for flag, _ in _chunks(stream)), name

    records = _records(decompress(ole.openstream("VBA/dir").read()))
    ids = [r for r, _ in records]
    assert ids[:4] == [0x0001, 0x0002, 0x0014, 0x0003] and ids[-1] == 0x0010
    assert dict(records)[0x0003] == struct.pack("<H", 1252)
    assert dict(records)[0x000F] == struct.pack("<H", len(names))
    types = [r for r in ids if r in (0x0021, 0x0022)]
    assert types == [0x0022] * 4 + [0x0021, 0x0021, 0x0022]  # documents, std, std, class
    assert [d for r, d in records if r == 0x0031] == [bytes(4)] * len(names)  # MODULEOFFSET 0

    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[1:8] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Document=Sheet3/&H00000000",
        "Module=Module1",
        "Module=xlwings",
        "Class=Dictionary",
    ]
    fields = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("&H"))
    assert re.fullmatch(r'"\{[0-9A-F-]{36}\}"', fields["ID"])
    assert _decrypt(fields["CMG"].strip('"')) == bytes(4)  # not protected
    assert _decrypt(fields["DPB"].strip('"')) == b"\0"  # no password
    assert _decrypt(fields["GC"].strip('"')) == b"\xff"  # visible
    assert ole.openstream("PROJECTwm").read() == b"".join(
        n.encode() + b"\0" + n.encode("utf-16-le") + b"\0\0" for n in names
    ) + b"\0\0"


def test_read_vba_sources_fails_on_olevba_warnings(monkeypatch):
    import xlplan.builder.vba_project as vba_project

    real = vba_project._dir_stream  # PROJECTSYSKIND with a wrong Size field
    monkeypatch.setattr(vba_project, "_dir_stream", lambda *a: real(*a).replace(
        b"\x01\x00\x04\x00\x00\x00", b"\x01\x00\x08\x00\x00\x00", 1))
    with pytest.raises(ValueError, match="PROJECTSYSKIND_Size"):
        read_vba_sources(build_vba_project([SMALL]))


def test_directory_tree_is_a_cfb_search_tree(project):
    """MS-CFB 2.6.4: siblings ordered by name length, then upper-case name."""
    ole = olefile.OleFileIO(io.BytesIO(project))
    entries = ole.direntries

    def walk(sid):
        if sid == olefile.NOSTREAM:
            return []
        e = entries[sid]
        return walk(e.sid_left) + [e.name] + walk(e.sid_right)

    for e in entries:
        if e is not None and e.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            order = walk(e.sid_child)
            assert order == sorted(order, key=lambda n: (len(n), n.upper()))


def test_attribute_headers_match_excel(project):
    ole = olefile.OleFileIO(io.BytesIO(project))
    streams = {n: decompress(s) for n, s in _module_streams(ole).items()}
    assert streams["Module1"].startswith(b'Attribute VB_Name = "Module1"\r\nOption Explicit\r\n')
    assert streams["Dictionary"].startswith(
        b'Attribute VB_Name = "Dictionary"\r\n'
        b'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
        b"Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        b"Attribute VB_PredeclaredId = False\r\nAttribute VB_Exposed = False\r\n"
        b"Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n''\r\n"
    )
    need(FIXTURES / "macro01.xlsm")
    # Empty document modules are byte-identical to the ones Excel wrote.
    with zipfile.ZipFile(FIXTURES / "macro01.xlsm") as z:
        excel = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    excel_streams = {n: decompress(s) for n, s in _module_streams(excel).items()}
    assert streams["ThisWorkbook"] == excel_streams["ThisWorkbook"]
    assert streams["Sheet3"] == excel_streams["Sheet1"].replace(b"Sheet1", b"Sheet3")


def test_deterministic(project):
    assert build_vba_project(_modules()) == project
    code = (
        "import sys; from tests.test_vba_project import _modules; "
        "from xlplan.builder.vba_project import build_vba_project; "
        "sys.stdout.buffer.write(build_vba_project(_modules()))"
    )
    root = Path(__file__).resolve().parents[1]
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])},
    ).stdout
    assert other == project


def test_non_ascii_source_is_rejected():
    bad = VbaModule("Kpi", "Sub A()\n    MsgBox \"\u6307\u6a19\"\nEnd Sub\n", "standard")
    with pytest.raises(ValueError, match=r"'Kpi', line 2"):
        build_vba_project([SMALL, bad])


def test_invalid_names_are_rejected():
    for modules in ([VbaModule("1x", "", "standard")], [SMALL, SMALL], [VbaModule("A", "", "form")]):
        with pytest.raises(ValueError):
            build_vba_project(modules)  # type: ignore[arg-type]


def _de_bruijn_ascii(length: int) -> str:
    """Printable ASCII in which no 3-character run repeats: incompressible for MS-OVBA."""
    alphabet, k, n = [chr(c) for c in range(32, 127)], 95, 3
    a, out = [0] * k * n, []

    def db(t, p):
        if len(out) >= length:
            return
        if t > n:
            if n % p == 0:
                out.extend(a[1 : p + 1])
        else:
            a[t] = a[t - p]
            db(t + 1, p)
            for j in range(a[t - p] + 1, k):
                a[t] = j
                db(t + 1, t)

    db(1, 1)
    return "".join(alphabet[i] for i in out[:length])


def test_source_that_would_need_a_padded_raw_chunk_is_rejected():
    # The final chunk is raw and zero-padded by the spec; the builder must refuse it.
    module = VbaModule("Noise", "'" + _de_bruijn_ascii(8000) + "\n", "standard")
    with pytest.raises(ValueError, match="Noise"):
        build_vba_project([module])


def test_load_macro_sources_accepts_excel_exports(tmp_path):
    (tmp_path / "Macros.bas").write_bytes(b'Attribute VB_Name = "XlplanMacros"\r\nSub Run()\r\nEnd Sub\r\n')
    (tmp_path / "Thing.cls").write_bytes(
        b"VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
        b'Attribute VB_Name = "Thing"\r\nAttribute VB_GlobalNameSpace = False\r\n'
        b"Attribute VB_Creatable = False\r\nAttribute VB_PredeclaredId = False\r\n"
        b"Attribute VB_Exposed = False\r\nOption Explicit\r\n"
    )
    (tmp_path / "notes.txt").write_text("ignored")
    modules = load_macro_sources(tmp_path)
    assert modules == [
        VbaModule("XlplanMacros", "Sub Run()\nEnd Sub\n", "standard"),
        VbaModule("Thing", "Option Explicit\n", "class"),
    ]
    assert read_vba_sources(build_vba_project(modules)) == {
        "XlplanMacros": "Sub Run()\nEnd Sub\n",
        "Thing": "Option Explicit\n",
    }
    (tmp_path / "Jp.bas").write_bytes("' \u8a08\u753b\r\n".encode("cp932"))
    with pytest.raises(ValueError, match=r"'Jp', line 1"):
        load_macro_sources(tmp_path)


def test_xlwings_standalone_modules():
    xlwings, dictionary = xlwings_standalone_modules()
    assert (xlwings.name, xlwings.kind) == ("xlwings", "standard")
    assert (dictionary.name, dictionary.kind) == ("Dictionary", "class")
    assert "Function RunPython(" in xlwings.source and not xlwings.source.startswith("Attribute")
    assert dictionary.source.startswith("''\n' Dictionary")
    assert "Attribute Item.VB_UserMemId = 0" in dictionary.source  # member attributes are code
    assert all(s.isascii() for s in (xlwings.source, dictionary.source))


# --------------------------------------------------------------------------- end to end


def test_xlsm_end_to_end(project, tmp_path):
    import xlsxwriter

    path = tmp_path / "macros.xlsm"
    wb = xlsxwriter.Workbook(path)
    wb.set_vba_name("ThisWorkbook")
    for name in ("Sheet1", "Sheet2", "Sheet3"):
        ws = wb.add_worksheet()
        ws.set_vba_name(name)
        ws.write("A1", name)
    wb.add_vba_project(io.BytesIO(project), is_stream=True)
    wb.worksheets()[0].insert_button("B2", {"macro": "Module1.Hello", "caption": "Run"})
    wb.close()

    with zipfile.ZipFile(path) as z:
        assert z.read("xl/vbaProject.bin") == project
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
        assert "<x:FmlaMacro>[0]!Module1.Hello</x:FmlaMacro>" in vml
    expected = {m.name: _expected(m) for m in _modules()}
    assert read_vba_sources(path.read_bytes()) == expected

    # The olevba command line, as CI or a reviewer would run it.
    run = subprocess.run([sys.executable, "-m", "oletools.olevba", "--json", str(path)],
                         capture_output=True, text=True, check=True)
    report = json.loads(run.stdout)
    # The only message olevba emits for any .xlsm (Excel-written ones too).
    assert [r["msg"] for r in report if r.get("type") == "msg"] in (
        [], ["For now, VBA stomping cannot be detected for files in memory"])
    macros = [m for r in report for m in r.get("macros", [])]
    assert {m["vba_filename"] for m in macros} == {
        "ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "Sheet3.cls",
        "Module1.bas", "xlwings.bas", "Dictionary.cls",
    }
    for m in macros:  # the CLI drops the header and trailing blank lines
        assert m["code"].rstrip("\n") == expected[m["vba_filename"].rsplit(".", 1)[0]].rstrip("\n")

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    # A private profile: concurrent soffice runs with a shared profile hand off and fail.
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    out = tmp_path / "lo"
    for target in ("pdf", "xlsm:Calc MS Excel 2007 VBA XML"):
        command = [soffice, profile, "--headless", "--convert-to", target, "--outdir", str(out), str(path)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr
    assert (out / "macros.pdf").stat().st_size > 0
    # LibreOffice (an independent VBA reader) imported every module and writes them back.
    reexported = read_vba_sources((out / "macros.xlsm").read_bytes())
    assert set(reexported) == set(expected)
    assert expected["Module1"] in reexported["Module1"]
    assert reexported["Dictionary"].startswith("Option ClassModule\n")
