"""Validation rules for a plan: each yields findings with a stable code.

Rules are plain functions of the plan; RULES lists them with their codes so the
documentation and tests can enumerate every code. Messages are Japanese, name
the measure, and say what to do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache

from xlplan.core.findings import Finding, Ref, error, warning
from xlplan.core.fiscal import fy_end, period_label, plan_start_date, wareki_fy
from xlplan.core.funding import check_funding
from xlplan.core.grading import scale_problem
from xlplan.core.model import Kpi, Measure, Plan, Program
from xlplan.core.parse import placeholder_in
from xlplan.core.progress import plan_scale
from xlplan.core.statuses import DROPDOWN, status_or_none
from xlplan.core.vocab import DRAFT_MARK, Aggregation, Direction, Phase, Pillar, normalize_domain, parse_pillar

Rule = Callable[[Plan], Iterator[Finding]]

# code -> (severity, one-line description); the catalog of rules for docs and tests.
CODES: dict[str, tuple[str, str]] = {
    "PLAN-LENGTH": ("error", "計画期間は1〜10年度"),
    "PLAN-LENGTH-UNUSUAL": ("warning", "計画期間が3年・5年以外"),
    "PLAN-RELATED-PERIOD": ("warning", "関連する計画と期間がずれている"),
    "PLAN-NAME-MISSING": ("error", "団体名が空欄"),
    "MEAS-DUPLICATE-ID": ("error", "施策IDの重複"),
    "MEAS-NAME-MISSING": ("error", "施策名が空欄"),
    "MEAS-DOMAIN-UNKNOWN": ("error", "分野が計画の分野にない"),
    "MEAS-PILLAR-MISSING": ("error", "柱が空欄"),
    "MEAS-OWNER-MISSING": ("error", "担当課が空欄"),
    "MEAS-KPI-MISSING": ("error", "KPIがない"),
    "MEAS-SCHEDULE-MISSING": ("error", "工程が1年度もない"),
    "MEAS-PROGRAM-UNKNOWN": ("error", "関連施策のIDが国・県の施策にない"),
    "MEAS-INCOMPLETE": ("error", "担当課・工程・KPIの目標のうち2つ以上が未入力（1件にまとめて報告）"),
    "MEAS-PLACEHOLDER": ("error", "施策名・担当課に仮の文字（○○、××、未定、TBD など）が残っている"),
    "KPI-PLACEHOLDER": ("error", "指標名・単位・目標（定性）に仮の文字が残っている"),
    "MEAS-DRAFT": ("warning", "カタログから入った案（【案】）が未確認のまま"),
    "KPI-NAME-MISSING": ("error", "指標名が空欄"),
    "KPI-TARGET-MISSING": ("error", "目標値も定性目標もない"),
    "KPI-UNIT-MISSING": ("error", "数値目標に単位がない"),
    "KPI-TARGET-FY-MISSING": ("error", "目標年度が空欄"),
    "KPI-TARGET-FY-OUTSIDE": ("error", "目標年度が計画期間外"),
    "KPI-BASELINE-LATE": ("warning", "現状値の時点が計画開始より後"),
    "KPI-PERCENT-RANGE": ("error", "％の値が0〜100の範囲外"),
    "KPI-CUMULATIVE-DECREASE": ("error", "累計の中間目標・実績が減っている"),
    "KPI-DIRECTION": ("error", "増加・減少の方向と現状値→目標値が矛盾"),
    "KPI-INTERIM-OUTSIDE": ("error", "中間目標の年度が計画期間外"),
    "KPI-STATUS-UNKNOWN": ("error", "状況（年度ごとの目標・実績）が読めない"),
    "KPI-ACTUAL-NOT-STATUS": ("error", "数値でないKPIに数値の実績・目標がある"),
    "PROG-MANUAL-REASON": ("error", "評価（手動）に評価理由がない"),
    "PROG-MANUAL-GRADE": ("error", "評価（手動）が評価の尺度にない"),
    "PLAN-GRADE-SCALE": ("error", "評価の尺度が使えない（名前・独自の評価段階）"),
    "SCHED-OUTSIDE-PERIOD": ("error", "計画期間外の年度に工程がある"),
    "SCHED-BACKWARDS": ("error", "工程が後戻りしている（備考に理由がない）"),
    "SCHED-TARGET-BEFORE-OPERATION": ("warning", "目標年度が実施・運用より前"),
    "PROG-EXPIRED": ("warning", "関連施策・補助が終了している、または工程より前に終わる（後継があれば示す）"),
    "PROG-SUCCESSOR-UNKNOWN": ("warning", "国・県の施策の後継IDが一覧にない"),
    "COVER-PILLAR": ("warning", "施策のない柱（理由の記載なし）"),
    "COVER-DOMAIN": ("warning", "施策のない分野（理由の記載なし）"),
}


def _label(m: Measure) -> str:
    return f"施策「{m.name or m.id}」"


def _kpi_label(m: Measure, k: Kpi) -> str:
    return f"{_label(m)}のKPI「{k.name or '（指標名なし）'}」"


class _KpiLabel:
    """_kpi_label, built only when a finding's message formats it (two checks per KPI, few findings)."""

    __slots__ = ("m", "k")

    def __init__(self, m: Measure, k: Kpi):
        self.m, self.k = m, k

    def __str__(self) -> str:
        return _kpi_label(self.m, self.k)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _period(plan: Plan) -> str:
    return f"{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}"


def check_plan(plan: Plan) -> Iterator[Finding]:
    if not plan.municipality:
        yield error("PLAN-NAME-MISSING", "団体名が空欄です。基本情報に団体名を入力してください。", Ref(field="municipality"))
    if not 1 <= plan.years <= 10:
        yield error("PLAN-LENGTH", f"計画期間が{plan.years}年です。1〜10年の範囲で入力してください（3年か5年が一般的です）。",
                    Ref(field="years"))
    elif plan.years not in (3, 5):
        yield warning("PLAN-LENGTH-UNUSUAL", f"計画期間が{plan.years}年です。3年か5年が一般的です。既存の計画と終期を合わせた場合などはこのままで構いません。",
                      Ref(field="years"))
    for i, rel in enumerate(plan.related_plans):
        # A stated 見直し時期 answers the mismatch: the plan says when it is brought in line again.
        if (rel.start_fy > plan.start_fy or rel.end_fy < plan.end_fy) and not plan.review:
            yield warning(
                "PLAN-RELATED-PERIOD",
                f"計画期間（{_period(plan)}）が関連する計画「{rel.name}」の期間（{wareki_fy(rel.start_fy)}〜{wareki_fy(rel.end_fy)}）"
                "からはみ出しています。終期を合わせるか、基本情報の「見直し時期」に見直しの時期を書いてください"
                "（例: 令和12年度に総合計画の改定に合わせて見直し）。書くとこの警告は出ません。",
                Ref(field="related_plans", index=i),
            )


def check_measures(plan: Plan) -> Iterator[Finding]:
    counts = Counter(m.id for m in plan.measures)
    domains = set(plan.domains)
    program_ids = {p.id for p in plan.programs}
    for m in plan.measures:
        if counts[m.id] > 1:
            yield error("MEAS-DUPLICATE-ID", f"施策ID「{m.id}」が{counts[m.id]}件あります。施策ごとに別のIDにしてください。",
                        Ref(m.id, field="id"))
        if not m.name:
            yield error("MEAS-NAME-MISSING", f"施策ID「{m.id}」の施策名が空欄です。施策名を入力してください。", Ref(m.id, field="name"))
        if normalize_domain(m.domain) not in domains:
            yield error("MEAS-DOMAIN-UNKNOWN", f"{_label(m)}の分野「{m.domain}」は計画の分野にありません。基本情報の分野を確認してください。",
                        Ref(m.id, field="domain"))
        if m.pillar is None:
            yield error("MEAS-PILLAR-MISSING", f"{_label(m)}の柱が空欄です。一覧から柱を選んでください。", Ref(m.id, field="pillar"))
        missing = _missing(m)
        if len(missing) >= 2:
            # One finding per measure (e.g. just added from the catalog), instead of one per empty field.
            names = "・".join(label for label, _ in missing)
            yield error("MEAS-INCOMPLETE", f"{_label(m)}は、まだ{names}が入っていません。{names}を入力してください。",
                        missing[0][1])
        else:
            if not m.owner:
                yield error("MEAS-OWNER-MISSING", f"{_label(m)}の担当課が空欄です。担当課を入力してください。",
                            Ref(m.id, field="owner"))
            if not m.kpis:
                yield error("MEAS-KPI-MISSING", f"{_label(m)}にKPIがありません。指標名・目標値・目標年度を入力してください。",
                            Ref(m.id, kpi=0, field="name"))
            if not m.schedule:
                yield error("MEAS-SCHEDULE-MISSING", f"{_label(m)}の工程が1年度も入っていません。年度の列に段階（検討・準備・実施・運用など）を選んでください。",
                            Ref(m.id, field="schedule", fy=plan.start_fy))
        for field, what in (("name", "施策名"), ("owner", "担当課")):
            if (mark := placeholder_in(getattr(m, field))) is not None:
                yield error("MEAS-PLACEHOLDER", f"{_label(m)}の{what}「{getattr(m, field)}」に仮の文字「{mark}」が残っています。"
                            f"実際の{what}に書き換えてください。", Ref(m.id, field=field))
        for pid in m.programs:
            if pid not in program_ids:
                yield error("MEAS-PROGRAM-UNKNOWN", f"{_label(m)}の関連施策「{pid}」は「国・県の施策」シートにありません。IDを確認するか、施策を追加してください。",
                            Ref(m.id, field="programs", program_id=pid))


def _missing(m: Measure) -> list[tuple[str, Ref]]:
    """What a measure still lacks among 担当課, 工程 and its KPIs' targets, with where to enter each."""
    missing = []
    if not m.owner:
        missing.append(("担当課", Ref(m.id, field="owner")))
    if not m.schedule:
        missing.append(("工程（年度ごとの段階）", Ref(m.id, field="schedule")))
    if not m.kpis:
        missing.append(("KPI（指標名・目標値・目標年度）", Ref(m.id, kpi=0, field="name")))
    else:
        lacking = [i for i, k in enumerate(m.kpis) if _no_target(k)]
        if lacking:
            missing.append(("KPIの目標", Ref(m.id, kpi=lacking[0], field="target_value")))
    return missing


def _no_target(k: Kpi) -> bool:
    return k.target_value is None and (not k.target_text or placeholder_in(k.target_text) is not None)


def check_kpis(plan: Plan) -> Iterator[Finding]:
    for m in plan.measures:
        for i, k in enumerate(m.kpis):
            yield from _check_kpi(plan, m, i, k)


def _check_kpi(plan: Plan, m: Measure, i: int, k: Kpi) -> Iterator[Finding]:
    label = _KpiLabel(m, k)

    def ref(field: str, fy: int | None = None) -> Ref:
        return Ref(m.id, kpi=i, field=field, fy=fy)

    if not k.name:
        yield error("KPI-NAME-MISSING", f"{_label(m)}のKPIに指標名がありません。指標名を入力してください。", ref("name"))
    for field, what in (("name", "指標名"), ("unit", "単位"), ("target_text", "目標（定性）")):
        if (mark := placeholder_in(getattr(k, field))) is not None:
            yield error("KPI-PLACEHOLDER", f"{label}の{what}「{getattr(k, field)}」に仮の文字「{mark}」が残っています。"
                        f"実際の{what}を入力してください。", ref(field))
    if k.target_value is None and not k.target_text and len(_missing(m)) < 2:
        yield error("KPI-TARGET-MISSING", f"{label}に目標がありません。目標値（数値）か、数値にできない場合は目標（定性）を入力してください。",
                    ref("target_value"))
    if k.target_value is not None and not k.unit:
        yield error("KPI-UNIT-MISSING", f"{label}の単位が空欄です。件・％・人などの単位を入力してください。", ref("unit"))
    if k.target_fy is None:
        if k.target_value is not None or k.target_text:
            yield error("KPI-TARGET-FY-MISSING", f"{label}の目標年度が空欄です。計画期間（{_period(plan)}）の年度を入力してください。",
                        ref("target_fy"))
    elif not plan.in_period(k.target_fy):
        yield error("KPI-TARGET-FY-OUTSIDE",
                    f"{label}の目標年度（{wareki_fy(k.target_fy)}）が計画期間（{_period(plan)}）の外です。期間内の年度にしてください。",
                    ref("target_fy"))
    if k.baseline is not None and (k.baseline.as_of_date is not None or k.baseline.as_of_fy is not None):
        yield from _check_baseline_time(plan, label, k, lambda: ref("baseline_as_of"))
    if k.unit.strip() in {"%", "％", "パーセント"}:
        values = [("baseline_value", None, k.baseline.value if k.baseline else None), ("target_value", None, k.target_value)]
        values += [("interim", fy, v) for fy, v in sorted(k.interim.items())]
        values += [("actuals", fy, v) for fy, v in sorted(k.actuals.items())]
        for field, fy, v in values:
            if v is not None and not 0 <= v <= 100:
                yield error("KPI-PERCENT-RANGE", f"{label}の値 {v:g}% が0〜100の範囲外です。", ref(field, fy))
    if k.aggregation is Aggregation.CUMULATIVE:
        for field, series in (("interim", k.interim), ("actuals", k.actuals)):
            points = sorted(series.items())
            if field == "interim" and k.target_value is not None and k.target_fy is not None:
                points = sorted({**series, k.target_fy: k.target_value}.items())
            for (fy0, v0), (fy1, v1) in zip(points, points[1:]):
                if v1 < v0:
                    what = "中間目標・目標値" if field == "interim" else "実績値"
                    yield error("KPI-CUMULATIVE-DECREASE",
                                f"{label}は累計ですが、{what}が{wareki_fy(fy0)}の{v0:g}から{wareki_fy(fy1)}の{v1:g}に減っています。"
                                "累計は減りません。値か集計（時点・年度値）を見直してください。", ref(field, fy1))
                    break
    base = k.baseline.value if k.baseline else None
    if base is not None and k.target_value is not None:
        wrong = (k.direction is Direction.UP and k.target_value < base) or (
            k.direction is Direction.DOWN and k.target_value > base)
        if wrong:
            yield error("KPI-DIRECTION",
                        f"{label}は「{k.direction.value}」を目指す指標ですが、目標値 {k.target_value:g} が現状値 {base:g} より"
                        f"{'小さい' if k.direction is Direction.UP else '大きい'}です。方向か目標値を見直してください。", ref("direction"))
    for fy in sorted(k.interim):
        if not plan.in_period(fy):
            yield error("KPI-INTERIM-OUTSIDE", f"{label}の中間目標の年度（{wareki_fy(fy)}）が計画期間（{_period(plan)}）の外です。",
                        ref("interim", fy))


def _check_baseline_time(plan: Plan, label: _KpiLabel, k: Kpi, ref: Callable[[], Ref]) -> Iterator[Finding]:
    """A baseline must describe the time before the plan starts: a date up to the start date
    (e.g. 令和4年12月1日時点 for a plan from 令和4年12月), a FY that ends before it."""
    assert k.baseline is not None
    start = _start_date(plan.start_fy, plan.start_month)
    if k.baseline.as_of_date is not None and k.baseline.as_of_date > start:
        d = k.baseline.as_of_date
        when = f"{d.year}/{d.month}/{d.day}"
    elif k.baseline.as_of_date is None and k.baseline.as_of_fy is not None and fy_end(k.baseline.as_of_fy) >= start:
        when = wareki_fy(k.baseline.as_of_fy)
    else:
        return
    start_text = wareki_fy(plan.start_fy) if plan.start_month == 4 else period_label(
        plan.start_fy, plan.years, plan.start_month).split("から")[0]
    yield warning("KPI-BASELINE-LATE",
                  f"{label}の現状値の時点（{when}）が計画開始（{start_text}）より後です。計画開始時点かそれより前の値を現状値にしてください。",
                  ref())


_start_date = lru_cache(maxsize=64)(plan_start_date)   # a date (immutable), asked for once per KPI


def check_progress_inputs(plan: Plan) -> Iterator[Finding]:
    """Per-year statuses, FY targets of qualitative KPIs and manual grades that cannot be used as entered."""
    scale = plan_scale(plan)
    for m in plan.measures:
        for i, k in enumerate(m.kpis):
            if not (k.statuses or k.interim_statuses or k.overrides or k.actuals or k.interim):
                continue   # nothing this check reads (most KPIs): no sorting of empty dicts
            label = _KpiLabel(m, k)
            for field, values in (("statuses", k.statuses), ("interim_statuses", k.interim_statuses)):
                for fy, text in sorted(values.items()):
                    if status_or_none(text) is None:
                        yield error("KPI-STATUS-UNKNOWN", f"{label}の{wareki_fy(fy)}の{'実績' if field == 'statuses' else '目標'}"
                                    f"「{text}」は状況として読めません。{'・'.join(DROPDOWN)} から選んでください。",
                                    Ref(m.id, kpi=i, field=field, fy=fy))
            if k.qualitative:
                for field, values in (("actuals", k.actuals), ("interim", k.interim)):
                    for fy in sorted(values):
                        yield error("KPI-ACTUAL-NOT-STATUS",
                                    f"{label}は数値でない目標のKPIですが、{wareki_fy(fy)}に数値の{'実績' if field == 'actuals' else '目標'}"
                                    f"（{values[fy]:g}）があります。状況（{'・'.join(DROPDOWN)}）で入力してください。",
                                    Ref(m.id, kpi=i, field=field, fy=fy))
            for fy, override in sorted(k.overrides.items()):
                if not override.reason.strip():
                    yield error("PROG-MANUAL-REASON", f"{label}の{wareki_fy(fy)}の評価（手動）「{override.grade}」に評価理由がありません。"
                                "手で評価を付けた理由を「評価理由」に書いてください。", Ref(m.id, kpi=i, field="reason", fy=fy))
                if scale.find(override.grade) is None:
                    yield error("PROG-MANUAL-GRADE", f"{label}の{wareki_fy(fy)}の評価（手動）「{override.grade}」は評価の尺度"
                                f"（{scale.name}: {'、'.join(lv.code for lv in scale.levels)}）にありません。",
                                Ref(m.id, kpi=i, field="overrides", fy=fy))


def check_grading(plan: Plan) -> Iterator[Finding]:
    problem = scale_problem(plan)
    if problem is not None:
        field = "custom_grades" if plan.grade_scale == "独自" else "grade_scale"
        yield error("PLAN-GRADE-SCALE", f"{problem}（進捗の評価はすべて「評価できない」になります）", Ref(field=field))


def check_schedule(plan: Plan) -> Iterator[Finding]:
    start, end = plan.start_fy, plan.end_fy   # plan.in_period, hoisted: a check per measure and year
    operate = Phase.OPERATE.rank
    for m in plan.measures:
        years = sorted(m.schedule.items())
        for fy, _ in years:
            if not start <= fy <= end:
                yield error("SCHED-OUTSIDE-PERIOD",
                            f"{_label(m)}の工程に計画期間（{_period(plan)}）外の{wareki_fy(fy)}があります。期間内に収めてください。",
                            Ref(m.id, field="schedule", fy=fy))
        # Each year's phases in order: a year of 「検討→準備」 is followed by the next year's first phase.
        steps = [(fy, p, _RANK[p]) for fy, phases in years for p in phases]
        for (fy0, p0, rank0), (fy1, p1, rank1) in zip(steps, steps[1:]):
            if rank1 < rank0 and not m.notes:
                when = f"{wareki_fy(fy0)}の「{p0.value}」から{wareki_fy(fy1)}の「{p1.value}」に" if fy0 != fy1 else (
                    f"{wareki_fy(fy1)}の中で「{p0.value}」から「{p1.value}」に")
                yield error("SCHED-BACKWARDS",
                            f"{_label(m)}の工程が{when}戻っています。意図したものなら備考に理由を書いてください。",
                            Ref(m.id, field="schedule", fy=fy1))
                break
        if not years or all(k.target_fy is None for k in m.kpis):
            continue
        operating = next((fy for fy, _, rank in steps if rank >= operate), None)   # Measure.first_fy_at(operate)
        for i, k in enumerate(m.kpis):
            if k.target_fy is None:
                continue
            if operating is None:
                yield warning("SCHED-TARGET-BEFORE-OPERATION",
                              f"{_kpi_label(m, k)}には目標年度（{wareki_fy(k.target_fy)}）がありますが、工程に「実施・運用」"
                              "（または拡充・見直し）の年度がありません。工程に実施・運用の年度を入れるか、目標年度を見直してください。",
                              Ref(m.id, kpi=i, field="target_fy"))
            elif k.target_fy < operating:
                yield warning("SCHED-TARGET-BEFORE-OPERATION",
                              f"{_kpi_label(m, k)}の目標年度（{wareki_fy(k.target_fy)}）が、実施・運用の始まる{wareki_fy(operating)}"
                              "より前です。目標年度か工程を見直してください。", Ref(m.id, kpi=i, field="target_fy"))


_RANK = {p: p.rank for p in Phase}


def _successor_hint(plan: Plan, prog: Program) -> str:
    """「後継の○○（N25）を確認してください」, following a chain of successors to a current one."""
    seen = {prog.id}
    current = prog
    while current.successor and current.successor not in seen and (nxt := plan.program(current.successor)) is not None:
        seen.add(nxt.id)
        current = nxt
        if not current.ended:
            break
    if current is prog:
        return "後継の制度や別の財源を確認してください。"
    return (f"後継の「{current.name}」（{current.id}）を確認し、関連施策のIDを置き換えてください"
            "（「国・県の施策」シートに行がなければ xlplan programs update で最新の一覧にします）。")


def check_programs(plan: Plan) -> Iterator[Finding]:
    """A linked program that has ended, or ends before the measure's schedule does."""
    for m in plan.measures:
        last = max(m.schedule) if m.schedule else None
        for pid in m.programs:
            prog = plan.program(pid)
            if prog is None:
                continue
            ends_early = prog.active_to_fy is not None and last is not None and prog.active_to_fy < last
            if not ends_early and not (prog.ended and (prog.active_to_fy is None or last is None or prog.active_to_fy < last)):
                continue
            if prog.ended:
                until = f"{wareki_fy(prog.active_to_fy)}で" if prog.active_to_fy is not None else ""
                what = f"{until}終了しています（状態: {prog.status.value}）"
            else:
                what = f"{wareki_fy(prog.active_to_fy)}までです"
            schedule = f"が、工程は{wareki_fy(last)}まであります" if last is not None and ends_early else ""
            yield warning("PROG-EXPIRED",
                          f"{_label(m)}が関連付けている「{prog.name}」（{pid}）は{what}{schedule}。{_successor_hint(plan, prog)}",
                          Ref(m.id, field="programs", program_id=pid))
    ids = {p.id for p in plan.programs}
    for p in plan.programs:
        if p.successor and p.successor not in ids:
            yield warning("PROG-SUCCESSOR-UNKNOWN",
                          f"「国・県の施策」の{p.id}「{p.name}」の後継「{p.successor}」が一覧にありません。後継のIDを確認してください。",
                          Ref(field="programs", program_id=p.id))


def check_drafts(plan: Plan) -> Iterator[Finding]:
    """Text that still starts with DRAFT_MARK: pre-filled by the catalog and not yet confirmed."""
    for m in plan.measures:
        fields: list[tuple[str, Ref]] = []
        for label, value, field in (("施策名", m.name, "name"), ("内容", m.content, "content"),
                                    ("担当課", m.owner, "owner"), ("備考", m.notes, "notes")):
            if value.startswith(DRAFT_MARK):
                fields.append((label, Ref(m.id, field=field)))
        for i, k in enumerate(m.kpis):
            if k.name.startswith(DRAFT_MARK):
                fields.append((f"KPI「{k.name.removeprefix(DRAFT_MARK)}」の指標名", Ref(m.id, kpi=i, field="name")))
            if k.target_text.startswith(DRAFT_MARK):
                fields.append((f"KPI「{k.name.removeprefix(DRAFT_MARK)}」の目標（定性）", Ref(m.id, kpi=i, field="target_text")))
        if fields:
            yield warning("MEAS-DRAFT",
                          f"{_label(m)}の{'・'.join(label for label, _ in fields)}は、カタログから入れた案のままです。"
                          f"内容を確かめて自団体の言葉に直し、先頭の「{DRAFT_MARK}」を消してください。",
                          fields[0][1])


def check_coverage(plan: Plan) -> Iterator[Finding]:
    skipped_pillars: set[Pillar] = set()
    skipped_domains: set[str] = set()
    for s in plan.skips:
        try:
            skipped_pillars.add(parse_pillar(s.target))
        except ValueError:
            skipped_domains.add(normalize_domain(s.target))
    used_pillars = {m.pillar for m in plan.measures}
    used_domains = {m.domain for m in plan.measures}
    for pillar in Pillar:
        if pillar not in used_pillars and pillar not in skipped_pillars:
            yield warning("COVER-PILLAR",
                          f"柱「{pillar.value}」に施策がありません。施策カタログから追加するか、基本情報の「取り組まない柱・分野」に理由を書いてください。",
                          Ref(field="coverage"))
    for domain in plan.domains:
        if domain not in used_domains and domain not in skipped_domains:
            yield warning("COVER-DOMAIN",
                          f"分野「{domain}」に施策がありません。施策を追加するか、基本情報の「取り組まない柱・分野」に理由を書いてください。",
                          Ref(field="coverage"))


RULES: tuple[Rule, ...] = (check_plan, check_grading, check_measures, check_funding, check_drafts, check_kpis,
                           check_progress_inputs, check_schedule, check_programs, check_coverage)


def validate_plan(plan: Plan) -> list[Finding]:
    """Every finding for the plan, in rule order (plan, measures, KPIs, schedule, …)."""
    return [finding for rule in RULES for finding in rule(plan)]
