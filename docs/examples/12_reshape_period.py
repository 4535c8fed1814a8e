"""計画期間を変える（「基本情報」の［計画の枠組みを変更］ボタン、コマンド xlplan reshape と同じ処理）。

    python docs/examples/12_reshape_period.py ブック.xlsm 3

ボタンは「基本情報」に入力された計画期間を読み、ここと同じ書き込み操作を開いているブックに適用します。
計画期間から外れる入力は、先に一覧して確かめます（ボタンは［はい］/［いいえ］、コマンドは --force）。
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_plan_values, sheet_names
from xlplan.core.fiscal import wareki_fy
from xlplan.layout import sheets as L
from xlplan.layout.read import read_plan
from xlplan.reshape import reshape_file
from xlplan.reshape_plan import ReshapeRequest, plan_reshape

book, years = Path(sys.argv[1]), int(sys.argv[2])
request = ReshapeRequest(years=years)
values = read_plan_values(book, (L.SCHEDULE, L.LISTS))                       # 1. 値を読む
plan = plan_reshape(read_plan(values), values, sheet_names(book), request)    # 2. 列の足し引きを、書き込み操作として決める
print(f"書き込み操作 {len(plan.ops)}件（年度の列の挿入・削除、見出し、基本情報）")
for d in plan.dropped[:3]:
    print("計画期間から外れる入力:", d.line())
result = reshape_file(book, request, force=True)                              # 3. 適用し、工程表などを作り直す
new = result.change.new
print(f"計画期間: {wareki_fy(new[0])}〜{wareki_fy(new[-1])}（消した入力 {len(result.dropped)}件: {result.dropped_file}）")
