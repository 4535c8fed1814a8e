"""ブックを読み込んで検証し、結果を「検証結果」シートに書く（Excel の「検証」ボタンと同じ処理）。

    python docs/examples/02_validate.py ブック.xlsm
"""

import sys
from pathlib import Path

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.layout.read import read_plan
from xlplan.operations import validate_ops

book = Path(sys.argv[1])
read = read_plan(read_values(book))          # 1. 値を読む（シートごとに1回）
findings, ops = validate_ops(read)           # 2. 検証し、書き込む内容（値だけ）を決める
apply_ops(book, ops)                         # 3. xlplan のシートだけを書き換える（ほかはそのまま）
for f in findings:
    print(f.severity.label, f.code, f"{f.sheet}!{f.cell}", f.message)
