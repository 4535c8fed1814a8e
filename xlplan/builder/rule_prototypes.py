"""The prototype input rules on _lists (xlplan.layout.rule_prototypes): one row per rule, its key as a value
and beside it an empty cell with exactly the rule the file path writes for a SetValidation, the format the
builder gives the column's cells, and the red/yellow marks, so that live Excel's copy of the cell gives new
columns what a freshly built workbook has."""

from __future__ import annotations

from collections.abc import Callable

from xlsxwriter.worksheet import Worksheet

from xlplan.layout import sheets as L
from xlplan.layout.ops import SetValidation
from xlplan.layout.rule_prototypes import prototype_rules, rule_key

DECIMAL_LIMIT = ("-1E+15", "1E+15")   # as the file path writes them (xlplan.adapters.package.validations)


def validation_options(op: SetValidation) -> dict:
    """XlsxWriter's options for the rule the file path writes for `op`."""
    options: dict = {"validate": op.kind if op.kind in ("list", "decimal") else "any", "ignore_blank": True,
                     "show_input": bool(op.message), "show_error": op.show_error and op.kind != "any"}
    if op.kind == "list":
        options["source"] = op.source
    elif op.kind == "decimal":
        options.update({"criteria": "between", "minimum": DECIMAL_LIMIT[0], "maximum": DECIMAL_LIMIT[1]})
    if op.error:
        options.update({"error_title": op.title[:32], "error_message": op.error[:255]})
    if op.message:
        options.update({"input_title": op.title[:32], "input_message": op.message[:255]})
    return options


def write_prototypes(ws: Worksheet, col: int, fmt: dict, marks: Callable[[int, int], None]) -> None:
    """Columns col (L.RULE_KEYS) and col + 1 (L.RULE_CELLS) of _lists; marks(row, col) adds the marks there."""
    ws.write_string(0, col, L.RULE_KEYS)
    ws.write_string(0, col + 1, L.RULE_CELLS)
    for rule, column in prototype_rules(col + 1):
        ws.write_string(rule.row, col, rule_key(rule))
        ws.write_blank(rule.row, col + 1, None, fmt[column.style])
        ws.data_validation(rule.row, col + 1, rule.row, col + 1, validation_options(rule))
        marks(rule.row, col + 1)
