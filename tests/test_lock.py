"""One writer at a time: commands that change a workbook hold its lock for the whole read-modify-write.

The promise: a command that says it changed the workbook did, and nothing another command (or
Excel) did at the same time is lost. Concurrent xlplan commands take turns; a workbook a person
has open in Excel or LibreOffice is refused with that person's name; a change made by something
that ignores the lock is detected before the write and never overwritten.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import badinput as B
import pytest
from test_bad_input import JAPANESE, cli

from xlplan.layout import sheets as L

SENTINEL = "並行テストの目印"


def refused(code: int, err: str, *says: str) -> None:
    assert code == 2, err
    assert err.startswith("エラー:") and JAPANESE.search(err) and "Traceback" not in err, err
    for text in says:
        assert text in err, err


def lock_file(path: Path) -> Path:
    from xlplan.adapters.lock import lock_path

    return lock_path(path)


def sleeper() -> subprocess.Popen:
    """A live process of this user on this computer, to stand for a command that holds the lock."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def write_lock(path: Path, pid: int, host: str | None = None, age: float = 0) -> Path:
    file = lock_file(path)
    file.write_text(json.dumps({"user": "tanaka", "host": host or socket.gethostname(), "pid": pid,
                                "since": "2027-06-01T09:30:00", "command": "populate", "token": "x" * 32}),
                    encoding="utf-8")
    if age:
        os.utime(file, (time.time() - age, time.time() - age))
    return file


# ------------------------------------------------------------------ who holds it

def test_a_held_lock_makes_others_wait_then_refuse_naming_the_holder(sample_book, monkeypatch):
    monkeypatch.setenv("XLPLAN_LOCK_WAIT", "0.3")
    holder = sleeper()
    try:
        file = write_lock(sample_book, holder.pid)
        before = sample_book.read_bytes()
        started = time.monotonic()
        code, _, err = cli("validate", sample_book)
        assert time.monotonic() - started >= 0.3, "it waits before refusing"
        refused(code, err, "別の xlplan の操作", "populate", "tanaka", socket.gethostname(), str(holder.pid), file.name)
        assert sample_book.read_bytes() == before and file.exists(), "another holder's lock is left alone"
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_released_while_waiting_lets_the_command_run(sample_book, monkeypatch):
    monkeypatch.setenv("XLPLAN_LOCK_WAIT", "10")
    holder = sleeper()
    file = write_lock(sample_book, holder.pid)
    child = subprocess.Popen([sys.executable, "-c", "from xlplan.cli import main; main()", "schedule", str(sample_book)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    assert child.poll() is None, "the command waits while the lock is held"
    file.unlink()  # the holder finished
    holder.kill()
    holder.wait()
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0 and "工程表を作り直しました" in out, err


def test_a_stale_lock_of_a_dead_process_is_removed(sample_book):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    write_lock(sample_book, int(gone.stdout))
    code, _, err = cli("schedule", sample_book)
    assert code == 0, err
    assert sorted(p.name for p in sample_book.parent.iterdir()) == [sample_book.name]


def test_a_lock_from_another_computer_is_trusted_for_an_hour(sample_book, monkeypatch):
    monkeypatch.setenv("XLPLAN_LOCK_WAIT", "0")
    write_lock(sample_book, 1, host="庁内PC-042")
    code, _, err = cli("validate", sample_book)
    refused(code, err, "庁内PC-042")
    write_lock(sample_book, 1, host="庁内PC-042", age=2 * 3600)
    code, _, err = cli("validate", sample_book)
    assert code in (0, 1), err
    assert not lock_file(sample_book).exists()


def excel_owner_file(user: str) -> bytes:
    """Excel's ~$ owner file: the name's length and the name (ANSI) padded to 54 bytes, then again in UTF-16."""
    ansi = user.encode("cp932")
    first = (bytes([len(user)]) + ansi).ljust(54, b" ")
    second = bytes([len(user), 0]) + user.encode("utf-16-le")
    return (first + second).ljust(165, b" ")


def test_a_workbook_open_in_excel_names_who_has_it(sample_book):
    (sample_book.parent / f"~${sample_book.name}").write_bytes(excel_owner_file("山田 花子"))
    before = sample_book.read_bytes()
    code, _, err = cli("populate", sample_book, "--ids", "C02")
    refused(code, err, "山田 花子", "Excel で開かれている", f"~${sample_book.name}")
    assert sample_book.read_bytes() == before
    assert not lock_file(sample_book).exists()


def test_a_workbook_open_in_libreoffice_names_who_has_it(sample_book):
    (sample_book.parent / f".~lock.{sample_book.name}#").write_text(
        f"佐藤 一郎,sato,庁内PC-007,01.06.2027 09:30,file://{sample_book.as_posix()};", encoding="utf-8")
    code, _, err = cli("schedule", sample_book)
    refused(code, err, "佐藤 一郎", "LibreOffice")


# ------------------------------------------------------------------ a change in between

def test_a_change_made_between_read_and_write_is_never_overwritten(sample_book, monkeypatch):
    """Excel (which ignores xlplan's lock) saves the workbook while validate is computing."""
    import xlplan.operations as operations

    saved_by_excel = B.with_cells(sample_book.read_bytes(), L.INFO, {"H1": {"value": "Excel で保存"}})
    real = operations.validate_ops

    def validate_while_excel_saves(read, *args, **kwargs):
        result = real(read, *args, **kwargs)
        tmp = sample_book.with_name("excel-save.tmp")
        tmp.write_bytes(saved_by_excel)
        os.replace(tmp, sample_book)  # as Excel saves: a new file over the old
        return result

    monkeypatch.setattr(operations, "validate_ops", validate_while_excel_saves)
    code, _, err = cli("validate", sample_book)
    refused(code, err, "別のプログラム", "変更されました", "もう一度実行してください")
    assert sample_book.read_bytes() == saved_by_excel


def test_an_edit_in_place_between_read_and_write_is_detected(sample_book, monkeypatch):
    import xlplan.operations as operations

    real = operations.schedule_ops

    def schedule_while_edited(read, *args, **kwargs):
        result = real(read, *args, **kwargs)
        with sample_book.open("ab") as handle:  # same inode, new size and mtime
            handle.write(b"\0")
        return result

    monkeypatch.setattr(operations, "schedule_ops", schedule_while_edited)
    edited = None
    code, _, err = cli("schedule", sample_book)
    edited = sample_book.read_bytes()
    refused(code, err, "変更されました")
    assert edited.endswith(b"\0")


# ------------------------------------------------------------------ concurrent commands: no lost update

ROUNDS = 200
OTHERS = ("validate", "schedule", "progress")


def _base_workbook(folder: Path) -> tuple[bytes, str]:
    """A small plan's workbook (two measures: the race, not the size, is under test) with a mark where
    each other command writes, and a catalog measure it lacks, for populate to add."""
    from xlplan.adapters.package import patch_package
    from xlplan.builder.workbook import build_workbook
    from xlplan.catalog_data import load_catalog
    from xlplan.layout.ops import ReplaceValues, SetValues
    from xlplan.planfile import load_plan

    from conftest import PLAN_FY, SAMPLE

    plan = load_plan(SAMPLE)
    plan = plan.model_copy(update={"measures": plan.measures[:2], "years": 3})
    data = build_workbook(plan, load_catalog(), interpreter="python", current_fy=PLAN_FY)
    good = B.Good(data, folder / "good.xlsm")
    schedule_row = good.read.layout.schedule.first_row  # the rows above hold the year columns it checks
    data = patch_package(data, [ReplaceValues(L.FINDINGS, 0, [[SENTINEL]]),
                                SetValues(L.SCHEDULE, schedule_row, 0, [[SENTINEL]]),
                                SetValues(L.PROGRESS, L.ProgressLayout().summary_row, 0, [[SENTINEL]])])  # its table stays
    (folder / "good.xlsm").unlink()
    return data, good.new_catalog_id


def _run(command, args: list[str]) -> tuple[int, str, str]:
    """One CLI command in this process, as `xlplan ARGS` runs it (the click command built once)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            command.main(args, prog_name="xlplan", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:  # noqa: BLE001 — click's Exit carries the exit code; anything else is a bug
            code = getattr(exc, "exit_code", None)
            if code is None:
                code = f"{type(exc).__name__}: {exc}"
    return code, out.getvalue(), err.getvalue()


def _worker(role: str, path: str, catalog_id: str, rounds: int, barrier, results) -> None:
    from typer.main import get_command

    from xlplan.cli import app

    command = get_command(app)
    for n in range(rounds):
        barrier.wait()
        args = ["populate", path, "--ids", catalog_id] if role == "populate" else [OTHERS[n % len(OTHERS)], path]
        results.put((role, n, args[0], *_run(command, args)))
        barrier.wait()


def _sheet_text(data: bytes, sheet: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(B.sheet_part(data, sheet)).decode("utf-8")


@pytest.fixture()
def fast_folder(tmp_path):
    """A folder in memory where there is one (/dev/shm): the race is under test, not the disk, and
    the fsyncs of 800 writes would be most of the time."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="xlplan-race-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_concurrent_commands_lose_no_update(fast_folder, monkeypatch):
    """populate against validate, schedule and progress, started together 200 times: every round,
    both report success and both changes are in the file."""
    monkeypatch.setenv("XLPLAN_LOCK_WAIT", "30")
    tmp_path = fast_folder
    base, catalog_id = _base_workbook(tmp_path)
    path = tmp_path / "並行 計画.xlsm"
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_worker, args=(role, str(path), catalog_id, ROUNDS, barrier, results))
               for role in ("populate", "other")]
    started = time.monotonic()
    for w in workers:
        w.start()
    lost = []
    try:
        for n in range(ROUNDS):
            path.write_bytes(base)
            barrier.wait(timeout=60)
            barrier.wait(timeout=60)
            outcome = {role: (command, code, out, err) for role, _, command, code, out, err in
                       (results.get(timeout=60) for _ in range(2))}
            command, code, out, err = outcome["other"]
            p_code, p_out, p_err = outcome["populate"][1:]
            data = path.read_bytes()
            domain = _sheet_text(data, "電子行政")
            sheet = {"validate": L.FINDINGS, "schedule": L.SCHEDULE, "progress": L.PROGRESS}[command]
            problems = []
            if p_code != 0 or "1件を追加しました" not in p_out:
                problems.append(f"populate exit {p_code}: {p_err.strip()}")
            elif f">{catalog_id}<" not in domain:
                problems.append("populate's rows are gone")
            if code not in (0, 1):
                problems.append(f"{command} exit {code}: {err.strip()}")
            elif SENTINEL in _sheet_text(data, sheet):
                problems.append(f"{command}'s {sheet} is gone")
            if problems:
                lost.append((n, command, problems))
            assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "nothing is left beside it"
    finally:
        for w in workers:
            w.join(timeout=60)
            if w.is_alive():
                w.kill()
    elapsed = time.monotonic() - started
    assert not lost, f"{len(lost)} of {ROUNDS} rounds lost an update: {lost[:5]}"
    print(f"{ROUNDS} rounds in {elapsed:.1f} s")
