"""A data validation set on a block of one column (the SetValidation op): the rule on exactly those cells is
replaced, every other rule is kept; <dataValidations> is created where the schema puts it when absent."""

from __future__ import annotations

from lxml import etree

from xlplan.adapters.package.safexml import q, worksheet_child
from xlplan.layout.a1 import cell_name
from xlplan.layout.ops import SetValidation

DECIMAL_LIMIT = ("-1E+15", "1E+15")


def set_validation(root: etree._Element, op: SetValidation) -> None:
    sqref = f"{cell_name(op.row, op.col)}:{cell_name(op.row + op.rows - 1, op.col)}"
    container = worksheet_child(root, "dataValidations")
    for old in container.findall(q("dataValidation")):
        if old.get("sqref") == sqref:
            container.remove(old)
    rule = etree.SubElement(container, q("dataValidation"))
    if op.kind != "any":
        rule.set("type", op.kind)
    rule.set("allowBlank", "1")
    if op.message:
        rule.set("showInputMessage", "1")
    rule.set("showErrorMessage", "1" if op.show_error and op.kind != "any" else "0")
    if op.error:
        rule.set("errorTitle", op.title[:32])
        rule.set("error", op.error[:255])
    if op.message:
        rule.set("promptTitle", op.title[:32])
        rule.set("prompt", op.message[:255])
    rule.set("sqref", sqref)
    if op.kind == "list":
        etree.SubElement(rule, q("formula1")).text = op.source.lstrip("=")
    elif op.kind == "decimal":
        rule.set("operator", "between")
        etree.SubElement(rule, q("formula1")).text = DECIMAL_LIMIT[0]
        etree.SubElement(rule, q("formula2")).text = DECIMAL_LIMIT[1]
    container.set("count", str(len(container.findall(q("dataValidation")))))
