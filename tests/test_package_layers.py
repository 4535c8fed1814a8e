"""The package layer stays a stack of small one-job modules: each listed, in order, in the package's
docstring, none over 300 lines, none importing a module listed after it (or the package itself)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import xlplan.adapters.package as package

FOLDER = Path(package.__file__).parent
ORDER = re.findall(r"^    (\w+) {2,}", package.__doc__ or "", re.M)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "xlplan.adapters.package":
                found |= {a.name for a in node.names} | {"<the package>"}
            elif node.module.startswith("xlplan.adapters.package."):
                found.add(node.module.rsplit(".", 1)[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.rsplit(".", 1)[1] for a in node.names if a.name.startswith("xlplan.adapters.package.")}
    return found


def test_every_module_is_listed_in_the_layer_order():
    assert sorted(ORDER) == sorted(p.stem for p in FOLDER.glob("*.py") if p.stem != "__init__")


def test_no_module_imports_one_above_it():
    for position, name in enumerate(ORDER):
        above = set(ORDER[position:]) | {"<the package>"}
        assert not imported_modules(FOLDER / f"{name}.py") & above, name


def test_every_module_is_small_and_says_its_job():
    for path in FOLDER.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 300, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
