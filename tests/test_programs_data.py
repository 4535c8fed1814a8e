"""The packaged programs list is honest: government sources only, statuses and successors that hold together."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.core.vocab import ProgramStatus

from conftest import ROOT

ALLOWED_SUFFIXES = (".go.jp", ".lg.jp")
RESEARCHED_ON = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def programs():
    return load_catalog().programs


def test_every_url_is_on_a_government_domain(programs):
    for p in programs:
        if not p.url:
            continue
        parts = urlsplit(p.url)
        assert parts.scheme in ("http", "https"), (p.id, p.url)
        host = parts.hostname or ""
        assert host.endswith(ALLOWED_SUFFIXES) and not host.endswith("."), (p.id, p.url)


@pytest.mark.parametrize("mirror", ["vdocuments", "pdfslide", "expydoc", "123deta", "note.com", "fdocument", "slideplayer",
                                    "scribd", "judgit", "wic-net"])
def test_no_url_points_at_a_copy(programs, mirror):
    assert [p.id for p in programs if mirror in p.url] == []


def test_verified_only_where_a_source_was_read(programs):
    for p in programs:
        if p.verified_on is not None:
            assert p.url, f"{p.id}: a 確認日 without a source"
            assert p.verified_on <= RESEARCHED_ON, p.id
        assert p.verification, f"{p.id}: how it was checked is recorded"


def test_old_ids_are_kept(programs):
    ids = [p.id for p in programs]
    assert ids[:24] == [f"N{i:02d}" for i in range(1, 25)]
    assert len(ids) == len(set(ids))
    assert "公衆無線LAN" in programs[0].name  # N01 is still what old plans meant by it


def test_status_and_successor_hold_together(programs):
    by_id = {p.id: p for p in programs}
    for p in programs:
        assert p.status is not None, p.id
        if p.status is ProgramStatus.SUCCEEDED:
            assert p.successor in by_id, p.id
            assert not by_id[p.successor].ended, f"{p.id} → {p.successor} should end at a current program"
        else:
            assert p.successor is None, p.id
        if p.active_from_fy and p.active_to_fy:
            assert p.active_from_fy <= p.active_to_fy, p.id


def test_catalog_programs_json_lists_the_new_national_programs():
    """Done when: the three programs a clerk needs from 令和7年度 are listed with years and go.jp sources."""
    result = CliRunner().invoke(app, ["catalog", "--programs", "--format", "json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    for name in ("地域社会DX推進パッケージ事業", "新しい地方経済・生活環境創生交付金", "デジタル活用推進事業債"):
        item = next(i for i in items if i["name"].startswith(name))
        assert item["active_from_fy"] >= 2024, name
        assert urlsplit(item["url"]).hostname.endswith(".go.jp"), name
        assert item["status"] == "現行", name
    bond = next(i for i in items if i["name"] == "デジタル活用推進事業債")
    assert (bond["active_from_fy"], bond["active_to_fy"]) == (2025, 2029)
    assert all("vdocuments" not in i["url"] and "note.com" not in i["url"] for i in items)


def test_every_program_has_a_source_record():
    record = (ROOT / "docs" / "programs-sources.md").read_text(encoding="utf-8")
    for p in load_catalog().programs:
        assert f"| {p.id} |" in record, p.id
