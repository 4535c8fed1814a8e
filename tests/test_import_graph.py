"""The house's floors: module-level imports form no cycle and go downwards only.

core (pure) ← layout (the workbook's shape) ← adapters (files, live Excel) ← everything above
(builder, export, operations, the CLI and the buttons). Imports inside functions (kept lazy for
start-up time) are not counted: they run after every module is loaded. docs/usage.md 「どこに何があるか」
describes the same floors.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What each floor may import at module level (besides itself).
ALLOWED = {
    "core": {"errors"},
    "layout": {"core", "errors"},
    "adapters": {"core", "layout", "errors", "fileio"},
}
ENTRY_POINTS = {"cli", "excel", "__main__"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "xlplan").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    result = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.parse(path.read_text(encoding="utf-8")).body:   # module level only; if-blocks are TYPE_CHECKING
        if isinstance(node, ast.Import):
            result |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            result.add(base)
            result |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in result if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _floor(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_module_imports_form_no_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_floors_import_only_downwards():
    wrong = [(m, d) for m, deps in _graph().items() for d in deps
             if _floor(m) in ALLOWED and _floor(d) != _floor(m) and _floor(d) not in ALLOWED[_floor(m)]]
    assert wrong == []


def test_nothing_imports_the_entry_points():
    wrong = [(m, d) for m, deps in _graph().items() for d in deps
             if _floor(d) in ENTRY_POINTS and _floor(m) not in ENTRY_POINTS]
    assert wrong == []
