"""An answered 実績照会: one fiscal year's actual (a number or a status), 実績の説明 and 今後の取組 per KPI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Place
from xlplan.core.survey import STATUS_WORDS, Signature
from xlplan.layout import survey_form as S
from xlplan.layout.cells import CellError, is_blank, read_number, read_text
from xlplan.layout.read_cells import Grid
from xlplan.layout.read_form_table import FormTableReader

STATUS_ALIASES = ("○", "×", "済")   # typed as is for a qualitative KPI; kept as typed

def read_actuals(answer: Answer, values: Mapping[str, Grid], signature: Signature) -> None:
    fy = signature.fy
    assert fy is not None
    layout = S.actuals_table(fy)
    t = FormTableReader(answer, values.get(S.ACTUALS, []), layout)
    base = {m.id: m for m in answer.base}
    updates: dict[tuple[str, int], dict[str, Any]] = {}
    actual_key, text_keys = f"kpi.actuals:{fy}", [f"kpi.comments:{fy}", f"kpi.next_steps:{fy}"]
    for r, row in t.rows():
        mid = read_text(t.raw(row, S.ID_KEY)) if not is_blank(t.raw(row, S.ID_KEY)) else ""
        try:
            index = int(read_number(t.raw(row, S.KPI_NO_KEY)) or 0) - 1
        except CellError:
            index = -1
        m = base.get(mid)
        if m is None or not 0 <= index < len(m.kpis) or (mid, index) in updates:
            if not t.blank(row, [actual_key, *text_keys]):
                t.problem("FORM-UNKNOWN-ROW", "施策ID・KPI番号がこの照会票の指標と合わない行です（書き換えられたか、重複しています）。"
                                              "この行は取り込みません。", t.place(r, S.ID_KEY)[1], mid)
            continue
        kpi = m.kpis[index]
        values_read, places = t.read(r, row, text_keys, mid)
        raw = t.raw(row, actual_key)
        place = t.place(r, actual_key)
        shown = kpi.actuals.get(fy) if kpi.actuals.get(fy) is not None else kpi.statuses.get(fy)
        typed = _actual(raw, t, place, mid)
        if typed is not _UNREADABLE and typed != shown:
            number = typed if isinstance(typed, float) else None
            values_read[actual_key] = number
            values_read[f"kpi.statuses:{fy}"] = typed if isinstance(typed, str) else None
            places[f"kpi.statuses:{fy}"] = place
        places[actual_key] = place
        updates[(mid, index)] = values_read
        remark = t.raw(row, S.REMARK_KEY)
        if not is_blank(remark):
            answer.remarks.append((mid, read_text(remark), t.place(r, S.REMARK_KEY)))
        for key, p in places.items():
            answer.places[(mid, index, key)] = p
    for m in answer.base:
        for i, k in enumerate(m.kpis):
            if (m.id, i) not in updates:
                t.problem("FORM-ROW-MISSING", f"施策 {m.id} の指標「{k.name}」の行が照会票にありません（削除された可能性があります）。"
                                              "この指標の実績は取り込みません。", measure_id=m.id)
    answer.measures = [m.model_copy(update={"kpis": [F.with_kpi_values(k, updates.get((m.id, i), {}))
                                                     for i, k in enumerate(m.kpis)]}) for m in answer.base]


_UNREADABLE = object()


def _actual(raw: Any, t: FormTableReader, place: Place, mid: str) -> Any:
    """A year's actual as typed: a number, a status word, or None when blank."""
    if is_blank(raw):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    text = read_text(raw)
    if text in STATUS_WORDS or text in STATUS_ALIASES:
        return text
    try:
        return read_number(raw)
    except CellError:
        t.problem("FORM-ACTUAL", f"実績値「{text}」は数値としても状況（{'・'.join(STATUS_WORDS)}）としても読めません。"
                                 "数値だけを入力するか、一覧から選んでください。この欄は取り込みません。", place[1], mid)
        return _UNREADABLE
