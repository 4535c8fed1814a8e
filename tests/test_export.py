"""Exports: open data (JSON/CSV) that matches the plan and the workbook, and the plan document (.docx).

The document test renders the sample through LibreOffice and leaves the PDF and
PNGs of the first pages in out/export/ for a person to look at.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, soffice
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from typer.testing import CliRunner

from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.core.catalog import with_catalog_programs
from xlplan.core.fiscal import fy_header, wareki_fy
from xlplan.core.model import Measure, Plan
from xlplan.export.docx import (
    TOC_INSTRUCTION,
    export_docx,
    section_titles,
    split_title,
    tidy,
)
from xlplan.export.opendata import (
    BOM,
    TABLES,
    csv_cell,
    export_csv,
    export_json,
    neutralize,
    schema_markdown,
)
from xlplan.planfile import dump_plan

runner = CliRunner()
TODAY = dt.date(2026, 11, 1)
OUT = ROOT / "out" / "export"


def run(*args):
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def read_csv(path: Path, bom: bool = False) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode()) == bom
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


def expected_counts(plan: Plan) -> dict[str, int]:
    return {
        "measures": len(plan.measures),
        "kpis": sum(len(m.kpis) for m in plan.measures),
        "kpi_values": sum(len(k.interim) + len(k.actuals) for m in plan.measures for k in m.kpis),
        "schedule": sum(len(m.schedule) for m in plan.measures),
        "milestones": sum(len(m.milestones) for m in plan.measures),
        "programs": len(plan.programs),
        "coverage": 6 * len(plan.domains),
        "progress": sum(len(k.actuals) for m in plan.measures for k in m.kpis),
    }


# ------------------------------------------------------------------ open data

def test_json_tables_match_the_plan(tmp_path, sample_plan):
    written = export_json(sample_plan, tmp_path / "json", today=TODAY)
    counts = expected_counts(sample_plan)
    assert counts["measures"] == 35 and counts["schedule"] > 100
    for table in TABLES:
        rows = json.loads(written[table.name].read_text(encoding="utf-8"))
        assert len(rows) == counts[table.name], table.name
        assert all(list(row) == table.column_names for row in rows)
    measures = {r["measure_id"]: r for r in json.loads(written["measures"].read_text(encoding="utf-8"))}
    assert set(measures) == {m.id for m in sample_plan.measures}
    dg01 = measures["DG-01"]
    assert dg01["pillar_code"] == "P10" and dg01["program_ids"] == ["N11"] and dg01["kpi_count"] == 2
    assert dg01["first_fy"] == 2027 and dg01["last_fy"] == 2031
    kpis = json.loads(written["kpis"].read_text(encoding="utf-8"))
    first = next(k for k in kpis if k["kpi_id"] == "DG-01-1")
    assert first["baseline_value"] == 3200 and first["target_value"] == 15000 and first["target_fy_label"] == "令和13年度"
    unknown = next(k for k in kpis if k["measure_id"] == "HL-02")
    assert unknown["baseline_status"] == "未把握" and unknown["baseline_value"] is None
    schedule = json.loads(written["schedule"].read_text(encoding="utf-8"))
    dg01_rows = [s for s in schedule if s["measure_id"] == "DG-01"]
    assert [(s["fiscal_year"], s["phase"]) for s in dg01_rows] == sorted(
        (fy, p.value) for fy, p in sample_plan.measures[0].schedule.items())
    assert dg01_rows[3]["continued"] is True and dg01_rows[0]["fiscal_year_label"] == "令和9年度"
    coverage = json.loads(written["coverage"].read_text(encoding="utf-8"))
    assert sum(c["measure_count"] for c in coverage) == 35
    meta = json.loads(written["metadata"].read_text(encoding="utf-8"))
    assert meta["municipality"] == "青葉台市" and meta["exported_on"] == "2026-11-01"
    assert meta["period_label"] == "令和9年度から令和13年度まで（5年間）"
    assert {name: t["rows"] for name, t in meta["tables"].items()} == counts


@pytest.mark.parametrize("bom", [False, True])
def test_csv_tables_match_the_plan_with_optional_bom(tmp_path, sample_plan, bom):
    written = export_csv(sample_plan, tmp_path / "csv", bom=bom, today=TODAY)
    counts = expected_counts(sample_plan)
    for table in TABLES:
        rows = read_csv(written[table.name], bom=bom)
        assert len(rows) == counts[table.name], table.name
        header = written[table.name].read_bytes().decode("utf-8-sig").split("\r\n", 1)[0]
        assert header.split(",") == table.column_names
    measures = read_csv(written["measures"], bom=bom)
    assert measures[0]["measure_id"] == "DG-01" and measures[0]["program_ids"] == "N11"
    assert next(r for r in measures if r["measure_id"] == "HL-01")["program_ids"] == "N20;N22"
    kpis = read_csv(written["kpis"], bom=bom)
    assert next(k for k in kpis if k["kpi_id"] == "DG-02-1")["baseline_value"] == "38.5"
    schedule = read_csv(written["schedule"], bom=bom)
    assert {r["continued"] for r in schedule} == {"true", "false"}


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path):
    evil = {"name": "=HYPERLINK(\"http://x\",\"y\")", "content": "+1+1", "owner": "-課", "notes": "@SUM(A1)"}
    plan = Plan(municipality="テスト市", start_fy=2027, measures=[
        Measure(id="=X-1", domain="電子行政", pillar="10条", schedule={2027: "検討"}, **evil),
        Measure(id="X-2", domain="電子行政", pillar="10条", name="ok", programs=["=cmd"]),
    ])
    written = export_csv(plan, tmp_path, today=TODAY)
    text = written["measures"].read_text(encoding="utf-8")
    rows = read_csv(written["measures"])
    assert rows[0]["name"] == "'" + evil["name"]
    assert rows[0]["content"] == "'+1+1" and rows[0]["owner"] == "'-課" and rows[0]["notes"] == "'@SUM(A1)"
    assert rows[0]["measure_id"] == "'=X-1" and rows[1]["program_ids"] == "'=cmd"
    assert read_csv(written["schedule"])[0]["measure_id"] == "'=X-1"
    assert ",=" not in text and ",+" not in text and ",@" not in text and ",-" not in text
    # the model strips leading whitespace, so tab and CR are checked on the cell function itself
    assert csv_cell("\tcmd") == "'\tcmd" and csv_cell("\rcmd") == "'\rcmd" and csv_cell(["=a", "b"]) == "'=a;b"
    # numbers stay numbers; ordinary text is untouched; JSON keeps the data as it is
    assert csv_cell(-5) == "-5" and csv_cell(2.5) == "2.5" and csv_cell(3.0) == "3" and csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert neutralize("DX推進課") == "DX推進課" and neutralize("") == ""
    rows_json = json.loads(export_json(plan, tmp_path / "j", today=TODAY)["measures"].read_text(encoding="utf-8"))
    assert rows_json[0]["name"] == evil["name"]


def test_schema_document_is_current_and_lists_every_column():
    doc = (ROOT / "docs" / "opendata-schema.md").read_text(encoding="utf-8")
    assert doc == schema_markdown(), "docs/opendata-schema.md is stale: run python -m xlplan.export.opendata"
    for table in TABLES:
        assert f"## {table.name}（{table.label}）" in doc
        for column in table.columns:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", column.name)
            assert f"| `{column.name}` | {column.label} |" in doc


def test_exports_of_the_workbook_and_of_its_plan_file_are_identical(tmp_path, sample_bytes):
    book = tmp_path / "青葉台市.xlsm"
    book.write_bytes(sample_bytes)
    for source, folder in ((book, "from_book"), (SAMPLE, "from_yaml")):
        result = run("export", source, "--json", tmp_path / folder / "json", "--csv", tmp_path / folder / "csv", "--bom")
        assert result.exit_code == 0, result.output
        assert "オープンデータ（JSON）を書き出しました" in result.output and "個別施策 35行" in result.output
    for kind in ("json", "csv"):
        files = sorted(p.name for p in (tmp_path / "from_book" / kind).iterdir())
        assert len(files) == len(TABLES) + 1
        for name in files:
            a = (tmp_path / "from_book" / kind / name).read_bytes()
            b = (tmp_path / "from_yaml" / kind / name).read_bytes()
            if name == "metadata.json":  # the export date may differ across midnight
                a, b = (json.loads(x) for x in (a, b))
                a.pop("exported_on"), b.pop("exported_on")
            assert a == b, f"{kind}/{name}"


def test_export_command_errors_exit_2(tmp_path):
    assert run("export", SAMPLE).exit_code == 2
    assert run("export", SAMPLE, "--json", tmp_path, "--bom").exit_code == 2
    result = run("export", SAMPLE, "--docx", tmp_path / "plan.pdf")
    assert result.exit_code == 2 and ".docx" in result.output
    (tmp_path / "file").write_text("x")
    assert run("export", SAMPLE, "--csv", tmp_path / "file").exit_code == 2
    assert run("export", tmp_path / "missing.yaml", "--json", tmp_path / "j").exit_code == 2


def test_progress_command_text_and_json(tmp_path, sample_plan):
    plan = sample_plan.model_copy(deep=True)
    plan.measures[0].kpis[0].actuals = {2027: 5000}     # DG-01 申請件数 (年度値, 3,200 → 8,000 in R11): 目安 4,800 → 112.5% → A
    plan.measures[3].kpis[0].statuses = {2027: "達成"}  # DG-04 条例 (due 令和10年度): 100% of the 50% expected → A
    plan.measures[4].kpis[0].actuals = {2027: 60}       # DG-05 datasets (累計 52 → 80 in R10): 目安 66 → 57.1% → C
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan(plan), encoding="utf-8")
    result = run("progress", path, "--fy", "令和9年度")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("青葉台市　令和9年度の進捗")
    assert any(line.startswith("A 目標より進んでいる　DG-01 オンライン申請件数: 目安 4,800件、実績 5,000件、達成率 112.5%")
               for line in lines)
    assert any(line.startswith("A 目標より進んでいる　DG-04") and "実績 達成" in line for line in lines)
    assert any(line.startswith("C 目標より遅れている　DG-05") and "目安 66件" in line and "57.1%" in line for line in lines)
    assert lines[-1] == "評価: A 目標より進んでいる 2件、B 目標どおり進んでいる 0件、C 目標より遅れている 1件、D 評価できない 42件"
    data = json.loads(run("progress", path, "--format", "json").stdout)   # default FY: the latest with actuals
    assert data["fiscal_year"] == 2027 and data["summary"] == {"A": 2, "B": 0, "C": 1, "D": 42}
    first = data["results"][0]
    assert first["grade"] == "A" and first["expected"] == 4800 and first["rate"] == pytest.approx(1.125)
    assert run("progress", SAMPLE).exit_code == 2        # no actuals and no --fy
    assert run("progress", SAMPLE, "--fy", "来年").exit_code == 2


# ------------------------------------------------------------------ the plan document

@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory) -> Path:
    from xlplan.planfile import load_plan

    plan = with_catalog_programs(load_plan(SAMPLE), load_catalog())
    path = tmp_path_factory.mktemp("docx") / "青葉台市 計画書.docx"
    export_docx(plan, path, today=TODAY)
    return path


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_docx_structure(sample_docx, sample_plan):
    doc = Document(str(sample_docx))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    titles = section_titles(sample_plan)
    assert headings == [f"{i}　{t}" for i, t in enumerate(titles, start=1)]
    assert titles[0] == "青葉台市の現状及び課題" and titles[6] == "セキュリティ及び個人情報の適正な取扱いの確保"
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "(1) 行政手続に係るオンライン利用の原則化（10条）" in h2            # 5: pillar heading from vocab
    assert "(1) 手続における情報通信の技術の利用等に係る取組（第10条）" in h2  # 6: the 手引's sub-heading
    assert any(h.startswith("(7) 工程表") for h in h2) and "(8) 柱と分野の対応表" in h2
    xml = doc.element.xml
    assert TOC_INSTRUCTION in xml and "w:updateFields" in doc.settings.element.xml
    footer_xml = doc.sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    for s in doc.sections:   # A4 (stored in twips, so within a fraction of a millimetre)
        short, long = sorted((s.page_width, s.page_height))
        assert abs(short - Mm(210)) < Mm(0.1) and abs(long - Mm(297)) < Mm(0.1)
    normal = doc.styles["Normal"].element.xml
    assert 'w:eastAsia="MS Mincho"' in normal
    text = _all_text(doc)
    for m in sample_plan.measures:
        assert m.name in text
    assert "サイバーセキュリティ基本法（平成26年法律第104号）" in text and "個人情報の保護に関する法律（平成15年法律第57号）" in text
    assert "令和9年度から令和13年度まで（5年間）" in text and "令和8年11月" in text
    for fy in sample_plan.fiscal_years:
        assert fy_header(fy) in text
    assert "マイナポータル（ぴったりサービス）" in text or "N11" not in text  # program names, not bare ids


def test_docx_of_an_empty_plan_has_placeholders(tmp_path):
    plan = Plan(municipality="空白町", start_fy="R9", years=10)
    path = export_docx(plan, tmp_path / "empty.docx", today=TODAY)
    doc = Document(str(path))
    text = _all_text(doc)
    assert "空白町官民データ活用推進計画" in text
    assert "基本情報の「現状及び課題」を記入すると" in text
    assert "この方針に基づく個別施策は、まだ定めていない。" in text
    assert fy_header(2036) in text   # a 10-year 工程表 still gets every FY column


def test_small_helpers():
    assert split_title("青葉台市官民データ活用推進計画（青葉台市DX推進計画）") == ("青葉台市官民データ活用推進計画", "（青葉台市DX推進計画）")
    assert split_title("計画") == ("計画", "")
    assert tidy("減少している。 また、課題が") == "減少している。また、課題が"


def _tool(name: str) -> str | None:
    return shutil.which(name)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_docx_renders_through_libreoffice(sample_docx, sample_plan, tmp_path):
    if not (_tool("pdfinfo") and _tool("pdftotext")):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) are not installed")
    OUT.mkdir(parents=True, exist_ok=True)
    docx_copy = OUT / "sample_plan.docx"
    shutil.copy(sample_docx, docx_copy)
    profile = tmp_path / "lo_profile"
    subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
         "--outdir", str(OUT), str(docx_copy)],
        check=True, capture_output=True, timeout=240,
    )
    pdf = OUT / "sample_plan.pdf"
    assert pdf.exists()
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    assert 10 <= pages <= 60
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    assert len(sizes) == pages
    assert any(float(w) > float(h) for w, h in sizes), "the 工程表 pages are landscape"
    assert float(sizes[0][0]) == pytest.approx(595.3, abs=1)   # A4 portrait
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for i, title in enumerate(section_titles(sample_plan), start=1):
        assert flat.count(f"{i}{title}") >= 2, title     # the chapter heading and the static contents list
    landscape = [i for i, (w, h) in enumerate(sizes, start=1) if float(w) > float(h)]
    schedule_text = subprocess.run(["pdftotext", "-f", str(landscape[0]), "-l", str(landscape[-1]), str(pdf), "-"],
                                   capture_output=True, text=True, check=True).stdout
    schedule_flat = re.sub(r"\s+", "", schedule_text)
    assert "工程表" in schedule_flat
    for fy in sample_plan.fiscal_years:                 # 工程表 headers 令和9年度 / (2027) …
        assert wareki_fy(fy) in schedule_flat and f"({fy})" in schedule_flat
    assert "■実施・運用" in schedule_flat and "→" in schedule_flat
    for m in sample_plan.measures[:5] + sample_plan.measures[-3:]:
        assert re.sub(r"\s+", "", m.name) in flat, m.name
    assert "サイバーセキュリティ基本法" in flat and "柱と分野の対応表" in flat
    assert "-2-" in flat                                 # page numbers in the footer
    if _tool("pdftoppm"):
        for old in OUT.glob("sample_plan*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "6", str(pdf), str(OUT / "sample_plan")], check=True)
        first = sorted(OUT.glob("sample_plan-*.png"))
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(landscape[0]), "-l", str(landscape[0]), str(pdf),
                        str(OUT / "sample_plan_schedule")], check=True)
        assert len(first) == 6


def test_the_document_refers_to_the_body_as_it_is_called(tmp_path):
    from xlplan.export.docx import self_reference

    assert [self_reference(n) for n in ("青葉台市", "美浜町", "白川村", "架空県", "何か組合")] == [
        "本市", "本町", "本村", "本県", "本団体"]
    doc = Document(str(export_docx(Plan(municipality="美浜町", start_fy=2027), tmp_path / "town.docx", today=TODAY)))
    text = _all_text(doc)
    assert "本町は、官民データの活用の推進に当たっては" in text and "本市" not in text
