"""Load the packaged catalog (xlplan/data/catalog.yaml, programs.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

import yaml

if TYPE_CHECKING:   # the catalog's models are built only when the whole catalog is loaded
    from xlplan.core.catalog import Catalog

# libyaml's parser where PyYAML has it (its wheels for Windows, Linux and macOS link it in):
# the same data about 8× faster, which a button click feels; the pure-Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _data(name: str):
    return yaml.load(resources.files("xlplan.data").joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    from xlplan.core.catalog import Catalog

    return Catalog(measures=_data("catalog.yaml"), programs=_data("programs.yaml"))


class CatalogName(NamedTuple):
    id: str
    domain: str
    text: str


@lru_cache(maxsize=1)
def catalog_names() -> tuple[CatalogName, ...]:
    """Each catalog measure's id, domain and 施策名 as load_catalog() reads them (stripped), without
    programs.yaml or the models: what 検証 needs for the 施策カタログ's 追加状況 on every click."""
    return tuple(CatalogName(*(m[key].strip() for key in ("id", "domain", "text"))) for m in _data("catalog.yaml"))
