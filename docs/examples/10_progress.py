"""年度の実績を進捗管理に入力し、評価を更新して、進捗状況の報告書（Word）を書き出す。

    python docs/examples/10_progress.py ブック.xlsm [出力フォルダー]

Excel では「進捗管理」シートの黄色のセルに入力して「進捗管理を作成」「進捗状況の報告書（Word）」を押すのと同じです。
"""

import sys
from pathlib import Path

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.core.progress import plan_progress
from xlplan.export.progress_report import export_progress_report
from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValues
from xlplan.layout.read import read_plan
from xlplan.operations import progress_ops

book = Path(sys.argv[1])
out = Path(sys.argv[2] if len(sys.argv) > 2 else "out/examples")
table = L.ProgressLayout().table

# 令和9年度の最初のKPIの行に、実績値と実績の説明を入力する（職員がセルに打つのと同じ）
row = table.first_row
apply_ops(book, [SetValues(L.PROGRESS, row, table.col("progress.actual"), [[5000]]),
                 SetValues(L.PROGRESS, row, table.col("progress.comment"), [["子育て手続をオンライン化した"]])])

read = read_plan(read_values(book))
apply_ops(book, progress_ops(read, 2027))          # 目安・達成率・評価を更新（入力はそのまま）
first = plan_progress(read.plan, 2027, errors=read.input_errors)[0]
print(f"{first.kpi.name}: 目安 {first.expected_text}、実績 {first.actual_text}、評価 {first.grade_text}（{first.note}）")
report = export_progress_report(read.plan, 2027, out / "進捗状況_令和9年度.docx", read.input_errors)
print("書き出し:", report)
