"""Shared fixtures: the sample plan, the catalog, and workbooks built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.planfile import load_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "sample_plan.yaml"
PLAN_FY = 2027  # the sample's first fiscal year; tests pin "today" inside the plan period


@pytest.fixture(scope="session")
def sample_plan():
    return load_plan(SAMPLE)


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def sample_bytes(sample_plan, catalog) -> bytes:
    return build_workbook(sample_plan, catalog, interpreter="python", current_fy=PLAN_FY)


@pytest.fixture()
def sample_book(tmp_path, sample_bytes) -> Path:
    """A fresh copy of the sample workbook, in a folder with a Japanese name."""
    folder = tmp_path / "計画 フォルダー"
    folder.mkdir()
    path = folder / "青葉台市 計画.xlsm"
    path.write_bytes(sample_bytes)
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")
