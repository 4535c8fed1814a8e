"""Findings: what validation and reading report, and where it points.

A rule knows *what* in the plan is wrong (a Ref: measure, KPI, field, fiscal
year); the workbook reader knows *where* that is (sheet and cell). Keeping the
two apart lets the same rules run on a YAML plan and on a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "エラー" if self is Severity.ERROR else "警告"


@dataclass(frozen=True)
class Ref:
    """A place in the plan model.

    field names the model field ("name", "owner", "target_fy", …); plan-level
    fields have no measure_id. fy points at one fiscal year of a schedule or of
    interim targets/actuals.
    """

    measure_id: str | None = None
    kpi: int | None = None
    field: str | None = None
    fy: int | None = None
    program_id: str | None = None
    index: int | None = None  # row of a plan-level list (related plans, skips)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    ref: Ref = field(default_factory=Ref)
    sheet: str = ""
    cell: str = ""

    @property
    def measure_id(self) -> str:
        return self.ref.measure_id or ""

    def at(self, sheet: str, cell: str) -> Finding:
        return replace(self, sheet=sheet, cell=cell)

    def as_dict(self) -> dict[str, str]:
        """The stable JSON shape of `xlplan validate --format json`."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "measure_id": self.measure_id,
            "message": self.message,
        }


def error(code: str, message: str, ref: Ref | None = None) -> Finding:
    return Finding(code, Severity.ERROR, message, ref or Ref())


def warning(code: str, message: str, ref: Ref | None = None) -> Finding:
    return Finding(code, Severity.WARNING, message, ref or Ref())


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by sheet and row order as they appear."""
    return sorted(findings, key=lambda f: (f.severity is not Severity.ERROR,))
