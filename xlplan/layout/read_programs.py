"""Read the 国・県の施策 sheet (and any table with its columns) into programs.

Shared by the workbook reader and by `xlplan programs import`, so a program typed
into the sheet and one in an imported file are read by the same rules. Workbooks
built before the 状態・後継・確認の内容 columns existed are read without them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.model import Program
from xlplan.core.vocab import ProgramStatus, parse_program_level, parse_term
from xlplan.errors import WorkbookReadError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import CellError, is_blank, read_fy, read_fy_or_date, read_text

Grid = Sequence[Sequence[Any]]
# conv(key, reader, default) converts one cell of the current row, recording a finding when it cannot.
Convert = Callable[[str, Callable[[Any], Any], Any], Any]


def _level(value: Any) -> str | None:
    text = read_text(value)
    return parse_program_level(text) if text else None


def _status(value: Any) -> ProgramStatus | None:
    text = read_text(value)
    return parse_term(ProgramStatus, text, "状態") if text else None


def _date(value: Any):
    fy, day = read_fy_or_date(value)
    if fy is not None and day is None:
        raise CellError(f"確認日「{read_text(value)}」は日付で入力してください（例: 2026/11/30）。", "INPUT-NOT-DATE")
    return day


def program_from_cells(conv: Convert) -> tuple[Program | None, str | None]:
    """The program on one row, or (None, key of the missing cell) when ID or 施策名 is empty."""
    pid = conv("program.id", read_text, "")
    name = conv("program.name", read_text, "")
    if not pid or not name:
        return None, "program.name" if pid else "program.id"
    values = {
        "id": pid, "name": name,
        "level": conv("program.level", _level, None) or "国",
        "ministry": conv("program.ministry", read_text, ""), "summary": conv("program.summary", read_text, ""),
        "support_type": conv("program.support_type", read_text, ""), "rate": conv("program.rate", read_text, ""),
        "eligibility": conv("program.eligibility", read_text, ""),
        "active_from_fy": conv("program.active_from_fy", read_fy, None),
        "active_to_fy": conv("program.active_to_fy", read_fy, None),
        "url": conv("program.url", read_text, ""), "verified_on": conv("program.verified_on", _date, None),
        "status": conv("program.status", _status, None), "successor": conv("program.successor", read_text, "") or None,
        "verification": conv("program.verification", read_text, ""),
    }
    try:
        return Program(**values), None
    except ValidationError as exc:  # defensive: every cell was converted already
        raise WorkbookReadError(f"施策「{pid}」を読み取れません: {exc.errors()[0]['msg']}") from None


@dataclass
class ProgramsRead:
    programs: list[Program]
    rows: dict[str, int] = field(default_factory=dict)  # program id -> its 0-based row
    width: int = len(L.PROGRAMS_TABLE.columns)          # columns the sheet has (older workbooks: 12)
    end_row: int = L.PROGRAMS_TABLE.first_row           # the first row below the last filled one
    blocked: list[str] = field(default_factory=list)    # headers of new columns where the clerk typed something else
    can_widen: bool = False                             # an older sheet whose new columns are empty: writers may add them


def _header(grid: Grid, row: int, col: int) -> str:
    value = grid[row][col] if row < len(grid) and col < len(grid[row]) else None
    try:
        return read_text(value).replace("\n", "")
    except CellError:
        return "#エラー"


def present_width(grid: Grid) -> tuple[int, list[str]]:
    """How many of the table's columns this sheet has: all of them, or the 12 of older workbooks.

    Raises when one of the 12 original headers was changed. A new column whose header cell holds
    something else (the clerk's own column in an older workbook) is left alone and reported.
    """
    t = L.PROGRAMS_TABLE
    for col, column in enumerate(t.columns[:L.PROGRAMS_LEGACY_WIDTH]):
        found = _header(grid, t.header_row, col)
        if found != column.header.replace("\n", ""):
            raise WorkbookReadError(
                f"見出しが想定と違います。{cell_name(t.header_row, col)} は「{column.header}」のはずですが、"
                f"「{found or '空欄'}」になっています。列を移動・削除せず、見出しを元に戻してください。",
                sheet=t.sheet, cell=cell_name(t.header_row, col))
    width = L.PROGRAMS_LEGACY_WIDTH
    blocked = []
    for col in range(L.PROGRAMS_LEGACY_WIDTH, t.width):
        found = _header(grid, t.header_row, col)
        if found == t.columns[col].header:
            width = col + 1
            continue
        if found:
            blocked.append(cell_name(t.header_row, col))
        break
    return width, blocked


def read_programs_sheet(grid: Grid, cells) -> ProgramsRead:
    """Every program typed in the sheet; cells that cannot be read become findings (cells: read._Cells)."""
    t = L.PROGRAMS_TABLE
    width, blocked = present_width(grid)
    result = ProgramsRead([], width=width, blocked=blocked)
    if width < t.width and not blocked:
        result.can_widen = all(is_blank(v) for r in grid[t.header_row:] for v in r[width:t.width])
    for row in range(t.first_row, len(grid)):
        raw = list(grid[row][:width]) + [None] * max(0, width - len(grid[row]))
        if all(is_blank(v) for v in raw):
            continue
        result.end_row = row + 1

        def conv(key, reader, default=None, row=row, raw=raw):
            col = t.col(key)
            return cells.convert(t.sheet, row, col, raw[col], reader, default) if col < width else default

        program, missing = program_from_cells(conv)
        if program is None:
            cells.findings.append(Finding("INPUT-PROGRAM-INCOMPLETE", Severity.ERROR,
                                          "国・県の施策は ID と施策名の両方を入力してください。",
                                          Ref(), t.sheet, t.cell(row, missing)))
            continue
        if program.id in result.rows:
            cells.findings.append(Finding(
                "INPUT-PROGRAM-DUPLICATE", Severity.ERROR,
                f"施策のID「{program.id}」は {t.cell(result.rows[program.id], 'program.id')} でも使われています。別のIDにしてください。",
                Ref(program_id=program.id), t.sheet, t.cell(row, "program.id")))
            continue
        result.rows[program.id] = row
        result.programs.append(program)
    return result
