"""分野を追加し、法の分野を理由を付けて外す（xlplan reshape --add-domain 教育 --remove-domain 金融=理由 と同じ）。

    python docs/examples/11_reshape_domains.py 計画.xlsm

外す分野の施策・KPI・進捗の入力は、先に一覧にしてから消し、シート「削除した内容」とブックの横の YAML に残します。
"""

import sys
from pathlib import Path

from xlplan.adapters.xlsx_file import read_plan_values
from xlplan.errors import XlplanUserError
from xlplan.layout.read import read_plan
from xlplan.reshape import reshape_file
from xlplan.reshape_plan import ReshapeRequest

book = Path(sys.argv[1])
request = ReshapeRequest(add=("教育",), remove=(("金融", "該当する事業がない"),))
try:
    reshape_file(book, request)                          # 消える入力があれば、何も変えずに断る
except XlplanUserError as refused:
    print(str(refused).splitlines()[0])
result = reshape_file(book, request, force=True)         # 同意のうえで変更（--force）
print("追加:", result.added, "外した分野:", result.removed, "残した入力:", len(result.dropped), "件")
plan = read_plan(read_plan_values(book)).plan
print("分野:", "、".join(plan.domains))
print("取り組まない理由:", [(s.target, s.reason) for s in plan.skips if s.target == "金融"])
