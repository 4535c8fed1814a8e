"""The workbook's VBA project: our thin button module plus xlwings' standalone VBA."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from xlplan.builder.vba_project import VbaModule, build_vba_project, load_macro_sources, xlwings_standalone_modules


def macro_sources() -> list[VbaModule]:
    """macros/*.bas, shipped inside the package as xlplan._macros."""
    return load_macro_sources(Path(str(resources.files("xlplan._macros"))))


def project_modules(sheet_count: int) -> list[VbaModule]:
    documents = [VbaModule("ThisWorkbook", "", "document")]
    documents += [VbaModule(f"Sheet{i}", "", "document") for i in range(1, sheet_count + 1)]
    return [*documents, *macro_sources(), *xlwings_standalone_modules()]


@lru_cache(maxsize=8)
def vba_project_bin(sheet_count: int) -> bytes:
    return build_vba_project(project_modules(sheet_count))
