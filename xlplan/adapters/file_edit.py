"""A read-modify-write of a workbook file, whole, under its lock.

Commands that change a workbook do: read it, compute ops, write them (populate then writes
again: the findings for the rows it moved). All of it happens inside one FileEdit, which holds
the lock on the file being replaced (xlplan.adapters.lock) from before the first read to after
the last write, and hands the identity taken under the lock to every write, so nothing changed
in between is overwritten.

    with FileEdit(path, output, backup=False, force=False, command="validate") as edit:
        read = edit.read()
        edit.write(ops)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from xlplan.adapters.lock import WorkbookLock, workbook_lock
from xlplan.fileio import check_new_target, check_regular_input
from xlplan.layout.ops import Op

ELSEWHERE = "-o 別の名前.xlsm を付けて別のファイルに書き出してください"


def same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a) == Path(b) or (Path(b).exists() and os.path.samefile(a, b))
    except OSError:
        return False


class FileEdit:
    def __init__(self, path: Path, output: Path | None = None, *, backup: bool = False, force: bool = False,
                 command: str = "") -> None:
        self.source = Path(path)
        self.output = None if output is None or same_file(output, path) else Path(output)
        self.backup = backup
        self.force = force
        self.command = command
        self.lock: WorkbookLock | None = None
        self.notes: list[str] = []  # what the clerk should know about the written file
        self._stack = ExitStack()

    @property
    def target(self) -> Path:
        return self.output or self.source

    def __enter__(self) -> FileEdit:
        check_regular_input(self.source)
        if self.output is not None:
            from xlplan.adapters.package.parts import WORKBOOK_SUFFIXES, match_extension

            check_new_target(self.output, self.force)  # before any work: the clerk learns at once
            if self.output.suffix.lower() not in WORKBOOK_SUFFIXES:
                match_extension(b"", self.output.suffix)  # raises the message naming the extensions
        self.lock = self._stack.enter_context(workbook_lock(self.target, self.command))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def read(self, extra: Iterable[str] = ()):
        """The plan in the workbook as it is now (after this edit's earlier writes)."""
        from xlplan.adapters.xlsx_file import read_plan_file

        return read_plan_file(self.source, tuple(extra))

    def write(self, ops: list[Op]) -> Path:
        """Apply ops; later writes of this edit build on this one, in place."""
        from xlplan.adapters.package import apply_ops

        assert self.lock is not None, "FileEdit.write outside its with block"
        if not ops and self.output is None:
            return self.target   # nothing to change in place; a copy asked for with -o is still written
        dst = apply_ops(self.source, ops, self.output, backup=self.backup, force=self.force,
                        expect=self.lock.identity, elsewhere=ELSEWHERE, notes=self.notes)
        self.lock.refresh()
        self.source, self.output, self.backup, self.force = dst, None, False, False
        return dst
