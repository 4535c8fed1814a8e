"""Small workbooks written as Excel writes them, part by part, for package-layer tests that need
one exact construct (shared formulas, a filter, sheet-scoped names) and nothing else; and the
LibreOffice round trip that proves a written package opens and calculates."""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
import zipfile
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def cells(rows: dict[int, str]) -> str:
    """<sheetData> from {1-based row: the row's <c> elements}."""
    return "<sheetData>" + "".join(f'<row r="{r}">{body}</row>' for r, body in sorted(rows.items())) + "</sheetData>"


def book(sheets: dict[str, str], names: str = "", extra_parts: dict[str, bytes] | None = None) -> bytes:
    """A workbook whose sheets have the given worksheet bodies (what goes inside <worksheet>)."""
    parts: dict[str, bytes] = {}
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/>',
                 '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'extended-properties+xml"/>']
    sheet_elements, rels = [], []
    for i, (name, body) in enumerate(sheets.items(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                                f'<worksheet xmlns="{NS}" xmlns:r="{REL}">{body}</worksheet>').encode()
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{WORKSHEET_TYPE}"/>')
        sheet_elements.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
    titles = "".join(f"<vt:lpstr>{name}</vt:lpstr>" for name in sheets)
    parts["docProps/app.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
        'officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>Microsoft Excel</Application><HeadingPairs><vt:vector size="2" baseType="variant">'
        f'<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(sheets)}</vt:i4></vt:variant>'
        f'</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{len(sheets)}" baseType="lpstr">{titles}</vt:vector>'
        '</TitlesOfParts></Properties>').encode()
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" '
                                f'xmlns:r="{REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
                                f'<sheets>{"".join(sheet_elements)}</sheets>'
                                f'{f"<definedNames>{names}</definedNames>" if names else ""}</workbook>').encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                           f'<Relationships xmlns="{PKG_REL}">{"".join(rels)}</Relationships>').encode()
    parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
                            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                            f'<Relationship Id="rId2" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
                            '</Relationships>').encode()
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) +
        "</Types>").encode()
    parts.update(extra_parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", *(n for n in parts if n.startswith("xl/worksheets/"))]:
            z.writestr(zipfile.ZipInfo(name, (2027, 6, 1, 0, 0, 0)), parts.pop(name))
        for name, content in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2027, 6, 1, 0, 0, 0)), content)
    return out.getvalue()


def libreoffice(data: bytes, to: str, soffice: str, suffix: str = ".xlsx") -> bytes:
    """The package converted by LibreOffice (which fails on a package it cannot open)."""
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"book{suffix}"
        src.write_bytes(data)
        profile = Path(folder) / "profile"
        result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", to,
                                 "--outdir", folder, str(src)], capture_output=True, timeout=180)
        out = Path(folder) / f"book.{to.split(':')[0]}"
        assert out.exists(), result.stderr.decode(errors="replace")
        return out.read_bytes()


def libreoffice_values(data: bytes, soffice: str) -> list[list[str]]:
    """The first sheet's values as LibreOffice calculates them (formulas without a cached value are computed)."""
    text = libreoffice(data, "csv", soffice).decode("utf-8")
    return [row for row in csv.reader(io.StringIO(text))]
