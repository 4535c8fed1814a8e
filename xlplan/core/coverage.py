"""The coverage matrix: how many measures each pillar (柱) has in each domain (分野).

Rows are the six pillars in vocabulary order, columns are the plan's domains in
its order, followed by any domain a measure uses that the plan does not list
(so the counts always add up to the number of measures). Measures without a
pillar are listed apart. An empty row or column is fine when the plan gives a
reason in its skips (取り組まない柱・分野と理由); otherwise it is "unexplained",
which is what validation reports as COVER-PILLAR / COVER-DOMAIN.

Pure: a function of the plan, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlplan.core.model import Plan
from xlplan.core.vocab import Pillar, normalize_domain, parse_pillar


@dataclass(frozen=True)
class CoverageMatrix:
    pillars: tuple[Pillar, ...]
    domains: tuple[str, ...]                       # plan.domains, then unknown domains in first-use order
    cells: dict[tuple[Pillar, str], tuple[str, ...]]  # (pillar, domain) -> measure ids, in plan order
    unassigned: dict[str, tuple[str, ...]]         # domain -> ids of its measures without a pillar
    extra_domains: tuple[str, ...]                 # domains used by measures but not in plan.domains
    pillar_skips: dict[Pillar, str]                # pillar -> skip reason
    domain_skips: dict[str, str]                   # domain -> skip reason

    def ids(self, pillar: Pillar, domain: str) -> tuple[str, ...]:
        return self.cells.get((pillar, domain), ())

    def count(self, pillar: Pillar, domain: str) -> int:
        return len(self.ids(pillar, domain))

    def row_total(self, pillar: Pillar) -> int:
        return sum(self.count(pillar, d) for d in self.domains)

    def column_total(self, domain: str) -> int:
        """Measures of the domain that have a pillar (unassigned ones are not in the matrix)."""
        return sum(self.count(p, domain) for p in self.pillars)

    @property
    def total(self) -> int:
        return sum(self.row_total(p) for p in self.pillars)

    @property
    def empty_pillars(self) -> tuple[Pillar, ...]:
        return tuple(p for p in self.pillars if self.row_total(p) == 0)

    @property
    def unassigned_ids(self) -> tuple[str, ...]:
        return tuple(i for ids in self.unassigned.values() for i in ids)

    @property
    def empty_domains(self) -> tuple[str, ...]:
        """Domains without any measure (a measure still lacking its pillar counts as one)."""
        return tuple(d for d in self.domains if self.column_total(d) == 0 and not self.unassigned.get(d))

    @property
    def unexplained_pillars(self) -> tuple[Pillar, ...]:
        """Pillars with no measure and no skip reason (highlight these rows)."""
        return tuple(p for p in self.empty_pillars if p not in self.pillar_skips)

    @property
    def unexplained_domains(self) -> tuple[str, ...]:
        """Domains with no measure and no skip reason (highlight these columns)."""
        return tuple(d for d in self.empty_domains if d not in self.domain_skips)


def skip_reasons(plan: Plan) -> tuple[dict[Pillar, str], dict[str, str]]:
    """Skip targets read as a pillar (label, code, article or alias) or else as a domain name."""
    pillars: dict[Pillar, str] = {}
    domains: dict[str, str] = {}
    for s in plan.skips:
        try:
            pillars.setdefault(parse_pillar(s.target), s.reason)
        except ValueError:
            domains.setdefault(normalize_domain(s.target), s.reason)
    return pillars, domains


def coverage_matrix(plan: Plan) -> CoverageMatrix:
    pillars = tuple(Pillar)
    known = list(plan.domains)
    extra: list[str] = []
    for m in plan.measures:
        if m.domain not in known and m.domain not in extra:
            extra.append(m.domain)
    domains = tuple(known + extra)
    cells: dict[tuple[Pillar, str], list[str]] = {}
    unassigned: dict[str, list[str]] = {}
    for m in plan.measures:
        if m.pillar is None:
            unassigned.setdefault(m.domain, []).append(m.id)
            continue
        cells.setdefault((m.pillar, m.domain), []).append(m.id)
    pillar_skips, domain_skips = skip_reasons(plan)
    return CoverageMatrix(
        pillars=pillars,
        domains=domains,
        cells={key: tuple(ids) for key, ids in cells.items()},
        unassigned={d: tuple(ids) for d, ids in unassigned.items()},
        extra_domains=tuple(extra),
        pillar_skips=pillar_skips,
        domain_skips=domain_skips,
    )
