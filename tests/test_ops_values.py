"""apply_to_values: what the values become after a list of ops, without reading the workbook again
(the live path's pass 2 and populate's re-validation). Promise: for the reshape cases, the file
path (patch_package, then read) gives the same values."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlplan.adapters.package import patch_package
from xlplan.adapters.xlsx_file import read_plan_values, read_values
from xlplan.adapters.xlwings_live import normalize_grid
from xlplan.layout import sheets as L
from xlplan.layout.ops import (
    AddSheet,
    DeleteColumns,
    DeleteRows,
    InsertColumns,
    RemoveSheet,
    RenameSheet,
    SetValues,
)
from xlplan.layout.ops_values import apply_to_values
from xlplan.layout.read import read_plan
from xlplan.reshape_plan import ReshapeRequest, plan_reshape


def trimmed(grids: dict) -> dict:
    return {name: normalize_grid(grid) for name, grid in grids.items()}


def read_back(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "after.xlsm"
    path.write_bytes(data)
    return read_values(path)


def test_column_and_row_ops_on_a_grid():
    grids = {"S": [["a", "b", "c"], ["d"], []]}
    after = apply_to_values(grids, [InsertColumns("S", 1, 2, like=0), DeleteColumns("S", 0, 1), DeleteRows("S", 1, 1)])
    assert after == {"S": [["", "", "b", "c"], []]}
    assert grids == {"S": [["a", "b", "c"], ["d"], []]}          # the input is left as it was


def test_sheets_added_removed_and_renamed_in_order():
    grids = {"A": [["h1"], ["v1"]], "B": [["x"]], "C": []}
    after = apply_to_values(grids, [AddSheet("A2", like="A", after="A", keep_rows=1), RenameSheet("B", "B2"),
                                    RemoveSheet("C"), AddSheet("D"), SetValues("D", 0, 0, [["d"]])])
    assert list(after) == ["A", "A2", "B2", "D"]
    assert after["A2"] == [["h1"]] and after["B2"] == [["x"]] and after["D"] == [["d"]]


def test_a_copy_of_a_sheet_not_read_is_refused():
    with pytest.raises(KeyError):
        apply_to_values({}, [AddSheet("X", like="missing")])


@pytest.fixture(scope="module")
def sample(sample_bytes, tmp_path_factory):
    path = tmp_path_factory.mktemp("ops_values") / "book.xlsm"
    path.write_bytes(sample_bytes)
    values = read_plan_values(path, (L.SCHEDULE, L.LISTS))
    names = list(read_values(path))
    return sample_bytes, values, names


@pytest.mark.parametrize("request_", [
    ReshapeRequest(years=3),
    ReshapeRequest(years=7),
    ReshapeRequest(start_fy=2028),
    ReshapeRequest(start_fy=2026, years=4),
    ReshapeRequest(rename=(("その他", "地域づくり"),)),
], ids=["5to3", "5to7", "start+1", "start-1", "rename"])
def test_reshape_ops_give_what_the_file_path_reads(request_, sample, tmp_path):
    data, values, names = sample
    plan = plan_reshape(read_plan(values), values, names, request_)
    expected = read_back(patch_package(data, plan.ops), tmp_path)
    after = apply_to_values(values, plan.ops)
    assert trimmed(after) == trimmed({name: expected[name] for name in after})


def test_structure_ops_give_what_the_file_path_reads(sample, tmp_path):
    data, values, _names = sample
    domain = read_plan(values).layout.domains[0]
    table = read_plan(values).layout.tables[domain]
    ops = [AddSheet("教育", like=domain, after=domain, keep_rows=table.first_row), RemoveSheet(L.ORPHANS),
           RenameSheet(L.PROGRAMS, "国の施策"), AddSheet("空", after=L.INFO), SetValues("空", 1, 1, [["x"]]),
           DeleteRows(domain, table.first_row, 3)]
    expected = read_back(patch_package(data, ops), tmp_path)
    after = apply_to_values(values, ops)
    assert set(after) <= set(expected) and L.ORPHANS not in expected and "国の施策" in expected
    assert trimmed(after) == trimmed({name: expected[name] for name in after})


class Read(dict):
    percent_cells = None


def test_cells_showing_a_percent_move_with_their_rows_columns_and_sheet():
    values = Read({"S": [["a", "b", "c", "d"]] * 6, "T": [["x"]]})
    values.percent_cells = {"S": {(1, 1), (2, 3), (4, 2), (5, 0)}, "T": {(0, 0)}}
    after = apply_to_values(values, [InsertColumns("S", 2, 2), DeleteColumns("S", 1, 1), DeleteRows("S", 3, 2),
                                     RenameSheet("T", "U"), SetValues("S", 0, 0, [["v"]])])
    assert after.percent_cells == {"S": {(2, 4), (3, 0)}, "U": {(0, 0)}}
    assert values.percent_cells["S"] == {(1, 1), (2, 3), (4, 2), (5, 0)}        # the input is left as it was
    assert apply_to_values({"S": [["a"]]}, [InsertColumns("S", 0, 1)]).percent_cells is None


def test_percent_cells_after_a_reshape_are_those_the_file_path_reads(sample_bytes, tmp_path):
    """Pass 2 reads KPI values with the number formats pass 1 moved: a 0.39 shown as 39% stays 39."""
    import openpyxl

    source = tmp_path / "book.xlsm"
    source.write_bytes(sample_bytes)
    read = read_plan(read_plan_values(source))
    sheet = read.layout.domains[0]
    table, row = read.layout.tables[sheet], read.rows[sheet][1].first_row
    wb = openpyxl.load_workbook(source, keep_vba=True)
    for key in ("kpi.baseline_value", "target:2029", "target:2031"):
        cell = wb[sheet].cell(row=row + 1, column=table.col(key) + 1)
        cell.value, cell.number_format = 0.39, "0%"
    wb.save(source)
    data = source.read_bytes()
    for request_ in (ReshapeRequest(years=3), ReshapeRequest(start_fy=2026)):
        values = read_plan_values(source, (L.SCHEDULE, L.LISTS))
        assert len(values.percent_cells[sheet]) == 3
        plan = plan_reshape(read_plan(values), values, list(read_values(source)), request_)
        after = apply_to_values(values, plan.ops)
        path = tmp_path / "after.xlsm"
        path.write_bytes(patch_package(data, plan.ops))
        assert after.percent_cells == read_plan_values(path, (L.SCHEDULE, L.LISTS)).percent_cells
