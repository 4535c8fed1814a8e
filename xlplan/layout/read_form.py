"""Read an answered 照会票 back: its signature and base, then what the department wrote.

This module reads the signature, the respondent block and the 計画照会's table of
the department's measures; read_form_proposals and read_form_actuals read the
other tables, all through read_form_table (tables found by their headers).
What cannot be an answer (a row whose 施策ID was overwritten, a deleted row,
a changed header) is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Place, Proposal
from xlplan.core.catalog import Catalog
from xlplan.core.model import Kpi, Measure
from xlplan.core.survey import Signature, SurveyKind, parse_base, text_hash
from xlplan.errors import XlplanUserError
from xlplan.layout import survey_form as S
from xlplan.layout.cells import CellError, is_blank, read_number, read_text
from xlplan.layout.read_cells import Grid
from xlplan.layout.read_form_actuals import read_actuals
from xlplan.layout.read_form_proposals import proposal_from_row, read_catalog, read_proposals
from xlplan.layout.read_form_table import FormTableReader, field_keys


class AnswerError(XlplanUserError):
    """A file that is not an answer xlplan can read at all (not a form, signature broken)."""


def read_answer(values: Mapping[str, Grid], source: str, catalog: Catalog) -> Answer:
    signature, base = read_signature(values, source)
    answer = Answer(source, signature, base, [m.model_copy(deep=True) for m in base])
    answer.respondent = _respondent(values.get(S.COVER, []))
    if signature.kind is SurveyKind.PLAN:
        _PlanTable(answer, values, signature).read()
        read_proposals(answer, values, signature)
        read_catalog(answer, values, catalog)
    else:
        read_actuals(answer, values, signature)
    return answer


def read_signature(values: Mapping[str, Grid], source: str) -> tuple[Signature, list[Measure]]:
    grid = values.get(S.SIGNATURE)
    if not grid:
        raise AnswerError(f"「{source}」は xlplan の照会票ではありません（照会の情報がありません）。"
                          "企画担当が「照会票を作成」で作ったファイルに記入して返送してもらってください。")
    items = {str(r[0]).strip(): "" if len(r) < 2 or r[1] is None else str(r[1]) for r in grid if r and r[0]}
    broken = AnswerError(f"「{source}」の照会の情報が壊れているか、書き換えられています。この回答は取り込みません。"
                         "元の照会票に記入し直してもらうか、内容を確認して手で反映してください。")
    try:
        signature = Signature.from_items(items)
    except (KeyError, ValueError):
        raise broken from None
    base_text = "".join(v for k, v in sorted(items.items(), key=lambda kv: _chunk_no(kv[0])) if k.startswith(S.BASE_PREFIX))
    if text_hash(base_text) != signature.base_hash:
        raise broken
    try:
        return signature, parse_base(base_text)
    except ValueError:
        raise broken from None


def _chunk_no(key: str) -> int:
    tail = key[len(S.BASE_PREFIX):]
    return int(tail) if key.startswith(S.BASE_PREFIX) and tail.isdigit() else 0

# ------------------------------------------------------------------ 計画照会

class _PlanTable:
    def __init__(self, answer: Answer, values: Mapping[str, Grid], signature: Signature):
        self.answer = answer
        self.layout = S.plan_table(tuple(range(signature.start_fy, signature.start_fy + signature.years)))
        self.t = FormTableReader(answer, values.get(S.MEASURES, []), self.layout)
        self.measure_keys = field_keys(self.layout, ("measure.", "fy:"))
        self.kpi_keys = field_keys(self.layout, ("kpi.",))
        self.base = {m.id: m for m in answer.base}
        self.measure_updates: dict[str, dict[str, Any]] = {}
        self.kpi_updates: dict[tuple[str, int], dict[str, Any]] = {}
        self.new_kpis: dict[str, list[dict[str, Any]]] = {}
        self.seen: set[tuple[str, int]] = set()

    def read(self) -> None:
        if self.t.header_row is None:
            return
        current: str | None = None
        for r, row in self.t.rows():
            mid = self._text(self.t.raw(row, S.ID_KEY))
            if mid and mid not in self.base:
                self.t.problem("FORM-UNKNOWN-ID", f"施策ID「{mid}」はこの照会票の施策ではありません（書き換えられた可能性があります）。"
                                                  "この行は取り込みません。", self.t.place(r, S.ID_KEY)[1], mid)
                current = None
                continue
            if not mid:
                if current is None or not self.t.blank(row, self.measure_keys):
                    self._stray(r, row, current)
                    continue
                mid = current
            current = mid
            self._remark(r, row, mid)
            number = self.t.raw(row, S.KPI_NO_KEY)
            if is_blank(number):
                self._new_kpi(r, row, mid)
                continue
            self._numbered(r, row, mid, number)
        self._missing_rows()
        self._apply()

    def _text(self, value: Any) -> str:
        try:
            return read_text(value)
        except CellError:
            return ""

    def _numbered(self, r: int, row: list, mid: str, number: Any) -> None:
        base = self.base[mid]
        try:
            index = int(read_number(number) or 0) - 1
        except CellError:
            index = -1
        if not 0 <= index < max(1, len(base.kpis)) or (mid, index) in self.seen:
            why = "が重複しています（行をコピーした可能性があります）" if (mid, index) in self.seen else "が書き換えられています"
            self.t.problem("FORM-KPI-NUMBER", f"施策 {mid} の KPI番号「{read_text(number)}」{why}。この行は取り込みません"
                                              "（KPIを増やすときは KPI番号を空欄にします）。", self.t.place(r, S.KPI_NO_KEY)[1], mid)
            return
        self.seen.add((mid, index))
        domain = self._text(self.t.raw(row, "measure.domain"))
        if index == 0:
            if domain and domain != base.domain:
                self.t.problem("FORM-DOMAIN-CHANGED", f"施策 {mid} の分野は照会票では変えられません（「{base.domain}」のまま取り込みます）。"
                                                      "分野を変える場合は企画担当に連絡してください。",
                               self.t.place(r, "measure.domain")[1], mid)
            values, places = self.t.read(r, row, self.measure_keys, mid)
            self.measure_updates[mid] = values
            self._places(mid, None, places)
        values, places = self.t.read(r, row, self.kpi_keys, mid)
        if index < len(base.kpis):
            self.kpi_updates[(mid, index)] = values
            self._places(mid, index, places)
        elif not self.t.blank(row, self.kpi_keys):  # a measure without KPIs: its first row may add one
            self._add_kpi(r, mid, values, places)

    def _new_kpi(self, r: int, row: list, mid: str) -> None:
        if self.t.blank(row, self.kpi_keys):
            return
        values, places = self.t.read(r, row, self.kpi_keys, mid)
        self._add_kpi(r, mid, values, places)

    def _add_kpi(self, r: int, mid: str, values: dict[str, Any], places: dict[str, Place]) -> None:
        if not values.get("kpi.name"):
            self.t.problem("FORM-KPI-NAME", f"施策 {mid} に追加する指標の指標名がありません。指標名を書いてください。この行は取り込みません。",
                           self.t.place(r, "kpi.name")[1], mid)
            return
        new = self.new_kpis.setdefault(mid, [])
        new.append(values)
        self._places(mid, len(self.base[mid].kpis) + len(new) - 1, places)

    def _stray(self, r: int, row: list, current: str | None) -> None:
        """A row without 施策ID: a new measure typed into this table becomes a proposal."""
        if self.t.blank(row, ["measure.name"]):
            if not self.t.blank(row, self.kpi_keys + self.measure_keys):
                self.t.problem("FORM-NO-ID", "施策IDが空欄の行です。KPIを足すときは、その施策の行のすぐ下に書いてください。"
                                             "この行は取り込みません。", self.t.place(r, S.ID_KEY)[1])
            return
        domain = self._text(self.t.raw(row, "measure.domain")) or (self.base[current].domain if current else "")
        measure, place = proposal_from_row(self.t, r, row, domain, self.answer.owner, self.measure_keys + self.kpi_keys)
        if measure is not None:
            self.answer.proposals.append(Proposal(measure, place))

    def _remark(self, r: int, row: list, mid: str) -> None:
        text = self._text(self.t.raw(row, S.REMARK_KEY))
        if text:
            self.answer.remarks.append((mid, text, self.t.place(r, S.REMARK_KEY)))

    def _places(self, mid: str, kpi: int | None, places: dict[str, Place]) -> None:
        for key, place in places.items():
            self.answer.places[(mid, kpi, key)] = place

    def _missing_rows(self) -> None:
        for m in self.answer.base:
            for i in range(max(1, len(m.kpis))):
                if (m.id, i) in self.seen:
                    continue
                what = "施策の行（KPI番号1）" if i == 0 else f"KPI番号{i + 1}「{m.kpis[i].name}」の行"
                self.t.problem("FORM-ROW-MISSING", f"施策 {m.id} の{what}が照会票にありません（削除された可能性があります）。"
                                                   "この行の内容は変更せずにおきます。施策やKPIをやめる場合は、企画担当に連絡してください。",
                               measure_id=m.id)

    def _apply(self) -> None:
        measures = []
        for m in self.answer.base:
            updated = F.with_measure_values(m, self.measure_updates.get(m.id, {}))
            kpis = [F.with_kpi_values(k, self.kpi_updates.get((m.id, i), {})) for i, k in enumerate(m.kpis)]
            kpis += [F.with_kpi_values(Kpi(name=v["kpi.name"]), v) for v in self.new_kpis.get(m.id, [])]
            measures.append(updated.model_copy(update={"kpis": kpis}))
        self.answer.measures = measures

# ------------------------------------------------------------------ 回答者

def _respondent(grid: Grid) -> dict[str, str]:
    labels = {f.label: f.key for f in S.RESPONDENT}
    result: dict[str, str] = {}
    for row in grid:
        for c, value in enumerate(row):
            key = labels.get(str(value).strip()) if isinstance(value, str) else None
            if key is None:
                continue
            rest = [v for v in row[c + 1:] if not is_blank(v)]
            if rest:
                result[key] = read_text(rest[0])
    return result
