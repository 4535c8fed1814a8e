"""The plan's fixed vocabularies: pillars, default domains, phases and KPI terms.

Each term has one Japanese label that appears in the workbook's dropdowns and
in YAML. Parsing also accepts the short code (P10) and common variants, so a
planner who types 「10条」 or 「オープンデータ」 is understood.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from xlplan.core.fiscal import normalize_text


@dataclass(frozen=True)
class PillarInfo:
    code: str
    label: str          # dropdown and YAML value
    article: str        # the law's article (or articles) behind it
    heading: str        # the seed memo's / 手引's full heading
    aliases: tuple[str, ...] = ()


PILLARS: tuple[PillarInfo, ...] = (
    PillarInfo("P10", "10条 オンライン化原則", "第10条",
               "行政手続に係るオンライン利用の原則化（10条）", ("10条", "オンライン化原則", "オンライン化")),
    PillarInfo("P11", "11条 オープンデータ", "第11条",
               "自らが保有する官民データの活用の推進（オープンデータの推進）（11条）", ("11条", "オープンデータ")),
    PillarInfo("P13", "13条 マイナンバーカード", "第13条",
               "マイナンバーカードの普及及び活用に関する計画の策定等（13条）", ("13条", "マイナンバーカード", "マイナンバー")),
    PillarInfo("P14", "14条 デジタルデバイド対策", "第14条",
               "利用の機会等の格差の是正（14条）", ("14条", "デジタルデバイド対策", "デジタルデバイド")),
    PillarInfo("P15", "15条 システム改革・BPR", "第15条",
               "自らの情報システムに係る規格の整備及び互換性の確保、業務の見直し（15条）",
               ("15条", "システム改革・BPR", "BPR", "システム改革")),
    PillarInfo("P6", "パーソナルデータ・人材等", "第12条・第17条・第18条",
               "パーソナルデータの利活用の環境整備に関わる取り組み等",
               ("パーソナルデータ", "人材", "その他（パーソナルデータ・人材等）")),
)
PILLAR_BY_CODE = {p.code: p for p in PILLARS}


class Pillar(StrEnum):
    P10 = "10条 オンライン化原則"
    P11 = "11条 オープンデータ"
    P13 = "13条 マイナンバーカード"
    P14 = "14条 デジタルデバイド対策"
    P15 = "15条 システム改革・BPR"
    P6 = "パーソナルデータ・人材等"

    @property
    def code(self) -> str:
        return self.name

    @property
    def info(self) -> PillarInfo:
        return PILLAR_BY_CODE[self.name]

    @property
    def order(self) -> int:
        return list(Pillar).index(self)

    @property
    def title(self) -> str:
        """The pillar's one title in every output (plan document §5 and §6, 工程表 group rows)."""
        return self.info.heading


DEFAULT_DOMAINS: tuple[str, ...] = (
    "電子行政", "健康・医療・介護", "観光", "農林水産", "金融", "防災・減災", "移動", "その他",
)
# Offered as an option (the national plan's eighth 重点分野) and aliases a planner may type.
OPTIONAL_DOMAINS: tuple[str, ...] = ("ものづくり",)
DOMAIN_ALIASES = {"インフラ": "防災・減災", "インフラ・防災・減災": "防災・減災", "インフラ、防災・減災等": "防災・減災"}


class Phase(StrEnum):
    """A measure's stage in one fiscal year of the 工程表."""

    STUDY = "検討"
    PREPARE = "準備"
    BUILD = "構築・整備"
    PILOT = "実証"
    OPERATE = "実施・運用"
    EXPAND = "拡充"
    REVIEW = "見直し"

    @property
    def rank(self) -> int:
        """Progress rank: a later fiscal year with a lower rank goes backwards.

        実施・運用, 拡充 and 見直し share a rank: reviewing a running service and
        carrying on is normal, returning to 検討 is not.
        """
        return _PHASE_RANK[self]

    @property
    def symbol(self) -> str:
        """A mark that tells phases apart when printed in black and white."""
        return _PHASE_SYMBOL[self]


_PHASE_RANK = {Phase.STUDY: 0, Phase.PREPARE: 1, Phase.BUILD: 2, Phase.PILOT: 3,
               Phase.OPERATE: 4, Phase.EXPAND: 4, Phase.REVIEW: 4}
_PHASE_SYMBOL = {Phase.STUDY: "○", Phase.PREPARE: "△", Phase.BUILD: "▲", Phase.PILOT: "□",
                 Phase.OPERATE: "■", Phase.EXPAND: "●", Phase.REVIEW: "◇"}
# Marks used in the 工程表 besides the phases.
TARGET_MARK = "◎"
MILESTONE_MARK = "◆"
CONTINUE_MARK = "→"
PHASE_ALIASES = {"構築": Phase.BUILD, "整備": Phase.BUILD, "試行": Phase.PILOT, "実施": Phase.OPERATE,
                 "運用": Phase.OPERATE, "本格運用": Phase.OPERATE, "横展開": Phase.EXPAND,
                 "検証・見直し": Phase.REVIEW, "設計": Phase.PREPARE}


class Origin(StrEnum):
    PLANNED = "既定"     # already planned before this plan
    ADDED = "追加"       # added for this plan
    CATALOG = "カタログ"  # taken from the catalog (small start)


class KpiKind(StrEnum):
    PROGRESS = "進捗"   # output / activity indicator
    EFFECT = "効果"     # outcome indicator


class Aggregation(StrEnum):
    POINT = "時点"      # value at a point in time (e.g. 交付率 at fiscal year end)
    ANNUAL = "年度値"   # flow within each fiscal year (件/年)
    CUMULATIVE = "累計"  # running total; never decreases


class Direction(StrEnum):
    UP = "増加"
    DOWN = "減少"
    ACHIEVE = "達成"    # done / not done


UNKNOWN_BASELINE = "未把握"

# Text xlplan pre-fills (catalog measures' 内容 and KPI) starts with this mark until the
# planner confirms it by deleting the mark; validation (MEAS-DRAFT) lists what is still a draft.
DRAFT_MARK = "【案】"


class ProgramStatus(StrEnum):
    """Whether a national or prefectural program can still be used."""

    CURRENT = "現行"
    ENDED = "終了"
    SUCCEEDED = "後継あり"   # ended; another program (its successor) took over

    @property
    def ended(self) -> bool:
        return self is not ProgramStatus.CURRENT


# 区分 of a program: who runs it. What a planner may type for each.
PROGRAM_LEVELS: tuple[str, ...] = ("国", "県", "市町村", "その他")
PROGRAM_LEVEL_ALIASES = {
    "国": "国", "都道府県": "県", "県": "県", "都": "県", "道": "県", "府": "県",
    "市町村": "市町村", "市区町村": "市町村", "市": "市町村", "区": "市町村", "町": "市町村", "村": "市町村",
    "その他": "その他",
}


def parse_program_level(value: str) -> str:
    key = normalize_text(value)
    if key in PROGRAM_LEVEL_ALIASES:
        return PROGRAM_LEVEL_ALIASES[key]
    raise ValueError(f"「{value}」は区分として読めません。{'、'.join(PROGRAM_LEVELS)} から選んでください。")

E = TypeVar("E", bound=StrEnum)


def _key(text: str) -> str:
    return normalize_text(text).replace("・", "").replace("･", "")


def parse_pillar(value: str) -> Pillar:
    """A pillar from its label, code (P10), article (10条) or a known alias."""
    key = _key(value)
    for info in PILLARS:
        if key in {_key(info.label), info.code.lower(), info.code.upper(), _key(info.heading), _key(info.article),
                   *(_key(a) for a in info.aliases)}:
            return Pillar[info.code]
    raise ValueError(
        f"「{value}」は柱として読めません。{'、'.join(p.value for p in Pillar)} から選んでください。"
    )


def parse_phase(value: str) -> Phase:
    key = _key(value)
    for phase in Phase:
        if key in {_key(phase.value), phase.symbol}:
            return phase
    for alias, phase in PHASE_ALIASES.items():
        if key == _key(alias):
            return phase
    raise ValueError(
        f"「{value}」は段階として読めません。{'、'.join(p.value for p in Phase)} から選んでください。"
    )


def parse_term(enum: type[E], value: str, what: str) -> E:
    """A term of a small vocabulary (Origin, KpiKind, …), compared after NFKC folding."""
    key = _key(value)
    for member in enum:
        if key == _key(member.value):
            return member
    raise ValueError(f"「{value}」は{what}として読めません。{'、'.join(m.value for m in enum)} から選んでください。")


def normalize_domain(value: str) -> str:
    text = normalize_text(value)
    return DOMAIN_ALIASES.get(text, text)


class Subdivision(StrEnum):
    """How finely the 工程表 divides each fiscal year."""

    YEAR = "年度"
    HALF = "半期"
    QUARTER = "四半期"

    @property
    def parts(self) -> tuple[str, ...]:
        """Labels of the parts of a fiscal year, in order (April first)."""
        return _PARTS[self]


_PARTS = {
    Subdivision.YEAR: ("",),
    Subdivision.HALF: ("上期", "下期"),
    Subdivision.QUARTER: ("4-6月", "7-9月", "10-12月", "1-3月"),
}
# What a planner may write after the year of a milestone to say when in the year:
# 「R11下期 本格運用開始」, 「R9 Q4 交付金申請」, 「令和9年度第4四半期 …」.
PART_ALIASES: dict[str, str] = {
    "上期": "上期", "上半期": "上期", "下期": "下期", "下半期": "下期",
    **{f"Q{i}": f"Q{i}" for i in range(1, 5)},
    **{f"第{i}四半期": f"Q{i}" for i in range(1, 5)},
}


def normalize_part(value: str) -> str:
    """上期/下期/Q1–Q4 from what a planner types (第3四半期 → Q3, 下半期 → 下期)."""
    key = normalize_text(value).upper().replace("Ｑ", "Q")
    if key in PART_ALIASES:
        return PART_ALIASES[key]
    raise ValueError(f"「{value}」は年度内の時期として読めません。上期・下期・Q1〜Q4（第1〜第4四半期）で書いてください。")


class BodyType(StrEnum):
    """団体種別: the law asks 都道府県 to make a plan (第9条第1項) and 市町村 to endeavour to (第9条第3項)."""

    MUNICIPALITY = "市町村"
    PREFECTURE = "都道府県"


class DateStyle(StrEnum):
    """How the plan document writes years and dates (one notation throughout)."""

    WAREKI_WESTERN = "和暦（西暦）"   # 令和9年度（2027年度）, the 西暦 once per table or heading
    WAREKI = "和暦"
    WESTERN = "西暦"


class Expectation(StrEnum):
    """How a KPI's expected value (目安) for a year is set when no interim target is given."""

    AUTO = "自動"            # 累計・時点: the path from the baseline; 年度値: the path if a baseline is known, else the target
    PATH = "線で結ぶ"         # always the straight path from the baseline to the target
    TARGET = "毎年度目標値"   # every year the final target (e.g. 「1,000人/年」 from the first year)


YES_NO = ("あり", "なし")
# Names of the grading scales 基本情報 offers (xlplan.core.grading defines them; 「独自」 reads 独自の評価段階).
GRADE_SCALE_NAMES = ("A〜D", "◎○△×", "S・A・B・C", "F・S・A・B・C・X・Y・Z", "独自")
