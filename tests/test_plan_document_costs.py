"""The plan document shows 概算事業費 and 財源 in each measure's table when the plan has those columns, with
program IDs given by name; a plan without them shows neither."""

from __future__ import annotations

from test_plan_document import INTERNAL_ID, all_text, sample, write


def outline_rows(doc, label: str) -> list[str]:
    return [row.cells[1].text for table in doc.tables for row in table.rows
            if len(row.cells) == 2 and row.cells[0].text == label]


def test_measure_tables_show_cost_and_funding_when_the_plan_has_the_columns(tmp_path):
    plan = sample(cost_columns=True)
    first = plan.measures[0].model_copy(update={"cost": 12000, "funding": ["K01", "一般財源", "ふるさと納税"]})
    plan = plan.model_copy(update={"measures": [first, *plan.measures[1:]]})
    doc = write(plan, tmp_path)
    costs, funding = outline_rows(doc, "概算事業費"), outline_rows(doc, "財源")
    assert len(costs) == len(funding) == len(plan.measures)
    k01 = plan.program("K01").name
    assert "12,000千円" in costs and any(text.startswith(k01) and "一般財源、ふるさと納税" in text for text in funding)
    assert costs.count("（未入力）") == len(plan.measures) - 1      # the others are shown as not yet entered
    assert not INTERNAL_ID.search(all_text(doc))


def test_a_plan_without_the_columns_shows_neither(tmp_path):
    doc = write(sample(), tmp_path)
    assert outline_rows(doc, "概算事業費") == [] and outline_rows(doc, "財源") == []
