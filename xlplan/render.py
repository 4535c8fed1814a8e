"""Render sheets to PDF and PNG with LibreOffice, to look at what planners will print.

Only the chosen sheets are rendered: the others are hidden in a temporary copy
(hidden sheets are not printed), so the PDF pages are exactly those sheets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from xlplan.errors import XlplanUserError


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def only_sheets(package: bytes, sheets: list[str]) -> bytes:
    """A copy of the workbook in which every sheet but `sheets` is hidden."""
    source = zipfile.ZipFile(BytesIO(package))
    workbook = source.read("xl/workbook.xml").decode("utf-8")
    names = re.findall(r'<sheet [^>]*name="([^"]*)"', workbook)
    missing = [s for s in sheets if s not in names]
    if missing:
        raise XlplanUserError(f"シート「{'」「'.join(missing)}」がありません。")

    def visibility(m: re.Match) -> str:
        tag = re.sub(r'\s+state="[^"]*"', "", m.group(0))
        name = re.search(r'name="([^"]*)"', tag).group(1)
        return tag if name in sheets else tag.replace("<sheet ", '<sheet state="hidden" ', 1)

    workbook = re.sub(r"<sheet [^>]*/>", visibility, workbook)
    first = names.index(sheets[0])
    workbook = re.sub(r'activeTab="\d+"', f'activeTab="{first}"', workbook)
    if "activeTab=" not in workbook:
        workbook = workbook.replace("<workbookView ", f'<workbookView activeTab="{first}" ', 1)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = workbook.encode("utf-8") if info.filename == "xl/workbook.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def render(path: Path, sheets: list[str], outdir: Path, *, dpi: int = 80, stem: str | None = None) -> tuple[Path, list[Path]]:
    """PDF of the given sheets and one PNG per page, in outdir."""
    soffice = find_soffice()
    if soffice is None:
        raise XlplanUserError("LibreOffice（soffice）が見つかりません。コマンド apt-get install libreoffice-calc-nogui で入れてください（Windows では LibreOffice をインストールしてください）。")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    stem = stem or "render"
    with tempfile.TemporaryDirectory(prefix="xlplan-render-") as tmp:
        copy = Path(tmp) / f"{stem}.xlsx"
        copy.write_bytes(only_sheets(Path(path).read_bytes(), sheets))
        profile = Path(tmp) / "profile"
        run = subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                              "--convert-to", "pdf", "--outdir", tmp, str(copy)],
                             capture_output=True, text=True, timeout=240)
        produced = Path(tmp) / f"{stem}.pdf"
        if run.returncode != 0 or not produced.exists():
            raise XlplanUserError(f"LibreOffice で PDF にできませんでした: {run.stderr.strip()[:300]}")
        pdf = outdir / f"{stem}.pdf"
        shutil.move(str(produced), pdf)
    for old in outdir.glob(f"{stem}-*.png"):
        old.unlink()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(outdir / stem)], check=True, timeout=240)
    return pdf, sorted(outdir.glob(f"{stem}-*.png"))


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Page sizes in points, from pdfinfo."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
