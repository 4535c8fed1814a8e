"""A KPI row's value cells (現状値, 目標値 …), read with their number formats.

Excel stores 「39%」 typed into a cell as 0.39 with a % number format. When the
format is known (files: styles.xml; Windows Excel: one XML read per sheet), a %
cell in a % KPI reads as 39, and a % cell in a KPI of another unit is a finding.
When it is not known (the remote engine cannot report formats), a number
between 0 and 1 in a % KPI whose other values are above 1 is a finding at its
cell, never a silent 0.39%.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xlplan.core.parse import is_unknown_baseline
from xlplan.layout.cells import CellError, is_percent_unit, read_kpi_number

VALUE_KEYS = ("kpi.baseline_value", "kpi.target_value")


def _as_is(value: Any) -> Any:
    return value


class KpiNumbers:
    """Reads one row's KPI numbers. percent_keys: the keys of the row's cells that carry a % number
    format, or None when the formats are not known."""

    def __init__(self, conv, measure_id: str, index: dict[str, int], percent_keys: set[str] | None,
                 raw: list | None = None):
        self.conv = conv
        self.measure_id = measure_id
        self.percent_keys = percent_keys
        self.index, self.raw = index, raw

    def percent_format(self, key: str) -> bool | None:
        return None if self.percent_keys is None else key in self.percent_keys

    def value(self, key: str, unit: str) -> float | None:
        if self.raw is not None:   # the row's values (`index` → column): a blank cell is None, as conv would say
            col = self.index.get(key)
            if col is None or (v := self.raw[col]) is None or v == "":
                return None
        fmt = self.percent_format(key)
        return self.conv(key, lambda v: read_kpi_number(v, fmt, unit), None, self.measure_id)

    def baseline(self, unit: str) -> tuple[float | None, bool]:
        """(value, unknown): 「未把握」「-」「未定」 … are a baseline not measured yet."""
        key = "kpi.baseline_value"
        fmt = self.percent_format(key)

        def reader(v: Any) -> tuple[float | None, bool]:
            if is_unknown_baseline(v):
                return None, True
            try:
                return read_kpi_number(v, fmt, unit), False
            except CellError as exc:
                if exc.code != "INPUT-NOT-NUMBER":
                    raise
                raise CellError(f"「{str(v).strip()}」は現状値として読めません。数値を入力するか、把握していなければ"
                                "「未把握」（または「-」）と入力してください。", exc.code) from None
        return self.conv(key, reader, (None, False), self.measure_id)

    def check_fractions(self, unit: str, values: dict[str, float | None],
                        others: Iterable[float] = ()) -> dict[str, float | None]:
        """Where formats are unknown: 0 < value <= 1 (100% is stored as 1) typed as a number in a % KPI whose other values
        are above 1 is refused at its cell (left out of the plan) instead of being read as 0.39%.
        values: the row's value cells by key (現状値, 目標値, each year's target); others: further values of the KPI."""
        if self.percent_keys is not None or not is_percent_unit(unit):
            return values
        others = list(others)
        result = dict(values)
        for key, v in values.items():
            rest = [o for k, o in values.items() if k != key and o is not None] + others
            raw = self.conv(key, _as_is)
            if v is not None and 0 < v <= 1 and isinstance(raw, (int, float)) and any(o > 1 for o in rest):
                self.conv(key, _fraction_refused, None, self.measure_id)
                result[key] = None
        return result


def _fraction_refused(value: Any) -> None:
    shown = f"{value:g}"
    percent = f"{float(value) * 100:g}"
    raise CellError(f"このセルの値は {shown} です（「{percent}%」と表示されていることがあります）。{shown}% と読むと"
                    f"ほかの値と桁が合いません。{percent}% のつもりなら {percent} と入力してください"
                    f"（{shown}% で正しければ「{shown}%」と入力してください）。", "INPUT-PERCENT-FRACTION")
