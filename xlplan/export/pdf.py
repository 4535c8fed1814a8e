"""The plan document as a PDF, with the table of contents updated (page numbers filled in).

A plain `soffice --convert-to pdf` prints the contents as they were cached in the
.docx, without page numbers, and no conversion filter option updates indexes. So the
conversion runs a small LibreOffice Basic macro, installed into a throw-away
LibreOffice profile (started once first, then the library added): it opens the document
hidden, removes the notes to the clerk (paragraph style NOTE_STYLE), updates every
index twice (the second pass sees the pages the first one added) and the fields,
then exports the PDF. On Windows without LibreOffice, Word does the same through
COM (pywin32 ships with xlwings there).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlplan.errors import XlplanUserError
from xlplan.export.docx_parts import NOTE_STYLE
from xlplan.fileio import atomic_write_bytes
from xlplan.render import find_soffice

MACRO_LIBRARY = "XlplanPdf"
TIMEOUT_S = 300

_BASIC = f"""REM xlplan: update the indexes of a text document and export it as PDF.
Sub ExportPdf(inUrl As String, outUrl As String)
    Dim load(0) As New com.sun.star.beans.PropertyValue
    load(0).Name = "Hidden"
    load(0).Value = True
    doc = StarDesktop.loadComponentFromURL(inUrl, "_blank", 0, load())
    paragraphs = doc.getText().createEnumeration()
    Dim notes(0) As Object
    n = 0
    Do While paragraphs.hasMoreElements()
        p = paragraphs.nextElement()
        If p.supportsService("com.sun.star.text.Paragraph") Then
            If p.ParaStyleName = "{NOTE_STYLE}" Then
                ReDim Preserve notes(n)
                notes(n) = p
                n = n + 1
            End If
        End If
    Loop
    For i = 0 To n - 1
        notes(i).dispose()
    Next i
    indexes = doc.getDocumentIndexes()
    For pass = 1 To 2
        For i = 0 To indexes.getCount() - 1
            indexes.getByIndex(i).update()
        Next i
        doc.getTextFields().refresh()
        doc.refresh()
    Next pass
    Dim export(0) As New com.sun.star.beans.PropertyValue
    export(0).Name = "FilterName"
    export(0).Value = "writer_pdf_Export"
    doc.storeToURL(outUrl, export())
    doc.close(True)
    StarDesktop.terminate()
End Sub
"""

_XLC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
 <library:library library:name="{name}" library:link="false"/>
</library:libraries>
"""
_XLB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="{name}" library:readonly="false" library:passwordprotected="false">{elements}</library:library>
"""
_XBA = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">{code}</script:module>
"""


def _install_macro(profile: Path) -> None:
    """A LibreOffice user profile whose Basic library XlplanPdf holds the export macro."""
    basic = profile / "user" / "basic"
    for name, elements in (("Standard", ""), (MACRO_LIBRARY, '\n <library:element library:name="Module1"/>\n')):
        folder = basic / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "script.xlb").write_text(_XLB.format(name=name, elements=elements), encoding="utf-8")
        (folder / "dialog.xlb").write_text(_XLB.format(name=name, elements=""), encoding="utf-8")
    (basic / MACRO_LIBRARY / "Module1.xba").write_text(_XBA.format(code=escape(_BASIC)), encoding="utf-8")
    (basic / "script.xlc").write_text(_XLC.format(name=MACRO_LIBRARY), encoding="utf-8")
    (basic / "dialog.xlc").write_text(_XLC.format(name=MACRO_LIBRARY), encoding="utf-8")


def _basic_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def libreoffice_pdf(docx: Path, pdf: Path, soffice: str) -> None:
    with tempfile.TemporaryDirectory(prefix="xlplan-pdf-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "profile"
        # LibreOffice rewrites the Basic library list of a new profile on its first start: start it once, then
        # add the library.
        subprocess.run([soffice, "--headless", "--terminate_after_init", f"-env:UserInstallation={profile.as_uri()}"],
                       capture_output=True, timeout=TIMEOUT_S)
        _install_macro(profile)
        source = tmp_path / "plan.docx"      # ASCII names: the macro URL stays simple whatever the user's names
        shutil.copyfile(docx, source)
        produced = tmp_path / "plan.pdf"
        macro = (f"macro:///{MACRO_LIBRARY}.Module1.ExportPdf("
                 f"{_basic_string(source.as_uri())},{_basic_string(produced.as_uri())})")
        try:
            run = subprocess.run([soffice, "--headless", "--invisible", "--nologo", "--norestore",
                                  f"-env:UserInstallation={profile.as_uri()}", macro],
                                 capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise XlplanUserError(f"LibreOffice が{TIMEOUT_S}秒以内に PDF を作れませんでした。"
                                  "LibreOffice を閉じてから、もう一度実行してください。") from None
        if not produced.exists() or produced.stat().st_size == 0:
            detail = (run.stderr or run.stdout).strip()[:300]
            raise XlplanUserError(f"LibreOffice で PDF にできませんでした。{detail}")
        atomic_write_bytes(pdf, produced.read_bytes())


def word_pdf(docx: Path, pdf: Path) -> None:
    """Word through COM: update the contents and fields, drop the notes to the clerk, save as PDF."""
    import win32com.client  # type: ignore[import-not-found]  # pywin32, installed with xlwings on Windows

    word = win32com.client.DispatchEx("Word.Application")
    word.Visible = False
    try:
        doc = word.Documents.Open(str(Path(docx).resolve()), ReadOnly=True, AddToRecentFiles=False)
        try:
            for p in list(doc.Paragraphs):
                if p.Style.NameLocal == NOTE_STYLE:
                    p.Range.Delete()
            for _ in range(2):
                for toc in doc.TablesOfContents:
                    toc.Update()
                doc.Fields.Update()
            with tempfile.TemporaryDirectory(prefix="xlplan-pdf-") as tmp:
                produced = Path(tmp) / "plan.pdf"
                doc.ExportAsFixedFormat(str(produced), 17)  # wdExportFormatPDF
                atomic_write_bytes(pdf, produced.read_bytes())
        finally:
            doc.Close(False)
    finally:
        word.Quit()


def _word_available() -> bool:
    if sys.platform != "win32":
        return False
    try:
        import win32com.client  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def docx_to_pdf(docx: Path, pdf: Path) -> Path:
    """The .docx as a PDF with its contents updated, through LibreOffice (or Word on Windows)."""
    docx, pdf = Path(docx), Path(pdf)
    soffice = find_soffice()
    if soffice is not None:
        libreoffice_pdf(docx, pdf, soffice)
    elif _word_available():
        try:
            word_pdf(docx, pdf)
        except Exception as exc:  # COM errors have no common base class worth naming
            raise XlplanUserError(f"Word で PDF にできませんでした（{exc}）。計画書（.docx）を Word で開き、"
                                  "目次を更新してから「名前を付けて保存」で PDF を選んでください。") from None
    else:
        raise XlplanUserError("PDF を作るには LibreOffice（または Windows の Word）が必要です。LibreOffice を入れるか、"
                              "計画書（.docx）を Word で開き、目次を更新してから PDF で保存してください。")
    return pdf
