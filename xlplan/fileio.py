"""Atomic file writes: a crash or a kill never leaves a half-written file.

The new content goes to a hidden temporary file next to the target
(".NAME.<pid>.<random>.tmp"), is fsynced, and renamed over the target. A
SIGKILL or power cut can leave that hidden file behind, never a broken
target; the next write to the same file removes temporaries whose writer is
gone.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from xlplan.errors import WorkbookWriteError

_TMP_SUFFIX = ".tmp"


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False) -> Path | None:
    """Write data to path via a temporary file in the same folder, fsync and rename.

    Returns the backup's path when backup=True and the file existed. The rename
    is atomic on one file system, so readers see either the old or the new file.
    """
    path = Path(path)
    if path.is_symlink():  # replace the file the link points to, not the link
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise WorkbookWriteError(f"「{path}」はフォルダーです。保存するファイルの名前を指定してください。")
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR):
        # The mode bits too: root passes os.access, but a file marked read-only is the user's decision.
        raise WorkbookWriteError(
            f"「{path}」は読み取り専用のため保存できません。ファイルの属性を確認するか、-o で別の名前を指定してください。"
        )
    lock = _excel_owner_file(path)
    if lock is not None:
        raise WorkbookWriteError(
            f"「{path.name}」は Excel で開かれているようです（{lock.name} があります）。Excel でブックを閉じてから、"
            f"もう一度実行してください。Excel を閉じても残っている場合は {lock.name} を削除してください。"
        )
    backup_path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(folder, path.name)
        fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(path.name), suffix=_TMP_SUFFIX, dir=folder)
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
            if backup:
                backup_path = path.with_name(path.stem + ".bak" + path.suffix)
                _copy_atomically(path, backup_path)
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


def _tmp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


def _copy_atomically(src: Path, dst: Path) -> None:
    """Copy src to dst so that dst is either its old self or a complete copy, never half of one."""
    fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(dst.name), suffix=_TMP_SUFFIX, dir=dst.parent)
    os.close(fd)
    try:
        shutil.copy2(src, tmp_name)
        os.replace(tmp_name, dst)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _excel_owner_file(path: Path) -> Path | None:
    """Excel's "~$NAME" owner file, present while the workbook is open in Excel (also on a shared folder)."""
    candidate = path.with_name("~$" + path.name)
    return candidate if path.exists() and candidate.is_file() else None


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove hidden temporaries of earlier writes to this file (or its backup) whose process is gone."""
    stem, dot, suffix = name.rpartition(".")
    prefixes = (f".{name}.", f".{stem}.bak.{suffix}." if dot else f".{name}.bak.")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.endswith(_TMP_SUFFIX) or not entry.name.startswith(prefixes):
            continue
        pid = entry.name[len(next(p for p in prefixes if entry.name.startswith(p))):].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass  # e.g. still open by a live writer on Windows: leave it


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return False  # the unlink fails while the writer still holds the file open
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported on every platform (e.g. Windows)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
