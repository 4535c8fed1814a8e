"""One writer at a time per workbook: a lock file beside it for the whole read-modify-write.

A command that changes a workbook reads it, computes its changes and writes it back. Two at
once (populate while a validate runs, a script while a clerk runs a command) would each write
their own version and the first one's changes would be lost. So a command holds
".NAME.xlplan-lock" from before it reads until after it writes. The file is created with
O_EXCL, so only one process can hold it; the others wait briefly, then refuse, naming the holder.

Excel's owner file ("~$NAME") and LibreOffice's (".~lock.NAME#") mean a person has the workbook
open: refused at once, with that person's name, because their next save would overwrite ours.

The lock file says who holds it (user, computer, process, command, since when). A holder that
died on this computer leaves a stale lock, which the next command removes; the lock's random
token makes sure a holder only ever removes its own. Under the lock the workbook's identity
(inode, size, mtime) is taken; the write checks it again just before replacing the file, so a
change by anything that ignores the lock (Excel saving, a copy over it) is detected, never
overwritten (xlplan.fileio.check_unchanged).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import random
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from xlplan.errors import WorkbookWriteError
from xlplan.fileio import FileIdentity, process_alive, side_stem

WAIT_SECONDS = 10.0            # how long a command waits for another one to finish
WAIT_ENV = "XLPLAN_LOCK_WAIT"  # seconds; tests shorten the wait
FOREIGN_STALE_SECONDS = 3600   # a lock from another computer is trusted this long (its process cannot be checked)
_CREATING_SECONDS = 10         # an empty lock file older than this lost its writer between create and write


def lock_path(path: Path) -> Path:
    return path.with_name(f".{side_stem(path.name)}.xlplan-lock")


@dataclass
class WorkbookLock:
    """A held lock: the workbook, its lock file, and the workbook's identity when the lock was taken."""

    path: Path
    file: Path
    token: str
    identity: FileIdentity | None

    def refresh(self) -> None:
        """After our own write: the new file is the one we hold."""
        self.identity = FileIdentity.of(self.path)


def _holder() -> dict:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 — no user name in some service environments
        user = ""
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid(),
            "since": dt.datetime.now().isoformat(timespec="seconds")}


@contextmanager
def workbook_lock(path: Path, command: str, *, wait: float | None = None) -> Iterator[WorkbookLock]:
    """Hold the workbook's lock for the block; wait up to `wait` seconds for another holder, then refuse."""
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    refuse_if_open_by_person(path)
    file = lock_path(path)
    token = uuid.uuid4().hex
    record = json.dumps({**_holder(), "command": command, "token": token}, ensure_ascii=False).encode("utf-8")
    deadline = time.monotonic() + (_wait_seconds() if wait is None else wait)
    created = _make_folders(file.parent)  # -o into a new folder; removed again if nothing is written there
    while not _try_create(file, record):
        holder = _read(file)
        if holder is not None and _stale(file, holder):
            _break(file, holder)
            continue
        if time.monotonic() >= deadline:
            raise WorkbookWriteError(_busy_message(path, file, holder))
        time.sleep(random.uniform(0.005, 0.02))
    try:
        refuse_if_open_by_person(path)  # Excel may have opened it while we waited
        yield WorkbookLock(path, file, token, FileIdentity.of(path))
    finally:
        _release(file, token)
        for folder in reversed(created):
            try:
                folder.rmdir()  # only if still empty
            except OSError:
                break


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, WAIT_SECONDS)))
    except ValueError:
        return WAIT_SECONDS


def _make_folders(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    try:
        for f in reversed(missing):
            f.mkdir(exist_ok=True)
    except OSError as exc:
        raise WorkbookWriteError(f"フォルダー「{f}」を作れません。保存先を確認してください。") from exc
    return list(reversed(missing))


def _try_create(file: Path, record: bytes) -> bool:
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except FileNotFoundError as exc:
        raise WorkbookWriteError(f"「{file.parent}」が見つかりません。ブックの場所を確認してください。") from exc
    except PermissionError as exc:
        raise WorkbookWriteError(f"「{file.parent}」に書き込めないため、ブックを変更できません"
                                 "（フォルダーのアクセス権を確認してください）。") from exc
    try:
        os.write(fd, record)
    finally:
        os.close(fd)
    return True


def _read(file: Path) -> dict | None:
    """The holder's record; {} while its writer is still filling it in; None when the lock just went."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        holder = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _stale(file: Path, holder: dict) -> bool:
    try:
        age = time.time() - file.stat().st_mtime
    except OSError:
        return False
    if not holder.get("token"):
        return age > _CREATING_SECONDS
    if holder.get("host") != socket.gethostname():
        return age > FOREIGN_STALE_SECONDS
    pid = holder.get("pid")
    return isinstance(pid, int) and not process_alive(pid)


def _break(file: Path, holder: dict) -> None:
    """Remove a stale lock, and only that one: move it aside, check it is the one judged stale, delete it."""
    aside = file.with_name(f"{file.name}.stale.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        os.rename(file, aside)
    except OSError:
        return  # someone else broke it first
    if _read(aside) == holder:
        aside.unlink(missing_ok=True)
        return
    try:  # it was a fresh lock taken in between: put it back unless yet another one is there
        os.link(aside, file)
    except OSError:
        pass
    aside.unlink(missing_ok=True)


def _release(file: Path, token: str) -> None:
    holder = _read(file)
    if holder and holder.get("token") == token:
        file.unlink(missing_ok=True)


def _busy_message(path: Path, file: Path, holder: dict | None) -> str:
    who = _describe(holder or {})
    return (f"「{path.name}」は別の xlplan の操作{who}が使用中のため、変更しませんでした。終わってからもう一度実行してください。"
            f"その操作がもう動いていないのに続く場合は、同じフォルダーの「{file.name}」を削除してください。")


def _describe(holder: dict) -> str:
    parts = []
    if holder.get("command"):
        parts.append(f"{holder['command']}")
    if holder.get("user"):
        parts.append(f"利用者 {holder['user']}")
    if holder.get("host"):
        parts.append(f"コンピューター {holder['host']}")
    if holder.get("pid"):
        parts.append(f"プロセス {holder['pid']}")
    if holder.get("since"):
        parts.append(f"{str(holder['since']).replace('T', ' ')} から")
    return f"（{'、'.join(parts)}）" if parts else ""


# ------------------------------------------------------------------ a person has it open

def refuse_if_open_by_person(path: Path) -> None:
    """Excel or LibreOffice has the workbook open (their owner files): their next save would overwrite ours."""
    path = Path(path)
    excel = path.with_name("~$" + path.name)
    office = path.with_name(f".~lock.{path.name}#")
    if excel.is_file():
        who = excel_owner(excel)
        by = f"{who} さんの " if who else ""
        app = "Word" if path.suffix.lower() in (".docx", ".doc") else "Excel"
        raise WorkbookWriteError(
            f"「{path.name}」は {by}{app} で開かれているようです（{excel.name} があります）。{app} でファイルを閉じてから、"
            f"もう一度実行してください。{app} を閉じても残っている場合は {excel.name} を削除してください。")
    if office.is_file():
        who = libreoffice_owner(office)
        by = f"{who} さんの " if who else ""
        raise WorkbookWriteError(
            f"「{path.name}」は {by}LibreOffice で開かれているようです（{office.name} があります）。閉じてから、"
            f"もう一度実行してください。閉じても残っている場合は {office.name} を削除してください。")


def excel_owner(owner_file: Path) -> str:
    """The user name in an Office ~$ owner file (Excel's, Word's): a length byte and the name in the ANSI
    code page, then (from byte 54) a length and the name in UTF-16."""
    try:
        data = owner_file.read_bytes()[:512]
    except OSError:
        return ""
    if not data:
        return ""
    n = data[0]
    name = ""
    if len(data) >= 55 + 2 * n and n and data[54] == n:
        start = 56 if data[55] == 0 else 55
        name = data[start:start + 2 * n].decode("utf-16-le", "ignore")
    if not name.strip():
        raw = data[1:1 + n]
        for encoding in ("utf-8", "cp932", "latin-1"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return _printable(name)


def libreoffice_owner(lock_file: Path) -> str:
    """LibreOffice's .~lock.NAME# holds "name,login,host,time,url;"."""
    try:
        fields = lock_file.read_bytes()[:1024].decode("utf-8", "ignore").split(",")
    except OSError:
        return ""
    return _printable(fields[0] or (fields[1] if len(fields) > 1 else ""))


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:60]
