"""The prototype input rules on _lists (xlplan.layout.rule_prototypes): every built workbook, and the committed
template, carries one empty cell per rule reshape may add, with its key as a value beside it, and each cell's
rule is exactly the one the file path writes for that SetValidation — so live Excel's copy of the cell gives
new columns the same rule as the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from xlplan.adapters.package import Package, sheet_part_map
from xlplan.adapters.package.safexml import NS
from xlplan.adapters.package.validations import set_validation
from xlplan.adapters.xlsx_file import read_values
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name
from xlplan.layout.rule_prototypes import prototype_cells, prototype_columns, prototype_rules, rule_key

TEMPLATE = Path(__file__).resolve().parent.parent / "workbook_templates" / "xlplan_template.xlsm"
# what an absent attribute means (ECMA-376 CT_DataValidation)
DEFAULTS = {"type": "none", "errorStyle": "stop", "operator": "between", "allowBlank": "0",
            "showInputMessage": "0", "showErrorMessage": "0", "showDropDown": "0"}


def _rule(element: etree._Element) -> dict:
    """A dataValidation's meaning: attributes with defaults filled in, formulas as numbers where they are."""
    rule = {**DEFAULTS, **{k: v for k, v in element.attrib.items() if k != "sqref"}}
    for tag in ("formula1", "formula2"):
        found = element.find(f"{{{NS}}}{tag}")
        if found is not None:
            try:
                rule[tag] = float(found.text)
            except ValueError:
                rule[tag] = found.text
    return rule


def _rules_on(data: bytes, sheet: str) -> dict[str, dict]:
    with Package(data) as package:
        root = etree.fromstring(package.read(sheet_part_map(package)[sheet]))
    return {e.get("sqref"): _rule(e) for e in root.iter(f"{{{NS}}}dataValidation")}


def _as_the_file_path_writes(op) -> dict:
    root = etree.Element(f"{{{NS}}}worksheet")
    set_validation(root, op)
    return _rule(root.find(f"{{{NS}}}dataValidations/{{{NS}}}dataValidation"))


@pytest.fixture(params=["built", "template"])
def workbook(request, sample_book) -> Path:
    return sample_book if request.param == "built" else TEMPLATE


def test_each_rule_reshape_adds_has_a_prototype_cell_with_exactly_that_rule(workbook):
    values = read_values(workbook)
    cells = prototype_cells(values[L.LISTS])
    col = values[L.LISTS][0].index(L.RULE_CELLS)
    rules = prototype_rules(col)
    assert [c.key for _rule, c in rules] == ["measure.cost", "measure.funding"] == [c.key for c in prototype_columns()]
    written = _rules_on(workbook.read_bytes(), L.LISTS)
    for rule, _column in rules:
        row, at = cells[rule_key(rule)]
        assert (row, at) == (rule.row, rule.col)
        assert values[L.LISTS][row][at] in ("", None)               # empty: the copy brings no value
        assert written[cell_name(row, at)] == _as_the_file_path_writes(rule)
    assert len(written) == len(rules)                                # no other rule on _lists


def test_a_rule_whose_text_changes_gets_another_key():
    (cost, _), (funding, _) = prototype_rules(0)
    assert rule_key(cost) != rule_key(cost.__class__(**{**cost.__dict__, "message": "別の説明"}))
    assert rule_key(funding) != rule_key(funding.__class__(**{**funding.__dict__, "show_error": True}))
    assert rule_key(cost) == rule_key(cost.__class__(**{**cost.__dict__, "sheet": "分野", "row": 5, "rows": 1000}))
