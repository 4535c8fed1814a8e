"""How a plan refers to its own body and to the law, by 団体種別 and name.

A prefecture's plan is made under 官民データ活用推進基本法 第9条第1項 and says 本県
(本都, 本道, 本府); a municipality's under 第9条第3項 and says 本市, 本町, 本村 (本区
for a special ward). Shared by the plan document, the progress report and any
other text that names the body or the legal basis.
"""

from __future__ import annotations

from xlplan.core.model import Plan
from xlplan.core.vocab import BodyType

LAW_NAME = "官民データ活用推進基本法"
LAW_NUMBER = "平成28年法律第103号"

_PREFECTURE_SUFFIXES = (("都", "本都"), ("道", "本道"), ("府", "本府"), ("県", "本県"))
_MUNICIPALITY_SUFFIXES = (("市", "本市"), ("町", "本町"), ("村", "本村"), ("区", "本区"))


UNNAMED_SELF = "本団体"


def self_reference(plan: Plan) -> str:
    """本市 / 本町 / 本村 / 本区 for a municipality, 本県 / 本都 / 本道 / 本府 for a prefecture, by the name's
    last character; 本団体 when the name does not tell (「○○組合」, 「○○広域連合」, a blank name): a neutral
    word is right for any body, while a guessed 本市 would be printed wrong in a document that goes out."""
    name = plan.municipality.strip()
    suffixes = _PREFECTURE_SUFFIXES if plan.body_type is BodyType.PREFECTURE else _MUNICIPALITY_SUFFIXES
    return next((word for suffix, word in suffixes if name.endswith(suffix)), UNNAMED_SELF)


def legal_basis(plan: Plan) -> str:
    """第9条第1項 (都道府県官民データ活用推進計画, a duty) or 第9条第3項 (市町村, an effort)."""
    return "第9条第1項" if plan.body_type is BodyType.PREFECTURE else "第9条第3項"


def law_citation(plan: Plan) -> str:
    """官民データ活用推進基本法（平成28年法律第103号）第9条第3項."""
    return f"{LAW_NAME}（{LAW_NUMBER}）{legal_basis(plan)}"


def plan_kind(plan: Plan) -> str:
    """The plan's name in the law: 都道府県官民データ活用推進計画 or 市町村官民データ活用推進計画."""
    return "都道府県官民データ活用推進計画" if plan.body_type is BodyType.PREFECTURE else "市町村官民データ活用推進計画"


def legal_basis_phrase(plan: Plan) -> str:
    """官民データ活用推進基本法（平成28年法律第103号）第9条第3項に基づく市町村官民データ活用推進計画 (or 第1項, 都道府県)."""
    return f"{law_citation(plan)}に基づく{plan_kind(plan)}"
