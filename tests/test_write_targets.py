"""Where xlplan writes: never over an existing file unless --force, never over a device or a pipe,
never stuck on a special file given as input, and fine with long Japanese file names.

The clerk's promise: a command replaces only the file it was asked to change. -o and every other
target (dump, export, rollup, schema, build-template, render) refuse an existing file unless
--force, in Japanese, leaving it as it was.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import badinput as B
import pytest
from test_bad_input import JAPANESE, cli




@pytest.fixture()
def book(sample_book) -> Path:
    return sample_book


@pytest.fixture()
def other(tmp_path) -> Path:
    """An unrelated workbook the clerk keeps next to it."""
    path = tmp_path / "予算 別ファイル.xlsx"
    path.write_bytes(B._foreign_workbook(None))
    return path


def refused(code: int, err: str, *says: str) -> None:
    assert code == 2, err
    assert err.startswith("エラー:") and JAPANESE.search(err), err
    assert "Traceback" not in err
    for text in says:
        assert text in err, err


# ------------------------------------------------------------------ 1. no silent overwrite

@pytest.mark.parametrize("command", [["validate"], ["schedule"], ["clear-marks"], ["progress"],
                                     ["populate", "--all"]])
def test_output_refuses_an_existing_file_unless_force(command, book, other):
    before, source = other.read_bytes(), book.read_bytes()
    code, _, err = cli(command[0], book, *command[1:], "-o", other)
    refused(code, err, "既にあります", "--force", other.name)
    assert other.read_bytes() == before and book.read_bytes() == source
    code, _, err = cli(command[0], book, *command[1:], "-o", other, "--force")
    assert code in (0, 1), err
    assert other.read_bytes() != before and B.read_member(other.read_bytes(), "xl/workbook.xml")
    assert book.read_bytes() == source


def test_dump_refuses_to_turn_a_workbook_into_text(book, other):
    before = other.read_bytes()
    code, _, err = cli("dump", book, "-o", other)
    refused(code, err, "既にあります", "--force")
    assert other.read_bytes() == before
    target = other.with_name("計画.yaml")
    code, _, err = cli("dump", book, "-o", target)
    assert code == 0, err
    first = target.read_text(encoding="utf-8")
    code, _, err = cli("dump", book, "-o", target)
    refused(code, err, "既にあります")
    code, _, err = cli("dump", book, "-o", target, "--force")
    assert code == 0 and target.read_text(encoding="utf-8") == first, err


def test_export_refuses_existing_files_before_writing_any(book, tmp_path):
    docx, folder = tmp_path / "計画書.docx", tmp_path / "公開"
    folder.mkdir()
    (folder / "metadata.json").write_text("手で書いた説明", encoding="utf-8")
    code, _, err = cli("export", book, "--docx", docx, "--json", folder)
    refused(code, err, "metadata.json", "--force")
    assert not docx.exists() and [p.name for p in folder.iterdir()] == ["metadata.json"]
    assert (folder / "metadata.json").read_text(encoding="utf-8") == "手で書いた説明"
    docx.write_bytes(b"my edited document")
    code, _, err = cli("export", book, "--docx", docx)
    refused(code, err, "計画書.docx")
    assert docx.read_bytes() == b"my edited document"
    code, _, err = cli("export", book, "--docx", docx, "--json", folder, "--force")
    assert code == 0, err
    assert docx.read_bytes() != b"my edited document" and (folder / "measures.json").exists()


def test_rollup_schema_and_template_refuse_existing_targets(book, other, tmp_path):
    before = other.read_bytes()
    target = other.with_suffix(".xlsx")
    assert target == other
    code, _, err = cli("rollup", book, "-o", other, "--no-progress")
    refused(code, err, "既にあります", "--force")
    assert other.read_bytes() == before
    schema = tmp_path / "schema.json"
    schema.write_text("{}", encoding="utf-8")
    code, _, err = cli("schema", schema)
    refused(code, err, "--force")
    assert schema.read_text(encoding="utf-8") == "{}"
    code, _, err = cli("build-template", other)
    refused(code, err, "--force")
    code, _, err = cli("bundle", other)
    refused(code, err, "--force")
    code, _, err = cli("programs", "export", "--packaged", "-o", other)
    refused(code, err, "--force")
    assert other.read_bytes() == before


def test_new_still_asks_for_force(other):
    code, _, err = cli("new", other, "--municipality", "青葉台市", "--start-fy", "R9")
    refused(code, err, "既にあります", "--force")


def test_a_target_created_meanwhile_is_not_replaced(book, tmp_path, monkeypatch):
    """The existence check and the write are one step: a file that appears in between is kept."""
    import xlplan.adapters.package.patch as package

    target = tmp_path / "写し.xlsm"
    real = package.patch_package

    def patch_and_race(*args, **kwargs):
        target.write_bytes(b"written by someone else meanwhile")
        return real(*args, **kwargs)

    monkeypatch.setattr(package, "patch_package", patch_and_race)
    code, _, err = cli("validate", book, "-o", target)
    refused(code, err, "既にあります")
    assert target.read_bytes() == b"written by someone else meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["写し.xlsm", "計画 フォルダー"]


# ------------------------------------------------------------------ 6. special files as targets

def special_targets(tmp_path: Path, suffix: str = ".xlsm") -> list[Path]:
    """A named pipe, and (as root) a null device node and a link to it, all in tmp_path: never the real /dev/null."""
    fifo = tmp_path / f"パイプ{suffix}"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.geteuid() == 0:
        device = tmp_path / f"null{suffix}"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        link = tmp_path / f"リンク{suffix}"
        link.symlink_to(device)
        targets += [device, link]
    return targets


def test_special_files_are_never_replaced_even_with_force(book, tmp_path):
    runs = [(t, ["schedule", book, "-o", t, "--force"]) for t in special_targets(tmp_path)]
    runs += [(t, ["dump", book, "-o", t, "--force"]) for t in special_targets(tmp_path, ".yaml")]
    runs += [(t, ["export", book, "--docx", t, "--force"]) for t in special_targets(tmp_path, ".docx")]
    for target, args in runs:
        code, _, err = cli(*args)
        refused(code, err, "通常のファイルではない")
        assert not stat.S_ISREG(os.stat(target).st_mode), f"{target.name} was replaced by a regular file"


def test_the_real_dev_null_is_refused_without_touching_it(book):
    before = os.stat("/dev/null")
    code, _, err = cli("dump", book, "-o", "/dev/null", "--force")
    refused(code, err, "通常のファイルではない", "デバイス")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


# ------------------------------------------------------------------ 13. special files as input

def test_a_pipe_or_device_as_input_is_refused_at_once(tmp_path):
    """Opening a FIFO blocks until someone writes to it: checked first, in a real process with a timeout."""
    inputs = [p for p in special_targets(tmp_path)]
    if os.geteuid() == 0:
        zero = tmp_path / "zero.xlsm"
        os.mknod(zero, stat.S_IFCHR | 0o666, os.makedev(1, 5))
        inputs.append(zero)
    plan = tmp_path / "計画.yaml"
    os.mkfifo(plan)
    inputs.append(plan)
    for path in inputs:
        for command in (["validate", str(path)], ["populate", str(path), "--ids", "C02"], ["progress", str(path)]):
            done = subprocess.run([sys.executable, "-c", "from xlplan.cli import main; main()", *command],
                                  capture_output=True, text=True, timeout=30, check=False)
            assert done.returncode == 2, (path.name, command, done.stderr)
            assert "通常のファイルではありません" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------ 15. long Japanese file names

def test_a_long_japanese_name_is_written_in_place(sample_bytes, tmp_path):
    """80 characters, 245 bytes in UTF-8 (𠮷, U+20BB7, takes 4): a legal name, 10 bytes under the limit."""
    long = "𠮷" * 15 + "計画" * 30 + ".xlsm"
    assert len(long) == 80 and len(long.encode("utf-8")) == 245
    path = tmp_path / long
    path.write_bytes(sample_bytes)
    for command in (["validate", path], ["schedule", path, "--backup"], ["populate", path, "--ids", "C02"]):
        code, _, err = cli(*command)
        assert code in (0, 1), err
    assert path.read_bytes() != sample_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([long, long[:-5] + ".bak.xlsm"])
    from xlplan.fileio import side_stem

    assert len(side_stem(long).encode("utf-8")) < 200


# ------------------------------------------------------------------ 16. read-only: only offer what exists

def test_read_only_progress_offers_its_own_output_option(book, tmp_path):
    from xlplan.adapters.package import apply_ops
    from xlplan.layout import sheets as L
    from xlplan.layout.ops import SetValues

    r, c = L.ProgressLayout().fy_cell   # another year to report: the 進捗管理 summary must be rewritten
    apply_ops(book, [SetValues(L.PROGRESS, r, c, [["令和10年度"]])])
    book.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        code, _, err = cli("progress", book)
        refused(code, err, "読み取り専用", "-o")
        copy = tmp_path / "写し.xlsm"
        code, _, err = cli("progress", book, "-o", copy)
        assert code == 0 and copy.exists(), err
    finally:
        book.chmod(stat.S_IRUSR | stat.S_IWUSR)
