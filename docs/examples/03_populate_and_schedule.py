"""施策カタログから施策を追加し、工程表を描き直す。

    python docs/examples/03_populate_and_schedule.py ブック.xlsm C02 C03 C05

計画に既にある施策（同じカタログID、または同じ分野に同じ施策名）は追加せず、「追加済み」に出ます。
"""

import sys
from pathlib import Path

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.layout.read import read_plan
from xlplan.operations import populate_ops, schedule_ops

book, ids = Path(sys.argv[1]), sys.argv[2:] or ["C02"]
result = populate_ops(read_plan(read_values(book)), load_catalog(), ids)
apply_ops(book, result.ops)                  # 行を柱の位置に挿入（既存の行は丸ごと下へ）
print("追加:", [m.id for m in result.result.added], "追加済み:", result.result.already)
apply_ops(book, schedule_ops(read_plan(read_values(book))))   # 追加後の内容で工程表を作り直す
