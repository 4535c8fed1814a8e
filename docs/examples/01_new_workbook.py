"""計画ファイル（YAML）からブックを作る。

    python docs/examples/01_new_workbook.py [出力フォルダー]
"""

import sys
from pathlib import Path

from xlplan.builder.workbook import build_workbook, write_workbook
from xlplan.catalog_data import load_catalog
from xlplan.planfile import load_plan

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/examples")
plan = load_plan(Path(__file__).resolve().parents[2] / "samples" / "sample_plan.yaml")
book = out / f"{plan.municipality}.xlsm"
write_workbook(book, build_workbook(plan, load_catalog()))
print(f"作成: {book}（施策 {len(plan.measures)}件）")
