"""The package layer writes the same bytes it wrote when the golden cases were recorded.

Every write op (values with holes, rows inserted above, inside and below notes, drawings, charts
and names, replaced blocks, fitted rows, and what populate, validate, schedule and progress
really write) on the committed golden sample and on each Excel-written fixture in ../shared.
tests/golden/README.md says how to re-record on purpose.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import pytest
from shared_material import need

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

import golden  # noqa: E402

CASES = golden.load_cases()
EXPECTED = golden.load_expected()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_write_op_gives_the_recorded_bytes(case):
    need(golden.input_path(case["input"]))  # the Excel-written fixtures live in ../shared
    expected = EXPECTED["results"][case["name"]]
    got = golden.run(case)
    if "error" in expected:
        assert got == expected
        return
    assert got.get("parts") == expected["parts"], got.get("error", "the parts written differ")
    if zlib.ZLIB_RUNTIME_VERSION == EXPECTED["zlib"]:  # another zlib deflates the changed parts differently
        assert got["sha256"] == expected["sha256"]


def test_every_case_has_a_recorded_result():
    assert sorted(EXPECTED["results"]) == sorted(c["name"] for c in CASES)
    kinds = {op["op"] for c in CASES for op in c["ops"]}
    assert kinds >= {"SetValues", "InsertRows", "ReplaceValues", "FitRows"}
