"""How a plan words itself, by 団体種別: 本市/本町/本村/本区 or 本県/本都/本道/本府, and its legal basis.

官民データ活用推進基本法 第9条: a prefecture MUST make its plan (第1項); a municipality,
special wards included, makes one as a duty to endeavour (第3項).
"""

from __future__ import annotations

from xlplan.core.model import Plan
from xlplan.core.vocab import BodyType

LAW = "官民データ活用推進基本法（平成28年法律第103号）"
_MUNICIPAL_SUFFIXES = ("市", "町", "村", "区")
_PREFECTURAL_SUFFIXES = ("都", "道", "府", "県")


def self_reference(plan: Plan) -> str:
    """本市, 本町, 本村, 本区; 本都, 本道, 本府, 本県; 本団体 when the name does not tell."""
    name = plan.municipality.strip()
    suffixes = _PREFECTURAL_SUFFIXES if plan.body_type is BodyType.PREFECTURE else _MUNICIPAL_SUFFIXES
    for suffix in suffixes:
        if name.endswith(suffix):
            return f"本{suffix}"
    return "本団体"


def legal_basis(plan: Plan) -> str:
    """官民データ活用推進基本法（平成28年法律第103号）第9条第3項に基づく市町村官民データ活用推進計画 (or 第1項, 都道府県)."""
    if plan.body_type is BodyType.PREFECTURE:
        return f"{LAW}第9条第1項に基づく都道府県官民データ活用推進計画"
    return f"{LAW}第9条第3項に基づく市町村官民データ活用推進計画"
