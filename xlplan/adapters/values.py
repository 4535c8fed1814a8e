"""What both readers (the file's, xlsx_file; live Excel's, xlwings_live) hand to the layout reader.

Its own small module so a button click, which reads through xlwings, does not import the file
reader (python-calamine, the zip package checks).
"""

from __future__ import annotations

from collections.abc import Callable


class WorkbookValues(dict):
    """Sheet name → grid of cell values, plus .merged: sheet name → merged ranges as 0-based
    (first row, first column, last row, last column); the reader reports merges inside its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.merged: dict[str, list[tuple[int, int, int, int]]] = {}
        self.sheet_names: list[str] = []  # every sheet of the workbook, read or not
        # sheet → (row, col) of the value cells asked about that show a percent (0.39 shown as 39%);
        # None when number formats were not read (the reader then treats them as unknown).
        self.percent_cells: dict[str, set[tuple[int, int]]] | None = None
        # Sheets still being parsed in a thread (xlsx_file.read_plan_file): finish() adds them.
        self.pending: Callable[[], None] | None = None

    def finish(self) -> None:
        """Wait for the sheets still being read, if any; they are in the dict afterwards."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending()
