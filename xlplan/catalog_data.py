"""Load the packaged catalog (xlplan/data/catalog.yaml, programs.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from xlplan.core.catalog import Catalog


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = resources.files("xlplan.data")
    measures = yaml.safe_load(data.joinpath("catalog.yaml").read_text(encoding="utf-8"))
    programs = yaml.safe_load(data.joinpath("programs.yaml").read_text(encoding="utf-8"))
    return Catalog(measures=measures, programs=programs)
