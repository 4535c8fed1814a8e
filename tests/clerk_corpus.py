"""What Japanese offices really type into each kind of cell, with the reading or the finding expected.

Each entry is one row of a domain sheet: a complete, valid measure, with one cell (or a few)
replaced by what the clerk typed, stored the way Excel stores it (「39%」 is 0.39 under a %
format, 「2026/4/1」 a date, 「１２」 a number). tests/test_clerk_corpus.py writes them all
into one real workbook and reads it through the file path; a subset also through the live path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from xlplan.core.vocab import Phase

S, P, B, O, E, X, R = Phase.STUDY, Phase.PREPARE, Phase.BUILD, Phase.PILOT, Phase.OPERATE, Phase.EXPAND, Phase.REVIEW
START = 2027   # the corpus plan: 令和9年度から5年間
SHEET = "電子行政"

# A valid measure row; each entry overrides some of it.
BASE: dict[str, Any] = {
    "measure.pillar": "10条 オンライン化原則", "measure.origin": "追加", "measure.owner": "DX推進課",
    "measure.programs": "N01", "kpi.name": "オンライン申請件数", "kpi.kind": "進捗", "kpi.unit": "件",
    "kpi.aggregation": "年度値", "kpi.direction": "増加", "kpi.baseline_value": 100, "kpi.baseline_as_of": "R7",
    "kpi.target_value": 500, "kpi.target_fy": "R11",
    f"fy:{START}": "検討", f"fy:{START + 1}": "準備", f"fy:{START + 2}": "実施・運用", f"fy:{START + 3}": "実施・運用",
    f"fy:{START + 4}": "実施・運用",
}
PERCENT = {"kpi.unit": "%", "kpi.baseline_value": 40, "kpi.target_value": 80}


def _kpi(m):
    return m.kpis[0]


GETTERS: dict[str, Callable] = {
    "measure.id": lambda m: m.id,
    "measure.name": lambda m: m.name,
    "measure.owner": lambda m: m.owner,
    "measure.origin": lambda m: m.origin.value,
    "measure.pillar": lambda m: m.pillar.code if m.pillar else None,
    "measure.programs": lambda m: m.programs,
    "measure.milestones": lambda m: [(x.fy, x.when, x.label) for x in m.milestones],
    "kpi.kind": lambda m: _kpi(m).kind.value,
    "kpi.aggregation": lambda m: _kpi(m).aggregation.value,
    "kpi.direction": lambda m: _kpi(m).direction.value,
    "kpi.baseline_value": lambda m: (_kpi(m).baseline.value, "未把握" if _kpi(m).baseline.value is None else "")
    if _kpi(m).baseline else None,
    "kpi.baseline_as_of": lambda m: (_kpi(m).baseline.as_of_fy, _kpi(m).baseline.as_of_date),
    "kpi.target_value": lambda m: _kpi(m).target_value,
    "kpi.target_fy": lambda m: _kpi(m).target_fy,
    "kpi.unit": lambda m: _kpi(m).unit,
}


@dataclass(frozen=True)
class Entry:
    key: str                       # the cell typed into (a layout key)
    typed: Any                     # the value as Excel stores it
    expect: Any = None             # the reading (through GETTERS[key], or get)
    code: str | None = None        # or the finding expected at that cell
    fmt: str | None = None         # the cell's number format, e.g. "0%"
    also: dict[str, Any] = field(default_factory=dict)   # other cells of the row
    get: Callable | None = None
    note: str = ""

    def reading(self, measure):
        if self.get or self.key in GETTERS:
            return (self.get or GETTERS[self.key])(measure)
        kind, year = self.key.split(":")
        return _kpi(measure).interim if kind == "target" else measure.schedule.get(int(year))


def fy(offset: int) -> str:
    return f"fy:{START + offset}"


def target(offset: int) -> str:
    """A year's own target cell (年度ごとの目標)."""
    return f"target:{START + offset}"


def unknown(value=None):
    return (value, "未把握")


ENTRIES: list[Entry] = [
    # ------------------------------------------------ numbers (現状値・目標値)
    Entry("kpi.target_value", 500, 500),
    Entry("kpi.target_value", 1234.5, 1234.5),
    Entry("kpi.target_value", "1,200", 1200, note="text with a thousands separator"),
    Entry("kpi.target_value", "１，２００", 1200, note="full-width"),
    Entry("kpi.target_value", "１２００", 1200),
    Entry("kpi.target_value", " 800 ", 800),
    Entry("kpi.target_value", "800件", code="INPUT-NOT-NUMBER", note="unit typed in the value"),
    Entry("kpi.target_value", "約800", code="INPUT-NOT-NUMBER"),
    Entry("kpi.target_value", "3万", code="INPUT-NOT-NUMBER", note="never read as 3 nor 30000 silently"),
    Entry("kpi.target_value", "多数", code="INPUT-NOT-NUMBER"),
    Entry("kpi.target_value", "#REF!", code="INPUT-ERROR-VALUE"),
    Entry("kpi.target_value", "#N/A", code="INPUT-ERROR-VALUE"),
    Entry("kpi.target_value", dt.date(2030, 3, 31), code="INPUT-NOT-NUMBER", note="a date in a number cell"),
    Entry("kpi.target_value", True, code="INPUT-NOT-NUMBER"),
    Entry("kpi.target_value", "-", code="INPUT-NOT-NUMBER", note="a dash is no target"),
    Entry("kpi.baseline_value", 0, (0, "")),
    Entry("kpi.baseline_value", "△5", (-5, ""), also={"kpi.direction": "減少", "kpi.target_value": -10}),
    Entry("kpi.baseline_value", "▲5", (-5, ""), also={"kpi.direction": "減少", "kpi.target_value": -10}),
    Entry("kpi.baseline_value", "-5", (-5, ""), also={"kpi.direction": "減少", "kpi.target_value": -10}),
    Entry("kpi.baseline_value", "－５", (-5, ""), also={"kpi.direction": "減少", "kpi.target_value": -10}),
    Entry("kpi.baseline_value", "未把握", unknown()),
    Entry("kpi.baseline_value", "-", unknown()),
    Entry("kpi.baseline_value", "－", unknown()),
    Entry("kpi.baseline_value", "―", unknown()),
    Entry("kpi.baseline_value", "—", unknown()),
    Entry("kpi.baseline_value", "ー", unknown(), note="the long vowel mark typed as a dash"),
    Entry("kpi.baseline_value", "未定", unknown()),
    Entry("kpi.baseline_value", "不明", unknown()),
    Entry("kpi.baseline_value", "把握していない", unknown()),
    Entry("kpi.baseline_value", "調査中", code="INPUT-NOT-NUMBER"),
    Entry("kpi.baseline_value", "100人", code="INPUT-NOT-NUMBER"),
    # ------------------------------------------------ percent
    Entry("kpi.baseline_value", 0.39, (39, ""), fmt="0%", also=PERCENT, note="「39%」 typed the Excel way"),
    Entry("kpi.baseline_value", 0.385, (38.5, ""), fmt="0.0%", also=PERCENT),
    Entry("kpi.target_value", 0.7, 70, fmt="0%", also=PERCENT),
    Entry("kpi.target_value", 1, 100, fmt="0%", also=PERCENT, note="「100%」"),
    Entry("kpi.target_value", "70%", 70, also=PERCENT, note="typed as text"),
    Entry("kpi.target_value", "７０％", 70, also=PERCENT),
    Entry("kpi.target_value", 70, 70, also=PERCENT),
    Entry("kpi.baseline_value", 0.39, (0.39, ""), also=PERCENT, note="typed 0.39 in a General cell: as typed"),
    Entry("kpi.target_value", 0.5, code="INPUT-PERCENT-UNIT", fmt="0%", note="a % cell in a KPI counted in 件"),
    Entry("kpi.target_value", "50%", code="INPUT-PERCENT-UNIT", note="a % typed in a KPI counted in 件"),
    Entry("kpi.target_value", 150, code="KPI-PERCENT-RANGE", also=PERCENT),
    Entry("kpi.unit", "％", "％", also={"kpi.baseline_value": 40, "kpi.target_value": 80}),
    # ------------------------------------------------ fiscal years (目標年度)
    Entry("kpi.target_fy", "R11", 2029),
    Entry("kpi.target_fy", "令和11年度", 2029),
    Entry("kpi.target_fy", "R10年度末", 2028),
    Entry("kpi.target_fy", "令和10年度末", 2028),
    Entry("kpi.target_fy", "令和10年度末まで", 2028),
    Entry("kpi.target_fy", "2028年度末", 2028),
    Entry("kpi.target_fy", "2029年度", 2029),
    Entry("kpi.target_fy", 2029, 2029, note="a year typed as a number"),
    Entry("kpi.target_fy", "Ｒ１１", 2029),
    Entry("kpi.target_fy", "R11年", 2029),
    Entry("kpi.target_fy", "令和11年度（2029年度）", 2029),
    Entry("kpi.target_fy", "FY2029", 2029),
    Entry("kpi.target_fy", "平成40年度", 2028, note="a phantom 平成 year of an old plan"),
    Entry("kpi.target_fy", dt.date(2030, 3, 31), 2029, note="the fiscal year's last day"),
    Entry("kpi.target_fy", dt.date(2029, 10, 1), code="INPUT-DATE-FOR-YEAR"),
    Entry("kpi.target_fy", "来年度", code="INPUT-NOT-FY"),
    Entry("kpi.target_fy", "令和", code="INPUT-NOT-FY"),
    Entry("kpi.target_fy", "令和11年度（2030年度）", code="INPUT-NOT-FY", note="era and western year disagree"),
    Entry("kpi.target_fy", "R20", code="KPI-TARGET-FY-OUTSIDE"),
    # ------------------------------------------------ dates (現状値の時点)
    Entry("kpi.baseline_as_of", "R7", (2025, None)),
    Entry("kpi.baseline_as_of", "令和7年度末", (2025, None)),
    Entry("kpi.baseline_as_of", "R6年度末時点", (2024, None)),
    Entry("kpi.baseline_as_of", dt.date(2025, 4, 1), (None, dt.date(2025, 4, 1))),
    Entry("kpi.baseline_as_of", "2025/4/1", (None, dt.date(2025, 4, 1))),
    Entry("kpi.baseline_as_of", "令和7年4月1日現在", (None, dt.date(2025, 4, 1))),
    Entry("kpi.baseline_as_of", "平成30年7月10日", (None, dt.date(2018, 7, 10))),
    Entry("kpi.baseline_as_of", "H30.7.10", (None, dt.date(2018, 7, 10))),
    Entry("kpi.baseline_as_of", "R7.3.31", (None, dt.date(2025, 3, 31))),
    Entry("kpi.baseline_as_of", "2025年3月末", (None, dt.date(2025, 3, 31))),
    Entry("kpi.baseline_as_of", "２０２５年４月１日", (None, dt.date(2025, 4, 1))),
    Entry("kpi.baseline_as_of", 2025, (2025, None)),
    Entry("kpi.baseline_as_of", "2025/2/30", code="INPUT-NOT-FY"),
    Entry("kpi.baseline_as_of", "昨年度", code="INPUT-NOT-FY"),
    # ------------------------------------------------ phases (工程)
    Entry(fy(1), "準備", (P,)),
    Entry(fy(1), "→", (S,), note="continues 検討 of the year before"),
    Entry(fy(1), "継続", (S,)),
    Entry(fy(1), "〃", (S,)),
    Entry(fy(1), "⇒", (S,)),
    Entry(fy(3), "→", (E,)),
    Entry(fy(1), "検討→準備", (S, P), note="two phases in one year"),
    Entry(fy(1), "検討⇒準備", (S, P)),
    Entry(fy(1), "準備→構築・整備", (P, B)),
    Entry(fy(1), "△準備", (P,), note="as the 工程表 prints it"),
    Entry(fy(1), "△", (P,)),
    Entry(fy(1), "構築", (B,)),
    Entry(fy(1), "試行", (O,)),
    Entry(fy(1), "運用", (E,)),
    Entry(fy(1), "本格運用", (E,)),
    Entry(fy(4), "拡充", (X,)),
    Entry(fy(4), "見直し", (R,)),
    Entry(fy(4), "検証・見直し", (R,)),
    Entry(fy(0), "→", code="INPUT-NOT-PHASE", note="nothing to continue in the first year"),
    Entry(fy(1), "→", code="INPUT-NOT-PHASE", also={fy(0): None}, note="the year before is blank"),
    Entry(fy(1), "やる", code="INPUT-NOT-PHASE"),
    Entry(fy(1), "検討・準備", code="INPUT-NOT-PHASE", note="ambiguous: write 検討→準備"),
    Entry(fy(3), "検討", code="SCHED-BACKWARDS"),
    # ------------------------------------------------ IDs and references
    Entry("measure.id", None, "DG-51", get=lambda m: m.id, note="blank: the next free number after DG-50 below"),
    Entry("measure.id", "DG-50", "DG-50"),
    Entry("measure.id", " DG-52 ", "DG-52"),
    Entry("measure.id", 12, "12", note="a number typed as an ID"),
    Entry("measure.id", "#REF!", code="INPUT-ERROR-VALUE"),
    Entry("measure.programs", "N01、N02", ["N01", "N02"]),
    Entry("measure.programs", "N01,N02", ["N01", "N02"]),
    Entry("measure.programs", "N01，N02", ["N01", "N02"]),
    Entry("measure.programs", "N01\nN02", ["N01", "N02"]),
    Entry("measure.programs", "N01；N02", ["N01", "N02"]),
    Entry("measure.programs", "X99", code="MEAS-PROGRAM-UNKNOWN"),
    # ------------------------------------------------ vocabularies (柱, 区分, 種別, 集計, 方向)
    Entry("measure.pillar", "10条", "P10"),
    Entry("measure.pillar", "オープンデータ", "P11"),
    Entry("measure.pillar", "P13", "P13"),
    Entry("measure.pillar", "１４条", "P14"),
    Entry("measure.pillar", "第10条", "P10"),
    Entry("measure.pillar", "10", code="INPUT-INVALID"),
    Entry("measure.origin", "カタログ", "カタログ"),
    Entry("measure.origin", "ｶﾀﾛｸﾞ", "カタログ", note="half-width katakana"),
    Entry("measure.origin", "既定", "既定"),
    Entry("measure.origin", "新規", code="INPUT-INVALID"),
    Entry("kpi.kind", "効果", "効果"),
    Entry("kpi.kind", "成果", code="INPUT-INVALID"),
    Entry("kpi.aggregation", "累計", "累計"),
    Entry("kpi.aggregation", "時点", "時点"),
    Entry("kpi.aggregation", "合計", code="INPUT-INVALID"),
    Entry("kpi.direction", "減少", "減少", also={"kpi.target_value": 50}),
    Entry("kpi.direction", "達成", "達成"),
    Entry("kpi.direction", "↑", code="INPUT-INVALID"),
    # ------------------------------------------------ required text (担当課, 施策名) and other columns
    Entry("measure.owner", "企画課", "企画課"),
    Entry("measure.owner", "○○課", code="MEAS-PLACEHOLDER"),
    Entry("measure.owner", "未定", code="MEAS-PLACEHOLDER"),
    Entry("measure.owner", "TBD", code="MEAS-PLACEHOLDER"),
    Entry("measure.name", "××システムの導入", code="MEAS-PLACEHOLDER"),
    # ------------------------------------------------ year targets (年度ごとの目標: one cell per year)
    Entry(target(0), 200, {2027: 200, 2028: 300}, also={target(1): 300}),
    Entry(target(0), "1,200", {2027: 1200, 2028: 2000}, also={target(1): "2,000", "kpi.target_value": 3000},
          note="text with thousands separators"),
    Entry(target(1), "１２０", {2028: 120}, note="full-width"),
    Entry(target(1), 0.6, {2028: 60}, fmt="0%", also=PERCENT, note="「60%」 under a % format"),
    Entry(target(1), "60%", {2028: 60}, also=PERCENT, note="typed as text"),
    Entry(target(1), "60%", code="INPUT-PERCENT-UNIT", note="a % typed in a KPI counted in 件"),
    Entry(target(0), "R9:200", code="INPUT-NOT-NUMBER", note="the 0.1 packed habit in a year's own cell"),
    Entry(target(1), "200件", code="INPUT-NOT-NUMBER", note="unit typed in the value"),
    Entry(target(1), "検討中", {2028: "検討中"}, get=lambda m: _kpi(m).interim_statuses,
          also={"kpi.target_value": None, "kpi.target_text": "条例の制定"}, note="a qualitative KPI's year status"),
    Entry(target(1), "やる", code="INPUT-STATUS", also={"kpi.target_value": None, "kpi.target_text": "条例の制定"}),
    Entry("measure.milestones", "R10下期 本格運用開始", [(2028, "下期", "本格運用開始")]),
    Entry("measure.milestones", "令和11年度第3四半期：条例施行", [(2029, "Q3", "条例施行")]),
]
