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
        # Sheets still being parsed in a thread (xlsx_file.read_plan_file), completed when first asked for.
        self._pending: list[str] = []
        self._complete: Callable[[str], None] | None = None

    def defer(self, names: list[str], complete: Callable[[str], None]) -> None:
        """The sheets `names` are in the workbook but not read yet: complete(name) adds one, waiting for it."""
        self._pending = [n for n in names if not dict.__contains__(self, n)]
        self._complete = complete

    @property
    def pending(self) -> list[str]:
        return list(self._pending)

    def finish(self) -> None:
        """Wait for every sheet still being read; all are in the dict afterwards."""
        while self._pending:
            self._take(self._pending[0])

    def _take(self, name: str) -> bool:
        if name not in self._pending:
            return False
        self._complete(name)   # raises (and stays pending, to raise again) when the sheet cannot be read
        self._pending.remove(name)
        return True

    # A pending sheet is completed by the first access that needs it; whole-dict views wait for all.
    def __missing__(self, name):
        if self._take(name):
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or self._take(name)

    def get(self, name, default=None):
        return self[name] if name in self else default

    def __iter__(self):
        self.finish()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self.finish()
        return dict.__len__(self)

    def keys(self):
        self.finish()
        return dict.keys(self)

    def values(self):
        self.finish()
        return dict.values(self)

    def items(self):
        self.finish()
        return dict.items(self)
