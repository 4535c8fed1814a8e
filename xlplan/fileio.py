"""Atomic file writes: a crash or a kill never leaves a half-written file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from xlplan.errors import WorkbookWriteError


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> Path | None:
    """Write data to path via a temporary file in the same folder, fsync and rename.

    Returns the backup's path when backup=True and the file existed. The rename
    is atomic on one file system, so readers see either the old or the new file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise WorkbookWriteError(
            f"「{path}」は読み取り専用のため保存できません。ファイルの属性を確認するか、-o で別の名前を指定してください。"
        )
    backup_path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WorkbookWriteError(f"「{folder}」に書き込めません（{exc.strerror}）。保存先のフォルダーを確認してください。") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; a new file gets the usual mode
            if backup:
                backup_path = path.with_name(path.stem + ".bak" + path.suffix)
                shutil.copy2(path, backup_path)
        os.replace(tmp, path)
        _fsync_dir(folder)
    except PermissionError as exc:
        raise WorkbookWriteError(
            f"「{path}」に保存できません。Excel などで開いていれば閉じてから、もう一度実行してください。"
        ) from exc
    except OSError as exc:
        raise WorkbookWriteError(f"「{path}」に保存できません（{exc.strerror}）。") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return backup_path


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported on every platform (e.g. Windows)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
