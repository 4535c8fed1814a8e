"""`xlplan setup`: make this PC's buttons work for this user, once, without admin rights.

Steps (each reported in Japanese, in this order):
1. the per-user environment (xlplan.userenv.venv_dir): kept when it already runs this
   xlplan, created when missing, recreated when broken;
2. xlplan installed into it — from a wheel folder (the offline bundle), else from this
   source checkout, else from the package index — unless it is already this version;
3. per-user settings: the click guard (.pth: a click never imports pandas/numpy), on
   macOS xlwings' AppleScript for RunPython, the logs folder and a setup record;
4. a real run of the buttons' command line with the interpreter the workbooks name
   (xlplan.probe), so "done" means a click will start.
The subprocess runner is injectable, so the decisions are tested without building environments.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from xlplan import __version__
from xlplan.checks import Check
from xlplan.userenv import CLICK_GUARD, CLICK_GUARD_NAME, home, standard_python, venv_dir, venv_python

Runner = Callable[..., subprocess.CompletedProcess]
PIP_TIMEOUT = 900


def run(command: list[str], runner: Runner, timeout: float = PIP_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        return runner(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, -1, "", str(exc))


def installed_version(python: Path, runner: Runner) -> str | None:
    """xlplan's version in that environment; "" when Python runs without xlplan; None when it does not run."""
    if not python.is_file():
        return None
    done = run([str(python), "-c", "import sys\ntry:\n import xlplan; print(xlplan.__version__)\nexcept ImportError:\n print('')"],
               runner, timeout=120)
    return done.stdout.strip() if done.returncode == 0 else None


def install_source(wheels: Path | None) -> list[str]:
    """pip arguments that install this xlplan: the offline wheel folder, this checkout, or the index."""
    if wheels is not None:
        return ["--no-index", "--find-links", str(wheels), f"xlplan=={__version__}"]
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "xlplan"' in pyproject.read_text(encoding="utf-8"):
        return [str(root)]
    return [f"xlplan=={__version__}"]


def site_packages(python: Path, runner: Runner) -> Path | None:
    done = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], runner, timeout=120)
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def setup(wheels: Path | None = None, *, runner: Runner = subprocess.run, probe: bool = True) -> list[Check]:
    target = venv_dir()
    python = venv_python(target)
    checks: list[Check] = []
    inside = Path(sys.prefix).resolve() == target.resolve()
    version = installed_version(python, runner)
    if inside:
        checks.append(Check("ok", "ユーザー専用の環境", f"{target}（この環境で実行しています）"))
    elif version is None:
        existed = (target / "pyvenv.cfg").is_file()
        created = run([sys.executable, "-m", "venv", *(["--clear"] if target.exists() else []), str(target)], runner)
        if created.returncode != 0:
            return checks + [Check("ng", "ユーザー専用の環境", f"{target} を作れませんでした: {_last(created)}",
                                   "フォルダーへの書き込みが禁止されていないか確認してください（ポリシー・ウイルス対策ソフト）。")]
        verb = "作り直しました（動かなかったため）" if existed else "作りました"
        checks.append(Check("ok", "ユーザー専用の環境", f"{target} を{verb}"))
        version = ""
    else:
        checks.append(Check("ok", "ユーザー専用の環境", f"{target}（あります）"))

    if inside or version == __version__:
        checks.append(Check("ok", "xlplan", f"{__version__}（入っています）"))
    else:
        done = run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--upgrade",
                    *install_source(wheels)], runner)
        if done.returncode != 0:
            where = f"{wheels} から" if wheels else ""
            return checks + [Check("ng", "xlplan", f"{where}入れられませんでした: {_last(done)}",
                                   "バンドルの Python の版（3.11/3.12/3.13）とこの PC の Python の版が合っているか確認してください。"
                                   if wheels else "インターネットにつながらない PC では、xlplan のバンドル（setup.cmd）を使ってください。")]
        checks.append(Check("ok", "xlplan", f"{__version__} を入れました" + (f"（{wheels}）" if wheels else "")))

    checks += user_settings(python, runner)
    if probe:
        from xlplan.probe import probe_checks, run_probe

        checks += probe_checks(run_probe(standard_python()), label="ボタンのコマンドライン（確認のための実行）")
    return checks


def user_settings(python: Path, runner: Runner) -> list[Check]:
    """The per-user settings: click guard, logs folder, macOS AppleScript, setup record."""
    checks: list[Check] = []
    site = Path(sys.prefix).resolve() == venv_dir().resolve() and _own_site() or site_packages(python, runner)
    if site is None:
        checks.append(Check("ng", "クリックの高速化", "環境の site-packages が見つかりません", "セットアップをもう一度実行してください。"))
    else:
        guard = site / CLICK_GUARD_NAME
        if not guard.is_file() or guard.read_text(encoding="utf-8") != CLICK_GUARD:
            guard.write_text(CLICK_GUARD, encoding="utf-8")
        checks.append(Check("ok", "クリックの高速化", f"ボタンからは pandas などを読み込みません（{guard.name}）"))
    logs = home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    checks.append(Check("ok", "ログの保存先", str(logs)))
    if sys.platform == "darwin":
        done = run([str(python), "-m", "xlwings", "runpython", "install"], runner, timeout=120)
        checks.append(Check("ok", "Mac の RunPython", "xlwings runpython install を実行しました") if done.returncode == 0 else
                      Check("ng", "Mac の RunPython", f"xlwings runpython install が失敗しました: {_last(done)}",
                            "ターミナルで xlwings runpython install を実行してください。"))
    record = {"xlplan": __version__, "python": str(python), "venv": str(venv_dir()),
              "when": dt.datetime.now().isoformat(timespec="seconds")}
    (home() / "setup.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return checks


def _own_site() -> Path | None:
    import sysconfig

    return Path(sysconfig.get_paths()["purelib"])


def _last(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in f"{done.stdout}\n{done.stderr}".splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"終了コード {done.returncode}"


def format_setup(checks: list[Check]) -> str:
    problems = sum(c.status == "ng" for c in checks)
    lines = ["xlplan セットアップ（この PC・このユーザー）", *[c.line() for c in checks]]
    lines.append("準備ができました。ブックのボタンを押して確かめてください（最初の 1 回は少し時間がかかります）。" if not problems
                 else f"✗ が {problems} 件あります。→ の直し方を試してから、もう一度セットアップを実行してください。")
    return "\n".join(lines)
