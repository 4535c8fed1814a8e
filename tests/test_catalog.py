"""The packaged catalog against the seed memo it was transcribed from.

The memo lives in ../shared/seed (not in the repository): the tests that compare against it
skip without it (fail under XLPLAN_REQUIRE_SHARED=1); the catalog's own checks always run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from shared_material import SEED_MEMO, need

from xlplan.catalog_data import load_catalog
from xlplan.core.catalog import DX_SECTION, MEMO_SECTION, measure_from_catalog
from xlplan.core.vocab import DRAFT_MARK, PILLARS, Origin, Pillar

CHECKBOX = "* [ ]"

PILLAR_BY_HEADING = {info.heading: Pillar[info.code] for info in PILLARS}


@dataclass(frozen=True)
class MemoItem:
    text: str
    domain: str
    pillar_heading: str


def memo_items() -> list[MemoItem]:
    """Checklist lines of the memo with the ### domain and #### pillar they sit under."""
    domain = heading = ""
    items = []
    for line in SEED_MEMO.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#### "):
            heading = stripped.removeprefix("#### ").strip()
        elif stripped.startswith("### "):
            domain, heading = stripped.removeprefix("### ").strip(), ""
        elif stripped.startswith("## "):
            domain = heading = ""
        elif stripped.startswith(CHECKBOX):
            items.append(MemoItem(stripped.removeprefix(CHECKBOX).strip(), domain, heading))
    return items


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def memo(catalog):
    return catalog.section(MEMO_SECTION)


@pytest.fixture(scope="module")
def items():
    need(SEED_MEMO)
    return memo_items()


def test_memo_section_has_44_measures_in_order(memo):
    assert [m.id for m in memo] == [f"C{i:02d}" for i in range(1, 45)]


def test_sections_are_the_memo_then_the_dx_plan(catalog):
    assert {m.section for m in catalog.measures} == {MEMO_SECTION, DX_SECTION}
    dx = catalog.section(DX_SECTION)
    assert [m.id for m in dx] == [f"D{i:02d}" for i in range(1, len(dx) + 1)]
    assert catalog.measures == [*catalog.section(MEMO_SECTION), *dx]


def test_dx_section_covers_the_seven_priorities(catalog):
    texts = "".join(m.text for m in catalog.section(DX_SECTION))
    for priority in ("フロントヤード改革", "標準化・共通化", "eLTAX", "マイナンバーカード", "セキュリティ", "AI・RPA", "テレワーク"):
        assert priority in texts, priority
    for m in catalog.section(DX_SECTION):
        assert m.seed_text == "" and "自治体DX推進計画" in m.source, m.id


def test_memo_has_44_checklist_lines(items):
    assert len(items) == 44


def test_seed_text_is_the_memo_checklist_in_order(memo, items):
    assert [m.seed_text for m in memo] == [item.text for item in items]


def test_every_memo_item_sits_under_a_known_pillar_heading(items):
    for item in items:
        assert item.domain, item
        assert item.pillar_heading in PILLAR_BY_HEADING, item


def test_domain_and_pillar_match_memo_headings(memo, items):
    for measure, item in zip(memo, items, strict=True):
        assert measure.domain == item.domain, measure.id
        assert measure.pillar is PILLAR_BY_HEADING[item.pillar_heading], measure.id


@pytest.mark.parametrize(
    ("catalog_id", "wrong", "right"),
    [
        ("C03", "行卯", "行政"),
        ("C10", "所得促進", "取得促進"),
        ("C17", "アクセンシビリティ", "アクセシビリティ"),
        ("C30", "緊急発送", "救急搬送"),
        ("C36", "設備推進", "整備推進"),
    ],
)
def test_typos_are_corrected_in_text_only(catalog, catalog_id, wrong, right):
    measure = catalog.measure(catalog_id)
    assert measure is not None
    assert wrong in measure.seed_text
    assert wrong not in measure.text
    assert right in measure.text
    assert measure.corrections, "a corrected entry lists its corrections"
    assert any(wrong in c and right in c for c in measure.corrections)


def test_no_entry_keeps_a_known_typo_in_text(catalog):
    typos = ["行卯", "所得促進", "アクセンシビリティ", "緊急発送", "設備推進"]
    for measure in catalog.measures:
        for typo in typos:
            assert typo not in measure.text, (measure.id, typo)


def test_uncorrected_entries_keep_the_memo_wording(memo):
    for measure in memo:
        if not measure.corrections:
            assert measure.text == measure.seed_text, measure.id


def test_c39_is_merged_into_c38(catalog, items):
    c38, c39 = catalog.measure("C38"), catalog.measure("C39")
    assert c39.merged_into == "C38"
    assert not c39.adoptable
    assert c38.adoptable
    joined = items[37].text + items[38].text
    assert c38.text == joined == "超高速ブロードバンド未整備地域における整備確保の推進"
    assert c39.text == c38.text
    assert [m.id for m in catalog.measures if not m.adoptable] == ["C39"]


def test_adoptable_entries_help_a_clerk_choose(catalog):
    for measure in catalog.measures:
        if measure.adoptable:
            assert measure.kpi is not None and measure.kpi.name, measure.id
            assert len(measure.summary) >= 30 and measure.summary.endswith("。"), measure.id
            assert measure.owner, measure.id
            assert all(k.aggregation for k in measure.kpis), measure.id


def test_referenced_programs_exist(catalog):
    known = {p.id for p in catalog.programs}
    for measure in catalog.measures:
        for pid in measure.programs:
            assert pid in known, (measure.id, pid)


def test_catalog_never_links_an_ended_or_expiring_program(catalog):
    """The catalog's own links give no expiry warning in any plan: current programs without an end year."""
    for measure in catalog.measures:
        for pid in measure.programs:
            program = catalog.program(pid)
            assert not program.ended, (measure.id, pid, program.status)
            assert program.active_to_fy is None, (measure.id, pid, program.active_to_fy)


def test_program_ids_are_unique(catalog):
    ids = [p.id for p in catalog.programs]
    assert len(ids) == len(set(ids))


def test_merged_into_points_at_existing_entry(catalog):
    for measure in catalog.measures:
        if measure.merged_into is not None:
            assert catalog.measure(measure.merged_into) is not None


def test_catalog_lookup_misses_return_none(catalog):
    assert catalog.measure("C99") is None
    assert catalog.program("N99") is None


@pytest.mark.parametrize("catalog_id", ["C01", "C30", "C38", "D01"])
def test_measure_from_catalog(catalog, catalog_id):
    entry = catalog.measure(catalog_id)
    measure = measure_from_catalog(entry, "M-01")
    assert measure.id == "M-01"
    assert measure.origin is Origin.CATALOG
    assert measure.catalog_id == catalog_id
    assert measure.name == entry.text
    assert measure.domain == entry.domain
    assert measure.pillar is entry.pillar
    assert measure.programs == entry.programs
    assert measure.programs is not entry.programs
    # 内容 and the first KPI arrive as drafts; the planner's part is left empty.
    assert measure.content == DRAFT_MARK + entry.summary
    assert measure.kpis == [entry.kpi.model_copy(update={"name": DRAFT_MARK + entry.kpi.name})]
    assert measure.kpis[0] is not entry.kpi
    assert measure.owner == "" and measure.schedule == {}


def test_measure_from_catalog_does_not_share_the_kpi(catalog):
    entry = catalog.measure("C01")
    measure = measure_from_catalog(entry, "M-01")
    measure.kpis[0].target_value = 123
    assert entry.kpi.target_value is None


def test_measure_from_catalog_without_kpi(catalog):
    entry = catalog.measure("C39")
    assert entry.kpi is None
    assert measure_from_catalog(entry, "M-02").kpis == []


def test_catalog_index_is_the_catalog_as_loaded(catalog):
    # 検証 matches the plan against the index on every click instead of parsing catalog.yaml.
    from xlplan.catalog_data import catalog_names

    assert [(n.id, n.domain, n.text) for n in catalog_names()] == [(m.id, m.domain, m.text) for m in catalog.measures], (
        "xlplan/data/catalog_index.json is out of date with catalog.yaml: run `python -m xlplan.catalog_data`")


@pytest.mark.parametrize("name", ["catalog.yaml", "programs.yaml"])
def test_packaged_data_reads_the_same_with_either_yaml_parser(name):
    # load_catalog uses libyaml's parser where PyYAML has it (faster); the data must not depend on which.
    import yaml

    from xlplan.catalog_data import _text

    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML has no libyaml parser")
    assert yaml.load(_text(name), Loader=yaml.CSafeLoader) == yaml.load(_text(name), Loader=yaml.SafeLoader)
