"""Run the exact command line a button runs, without Excel, and explain in Japanese what went wrong.

On Windows the probe is the string xlwings' ExecuteWindows hands to
WScript.Shell.Run (``cmd.exe /C ... python -B -c "import xlwings.utils;
xlwings.utils.prepare_sys_path(...); import xlplan.excel as x; x.probe()" --wb=...
--from_xl=1 ... 2> log``), so a disabled command prompt, a blocked interpreter,
a broken pywin32 or a missing package fails here exactly as it fails on a
click. Elsewhere the same Python invocation runs without cmd.exe (macOS
starts it from AppleScript). The child prints one ASCII line
``XLPLAN-PROBE {json}`` with what it loaded; ``diagnose`` turns any other
outcome into a Japanese detail and fix (pure, so it is tested with injected
outputs).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlplan.checks import Check
from xlplan.userenv import on_windows, probe_code, runpython_argv, runpython_command

MARKER = "XLPLAN-PROBE "
TIMEOUT = 120
SETUP_FIX = ("この PC で一度だけ、配布された xlplan セットアップ（setup.cmd）を実行するか、"
             "コマンドプロンプトで「xlplan setup」を実行してください（管理者権限は不要です）。")


@dataclass(frozen=True)
class ProbeResult:
    python: str
    command: str
    returncode: int | None = None     # None: it did not start or did not finish
    output: str = ""                  # stdout, then the stderr log
    error: str = ""                   # why it did not start ("timeout" when it did not finish)
    seconds: float = 0.0
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.facts)


Runner = Callable[..., subprocess.CompletedProcess]


def run_probe(python: str | Path, workbook: str = "", *, runner: Runner = subprocess.run,
              windows: bool | None = None, timeout: float = TIMEOUT) -> ProbeResult:
    """Start the button's command line with ``python`` and collect what it printed."""
    windows = on_windows() if windows is None else windows
    python = str(python)
    started = time.perf_counter()
    if windows:
        workbook = workbook or r"C:\xlplan-probe\xlplan-probe.xlsm"
        log = Path(tempfile.gettempdir()) / f"xlplan-probe-{uuid.uuid4()}.log"
        command: Any = runpython_command(python, probe_code(), workbook, log_file=str(log))
        shown = command
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        workbook = workbook or "/tmp/xlplan-probe.xlsm"
        log = None
        command = runpython_argv(python, probe_code(), workbook)
        shown = " ".join(command)
        flags = 0
    try:
        done = runner(command, capture_output=True, timeout=timeout, creationflags=flags)
    except subprocess.TimeoutExpired:
        return ProbeResult(python, shown, error="timeout", seconds=time.perf_counter() - started)
    except OSError as exc:
        return ProbeResult(python, shown, error=str(exc), seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    output = _text(done.stdout) + "\n" + _text(done.stderr)
    if log is not None:
        try:
            output += "\n" + _text(log.read_bytes())
            log.unlink()
        except OSError:
            pass
    return ProbeResult(python, shown, done.returncode, output.strip(), "", seconds, _facts(output))


def _text(data: bytes | str | None) -> str:
    if not data:
        return ""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cmd.exe and a redirected stderr on Japanese Windows write the OEM/ANSI code page (cp932).
        return data.decode("cp932", errors="replace")


def _facts(output: str) -> dict[str, Any]:
    for line in output.splitlines():
        if line.startswith(MARKER):
            try:
                return json.loads(line[len(MARKER):])
            except ValueError:
                return {}
    return {}


# ------------------------------------------------------------------ what it means

_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (regex on the output, detail, fix); first match wins
    (r"disabled by your administrator|管理者によって無効",
     "コマンドプロンプトがポリシーで無効になっています（ボタンは cmd.exe /C で Python を起動します）",
     "情報システム担当に、グループポリシー「コマンド プロンプトへのアクセス禁止」(DisableCMD) を"
     "このユーザーについて解除するよう依頼してください（docs/excel-setup.md「IT 担当の方へ」）。"),
    (r"not recognized as an internal or external command|内部コマンドまたは外部コマンド|"
     r"cannot find the path specified|指定されたパスが見つかりません",
     "ボタンが使う Python を起動できません（パスが正しくありません）", SETUP_FIX),
    (r"No module named '?xlwings'?",
     "この Python に xlwings が入っていません", SETUP_FIX),
    (r"No module named '?xlplan'?",
     "この Python に xlplan が入っていません", SETUP_FIX),
    (r"No module named '?(win32api|win32com|pywintypes|pythoncom|win32con)'?|"
     r"DLL load failed[^\n]*(pywintypes|pythoncom|win32)|(pywintypes|pythoncom)\d*\.dll",
     "pywin32（Excel と通信する部品）が壊れています",
     "セットアップをもう一度実行してください。直らなければ "
     "「%LOCALAPPDATA%\\xlplan\\venv\\Scripts\\python.exe -m pip install --force-reinstall --no-index "
     "--find-links （バンドルの wheels フォルダー） pywin32」を実行します。"),
    (r"DLL load failed|ImportError: DLL",
     "Python の部品（DLL）を読み込めません",
     "セットアップをもう一度実行してください。直らなければ、AppLocker などで %LOCALAPPDATA% の DLL が"
     "禁止されていないか情報システム担当に確認してください。"),
    (r"requires Python|SyntaxError",
     "Python の版が古すぎます（xlplan には 3.11 以上が必要です）", SETUP_FIX),
)


def diagnose(result: ProbeResult) -> tuple[str, str]:
    """(detail, fix) in Japanese for a probe that did not succeed."""
    if result.error == "timeout":
        return ("Python が時間内に終わりませんでした（ウイルス対策ソフトの検査で止まっている可能性があります）",
                "もう一度試してください。続く場合は、情報システム担当に %LOCALAPPDATA%\\xlplan を"
                "ウイルス対策ソフトの検査から除外できるか相談してください。")
    if result.error:
        if re.search(r"1260|group policy|グループ ?ポリシー|software restriction", result.error, re.I):
            return ("ポリシー（AppLocker・ソフトウェアの制限）で、この場所のプログラムの実行が禁止されています"
                    f"（{result.error}）",
                    "情報システム担当に、%LOCALAPPDATA%\\xlplan\\venv の python.exe の実行を許可するよう依頼してください。")
        return (f"Python を起動できません（{result.error}）", SETUP_FIX)
    for pattern, detail, fix in _PATTERNS:
        if re.search(pattern, result.output, re.I):
            return detail, fix
    last = [line for line in result.output.splitlines() if line.strip()]
    if result.returncode == 0:
        return ("起動しましたが、確認の応答がありません", SETUP_FIX)
    return (f"終了コード {result.returncode}: {last[-1] if last else '出力なし'}", SETUP_FIX)


def probe_checks(result: ProbeResult, label: str = "ボタンのコマンドライン（RunPython）",
                 vba_xlwings: str | None = None) -> list[Check]:
    """The Japanese lines for one probe: ✓ with what loaded, or ✗ with the cause and the fix."""
    if not result.ok:
        detail, fix = diagnose(result)
        return [Check("ng", label, detail, fix)]
    f = result.facts
    checks = [Check("ok", label, f"動きます（xlplan {f.get('xlplan')}・xlwings {f.get('xlwings')}・"
                                 f"Python {f.get('version')}、{result.seconds:.1f} 秒）")]
    if vba_xlwings and f.get("xlwings") and f["xlwings"] != vba_xlwings:
        checks.append(Check("ng", "ブックと Python の xlwings の版", f"ブック {vba_xlwings} ≠ Python {f['xlwings']}",
                            "セットアップに使ったバンドルと同じ版の xlplan でブックを作り直してください"
                            "（xlplan dump → xlplan new --from）。"))
    heavy = [m for m in f.get("loaded_heavy", [])]
    if heavy:
        checks.append(Check("info", "クリックの速さ", f"クリックのたびに {', '.join(heavy)} を読み込んでいます（遅くなります）",
                            "「xlplan setup」を実行すると、ボタンからは読み込まないようになります。"))
    return checks

