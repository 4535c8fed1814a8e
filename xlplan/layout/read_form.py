"""Read an answered 照会票 back: its signature and base, then what the department wrote.

Tables are found by their header row and columns by their header text, so rows
inserted above, columns widened or moved and cells formatted do not matter.
Every cell is read with the master's cell readers; a cell that cannot be read
becomes a Problem at that cell and its field stays as the form showed it.
What cannot be an answer (a row whose 施策ID was overwritten, a deleted row,
a changed header) is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from xlplan.core import fields as F
from xlplan.core.answer import Answer, Place, Problem, Proposal
from xlplan.core.catalog import Catalog, measure_from_catalog
from xlplan.core.model import Kpi, Measure
from xlplan.core.survey import STATUS_WORDS, Signature, SurveyKind, parse_base, text_hash
from xlplan.core.vocab import UNKNOWN_BASELINE, Origin
from xlplan.errors import XlplanUserError
from xlplan.layout import survey_form as S
from xlplan.layout.a1 import cell_name
from xlplan.layout.cells import (
    CellError,
    is_blank,
    read_fy,
    read_fy_or_date,
    read_list,
    read_milestones,
    read_number,
    read_text,
)
from xlplan.layout.read import ADOPT_MARKS
from xlplan.layout.read_cells import Grid, pillar_reader

CONTINUE_WORDS = ("→", "継続", "〃")
STATUS_ALIASES = ("○", "×", "済")   # typed as is for a qualitative KPI; kept as typed


class AnswerError(XlplanUserError):
    """A file that is not an answer xlplan can read at all (not a form, signature broken)."""


def read_answer(values: Mapping[str, Grid], source: str, catalog: Catalog) -> Answer:
    signature, base = read_signature(values, source)
    answer = Answer(source, signature, base, [m.model_copy(deep=True) for m in base])
    answer.respondent = _respondent(values.get(S.COVER, []))
    if signature.kind is SurveyKind.PLAN:
        _PlanTable(answer, values, signature).read()
        _read_proposals(answer, values, signature)
        _read_catalog(answer, values, catalog)
    else:
        _read_actuals(answer, values, signature)
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


# ------------------------------------------------------------------ cells

def _phases(value: Any) -> tuple:
    return F.phases_of(read_text(value))


def _baseline(value: Any) -> Any:
    text = read_text(value)
    return UNKNOWN_BASELINE if text == UNKNOWN_BASELINE else read_number(value)


def _as_of(value: Any) -> Any:
    fy, day = read_fy_or_date(value)
    return day or fy


READERS: dict[str, Callable[[Any], Any]] = {
    "measure.pillar": lambda v: (p.value if (p := pillar_reader(v)) else None),
    "measure.programs": lambda v: tuple(read_list(v)),
    "measure.milestones": lambda v: tuple((m.fy, m.when or "", m.label) for m in read_milestones(v)),
    "fy": _phases,
    "kpi.baseline_value": _baseline,
    "kpi.baseline_as_of": _as_of,
    "kpi.target_value": read_number,
    "kpi.target_fy": read_fy,
    "kpi.interim": read_number,
}
EMPTY: dict[str, Any] = {"measure.programs": (), "measure.milestones": (), "fy": ()}


class _Table:
    """A table found on a sheet of the answer: where its header is and which column holds which key."""

    def __init__(self, answer: Answer, grid: Grid, table: S.FormTable):
        self.answer, self.grid, self.table = answer, grid, table
        self.header_row: int | None = None
        self.cols: dict[str, int] = {}
        wanted = table.by_header
        for r, row in enumerate(grid[:60]):
            found = {}
            for c, value in enumerate(row):
                column = wanted.get(S.header_key(value))
                if column is not None and column.key not in found:
                    found[column.key] = c
            if table.columns[0].key in found and len(found) * 2 >= len(table.columns):
                self.header_row, self.cols = r, found
                break
        if self.header_row is None:
            self.problem("FORM-NO-TABLE", f"「{table.sheet}」シートの表の見出しが見つかりません。見出しの行を元に戻してください。"
                                          "このシートの回答は取り込みません。")
            return
        for column in table.columns:
            if column.key not in self.cols:
                self.problem("FORM-COLUMN-MISSING", f"見出し「{column.header.replace(chr(10), '')}」の列が見つかりません"
                                                    "（削除されたか、見出しが変わっています）。この列の回答は取り込みません。",
                             cell=cell_name(self.header_row, 0))

    def problem(self, code: str, message: str, cell: str = "", measure_id: str = "") -> None:
        self.answer.problems.append(Problem(code, message, self.answer.source, self.table.sheet, cell, measure_id))

    def rows(self):
        if self.header_row is None:
            return
        for r in range(self.header_row + 1, len(self.grid)):
            row = self.grid[r]
            if not all(is_blank(v) for v in row):
                yield r, row

    def raw(self, row: list, key: str) -> Any:
        c = self.cols.get(key)
        return row[c] if c is not None and c < len(row) else None

    def place(self, r: int, key: str) -> Place:
        return (self.table.sheet, cell_name(r, self.cols[key])) if key in self.cols else (self.table.sheet, "")

    def read(self, r: int, row: list, keys: list[str], measure_id: str = "") -> tuple[dict[str, Any], dict[str, Place]]:
        """The fields in keys as typed on row r (blank → empty); unreadable cells are problems and left out."""
        values: dict[str, Any] = {}
        places: dict[str, Place] = {}
        previous: tuple = ()
        for key in keys:
            if key not in self.cols:
                continue
            base, _ = F.split_key(key)
            value = self.raw(row, key)
            places[key] = self.place(r, key)
            if base == "fy" and isinstance(value, str) and value.strip() in CONTINUE_WORDS:
                values[key] = previous   # 「→」 carries the year before on
                continue
            if is_blank(value):
                values[key] = EMPTY.get(base, None if base in READERS else "")
            else:
                try:
                    values[key] = READERS.get(base, read_text)(value)
                except (CellError, ValueError) as exc:
                    self.problem(getattr(exc, "code", "INPUT-INVALID"), f"{exc} この欄は取り込みません。",
                                 places[key][1], measure_id)
                    continue
            if base == "fy":
                previous = values[key]
        return values, places

    def blank(self, row: list, keys: list[str]) -> bool:
        return all(is_blank(self.raw(row, k)) for k in keys)


def _keys(table: S.FormTable, prefix: tuple[str, ...]) -> list[str]:
    return [c.key for c in table.columns if c.key.startswith(prefix) and c.key != "measure.domain"]


# ------------------------------------------------------------------ 計画照会

class _PlanTable:
    def __init__(self, answer: Answer, values: Mapping[str, Grid], signature: Signature):
        self.answer = answer
        self.layout = S.plan_table(tuple(range(signature.start_fy, signature.start_fy + signature.years)))
        self.t = _Table(answer, values.get(S.MEASURES, []), self.layout)
        self.measure_keys = _keys(self.layout, ("measure.", "fy:"))
        self.kpi_keys = _keys(self.layout, ("kpi.",))
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
        measure, place = _proposal(self.t, r, row, domain, self.answer.owner, self.measure_keys + self.kpi_keys)
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


# ------------------------------------------------------------------ proposals and catalog picks

def _proposal(t: _Table, r: int, row: list, domain: str, owner: str, keys: list[str]) -> tuple[Measure | None, Place]:
    place = t.place(r, "measure.name")
    if not domain:
        t.problem("FORM-PROPOSAL-DOMAIN", "新しい施策の分野が空欄です。分野を選んでください。この施策は取り込みません。",
                  t.place(r, "measure.domain")[1])
        return None, place
    values, _ = t.read(r, row, keys)
    measure_values = {k: v for k, v in values.items() if not k.startswith("kpi.")}
    measure = F.with_measure_values(Measure(id="", domain=domain, owner=owner, origin=Origin.ADDED), measure_values)
    kpi_values = {k: v for k, v in values.items() if k.startswith("kpi.")}
    if kpi_values.get("kpi.name"):
        measure = measure.model_copy(update={"kpis": [F.with_kpi_values(Kpi(name=kpi_values["kpi.name"]), kpi_values)]})
    return measure, place


def _read_proposals(answer: Answer, values: Mapping[str, Grid], signature: Signature) -> None:
    if S.PROPOSALS not in values:
        answer.problems.append(Problem("FORM-SHEET-MISSING", f"「{S.PROPOSALS}」シートがありません（削除された可能性があります）。",
                                       answer.source, S.PROPOSALS))
        return
    layout = S.proposals_table(tuple(range(signature.start_fy, signature.start_fy + signature.years)))
    t = _Table(answer, values[S.PROPOSALS], layout)
    keys = [c.key for c in layout.columns if c.key != "measure.domain"]
    kpi_keys = [k for k in keys if k.startswith("kpi.")]
    current: Proposal | None = None
    for r, row in t.rows():
        if t.blank(row, ["measure.name"]):
            if current is None or t.blank(row, kpi_keys):
                if not t.blank(row, keys):
                    t.problem("FORM-PROPOSAL-NAME", "施策名が空欄の行です。新しい施策は施策名から書いてください。この行は取り込みません。",
                              t.place(r, "measure.name")[1])
                continue
            kpi, _ = t.read(r, row, kpi_keys)
            if kpi.get("kpi.name"):
                measure = current.measure.model_copy(
                    update={"kpis": [*current.measure.kpis, F.with_kpi_values(Kpi(name=kpi["kpi.name"]), kpi)]})
                current = Proposal(measure, current.place)
                answer.proposals[-1] = current
            continue
        domain = read_text(t.raw(row, "measure.domain")) if not is_blank(t.raw(row, "measure.domain")) else ""
        measure, place = _proposal(t, r, row, domain, answer.owner, keys)
        current = Proposal(measure, place) if measure is not None else None
        if current is not None:
            answer.proposals.append(current)


def _read_catalog(answer: Answer, values: Mapping[str, Grid], catalog: Catalog) -> None:
    if S.CATALOG not in values:
        return
    t = _Table(answer, values[S.CATALOG], S.CATALOG_TABLE)
    for r, row in t.rows():
        mark = t.raw(row, S.ADOPT_KEY)
        if not (mark is True or (isinstance(mark, str) and mark.strip() in ADOPT_MARKS)):
            continue
        cid = read_text(t.raw(row, "catalog.id"))
        entry = catalog.measure(cid)
        if entry is None:
            t.problem("FORM-CATALOG-ID", f"カタログID「{cid}」はカタログにありません。この行は取り込みません。", t.place(r, "catalog.id")[1])
            continue
        measure = measure_from_catalog(entry, "").model_copy(update={"owner": answer.owner})
        answer.proposals.append(Proposal(measure, t.place(r, S.ADOPT_KEY), cid))


# ------------------------------------------------------------------ 実績照会

def _read_actuals(answer: Answer, values: Mapping[str, Grid], signature: Signature) -> None:
    fy = signature.fy
    assert fy is not None
    layout = S.actuals_table(fy)
    t = _Table(answer, values.get(S.ACTUALS, []), layout)
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


def _actual(raw: Any, t: _Table, place: Place, mid: str) -> Any:
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
