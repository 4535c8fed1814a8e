"""Edit a 照会票 the way a clerk does in Excel (openpyxl stands in for Excel on the clerk's copy;
the master is never opened with it), and save it through LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill


class Form:
    """An answered form being edited: cells found by 施策ID + KPI番号 and header text, as a clerk finds them."""

    def __init__(self, path: Path):
        self.book = openpyxl.load_workbook(path)

    def sheet(self, name: str):
        return self.book[name]

    def header_row(self, ws) -> int:
        for row in ws.iter_rows(min_row=1, max_row=30):
            texts = ["".join(str(c.value or "").split()) for c in row]
            if "施策名" in texts and ("施策ID" in texts or "分野" in texts):
                return row[0].row
        raise AssertionError(f"no header row on {ws.title}")

    def col(self, ws, header: str) -> int:
        row = self.header_row(ws)
        for c in ws[row]:
            if "".join(str(c.value or "").split()) == header:
                return c.column
        raise AssertionError(f"no column {header} on {ws.title}")

    def row_of(self, ws, measure_id: str, kpi_no: int = 1) -> int:
        id_col, no_col = self.col(ws, "施策ID"), self.col(ws, "KPI番号")
        for r in range(self.header_row(ws) + 1, ws.max_row + 1):
            if ws.cell(r, id_col).value == measure_id and ws.cell(r, no_col).value == kpi_no:
                return r
        raise AssertionError(f"no row for {measure_id}/{kpi_no} on {ws.title}")

    def type(self, sheet: str, measure_id: str, kpi_no: int, header: str, value) -> None:
        ws = self.sheet(sheet)
        ws.cell(self.row_of(ws, measure_id, kpi_no), self.col(ws, header)).value = value

    def add_kpi_row(self, sheet: str, measure_id: str, kpi_no: int, values: dict[str, object]) -> None:
        """Insert a row under a KPI row and type the new KPI there (ID typed, KPI番号 left blank)."""
        ws = self.sheet(sheet)
        r = self.row_of(ws, measure_id, kpi_no) + 1
        ws.insert_rows(r)
        ws.cell(r, self.col(ws, "施策ID")).value = measure_id
        for header, value in values.items():
            ws.cell(r, self.col(ws, header)).value = value

    def delete_row(self, sheet: str, measure_id: str, kpi_no: int) -> None:
        ws = self.sheet(sheet)
        ws.delete_rows(self.row_of(ws, measure_id, kpi_no))

    def propose(self, row_index: int, values: dict[str, object]) -> None:
        ws = self.sheet("新しい施策の提案")
        r = self.header_row(ws) + 1 + row_index
        for header, value in values.items():
            ws.cell(r, self.col(ws, header)).value = value

    def cosmetics(self, sheet: str) -> None:
        """What clerks do besides typing: widen a column, colour and bold a cell."""
        ws = self.sheet(sheet)
        ws.column_dimensions["F"].width = 60
        cell = ws.cell(self.header_row(ws) + 1, 5)
        cell.fill = PatternFill("solid", fgColor="FFFF00")
        cell.font = Font(bold=True, color="FF0000")

    def save(self, path: Path) -> Path:
        self.book.save(path)
        return path


def libreoffice_save(path: Path, outdir: Path, soffice: str) -> Path:
    """The form opened and saved again as .xlsx by LibreOffice (a clerk without Excel)."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.resolve().as_uri()}", "--convert-to", "xlsx",
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=240)
    shutil.rmtree(profile, ignore_errors=True)
    return outdir / path.name
