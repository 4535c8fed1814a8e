"""基本情報's 「事業費・財源の列」 against the domain sheets: a clerk who changed the field is told that
reshape (the 「計画の枠組みを変更」 button) adds or removes the columns. A blank field says nothing."""

from __future__ import annotations

from collections.abc import Mapping

from xlplan.core.findings import Finding, Ref, Severity
from xlplan.core.vocab import YES_NO
from xlplan.layout import sheets as L
from xlplan.layout.cells import is_blank
from xlplan.layout.table import Table

HOW = ("「計画の枠組みを変更」ボタンを押すか、ブックを保存して閉じてから、コマンド xlplan reshape ブック.xlsm を"
       "実行してください")


def cost_columns_finding(info: list, layout: L.InfoLayout, tables: Mapping[str, Table], wanted: bool) -> Finding | None:
    field = layout.field.get("cost_columns")
    if field is None or len(info) <= field.row or len(info[field.row]) <= L.INFO_VALUE_COL:
        return None
    if is_blank(info[field.row][L.INFO_VALUE_COL]):
        return None
    has = {t.has("measure.cost") for t in tables.values() if t.layout_version == L.LAYOUT_V2}
    if not has or has == {wanted}:
        return None
    if wanted:
        message = (f"基本情報の「{field.label}」は「{YES_NO[0]}」ですが、分野のシートに概算事業費（千円）・財源の列がありません。"
                   f"列を足すには、{HOW}（「詳細」の備考の右に入ります）。")
    else:
        message = (f"基本情報の「{field.label}」は「{YES_NO[1]}」ですが、分野のシートに概算事業費（千円）・財源の列があります。"
                   f"列を取り除くには、{HOW}（入力した値があれば一覧して確認を求めます）。")
    return Finding("INPUT-COST-COLUMNS", Severity.WARNING, message, Ref(field="cost_columns"), L.INFO,
                   layout.value_cell("cost_columns"))
