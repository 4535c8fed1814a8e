"""Plans as data: load and save a plan as YAML or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from xlplan.core.model import Plan
from xlplan.errors import XlplanUserError
from xlplan.fileio import atomic_write_text, os_reason, special_file_kind


class PlanFileError(XlplanUserError):
    """A plan file that cannot be read (CLI exit code 2)."""


MAX_PLAN_FILE = 50 * 1024 * 1024  # a plan of thousands of measures is a few MB


def load_plan(path: Path) -> Plan:
    path = Path(path)
    kind = special_file_kind(path)
    if kind is not None:
        raise PlanFileError(f"「{path}」は通常のファイルではありません（{kind}）。計画ファイル（.yaml/.json）を指定してください。")
    try:
        if path.stat().st_size > MAX_PLAN_FILE:
            raise PlanFileError(f"計画ファイル「{path}」は大きすぎるため読み込みません（{path.stat().st_size // 2**20} MB）。")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanFileError(f"計画ファイル「{path}」が見つかりません。パスを確認してください。") from None
    except UnicodeDecodeError:
        raise PlanFileError(f"計画ファイル「{path}」は UTF-8 のテキストではありません。UTF-8 で保存し直してください。") from None
    except OSError as exc:
        raise PlanFileError(f"計画ファイル「{path}」を読めません（{os_reason(exc)}）。パスと権限を確認してください。") from None
    return parse_plan(text, source=str(path), is_json=path.suffix.lower() == ".json")


def parse_plan(text: str, *, source: str = "計画ファイル", is_json: bool = False) -> Plan:
    try:
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark else (f"{exc.lineno}行目" if hasattr(exc, "lineno") else "")
        raise PlanFileError(f"「{source}」{where}の書式が正しくありません: {exc}") from None
    if not isinstance(data, dict):
        raise PlanFileError(f"「{source}」は計画ファイルではありません（先頭に municipality: などの項目が必要です）。")
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(describe_validation_error(exc, data, source)) from None


def describe_validation_error(exc: ValidationError, data: object, source: str) -> str:
    """One Japanese line per problem: the field's path, its value and why."""
    lines = [f"計画ファイル「{source}」に読めない項目があります:"]
    for err in exc.errors(include_url=False):
        path = _path_label(err["loc"], data)
        value = err.get("input")
        shown = "（未入力）" if err["type"] == "missing" else f"「{value}」"
        reason = err.get("ctx", {}).get("error") or _REASONS.get(err["type"], err["msg"])
        lines.append(f"  - {path}: {shown} {reason}")
    return "\n".join(lines)


_REASONS = {
    "missing": "必須の項目です。",
    "extra_forbidden": "この項目はありません。綴りを確認してください。",
    "int_parsing": "整数で入力してください。",
    "float_parsing": "数値で入力してください。",
    "date_from_datetime_parsing": "日付（例: 2026-11-01）で入力してください。",
    "enum": "選択肢にない値です。",
    "literal_error": "選択肢にない値です。",
    "less_than_equal": "値が大きすぎます。",
    "greater_than_equal": "値が小さすぎます。",
}


def _path_label(loc: tuple, data: object) -> str:
    parts: list[str] = []
    node = data
    for key in loc:
        if key == "[key]":
            continue  # pydantic's marker for a dict key that failed (the key is already in the path)
        if isinstance(key, int) and not isinstance(node, dict):  # a list index; int dict keys (年度) are keys
            parts[-1] += f"[{key + 1}番目]" if parts else f"[{key + 1}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and "id" in node and parts and parts[-1].startswith("measures"):
                parts[-1] += f"（施策ID {node['id']}）"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def dump_plan(plan: Plan, fmt: str = "yaml") -> str:
    data = plan.model_dump(mode="json")
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def save_plan(plan: Plan, path: Path, *, overwrite: bool = True) -> None:
    path = Path(path)
    atomic_write_text(path, dump_plan(plan, "json" if path.suffix.lower() == ".json" else "yaml"), overwrite=overwrite)


def plan_json_schema() -> dict:
    return Plan.model_json_schema()
