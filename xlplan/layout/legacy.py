"""xlplan 0.1 workbooks: read, never written.

Their domain sheets pack several years into one cell (中間目標 「R9:12、R10:25」, 実績値,
実績の説明) and their 進捗管理 has no input columns; writing to them with this
version's layout would misplace values. Every command that writes a workbook
calls refuse_legacy first; the conversion (`xlplan reshape`, the 「計画の枠組みを変更」
button) turns such a workbook into the current layout.
"""

from __future__ import annotations

from xlplan.errors import XlplanUserError
from xlplan.layout.read import ReadResult

LEGACY_MESSAGE = (
    "このブックは xlplan 0.1 の形式です（分野のシートの「中間目標」「実績値」「実績の説明」に複数の年度をまとめて書く形式）。"
    "読み取りと検証・出力はできますが、ブックへの書き込みはできません。"
    "「計画の枠組みを変更」ボタン、またはコマンド xlplan reshape ブック.xlsm で新しい形式に変換してから、もう一度実行してください"
    "（変換すると、年度ごとの目標と実績が1年度1セルになります）。"
)


def refuse_legacy(read: ReadResult) -> None:
    """Raise the Japanese refusal when the workbook has xlplan 0.1's domain sheets."""
    if read.legacy:
        raise XlplanUserError(LEGACY_MESSAGE)
