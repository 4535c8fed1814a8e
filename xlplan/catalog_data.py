"""Load the packaged catalog (xlplan/data/catalog.yaml, programs.yaml).

catalog_index.json holds each catalog measure's id, domain and 施策名, derived from catalog.yaml
(`python -m xlplan.catalog_data` writes it; tests/test_catalog.py fails while it is out of date):
検証 needs only these on every click, and reading them costs no YAML parser and no models.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:   # the catalog's models are built only when the whole catalog is loaded
    from xlplan.core.catalog import Catalog

INDEX = "catalog_index.json"


def _text(name: str) -> str:
    return resources.files("xlplan.data").joinpath(name).read_text(encoding="utf-8")


def _yaml(name: str):
    import yaml

    # libyaml's parser where PyYAML has it (its wheels for Windows, Linux and macOS link it in):
    # the same data about 8× faster; the pure-Python one otherwise.
    return yaml.load(_text(name), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    from xlplan.core.catalog import Catalog

    return Catalog(measures=_yaml("catalog.yaml"), programs=_yaml("programs.yaml"))


class CatalogName(NamedTuple):
    id: str
    domain: str
    text: str


@lru_cache(maxsize=1)
def catalog_names() -> tuple[CatalogName, ...]:
    """Each catalog measure's id, domain and 施策名 as load_catalog() reads them: what 検証 needs for
    the 施策カタログ's 追加状況, read from the index instead of catalog.yaml."""
    return tuple(CatalogName(*entry) for entry in json.loads(_text(INDEX)))


def index_text() -> str:
    """catalog_index.json as derived from catalog.yaml now."""
    names = [[m.id, m.domain, m.text] for m in load_catalog().measures]
    return "[\n" + ",\n".join(json.dumps(n, ensure_ascii=False) for n in names) + "\n]\n"


if __name__ == "__main__":
    target = Path(__file__).parent / "data" / INDEX
    target.write_text(index_text(), encoding="utf-8", newline="\n")
    print(f"wrote {target}")
