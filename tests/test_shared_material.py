"""Tests that need ../shared skip with a reason on a plain clone, and fail under XLPLAN_REQUIRE_SHARED=1."""

from __future__ import annotations

import pytest
from shared_material import FIXTURES, REQUIRE, SEED_MEMO, need


@pytest.mark.parametrize("missing", [FIXTURES / "no-such-fixture.xlsx", SEED_MEMO.with_name("no-such-memo.txt")])
def test_missing_material_skips_with_what_and_how(missing, monkeypatch):
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception) as caught:
        need(missing)
    reason = str(caught.value)
    assert missing.name in reason and "../shared" in reason and REQUIRE in reason
    assert ("XlsxWriter" in reason) if missing.parent == FIXTURES else ("maintainers" in reason)


def test_required_material_fails_instead(monkeypatch):
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="no-such-fixture.xlsx"):
        need(FIXTURES / "no-such-fixture.xlsx")
