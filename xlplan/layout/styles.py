"""Cell formats by name (XlsxWriter format properties) and the phase palette."""

from __future__ import annotations

from xlplan.core.vocab import Phase

FONT = "Meiryo UI"  # ships with Japanese Windows; LibreOffice falls back to IPAGothic

INPUT_FILL = "#FFFFCC"  # the cells a clerk types in: visibly yellow, as 使い方 and 基本情報 say

_BASE = {"font_name": FONT, "font_size": 10, "valign": "top"}

STYLES: dict[str, dict] = {
    "cell": {**_BASE},
    "id": {**_BASE, "font_color": "#1F4E78"},
    "wrap": {**_BASE, "text_wrap": True},
    "wrap_muted": {**_BASE, "text_wrap": True, "font_color": "#7F7F7F"},
    "number": {**_BASE, "num_format": "#,##0.##"},
    "date": {**_BASE, "num_format": "yyyy/m/d"},
    "center": {**_BASE, "align": "center"},
    "phase": {**_BASE, "align": "center", "text_wrap": True, "font_size": 9},
    "link": {**_BASE, "font_color": "#0563C1", "underline": 1},
    "hidden": {**_BASE, "font_color": "#FFFFFF"},
    "sheet_key": {"font_name": FONT, "font_size": 10, "font_color": "#BFBFBF"},   # the domain sheet's name, for its marks
    "title": {"font_name": FONT, "font_size": 16, "bold": True, "font_color": "#1F4E78"},
    "subtitle": {"font_name": FONT, "font_size": 10, "font_color": "#404040"},
    "help": {"font_name": FONT, "font_size": 9, "font_color": "#595959"},  # one line, runs over to the right
    "header": {"font_name": FONT, "font_size": 10, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
               "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"},
    "group": {"font_name": FONT, "font_size": 10, "bold": True, "bg_color": "#DDEBF7", "font_color": "#1F4E78",
              "align": "center", "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"},
    "label": {"font_name": FONT, "font_size": 10, "bold": True, "bg_color": "#DDEBF7", "valign": "top",
              "border": 1, "border_color": "#BFBFBF"},
    "input": {"font_name": FONT, "font_size": 10, "bg_color": INPUT_FILL, "valign": "top", "text_wrap": True,
              "border": 1, "border_color": "#BFBFBF"},
    "note": {"font_name": FONT, "font_size": 9, "font_color": "#404040", "text_wrap": True, "valign": "top",
             "border": 1, "border_color": "#BFBFBF"},
    "caption": {"font_name": FONT, "font_size": 11, "bold": True, "font_color": "#1F4E78"},
    "count": {**_BASE, "align": "center", "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"},
    "percent": {**_BASE, "num_format": "0.0%"},
    "grade": {**_BASE, "align": "center", "bold": True},
    # 進捗管理: generated cells are grey, the clerk's are "input"
    "gen": {**_BASE, "text_wrap": True, "bg_color": "#F2F2F2", "font_color": "#404040"},
    "gen_center": {**_BASE, "align": "center", "bg_color": "#F2F2F2", "font_color": "#404040"},
    "gen_number": {**_BASE, "num_format": "#,##0.###", "bg_color": "#F2F2F2", "font_color": "#404040"},
    "gen_percent": {**_BASE, "num_format": "0.0%", "bg_color": "#F2F2F2", "font_color": "#404040"},
    "gen_grade": {**_BASE, "align": "center", "bold": True, "bg_color": "#F2F2F2"},
    "marker": {"font_name": FONT, "font_size": 9, "bold": True, "font_color": "#C00000", "align": "center"},
}

# Fills per phase: light enough to print, distinct on screen; the symbols in
# the cells carry the meaning in black and white.
PHASE_FILLS: dict[Phase, str] = {
    Phase.STUDY: "#DDEBF7",
    Phase.PREPARE: "#FFF2CC",
    Phase.BUILD: "#FCE4D6",
    Phase.PILOT: "#E4DFEC",
    Phase.OPERATE: "#C6E0B4",
    Phase.EXPAND: "#A9D08E",
    Phase.REVIEW: "#FFE699",
}

# Conditional-format colours (dxf) for validation marks and structure.
ERROR_FILL = "#FFC7CE"
ERROR_FONT = "#9C0006"
WARNING_FILL = "#FFEB9C"
WARNING_FONT = "#9C5700"
SECTION_FILL = "#1F4E78"
SUBSECTION_FILL = "#DDEBF7"
CURRENT_FY_FILL = "#FFF9E5"
CURRENT_FY_FRAME = "#C00000"   # the current fiscal year's column: red frame, red header (the 「▼今年度」 marker's colour)
# 進捗管理's grade cell by its level class (GradeScale.level_class): ahead, on track, behind, 完了, 未着手, none.
GRADE_FILLS = {1: "#C6EFCE", 2: "#DDEBF7", 3: "#FFC7CE", 4: "#A9D08E", 5: "#FFF2CC", 0: "#EDEDED"}
