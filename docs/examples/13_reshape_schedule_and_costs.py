"""工程表の区切りを四半期にし、分野のシートに概算事業費（千円）と財源の列を足す（xlplan reshape と同じ処理）。

    python docs/examples/11_reshape_schedule_and_costs.py ブック.xlsm

reshape は、まず書き込む操作の一覧（列の挿入・削除、見出し、列幅、入力規則）を決め、それをファイルに当てて
から、工程表・進捗管理・網羅表・検証結果を描き直します。消える値があるときは --force（ここでは force=True）が
なければ止まり、消した値は「削除した内容」シートとブックの横の YAML に残ります。
"""

import sys
from pathlib import Path

from xlplan.core.vocab import Subdivision
from xlplan.reshape import reshape_file
from xlplan.reshape_plan import ReshapeRequest

book = Path(sys.argv[1])
result = reshape_file(book, ReshapeRequest(subdivision=Subdivision.QUARTER, cost_columns=True))
if result.subdivision:
    print(f"工程表の区切り: {result.subdivision[0]} → {result.subdivision[1]}")
if result.cost_columns:
    print("概算事業費（千円）と財源の列を追加しました")
print(f"消した入力: {len(result.dropped)}件")
