"""取込結果 for a master built before the sheet existed: a separate small workbook next to it.

Each run appends its rows to what the file already holds (read back, written
anew: the file is xlplan's own). Masters built by this version have the sheet
and never need this.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import xlsxwriter

from xlplan.fileio import atomic_write_bytes
from xlplan.layout import sheets as L
from xlplan.layout.cells import Formula
from xlplan.layout.styles import STYLES


def log_workbook_path(master: Path) -> Path:
    return Path(master).with_name(f"{Path(master).stem}_{L.COLLECT_LOG}.xlsx")


def write_log_workbook(master: Path, rows: list[list[Any]]) -> Path:
    from xlplan.adapters.xlsx_file import read_values

    path = log_workbook_path(master)
    table = L.COLLECT_TABLE
    previous: list[list[Any]] = []
    if path.exists():
        grid = read_values(path, [L.COLLECT_LOG]).get(L.COLLECT_LOG, [])
        previous = [list(r) for r in grid[table.first_row:] if any(v not in (None, "") for v in r)]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    ws = wb.add_worksheet(L.COLLECT_LOG)
    header = wb.add_format(STYLES["header"])
    wrap = wb.add_format(STYLES["wrap"])
    for i, column in enumerate(table.columns):
        ws.set_column(i, i, column.width)
        ws.write_string(table.header_row, i, column.header, header)
    ws.write_string(0, 0, f"取込結果（{Path(master).name}）", wb.add_format(STYLES["title"]))
    for r, row in enumerate([*previous, *rows], start=table.first_row):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                value = value.cached   # a link into the master would not work from this file
            if value not in (None, ""):
                ws.write_string(r, c, str(value), wrap)
    wb.close()
    atomic_write_bytes(path, buffer.getvalue())
    return path
