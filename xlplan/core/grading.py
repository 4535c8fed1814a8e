"""Grading scales as data: the built-in scales real municipalities use, and a planner's own.

A scale's rated levels are bands of the achievement ratio (達成率, in %), best
first; the last rated level also takes everything below it. Besides the bands a
scale names the levels that are not a band (all explicit, none guessed):

* 評価できない (UNRATED, every scale has one): no actual, no target, an input error;
* 完了 (DONE, あきる野's F): the final target is reached (a number at or beyond
  the target, or a qualitative status 実施済み/達成);
* 未着手 (NOT_STARTED, あきる野's X): a qualitative KPI whose status is 未着手;
* 中止 and any other level without a band (MANUAL): only set by hand.

Built-ins (names in vocab.GRADE_SCALE_NAMES): A〜D (default; 浜松市 DX推進計画),
◎○△× (仙台市 実施計画), S・A・B・C, F・S・A・B・C・X・Y・Z (あきる野市), and 「独自」
read from 基本情報's 独自の評価段階 (Plan.custom_grades).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from xlplan.core.fiscal import normalize_text
from xlplan.core.model import GradeSpec, Plan
from xlplan.core.vocab import GRADE_SCALE_NAMES

CUSTOM = "独自"
DEFAULT_SCALE_NAME = "A〜D"


class LevelKind(StrEnum):
    RATED = "rated"
    DONE = "done"
    NOT_STARTED = "not_started"
    MANUAL = "manual"
    UNRATED = "unrated"


@dataclass(frozen=True)
class GradeLevel:
    code: str
    label: str
    min_percent: float | None = None   # RATED: the lowest 達成率 (%) that earns it; None on the last rated level
    kind: LevelKind = LevelKind.RATED

    @property
    def rated(self) -> bool:
        return self.kind is LevelKind.RATED

    @property
    def display(self) -> str:
        return f"{self.code} {self.label}" if self.label else self.code


class GradeScaleError(ValueError):
    """A scale that cannot grade (the message is Japanese and says what to fix)."""


@dataclass(frozen=True)
class GradeScale:
    name: str
    levels: tuple[GradeLevel, ...]   # display order: rated best first, then the others

    def __post_init__(self) -> None:
        rated = self.rated
        if not rated:
            raise GradeScaleError("達成率の下限がある段階が1つもありません。少なくとも1つの段階に下限（%）を入れてください。")
        lows = [lv.min_percent for lv in rated[:-1]]
        if any(v is None for v in lows) or lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows):
            raise GradeScaleError("評価の段階は、達成率の下限の高い順に並べてください（同じ下限は使えません）。")
        codes = [lv.code for lv in self.levels]
        if len(set(codes)) != len(codes):
            raise GradeScaleError(f"評価の記号が重複しています（{'、'.join(sorted({c for c in codes if codes.count(c) > 1}))}）。")
        if sum(lv.kind is LevelKind.UNRATED for lv in self.levels) != 1:
            raise GradeScaleError("「評価できない」の段階は1つだけにしてください。")

    @cached_property
    def rated(self) -> tuple[GradeLevel, ...]:
        return tuple(lv for lv in self.levels if lv.rated)

    def _kind(self, kind: LevelKind) -> GradeLevel | None:
        return next((lv for lv in self.levels if lv.kind is kind), None)

    @cached_property
    def unrated(self) -> GradeLevel:
        level = self._kind(LevelKind.UNRATED)
        assert level is not None
        return level

    @cached_property
    def done(self) -> GradeLevel | None:
        return self._kind(LevelKind.DONE)

    @cached_property
    def not_started(self) -> GradeLevel | None:
        return self._kind(LevelKind.NOT_STARTED)

    def grade(self, percent: float) -> GradeLevel:
        """The rated level for a 達成率 in % (as shown, already rounded)."""
        for level in self.rated[:-1]:
            if percent >= level.min_percent:
                return level
        return self.rated[-1]

    def find(self, text: str) -> GradeLevel | None:
        """The level a planner typed as a manual grade: its code, its label, or 「code label」."""
        key = _key(text)
        for level in self.levels:
            if key in (_key(level.code), _key(level.label), _key(level.display), _key(level.code + level.label)):
                return level
        return None

    def band(self, level: GradeLevel) -> str:
        """達成率 110%以上 / 90%以上110%未満 / 90%未満, or what the non-band level means."""
        if not level.rated:
            return _KIND_TEXT[level.kind]
        rated = self.rated
        i = rated.index(level)
        upper = rated[i - 1].min_percent if i > 0 else None
        if i == len(rated) - 1:
            return f"達成率 {_pct(upper)}未満" if upper is not None else "すべての達成率"
        low = f"{_pct(level.min_percent)}以上"
        return f"達成率 {low}" + (f"{_pct(upper)}未満" if upper is not None else "")

    def level_class(self, level: GradeLevel) -> int:
        """For fills: 1 ahead (the top band above 100%), 2 on track (the band holding 100%), 3 behind,
        4 完了, 5 未着手, 0 評価できない or set by hand only."""
        if level.kind is LevelKind.DONE:
            return 4
        if level.kind is LevelKind.NOT_STARTED:
            return 5
        if not level.rated:
            return 0
        on_track = self.grade(100)
        if level == on_track:
            return 2
        return 1 if self.rated.index(level) < self.rated.index(on_track) else 3

    def legend(self) -> str:
        """One line for sheets and reports: A 目標より進んでいる（達成率 110%以上）、B …"""
        return "、".join(f"{lv.display}（{self.band(lv)}）" for lv in self.levels)


_KIND_TEXT = {
    LevelKind.DONE: "最終の目標に達したもの",
    LevelKind.NOT_STARTED: "状況が未着手のもの",
    LevelKind.MANUAL: "手動で評価するときのみ",
    LevelKind.UNRATED: "実績・目標がない、入力に誤りがあるなど",
}


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def _key(text: str) -> str:
    return normalize_text(text).replace("〇", "○").replace("◯", "○").replace("・", "").replace("：", ":").upper()


def _lv(code: str, label: str, low: float | None = None, kind: LevelKind = LevelKind.RATED) -> GradeLevel:
    return GradeLevel(code, label, low, kind)


BUILTIN_SCALES: dict[str, GradeScale] = {
    "A〜D": GradeScale("A〜D", (
        _lv("A", "目標より進んでいる", 110), _lv("B", "目標どおり進んでいる", 90), _lv("C", "目標より遅れている"),
        _lv("D", "評価できない", kind=LevelKind.UNRATED))),
    "◎○△×": GradeScale("◎○△×", (
        _lv("◎", "目標を達成している", 100), _lv("○", "概ね順調", 80), _lv("△", "やや遅れている", 50), _lv("×", "遅れている"),
        _lv("－", "評価できない", kind=LevelKind.UNRATED))),
    "S・A・B・C": GradeScale("S・A・B・C", (
        _lv("S", "目標を上回っている", 110), _lv("A", "目標どおり", 100), _lv("B", "やや遅れている", 60), _lv("C", "遅れている"),
        _lv("－", "評価できない", kind=LevelKind.UNRATED))),
    "F・S・A・B・C・X・Y・Z": GradeScale("F・S・A・B・C・X・Y・Z", (
        _lv("F", "完了", kind=LevelKind.DONE),
        _lv("S", "計画以上に進んでいる", 110), _lv("A", "計画どおり", 90), _lv("B", "やや遅れている", 60), _lv("C", "遅れている"),
        _lv("X", "未着手", kind=LevelKind.NOT_STARTED), _lv("Y", "中止", kind=LevelKind.MANUAL),
        _lv("Z", "評価困難", kind=LevelKind.UNRATED))),
}
DEFAULT_SCALE = BUILTIN_SCALES[DEFAULT_SCALE_NAME]
assert set(BUILTIN_SCALES) | {CUSTOM} == set(GRADE_SCALE_NAMES)

_KIND_WORDS = (("完了", LevelKind.DONE), ("未着手", LevelKind.NOT_STARTED), ("中止", LevelKind.MANUAL))


def custom_scale(specs: list[GradeSpec]) -> GradeScale:
    """「独自」: rows with a 下限 are bands (best first); rows without one are 評価できない (the first
    whose label names nothing else), 完了, 未着手 or 中止 by their label, other such rows only by hand.
    Without a 評価できない row, 「－ 評価できない」 is added."""
    if not specs:
        raise GradeScaleError("評価の尺度が「独自」ですが、独自の評価段階が1つもありません。基本情報の「独自の評価段階」に記号と達成率の下限を入力してください。")
    levels = []
    has_unrated = False
    for i, spec in enumerate(specs):
        if spec.min_percent is not None:
            rated_after = any(s.min_percent is not None for s in specs[i + 1:])
            levels.append(_lv(spec.code, spec.label, spec.min_percent if rated_after else None))
            continue
        kind = next((k for word, k in _KIND_WORDS if word in spec.label), None)
        if kind is None:
            kind = LevelKind.MANUAL if has_unrated else LevelKind.UNRATED
        has_unrated |= kind is LevelKind.UNRATED
        levels.append(_lv(spec.code, spec.label, None, kind))
    if not has_unrated:
        levels.append(_lv("－", "評価できない", kind=LevelKind.UNRATED))
    return GradeScale(CUSTOM, tuple(levels))


def scale_for(plan: Plan) -> GradeScale:
    """The scale 基本情報 chooses; raises GradeScaleError (Japanese) when it cannot grade."""
    name = normalize_text(plan.grade_scale or DEFAULT_SCALE_NAME).replace("~", "〜").replace("～", "〜")
    if name == CUSTOM:
        return custom_scale(plan.custom_grades)
    for key, scale in BUILTIN_SCALES.items():
        if _key(name) == _key(key):
            return scale
    raise GradeScaleError(f"評価の尺度「{plan.grade_scale}」はありません。{'、'.join(GRADE_SCALE_NAMES)} から選んでください。")


def scale_problem(plan: Plan) -> str | None:
    try:
        scale_for(plan)
    except GradeScaleError as exc:
        return str(exc)
    return None
