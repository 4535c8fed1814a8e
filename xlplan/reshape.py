"""Reshape a workbook file in place: the plan period and start, domains renamed.

Pass 1 (xlplan.reshape_plan) through the package layer in memory, pass 2 (the sheets xlplan owns,
redrawn) from a temporary copy read back, then one atomic write; what was dropped goes to
「削除した内容」 and to a YAML file beside the workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from xlplan.adapters.package import patch_package
from xlplan.adapters.package.physical import read_file, write_file
from xlplan.core.reshape import Dropped, YearChange
from xlplan.core.vocab import Subdivision
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.reshape_plan import (
    DROPPED_SHEET,
    ReshapeRequest,
    dropped_message,
    dropped_sheet_ops,
    plan_reshape,
    read_for_reshape,
    regenerate_ops,
)


@dataclass
class ReshapeResult:
    change: YearChange
    dropped: list[Dropped] = field(default_factory=list)
    dropped_file: Path | None = None
    renamed: list[tuple[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    subdivision: tuple[Subdivision, Subdivision] | None = None   # (before, after) when the 工程表's changed
    cost_columns: bool | None = None     # True: 概算事業費・財源 added, False: removed


def reshape_file(path: Path, request: ReshapeRequest = ReshapeRequest(), *, force: bool = False,
                 today: dt.datetime | None = None) -> ReshapeResult:
    from xlplan.adapters.xlsx_file import read_values_then
    from xlplan.layout.read import percent_columns, plan_sheets
    from xlplan.reshape_domain_changes import recorded_domains
    from xlplan.reshape_domains import rewrite_mark_literals

    path = Path(path)
    # the domain sheets _lists records too: 基本情報's list may have dropped one the clerk wants removed
    values = read_values_then(
        path, lambda first: plan_sheets(first.get(L.INFO, []), (L.SCHEDULE, L.LISTS, *recorded_domains(first.get(L.LISTS)))),
        first=(L.INFO, L.LISTS), percent_columns=percent_columns)
    read, request = read_for_reshape(values, values.sheet_names, request)
    plan = plan_reshape(read, values, values.sheet_names, request)
    if plan.dropped and not force:
        raise XlplanUserError(dropped_message(plan.dropped))
    structured = rewrite_mark_literals(patch_package(read_file(path), plan.ops), plan.mark_renames)
    stamp = (today or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    final = regenerate(path, structured, plan.dropped, stamp)
    result = ReshapeResult(plan.change, plan.dropped, renamed=plan.renamed, added=plan.added, removed=plan.removed,
                           subdivision=plan.subdivision, cost_columns=plan.cost_columns)
    if plan.dropped:
        result.dropped_file = write_dropped_yaml(path, plan.dropped, stamp)
    write_file(path, final)
    return result


def regenerate(path: Path, data: bytes, dropped: list[Dropped], stamp: str) -> bytes:
    """Pass 2 on the reshaped package, read from a temporary copy beside the workbook."""
    from xlplan.adapters.xlsx_file import read_plan_values, read_values, sheet_names
    from xlplan.layout.read import read_plan

    fd, name = tempfile.mkstemp(suffix=path.suffix, prefix=".xlplan-reshape-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        read = read_plan(read_plan_values(Path(name), (L.SCHEDULE,)))
        existing = (read_values(Path(name), [DROPPED_SHEET]).get(DROPPED_SHEET)
                    if dropped and DROPPED_SHEET in sheet_names(Path(name)) else None)
    finally:
        os.unlink(name)
    return patch_package(data, regenerate_ops(read) + dropped_sheet_ops(dropped, stamp, existing))


def write_dropped_yaml(path: Path, dropped: list[Dropped], stamp: str) -> Path:
    from xlplan.fileio import atomic_write_bytes

    target = path.with_name(f"{path.stem}_{DROPPED_SHEET}.yaml")
    entries = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else None
    entries = entries if isinstance(entries, list) else []
    entries.append({"日時": stamp, "ブック": path.name, "削除した内容": [d.as_dict() for d in dropped]})
    atomic_write_bytes(target, yaml.safe_dump(entries, allow_unicode=True, sort_keys=False).encode("utf-8"))
    return target
