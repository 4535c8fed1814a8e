"""The golden write cases: inputs, ops as JSON, and the digest of what the package layer writes.

    python tests/golden/golden.py cases      # rewrite cases.json (ops read off the committed inputs)
    python tests/golden/golden.py expected   # rewrite expected.json from what the code writes now

Both are deliberate acts (see README.md); the test only reads these files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sys
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "excel-authored"
CASES = HERE / "cases.json"
EXPECTED = HERE / "expected.json"
SAMPLE = HERE / "sample.xlsm"


# ------------------------------------------------------------------ ops <-> JSON

def op_to_json(op) -> dict:
    from dataclasses import asdict

    data = {"op": type(op).__name__, **asdict(op)}
    if "values" in data:
        data["values"] = [[_value_to_json(v) for v in line] for line in op.values]
    return data


def _value_to_json(value):
    from xlplan.layout.cells import Formula

    if isinstance(value, Formula):
        return {"formula": value.text, "cached": value.cached}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"no JSON form for {value!r}")


def op_from_json(data: dict):
    from xlplan.layout import ops
    from xlplan.layout.cells import Formula

    fields = dict(data)
    kind = getattr(ops, fields.pop("op"))
    if "values" in fields:
        fields["values"] = [[Formula(v["formula"], v["cached"]) if isinstance(v, dict) else v for v in line]
                            for line in fields["values"]]
    return kind(**fields)


# ------------------------------------------------------------------ running a case

def input_path(name: str) -> Path:
    """'sample.xlsm' is committed here; 'shared:NAME' is an Excel-written fixture in ../shared."""
    return FIXTURES / name.removeprefix("shared:") if name.startswith("shared:") else HERE / name


def run(case: dict) -> dict:
    """What the package layer makes of the case: digests of the package written, or the refusal."""
    from xlplan.adapters.package import patch_package
    from xlplan.errors import XlplanUserError

    data = input_path(case["input"]).read_bytes()
    try:
        out = patch_package(data, [op_from_json(op) for op in case["ops"]], in_place=case.get("in_place", True))
    except XlplanUserError as exc:
        return {"error": str(exc)}
    return {"sha256": hashlib.sha256(out).hexdigest(), "parts": parts_digest(out)}


def parts_digest(data: bytes) -> str:
    """SHA-256 over each part's name, zip metadata and uncompressed bytes, in zip order: the same bytes
    whatever zlib build deflated them (the whole-file SHA-256 depends on the zlib version)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            head = (info.filename, info.date_time, info.compress_type, info.external_attr, info.flag_bits)
            digest.update(repr(head).encode() + hashlib.sha256(z.read(info.filename)).digest())
    return digest.hexdigest()


def load_cases() -> list[dict]:
    return json.loads(CASES.read_text(encoding="utf-8"))


def load_expected() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def write_expected() -> None:
    cases = load_cases()
    missing = sorted({c["input"] for c in cases if not input_path(c["input"]).exists()})
    if missing:
        sys.exit(f"missing inputs (../shared must be beside the repo): {missing}")
    expected = {"zlib": zlib.ZLIB_RUNTIME_VERSION, "results": {c["name"]: run(c) for c in cases}}
    EXPECTED.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED.relative_to(ROOT)}: {len(cases)} cases")


# ------------------------------------------------------------------ the cases

def sample_cases() -> list[dict]:
    """Every op type on several sheets of the sample: hand-placed inserts (above, inside and below
    notes, drawings, the chart's range and defined names), and what the commands really write."""
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.catalog_data import load_catalog
    from xlplan.layout import sheets as L
    from xlplan.layout.cells import Formula
    from xlplan.layout.ops import FitRows, InsertRows, ReplaceValues, SetValues
    from xlplan.layout.read import read_plan
    from xlplan.operations import clear_marks_ops, populate_ops, progress_fy, progress_ops, schedule_ops, validate_ops

    today = dt.date(2027, 6, 1)
    read = read_plan(read_values(SAMPLE))
    domain = "健康・医療・介護"
    holes = [["文字", None, 12], [None, None, None], [2.5, True, Formula("N6*2", 0)], [None, "改行\nあり", None]]
    long_text = "長い説明文が入ります。" * 12
    used = {x.catalog_id for x in read.plan.measures}
    fresh = [m for m in load_catalog().measures if m.id not in used]
    new_ids = [next(m.id for m in fresh if m.domain == d) for d in (domain, "電子行政", "観光")]
    cases = {
        "sample-insert-above-everything": [InsertRows(domain, 0, 2)],
        "sample-insert-at-table-top": [InsertRows(domain, 4, 1), SetValues(domain, 4, 0, [["x", None, "新しい施策"]])],
        "sample-insert-inside-notes-and-names": [InsertRows(domain, 6, 3)],
        "sample-insert-inside-drawings": [InsertRows(domain, 12, 2), InsertRows(domain, 20, 1)],
        "sample-insert-below-everything": [InsertRows(domain, 40, 5)],
        "sample-insert-other-domain": [InsertRows("電子行政", 5, 1), SetValues("電子行政", 5, 2, [["追加"]])],
        "sample-insert-user-sheet": [InsertRows("メモ", 1, 1), SetValues("メモ", 1, 0, [["新しい行", 3]])],
        "sample-set-values-with-holes": [SetValues(domain, 5, 2, holes), SetValues(L.INFO, 2, 1, [[None], ["青葉台市"]])],
        "sample-set-values-new-rows-and-columns": [SetValues(domain, 50, 27, holes), SetValues("メモ", 9, 5, [[1, None, 3]])],
        "sample-replace-values": [ReplaceValues(L.SCHEDULE, 3, [["a", None, 1], [None], [Formula("1+1", 2)]]),
                                  ReplaceValues(L.FINDINGS, 0, [["検証結果"], [None, "なし"]])],
        "sample-fit-rows": [SetValues(domain, 5, 5, [[long_text], [long_text + long_text]]), FitRows(domain, 4, 6),
                            FitRows(L.INFO, 0, 12)],
        "sample-every-op-one-sheet": [InsertRows(domain, 7, 2), SetValues(domain, 7, 0, holes[:2]),
                                      FitRows(domain, 7, 2), ReplaceValues("メモ", 2, [["置き換え"]])],
        "sample-populate": populate_ops(read, load_catalog(), new_ids).ops,
        "sample-validate": validate_ops(read, today=today)[1],
        "sample-schedule": schedule_ops(read, today=today),
        "sample-progress": progress_ops(read, progress_fy(read, today=today)),
        "sample-clear-marks": clear_marks_ops(),
    }
    return [{"name": name, "input": SAMPLE.name, "ops": [op_to_json(op) for op in ops]} for name, ops in cases.items()]


def fixture_cases() -> list[dict]:
    """On every Excel-written fixture: rows inserted at the top and in the middle (in place, and
    into a copy where in place is refused), values with holes, a replaced block, fitted rows."""
    from xlplan.adapters.package import sheet_part_map
    from xlplan.layout.cells import Formula
    from xlplan.layout.ops import FitRows, InsertRows, ReplaceValues, SetValues

    result = []
    for path in sorted(FIXTURES.glob("*.xls*")):
        with zipfile.ZipFile(path) as z:
            sheets = list(sheet_part_map(z))
        first, last = sheets[0], sheets[-1]
        cases = {
            "insert-top": (True, [InsertRows(first, 0, 2), SetValues(first, 0, 0, [["xlplan", None, 3]])]),
            "insert-middle": (True, [InsertRows(first, 4, 3)]),
            "insert-middle-copy": (False, [InsertRows(first, 4, 3), InsertRows(last, 1, 1)]),
            "set-values": (True, [SetValues(first, 1, 1, [[1, None, "文字"], [None, 2.5, Formula("A1+1", 1)]])]),
            "replace-and-fit": (True, [ReplaceValues(last, 3, [["置き換え", None, "長い文字列 " * 20]]),
                                       FitRows(last, 0, 8)]),
        }
        for name, (in_place, ops) in cases.items():
            result.append({"name": f"{path.stem}-{name}", "input": f"shared:{path.name}", "in_place": in_place,
                           "ops": [op_to_json(op) for op in ops]})
    return result


def write_cases() -> None:
    cases = sample_cases() + fixture_cases()
    CASES.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CASES.relative_to(ROOT)}: {len(cases)} cases")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    {"cases": write_cases, "expected": write_expected}[sys.argv[1]]()
