"""xlplan reshape on files: the plan period changed in place, every value typed in the remaining years kept,
what leaves the period refused unless --force and then written to 「削除した内容」 and a YAML file; the
user's note, picture and own sheet survive."""

from __future__ import annotations

import zipfile

import yaml
from clirun import run
from test_preservation import setting  # noqa: F401 — the sample with a note, a picture and a sheet メモ

from xlplan.adapters.xlsx_file import read_values
from xlplan.core.reshape import YearChange, dropped_values
from xlplan.layout import sheets as L
from xlplan.layout.ops import DeleteColumns, InsertColumns
from xlplan.layout.read import read_plan
from xlplan.reshape_plan import DROPPED_SHEET, _block_ops

KEPT = (2027, 2028, 2029)


def plan_of(path):
    return read_plan(read_values(path)).plan


def year_values(plan, years):
    """Every phase and per-year target of the kept years, by measure and KPI."""
    return {(m.id, k_i, fy): (m.schedule.get(fy), k.interim.get(fy), k.interim_statuses.get(fy))
            for m in plan.measures for k_i, k in enumerate(m.kpis or [None]) if k is not None for fy in years} | {
        (m.id, fy): m.schedule.get(fy) for m in plan.measures for fy in years}


def year_captions(book, sheet: str, table: L.Table) -> dict[str, int]:
    """The merged caption cells over the year blocks: caption → how many columns it spans."""
    import re

    from xlplan.adapters.package import sheet_part_map
    from xlplan.adapters.package.parts import Package
    from xlplan.layout.a1 import parse_cell

    with Package(book.read_bytes()) as package:
        xml = package.read(sheet_part_map(package)[sheet]).decode()
    spans = {}
    for a, b in re.findall(r'<mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"', xml):
        (r0, c0), (_r1, c1) = parse_cell(a), parse_cell(b)
        spans[(r0, c0)] = c1 - c0 + 1
    return {caption: spans.get((table.group_row, table.col(first)), 1)
            for caption, first, _last in table.groups if first.startswith(("fy:", "target:"))}


def test_block_ops_append_prepend_and_remove():
    assert _block_ops("S", 10, YearChange((2027, 2028, 2029), (2027, 2028, 2029, 2030, 2031))) == [
        InsertColumns("S", 13, 2, like=12)]
    assert _block_ops("S", 10, YearChange((2027, 2028, 2029, 2030, 2031), (2027, 2028, 2029))) == [
        DeleteColumns("S", 13, 2)]
    # start one year later: one year added at the end, the first one removed
    assert _block_ops("S", 10, YearChange((2027, 2028), (2028, 2029))) == [
        InsertColumns("S", 12, 1, like=11), DeleteColumns("S", 10, 1)]
    # start one year earlier: inserted before the block, the last year removed (after the shift)
    assert _block_ops("S", 10, YearChange((2027, 2028), (2026, 2027))) == [
        InsertColumns("S", 10, 1, like=10), DeleteColumns("S", 12, 1)]


def test_dropped_values_lists_phases_and_targets_of_removed_years(sample_plan):
    dropped = dropped_values(sample_plan, (2030, 2031))
    assert dropped and all(d.fy in (2030, 2031) for d in dropped)
    assert {d.what for d in dropped} >= {"工程", "年度ごとの目標"}
    assert dropped_values(sample_plan, ()) == []


def test_years_3_then_5_keeps_every_value_of_the_remaining_years(setting, tmp_path):  # noqa: F811
    book = tmp_path / "計画.xlsm"
    book.write_bytes(setting["data"])
    before = plan_of(book)
    parts_before = set(zipfile.ZipFile(book).namelist())

    refused = run("reshape", book, "--years", "3")
    assert refused.exit_code != 0 and "--force" in refused.output and "工程（令和12年度）" in refused.output
    assert book.read_bytes() == setting["data"]

    shrunk = run("reshape", book, "--years", "3", "--force")
    assert shrunk.exit_code == 0, shrunk.output
    assert "令和9年度〜令和11年度" in shrunk.output
    three = plan_of(book)
    assert three.years == 3 and [fy for fy in three.fiscal_years] == list(KEPT)
    listed = read_values(book, [DROPPED_SHEET])[DROPPED_SHEET]
    assert listed[0][:3] == ["日時", "シート", "施策ID"] and len(listed) == len(dropped_values(before, (2030, 2031))) + 1
    saved = yaml.safe_load((tmp_path / f"計画_{DROPPED_SHEET}.yaml").read_text(encoding="utf-8"))
    assert len(saved[0]["削除した内容"]) == len(listed) - 1

    grown = run("reshape", book, "--years", "5")
    assert grown.exit_code == 0, grown.output
    five = plan_of(book)
    assert five.years == 5 and list(five.fiscal_years) == [2027, 2028, 2029, 2030, 2031]
    assert year_values(five, KEPT) == year_values(before, KEPT)
    assert all(not m.schedule.get(fy) for m in five.measures for fy in (2030, 2031))
    # the headers of both year blocks are those of a workbook built for 5 years
    values = read_values(book)
    sheet = setting["sheet"]
    fresh = L.domain_table(sheet, [2027, 2028, 2029, 2030, 2031])
    header = values[sheet][fresh.header_row]
    assert header[: fresh.width] == [c.header for c in fresh.columns]
    # the captions over both year blocks span the 5 years, as in a workbook built for them
    assert year_captions(book, sheet, fresh) == {"工程（年度ごとの段階）": 5, "年度ごとの目標": 5}
    # the user's own content survives: note, drawing, the sheet メモ
    parts_after = set(zipfile.ZipFile(book).namelist())
    assert {p for p in parts_before if "comments" in p or "drawing" in p or "media" in p} <= parts_after
    assert values["メモ"][1][:2] == ["予算要求は9月", 2027]
    # the 工程表 and validation follow the new period
    assert run("validate", book, "--no-write").exit_code in (0, 1)
    assert run("schedule", book).exit_code == 0


def test_options_missing_reads_the_period_from_kihon_joho(sample_book):
    from xlplan.adapters.package import apply_ops
    from xlplan.layout.ops import SetValues

    apply_ops(sample_book, [SetValues(L.INFO, L.INFO_FIELD["years"].row, L.INFO_VALUE_COL, [[6]])])
    assert run("validate", sample_book, "--no-write").exit_code == 1      # INPUT-FY-COLUMNS until reshaped
    result = run("reshape", sample_book)
    assert result.exit_code == 0, result.output
    plan = plan_of(sample_book)
    assert plan.years == 6 and max(plan.fiscal_years) == 2032
    read = read_plan(read_values(sample_book))
    assert not [f for f in read.findings if f.code in ("INPUT-FY-COLUMNS", "INPUT-SCHEDULE-COLUMNS")]


def test_start_one_year_later_moves_the_period(sample_book, sample_plan):
    result = run("reshape", sample_book, "--start-fy", "R10", "--force")
    assert result.exit_code == 0, result.output
    plan = plan_of(sample_book)
    assert list(plan.fiscal_years) == [2028, 2029, 2030, 2031, 2032]
    kept = (2028, 2029, 2030, 2031)
    assert year_values(plan, kept) == year_values(sample_plan, kept)
    assert run("schedule", sample_book).exit_code == 0


def test_rename_domain_keeps_its_measures_and_marks(sample_book, sample_plan):
    old = sample_plan.domains[-1]
    before = [m.model_dump(exclude={"domain"}) for m in plan_of(sample_book).measures if m.domain == old]
    result = run("reshape", sample_book, "--rename-domain", f"{old}=地域づくり")
    assert result.exit_code == 0, result.output
    plan = plan_of(sample_book)
    assert "地域づくり" in plan.domains and old not in plan.domains
    after = [m.model_dump(exclude={"domain"}) for m in plan.measures if m.domain == "地域づくり"]
    assert after == before
    values = read_values(sample_book, [L.LISTS, L.COVERAGE])
    lists = values[L.LISTS]
    col = lists[0].index("domain")
    assert "地域づくり" in [r[col] for r in lists[1:]] and old not in [r[col] for r in lists[1:]]
    assert any("地域づくり" in str(c) for r in values[L.COVERAGE] for c in r)
    # the red/yellow marks look the finding keys up by the sheet's new name, held in its key cell
    r, c = L.DOMAIN_KEY_CELL
    grid = read_values(sample_book, ["地域づくり"])["地域づくり"]
    assert grid[r][c] == "地域づくり" and grid[0][0] == "地域づくり　個別施策"
    with zipfile.ZipFile(sample_book) as z:
        from xlplan.adapters.package import Package, sheet_part_map
        with Package(sample_book.read_bytes()) as p:
            part = sheet_part_map(p)["地域づくり"]
        xml = z.read(part).decode("utf-8").replace("&quot;", '"').replace("&amp;", "&")
    assert f'"{old}!"' not in xml and '$E$1&"!"&ADDRESS' in xml
    assert run("validate", sample_book, "--no-write").exit_code in (0, 1)
    assert run("schedule", sample_book).exit_code == 0


def test_rename_to_an_existing_sheet_is_refused(sample_book, sample_plan):
    before = sample_book.read_bytes()
    result = run("reshape", sample_book, "--rename-domain", f"{sample_plan.domains[0]}=基本情報")
    assert result.exit_code != 0 and "既にあります" in result.output
    assert sample_book.read_bytes() == before
