"""Messages without markup: a clerk reads them in an Excel dialog, a cell or a console, where
Markdown (backticks, asterisks) shows as stray characters. Every Japanese string literal in xlplan/
(docstrings aside) is scanned; the one place that writes a Markdown page on purpose (the open data
schema page, docs/opendata-schema.md) is named and exempt."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import xlplan

PACKAGE = Path(xlplan.__file__).parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MARKUP = re.compile(r"`|\*\*|__\S")
# (module, function) that generate Markdown documents, never shown in Excel.
MARKDOWN_WRITERS = {("export/opendata.py", "schema_markdown")}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _exempt(tree: ast.AST, module: str) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and (module, node.name) in MARKDOWN_WRITERS:
            found |= {id(n) for n in ast.walk(node)}
    return found


def markup_in_messages() -> list[str]:
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree) | _exempt(tree, module)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                    and JAPANESE.search(node.value) and MARKUP.search(node.value)):
                hits.append(f"{module}:{node.lineno}: {node.value[:80]}")
    return hits


def test_no_markdown_in_user_facing_strings():
    assert markup_in_messages() == []


def test_the_scan_finds_markup(tmp_path):
    """The scanner itself: a backtick in a Japanese literal is caught, a docstring is not."""
    source = '"""`x` 説明"""\nMESSAGE = "コマンド `xlplan reshape` を実行"\n'
    tree = ast.parse(source)
    literals = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in _docstrings(tree)]
    assert [n.value for n in literals if JAPANESE.search(n.value) and MARKUP.search(n.value)] == [
        "コマンド `xlplan reshape` を実行"]


def test_macros_have_no_markdown():
    macros = PACKAGE.parent / "macros"
    for bas in sorted(macros.glob("*.bas")):
        assert "`" not in bas.read_text(encoding="ascii", errors="replace"), bas.name
