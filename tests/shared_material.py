"""Material that lives outside the repository, in ../shared beside it, and what a test does without it.

A plain clone has no ../shared: the tests that need it skip, and their reason names what is
missing and how to get it. CI sets XLPLAN_REQUIRE_SHARED=1 (.ci/run), under which the same
tests fail instead, so they are never lost there. README.md lists these tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "excel-authored"
SEED_MEMO = SHARED / "seed" / "000_c918d7469bef0944.txt"
REQUIRE = "XLPLAN_REQUIRE_SHARED"

_HOW = {
    FIXTURES: "Excel-written workbooks from XlsxWriter's comparison tests (BSD-2-Clause): copy "
              "xlsxwriter/test/comparison/xlsx_files/<name> from https://github.com/jmcnamara/XlsxWriter "
              "into ../shared/fixtures/excel-authored/",
    SEED_MEMO: "the user's working memo the catalog's 44 measures were transcribed from; it is not public, "
               "ask the project's maintainers for ../shared/seed/",
}


def require_shared() -> bool:
    return os.environ.get(REQUIRE, "") not in ("", "0")


def missing_reason(path: Path) -> str:
    base = next((b for b in _HOW if path == b or b in path.parents), None)
    how = _HOW.get(base, "ask the project's maintainers for ../shared")
    return (f"needs {path.relative_to(SHARED.parent)} (../shared beside the repository), which this checkout "
            f"does not have: {how}. Set {REQUIRE}=1 to make this a failure (CI does).")


def need(path: Path) -> Path:
    """path, if it exists; else skip the test with the reason, or fail it under XLPLAN_REQUIRE_SHARED=1."""
    if path.exists():
        return path
    if require_shared():
        pytest.fail(missing_reason(path), pytrace=False)
    pytest.skip(missing_reason(path))


def fixture_names(pattern: str = "*.xls*") -> list[str]:
    """The Excel-written fixtures' names for parametrize; one placeholder that skips (or fails) when absent."""
    names = sorted(p.name for p in FIXTURES.glob(pattern))
    return names or ["(../shared/fixtures/excel-authored is missing)"]


def excel_fixture(name: str) -> bytes:
    return need(FIXTURES if name.startswith("(") else FIXTURES / name).read_bytes()
