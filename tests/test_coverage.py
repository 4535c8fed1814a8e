"""The coverage matrix: 柱 × 分野 counts, totals, ids, and empty rows/columns without a reason."""

from __future__ import annotations

from collections import Counter

from xlplan.core.coverage import coverage_matrix
from xlplan.core.model import Measure, Plan, Skip
from xlplan.core.validation import validate_plan
from xlplan.core.vocab import Pillar
from xlplan.export.sheets import (
    COVERAGE_REASON,
    COVERAGE_TOTAL,
    NO_REASON,
    coverage_measure_ids,
    coverage_sheet_values,
)


def plan_with(measures: list[tuple[str, str, str | None]], skips: list[tuple[str, str]] = ()) -> Plan:
    return Plan(
        municipality="テスト市", start_fy=2027,
        measures=[Measure(id=i, domain=d, pillar=p) for i, d, p in measures],
        skips=[Skip(target=t, reason=r) for t, r in skips],
    )


def test_sample_counts_add_up_and_match_the_measures(sample_plan):
    cov = coverage_matrix(sample_plan)
    expected = Counter((m.pillar, m.domain) for m in sample_plan.measures)
    for p in cov.pillars:
        for d in cov.domains:
            assert cov.count(p, d) == expected[(p, d)]
            assert list(cov.ids(p, d)) == [m.id for m in sample_plan.measures if (m.pillar, m.domain) == (p, d)]
    assert cov.total == len(sample_plan.measures) == 35
    assert sum(cov.row_total(p) for p in cov.pillars) == sum(cov.column_total(d) for d in cov.domains) == 35
    assert cov.row_total(Pillar.P10) == 8 and cov.column_total("電子行政") == 15
    assert cov.domains == tuple(sample_plan.domains) and not cov.extra_domains
    assert cov.unexplained_pillars == () and cov.unexplained_domains == ()


def test_empty_rows_and_columns_without_a_reason_are_reported():
    plan = plan_with([("A", "電子行政", "10条"), ("B", "観光", "11条")])
    cov = coverage_matrix(plan)
    assert set(cov.unexplained_pillars) == {Pillar.P13, Pillar.P14, Pillar.P15, Pillar.P6}
    assert set(cov.unexplained_domains) == {"健康・医療・介護", "農林水産", "金融", "防災・減災", "移動", "その他"}
    assert cov.empty_pillars == cov.unexplained_pillars


def test_skip_reasons_explain_rows_and_columns_by_label_alias_or_domain_name():
    plan = plan_with(
        [("A", "電子行政", "10条"), ("B", "観光", "11条")],
        skips=[("13条", "県の共同事業で実施"), ("デジタルデバイド対策", "福祉計画で扱う"), ("15条 システム改革・BPR", "別計画"),
               ("P6", "次期計画で検討"), ("インフラ", "国の事業で対応"), ("金融", "該当事業なし")],
    )
    cov = coverage_matrix(plan)
    assert cov.pillar_skips[Pillar.P13] == "県の共同事業で実施"
    assert cov.unexplained_pillars == ()
    assert cov.domain_skips["防災・減災"] == "国の事業で対応"   # the alias インフラ is read as 防災・減災
    assert set(cov.unexplained_domains) == {"健康・医療・介護", "農林水産", "移動", "その他"}


def test_unexplained_cells_agree_with_the_validation_warnings():
    plan = plan_with([("A", "電子行政", "10条"), ("B", "観光", None)], skips=[("13条", "理由"), ("金融", "理由")])
    cov = coverage_matrix(plan)
    findings = validate_plan(plan)
    assert sum(f.code == "COVER-PILLAR" for f in findings) == len(cov.unexplained_pillars)
    assert sum(f.code == "COVER-DOMAIN" for f in findings) == len(cov.unexplained_domains)


def test_a_measure_without_pillar_is_apart_but_keeps_its_domain_non_empty():
    plan = plan_with([("A", "電子行政", "10条"), ("B", "観光", None)])
    cov = coverage_matrix(plan)
    assert cov.unassigned == {"観光": ("B",)} and cov.unassigned_ids == ("B",)
    assert cov.column_total("観光") == 0
    assert "観光" not in cov.empty_domains
    assert cov.total == 1


def test_a_domain_missing_from_the_plan_becomes_an_extra_column():
    plan = plan_with([("A", "電子行政", "10条"), ("B", "教育", "15条")])
    cov = coverage_matrix(plan)
    assert cov.extra_domains == ("教育",) and cov.domains[-1] == "教育"
    assert cov.count(Pillar.P15, "教育") == 1 and cov.total == 2


def test_sheet_values_header_counts_totals_and_reasons(sample_plan):
    plan = plan_with([("A", "電子行政", "10条"), ("B", "電子行政", "10条"), ("C", "観光", "11条")],
                     skips=[("13条", "県と共同で実施")])
    rows = coverage_sheet_values(plan)
    domains = list(plan.domains)
    assert rows[0] == ["柱", *domains, COVERAGE_TOTAL, COVERAGE_REASON]
    assert len(rows) == 1 + len(Pillar) + 2
    p10 = rows[1]
    assert p10[0] == Pillar.P10.value and p10[1] == 2 and p10[len(domains) + 1] == 2 and p10[-1] == ""
    p13 = rows[3]
    assert p13[0] == Pillar.P13.value and p13[-1] == "県と共同で実施"
    assert rows[4][-1] == NO_REASON   # 14条: empty, no reason
    total = rows[-2]
    assert total[0] == COVERAGE_TOTAL and total[len(domains) + 1] == 3
    reasons = rows[-1]
    assert reasons[0] == COVERAGE_REASON and reasons[1] == "" and reasons[domains.index("金融") + 1] == NO_REASON
    ids = coverage_measure_ids(plan)
    assert ids[0][0] == "A、B" and ids[1][domains.index("観光")] == "C"
    # the sample: every cell is an int count
    sample_rows = coverage_sheet_values(sample_plan)
    assert all(isinstance(v, int) for row in sample_rows[1:-1] for v in row[1:-1])
