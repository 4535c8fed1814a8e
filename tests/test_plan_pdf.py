"""What a reader of the published PDF sees (`xlplan export --pdf`), read back with pdftotext.

Checks that cannot pass by accident: every contents entry has a page number and its
heading is on that page; no xlplan IDs or KPI tags anywhere; dates in one notation;
the 手引's seven chapters and the 問い合わせ先. The PDF and PNGs of its pages are
left in out/plan_pdf/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, soffice
from typer.testing import CliRunner

from xlplan.cli import app
from xlplan.core.vocab import DateStyle, Pillar
from xlplan.export.docx import section_titles
from xlplan.export.docx_text import TOC_NOTE
from xlplan.planfile import dump_plan, load_plan

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice and poppler (pdftotext) are needed (.ci/run installs them)")
OUT = ROOT / "out" / "plan_pdf"
INTERNAL_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}-\d{2}|[NKC]\d{2})(?![0-9])")
KPI_TAG = re.compile(r"[（(](?:進捗|効果)・(?:時点|年度値|累計)・(?:増加|減少|達成)[）)]")
TOC_LINE = re.compile(r"^\s*(?P<title>\S.*?)\s*\.{4,}\s*(?P<page>\d+)\s*$")


def pdftotext(pdf: Path, first: int | None = None, last: int | None = None, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), *(["-f", str(first), "-l", str(last)] if first else []),
            str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """pdftotext puts spaces between Japanese and digits (令和 9 年度): compare without any."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def export_pdf(source: Path, pdf: Path) -> Path:
    result = CliRunner().invoke(app, ["export", str(source), "--pdf", str(pdf), "--force"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "目次のページ番号入り" in result.output
    return pdf


@pytest.fixture(scope="module")
def sample_pdf() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = export_pdf(SAMPLE, OUT / "sample_plan.pdf")
    for old in OUT.glob("sample_plan-*.png"):
        old.unlink()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(OUT / "sample_plan")], check=True, timeout=240)
    return pdf


def contents(pdf: Path) -> list[tuple[str, int]]:
    lines = pdftotext(pdf, 2, 2).splitlines()
    return [(flat(m["title"]), int(m["page"])) for line in lines if (m := TOC_LINE.match(line))]


def test_the_contents_give_each_heading_the_page_it_is_on(sample_pdf, sample_plan):
    entries = contents(sample_pdf)
    titles = [flat(f"{i}{t}") for i, t in enumerate(section_titles(sample_plan), start=1)]
    pillars = [flat(f"({i}){p.title}") for i, p in enumerate(Pillar, start=1)]
    listed = [t for t, _ in entries]
    assert [t for t in listed if t[0].isdigit()] == titles, "the seven chapters, in order"
    assert all(listed.count(p) == 2 for p in pillars), "each pillar in §5 and in §6"
    assert "(7)工程表" in "".join(listed) and "(8)柱と分野の対応表" in listed
    pages = page_count(sample_pdf)
    previous = 0
    for title, page in entries:
        assert previous <= page <= pages, (title, page)
        assert title in flat(pdftotext(sample_pdf, page, page)), f"{title} is not on page {page}"
        previous = page
    assert entries[0][1] >= 3, "the contents come after the title page and the contents page"


def test_a_reader_sees_no_internal_codes_tags_or_notes_to_the_clerk(sample_pdf):
    text = pdftotext(sample_pdf, layout=False)
    assert not INTERNAL_ID.findall(text), INTERNAL_ID.findall(text)[:5]
    assert not KPI_TAG.findall(flat(text))
    assert "（効果・年度値・増加）" not in flat(text)
    assert flat(TOC_NOTE)[:20] not in flat(text) and "フィールドの更新" not in text


def test_dates_are_written_in_one_notation(sample_pdf):
    text = flat(pdftotext(sample_pdf, layout=False))
    assert not re.search(r"\d{4}/\d{1,2}/\d{1,2}", text), "no 2026/3/31"
    assert not re.search(r"(?<![A-Za-z])R\d{1,2}(?![0-9])", text), "no R7 short forms"
    # 和暦（西暦）: a western year only ever stands in parentheses right after its 和暦 (or in a year header).
    era = r"(?:令和|平成)(?:元|\d{1,2})"
    allowed = (rf"{era}年度（\d{{4}}年度）|{era}〜\d{{1,2}}年度（\d{{4}}〜\d{{4}}年度）|{era}年（\d{{4}}年）"
               rf"|{era}年度\(\d{{4}}\)|\d{{4}}年版")
    rest = re.sub(allowed, "", text)
    assert not re.search(r"\d{4}年", rest), re.findall(r".{10}\d{4}年.{4}", rest)[:5]
    assert "令和8年3月31日時点" in text and "令和9年度（2027年度）から令和13年度（2031年度）まで（5年間）" in text


def test_the_seven_chapters_the_schedule_and_the_contact_are_there(sample_pdf, sample_plan):
    text = flat(pdftotext(sample_pdf, layout=False))
    for i, title in enumerate(section_titles(sample_plan), start=1):
        assert text.count(flat(f"{i}{title}")) >= 2, title     # the contents entry and the heading
    for m in sample_plan.measures:
        assert flat(m.name) in text, m.name
    assert "問い合わせ先" in text and "電話0000-00-0000" in text and "企画部DX推進課" in text
    assert "■実施・運用" in text and "凡例" in text
    assert "-2-" in text                                 # page numbers in the footer


def test_pages_are_a4_with_the_schedule_landscape(sample_pdf):
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(sample_pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    assert 10 <= len(sizes) <= 60
    assert sizes[0] == pytest.approx((595.3, 841.9), abs=1)
    landscape = [i for i, (w, h) in enumerate(sizes, start=1) if w > h]
    assert landscape and "工程表" in flat(pdftotext(sample_pdf, landscape[0], landscape[0]))
    if shutil.which("pdftoppm"):
        assert len(list(OUT.glob("sample_plan-*.png"))) == len(sizes)


def test_with_wareki_only_no_western_year_is_printed(tmp_path):
    plan = load_plan(SAMPLE).model_copy(update={"date_style": DateStyle.WAREKI})
    source = tmp_path / "wareki.yaml"
    source.write_text(dump_plan(plan), encoding="utf-8")
    pdf = export_pdf(source, OUT / "sample_plan_wareki.pdf")
    text = flat(pdftotext(pdf, layout=False))
    assert not re.search(r"\d{4}年(?!版)", text), re.findall(r".{10}\d{4}年.{4}", text)[:5]
    assert not re.search(r"\(\d{4}\)", text)
    assert "令和9年度から令和13年度まで（5年間）" in text
    assert all(page for _, page in contents(pdf))


def test_export_needs_a_pdf_name_and_says_what_to_do(tmp_path):
    result = CliRunner().invoke(app, ["export", str(SAMPLE), "--pdf", str(tmp_path)])
    assert result.exit_code == 2 and "フォルダー" in result.output
