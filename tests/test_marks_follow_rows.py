"""After populate, the red and yellow marks sit on the cells they were about, not on the rows that took
their place: populate re-validates, so 検証結果 (which drives the marks) names the moved cells."""

from __future__ import annotations

import badinput as B
from test_bad_input import cli

from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, parse_cell
from xlplan.layout.ops import InsertRows
from xlplan.operations import populate_ops


def places(path, measure_id: str) -> set[str]:
    """The error places (column 誤り, which the marks count) that 検証結果 lists for a measure."""
    grid = read_values(path, [L.FINDINGS])[L.FINDINGS]
    return {row[5] for row in grid[L.FINDINGS_TABLE.first_row:] if len(row) > 5 and row[3] == measure_id and row[5]}


def test_marks_move_with_the_rows_populate_inserts(sample_bytes, tmp_path):
    good = B.Good(sample_bytes, tmp_path / "good.xlsm")
    last = good.read.rows[good.domain][-1]
    owner = good.table.cell(last.first_row, "measure.owner")
    path = tmp_path / "計画.xlsm"
    path.write_bytes(good.with_cells(good.domain, {owner: {"value": None}}))  # 担当課 left empty: an error
    code, _, err = cli("validate", path)
    assert code == 1, err
    assert places(path, last.measure_id) == {f"{good.domain}!{owner}"}

    inserted = [op for op in populate_ops(good.read, load_catalog(), [good.new_catalog_id]).ops
                if isinstance(op, InsertRows)]
    assert inserted and inserted[0].row <= last.first_row, "the new rows go above the flagged measure"
    code, out, err = cli("populate", path, "--ids", good.new_catalog_id)
    assert code == 0 and "1件を追加しました" in out, err
    row, col = parse_cell(owner)
    moved = cell_name(row + sum(op.count for op in inserted), col)
    assert places(path, last.measure_id) == {f"{good.domain}!{moved}"}
    grid = read_values(path, [good.domain])[good.domain]
    assert grid[parse_cell(moved)[0]][good.table.col("measure.id")] == last.measure_id
