"""What planners see: LibreOffice renders the workbook, Japanese included.

The PNGs are left under out/render/ for people to look at; the README shows them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlplan.cli import app
from xlplan.layout import sheets as L
from xlplan.render import pdf_pages, render

from conftest import ROOT, soffice

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed (.ci/run installs it)")
OUT = ROOT / "out" / "render"
A3_LANDSCAPE = (1190.55, 841.89)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_libreoffice_opens_the_whole_workbook(sample_book, tmp_path):
    run = subprocess.run([soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(sample_book)],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / (sample_book.stem + ".pdf")).stat().st_size > 10_000


def test_domain_sheet_renders_with_japanese_text(sample_book):
    pdf, pngs = render(sample_book, ["電子行政"], OUT, stem="domain_電子行政")
    assert pngs, "pdftoppm produced no page"
    text = _text(pdf)
    assert "電子行政" in text and "施策名" in text and "マイナポータル" in text
    assert all(abs(w - A3_LANDSCAPE[0]) < 2 and abs(h - A3_LANDSCAPE[1]) < 2 for w, h in pdf_pages(pdf))


def test_schedule_prints_a3_landscape_with_wareki_headers_and_every_measure(sample_book, sample_plan):
    assert CliRunner().invoke(app, ["schedule", str(sample_book)]).exit_code == 0
    pdf, pngs = render(sample_book, [L.SCHEDULE], OUT, stem="schedule", dpi=70)
    pages = pdf_pages(pdf)
    assert 1 <= len(pages) <= 5, pages
    assert all(abs(w - A3_LANDSCAPE[0]) < 2 and abs(h - A3_LANDSCAPE[1]) < 2 for w, h in pages)
    text = _text(pdf)
    for fy in ("令和9年度", "令和10年度", "令和11年度", "令和12年度", "令和13年度"):
        assert fy in text
    assert text.count("No.") == len(pages), "the header row repeats on every page"
    assert "凡例" in text and "◎" in text
    flat = text.replace(" ", "").replace("\n", "")
    for m in sample_plan.measures:
        assert m.name[:8] in flat, m.name
    assert len(pngs) == len(pages)


def test_render_command_writes_pdf_and_png(sample_book, tmp_path):
    result = CliRunner().invoke(app, ["render", str(sample_book), "--sheet", L.COVERAGE, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{sample_book.stem}.pdf").exists()
    assert list(tmp_path.glob("*.png"))
    assert "網羅表" in _text(tmp_path / f"{sample_book.stem}.pdf")
