"""The xlplan command line: the same operations as the Excel buttons, headless.

``app`` and the helpers live in xlplan.cli.app; each module below adds its group
of commands to it. The import order is the order of ``xlplan --help``.
"""

from __future__ import annotations

import sys

from xlplan.cli import plan, outputs, survey, excel, rollup, programs, tools  # noqa: F401 — registers the commands
from xlplan.cli.app import EXIT_INPUT, app, err
from xlplan.errors import XlplanUserError

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point: user errors print a Japanese message and exit 2, without a traceback."""
    try:
        app()
    except XlplanUserError as exc:
        err.print(f"[bold red]エラー:[/] {exc}", highlight=False)
        sys.exit(EXIT_INPUT)
