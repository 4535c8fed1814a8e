"""Plan files: the sample, YAML/JSON round trips, JSON Schema and readable errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from xlplan.core.model import Plan
from xlplan.core.vocab import Phase, Pillar
from xlplan.planfile import PlanFileError, dump_plan, load_plan, parse_plan, plan_json_schema, save_plan

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "sample_plan.yaml"

try:
    import jsonschema
except ImportError:  # pragma: no cover - jsonschema is installed in this environment
    jsonschema = None


@pytest.fixture(scope="module")
def sample() -> Plan:
    return load_plan(SAMPLE)


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def parse_error(text: str, **kwargs) -> str:
    with pytest.raises(PlanFileError) as info:
        parse_plan(text, source="plan.yaml", **kwargs)
    message = str(info.value)
    assert has_japanese(message)
    return message


MINIMAL = "municipality: 青葉台市\nstart_fy: 2027\n"


def with_measure(body: str) -> str:
    return MINIMAL + "measures:\n  - id: X1\n    domain: 電子行政\n" + body


# ------------------------------------------------------------------ the sample

def test_sample_loads(sample):
    assert sample.municipality == "青葉台市"
    assert sample.start_fy == 2027  # written 令和9年度
    assert sample.end_fy == 2031
    assert sample.fiscal_years == [2027, 2028, 2029, 2030, 2031]
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert [m.id for m in sample.measures] == [m["id"] for m in raw["measures"]]
    assert len(sample.measures) == 35
    assert [p.id for p in sample.programs] == ["K01"]
    assert len({m.id for m in sample.measures}) == len(sample.measures)


def test_sample_labels_are_normalised(sample):
    dg07 = next(m for m in sample.measures if m.id == "DG-07")
    assert sorted(dg07.schedule) == [2027, 2028, 2029, 2030, 2031]  # written 令和9年度 …
    assert dg07.schedule[2029] == (Phase.EXPAND,)
    assert dg07.pillar is Pillar.P13
    assert sample.related_plans[0].start_fy == 2026  # 令和8年度


def test_sample_covers_every_pillar_and_domain(sample):
    assert {m.pillar for m in sample.measures} == set(Pillar)
    assert {m.domain for m in sample.measures} == set(sample.domains)


# ------------------------------------------------------------------ round trips

@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dump_then_parse_is_equal(sample, fmt):
    text = dump_plan(sample, fmt)
    assert parse_plan(text, is_json=fmt == "json") == sample


def test_json_dump_is_json_with_japanese_unescaped(sample):
    text = dump_plan(sample, "json")
    data = json.loads(text)
    assert data["municipality"] == "青葉台市"
    assert "青葉台市" in text  # ensure_ascii=False


def test_yaml_dump_keeps_field_order(sample):
    data = yaml.safe_load(dump_plan(sample))
    assert list(data)[:4] == ["schema_version", "municipality", "body_type", "prefecture"]


@pytest.mark.parametrize("name", ["plan.yaml", "plan.json", "青葉台市 計画.yaml", "青葉台市 計画.json", "sub/dir/計画.YAML"])
def test_save_then_load_is_equal(sample, tmp_path, name):
    path = tmp_path / name
    save_plan(sample, path)
    assert path.is_file()
    assert load_plan(path) == sample
    if path.suffix.lower() == ".json":
        json.loads(path.read_text(encoding="utf-8"))


def test_save_overwrites_and_leaves_no_temporary_files(sample, tmp_path):
    path = tmp_path / "計画.yaml"
    path.write_text("old", encoding="utf-8")
    save_plan(sample, path)
    assert load_plan(path) == sample
    assert [p.name for p in tmp_path.iterdir()] == ["計画.yaml"]


def test_load_accepts_a_byte_order_mark(sample, tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + dump_plan(sample).encode("utf-8"))
    assert load_plan(path) == sample


# ------------------------------------------------------------------ JSON Schema

def test_json_schema_validates_the_sample(sample):
    schema = plan_json_schema()
    assert schema == Plan.model_json_schema()
    if jsonschema is None:
        pytest.skip("jsonschema is not installed; only the schema's shape was checked")
    instance = json.loads(dump_plan(sample, "json"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator_cls(schema).validate(instance)


def test_json_schema_rejects_an_unknown_key(sample):
    if jsonschema is None:
        pytest.skip("jsonschema is not installed")
    instance = json.loads(dump_plan(sample, "json"))
    instance["unknown_key"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(instance, plan_json_schema())


# ------------------------------------------------------------------ bad files

def test_bad_fiscal_year_names_field_and_value():
    message = parse_error("municipality: 青葉台市\nstart_fy: 令和99年\n")
    assert "start_fy" in message
    assert "「令和99年」" in message
    assert "範囲外" in message


def test_date_for_fiscal_year_names_field_and_value():
    message = parse_error("municipality: 青葉台市\nstart_fy: 2027-04-01\n")
    assert "start_fy" in message and "「2027-04-01」" in message and "日付" in message


def test_unknown_pillar_names_measure_and_value():
    message = parse_error(with_measure("    pillar: 99条\n"))
    assert "measures[1番目]" in message
    assert "施策ID X1" in message
    assert ".pillar" in message
    assert "「99条」" in message
    assert "柱" in message


def test_non_numeric_target_value():
    message = parse_error(with_measure("    kpis:\n      - name: 件数\n        target_value: abc\n"))
    assert "kpis[1番目].target_value" in message
    assert "「abc」" in message
    assert "数値" in message


def test_unknown_key_at_top_level():
    message = parse_error(MINIMAL + "municipalty_typo: 1\n")
    assert "municipalty_typo" in message
    assert "この項目はありません" in message


def test_unknown_key_in_a_measure():
    message = parse_error(with_measure("    onwer: DX推進課\n"))
    assert "measures[1番目]（施策ID X1）.onwer" in message
    assert "「DX推進課」" in message


def test_missing_required_field():
    message = parse_error("start_fy: 2027\n")
    assert "municipality" in message and "必須" in message


def test_bad_phase_names_the_fiscal_year_key():
    message = parse_error(with_measure("    schedule: {2027: 休止}\n"))
    assert "schedule.2027" in message
    assert "「休止」" in message
    assert "番目" not in message.split("schedule", 1)[1]  # a year is a key, not the 2028th item


def test_bad_interim_value_names_the_fiscal_year_key():
    message = parse_error(with_measure(
        "    kpis:\n      - name: 件数\n        interim: {2029: たくさん}\n"))
    assert "kpis[1番目].interim.2029" in message
    assert "「たくさん」" in message


def test_bad_fiscal_year_key():
    message = parse_error(with_measure("    schedule: {令和0年度: 検討}\n"))
    assert "schedule.令和0年度" in message
    assert "[key]" not in message
    assert "元年" in message


def test_plan_length_out_of_model_range():
    message = parse_error(MINIMAL + "years: 0\n")
    assert "years" in message and "「0」" in message


def test_several_problems_are_all_listed():
    message = parse_error("start_fy: abc\nyears: 100\n")
    lines = message.splitlines()
    assert len(lines) == 4  # header + municipality + start_fy + years
    assert any("municipality" in line for line in lines)
    assert any("start_fy" in line and "「abc」" in line for line in lines)
    assert any("years" in line and "「100」" in line for line in lines)


def test_yaml_syntax_error_gives_the_line():
    message = parse_error("municipality: 青葉台市\nstart_fy: [2027\nyears: 5\n")
    assert "plan.yaml" in message
    assert "3行目" in message
    assert "書式" in message


def test_json_syntax_error_gives_the_line():
    message = parse_error('{"municipality": "青葉台市",\n "start_fy": }', is_json=True)
    assert "2行目" in message


@pytest.mark.parametrize("text", ["- a\n- b\n", "", "just text\n", "42\n"])
def test_non_mapping_document(text):
    message = parse_error(text)
    assert "計画ファイルではありません" in message
    assert "municipality" in message


def test_missing_file(tmp_path):
    path = tmp_path / "ない計画.yaml"
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert "見つかりません" in str(info.value)
    assert str(path) in str(info.value)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "sjis.yaml"
    path.write_bytes("municipality: 青葉台市\nstart_fy: 2027\n".encode("cp932"))
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert "UTF-8" in str(info.value)
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(PlanFileError) as info:
        load_plan(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_json_suffix_is_parsed_as_json(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("municipality: 青葉台市\nstart_fy: 2027\n", encoding="utf-8")  # YAML, not JSON
    with pytest.raises(PlanFileError):
        load_plan(path)
