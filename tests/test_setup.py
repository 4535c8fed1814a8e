"""The first click on a new PC: per-user setup, the real RunPython probe, policy explanations, doctor."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlplan import __version__, userenv
from xlplan.builder.workbook import build_workbook
from xlplan.catalog_data import load_catalog
from xlplan.cli import app
from xlplan.planfile import load_plan
from xlplan.policy import PolicyFacts, policy_checks
from xlplan.probe import ProbeResult, diagnose, probe_checks, run_probe
from xlplan.usersetup import setup

from conftest import PLAN_FY, SAMPLE

DEV_SITE = sysconfig.get_paths()["purelib"]


@pytest.fixture
def user_home(tmp_path, monkeypatch) -> Path:
    """A fresh user: HOME is empty (on Linux the standard interpreter is $HOME/.xlplan/venv/bin/python)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XLPLAN_LOG_DIR", raising=False)
    return home


def make_venv(home: Path, with_xlplan: bool) -> Path:
    """A real venv at the standard place; with_xlplan: it sees this checkout's xlplan and its dependencies
    (pandas included) through a .pth, as an environment where xlplan was pip-installed would."""
    venv = home / ".xlplan" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if with_xlplan:
        Path(site, "dev.pth").write_text(f"import site; site.addsitedir({DEV_SITE!r})\n", encoding="utf-8")
    return python


def doctor(*args: str):
    return CliRunner().invoke(app, ["doctor", *args])


# ------------------------------------------------------------------ setup and doctor, for real

def test_doctor_before_setup_fails_and_says_what_to_run(user_home):
    result = doctor()
    assert result.exit_code == 1
    assert "✗ ボタン用の Python（標準の場所）: $HOME/.xlplan/venv/bin/python →" in result.output
    assert "見つかりません" in result.output and "xlplan setup" in result.output


def test_setup_prepares_the_user_environment_and_the_probe_runs_it(user_home):
    python = make_venv(user_home, with_xlplan=True)
    checks = setup(probe=True)
    lines = "\n".join(c.line() for c in checks)
    assert [c for c in checks if c.status == "ng"] == [], lines
    assert f"✓ xlplan: {__version__}（入っています）" in lines
    assert "✓ ボタンのコマンドライン（確認のための実行）: 動きます" in lines
    guard = next(Path(python.parent.parent).glob("lib/python*/site-packages")) / userenv.CLICK_GUARD_NAME
    assert guard.read_text(encoding="utf-8") == userenv.CLICK_GUARD
    assert (user_home / ".xlplan" / "setup.json").is_file() and (user_home / ".xlplan" / "logs").is_dir()
    # pandas is installed there, yet the button's command line does not load it
    assert subprocess.run([str(python), "-c", "import pandas"], capture_output=True).returncode == 0
    probe = run_probe(python)
    assert probe.ok and probe.facts["loaded_heavy"] == [], probe.output
    assert probe.facts["xlplan"] == __version__
    # and doctor, on a workbook made with the defaults, now runs the same line and passes
    path = user_home / "計画.xlsm"
    path.write_bytes(build_workbook(load_plan(SAMPLE), load_catalog(), current_fy=PLAN_FY))
    result = doctor(str(path))
    assert result.exit_code == 0, result.output
    assert "✓ xlwings.conf の Interpreter_Mac: $HOME/.xlplan/venv/bin/python →" in result.output
    assert "－ xlwings.conf の Interpreter_Win: %LOCALAPPDATA%\\xlplan\\venv\\Scripts\\python.exe（標準の場所" in result.output
    assert "✓ ボタンのコマンドライン（RunPython）: 動きます" in result.output


def test_doctor_fails_in_japanese_when_the_command_line_cannot_run(user_home):
    make_venv(user_home, with_xlplan=False)        # an environment without xlwings and xlplan
    result = doctor()
    assert result.exit_code == 1
    assert "✗ ボタンのコマンドライン（RunPython）: この Python に xlwings が入っていません" in result.output
    assert "setup.cmd" in result.output


def test_doctor_never_marks_a_linux_path_ok_for_windows(tmp_path):
    path = tmp_path / "plan.xlsm"
    path.write_bytes(build_workbook(load_plan(SAMPLE), load_catalog(), current_fy=PLAN_FY, interpreter=sys.executable))
    result = doctor(str(path))
    assert result.exit_code == 1
    assert f"✗ xlwings.conf の Interpreter_Win: {sys.executable}（Windows のパスではありません）" in result.output


# ------------------------------------------------------------------ setup's decisions (injected runner)

class Recorder:
    """Stands in for subprocess.run: records commands, answers like a fresh or a broken PC."""

    def __init__(self, site: Path, python_runs: bool = False, version: str = ""):
        self.site, self.python_runs, self.version, self.commands = site, python_runs, version, []

    def __call__(self, command, **kwargs):
        self.commands.append(command)
        text = " ".join(map(str, command))
        if "import xlplan" in text:
            return subprocess.CompletedProcess(command, 0 if self.python_runs else 1, self.version + "\n", "")
        if "sysconfig" in text:
            return subprocess.CompletedProcess(command, 0, str(self.site) + "\n", "")
        if "-m venv" in text:
            python = userenv.venv_python()
            python.parent.mkdir(parents=True, exist_ok=True)
            python.write_text("")
            (userenv.venv_dir() / "pyvenv.cfg").write_text("")
            self.python_runs = True
        return subprocess.CompletedProcess(command, 0, "", "")


def test_setup_on_a_fresh_pc_creates_the_environment_and_installs_offline(user_home, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    runner = Recorder(site)
    checks = setup(tmp_path / "wheels", runner=runner, probe=False)
    venv = str(userenv.venv_dir())
    assert [sys.executable, "-m", "venv", venv] in runner.commands
    pip = next(c for c in runner.commands if "pip" in c)
    assert pip[-4:] == ["--no-index", "--find-links", str(tmp_path / "wheels"), f"xlplan=={__version__}"]
    assert (site / userenv.CLICK_GUARD_NAME).read_text(encoding="utf-8") == userenv.CLICK_GUARD
    assert [c.status for c in checks].count("ng") == 0
    assert f"{venv} を作りました" in checks[0].detail


def test_setup_recreates_a_broken_environment(user_home, tmp_path):
    python = userenv.venv_python()
    python.parent.mkdir(parents=True)
    python.write_text("")                       # there, but does not run
    (userenv.venv_dir() / "pyvenv.cfg").write_text("")
    runner = Recorder(tmp_path, python_runs=False)
    checks = setup(runner=runner, probe=False)
    assert [sys.executable, "-m", "venv", "--clear", str(userenv.venv_dir())] in runner.commands
    assert "作り直しました" in checks[0].detail


def test_setup_keeps_an_environment_that_already_runs_this_version(user_home, tmp_path):
    python = userenv.venv_python()
    python.parent.mkdir(parents=True)
    python.write_text("")
    runner = Recorder(tmp_path, python_runs=True, version=__version__)
    setup(runner=runner, probe=False)
    assert not any("venv" in c or "pip" in c for c in runner.commands)


# ------------------------------------------------------------------ the Windows command line

def test_windows_command_line_is_xlwings_executewindows_verbatim():
    python = r"C:\Users\山田\AppData\Local\xlplan\venv\Scripts\python.exe"
    book = r"C:\Users\山田\Documents\R&D 計画\青葉台市.xlsm"
    command = userenv.runpython_command(python, "import xlplan.excel as x; x.probe()", book,
                                        app=r"C:\Office16\EXCEL.EXE", hwnd="1234", log_file=r"C:\Temp\xlwings-1.log")
    # DriveCommand & RunCommand & " --wb=..." as xlwings.bas 0.37.8 builds them (PYTHONPATH: & → ^&, \ → \\)
    assert command == (
        r'cmd.exe /C C: & cd "C:\Users\山田\AppData\Local\xlplan\venv\Scripts" & '
        r'"C:\Users\山田\AppData\Local\xlplan\venv\Scripts\python.exe" -B -c "import xlwings.utils;'
        r'xlwings.utils.prepare_sys_path(\"False;C:\\Users\\山田\\Documents\\R^&D 計画\\青葉台市.xlsm;'
        r'C:\\Users\\山田\\Documents\\R^&D 計画\\青葉台市.xlsm;;;;\"); import xlplan.excel as x; x.probe()"  '
        r'--wb="青葉台市.xlsm" --from_xl=1 --app="C:\Office16\EXCEL.EXE" --hwnd="1234" 2> "C:\Temp\xlwings-1.log" ')


def test_windows_probe_runs_through_cmd_and_reads_the_log(tmp_path):
    seen = []

    def runner(command, **kwargs):
        seen.append(command)
        log = Path(command.rsplit('2> "', 1)[1].rstrip('" '))
        log.write_bytes("ModuleNotFoundError: No module named 'xlplan'\r\n".encode("cp932"))
        return subprocess.CompletedProcess(command, 1, b"", b"")

    result = run_probe(r"C:\py\python.exe", runner=runner, windows=True)
    assert seen[0].startswith('cmd.exe /C C: & cd "C:\\py" & "C:\\py\\python.exe" -B -c ')
    assert diagnose(result)[0] == "この Python に xlplan が入っていません"


@pytest.mark.parametrize("output, error, expected", [
    ("The command prompt has been disabled by your administrator.", "", "コマンドプロンプトがポリシーで無効"),
    ("コマンド プロンプトは管理者によって無効にされています。", "", "コマンドプロンプトがポリシーで無効"),
    ("'C:\\x\\python.exe' is not recognized as an internal or external command", "", "Python を起動できません（パス"),
    ("'python.exe' は、内部コマンドまたは外部コマンド、操作可能なプログラムまたはバッチ ファイルとして認識されていません。", "",
     "Python を起動できません（パス"),
    ("ModuleNotFoundError: No module named 'xlwings'", "", "xlwings が入っていません"),
    ("ImportError: DLL load failed while importing win32api: 指定されたモジュールが見つかりません。", "", "pywin32"),
    ("ModuleNotFoundError: No module named 'pywintypes'", "", "pywin32"),
    ("ImportError: DLL load failed while importing _pydantic_core", "", "DLL"),
    ("", "timeout", "時間内に終わりませんでした"),
    ("", "[WinError 1260] This program is blocked by group policy.", "AppLocker"),
    ("Traceback ...\nValueError: odd", "", "終了コード 1: ValueError: odd"),
])
def test_probe_failures_are_explained_in_japanese(output, error, expected):
    result = ProbeResult("python", "cmd", None if error else 1, output, error)
    detail, fix = diagnose(result)
    assert expected in detail and fix
    assert probe_checks(result)[0].status == "ng"


def test_a_probe_that_loads_pandas_is_reported_as_slow():
    result = ProbeResult("python", "cmd", 0, "", "", 0.4, {"xlplan": "1", "xlwings": "0.37.8", "version": "3.12.1",
                                                            "loaded_heavy": ["numpy", "pandas"]})
    checks = probe_checks(result, vba_xlwings="0.37.8")
    assert [c.status for c in checks] == ["ok", "info"] and "pandas" in checks[1].detail
    assert probe_checks(result, vba_xlwings="0.36.0")[1].status == "ng"


# ------------------------------------------------------------------ policies (facts injected)

def _lines(facts: PolicyFacts, workbook: Path | None = Path(r"C:\計画\青葉台市.xlsm")) -> str:
    return "\n".join(c.line() for c in policy_checks(facts, workbook))


def test_policies_are_only_read_on_windows():
    assert _lines(PolicyFacts()) == "－ Office・Windows のポリシー: Windows でだけ確認できます"


def test_a_default_windows_pc_passes():
    text = _lines(PolicyFacts(windows=True))
    assert "✗" not in text
    assert "✓ ブックの入手元（Mark of the Web）" in text and "保護ビュー" in text


@pytest.mark.parametrize("facts, expected", [
    (PolicyFacts(windows=True, zone_id=3), "✗ ブックの入手元（Mark of the Web）"),
    (PolicyFacts(windows=True, vba_warnings=3, vba_warnings_by_policy=True), "✗ マクロの設定: デジタル署名されたマクロだけが動きます（ポリシー）"),
    (PolicyFacts(windows=True, vba_warnings=4), "✗ マクロの設定: すべてのマクロが無効"),
    (PolicyFacts(windows=True, asr_child_processes=1), "✗ ASR 規則"),
    (PolicyFacts(windows=True, disable_cmd=1), "✗ コマンドプロンプト: ポリシーで無効です（DisableCMD=1）"),
])
def test_each_blocking_policy_is_named_with_a_fix(facts, expected):
    text = _lines(facts)
    assert expected in text
    assert "\n    → " in text


@pytest.mark.parametrize("facts, expected", [
    (PolicyFacts(windows=True, asr_child_processes=6), "－ ASR 規則"),
    (PolicyFacts(windows=True, asr_child_processes=2), "監査モード"),
    (PolicyFacts(windows=True, disable_cmd=2), "－ コマンドプロンプト: 対話的な利用だけが無効"),
    (PolicyFacts(windows=True, protected_view_internet=True), "－ 保護ビュー"),
    (PolicyFacts(windows=True, in_trusted_location=True), "✓ 信頼できる場所"),
    (PolicyFacts(windows=True, trusted_locations_disabled=True), "－ 信頼できる場所: ポリシーで使えなくなっています"),
])
def test_policies_that_do_not_block_are_information(facts, expected):
    text = _lines(facts)
    assert expected in text and "✗" not in text


def test_the_doctor_button_explains_policies_too(monkeypatch):
    import xlplan.policy as policy

    monkeypatch.setattr(policy, "read_facts", lambda workbook=None: PolicyFacts(windows=True, disable_cmd=1))
    assert "DisableCMD=1" in "\n".join(c.line() for c in policy.policy_checks(policy.read_facts(), None))


def test_every_english_box_xlwings_can_show_is_quoted_in_the_docs():
    import re

    import xlwings

    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="latin-1")
    boxes = re.findall(r'^\s*MsgBox "([^"]+)"', bas, re.M)
    assert "Could not find Interpreter!" in boxes and len(boxes) >= 5
    docs = (Path(__file__).resolve().parents[1] / "docs" / "excel-setup.md").read_text(encoding="utf-8")
    for text in boxes:
        assert f"`{text}" in docs, text
    # the error popup (ShowError) and the UDF server's Err.Raise
    assert "Press Ctrl+C to copy this message to the clipboard." in bas and "Press Ctrl+C to copy this message to the clipboard." in docs
    assert '"Could not load " + XLPyDLLName' in bas and "`Could not load xlwings64-" in docs
