"""Domains renamed: the checks on the new name, 基本情報's domain list and the xlplan_domains dropdown
list on _lists (as write ops, with the RenameSheet op that renames the sheet and every reference to it),
and, in files, xlplan's own conditional formats that hold the sheet name inside a string literal
("分野!"&ADDRESS(…), which no reference rewriting can see). The owned sheets (網羅表, 検証結果, 工程表)
are redrawn afterwards (xlplan.reshape_plan.regenerate_ops). Domains added and removed:
xlplan.reshape_domain_changes.

Workbooks built since the marks' key cell (L.DOMAIN_KEY_CELL) hold the sheet's name as a value, which the
ops rewrite; rewrite_mark_literals is only for workbooks built before, for renamed sheets and for copies.
"""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package import Package, edit_package, sheet_part_map
from xlplan.adapters.package.sheetlist import check_name
from xlplan.errors import WorkbookWriteError, XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.ops import Op, SetValues

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def parse_rename(text: str) -> tuple[str, str]:
    for sep in ("=", "＝"):
        if sep in text:
            old, new = (s.strip() for s in text.split(sep, 1))
            if old and new:
                return old, new
    raise XlplanUserError(f"--rename-domain は「旧=新」の形で指定してください（例: その他=地域づくり、指定: {text}）。")


def check_rename(domains: list[str], sheets: list[str], old: str, new: str) -> None:
    if old not in domains:
        raise XlplanUserError(f"分野「{old}」はこの計画にありません（分野: {'、'.join(domains)}）。"
                              "「基本情報」の分野の一覧にある名前を指定してください。")
    if new in sheets:
        raise XlplanUserError(f"「{new}」という名前のシートが既にあります。別の名前を指定してください。")
    try:
        check_name(new, [s for s in sheets if s != old])
    except WorkbookWriteError as exc:  # the package layer's own message, in Japanese
        raise XlplanUserError(str(exc)) from None


def rename_ops(info: list[list], lists: list[list], old: str, new: str) -> list[Op]:
    """基本情報's domain cell and the _lists dropdown entry that say `old`."""
    ops: list[Op] = []
    layout = L.INFO_LAYOUT
    first = layout.domains_header_row + 1
    for row in range(first, min(first + layout.domains_capacity, len(info))):
        cells = info[row]
        if layout.domains_col < len(cells) and str(cells[layout.domains_col] or "").strip() == old:
            ops.append(SetValues(L.INFO, row, layout.domains_col, [[new]]))
    header = lists[0] if lists else []
    if "domain" in header:
        col = header.index("domain")
        for row, cells in enumerate(lists[1:], start=1):
            if col < len(cells) and cells[col] == old:
                ops.append(SetValues(L.LISTS, row, col, [[new]]))
    return ops


def _rewrite_literals(package: Package, sheet: str, old: str, new: str) -> None:
    """"old!"&ADDRESS(…) in the conditional formats of `sheet` (and of every sheet: 基本情報 … name their own)."""
    part = sheet_part_map(package)[sheet]
    root = etree.fromstring(package.read(part))
    changed = False
    for formula in root.iter(f"{{{MAIN_NS}}}formula"):
        text = formula.text or ""
        if f'"{old}!"' in text:
            formula.text = text.replace(f'"{old}!"', f'"{new}!"')
            changed = True
    if changed:
        package.write(part, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rewrite_mark_literals(data: bytes, renamed: list[tuple[str, str]]) -> bytes:
    """After RenameSheet and AddSheet(like=) ops (pairs: the name the rules say, the sheet now): in workbooks
    built before the key cell, xlplan's marks name their sheet inside a string literal (files only; no
    reference rewriting, in Excel or here, can see it)."""
    if not renamed:
        return data

    def edit(package: Package) -> bool:
        for old, new in renamed:
            _rewrite_literals(package, new, old, new)
        return False

    return edit_package(data, edit)
