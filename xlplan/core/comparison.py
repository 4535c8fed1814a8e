"""A 新旧対照表 as data: rows of 改正後 | 改正前 text with the changed parts underlined (傍線).

Built from a PlanDiff; the .docx and .xlsx writers only draw it. The customary
layout: the revised text on the left, the current text on the right, changed
characters underlined, 「（新設）」 and 「（削除）」 for measures that appear or
go, and 「（略）」 where unchanged fields of a measure are left out.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from xlplan.core import fields as F
from xlplan.core.fiscal import wareki_fy
from xlplan.core.diff import FieldChange, KpiDiff, MeasureDiff, PlanDiff, kpi_texts, measure_texts

NEW_MARK = "（新設）"
DELETED_MARK = "（削除）"
OMITTED_MARK = "（略）"
EMPTY_MARK = "（なし）"
NOTE = "（傍線部分は改正部分）"
WHOLE_BELOW = 0.4   # below this similarity a value is underlined as a whole, not character by character
SHORT = 20          # values this short (numbers, years, names) are underlined as a whole
# What the plan document shows of a measure; a measure that appears or goes is shown with these.
DOCUMENT_KEYS = ("measure.pillar", "measure.content", "measure.owner", "measure.programs", "measure.milestones",
                 "measure.notes", "measure.cost", "measure.funding", "kpi.unit", "kpi.baseline_value",
                 "kpi.baseline_as_of", "kpi.target_value", "kpi.target_text", "kpi.target_fy", "kpi.interim")


@dataclass(frozen=True)
class Run:
    text: str
    underline: bool = False
    bold: bool = False


Line = tuple[Run, ...]


@dataclass(frozen=True)
class Row:
    new: tuple[Line, ...] = ()
    old: tuple[Line, ...] = ()
    section: str = ""        # a caption row across both columns (new/old empty)


@dataclass
class Comparison:
    title: str
    rows: list[Row] = field(default_factory=list)
    note: str = NOTE

    @property
    def headers(self) -> tuple[str, str]:
        return ("改正後", "改正前")


def comparison(diff: PlanDiff) -> Comparison:
    result = Comparison(f"{diff.new_title}　新旧対照表")
    if diff.plan:
        result.rows.append(Row(section="基本情報"))
        for c in diff.plan:
            new, old = _field_lines(c)
            result.rows.append(Row(new, old))
    domain = None
    for m in sorted(diff.measures, key=lambda m: _domain_order(diff, m)):
        d = (m.new or m.old).domain  # type: ignore[union-attr]
        if d != domain:
            result.rows.append(Row(section=f"個別施策（{d}）"))
            domain = d
        result.rows.append(_measure_row(m))
    return result


def _domain_order(diff: PlanDiff, m: MeasureDiff):
    order = list(dict.fromkeys((x.new or x.old).domain for x in diff.measures))  # type: ignore[union-attr]
    return order.index((m.new or m.old).domain)  # type: ignore[union-attr]


def _measure_row(m: MeasureDiff) -> Row:
    if m.status == "added":
        return Row(_whole_measure(m.new), (_plain(NEW_MARK),))  # type: ignore[arg-type]
    if m.status == "removed":
        return Row((_plain(DELETED_MARK),), _whole_measure(m.old))  # type: ignore[arg-type]
    assert m.new is not None and m.old is not None
    new: list[Line] = [_heading(f"{m.new.id}　{m.new.name}")]
    old: list[Line] = [_heading(f"{m.old.id}　{m.old.name}")]
    for c in m.changes:
        n, o = _field_lines(c)
        new += n
        old += o
    for k in m.kpis:
        n, o = _kpi_lines(k)
        new += n
        old += o
    if _omits_something(m):
        new.append(_plain(OMITTED_MARK))
        old.append(_plain(OMITTED_MARK))
    return Row(tuple(new), tuple(old))


def _omits_something(m: MeasureDiff) -> bool:
    shown = len(m.changes) + sum(len(k.changes) for k in m.kpis if k.status == "changed")
    total = len([v for v in F.measure_values(m.new).values() if v not in (None, "", ())])  # type: ignore[arg-type]
    total += sum(len([v for v in F.kpi_values(k).values() if v not in (None, "", ())]) for k in m.new.kpis)  # type: ignore[union-attr]
    return shown < total


def _kpi_lines(k: KpiDiff) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    if k.status == "added":
        return (_heading(f"指標「{k.name}」"), *_all_fields(kpi_texts(k.new), underline=True, indent=True)), ()  # type: ignore[arg-type]
    if k.status == "removed":
        return (), (_heading(f"指標「{k.name}」"), *_all_fields(kpi_texts(k.old), underline=True, indent=True))  # type: ignore[arg-type]
    assert k.new is not None and k.old is not None
    new: list[Line] = [_heading(f"指標「{k.new.name}」")]
    old: list[Line] = [_heading(f"指標「{k.old.name}」")]
    for c in k.changes:
        n, o = _field_lines(c, indent=True)
        new += n
        old += o
    return tuple(new), tuple(old)


def _whole_measure(m) -> tuple[Line, ...]:
    lines: list[Line] = [_heading(f"{m.id}　{m.name}", underline=True)]
    lines += _all_fields(measure_texts(m), underline=True)
    schedule = "／".join(f"{wareki_fy(fy)} {F.phases_text(p)}" for fy, p in F.schedule_values(m).items())
    if schedule:
        lines += _labelled(F.label("fy"), [Run(schedule, True)], False)
    for k in m.kpis:
        lines.append(_heading(f"指標「{k.name}」", underline=True))
        lines += _all_fields(kpi_texts(k), underline=True, indent=True)
    return tuple(lines)


def _all_fields(texts: dict[str, tuple[str, str]], *, underline: bool, indent: bool = False) -> list[Line]:
    lines: list[Line] = []
    for key, (label, value) in sorted(texts.items(), key=lambda kv: F.order(kv[0])):
        if value and F.split_key(key)[0] in DOCUMENT_KEYS:
            lines += _labelled(label, [Run(value, underline)], indent)
    return lines


def _field_lines(c: FieldChange, indent: bool = False) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    new_runs, old_runs = underline_changes(c.old, c.new)
    return tuple(_labelled(c.label, new_runs, indent)), tuple(_labelled(c.label, old_runs, indent))


def _labelled(label: str, runs: list[Run], indent: bool) -> list[Line]:
    """「label：value」, a multi-line value continuing on the following lines."""
    prefix = ("　" if indent else "") + f"{label}："
    lines: list[list[Run]] = [[Run(prefix)]]
    for run in runs:
        parts = run.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([Run("　" if indent else "")])
            if part:
                lines[-1].append(Run(part, run.underline))
    return [tuple(r for r in line if r.text) for line in lines]


def underline_changes(old: str, new: str) -> tuple[list[Run], list[Run]]:
    """(new runs, old runs): inserted and replaced characters underlined on the new side,
    deleted and replaced ones on the old side; a value that changed almost entirely is
    underlined as a whole, which reads better than a comb of underlines."""
    if not old:
        return [Run(new, True)], [Run(EMPTY_MARK)]
    if not new:
        return [Run(EMPTY_MARK)], [Run(old, True)]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if max(len(old), len(new)) <= SHORT or matcher.ratio() < WHOLE_BELOW:
        return [Run(new, True)], [Run(old, True)]
    new_runs: list[Run] = []
    old_runs: list[Run] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            new_runs.append(Run(new[j1:j2]))
            old_runs.append(Run(old[i1:i2]))
            continue
        if j2 > j1:
            new_runs.append(Run(new[j1:j2], True))
        if i2 > i1:
            old_runs.append(Run(old[i1:i2], True))
    return _joined(new_runs), _joined(old_runs)


def _joined(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for run in runs:
        if out and out[-1].underline == run.underline and out[-1].bold == run.bold:
            out[-1] = Run(out[-1].text + run.text, run.underline, run.bold)
        elif run.text:
            out.append(run)
    return out


def _heading(text: str, underline: bool = False) -> Line:
    return (Run(text, underline, bold=True),)


def _plain(text: str) -> Line:
    return (Run(text),)


def line_text(line: Line) -> str:
    return "".join(r.text for r in line)
