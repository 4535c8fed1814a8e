"""基本情報: the plan-level fields, lists and the custom grading scale, read through its layout.

The sheet's layout is recognised by its labels: the current one, or xlplan 0.1's
(INFO_V1), whose workbooks still read (xlplan reshape converts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.model import Contact, GradeSpec, RelatedPlan, Skip
from xlplan.core.vocab import YES_NO, BodyType, DateStyle, Subdivision, normalize_domain
from xlplan.errors import WorkbookReadError, XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import CellError, is_blank, read_fy, read_month, read_number, read_text, read_years
from xlplan.layout.read_cells import Cells, Grid, read_fy_cached, table_rows, term_reader


def _label_at(grid: Grid, row: int) -> str:
    value = grid[row][L.INFO_LABEL_COL] if row < len(grid) and L.INFO_LABEL_COL < len(grid[row]) else None
    try:
        return read_text(value)
    except CellError:
        return ""


def info_layout_of(grid: Grid) -> L.InfoLayout:
    """The layout whose labels 基本情報 carries; refuses, naming the first wrong label of the current layout."""
    for layout in L.INFO_LAYOUTS:
        if all(_label_at(grid, f.row) == f.label for f in layout.fields):
            return layout
    wrong = next(f for f in L.INFO_FIELDS if _label_at(grid, f.row) != f.label)
    where = cell_name(wrong.row, L.INFO_LABEL_COL)
    raise WorkbookReadError(f"基本情報の {where} は「{wrong.label}」のはずです。行を挿入・削除せず、元の配置に戻してください。",
                            sheet=L.INFO, cell=where)


def domains_listed(grid: Grid) -> list[str]:
    """The domain sheets 基本情報 lists, to know which sheets to read; read_info reports bad cells."""
    try:
        layout = info_layout_of(grid)
    except XlplanUserError:
        return []
    domains = []
    first = layout.domains_header_row + 1
    for row in range(first, first + layout.domains_capacity):
        value = grid[row][layout.domains_col] if row < len(grid) and layout.domains_col < len(grid[row]) else ""
        try:
            text = read_text(value)
        except CellError:
            continue
        if text:
            domains.append(normalize_domain(text))
    return domains


@dataclass
class InfoValues:
    """Everything 基本情報 says, as model values (start_fy None when it cannot be read)."""

    layout: L.InfoLayout
    values: dict[str, Any] = field(default_factory=dict)   # Plan field -> value
    domains: list[str] = field(default_factory=list)

    @property
    def start_fy(self) -> int | None:
        return self.values.get("start_fy")


def _yes_no(value: Any) -> bool | None:
    text = read_text(value)
    if text in ("", None):
        return None
    if value is True or text in (YES_NO[0], "○", "〇", "はい", "1", "TRUE", "true"):
        return True
    if value is False or text in (YES_NO[1], "×", "いいえ", "0", "FALSE", "false", "-"):
        return False
    raise CellError(f"「{text}」は「あり」か「なし」で入力してください。", "INPUT-YES-NO")


def read_info(grid: Grid, cells: Cells) -> InfoValues:
    layout = info_layout_of(grid)
    info = InfoValues(layout)
    v = info.values

    def get(key: str, reader, default=None):
        if key not in layout.field:   # a field this (older) layout does not have
            return default
        row = layout.field[key].row
        return cells.convert(L.INFO, row, L.INFO_VALUE_COL, cells.get(grid, row, L.INFO_VALUE_COL), reader, default)

    def text(key: str) -> str:
        return get(key, read_text, "")

    v["start_fy"] = get("start_fy", read_fy)
    start_cell = layout.value_cell("start_fy")
    if v["start_fy"] is None and not any(f.sheet == L.INFO and f.cell == start_cell for f in cells.findings):
        cells.findings.append(Finding("INPUT-START-FY-MISSING", Severity.ERROR,
                                      "計画開始年度が空欄です。例: 令和9年度、R9、2027 のように入力してください。",
                                      Ref(field="start_fy"), L.INFO, start_cell))
    for key in ("municipality", "prefecture", "title", "situation", "purpose", "structure", "review"):
        v[key] = text(key)
    v["body_type"] = get("body_type", term_reader(BodyType, "団体種別")) or BodyType.MUNICIPALITY
    v["subdivision"] = get("subdivision", term_reader(Subdivision, "工程表の区切り")) or Subdivision.YEAR
    v["date_style"] = get("date_style", term_reader(DateStyle, "日付の表記")) or DateStyle.WAREKI_WESTERN
    v["grade_scale"] = text("grade_scale") or "A〜D"
    v["cost_columns"] = bool(get("cost_columns", _yes_no))
    v["contact"] = Contact(department=text("contact_department"), phone=text("contact_phone"), email=text("contact_email"))
    v["years"] = get("years", read_years) or 5
    v["start_month"] = get("start_month", read_month) or 4

    first = layout.domains_header_row + 1
    for row in range(first, first + layout.domains_capacity):
        name = cells.convert(L.INFO, row, layout.domains_col, cells.get(grid, row, layout.domains_col), read_text, "")
        if name:
            info.domains.append(normalize_domain(name))
    if not info.domains:
        raise WorkbookReadError("基本情報に分野が1つもありません。「分野」の表に分野名を入力してください。", sheet=L.INFO,
                                cell=cell_name(first, layout.domains_col))
    v["roles"] = [t for row in range(layout.roles_row + 1, layout.roles_row + 1 + layout.roles_capacity)
                  if (t := cells.convert(L.INFO, row, L.INFO_VALUE_COL, cells.get(grid, row, L.INFO_VALUE_COL), read_text, ""))]
    v["related_plans"] = _read_related(grid, layout, cells)
    v["skips"] = _read_skips(grid, layout, cells)
    v["custom_grades"] = _read_grades(grid, layout, cells)
    return info


def _read_related(grid: Grid, layout: L.InfoLayout, cells: Cells) -> list[RelatedPlan]:
    t = layout.related
    result = []
    for row, raw in table_rows(grid, t, layout.related_capacity):
        def conv(key, reader, default=None):
            return cells.convert(t.sheet, row, t.col(key), raw[t.col(key)], reader, default)
        name = conv("related.name", read_text, "")
        start, end = conv("related.start_fy", read_fy_cached), conv("related.end_fy", read_fy_cached)
        if name and start and end:
            result.append(RelatedPlan(name=name, start_fy=start, end_fy=end, relation=conv("related.relation", read_text, "")))
        elif not any(f.sheet == t.sheet and f.cell.endswith(str(row + 1)) for f in cells.findings):
            cells.findings.append(Finding("INPUT-RELATED-INCOMPLETE", Severity.ERROR,
                                          "関連する計画は計画名・開始年度・終了年度をすべて入力してください。",
                                          Ref(), t.sheet, t.cell(row, "related.name")))
    return result


def _read_skips(grid: Grid, layout: L.InfoLayout, cells: Cells) -> list[Skip]:
    t = layout.skips
    result = []
    for row, raw in table_rows(grid, t, layout.skips_capacity):
        target = cells.convert(t.sheet, row, t.col("skip.target"), raw[t.col("skip.target")], read_text, "")
        reason = cells.convert(t.sheet, row, t.col("skip.reason"), raw[t.col("skip.reason")], read_text, "")
        if target and reason:
            result.append(Skip(target=target, reason=reason))
        else:
            cells.findings.append(Finding("INPUT-SKIP-INCOMPLETE", Severity.ERROR,
                                          "取り組まない柱・分野は、対象と理由の両方を入力してください。",
                                          Ref(), t.sheet, t.cell(row, "skip.reason" if target else "skip.target")))
    return result


def _read_grades(grid: Grid, layout: L.InfoLayout, cells: Cells) -> list[GradeSpec]:
    t = layout.grades
    if t is None:
        return []
    result = []
    for row, raw in table_rows(grid, t, layout.grades_capacity):
        code = cells.convert(t.sheet, row, t.col("grade.code"), raw[t.col("grade.code")], read_text, "")
        label = cells.convert(t.sheet, row, t.col("grade.label"), raw[t.col("grade.label")], read_text, "")
        low = cells.convert(t.sheet, row, t.col("grade.min_percent"), raw[t.col("grade.min_percent")], read_number, None)
        if not code:
            cells.findings.append(Finding("INPUT-GRADE-INCOMPLETE", Severity.ERROR,
                                          "独自の評価段階には記号を入力してください（例: A、◎）。",
                                          Ref(field="custom_grades"), t.sheet, t.cell(row, "grade.code")))
            continue
        result.append(GradeSpec(code=code, label=label, min_percent=low))
    return result


__all__ = ["InfoValues", "domains_listed", "info_layout_of", "is_blank", "read_info"]
