"""The plan document (.docx) reads like a published municipal plan.

The 手引's seven chapters, measures headed by number and name (never xlplan's IDs), a KPI
table per measure without internal tags, one title per pillar, dates in the notation
chosen in 基本情報, the legal basis by 団体種別, 問い合わせ先 and 見直し時期, and a table
of contents that lists the headings before anyone updates it.
The PDF (what a reader gets) is checked in test_plan_pdf.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import SAMPLE
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from xlplan.catalog_data import load_catalog
from xlplan.core.catalog import with_catalog_programs
from xlplan.core.model import Plan
from xlplan.core.vocab import BodyType, DateStyle, Pillar
from xlplan.export.docx import TOC_INSTRUCTION, export_docx, section_titles, split_title, tidy
from xlplan.export.docx_parts import NOTE_STYLE
from xlplan.export.docx_tables import KPI_HEADERS
from xlplan.export.docx_text import TOC_NOTE, measure_numbers
from xlplan.planfile import load_plan

TODAY = dt.date(2026, 11, 1)
# xlplan's measure IDs (DG-01, HL-02 …) and program/catalog IDs (N11, K01, C06) a reader must not see.
INTERNAL_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}-\d{2}|[NKC]\d{2})(?![0-9])")
KPI_TAG = re.compile(r"[（(](?:進捗|効果)・(?:時点|年度値|累計)・(?:増加|減少|達成)[）)]")


def sample(**changes) -> Plan:
    plan = with_catalog_programs(load_plan(SAMPLE), load_catalog())
    return plan.model_copy(update=changes) if changes else plan


def write(plan: Plan, tmp_path: Path, name: str = "plan.docx"):
    return Document(str(export_docx(plan, tmp_path / name, today=TODAY)))


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    return write(sample(), tmp_path_factory.mktemp("docx"))


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def test_the_chapters_are_the_seven_of_the_tebiki(doc, sample_plan):
    titles = section_titles(sample_plan)
    assert headings(doc, 1) == [f"{i}　{t}" for i, t in enumerate(titles, start=1)]
    assert titles[0] == "青葉台市の現状及び課題" and titles[6] == "セキュリティ及び個人情報の適正な取扱いの確保"


def test_measures_are_headed_by_number_and_name_never_by_id(doc, sample_plan):
    numbers = measure_numbers(sample_plan)
    measure_headings = headings(doc, 4)
    assert len(measure_headings) == len(sample_plan.measures)
    for m in sample_plan.measures:
        assert f"施策{numbers[m.id]}　{m.name}" in measure_headings
    assert sorted(numbers.values()) == list(range(1, len(sample_plan.measures) + 1))
    for level in (1, 2, 3, 4):
        assert not any(INTERNAL_ID.search(h) for h in headings(doc, level)), headings(doc, level)


def test_a_reader_never_sees_internal_ids_or_kpi_tags(doc):
    text = all_text(doc)
    assert not INTERNAL_ID.findall(text)
    assert not KPI_TAG.findall(text) and "（効果・年度値・増加）" not in text


def test_kpis_are_a_table_of_indicator_baseline_target_and_interim(doc, sample_plan):
    kpi_tables = [t for t in doc.tables if tuple(c.text for c in t.rows[0].cells) == KPI_HEADERS]
    assert len(kpi_tables) == len(sample_plan.measures)
    rows = [[c.text for c in row.cells] for t in kpi_tables for row in t.rows[1:]]
    assert len(rows) == sum(len(m.kpis) for m in sample_plan.measures)
    online = next(r for r in rows if r[0] == "オンライン申請件数")
    # 年度値 reads 年間…; the first date of a table carries the 西暦 (和暦（西暦）, the default).
    assert online == ["オンライン申請件数", "年間3,200件\n令和7年度（2025年度）", "年間15,000件\n令和13年度",
                      "令和11年度　年間8,000件"]
    dated = next(r for r in rows if r[0] == "オンライン申請が可能な手続数")
    assert dated[1] == "45手続\n令和8年3月31日時点" and dated[3] == "—"


def test_each_pillar_has_one_title_in_sections_5_and_6(doc):
    h2 = headings(doc, 2)
    titles = [f"({i}) {p.title}" for i, p in enumerate(Pillar, start=1)]
    assert h2.count(titles[0]) == 2 and all(h2.count(t) == 2 for t in titles)
    assert not any("に係る取組" in h for h in h2)


def test_the_contents_list_the_headings_before_any_update(doc):
    body = doc.element.body
    instr = "".join(t.text for t in body.iter(qn("w:instrText")))
    assert TOC_INSTRUCTION in instr and "PAGEREF _Toc" in instr
    entries = [p for p in doc.paragraphs if p.style.name in ("toc 1", "toc 2")]
    expected = headings(doc, 1) + headings(doc, 2)
    assert sorted(p.text.rstrip("\t") for p in entries) == sorted(expected)
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    anchors = {h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))}
    assert anchors and anchors <= bookmarks, "every entry links to its heading"
    notes = [p.text for p in doc.paragraphs if p.style.name == NOTE_STYLE]
    assert notes == [TOC_NOTE] and "フィールド更新" in TOC_NOTE
    assert "フィールドの更新」を行うと表示されます" not in all_text(doc)
    assert "w:updateFields" in doc.settings.element.xml


def test_pages_and_fonts(doc):
    assert "PAGE" in doc.sections[0].footer._element.xml
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    for s in doc.sections:   # A4 (stored in twips, so within a fraction of a millimetre)
        short, long = sorted((s.page_width, s.page_height))
        assert abs(short - Mm(210)) < Mm(0.1) and abs(long - Mm(297)) < Mm(0.1)
    assert 'w:eastAsia="MS Mincho"' in doc.styles["Normal"].element.xml


def test_municipal_plan_cites_article_9_3_and_calls_itself_honshi(doc):
    text = all_text(doc)
    assert "官民データ活用推進基本法（平成28年法律第103号）第9条第3項に基づく市町村官民データ活用推進計画である。" in text
    assert "本市は、官民データの活用の推進に当たっては" in text
    assert text.count("第9条第3項に基づく") == 1, "the clerk's own line saying the same is not repeated"


def test_a_prefecture_plan_is_worded_as_a_prefectures(tmp_path):
    plan = Plan(municipality="架空県", body_type=BodyType.PREFECTURE, start_fy=2027, roles=["第9条第3項に基づく計画"])
    text = all_text(write(plan, tmp_path))
    assert "第9条第1項に基づく都道府県官民データ活用推進計画である。" in text
    assert "本県は、官民データの活用の推進に当たっては" in text
    assert "本市" not in text and "市町村官民データ活用推進計画" not in text and "第9条第3項" not in text


@pytest.mark.parametrize("name, me", [("美浜町", "本町"), ("白川村", "本村")])
def test_the_document_refers_to_the_body_as_it_is_called(tmp_path, name, me):
    text = all_text(write(Plan(municipality=name, start_fy=2027), tmp_path))
    assert f"{me}は、官民データの活用の推進に当たっては" in text and "本市" not in text


def test_contact_and_review_are_printed(doc, tmp_path):
    text = all_text(doc)
    assert "問い合わせ先" in text and "青葉台市　企画部DX推進課\n電話　0000-00-0000\nメール　dx-suishin@" in text
    reviewed = all_text(write(sample(review="毎年度、2029年度に中間見直し"), tmp_path))
    assert "本計画の見直しの時期は、毎年度、令和11年度（2029年度）に中間見直しとする。" in reviewed


def test_dates_typed_by_the_clerk_follow_the_notation(tmp_path):
    plan = sample(date_style=DateStyle.WAREKI)
    text = all_text(write(plan, tmp_path))
    assert not re.search(r"\d{4}\s*年(?!版)", text), re.findall(r".{12}\d{4}\s*年.{6}", text)   # 2016年版: a title
    assert not re.search(r"\d{4}/\d{1,2}/\d{1,2}", text)
    assert not re.search(r"(?<![A-Za-z])R\d{1,2}(?!\d)", text)
    assert "令和10年度までに移行を完了する" in text          # typed as 2028年度までに
    western = all_text(write(sample(date_style=DateStyle.WESTERN), tmp_path, "w.docx"))
    assert not re.sub(r"平成\d+年法律", "", western).count("令和") and not re.sub(r"平成\d+年法律", "", western).count("平成")
    assert "2027年度から2031年度まで（5年間）" in western


def test_ids_a_clerk_wrote_become_measure_numbers_and_program_names(tmp_path, sample_plan):
    plan = sample()
    first = plan.measures[0]
    changed = first.model_copy(update={"content": "DG-03 の結果を踏まえ、K01 を活用して進める。"})
    plan = plan.model_copy(update={"measures": [changed, *plan.measures[1:]]})
    text = all_text(write(plan, tmp_path))
    number = measure_numbers(plan)["DG-03"]
    assert f"施策{number} の結果を踏まえ、架空県市町村DX推進補助金 を活用して進める。" in text


def test_an_empty_plan_shows_placeholders(tmp_path):
    doc = write(Plan(municipality="空白町", start_fy="R9", years=10), tmp_path)
    text = all_text(doc)
    assert "空白町官民データ活用推進計画" in text
    assert "基本情報の「現状及び課題」を記入すると" in text
    assert "この方針に基づく個別施策は、まだ定めていない。" in text
    assert "基本情報の「問い合わせ先」（担当部署・電話・メール）を入力すると" in text
    assert "令和18年度\n(2036)" in text   # a 10-year 工程表 still gets every year column


def test_small_helpers():
    assert split_title("青葉台市官民データ活用推進計画（青葉台市DX推進計画）") == ("青葉台市官民データ活用推進計画", "（青葉台市DX推進計画）")
    assert split_title("計画") == ("計画", "")
    assert tidy("減少している。 また、課題が") == "減少している。また、課題が"
