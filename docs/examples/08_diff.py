"""2つの版の計画を比べ、新旧対照表（改正後 | 改正前、改正部分に傍線）を Word と Excel で書き出す（xlplan diff と同じ）。

    python docs/examples/08_diff.py 改正前.xlsm 改正後.xlsm 出力フォルダー
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_plan_values
from xlplan.core.comparison import comparison
from xlplan.core.diff import diff_plans, summarize
from xlplan.export.comparison_docx import export_comparison_docx
from xlplan.export.comparison_xlsx import export_comparison_xlsx
from xlplan.layout.read import read_plan

old, new, out = (Path(a) for a in sys.argv[1:4])
result = diff_plans(read_plan(read_plan_values(old)).plan, read_plan(read_plan_values(new)).plan)
for line in summarize(result).lines:          # 施策の追加・削除・変更（項目ごと）
    print(line)
table = comparison(result)                    # 新旧対照表の行（傍線の位置まで決めたデータ）
export_comparison_docx(table, out / "新旧対照表.docx")
export_comparison_xlsx(table, out / "新旧対照表.xlsx")
