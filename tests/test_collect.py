"""xlplan collect on files: answers → master through the no-loss write path, logged in 取込結果, and the
新旧対照表 of the result. The scenario of issue 17's "done when" runs end to end here."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from formedits import Form
from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.cli import app
from xlplan.layout import sheets as L
from xlplan.layout import survey_form as S
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.ops import SetValues
from xlplan.layout.read import read_plan

runner = CliRunner()


def invoke(*args) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def office_sets(master: Path, measure_id: str, kpi: int | None, key: str, value) -> None:
    """The planning office edits the master (through xlplan's own write path)."""
    read = read_plan(read_values(master))
    rows = read.locator.measures[measure_id]
    table = read.layout.domain_tables[rows.sheet]
    row = rows.first_row if kpi is None else rows.kpi_rows[kpi]
    apply_ops(master, [SetValues(rows.sheet, row, table.col(key), [[value]])])


def cell(master: Path, sheet: str, ref: str):
    r, c = parse_cell(ref)
    grid = read_values(master, [sheet])[sheet]
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else None


def measure(master: Path, measure_id: str):
    return next(m for m in read_plan(read_values(master)).plan.measures if m.id == measure_id)


def progress_row(master: Path, measure_id: str, kpi_no: int, year: str) -> int:
    """The 進捗管理 row of a KPI's year, found by its generated cells."""
    t = L.ProgressLayout().table
    grid = read_values(master, [L.PROGRESS])[L.PROGRESS]
    (row,) = [r for r in range(t.first_row, len(grid)) if grid[r][t.col("progress.measure_id")] == measure_id
              and grid[r][t.col("progress.kpi_no")] == kpi_no and grid[r][t.col("progress.fy")] == year]
    return row


def log(master: Path) -> list[list]:
    grid = read_values(master, [L.COLLECT_LOG])[L.COLLECT_LOG]
    return [r for r in grid[L.COLLECT_TABLE.first_row:] if any(v not in (None, "") for v in r)]


@pytest.fixture()
def answered(sample_book, tmp_path):
    """Forms made from the master, three of them answered, and the master changed by the office meanwhile."""
    code, output = invoke("survey", sample_book, "--by-owner", "-o", tmp_path / "照会票")
    assert code == 0, output
    code, output = invoke("survey", sample_book, "--by-owner", "--owners", "税務課", "--kind", "actuals", "--fy", "R9",
                          "-o", tmp_path / "実績照会")
    assert code == 0, output
    answers = tmp_path / "回答"
    answers.mkdir()
    dx = Form(tmp_path / "照会票" / "計画照会_DX推進課.xlsx")                  # proposes a measure
    dx.propose(0, {"分野": "電子行政", "柱": "10条", "施策名": "公共施設予約のオンライン化", "内容": "公共施設の予約をオンラインで受け付ける。",
                   "指標名": "オンライン予約の割合", "単位": "%", "目標値": 60, "目標年度": "R12", "令和10年度工程": "準備",
                   "令和11年度工程": "実施・運用"})
    dx.save(answers / "計画照会_DX推進課.xlsx")
    somu = Form(tmp_path / "照会票" / "計画照会_総務課.xlsx")                  # changes KPI targets
    somu.type(S.MEASURES, "DG-12", 1, "目標値", 95)
    somu.type(S.MEASURES, "DG-12", 2, "目標値", 2000000)
    somu.cosmetics(S.MEASURES)
    somu.save(answers / "計画照会_総務課.xlsx")
    zei = Form(tmp_path / "実績照会" / "実績照会_税務課.xlsx")                 # enters actuals
    zei.type(S.ACTUALS, "DG-02", 1, "令和9年度の実績値", 41)
    zei.type(S.ACTUALS, "DG-02", 1, "実績の説明", "事業者への周知で増加")
    zei.type(S.ACTUALS, "DG-02", 1, "今後の取組", "未対応の事業者に個別に案内")
    zei.save(answers / "実績照会_税務課.xlsx")
    office_sets(sample_book, "DG-12", 1, "kpi.target_value", 2200000)     # the office changed the same target
    before = sample_book.with_name("before.xlsm")
    before.write_bytes(sample_book.read_bytes())
    return sample_book, answers, before


def test_collect_brings_exactly_the_answers_in_and_leaves_the_conflict(answered):
    master, answers, before = answered
    code, output = invoke("collect", master, answers)
    assert code == 1, output                                             # a conflict is left open
    assert "競合 DG-12:KPI2:目標値" in output and "--take" in output
    assert measure(master, "DG-12").kpis[0].target_value == 95
    assert measure(master, "DG-12").kpis[1].target_value == 2200000      # the master's value stays
    new = measure(master, "DG-16")
    assert (new.name, new.owner, new.pillar.value, new.kpis[0].target_value) == (
        "公共施設予約のオンライン化", "DX推進課", "10条 オンライン化原則", 60)
    kpi = measure(master, "DG-02").kpis[0]
    assert (kpi.actuals, kpi.comments) == ({2027: 41.0}, {2027: "事業者への周知で増加"})
    code, output = invoke("diff", before, master, "--docx", master.with_name("新旧対照表.docx"))
    assert code == 1
    assert output.splitlines()[:-2] == [
        "変更 DG-02 KPI「電子（正本）で通知した特別徴収義務者の割合」実績値（令和9年度）: （なし） → 41%",
        "変更 DG-02 KPI「電子（正本）で通知した特別徴収義務者の割合」実績の説明（令和9年度）: （なし） → 事業者への周知で増加",
        "変更 DG-02 KPI「電子（正本）で通知した特別徴収義務者の割合」今後の取組（令和9年度）: （なし） → 未対応の事業者に個別に案内",
        "追加 DG-16 公共施設予約のオンライン化（電子行政、担当 DX推進課）",
        "変更 DG-12 KPI「庁内会議のペーパーレス実施率」目標値: 85% → 95%",
    ]
    doc = Document(str(master.with_name("新旧対照表.docx")))
    underlined = {run.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs
                  for run in p.runs if run.underline}
    assert {"95%", "85%", "41%", "事業者への周知で増加"} <= underlined


def test_every_change_is_logged_with_department_sheet_and_cell(answered):
    master, answers, _ = answered
    invoke("collect", master, answers)
    t = L.COLLECT_TABLE
    rows = {(r[t.col("log.kind")], r[t.col("log.measure_id")], r[t.col("log.item")]): r for r in log(master)}
    target = rows[("変更", "DG-12", "KPI1 目標値")]
    assert (target[t.col("log.owner")], target[t.col("log.source")]) == ("総務課", "計画照会_総務課.xlsx")
    sheet, ref = target[t.col("log.place")].split("!")
    assert sheet == "電子行政" and cell(master, sheet, ref) == 95
    added = rows[("施策の追加", "DG-16", "施策")]
    sheet, ref = added[t.col("log.place")].split("!")
    assert cell(master, sheet, ref) == "DG-16"
    for item, value in (("実績値", 41), ("実績の説明", "事業者への周知で増加"), ("今後の取組", "未対応の事業者に個別に案内")):
        actual = rows[("実績", "DG-02", f"KPI1 {item}（令和9年度）")]   # on the KPI's and year's row of 進捗管理
        sheet, ref = actual[t.col("log.place")].split("!")
        assert sheet == L.PROGRESS and cell(master, sheet, ref) == value
        assert progress_row(master, "DG-02", 1, "令和9年度") == parse_cell(ref)[0]
    conflict = rows[("競合（未反映）", "DG-12", "KPI2 目標値")]
    sheet, ref = conflict[t.col("log.place")].split("!")
    assert cell(master, sheet, ref) == 2200000 and conflict[t.col("log.after")] == "2,000,000枚"
    assert not [k for k in rows if k[0] == "未反映"]
    (missing,) = [r for k, r in rows.items() if k[0] == "未回答"]
    assert "都市計画課" in missing[t.col("log.owner")] and "総務課" not in missing[t.col("log.owner")]


def test_collecting_twice_changes_nothing_the_second_time(answered):
    master, answers, _ = answered
    invoke("collect", master, answers)
    once = master.read_bytes()
    code, output = invoke("collect", master, answers)
    assert master.read_bytes() == once
    assert "取り込む変更はありません" in output or "0件を取り込みました" in output


def test_take_answer_settles_the_conflict(answered):
    master, answers, _ = answered
    code, output = invoke("collect", master, answers, "--take", "DG-12:KPI2:目標値=answer")
    assert code == 0, output
    assert measure(master, "DG-12").kpis[1].target_value == 2000000
    t = L.COLLECT_TABLE
    kinds = [(r[t.col("log.kind")], r[t.col("log.note")]) for r in log(master) if r[t.col("log.measure_id")] == "DG-12"]
    assert ("競合（回答を採用）", "照会時の値: 2,500,000枚") in kinds


def test_take_per_file(answered):
    master, answers, _ = answered
    code, _ = invoke("collect", master, answers, "--take", "計画照会_総務課=master")
    assert code == 0 and measure(master, "DG-12").kpis[1].target_value == 2200000


def test_an_unreadable_master_cell_is_never_written_over(answered):
    master, answers, _ = answered
    row = progress_row(master, "DG-02", 1, "令和9年度")
    col = L.ProgressLayout().table.col("progress.actual")
    apply_ops(master, [SetValues(L.PROGRESS, row, col, [["たぶん40"]])])
    code, output = invoke("collect", master, answers / "実績照会_税務課.xlsx")
    assert code == 1 and "読み取れない値のため" in output and f"{L.PROGRESS}!{cell_name(row, col)}" in output
    assert read_values(master, [L.PROGRESS])[L.PROGRESS][row][col] == "たぶん40"
    assert measure(master, "DG-02").kpis[0].comments == {2027: "事業者への周知で増加"}   # the rest of the answer is in


def test_a_file_that_is_not_an_answer_is_listed_and_the_rest_collected(answered, sample_bytes):
    master, answers, _ = answered
    (answers / "メモ.xlsx").write_bytes(sample_bytes)
    code, output = invoke("collect", master, answers)
    assert "読めない回答 メモ.xlsx" in output and measure(master, "DG-12").kpis[0].target_value == 95


def without_log_sheet(data: bytes) -> bytes:
    """The workbook as an older xlplan built it: no 取込結果 sheet."""
    src = zipfile.ZipFile(BytesIO(data))
    workbook = src.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet name="{L.COLLECT_LOG}" sheetId="\d+" r:id="(rId\d+)"/>', workbook).group(1)
    index = [m.group(1) for m in re.finditer(r'<sheet name="([^"]+)"', workbook)].index(L.COLLECT_LOG)
    workbook = re.sub(rf'<sheet name="{L.COLLECT_LOG}"[^>]*/>', "", workbook)
    workbook = re.sub(rf'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">[^<]*</definedName>', "", workbook)
    rels = src.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'<Relationship Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
    rels = re.sub(rf'<Relationship Id="{rid}"[^>]*/>', "", rels)
    part = "xl/" + target
    types = src.read("[Content_Types].xml").decode().replace(f'<Override PartName="/{part}" ', '<Override PartName="/dropped" ')
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in (part, f"xl/worksheets/_rels/{Path(part).name}.rels"):
                continue
            data = {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}.get(
                info.filename)
            dst.writestr(info, data.encode() if data is not None else src.read(info.filename))
    return out.getvalue()


def test_a_master_without_the_log_sheet_gets_the_log_beside_it(answered):
    master, answers, _ = answered
    master.write_bytes(without_log_sheet(master.read_bytes()))
    assert L.COLLECT_LOG not in read_values(master).sheet_names
    code, output = invoke("collect", master, answers)
    assert "取込結果を" in output and measure(master, "DG-12").kpis[0].target_value == 95
    beside = master.with_name(f"{master.stem}_{L.COLLECT_LOG}.xlsx")
    rows = read_values(beside)[L.COLLECT_LOG]
    assert any("DG-16" in map(str, r) for r in rows)


def test_a_new_kpi_row_lands_under_its_measure_and_only_once(answered, tmp_path):
    master, _, _ = answered
    forms = tmp_path / "照会票"
    form = Form(forms / "計画照会_総務課.xlsx")
    form.add_kpi_row(S.MEASURES, "DG-12", 2, {"指標名": "電子決裁率", "単位": "%", "目標値": 80, "目標年度": "R11"})
    answer = form.save(tmp_path / "総務課_指標追加.xlsx")
    code, output = invoke("collect", master, answer)
    kpis = measure(master, "DG-12").kpis
    assert [k.name for k in kpis][-1] == "電子決裁率" and kpis[-1].target_value == 80
    read = read_plan(read_values(master))
    rows = read.locator.measures["DG-12"]
    assert rows.kpi_rows == list(range(rows.first_row, rows.first_row + len(kpis)))   # under the measure, in one block
    once = master.read_bytes()
    invoke("collect", master, answer)
    assert master.read_bytes() == once


def test_a_form_of_another_plan_is_reported_in_japanese(answered, sample_plan, catalog, tmp_path):
    from xlplan.survey import write_forms

    master, _, _ = answered
    other = sample_plan.model_copy(update={"municipality": "緑が丘町", "title": "緑が丘町DX推進計画"})
    (form,) = write_forms(other, catalog, tmp_path / "他団体", owners=["税務課"])
    before = master.read_bytes()
    code, output = invoke("collect", master, form.path)
    assert code == 1 and "別の計画（緑が丘町「緑が丘町DX推進計画」）" in output
    t = L.COLLECT_TABLE
    assert any(r[t.col("log.kind")] == "注意" and "別の計画" in r[t.col("log.note")] for r in log(master))
    assert read_plan(read_values(master)).plan == read_plan(read_values(before_copy(master, before))).plan


def before_copy(master: Path, data: bytes) -> Path:
    path = master.with_name("copy.xlsm")
    path.write_bytes(data)
    return path


def test_two_answers_from_one_department_second_one_conflicts_where_they_differ(answered, tmp_path):
    master, _, _ = answered
    first, second = Form(tmp_path / "照会票" / "計画照会_税務課.xlsx"), Form(tmp_path / "照会票" / "計画照会_税務課.xlsx")
    first.type(S.MEASURES, "DG-02", 1, "目標値", 90)
    second.type(S.MEASURES, "DG-02", 1, "目標値", 95)
    second.type(S.MEASURES, "DG-02", 1, "備考", "課長確認済み")
    folder = tmp_path / "税務課の回答"
    folder.mkdir()
    first.save(folder / "1_係長.xlsx")
    second.save(folder / "2_課長.xlsx")
    code, output = invoke("collect", master, folder)
    m = measure(master, "DG-02")
    assert (m.kpis[0].target_value, m.notes) == (90, "課長確認済み")
    assert "競合 DG-02:KPI1:目標値（2_課長.xlsx）マスター: 90% / 回答: 95%" in output
    assert "同じ照会票への回答です" in output


def test_actuals_keep_every_other_input_typed_in_the_progress_sheet(answered):
    master, answers, _ = answered
    t = L.ProgressLayout().table
    row = progress_row(master, "DG-01", 1, "令和9年度")
    apply_ops(master, [SetValues(L.PROGRESS, row, t.col("progress.comment"), [["窓口で案内を開始"]])])
    code, _ = invoke("collect", master, answers / "実績照会_税務課.xlsx")
    assert code == 0
    assert read_values(master, [L.PROGRESS])[L.PROGRESS][progress_row(master, "DG-01", 1, "令和9年度")][
        t.col("progress.comment")] == "窓口で案内を開始"
    kpi = measure(master, "DG-02").kpis[0]
    assert (kpi.actuals, kpi.next_steps) == ({2027: 41.0}, {2027: "未対応の事業者に個別に案内"})


def test_an_xlplan_0_1_master_is_not_written(answered, tmp_path):
    _, answers, _ = answered
    legacy = tmp_path / "旧計画.xlsm"
    legacy.write_bytes((Path(__file__).parent / "data" / "xlplan-0.1-sample.xlsm").read_bytes())
    before = legacy.read_bytes()
    code, output = invoke("collect", legacy, answers)
    assert code != 0 and "--from" in output and legacy.read_bytes() == before
