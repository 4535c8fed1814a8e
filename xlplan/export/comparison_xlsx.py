"""The 新旧対照表 as a workbook (XlsxWriter): 改正後 | 改正前 cells, changed parts underlined."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from xlplan.core.comparison import Comparison, Line, line_text
from xlplan.fileio import atomic_write_bytes
from xlplan.layout.rowheight import row_height
from xlplan.layout.styles import FONT

WIDTH = 62      # characters per column; A4 landscape holds both
SHEET = "新旧対照表"


def comparison_xlsx_bytes(table: Comparison) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    base = {"font_name": FONT, "font_size": 10}
    boxed = {**base, "text_wrap": True, "valign": "top", "border": 1, "border_color": "#808080"}
    cells = {(u, b): wb.add_format({**boxed, "underline": int(u), "bold": b}) for u in (False, True) for b in (False, True)}
    plain = wb.add_format(base)
    underline = wb.add_format({**base, "underline": 1})
    bold = wb.add_format({**base, "bold": True})
    bold_underline = wb.add_format({**base, "bold": True, "underline": 1})
    header = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9E1F2",
                            "border": 1, "border_color": "#808080"})
    section = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "border": 1, "border_color": "#808080"})
    ws = wb.add_worksheet(SHEET)
    ws.set_column(0, 1, WIDTH)
    ws.merge_range(0, 0, 0, 1, table.title, wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}))
    ws.write_string(1, 1, table.note, wb.add_format({**base, "align": "right"}))
    ws.write_string(2, 0, table.headers[0], header)
    ws.write_string(2, 1, table.headers[1], header)
    formats = {(False, False): plain, (True, False): underline, (False, True): bold, (True, True): bold_underline}
    r = 3
    for row in table.rows:
        if row.section:
            ws.merge_range(r, 0, r, 1, row.section, section)
        else:
            for col, lines in enumerate((row.new, row.old)):
                _write_lines(ws, r, col, lines, formats, cells)
            texts = ["\n".join(line_text(x) for x in lines) for lines in (row.new, row.old)]
            ws.set_row(r, row_height(texts, [WIDTH, WIDTH], [True, True]))
        r += 1
    ws.repeat_rows(2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    ws.freeze_panes(3, 0)
    wb.close()
    return buffer.getvalue()


def _write_lines(ws, r: int, col: int, lines: tuple[Line, ...], formats, cells) -> None:
    runs: list[tuple[str, bool, bool]] = []
    for i, line in enumerate(lines):
        for j, run in enumerate(line):
            runs.append((("\n" if i and j == 0 else "") + run.text, run.underline, run.bold))
        if i and not line:
            runs.append(("\n", False, False))
    if len(runs) > 1:
        fragments = [x for text, u, b in runs for x in (formats[(u, b)], text)]
        ws.write_rich_string(r, col, *fragments, cells[(False, False)])
    elif runs:  # a rich string needs two fragments: one run takes the cell's own format
        text, u, b = runs[0]
        ws.write_string(r, col, text, cells[(u, b)])
    else:
        ws.write_blank(r, col, None, cells[(False, False)])


def export_comparison_xlsx(table: Comparison, path: Path, *, overwrite: bool = True) -> Path:
    atomic_write_bytes(Path(path), comparison_xlsx_bytes(table), overwrite=overwrite)
    return Path(path)
