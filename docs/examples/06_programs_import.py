"""県の施策の一覧（CSV）をブックの「国・県の施策」に取り込み、施策から参照できることを確かめる。

    python docs/examples/06_programs_import.py ブック.xlsm 県の施策.csv

CSV がなければ、架空県の施策3件の CSV を作ってから取り込みます。コマンドでは
`xlplan programs import ブック.xlsm 県の施策.csv` と同じです。
"""

import sys
from pathlib import Path

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_values
from xlplan.catalog_data import load_catalog
from xlplan.core.programs import import_programs
from xlplan.core.validation import validate_plan
from xlplan.layout.read import read_plan
from xlplan.operations import program_merge_ops
from xlplan.programfile import load_programs

book = Path(sys.argv[1])
csv_path = Path(sys.argv[2]) if len(sys.argv) > 2 else book.with_name("架空県の施策.csv")
if not csv_path.exists():
    csv_path.write_text(
        "ID,区分,施策名,府省・担当,支援の種類,補助率,有効年度（から）,有効年度（まで）,状態\n"
        "K11,県,架空県市町村DX推進補助金,架空県 デジタル推進課,補助金,1/2,令和8年度,令和12年度,現行\n"
        "K12,県,架空県フロントヤード改革伴走支援,架空県 デジタル推進課,無償支援,,令和8年度,,現行\n"
        "K13,県,架空県オープンデータ共同カタログ,架空県 デジタル推進課,システム提供,,令和7年度,,現行\n",
        encoding="utf-8-sig")

read = read_plan(read_values(book))
merge = import_programs(read.programs.programs, load_programs(csv_path), load_catalog().program_ids)
apply_ops(book, program_merge_ops(read, merge))     # 新しいIDは最後の行の下へ、同じIDの行はその場で更新
print("追加:", [p.id for p in merge.append], "更新:", sorted(merge.replace), "取り込まず:", [pid for pid, _ in merge.skipped])

plan = read_plan(read_values(book)).plan
measure = plan.measures[0].model_copy(update={"programs": ["K11", "K12", "K13"]})
unknown = [f for f in validate_plan(plan.model_copy(update={"measures": [measure]})) if f.code == "MEAS-PROGRAM-UNKNOWN"]
print("施策から参照できないID:", [f.ref.program_id for f in unknown] or "なし")
