"""計画書（Word）とオープンデータ（CSV）を書き出す。

    python docs/examples/05_export.py ブック.xlsm [出力フォルダー]
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_values
from xlplan.export.docx import export_docx
from xlplan.export.opendata import export_csv
from xlplan.layout.read import read_plan

book = Path(sys.argv[1])
out = Path(sys.argv[2] if len(sys.argv) > 2 else "out/examples")
plan = read_plan(read_values(book)).plan
export_docx(plan, out / f"{plan.municipality}_計画書.docx")
export_csv(plan, out / "opendata", bom=True)   # Excel で開くなら BOM 付き
print("書き出し:", out)
