"""計画書を PDF にする（目次のページ番号入り）。「計画書（PDF）を出力」ボタン・`xlplan export --pdf` と同じ。

    python docs/examples/09_plan_pdf.py ブック.xlsm|計画.yaml [出力フォルダー] [和暦（西暦）|和暦|西暦]

LibreOffice（Windows では Word でも可）が必要です。年度・日付の書き方は基本情報の「日付の表記」に従い、
3つ目の引数で上書きできます。
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.core.catalog import with_catalog_programs
from xlplan.export.docx import export_docx
from xlplan.export.pdf import docx_to_pdf
from xlplan.layout.read import read_plan
from xlplan.planfile import load_plan

source = Path(sys.argv[1])
out = Path(sys.argv[2] if len(sys.argv) > 2 else "out/examples")
if source.suffix.lower() in (".yaml", ".yml", ".json"):
    plan = with_catalog_programs(load_plan(source), load_catalog())   # ブックと同じく国の施策を補う
else:
    plan = read_plan(read_values(source)).plan
if len(sys.argv) > 3:
    plan = plan.model_copy(update={"date_style": sys.argv[3]})
docx = export_docx(plan, out / f"{plan.municipality}_計画書.docx")   # Word で直す場合はこちら
pdf = docx_to_pdf(docx, out / f"{plan.municipality}_計画書.pdf")      # 目次を更新してから PDF に
print("書き出し:", docx, pdf)
