"""Atomic file writes: a crash or a kill never leaves a half-written file.

The new content goes to a hidden temporary file next to the target
(".NAME.<pid>.<random>.tmp", with NAME shortened when the target's own name is
near the file system's limit), is fsynced, and renamed over the target. A
SIGKILL or power cut can leave that hidden file behind, never a broken
target; the next write to the same file removes temporaries whose writer is
gone.

Only a regular file is ever replaced: a device (/dev/null), a named pipe or a
socket given as a target is refused, never swapped for a file. A target that
must be new (overwrite=False) is created without replacing anything, and a
target whose identity was taken when it was read (expect=…) is checked again
just before the rename, so a change made in between is never overwritten.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xlplan.errors import WorkbookReadError, WorkbookWriteError, XlplanUserError

_TMP_SUFFIX = ".tmp"
NAME_MAX = 255          # bytes, on the common file systems (ext4, NTFS in UTF-16 units, APFS)
_SIDE_ROOM = 40         # what a hidden side file adds to the name: ".", ".<pid>.<random>.tmp"

# What the clerk can do about an OS error, in Japanese (strerror is English).
_OS_REASONS = {
    errno.ENOSPC: "ディスクの空きが足りません",
    errno.EDQUOT: "ディスクの使用量の上限を超えています",
    errno.EACCES: "アクセス権がありません",
    errno.EPERM: "操作が許可されていません",
    errno.EROFS: "読み取り専用のドライブです",
    errno.ENAMETOOLONG: "ファイル名が長すぎます",
    errno.ENOENT: "フォルダーが見つかりません",
    errno.EBUSY: "ほかのプログラムが使用中です",
    errno.EIO: "ディスクの読み書きに失敗しました",
    errno.EXDEV: "別のドライブへは移動できません",
    errno.ENOTDIR: "途中にフォルダーでないものがあります",
    errno.EISDIR: "フォルダーです",
}


def os_reason(exc: OSError) -> str:
    """The OS error in Japanese; unknown ones keep their number for a support question."""
    return _OS_REASONS.get(exc.errno or 0, f"OS のエラー {exc.errno}")


@dataclass(frozen=True)
class FileIdentity:
    """What tells a file from a changed one: device and inode (a replaced file), size and mtime (an edited one)."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def special_file_kind(path: Path) -> str | None:
    """The kind of a path that exists but is not a regular file or a folder (following links), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "名前付きパイプ（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "デバイス"
    if stat.S_ISSOCK(mode):
        return "ソケット"
    return "特殊なファイル"


def check_regular_input(path: Path) -> None:
    """Refuse an input that is a device, pipe or socket before anything opens it (opening a FIFO blocks)."""
    kind = special_file_kind(path)
    if kind is not None:
        raise WorkbookReadError(f"「{path}」は通常のファイルではありません（{kind}）。Excel ブックのファイルを指定してください。")


def check_new_target(path: Path, force: bool, *, option: str = "--force") -> None:
    """A target that exists is replaced only when the clerk said so; a special file never."""
    path = Path(path)
    _check_regular_target(path)
    if path.is_dir():
        raise WorkbookWriteError(f"「{path}」はフォルダーです。保存するファイルの名前を指定してください。")
    if path.exists() and not force:
        raise WorkbookWriteError(f"「{path}」は既にあります。上書きする場合は {option} を付けてください"
                                 "（別の名前を指定すれば、既にあるファイルはそのまま残ります）。")


def _check_regular_target(path: Path) -> None:
    kind = special_file_kind(path)
    if kind is not None:
        raise WorkbookWriteError(f"「{path}」は通常のファイルではない（{kind}）ため、保存先にできません。"
                                 "保存先には通常のファイルの名前を指定してください。")


def atomic_write_bytes(path: Path, data: bytes, *, backup: bool = False, overwrite: bool = True,
                       expect: FileIdentity | None = None, elsewhere: str = "別の名前で保存してください") -> Path | None:
    """Write data to path via a temporary file in the same folder, fsync and rename.

    Returns the backup's path when backup=True and the file existed. The rename
    is atomic on one file system, so readers see either the old or the new file.
    overwrite=False: the target must not exist (checked atomically, by a hard link
    where the file system has them). expect: the target's identity when it was
    read; if it changed since, nothing is written. elsewhere: how to save under
    another name instead, for the read-only message (e.g. the command's -o).
    """
    path = Path(path)
    if path.is_symlink():  # replace the file the link points to, not the link
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    _check_regular_target(path)
    if path.is_dir():
        raise WorkbookWriteError(f"「{path}」はフォルダーです。保存するファイルの名前を指定してください。")
    if not overwrite and path.exists():
        check_new_target(path, force=False)
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR):
        # The mode bits too: root passes os.access, but a file marked read-only is the user's decision.
        raise WorkbookWriteError(
            f"「{path}」は読み取り専用のため保存できません。ファイルの属性を確認するか、{elsewhere}。"
        )
    from xlplan.adapters.lock import refuse_if_open_by_person

    refuse_if_open_by_person(path)
    backup_path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(folder, path.name)
        fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(path.name), suffix=_TMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise WorkbookWriteError(f"「{folder}」に書き込めません（{os_reason(exc)}）。保存先のフォルダーを確認してください。") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if expect is not None:
            check_unchanged(path, expect)
        if path.exists():
            shutil.copymode(path, tmp)
            if backup:
                backup_path = path.with_name(path.stem + ".bak" + path.suffix)
                _copy_atomically(path, backup_path)
        if overwrite:
            os.replace(tmp, path)
        else:
            _create_new(tmp, path)
        _fsync_dir(folder)
    except XlplanUserError:
        raise
    except PermissionError as exc:
        raise WorkbookWriteError(
            f"「{path}」に保存できません。Excel などで開いていれば閉じてから、もう一度実行してください。"
        ) from exc
    except OSError as exc:
        raise WorkbookWriteError(f"「{path}」に保存できません（{os_reason(exc)}）。") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return backup_path


def check_unchanged(path: Path, expect: FileIdentity) -> None:
    """Refuse when the file is no longer the one that was read (saved by Excel, replaced, edited)."""
    if FileIdentity.of(path) != expect:
        raise WorkbookWriteError(
            f"「{Path(path).name}」は xlplan が読み込んだ後に、別のプログラム（Excel など）で変更されました。"
            "その変更を消さないよう、書き込みを取りやめました。もう一度実行してください。")


def _create_new(tmp: Path, path: Path) -> None:
    """Move tmp to path only if path does not exist: a hard link fails on an existing name, atomically."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        check_new_target(path, force=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists():  # no hard links here (e.g. FAT, some network drives): check, then rename
            check_new_target(path, force=False)
        os.replace(tmp, path)
        return
    tmp.unlink()


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8", overwrite: bool = True) -> None:
    atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)


def side_stem(name: str) -> str:
    """The target's name as used in its hidden side files (temporaries, lock): shortened, with a hash
    to keep it unique, when the name is too long for a side file to fit the file system's limit."""
    if len(name.encode("utf-8")) + _SIDE_ROOM <= NAME_MAX:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    short = name.encode("utf-8")[:100].decode("utf-8", "ignore")
    return f"{short}~{digest}"


def _tmp_prefix(name: str) -> str:
    return f".{side_stem(name)}.{os.getpid()}."


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


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Remove hidden temporaries of earlier writes to this file (or its backup) whose process is gone."""
    stem, dot, suffix = name.rpartition(".")
    backup = f"{stem}.bak.{suffix}" if dot else f"{name}.bak"
    prefixes = (f".{side_stem(name)}.", f".{side_stem(backup)}.")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.endswith(_TMP_SUFFIX) or not entry.name.startswith(prefixes):
            continue
        pid = entry.name[len(next(p for p in prefixes if entry.name.startswith(p))):].split(".", 1)[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass  # e.g. still open by a live writer on Windows: leave it


def process_alive(pid: int) -> bool:
    """Whether a process of this computer still runs (stale temporaries and locks are those of dead ones)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
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
