"""財源 (funding sources) of a measure: 国・県の施策 IDs, 一般財源, 地方債, その他 — or any other source the clerk
types (e.g. ふるさと納税), since the cell holds several sources 「、」-separated and its dropdown only suggests.
Each part that looks like a program ID must name a row of 「国・県の施策」."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from xlplan.core.findings import Finding, Ref, warning
from xlplan.core.model import Plan

FUNDING_WORDS = ("一般財源", "地方債", "その他")
_PROGRAM_ID = re.compile(r"^[A-Za-z]{1,4}[-_]?[0-9]{1,4}$")


def looks_like_program_id(part: str) -> bool:
    return bool(_PROGRAM_ID.match(unicodedata.normalize("NFKC", part).strip()))


def funding_choices(plan: Plan) -> list[str]:
    """What the 財源 dropdown suggests: the three words, then the programs' IDs."""
    return [*FUNDING_WORDS, *(p.id for p in plan.programs)]


def check_funding(plan: Plan) -> Iterator[Finding]:
    ids = {unicodedata.normalize("NFKC", p.id) for p in plan.programs}
    for m in plan.measures:
        for part in m.funding:
            if looks_like_program_id(part) and unicodedata.normalize("NFKC", part).strip() not in ids:
                yield warning("MEAS-FUNDING-UNKNOWN",
                              f"施策「{m.name or m.id}」（{m.id}）の財源「{part}」は「国・県の施策」シートにないIDです。"
                              "IDを確認するか、「国・県の施策」シートに施策を追加してください"
                              "（国・県の施策でない財源は 一般財源・地方債・その他 などの言葉で書きます）。",
                              Ref(m.id, field="funding"))
