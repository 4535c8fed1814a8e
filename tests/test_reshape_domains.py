"""xlplan reshape --add-domain / --remove-domain and 基本情報's edited list of domains: a domain is data —
an added sheet works (validate numbers its measures, the 工程表, 網羅表, 進捗管理 and the plan document
follow it, its marks mark its own cells), a removed one lists every value it had, needs --force (and a
reason for the law's domains) and keeps what it dropped; the clerk's note, picture and own sheet survive."""

from __future__ import annotations

import re
import zipfile

import docx
import yaml
from clirun import read, run
from lxml import etree
from test_preservation import setting  # noqa: F401 — the sample with a note, a picture and a sheet メモ

from xlplan.adapters.package import Package, apply_ops, edit_package, sheet_part_map
from xlplan.adapters.package.parts import related_parts
from xlplan.adapters.xlsx_file import read_values
from xlplan.core.vocab import Phase, Pillar
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.ops import SetValues
from xlplan.reshape_plan import DROPPED_SHEET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def type_measure(path, sheet: str, name: str, kpi: str = "研修の受講者数") -> None:
    """A clerk types one measure with a KPI and a phase on the sheet (施策ID left for validate)."""
    table = read(path).layout.domain_tables[sheet]
    row = table.first_row
    cells = {"measure.name": name, "measure.pillar": Pillar.P14.value, "measure.content": "内容", "measure.owner": "教育委員会",
             "kpi.name": kpi, "kpi.unit": "人", "kpi.baseline_value": 10, "kpi.target_value": 100, "kpi.target_fy": "R13"}
    ops = [SetValues(sheet, row, table.col(k), [[v]]) for k, v in cells.items()]
    fy = read(path).plan.start_fy
    ops.append(SetValues(sheet, row, table.col(L.fy_key(fy)), [[Phase.STUDY.value]]))
    apply_ops(path, ops)


def sheet_xml(path, sheet: str) -> etree._Element:
    with Package(path.read_bytes()) as p:
        part = sheet_part_map(p)[sheet]
    return etree.fromstring(zipfile.ZipFile(path).read(part))


def marked(path, sheet: str, cell: str) -> set[str]:
    """Which mark ("error"/"warning") the sheet's conditional formats put on `cell`: the rule's COUNTIF evaluated
    against 検証結果's key columns, with its sheet name taken from the literal or from the key cell it names."""
    values = read_values(path, [sheet, L.FINDINGS])
    keys = {name: {row[col] for row in values[L.FINDINGS][L.FINDINGS_TABLE.first_row:] if col < len(row) and row[col]}
            for name, col in ((L.ERROR_KEYS_NAME, L.FINDINGS_TABLE.col("finding.error_key")),
                              (L.WARNING_KEYS_NAME, L.FINDINGS_TABLE.col("finding.warning_key")))}
    row, col = parse_cell(cell)
    found = set()
    for cf in sheet_xml(path, sheet).iter(f"{{{MAIN}}}conditionalFormatting"):
        ranges = [r.split(":") for r in cf.get("sqref").split()]
        if not any(parse_cell(a)[0] <= row <= parse_cell(b or a)[0] and parse_cell(a)[1] <= col <= parse_cell(b or a)[1]
                   for a, *rest in ranges for b in (rest[0] if rest else None,)):
            continue
        for formula in cf.iter(f"{{{MAIN}}}formula"):
            m = re.fullmatch(r'COUNTIF\((\w+),(.+?)&ADDRESS\(ROW\(\w+\),COLUMN\(\w+\),4\)\)>0', formula.text or "")
            if not m:
                continue
            prefix = m.group(2)
            if literal := re.fullmatch(r'"(.*)"', prefix):
                name = literal.group(1)
            else:   # $E$1&"!": the key cell's value
                ref = re.fullmatch(r'\$?([A-Z]+)\$?(\d+)&"!"', prefix)
                r, c = parse_cell(ref.group(1) + ref.group(2))
                name = str(values[sheet][r][c]) + "!"
            if name + cell in keys[m.group(1)]:
                found.add("error" if m.group(1) == L.ERROR_KEYS_NAME else "warning")
    return found


# ---------------------------------------------------------------- added


def test_add_domain_gives_a_sheet_validate_schedule_coverage_progress_and_export_follow(sample_book, tmp_path):
    before = read(sample_book).plan
    result = run("reshape", sample_book, "--add-domain", "教育")
    assert result.exit_code == 0, result.output
    assert "分野「教育」を追加しました" in result.output
    names = read_values(sample_book, [L.INFO]).sheet_names
    last_domain = before.domains[-1]
    assert names.index("教育") == names.index(last_domain) + 1
    type_measure(sample_book, "教育", "学校のICT活用研修")

    assert run("validate", sample_book).exit_code in (0, 1)
    plan = read(sample_book).plan
    assert plan.domains == [*before.domains, "教育"]
    mine = [m for m in plan.measures if m.domain == "教育"]
    assert [m.name for m in mine] == ["学校のICT活用研修"]
    # an ID of its own, not one another sheet uses
    others = {m.id.split("-")[0] for m in plan.measures if m.domain != "教育"}
    assert mine[0].id.split("-")[0] not in others
    values = read_values(sample_book, [L.COVERAGE, L.LISTS, L.INFO, "教育"])
    coverage = L.CoverageLayout(tuple(plan.domains))
    assert values[L.COVERAGE][coverage.header_row][:coverage.table.width] == [c.header for c in coverage.table.columns]
    # its 網羅表 column takes the others' formats: the yellow of a domain without measures covers it too
    rules = [cf.get("sqref") for cf in sheet_xml(sample_book, L.COVERAGE).iter(f"{{{MAIN}}}conditionalFormatting")]
    first, last = coverage.table.col(f"cov.d:{plan.domains[0]}"), coverage.table.col("cov.d:教育")
    assert f"{cell_name(coverage.first_row, first)}:{cell_name(coverage.total_row - 1, last)}" in rules
    lists = values[L.LISTS]
    assert [r[lists[0].index("domain")] for r in lists[1:] if r[lists[0].index("domain")]] == plan.domains
    assert values["教育"][0][0] == "教育　個別施策"

    assert run("schedule", sample_book).exit_code == 0
    schedule = read_values(sample_book, [L.SCHEDULE])[L.SCHEDULE]
    assert any("学校のICT活用研修" in str(c) for r in schedule for c in r)
    assert run("progress", sample_book).exit_code in (0, 1)
    progress = read_values(sample_book, [L.PROGRESS])[L.PROGRESS]
    assert any(r and "教育" in r for r in progress)

    out = tmp_path / "計画書.docx"
    assert run("export", sample_book, "--docx", out).exit_code == 0
    document = docx.Document(str(out))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "学校のICT活用研修" in text and "教育" in text


def test_a_finding_on_an_added_sheet_marks_that_sheet_and_not_its_source(sample_book):
    source = read(sample_book).plan.domains[-1]
    assert run("reshape", sample_book, "--add-domain", "教育").exit_code == 0
    type_measure(sample_book, "教育", "学校のICT活用研修")
    table = read(sample_book).layout.domain_tables["教育"]
    owner = table.cell(table.first_row, "measure.owner")
    apply_ops(sample_book, [SetValues("教育", table.first_row, table.col("measure.owner"), [[""]])])   # 担当課 missing
    assert run("validate", sample_book).exit_code == 1
    assert marked(sample_book, "教育", owner) == {"error"}
    assert marked(sample_book, source, owner) == set()
    # and renamed: the marks follow the new name
    assert run("reshape", sample_book, "--rename-domain", "教育=学校教育").exit_code == 0
    assert run("validate", sample_book).exit_code == 1
    assert marked(sample_book, "学校教育", owner) == {"error"}


def _literal_marks(data: bytes, sheet: str) -> bytes:
    """The domain sheet as xlplan built it before the key cell: its name inside the rules, E1 empty."""
    def edit(package) -> bool:
        part = sheet_part_map(package)[sheet]
        root = etree.fromstring(package.read(part))
        for f in root.iter(f"{{{MAIN}}}formula"):
            f.text = (f.text or "").replace('$E$1&"!"', f'"{sheet}!"')
        for c in root.iter(f"{{{MAIN}}}c"):
            if c.get("r") == "E1":
                c.getparent().remove(c)
        package.write(part, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
        return False
    return edit_package(data, edit)


def test_a_workbook_built_before_the_key_cell_gets_its_copies_rules_rewritten(sample_book):
    source = read(sample_book).plan.domains[-1]
    sample_book.write_bytes(_literal_marks(sample_book.read_bytes(), source))
    assert run("reshape", sample_book, "--add-domain", "教育").exit_code == 0
    rules = "".join(f.text or "" for f in sheet_xml(sample_book, "教育").iter(f"{{{MAIN}}}formula"))
    assert '"教育!"' in rules and f'"{source}!"' not in rules
    assert read_values(sample_book, ["教育"])["教育"][0][4:5] in ([], [None], [""])   # no stray name written
    type_measure(sample_book, "教育", "学校のICT活用研修")
    table = read(sample_book).layout.domain_tables["教育"]
    apply_ops(sample_book, [SetValues("教育", table.first_row, table.col("measure.owner"), [[""]])])
    assert run("validate", sample_book).exit_code == 1
    assert marked(sample_book, "教育", table.cell(table.first_row, "measure.owner")) == {"error"}


def test_adding_an_existing_sheet_name_is_refused_untouched(sample_book):
    before = sample_book.read_bytes()
    result = run("reshape", sample_book, "--add-domain", L.CATALOG)
    assert result.exit_code != 0 and "既にあります" in result.output
    assert sample_book.read_bytes() == before


# ---------------------------------------------------------------- removed


def test_remove_a_law_domain_needs_a_reason_and_force_and_keeps_every_value(sample_book, tmp_path):
    before = read(sample_book)
    domain = "金融"
    measures = [m for m in before.plan.measures if m.domain == domain]
    assert measures, "the sample has measures in 金融"
    data = sample_book.read_bytes()

    no_reason = run("reshape", sample_book, "--remove-domain", domain)
    assert no_reason.exit_code != 0 and "理由" in no_reason.output and "--remove-domain 金融=理由" in no_reason.output
    not_forced = run("reshape", sample_book, "--remove-domain", f"{domain}=該当する事業がない")
    assert not_forced.exit_code != 0 and "--force" in not_forced.output and measures[0].name in not_forced.output
    assert sample_book.read_bytes() == data

    done = run("reshape", sample_book, "--remove-domain", f"{domain}=該当する事業がない", "--force")
    assert done.exit_code == 0, done.output
    after = read(sample_book)
    assert domain not in after.plan.domains and domain not in read_values(sample_book, [L.INFO]).sheet_names
    assert [m.id for m in after.plan.measures] == [m.id for m in before.plan.measures if m.domain != domain]
    assert any(s.target == domain and s.reason == "該当する事業がない" for s in after.plan.skips)
    listed = read_values(sample_book, [DROPPED_SHEET])[DROPPED_SHEET]
    kept = {(r[2], r[4], r[6]) for r in listed[1:]}
    for m in measures:
        assert (m.id, "施策名", m.name) in kept
        for k in m.kpis:
            assert (m.id, "指標名", k.name) in kept
    saved = yaml.safe_load(sample_book.with_name(f"{sample_book.stem}_{DROPPED_SHEET}.yaml").read_text(encoding="utf-8"))
    assert len(saved[0]["削除した内容"]) == len(listed) - 1
    # nothing left that names it: 網羅表 without its column, no COVER-DOMAIN, validate and schedule run
    coverage = L.CoverageLayout(tuple(after.plan.domains))
    grid = read_values(sample_book, [L.COVERAGE])[L.COVERAGE]
    assert grid[coverage.header_row][:coverage.table.width] == [c.header for c in coverage.table.columns]
    assert not [f for f in after.findings if domain in f.message]
    assert run("validate", sample_book, "--no-write").exit_code in (0, 1)
    assert run("schedule", sample_book).exit_code == 0
    # the plan document gives the reason among the domains without measures
    out = tmp_path / "計画書.docx"
    assert run("export", sample_book, "--docx", out).exit_code == 0
    document = docx.Document(str(out))
    assert f"「{domain}」: 該当する事業がない" in [p.text for p in document.paragraphs]
    assert not any(m.name in p.text for p in document.paragraphs for m in measures)
    # added back later: the sheet returns empty and the reason no longer hides that it has no measures
    assert run("reshape", sample_book, "--add-domain", domain).exit_code == 0
    again = read(sample_book)
    assert domain in again.plan.domains and not any(s.target == domain for s in again.plan.skips)
    assert run("validate", sample_book, "--no-write").output.count(f"分野「{domain}」に施策がありません") == 1


def test_a_clerks_formula_into_the_removed_sheet_refuses_untouched(sample_book):
    domain = read(sample_book).plan.domains[-1]
    apply_ops(sample_book, [SetValues(L.INFO, 0, 6, [[None]])])
    from xlplan.layout.cells import Formula

    apply_ops(sample_book, [SetValues(L.COVERAGE, 0, 20, [[Formula(f"COUNTA('{domain}'!B:B)", 3)]])])
    data = sample_book.read_bytes()
    result = run("reshape", sample_book, "--remove-domain", f"{domain}=不要", "--force")
    assert result.exit_code != 0 and "参照" in result.output and f"シート「{L.COVERAGE}」" in result.output
    assert sample_book.read_bytes() == data


# ---------------------------------------------------------------- 基本情報's list


def set_domain_list(path, domains: list[str]) -> None:
    first = L.INFO_LAYOUT.domains_header_row + 1
    cells = [[d] for d in domains] + [[""]] * (L.DOMAINS_CAPACITY - len(domains))
    apply_ops(path, [SetValues(L.INFO, first, L.DOMAINS_COL, cells)])


def test_the_list_edited_in_kihon_joho_adds_and_removes(sample_book):
    plan = read(sample_book).plan
    gone = "金融"                     # a row in the middle: the rows below move up, 教育 is typed at the end
    wanted = [d for d in plan.domains if d != gone] + ["教育"]
    set_domain_list(sample_book, wanted)
    refused = run("reshape", sample_book)            # a law domain: the reason first
    assert refused.exit_code != 0 and "取り組まない柱・分野と理由" in refused.output
    skips = L.SKIPS.first_row
    apply_ops(sample_book, [SetValues(L.INFO, skips + len(plan.skips), 0, [[gone, "他の分野で扱う"]])])
    result = run("reshape", sample_book, "--force")
    assert result.exit_code == 0, result.output
    after = read(sample_book).plan
    assert after.domains == wanted
    names = read_values(sample_book, [L.INFO]).sheet_names
    assert "教育" in names and gone not in names


def test_a_name_written_over_another_one_is_refused_untouched(sample_book):
    plan = read(sample_book).plan
    set_domain_list(sample_book, [*plan.domains[:-1], "地域づくり"])
    data = sample_book.read_bytes()
    result = run("reshape", sample_book)
    assert result.exit_code != 0
    assert f"--rename-domain {plan.domains[-1]}=地域づくり" in result.output and "--add-domain 地域づくり" in result.output
    assert sample_book.read_bytes() == data


def test_a_name_written_over_an_empty_domain_renames_it(sample_book):
    assert run("reshape", sample_book, "--add-domain", "教育").exit_code == 0
    plan = read(sample_book).plan
    set_domain_list(sample_book, [*plan.domains[:-1], "学校教育"])
    result = run("reshape", sample_book)
    assert result.exit_code == 0 and "分野「教育」を「学校教育」に変えました" in result.output, result.output
    names = read_values(sample_book, [L.INFO]).sheet_names
    assert "学校教育" in names and "教育" not in names
    assert read(sample_book).plan.domains == [*plan.domains[:-1], "学校教育"]


def test_a_tab_renamed_by_hand_is_refused_with_the_fix(sample_book):
    from xlplan.layout.ops import RenameSheet

    plan = read(sample_book).plan
    apply_ops(sample_book, [RenameSheet(plan.domains[-1], "地域づくり")])
    set_domain_list(sample_book, [*plan.domains[:-1], "地域づくり"])
    data = sample_book.read_bytes()
    result = run("reshape", sample_book)
    assert result.exit_code != 0 and f"分野「{plan.domains[-1]}」のシートが見つかりません" in result.output
    assert "元の名前に戻し" in result.output
    assert sample_book.read_bytes() == data


# ---------------------------------------------------------------- preservation


def test_note_picture_and_own_sheet_survive_add_and_remove(setting, tmp_path):  # noqa: F811
    book = tmp_path / "計画.xlsm"
    book.write_bytes(setting["data"])
    other = [d for d in read(book).plan.domains if d != setting["sheet"] and d != "その他"][-1]
    with Package(book.read_bytes()) as p:
        own = {t for ts in related_parts(p, sheet_part_map(p)[other]).values() for t in ts}   # its buttons go with it
    parts_before = set(zipfile.ZipFile(book).namelist()) - own
    assert run("reshape", book, "--add-domain", "教育").exit_code == 0
    result = run("reshape", book, "--remove-domain", f"{other}=不要", "--force")
    assert result.exit_code == 0, result.output
    parts_after = set(zipfile.ZipFile(book).namelist())
    assert {p for p in parts_before if "comments" in p or "drawing" in p or "media" in p or "chart" in p} <= parts_after
    values = read_values(book)
    assert values["メモ"][1][:2] == ["予算要求は9月", 2027]
    note = setting["below_note"]
    assert any(note in zipfile.ZipFile(book).read(p).decode("utf-8") for p in parts_after if "comments" in p)


# ---------------------------------------------------------------- the clerk's own column


def test_a_clerks_memo_column_keeps_its_values_through_populate_reshape_and_domain_changes(sample_book, tmp_path):
    from badinput import Good

    good = Good(sample_book.read_bytes(), tmp_path / "good.xlsm")
    plan = good.read.plan
    domain, last = good.domain, plan.domains[-1]
    ops = []
    memos: dict[str, str] = {}
    for sheet in (domain, last):
        table = good.read.layout.domain_tables[sheet]
        ops.append(SetValues(sheet, table.header_row, table.width, [["メモ"]]))
        for rows in good.read.rows[sheet]:
            memos[rows.measure_id] = f"{rows.measure_id} は来年度予算で"
            ops.append(SetValues(sheet, rows.first_row, table.width, [[memos[rows.measure_id]]]))
    apply_ops(sample_book, ops)

    def memo_of_each_measure():
        return {m.id: m.extra.get("メモ") for m in read(sample_book).plan.measures if m.id in memos}

    assert memo_of_each_measure() == memos
    assert run("populate", sample_book, "--ids", good.new_catalog_id).exit_code == 0   # rows inserted above
    assert memo_of_each_measure() == memos
    assert run("reshape", sample_book, "--years", "3", "--force").exit_code == 0
    assert run("reshape", sample_book, "--years", "5").exit_code == 0             # year columns inserted to its left
    assert memo_of_each_measure() == memos
    other = [d for d in plan.domains if d not in (domain, last)][0]
    assert run("reshape", sample_book, "--add-domain", "教育", "--remove-domain", f"{other}=不要", "--force").exit_code == 0
    assert memo_of_each_measure() == memos
    assert "メモ" not in [c.header for c in read(sample_book).layout.domain_tables["教育"].columns]  # not copied
    out = tmp_path / "plan.yaml"
    assert run("dump", sample_book, "-o", out).exit_code == 0
    dumped = {m["id"]: m.get("extra", {}).get("メモ") for m in yaml.safe_load(out.read_text(encoding="utf-8"))["measures"]}
    assert {i: dumped[i] for i in memos} == memos


# ---------------------------------------------------------------- ID codes


def test_domain_codes_are_stable_and_never_clash():
    law = ["電子行政", "観光"]
    assert L.domain_codes([*law, "教育"]) == {"電子行政": "DG", "観光": "TR", "教育": "D03"}
    # a domain keeps the prefix its sheet's IDs use, wherever it now sits
    assert L.domain_codes(["電子行政", "教育"], {"教育": ["D03-01", "D03-02", None]})["教育"] == "D03"
    # 子育て removed, 環境 added where 教育 used to be numbered: 環境 does not take 教育's D03
    codes = L.domain_codes([*law, "教育", "環境"], {"教育": ["D03-01"]})
    assert codes["教育"] == "D03" and codes["環境"] == "D04"
    codes = L.domain_codes(["電子行政", "環境", "教育"], {"教育": ["D02-05"]})
    assert codes["教育"] == "D02" and codes["環境"] == "D03"
    # a law domain's code is never taken by IDs typed with it on another sheet
    assert L.domain_codes(["電子行政", "教育"], {"教育": ["DG-01"]})["教育"] == "D02"


def test_measures_on_an_added_domain_get_ids_no_other_sheet_has(sample_book):
    assert run("reshape", sample_book, "--add-domain", "教育", "--add-domain", "子育て").exit_code == 0
    type_measure(sample_book, "教育", "学校のICT活用研修")
    type_measure(sample_book, "子育て", "子育て手続のオンライン化", kpi="オンライン申請の件数")
    assert run("validate", sample_book).exit_code in (0, 1)
    plan = read(sample_book).plan
    ids = {m.domain: m.id for m in plan.measures if m.domain in ("教育", "子育て")}
    assert ids == {"教育": "D09-01", "子育て": "D10-01"}
    # 教育 removed: 子育て (now 9th) keeps D10, and 環境 (10th) does not take it
    assert run("reshape", sample_book, "--remove-domain", "教育", "--add-domain", "環境", "--force").exit_code == 0
    type_measure(sample_book, "環境", "環境データの公開", kpi="公開データセット数")
    assert run("validate", sample_book).exit_code in (0, 1)
    plan = read(sample_book).plan
    prefixes = {m.domain: m.id.split("-")[0] for m in plan.measures if m.domain in ("子育て", "環境")}
    assert prefixes == {"子育て": "D10", "環境": "D11"}
    assert len({m.id for m in plan.measures}) == len(plan.measures)
