"""Qualitative KPIs: the status of a year, and the credit each status earns.

A KPI without a number (方向「達成」, or a 目標（定性） without a 目標値) is reported by
a status per fiscal year. Each status earns a share of the way to the target
(the ladder); the achievement ratio then uses the same formula as numbers, with
未着手 = 0% as the baseline and the year's 目安 as a share too:

    未着手 0%　検討中 25%　一部実施 50%　実施済み 100%　達成 100%　（未達成 0%）

What a planner may type besides the words: 達成済み, ○ (達成); 済, 完了, 実施済 (実施済み);
実施中 (一部実施); 検討 (検討中); 未実施 (未着手); ×, 未達 (未達成); 1 and 0 (xlplan 0.1's
達成 / 未達成).
"""

from __future__ import annotations

from enum import StrEnum

from xlplan.core.fiscal import normalize_text


class Status(StrEnum):
    NOT_STARTED = "未着手"
    STUDYING = "検討中"
    PARTIAL = "一部実施"
    DONE = "実施済み"
    ACHIEVED = "達成"
    NOT_ACHIEVED = "未達成"   # accepted as typed (×, xlplan 0.1's 0); not offered in the dropdown

    @property
    def score(self) -> int:
        """The share of the way to the target, in %."""
        return _SCORES[self]

    @property
    def complete(self) -> bool:
        return self in (Status.DONE, Status.ACHIEVED)


_SCORES = {Status.NOT_STARTED: 0, Status.NOT_ACHIEVED: 0, Status.STUDYING: 25, Status.PARTIAL: 50,
           Status.DONE: 100, Status.ACHIEVED: 100}
DROPDOWN = (Status.NOT_STARTED, Status.STUDYING, Status.PARTIAL, Status.DONE, Status.ACHIEVED)
LADDER_TEXT = "　".join(f"{s.value} {s.score}%" for s in DROPDOWN)

_ALIASES = {
    "達成済み": Status.ACHIEVED, "達成済": Status.ACHIEVED, "○": Status.ACHIEVED, "〇": Status.ACHIEVED,
    "◯": Status.ACHIEVED, "1": Status.ACHIEVED,
    "済": Status.DONE, "済み": Status.DONE, "完了": Status.DONE, "実施済": Status.DONE,
    "実施中": Status.PARTIAL, "検討": Status.STUDYING, "未実施": Status.NOT_STARTED,
    "×": Status.NOT_ACHIEVED, "✕": Status.NOT_ACHIEVED, "X": Status.NOT_ACHIEVED, "未達": Status.NOT_ACHIEVED,
    "0": Status.NOT_ACHIEVED,
}


def parse_status(value: object) -> Status:
    """A status from what a planner typed; ValueError (Japanese) when it is none of them."""
    if isinstance(value, bool):
        raise ValueError(f"「{value}」は状況として読めません。{'・'.join(DROPDOWN)} から選んでください。")
    if isinstance(value, (int, float)) and float(value) in (0.0, 1.0):
        return Status.ACHIEVED if value == 1 else Status.NOT_ACHIEVED
    text = normalize_text(str(value)).upper() if value is not None else ""
    for status in Status:
        if text == status.value:
            return status
    if text in _ALIASES:
        return _ALIASES[text]
    raise ValueError(f"「{value}」は状況として読めません。{'・'.join(DROPDOWN)} から選ぶか、達成・○・×・済 と入力してください。")


def status_or_none(value: object) -> Status | None:
    try:
        return parse_status(value)
    except ValueError:
        return None
