"""The optional columns 概算事業費（千円） and 財源: made by xlplan new --cost-columns, added or removed by
xlplan reshape --cost-columns (or 基本情報's 事業費・財源の列) before the clerk's own columns, which keep their
values; removing refuses with the values listed unless --force; the 財源 dropdown suggests and each part
that looks like a program ID is checked."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import pytest
from clirun import read, run
from test_excel_live import remote_engine, sample_data  # noqa: F401 — the remote engine and the sample for the button
from test_preservation import setting  # noqa: F401 — the sample with a note, a picture and a sheet メモ

from xlplan.adapters.package import apply_ops, patch_package
from xlplan.adapters.xlsx_file import read_values
from xlplan.core.funding import check_funding, looks_like_program_id
from xlplan.layout import sheets as L
from xlplan.layout.a1 import col_letter
from xlplan.layout.ops import CopyCell, InsertColumns, SetValidation, SetValues
from xlplan.layout.read import read_plan
from xlplan.layout.rule_prototypes import (
    column_rule,
    live_rule_ops,
    prototype_cells,
    prototype_columns,
    rule_key,
)
from xlplan.operations import validate_ops
from xlplan.reshape_columns import DOMAIN_RULE_ROWS, live_limits
from xlplan.reshape_plan import DROPPED_SHEET, ReshapeRequest, plan_reshape

MEMO = "メモ"


def add_memo_column(path, sheet):
    """The clerk's own column 「メモ」 right of xlplan's columns, with a value on every measure's first row."""
    r = read(path)
    table = r.layout.domain_tables[sheet]
    rows = r.rows[sheet]
    ops = [SetValues(sheet, table.header_row, table.width, [[MEMO]])]
    ops += [SetValues(sheet, m.first_row, table.width, [[f"メモ {m.measure_id}"]]) for m in rows]
    apply_ops(path, ops)
    return {m.measure_id: f"メモ {m.measure_id}" for m in rows}


def plan_without_costs(plan):
    return [m.model_dump(exclude={"cost", "funding"}) for m in plan.measures]


def validation_xml(path, sheet):
    from xlplan.adapters.package import Package, sheet_part_map

    with Package(path.read_bytes()) as package:
        return package.read(sheet_part_map(package)[sheet]).decode("utf-8")


def test_new_with_cost_columns_gives_the_funding_dropdown(tmp_path):
    book = tmp_path / "計画.xlsm"
    result = run("new", book, "--from", "samples/sample_plan.yaml", "--cost-columns", "あり")
    assert result.exit_code == 0, result.output
    r = read(book)
    assert r.plan.cost_columns
    for domain in r.plan.domains:
        table = r.layout.domain_tables[domain]
        assert table.col("measure.cost") == table.col("measure.notes") + 1
        assert table.col("measure.funding") == table.col("measure.cost") + 1
    lists = read_values(book)[L.LISTS]
    funding = [row[lists[0].index("funding")] for row in lists[1:] if row[lists[0].index("funding")]]
    assert funding[:3] == ["一般財源", "地方債", "その他"] and "K01" in funding and "N11" in funding
    xml = validation_xml(book, r.plan.domains[0])
    assert "<formula1>xlplan_funding</formula1>" in xml
    assert run("new", tmp_path / "b.xlsm", "--from", "samples/sample_plan.yaml", "--cost-columns", "たぶん").exit_code != 0


def test_add_then_remove_keeps_the_clerks_column_and_every_value(setting, tmp_path):  # noqa: F811
    book = tmp_path / "計画.xlsm"
    book.write_bytes(setting["data"])
    sheet = setting["sheet"]
    memo = add_memo_column(book, sheet)
    before = read(book).plan
    parts_before = set(zipfile.ZipFile(book).namelist())

    added = run("reshape", book, "--cost-columns", "あり")
    assert added.exit_code == 0 and "概算事業費（千円）と財源の列を追加しました" in added.output, added.output
    r = read(book)
    assert r.plan.cost_columns and plan_without_costs(r.plan) == plan_without_costs(before)
    table = r.layout.domain_tables[sheet]
    assert [c.header for c in table.columns[-3:]] == ["概算事業費（千円）", "財源", MEMO]
    assert {m.id: m.extra.get(MEMO) for m in r.plan.measures if m.domain == sheet} == memo
    xml = validation_xml(book, sheet)
    assert f'sqref="{table.letter("measure.funding")}{table.first_row + 1}:' in xml and 'showErrorMessage="0"' in xml

    # the clerk fills them in: a cost, sources with a program ID, a word, and one not in the list
    first = r.rows[sheet][0]
    apply_ops(book, [SetValues(sheet, first.first_row, table.col("measure.cost"), [[12000, "K01、一般財源、ふるさと納税"]])])
    assert not [f for f in read(book).findings if f.code.startswith("INPUT")]

    refused = run("reshape", book, "--cost-columns", "なし")
    assert refused.exit_code != 0 and "--force" in refused.output
    assert f"{sheet} 施策ID {first.measure_id} 概算事業費（千円）: 12000" in refused.output
    assert "財源: K01、一般財源、ふるさと納税" in refused.output

    removed = run("reshape", book, "--cost-columns", "なし", "--force")
    assert removed.exit_code == 0 and "取り除きました" in removed.output, removed.output
    r = read(book)
    assert not r.plan.cost_columns and not r.layout.domain_tables[sheet].has("measure.cost")
    assert plan_without_costs(r.plan) == plan_without_costs(before)
    assert {m.id: m.extra.get(MEMO) for m in r.plan.measures if m.domain == sheet} == memo
    listed = read_values(book, [DROPPED_SHEET])[DROPPED_SHEET]
    assert [row[4:7] for row in listed[1:]] == [["概算事業費（千円）", "", "12000"], ["財源", "", "K01、一般財源、ふるさと納税"]]
    # the user's own content survives: note, drawing, the sheet メモ
    assert {p for p in parts_before if "comments" in p or "drawing" in p or "media" in p} <= set(zipfile.ZipFile(book).namelist())
    assert read_values(book)["メモ"][1][:2] == ["予算要求は9月", 2027]


def test_kihon_joho_field_alone_adds_them(sample_book):
    apply_ops(sample_book, [SetValues(L.INFO, L.INFO_FIELD["cost_columns"].row, L.INFO_VALUE_COL, [["あり"]])])
    result = run("reshape", sample_book)
    assert result.exit_code == 0 and "追加しました" in result.output, result.output
    assert all(t.has("measure.funding") for t in read(sample_book).layout.domain_tables.values())


def test_with_years_changed_too(sample_book):
    result = run("reshape", sample_book, "--cost-columns", "あり", "--years", "3", "--force")
    assert result.exit_code == 0, result.output
    r = read(sample_book)
    assert list(r.plan.fiscal_years) == [2027, 2028, 2029]
    assert not [f for f in r.findings if f.code.startswith("INPUT-")]
    table = r.layout.domain_tables[r.plan.domains[0]]
    assert table.col("measure.cost") == table.col("measure.notes") + 1


def test_an_unknown_program_id_in_funding_is_a_finding_at_its_cell(sample_book):
    assert run("reshape", sample_book, "--cost-columns", "あり").exit_code == 0
    r = read(sample_book)
    sheet = r.plan.domains[0]
    table = r.layout.domain_tables[sheet]
    first = r.rows[sheet][0]
    cell = table.cell(first.first_row, "measure.funding")
    apply_ops(sample_book, [SetValues(sheet, first.first_row, table.col("measure.funding"), [["N99、一般財源、ふるさと納税"]])])
    findings, _ops = validate_ops(read(sample_book))
    found = [f for f in findings if f.code == "MEAS-FUNDING-UNKNOWN"]
    assert [(f.sheet, f.cell) for f in found] == [(sheet, cell)] and "N99" in found[0].message


@pytest.mark.parametrize("part, is_id", [("N11", True), ("Ｋ０１", True), ("一般財源", False), ("ふるさと納税", False),
                                         ("R9", True), ("国庫補助", False)])
def test_what_looks_like_a_program_id(part, is_id):
    assert looks_like_program_id(part) is is_id


def test_known_ids_and_words_are_fine(sample_plan):
    m = sample_plan.measures[0].model_copy(update={"funding": ["K01", "一般財源", "地方債", "その他", "ふるさと納税"]})
    assert list(check_funding(sample_plan.model_copy(update={"measures": [m]}))) == []


def without_prototypes(values):
    """The values of a workbook built before the prototype rules: _lists has no rule keys."""
    lists = [list(row) for row in values[L.LISTS]]
    if L.RULE_KEYS in lists[0]:
        col = lists[0].index(L.RULE_KEYS)
        for row in lists:
            row[col] = ""
    values[L.LISTS] = lists
    return values


def test_the_live_path_copies_each_new_columns_rule_from_its_prototype(sample_book):
    values = read_values(sample_book)
    r = read_plan(values)
    added = plan_reshape(r, values, list(values), ReshapeRequest(cost_columns=True))
    kept, notes = live_limits(added, values[L.LISTS])
    rules = [op for op in added.ops if isinstance(op, SetValidation)]
    copies = [op for op in kept if isinstance(op, CopyCell)]
    assert notes == [] and len(rules) == 2 * len(r.plan.domains) and not any(isinstance(op, SetValidation) for op in kept)
    cells = prototype_cells(values[L.LISTS])
    assert [(c.sheet, c.row, c.col, c.rows, c.source, (c.source_row, c.source_col)) for c in copies] == [
        (op.sheet, op.row, op.col, op.rows, L.LISTS, cells[rule_key(op)]) for op in rules]
    # in its place: the rest of the ops as they were, each copy where its rule was
    assert [op for op in kept if not isinstance(op, CopyCell)] == [op for op in added.ops if not isinstance(op, SetValidation)]
    assert [kept.index(c) for c in copies] == [added.ops.index(op) for op in rules]


def test_the_live_path_says_what_it_cannot_do_in_a_workbook_without_prototypes(sample_book):
    values = without_prototypes(read_values(sample_book))
    r = read_plan(values)
    added = plan_reshape(r, values, list(values), ReshapeRequest(cost_columns=True))
    kept, notes = live_limits(added, values[L.LISTS])
    assert kept and not any(isinstance(op, (SetValidation, CopyCell)) for op in kept)
    assert [op for op in added.ops if not isinstance(op, SetValidation)] == kept
    assert len(notes) == 1 and "xlplan reshape" in notes[0] and r.plan.domains[0] in notes[0] and "`" not in notes[0]


def test_rules_re_applied_over_existing_columns_are_left_to_the_command(sample_book):
    """The columns are there (they may hold values): live Excel does not copy over them, and says nothing."""
    assert run("reshape", sample_book, "--cost-columns", "あり").exit_code == 0
    values = read_values(sample_book)
    again = plan_reshape(read_plan(values), values, list(values), ReshapeRequest(years=6))
    assert any(isinstance(op, SetValidation) for op in again.ops)
    kept, notes = live_limits(again, values[L.LISTS])
    assert notes == [] and not any(isinstance(op, (SetValidation, CopyCell)) for op in kept)


def test_a_rule_over_new_cells_already_written_is_not_copied():
    """The copy brings the prototype's empty value: cells written after the insert are not copied over."""
    rule = SetValidation("分野", 5, 3, 10, "decimal", title="概算事業費（千円）", message="m", error="e")
    lists = [[L.RULE_KEYS, L.RULE_CELLS], [rule_key(rule), ""]]
    inserted = [InsertColumns("分野", 3, 2, like=2)]
    assert live_rule_ops([*inserted, rule], lists)[0][-1] == CopyCell("分野", 5, 3, 10, L.LISTS, 1, 1)
    assert live_rule_ops([*inserted, SetValues("分野", 9, 3, [["値"]]), rule], lists) == (
        [*inserted, SetValues("分野", 9, 3, [["値"]])], [])
    # a column inserted left of the new ones moves them; the rule follows in its own coordinates
    moved = replace(rule, col=5)
    assert live_rule_ops([*inserted, InsertColumns("分野", 1, 2), moved], lists)[0][-1].col == 5
    assert live_rule_ops([InsertColumns("分野", 1, 2), moved], lists)[1] == []   # not a new cell: left out


@pytest.mark.parametrize("typed, has", [("あり", False), ("なし", True)])
def test_kihon_joho_and_the_sheets_disagreeing_is_a_warning_naming_reshape(sample_book, typed, has):
    if has:
        assert run("reshape", sample_book, "--cost-columns", "あり").exit_code == 0
    apply_ops(sample_book, [SetValues(L.INFO, L.INFO_FIELD["cost_columns"].row, L.INFO_VALUE_COL, [[typed]])])
    found = [f for f in read(sample_book).findings if f.code == "INPUT-COST-COLUMNS"]
    assert [(f.sheet, f.cell) for f in found] == [(L.INFO, L.INFO_LAYOUT.value_cell("cost_columns"))]
    assert "計画の枠組みを変更" in found[0].message and "xlplan reshape" in found[0].message
    assert run("reshape", sample_book).exit_code == 0
    assert not [f for f in read(sample_book).findings if f.code == "INPUT-COST-COLUMNS"]


def test_a_blank_field_keeps_the_columns_the_sheets_have(sample_book):
    assert run("reshape", sample_book, "--cost-columns", "あり").exit_code == 0
    apply_ops(sample_book, [SetValues(L.INFO, L.INFO_FIELD["cost_columns"].row, L.INFO_VALUE_COL, [[""]])])
    assert not [f for f in read(sample_book).findings if f.code == "INPUT-COST-COLUMNS"]
    assert run("reshape", sample_book, "--years", "6").exit_code == 0
    assert all(t.has("measure.funding") for t in read(sample_book).layout.domain_tables.values())


def test_added_cost_cells_show_numbers_like_a_built_workbook(sample_book, tmp_path):
    import re

    from xlplan.adapters.package import Package, sheet_part_map

    def cost_format(path):
        """The number format of the first cost cell: its own format, or its column's when the cell is empty."""
        r = read(path)
        sheet = r.plan.domains[0]
        table = r.layout.domain_tables[sheet]
        cell, col = table.cell(r.rows[sheet][0].first_row, "measure.cost"), table.col("measure.cost") + 1
        with Package(path.read_bytes()) as package:
            xml = package.read(sheet_part_map(package)[sheet]).decode("utf-8")
            styles = package.read("xl/styles.xml").decode("utf-8")
        own = re.search(rf'<c r="{cell}"[^>]*? s="(\d+)"', xml)
        column = [c for c in re.findall(r"<col ([^>]*)/>", xml)
                  if int(re.search(r'min="(\d+)"', c)[1]) <= col <= int(re.search(r'max="(\d+)"', c)[1])]
        style = int(own[1] if own else re.search(r'style="(\d+)"', column[0])[1])
        fmt_id = re.search(r'numFmtId="(\d+)"', re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])[style])[1]
        return re.search(rf'<numFmt numFmtId="{fmt_id}" formatCode="([^"]+)"', styles)[1]

    assert run("reshape", sample_book, "--cost-columns", "あり").exit_code == 0
    built = tmp_path / "built.xlsm"
    assert run("new", built, "--from", "samples/sample_plan.yaml", "--cost-columns", "あり").exit_code == 0
    assert cost_format(sample_book) == cost_format(built) == "#,##0.##"


def test_a_domain_added_in_the_same_reshape_gets_the_columns_and_a_removed_ones_values_are_listed_once(sample_book):
    r = read(sample_book)
    gone = r.plan.domains[1]
    result = run("reshape", sample_book, "--cost-columns", "あり", "--add-domain", "教育")
    assert result.exit_code == 0, result.output
    r = read(sample_book)
    assert all(t.has("measure.funding") for t in r.layout.domain_tables.values()) and "教育" in r.layout.domain_tables
    sheet_gone = r.layout.domain_tables[gone]
    first = r.rows[gone][0]
    apply_ops(sample_book, [SetValues(gone, first.first_row, sheet_gone.col("measure.cost"), [[500, "一般財源"]])])
    values = read_values(sample_book)
    r = read_plan(values)
    plan = plan_reshape(r, values, list(values), ReshapeRequest(cost_columns=False, remove=((gone, "テスト"),)))
    costs = [d for d in plan.dropped if d.measure_id == first.measure_id and d.what.startswith("概算事業費")]
    assert [d.value for d in costs] == ["500"]               # once: with the domain's values, not again as a column's
    assert plan.cost_columns is False


def _button_adds_cost_columns(data, tmp_path):
    from test_excel_live import grids_of, open_live
    from test_excel_reshape import info_edited

    import xlplan.excel as x

    data = info_edited(data, subdivision="四半期", cost_columns="あり")
    grids = grids_of(data, tmp_path)
    book = open_live(grids)
    message = x.reshape()
    assert "工程表の区切りを「年度」から「四半期」に変えました" in message and "財源の列を追加しました" in message
    assert "`" not in message
    return data, grids, book, message


def test_the_button_follows_kihon_joho_and_copies_each_rule_from_its_prototype(sample_data, tmp_path):
    from test_excel_live import actions
    from test_excel_reshape import same_as_the_command

    data, grids, book, message = _button_adds_cost_columns(sample_data, tmp_path)
    assert "入力規則" not in message
    recorded = actions(book)
    funcs = [a["func"] for a in recorded]
    assert "setColumnWidth" in funcs and "setNumberFormat" in funcs
    # one copy per rule, from its prototype on _lists onto the rule rows of the new column of each domain sheet
    r = read_plan(grids)
    names, cells = list(grids), prototype_cells(grids[L.LISTS])
    copies = [(names[a["sheet_position"]], (a["start_row"], a["start_column"]), names[a["args"][0]], a["args"][1])
              for a in recorded if a["func"] == "copyRange"]
    expected = []
    for domain in r.plan.domains:
        table = r.layout.domain_tables[domain]
        at = table.col("measure.notes") + 1
        for i, column in enumerate(prototype_columns()):
            rule = column_rule(domain, table.first_row, at + i, DOMAIN_RULE_ROWS, column, "=xlplan_funding")
            letter = col_letter(at + i)
            expected.append((L.LISTS, cells[rule_key(rule)], domain,
                             f"${letter}${table.first_row + 1}:${letter}${table.first_row + DOMAIN_RULE_ROWS}"))
    assert copies == expected
    after = same_as_the_command(data, book, grids, tmp_path)       # the values the command gives
    reshaped = read_plan(after)
    assert reshaped.plan.subdivision.value == "四半期"
    assert all(t.has("measure.funding") for t in reshaped.layout.domain_tables.values())


def test_the_button_says_what_it_cannot_do_in_a_workbook_without_prototypes(sample_data, tmp_path):
    from test_excel_live import actions, grids_of
    from test_excel_reshape import same_as_the_command

    header = grids_of(sample_data, tmp_path)[L.LISTS][0]
    old = patch_package(sample_data, [SetValues(L.LISTS, 0, header.index(L.RULE_KEYS), [[""]] * 3)])
    data, grids, book, message = _button_adds_cost_columns(old, tmp_path)
    assert "入力規則" in message and "xlplan reshape ブック.xlsm" in message
    assert "copyRange" not in [a["func"] for a in actions(book)]
    same_as_the_command(data, book, grids, tmp_path)
