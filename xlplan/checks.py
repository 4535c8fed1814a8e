"""One line of a diagnosis: ✓ (fine), ✗ (will cause trouble; a Japanese fix follows) or － (information)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "ng", "info"]
MARKS = {"ok": "✓", "ng": "✗", "info": "－"}


@dataclass(frozen=True)
class Check:
    status: Status
    label: str
    detail: str
    fix: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    def line(self) -> str:
        text = f"{self.mark} {self.label}: {self.detail}"
        if self.fix and self.status != "ok":
            text += f"\n    → {self.fix}"
        return text
