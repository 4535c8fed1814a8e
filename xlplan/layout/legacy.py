"""xlplan 0.1 workbooks: read, never written.

Their domain sheets pack several years into one cell (中間目標 「R9:12、R10:25」, 実績値,
実績の説明) and their 進捗管理 has no input columns; writing to them with this
version's layout would misplace values. Every command that writes a workbook
calls refuse_legacy first. `xlplan new NEW --from OLD` reads such a workbook (its
plan, targets and actuals included) into a workbook of the current layout.
"""

from __future__ import annotations

from xlplan.errors import XlplanUserError
from xlplan.layout.read import ReadResult

LEGACY_MESSAGE = (
    "このブックは xlplan 0.1 の形式です（分野のシートの「中間目標」「実績値」「実績の説明」に複数の年度をまとめて書く形式）。"
    "読み取りと検証・出力はできますが、ブックへの書き込みはできません。"
    "ブックを閉じてから、コマンド xlplan new 新しいブック.xlsm --from このブック.xlsm で新しい形式のブックを作り、"
    "そちらで実行してください（施策・KPI・工程・年度ごとの目標と実績・実績の説明はそのまま移り、1年度1セルになります。"
    "セルのメモや画像など、xlplan の表の外に足したものは移らないので、必要なら写してください）。"
)


def refuse_legacy(read: ReadResult) -> None:
    """Raise the Japanese refusal when the workbook has xlplan 0.1's domain sheets."""
    if read.legacy:
        raise XlplanUserError(LEGACY_MESSAGE)
