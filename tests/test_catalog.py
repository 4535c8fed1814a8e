"""The packaged catalog against the seed memo it was transcribed from.

The memo lives in ../shared/seed (not in the repository): the tests that compare against it
skip without it (fail under XLPLAN_REQUIRE_SHARED=1); the catalog's own checks always run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from shared_material import SEED_MEMO, need

from xlplan.catalog_data import load_catalog
from xlplan.core.catalog import measure_from_catalog
from xlplan.core.vocab import PILLARS, Origin, Pillar

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
def items():
    need(SEED_MEMO)
    return memo_items()


def test_catalog_has_44_measures_in_order(catalog):
    assert [m.id for m in catalog.measures] == [f"C{i:02d}" for i in range(1, 45)]


def test_memo_has_44_checklist_lines(items):
    assert len(items) == 44


def test_seed_text_is_the_memo_checklist_in_order(catalog, items):
    assert [m.seed_text for m in catalog.measures] == [item.text for item in items]


def test_every_memo_item_sits_under_a_known_pillar_heading(items):
    for item in items:
        assert item.domain, item
        assert item.pillar_heading in PILLAR_BY_HEADING, item


def test_domain_and_pillar_match_memo_headings(catalog, items):
    for measure, item in zip(catalog.measures, items, strict=True):
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


def test_uncorrected_entries_keep_the_memo_wording(catalog):
    for measure in catalog.measures:
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


def test_adoptable_entries_have_an_example_kpi(catalog):
    for measure in catalog.measures:
        if measure.adoptable:
            assert measure.kpi is not None, measure.id
            assert measure.kpi.name, measure.id


def test_referenced_programs_exist(catalog):
    known = {p.id for p in catalog.programs}
    for measure in catalog.measures:
        for pid in measure.programs:
            assert pid in known, (measure.id, pid)


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


@pytest.mark.parametrize("catalog_id", ["C01", "C30", "C38"])
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
    assert measure.kpis == [entry.kpi]
    assert measure.kpis[0] is not entry.kpi
    # The planner's part is left empty.
    assert measure.owner == "" and measure.content == "" and measure.schedule == {}


def test_measure_from_catalog_does_not_share_the_kpi(catalog):
    entry = catalog.measure("C01")
    measure = measure_from_catalog(entry, "M-01")
    measure.kpis[0].target_value = 123
    assert entry.kpi.target_value is None


def test_measure_from_catalog_without_kpi(catalog):
    entry = catalog.measure("C39")
    assert entry.kpi is None
    assert measure_from_catalog(entry, "M-02").kpis == []
