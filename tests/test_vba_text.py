"""The buttons' Japanese pre-check messages: generated as ChrW() in the ASCII module, read back as Japanese."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from xlplan.layout import sheets as L
from xlplan.builder.vba_project import read_vba_sources
from xlplan.builder.vba_text import BEGIN, END, MESSAGES, decode_function, generated_block, vba_function

from conftest import ROOT

MODULE = ROOT / "macros" / "XlplanMacros.bas"


def test_the_module_holds_the_current_generated_block():
    source = MODULE.read_text(encoding="ascii")
    block = source[source.index(BEGIN):source.index(END) + len(END)]
    assert block == generated_block(), "run: python -m xlplan.builder.vba_text macros/XlplanMacros.bas"


@pytest.mark.parametrize("name", list(MESSAGES))
def test_each_message_decodes_back_to_its_japanese_text(name):
    params, text = MESSAGES[name]
    args = {p: rf"C:\Users\山田 太郎\AppData\Local\xlplan\{p}" for p in params}
    expected = text.format(**args)
    assert decode_function(MODULE.read_text(encoding="ascii"), name, **args) == expected
    # MsgBox draws in the ANSI code page: cp932 on Japanese Windows
    expected.encode("cp932")


def test_the_not_ready_message_says_what_to_run():
    source = MODULE.read_text(encoding="ascii")
    text = decode_function(source, "XlplanNoPython", path=r"C:\x\python.exe")
    assert text.startswith("ボタンが使う Python が見つかりません:\nC:\\x\\python.exe\n")
    assert "setup.cmd" in text and "xlplan setup" in text and "管理者権限は不要" in text
    assert decode_function(source, "XlplanTitle") == "xlplan: ボタンを使う準備ができていません"


def test_lines_stay_within_vba_limits_and_ascii():
    long_text = "日本語のとても長い説明" * 200 + "\n" + 'quote " and {p}'
    source = vba_function("Long", ("p",), long_text)
    assert source.isascii()
    assert max(len(line) for line in source.splitlines()) < 1023
    assert decode_function(source, "Long", p="X") == long_text.replace("{p}", "X")
    # characters outside the BMP become a surrogate pair of ChrW
    assert decode_function(vba_function("Emoji", (), "a\U0001F600b"), "Emoji") == "a\U0001F600b"


def test_olevba_reads_the_messages_back_from_a_built_workbook(sample_bytes):
    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as z:
        module = read_vba_sources(z.read("xl/vbaProject.bin"))["XlplanMacros"]
    assert module.strip("\n") == re.sub(r"^Attribute VB_Name.*\n", "", MODULE.read_text(encoding="ascii")).strip("\n")
    assert decode_function(module, "XlplanNoPackages", folder="F").startswith(
        "ボタンが使う Python はありますが、xlwings または xlplan が入っていません:\nF\n")
    # every button goes through the pre-check, which runs before RunPython
    public = re.findall(r"^Sub (\w+)\(\)\n    RunXlplan \"(\w+)\"\nEnd Sub$", module, re.M)
    # a Yes/No box's callback (reshape's question, answered later by remote clients) goes through it too
    callbacks = re.findall(r"^Sub (\w+)\(ByVal answer As String\)\n(?:    '.*\n)*"
                           r"    If answer = \"yes\" Then RunXlplan \"(\w+)\"\nEnd Sub$", module, re.M)
    assert callbacks == [("ReshapeConfirmed", "reshape_confirmed")]
    assert {sub for sub, _ in public + callbacks} == set(re.findall(r"^Sub (\w+)\(", module, re.M))   # nothing else
    assert {b.macro for b in L.BUTTONS} <= {sub for sub, _ in public}
    assert "validate" in {func for _, func in public}
    import xlplan.excel as excel
    assert [f for _, f in public + callbacks if not callable(getattr(excel, f, None))] == []   # each names a real entry point
    assert len(re.findall(r"^[^'\n]*\bRunPython ", module, re.M)) == 1   # code lines, not comments
    assert 'If XlplanReady() Then RunPython "import xlplan.excel as x; x." & func & "()"' in module
