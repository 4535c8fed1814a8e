"""The 工程表 as data: grouping and numbering of rows, and the text of each year cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xlplan.core.model import Baseline, Kpi, Measure, Milestone, Plan
from xlplan.core.schedule import (
    PHASE_CODES,
    YearCell,
    kpi_baseline_text,
    kpi_target_text,
    schedule_rows,
    schedule_subtitle,
    year_cells,
)
from xlplan.core.vocab import CONTINUE_MARK, MILESTONE_MARK, TARGET_MARK, Phase, Pillar
from xlplan.planfile import load_plan

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "sample_plan.yaml"
FYS = [2027, 2028, 2029, 2030, 2031]


def measure(mid: str, domain: str, pillar: Pillar | None, **over) -> Measure:
    return Measure(id=mid, domain=domain, pillar=pillar, name=f"施策{mid}", **over)


def plan(*measures: Measure, **over) -> Plan:
    return Plan(municipality="青葉台市", start_fy=2027, years=5, measures=list(measures), **over)


# Deliberately out of order: pillars and domains are interleaved.
MIXED = [
    measure("A", "観光", Pillar.P11),
    measure("B", "電子行政", Pillar.P13),
    measure("C", "電子行政", Pillar.P10),
    measure("D", "防災・減災", Pillar.P10),
    measure("E", "電子行政", Pillar.P11),
    measure("F", "電子行政", Pillar.P10),
    measure("G", "その他", Pillar.P6),
]


def outline(rows) -> list[str]:
    """Rows as short strings: section/subsection titles and measure ids."""
    return [r.title.strip() if r.kind != "measure" else r.measure.id for r in rows]


# ------------------------------------------------------------------ grouping

def test_rows_group_by_pillar_then_domain():
    rows = schedule_rows(plan(*MIXED))
    p10, p11, p13, p6 = (f"■ {p.title}" for p in (Pillar.P10, Pillar.P11, Pillar.P13, Pillar.P6))
    assert outline(rows) == [
        p10, "電子行政", "C", "F", "防災・減災", "D",
        p11, "電子行政", "E", "観光", "A",
        p13, "電子行政", "B",
        p6, "その他", "G",
    ]
    assert [r.kind for r in rows[:3]] == ["section", "subsection", "measure"]


def test_rows_group_by_domain_then_pillar():
    rows = schedule_rows(plan(*MIXED), group_by="domain")
    assert outline(rows) == [
        "■ 電子行政", Pillar.P10.value, "C", "F", Pillar.P11.value, "E", Pillar.P13.value, "B",
        "■ 観光", Pillar.P11.value, "A",
        "■ 防災・減災", Pillar.P10.value, "D",
        "■ その他", Pillar.P6.value, "G",
    ]


@pytest.mark.parametrize("group_by", ["pillar", "domain"])
def test_every_measure_once_numbered_in_row_order(group_by):
    rows = schedule_rows(plan(*MIXED), group_by=group_by)
    measure_rows = [r for r in rows if r.kind == "measure"]
    assert sorted(r.measure.id for r in measure_rows) == sorted(m.id for m in MIXED)
    assert [r.no for r in measure_rows] == list(range(1, len(MIXED) + 1))
    assert all(r.no is None for r in rows if r.kind != "measure")
    assert all(sorted(r.years) == FYS for r in measure_rows)


def test_measures_without_pillar_come_last():
    rows = schedule_rows(plan(measure("X", "電子行政", None), measure("Y", "観光", Pillar.P15)))
    assert outline(rows) == [f"■ {Pillar.P15.title}", "観光", "Y",
                             "■ 柱が未入力", "電子行政", "X"]


def test_unknown_domains_come_after_plan_domains_and_stay_apart():
    rows = schedule_rows(plan(measure("X", "宇宙", Pillar.P10), measure("Y", "海洋", Pillar.P10),
                              measure("Z", "金融", Pillar.P10), measure("W", "宇宙", Pillar.P10)))
    assert outline(rows)[1:] == ["金融", "Z", "宇宙", "X", "W", "海洋", "Y"]
    by_domain = schedule_rows(plan(measure("X", "宇宙", Pillar.P10), measure("Y", "海洋", Pillar.P10)), group_by="domain")
    assert outline(by_domain) == ["■ 宇宙", Pillar.P10.value, "X", "■ 海洋", Pillar.P10.value, "Y"]


def test_sample_rows_cover_every_measure_once():
    sample = load_plan(SAMPLE)
    rows = schedule_rows(sample)
    ids = [r.measure.id for r in rows if r.kind == "measure"]
    assert sorted(ids) == sorted(m.id for m in sample.measures)
    sections = [r.title for r in rows if r.kind == "section"]
    assert sections == [f"■ {p.title}" for p in Pillar]


def test_subtitle():
    assert schedule_subtitle(plan()) == "青葉台市　計画期間: 令和9年度〜令和13年度（5年間）"


# ------------------------------------------------------------------ year cells

def cells_for(**over):
    return year_cells(measure("A", "電子行政", Pillar.P10, **over), FYS)


def test_runs_show_phase_then_arrows():
    cells = cells_for(schedule={2027: "検討", 2028: "実施・運用", 2029: "実施・運用", 2030: "拡充", 2031: "拡充"})
    assert cells[2027].text == f"{Phase.STUDY.symbol}検討"
    assert cells[2028].text == f"{Phase.OPERATE.symbol}実施・運用"
    assert cells[2029].text == CONTINUE_MARK
    assert cells[2030].text == f"{Phase.EXPAND.symbol}拡充"
    assert cells[2031].text == CONTINUE_MARK
    assert [cells[fy].code for fy in FYS] == [PHASE_CODES[Phase.STUDY], PHASE_CODES[Phase.OPERATE],
                                               PHASE_CODES[Phase.OPERATE], PHASE_CODES[Phase.EXPAND],
                                               PHASE_CODES[Phase.EXPAND]]


def test_gap_breaks_a_run_and_has_code_zero():
    cells = cells_for(schedule={2027: "準備", 2029: "準備"})
    assert cells[2027].text == "△準備"
    assert cells[2028] == YearCell("", 0)
    assert cells[2029].text == "△準備"  # after a gap the phase is named again
    assert cells[2030].code == 0 and cells[2031].code == 0


def test_phase_codes_are_distinct_and_non_zero():
    assert sorted(PHASE_CODES.values()) == list(range(1, len(Phase) + 1))


def test_target_and_milestone_marks():
    cells = cells_for(
        schedule={2027: "準備", 2028: "実施・運用", 2029: "実施・運用"},
        kpis=[Kpi(name="件数", unit="件", target_value=15000, target_fy=2029),
              Kpi(name="条例", target_text="条例の制定", target_fy=2028),
              Kpi(name="目標なし", target_fy=2030)],
        milestones=[Milestone(fy=2029, label="本格運用開始"), Milestone(fy=2031, label="見直し")],
    )
    assert cells[2028].text == f"■実施・運用\n{TARGET_MARK}条例の制定"
    assert cells[2029].text == f"{CONTINUE_MARK}\n{TARGET_MARK}15,000件\n{MILESTONE_MARK}本格運用開始"
    assert cells[2030].text == ""  # a KPI without a target draws no mark
    assert cells[2031].text == f"{MILESTONE_MARK}見直し"
    assert cells[2031].code == 0


def test_years_outside_the_requested_list_are_ignored():
    cells = year_cells(measure("A", "電子行政", Pillar.P10, schedule={2026: "検討", 2027: "検討"}), FYS)
    assert sorted(cells) == FYS
    assert cells[2027].text == "○検討"  # the run starts at the first shown year


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(15000, "件", "15,000件"), (38.5, "%", "38.5%"), (0, "人", "0人"), (1234567.5, "円", "1,234,567.5円"),
     (0.25, "倍", "0.25倍"), (2500000, "枚", "2,500,000枚")],
)
def test_kpi_target_text(value, unit, text):
    assert kpi_target_text(Kpi(name="k", unit=unit, target_value=value)) == text


def test_kpi_target_text_qualitative():
    assert kpi_target_text(Kpi(name="k", target_text="条例の制定")) == "条例の制定"


@pytest.mark.parametrize(
    ("baseline", "text"),
    [(None, ""),
     (Baseline(value=3200, as_of_fy=2025), "3,200件（R7）"),
     (Baseline(value=None, as_of_fy=2026), "未把握（R8）"),
     (Baseline(value=45, as_of_date=dt.date(2026, 3, 31)), "45件（2026/3/31）"),
     (Baseline(value=7), "7件")],
)
def test_kpi_baseline_text(baseline, text):
    assert kpi_baseline_text(Kpi(name="k", unit="件", baseline=baseline)) == text


def test_subdivided_slots_place_targets_at_year_end_and_milestones_in_their_part():
    from xlplan.core.model import Milestone
    from xlplan.core.schedule import slot_cells

    m = Measure(id="A", domain="電子行政", pillar="10条", name="x", schedule={2027: "検討", 2028: "実施・運用"},
                kpis=[Kpi(name="k", unit="件", target_value=5, target_fy=2028)],
                milestones=[Milestone(fy=2027, label="交付金申請", when="Q4"), Milestone(fy=2028, label="開始", when="下期")])
    halves = slot_cells(m, [2027, 2028], 2)
    assert halves[(2027, 1)].text.startswith("○検討") and halves[(2027, 2)].text.startswith("→")
    assert "◆交付金申請" in halves[(2027, 2)].text  # Q4 falls in the second half
    assert "◆開始" in halves[(2028, 2)].text and "◎5件" in halves[(2028, 2)].text
    assert "◎" not in halves[(2028, 1)].text
    quarters = slot_cells(m, [2027, 2028], 4)
    assert "◆交付金申請" in quarters[(2027, 4)].text
    assert "◆開始" in quarters[(2028, 3)].text and "◎5件" in quarters[(2028, 4)].text
    assert {cell.code for (fy, _), cell in quarters.items() if fy == 2028} == {PHASE_CODES[Phase.OPERATE]}
