"""「計画の枠組みを変更」ボタンが概算事業費（千円）・財源の列を足すとき、入力規則をどう付けるかを表示する（書き込みはしない）。

    python docs/examples/14_reshape_rules_live.py ブック.xlsm

Excel のボタンは入力規則を新しく作れないため、隠しシート _lists にある見本のセル（入力規則の付いた空のセル。
横の列にその規則のキー）を、挿入した空の列へコピーします（1つの規則につき1回のコピー）。見本のない、以前の
xlplan で作ったブックでは、コマンド xlplan reshape で付けるよう案内します。
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_values
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name
from xlplan.layout.ops import CopyCell
from xlplan.layout.read import read_plan
from xlplan.reshape_columns import live_limits
from xlplan.reshape_plan import ReshapeRequest, plan_reshape

values = read_values(Path(sys.argv[1]))
plan = plan_reshape(read_plan(values), values, list(values), ReshapeRequest(cost_columns=True))
ops, notes = live_limits(plan, values.get(L.LISTS))
for op in ops:
    if isinstance(op, CopyCell):
        target = f"{cell_name(op.row, op.col)}:{cell_name(op.row + op.rows - 1, op.col)}"
        print(f"{op.sheet}!{target} ← {op.source}!{cell_name(op.source_row, op.source_col)}")
print(f"コピー: {sum(isinstance(op, CopyCell) for op in ops)}回")
for note in notes:
    print(note)
