"""担当課ごとの照会票を作り、返ってきた回答をマスターに取り込む（「照会票を作成」「回答を取り込む」ボタンと同じ処理）。

    python docs/examples/07_survey_and_collect.py ブック.xlsm 作業フォルダー

ここでは税務課の回答を、人が Excel で書き換える代わりに openpyxl で書き換えて作ります
（マスターのブックは openpyxl では開きません）。
"""

import datetime as dt
import sys
from pathlib import Path

import openpyxl

from xlplan.adapters.package import apply_ops
from xlplan.adapters.xlsx_file import read_plan_values, read_values
from xlplan.catalog_data import load_catalog
from xlplan.collect import collect_ops
from xlplan.layout.read import read_plan
from xlplan.layout.sheets import COLLECT_LOG
from xlplan.survey import answer_files, read_answer_files, write_forms

book, work = Path(sys.argv[1]), Path(sys.argv[2])
master = read_plan(read_plan_values(book))
forms = write_forms(master.plan, load_catalog(), work / "照会票", owners=["税務課"], force=True)   # 1. 照会票を作る
print("照会票:", [f.path.name for f in forms])

answer = openpyxl.load_workbook(forms[0].path)                       # 2. 税務課が目標値を書き換えて返す
sheet = answer["照会票"]
headers = {str(c.value).replace("\n", ""): c.column for c in sheet[5]}
sheet.cell(6, headers["目標値"]).value = 90
(work / "回答").mkdir(exist_ok=True)
answer.save(work / "回答" / "税務課.xlsx")

answers, unreadable = read_answer_files(answer_files([work / "回答"]), load_catalog())   # 3. 回答を読む
master = read_plan(read_plan_values(book, extra=(COLLECT_LOG,)))
log = read_values(book, [COLLECT_LOG]).get(COLLECT_LOG)
result = collect_ops(master, answers, now=dt.datetime.now(), log=log)  # 4. 三方向で比べ、変わった所だけを書く
apply_ops(book, result.ops)
for i, change in enumerate(result.merge.changes):
    sheet_name, cell = result.places.get(i, ("", "未反映"))
    print(change.kind, change.measure_id, change.label, change.before, "→", change.after, f"{sheet_name}!{cell}")
print("競合:", [k.id for k in result.merge.conflicts])
