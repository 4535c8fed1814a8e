"""The plan as data: the single source of truth every other part reads and writes.

The models describe *shape*; whether a plan is sensible (target year inside the
period, a KPI per measure, …) is the job of xlplan.core.validation, which
reports findings instead of raising, so that a half-finished plan still loads.
Fiscal years are ints (2027 = 令和9年度) but accept any label parse_fy reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator, model_validator

from xlplan.core import parse
from xlplan.core.fiscal import MAX_FY, MIN_FY, parse_fy
from xlplan.core.vocab import (
    DEFAULT_DOMAINS,
    Aggregation,
    BodyType,
    DateStyle,
    Direction,
    Expectation,
    KpiKind,
    Origin,
    Phase,
    Pillar,
    ProgramStatus,
    Subdivision,
    normalize_domain,
    normalize_part,
    parse_pillar,
    parse_program_level,
    parse_term,
)


def _fy(value: object) -> object:
    if type(value) is int and MIN_FY <= value <= MAX_FY:   # what the readers hand over: nothing to parse
        return value
    return value if value is None else parse_fy(value)


def _pillar(value: object) -> object:
    # Members are str subclasses too; only raw text needs parsing.
    return parse_pillar(value) if isinstance(value, str) and not isinstance(value, Pillar) else value


# Plan files read values with the parsers cells use (xlplan.core.parse): 「1,234」「39%」「R10年度末」
# 「平成30年7月10日」「12月」 are accepted in both, and refused with the same Japanese message.

def _number(value: object) -> object:
    return parse.parse_number(value) if isinstance(value, str) else value


def _date(value: object) -> object:
    return parse.parse_date(value) if isinstance(value, str) else value


def _month(value: object) -> object:
    return parse.parse_month(value) if isinstance(value, (str, dt.date)) else value


def _years(value: object) -> object:
    return parse.parse_years(value) if isinstance(value, str) else value


def _phases(value: object) -> object:
    return parse.parse_phases(value) if isinstance(value, (str, list, Phase)) else value


def _term(enum, what: str):
    def validate(value: object) -> object:
        return parse_term(enum, value, what) if isinstance(value, str) and not isinstance(value, enum) else value
    return BeforeValidator(validate)


FiscalYear = Annotated[int, BeforeValidator(_fy), Field(description="年度（西暦の開始年。2027 = 令和9年度）")]
Number = Annotated[float, BeforeValidator(_number)]
Date = Annotated[dt.date, BeforeValidator(_date)]
PillarField = Annotated[Pillar, BeforeValidator(_pillar)]
# One year's phases: usually one; 「検討→準備」 when a year holds two. Written as that string (one phase: as before).
Phases = Annotated[
    tuple[Phase, ...], BeforeValidator(_phases), PlainSerializer(parse.phases_text, return_type=str),
    WithJsonSchema({"type": "string", "description": "段階（" + "、".join(p.value for p in Phase)
                    + "）。1年度に2つの段階は「検討→準備」、前の年度と同じなら「→」"}),
]


# Empty defaults come from these two Python functions rather than list and dict: pydantic asks each
# default factory for its signature when it builds a model's validator, and a builtin's signature is
# parsed from text (with tokenize), a few milliseconds of every click.

def _new_list() -> list:
    return []


def _new_dict() -> dict:
    return {}


class _Model(BaseModel):
    # defer_build: a click validates one Plan; building its schema once then (nested models inlined)
    # costs less than building every model class at import.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True, defer_build=True)


class RelatedPlan(_Model):
    """An existing plan this one must line up with (総合計画, 総合戦略, DX計画 …)."""

    name: str = Field(title="計画名")
    start_fy: FiscalYear = Field(title="開始年度")
    end_fy: FiscalYear = Field(title="終了年度")
    relation: str = Field("", title="関係", description="例: 上位計画、整合を図る計画")


class Skip(_Model):
    """A pillar or domain deliberately left without measures, with the reason."""

    target: str = Field(title="対象", description="柱（例: 13条 マイナンバーカード）または分野名")
    reason: str = Field(title="理由")


class Program(_Model):
    """A national, prefectural or municipal program or subsidy a measure can rely on.

    status, successor and verification came later: plans and workbooks without them still load
    (status None means not stated; an ended program is told by its status or its last year).
    """

    id: str = Field(title="ID")
    name: str = Field(title="施策名")
    level: Literal["国", "県", "市町村", "その他"] = Field("国", title="区分", description="国・県・市町村・その他")
    ministry: str = Field("", title="府省・担当")
    summary: str = Field("", title="概要")
    support_type: str = Field("", title="支援の種類", description="補助金、交付金、委託・実証、ガイドライン、地方財政措置、システム提供 など")
    rate: str = Field("", title="補助率")
    eligibility: str = Field("", title="対象要件")
    active_from_fy: FiscalYear | None = Field(None, title="有効年度（から）")
    active_to_fy: FiscalYear | None = Field(None, title="有効年度（まで）", description="空欄は終了未定")
    url: str = Field("", title="URL")
    verified_on: Date | None = Field(None, title="確認日", description="出典を実際に読んで確かめた日")
    status: ProgramStatus | None = Field(None, title="状態", description="現行・終了・後継あり（空欄は未記入）")
    successor: str | None = Field(None, title="後継（ID）", description="後継の施策のID（状態が「後継あり」のとき）")
    verification: str = Field("", title="確認の内容", description="何で何を確かめたか、確からしさ")

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return parse_program_level(value) if isinstance(value, str) else value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> object:
        if isinstance(value, str) and not isinstance(value, ProgramStatus):
            return parse_term(ProgramStatus, value, "状態") if value.strip() else None
        return value

    @field_validator("successor", mode="before")
    @classmethod
    def _successor(cls, value: object) -> object:
        return (value.strip() or None) if isinstance(value, str) else value

    @property
    def ended(self) -> bool:
        return self.status is not None and self.status.ended


class Contact(_Model):
    """問い合わせ先, printed in the plan document (the 手引 asks plans to be published with one)."""

    department: str = Field("", title="担当部署")
    phone: str = Field("", title="電話")
    email: str = Field("", title="メール")


class GradeSpec(_Model):
    """One level of a planner-defined grading scale (基本情報 「独自の評価段階」)."""

    code: str = Field(title="記号", description="例: A、◎、S")
    label: str = Field("", title="説明", description="例: 目標より進んでいる")
    min_percent: Number | None = Field(None, title="達成率の下限（%）", description="空欄は「評価できない」の段階")


class GradeOverride(_Model):
    """A grade set by hand for one year, with the reason the report shows."""

    grade: str = Field(title="評価（手動）")
    reason: str = Field("", title="評価理由")


class Baseline(_Model):
    """現状値. value None means 未把握 (not yet measured)."""

    value: Annotated[float | None, BeforeValidator(lambda v: parse.parse_baseline(v)[0] if isinstance(v, str) else v)] = Field(
        None, title="現状値", description="空欄（または「未把握」「-」）は未把握")
    as_of_fy: FiscalYear | None = Field(None, title="時点（年度）")
    as_of_date: Date | None = Field(None, title="時点（日付）")


class Kpi(_Model):
    """One indicator of a measure: numeric (value + unit) or a qualitative milestone."""

    name: str = Field(title="指標名")
    kind: Annotated[KpiKind, _term(KpiKind, "種別")] = Field(KpiKind.EFFECT, title="種別", description="進捗（アウトプット）または効果（アウトカム）")
    unit: str = Field("", title="単位")
    aggregation: Annotated[Aggregation, _term(Aggregation, "集計")] = Field(Aggregation.POINT, title="集計", description="時点・年度値・累計")
    direction: Annotated[Direction, _term(Direction, "方向")] = Field(Direction.UP, title="方向", description="増加・減少・達成")
    baseline: Baseline | None = Field(None, title="現状値")
    target_value: Number | None = Field(None, title="目標値")
    target_text: str = Field("", title="目標（定性）", description="数値でない目標（例: 条例の制定）")
    target_fy: FiscalYear | None = Field(None, title="目標年度")
    interim: dict[FiscalYear, Number] = Field(default_factory=_new_dict, title="中間目標", description="年度ごとの目標（年度末の値、年度値はその年度の量）")
    interim_statuses: dict[FiscalYear, str] = Field(
        default_factory=_new_dict, title="年度ごとの目標（状況）",
        description="数値でないKPIの年度ごとの目標（検討中・一部実施・実施済み・達成 など）")
    actuals: dict[FiscalYear, Number] = Field(default_factory=_new_dict, title="実績値")
    comments: dict[FiscalYear, str] = Field(default_factory=_new_dict, title="実績の説明", description="年度ごとの実績の説明")
    statuses: dict[FiscalYear, str] = Field(default_factory=_new_dict, title="状況",
                                            description="数値でないKPIの年度ごとの状況（未着手・検討中・一部実施・実施済み・達成 など）")
    next_steps: dict[FiscalYear, str] = Field(default_factory=_new_dict, title="今後の取組", description="年度ごとの今後の取組")
    overrides: dict[FiscalYear, GradeOverride] = Field(default_factory=_new_dict, title="評価（手動）",
                                                       description="年度ごとに手で付けた評価と評価理由")
    expectation: Annotated[Expectation, _term(Expectation, "目安の考え方")] = Field(Expectation.AUTO, title="目安の考え方",
                                     description="中間目標がない年度の目安: 自動・線で結ぶ・毎年度目標値")

    @model_validator(mode="before")
    @classmethod
    def _qualitative_results(cls, data: object) -> object:
        # xlplan 0.1 recorded a qualitative KPI's result as the actual 1 (達成) or 0 (未達成); they are statuses now.
        if not isinstance(data, dict) or not data.get("actuals") or not _qualitative(data):
            return data
        actuals = dict(data["actuals"])
        statuses = dict(data.get("statuses") or {})
        for fy, value in list(actuals.items()):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
                statuses.setdefault(fy, "達成" if value == 1 else "未達成")
                del actuals[fy]
        return {**data, "actuals": actuals, "statuses": statuses}

    @property
    def is_qualitative(self) -> bool:
        return self.target_value is None and bool(self.target_text)

    @property
    def qualitative(self) -> bool:
        """Reported by a status per year rather than a number: no 目標値, and a 目標（定性） or the 方向「達成」.
        A 目標値 always makes the KPI numeric (方向「達成」 then reads as "reach at least")."""
        return self.target_value is None and (bool(self.target_text) or self.direction is Direction.ACHIEVE)


def _qualitative(data: dict) -> bool:
    """Kpi.qualitative on the raw fields, before validation."""
    if data.get("target_value") is not None:
        return False
    direction = data.get("direction")
    return bool(str(data.get("target_text") or "").strip()) or (
        direction is not None and str(getattr(direction, "value", direction)).strip() == Direction.ACHIEVE.value)


class Milestone(_Model):
    fy: FiscalYear = Field(title="年度")
    label: str = Field(title="内容")
    when: Literal["上期", "下期", "Q1", "Q2", "Q3", "Q4"] | None = Field(
        None, title="時期", description="年度内の時期: 上期・下期、または Q1（4-6月）〜Q4（1-3月）")

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, value: object) -> object:
        return normalize_part(value) if isinstance(value, str) else value

    def part(self, parts: int) -> int:
        """The 1-based part of the year, out of `parts` equal parts, the milestone falls in."""
        if self.when is None or parts == 1:
            return 1
        quarter = {"上期": 1, "下期": 3}.get(self.when) or int(self.when[1])
        return (quarter - 1) * parts // 4 + 1


class Measure(_Model):
    """個別施策: one row group on a domain sheet."""

    id: str = Field(title="施策ID")
    domain: str = Field(title="分野")
    pillar: PillarField | None = Field(None, title="柱")
    name: str = Field("", title="施策名")
    origin: Annotated[Origin, _term(Origin, "区分")] = Field(Origin.ADDED, title="区分", description="既定・追加・カタログ")
    catalog_id: str | None = Field(None, title="カタログID")
    content: str = Field("", title="内容")
    owner: str = Field("", title="担当課")
    programs: list[str] = Field(default_factory=_new_list, title="関連する国・県の施策・補助（ID）")
    kpis: list[Kpi] = Field(default_factory=_new_list, title="KPI")
    schedule: dict[FiscalYear, Phases] = Field(default_factory=_new_dict, title="工程（年度ごとの段階）",
                                               description="年度 → 段階。「検討→準備」で1年度に2つ、「→」「継続」で前の年度と同じ")
    milestones: list[Milestone] = Field(default_factory=_new_list, title="マイルストーン")
    notes: str = Field("", title="備考")
    cost: Number | None = Field(None, title="概算事業費（千円）")
    funding: list[str] = Field(default_factory=_new_list, title="財源",
                               description="国・県の施策のID、一般財源、地方債、その他")
    extra: dict[str, str | float | int | bool | dt.date] = Field(
        default_factory=_new_dict, title="自由記入の列", description="分野のシートの右に職員が足した列（見出し → 値）")

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: object) -> object:
        return normalize_domain(value) if isinstance(value, str) else value

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule(cls, value: object) -> object:
        """「→」「継続」 continue the year before, so years are read in order; blank years are left out.
        A year or phase that cannot be read is left for the field's own validation, which names its key."""
        if not isinstance(value, dict):
            return value
        try:
            keyed = sorted(((k if type(k) is int and MIN_FY <= k <= MAX_FY else parse_fy(k), k, v)
                            for k, v in value.items()), key=lambda t: t[0])
        except (ValueError, TypeError):
            return value
        result: dict[object, object] = {}
        previous: tuple[Phase, ...] = ()
        last_fy = None
        for fy, key, phases in keyed:
            try:
                phases = parse.parse_phases(phases, previous if last_fy == fy - 1 else ())
            except (ValueError, TypeError):
                result[key] = phases
                previous, last_fy = (), None
                continue
            if phases:
                result[key] = phases
                previous, last_fy = phases, fy
        return result

    def phases(self, fy: int) -> tuple[Phase, ...]:
        return self.schedule.get(fy, ())

    def last_phase(self, fy: int) -> Phase | None:
        """The phase a fiscal year ends in (a year of 「検討→準備」 ends in 準備)."""
        phases = self.schedule.get(fy)
        return phases[-1] if phases else None

    def first_fy_at(self, phase_rank: int) -> int | None:
        """The first scheduled fiscal year with a phase that reaches the given rank."""
        years = [fy for fy, phases in sorted(self.schedule.items()) if any(p.rank >= phase_rank for p in phases)]
        return years[0] if years else None


class Plan(_Model):
    """A municipality's 官民データ活用推進計画."""

    schema_version: Literal[1, 2] = Field(2, description="1 は xlplan 0.1 の計画ファイル（そのまま読めます）")
    municipality: str = Field(title="団体名")
    body_type: Annotated[BodyType, _term(BodyType, "団体種別")] = Field(BodyType.MUNICIPALITY, title="団体種別", description="市町村 または 都道府県")
    prefecture: str = Field("", title="都道府県")
    title: str = Field("", title="計画名")
    start_fy: FiscalYear = Field(title="計画開始年度")
    start_month: Annotated[int, BeforeValidator(_month)] = Field(4, ge=1, le=12, title="開始月", description="年度途中に始まる計画の開始月（例: 12）")
    years: Annotated[int, BeforeValidator(_years)] = Field(5, ge=1, le=50, title="計画期間（年数）")
    subdivision: Annotated[Subdivision, _term(Subdivision, "工程表の区切り")] = Field(Subdivision.YEAR, title="工程表の区切り", description="年度・半期（上期/下期）・四半期")
    roles: list[str] = Field(default_factory=_new_list, title="位置付け")
    related_plans: list[RelatedPlan] = Field(default_factory=_new_list, title="関連する計画")
    domains: list[str] = Field(default_factory=lambda: list(DEFAULT_DOMAINS), title="分野")
    skips: list[Skip] = Field(default_factory=_new_list, title="取り組まない柱・分野と理由")
    review: str = Field("", title="見直し時期", description="例: 毎年度、令和11年度に中間見直し")
    contact: Contact = Field(default_factory=Contact, title="問い合わせ先")
    date_style: Annotated[DateStyle, _term(DateStyle, "日付の表記")] = Field(DateStyle.WAREKI_WESTERN, title="日付の表記", description="計画書の年度・日付の書き方")
    grade_scale: str = Field("A〜D", title="評価の尺度", description="進捗の評価に使う尺度の名前（組み込み、または「独自」）")
    custom_grades: list[GradeSpec] = Field(default_factory=_new_list, title="独自の評価段階")
    cost_columns: bool = Field(False, title="事業費・財源の列", description="分野のシートに概算事業費・財源の列を置く")
    situation: str = Field("", title="現状及び課題")
    purpose: str = Field("", title="計画の目的")
    structure: str = Field("", title="推進体制")
    programs: list[Program] = Field(default_factory=_new_list, title="国・県の施策・補助")
    measures: list[Measure] = Field(default_factory=_new_list, title="個別施策")

    @field_validator("schema_version", mode="after")
    @classmethod
    def _migrated(cls, value: int) -> int:
        # A version 1 file (xlplan 0.1) has the same fields minus the new optional ones: read as is, held as version 2.
        return 2

    @field_validator("domains", mode="before")
    @classmethod
    def _domains(cls, value: object) -> object:
        if isinstance(value, list):
            return [normalize_domain(v) if isinstance(v, str) else v for v in value]
        return value

    @property
    def end_fy(self) -> int:
        return self.start_fy + self.years - 1

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.start_fy, self.start_fy + self.years))

    def in_period(self, fy: int) -> bool:
        return self.start_fy <= fy <= self.end_fy

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def measures_in(self, domain: str) -> list[Measure]:
        return [m for m in self.measures if m.domain == domain]
