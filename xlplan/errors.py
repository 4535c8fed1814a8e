"""The two kinds of failure xlplan distinguishes.

XlplanUserError is an expected problem with the user's input: its message is
Japanese, says where the problem is and what to do, and is shown without a
traceback. Anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations


class XlplanUserError(Exception):
    """An expected problem with input; the message is for the planner, in Japanese."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"シート「{self.sheet}」のセル {self.cell}: {self.message}"
        if self.sheet:
            return f"シート「{self.sheet}」: {self.message}"
        return self.message


class ParseError(XlplanUserError, ValueError):
    """A value (typed in a cell, written in a plan file or given as a CLI option) that cannot be read.

    kind says what was expected ("number", "fy", "date", "phase", "month", …): the workbook
    reader turns it into a finding code (xlplan.layout.cells), the plan file and the CLI show
    the message as it is. The parsers live in xlplan.core.parse.
    """

    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind


class WorkbookReadError(XlplanUserError):
    """The workbook could not be read as an xlplan workbook (CLI exit code 2)."""


class WorkbookWriteError(XlplanUserError):
    """The workbook could not be written safely; the original is untouched."""
