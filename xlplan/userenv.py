"""Where xlplan lives on a clerk's PC (per user, no admin), and how a button reaches it.

A workbook never names a machine: its xlwings.conf sheet points at the standard
per-user location through a variable xlwings expands on every click
(``%LOCALAPPDATA%`` on Windows, ``$HOME`` on macOS), so the same file works on
every PC where ``xlplan setup`` (or the offline bundle's setup.cmd) has run.

Everything xlwings' RunPython reads per click is on that sheet, so xlwings
never falls through to ``%USERPROFILE%\\.xlwings\\xlwings.conf`` or an
``xlwings.conf`` file beside the workbook (a malformed one there is xlwings'
error 62). ``runpython_command`` rebuilds the exact command line xlwings'
VBA (``ExecuteWindows`` in xlwings.bas) starts, so setup and doctor can run it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

# python.exe, not pythonw.exe: RunPython starts `cmd.exe /C` hidden (WScript.Run, window style 0) and
# python.exe inherits that hidden console, so no window shows; with Show Console = TRUE (debugging) its
# output is visible, which pythonw would swallow.
WIN_INTERPRETER = r"%LOCALAPPDATA%\xlplan\venv\Scripts\python.exe"
# xlwings' VBA on macOS expands a leading $HOME to the real home folder (outside Excel's sandbox).
MAC_INTERPRETER = "$HOME/.xlplan/venv/bin/python"

# Every key RunPython reads per click (xlwings.bas RunPython, ExecuteWindows/ExecuteMac, ShowError),
# in the order of the sheet. Blank values are read as "" from the sheet, never from a file.
CONF_SETTINGS: tuple[tuple[str, str | bool], ...] = (
    ("Interpreter_Win", WIN_INTERPRETER),
    ("Interpreter_Mac", MAC_INTERPRETER),
    ("PYTHONPATH", ""),
    ("Conda Path", ""),
    ("Conda Env", ""),
    ("UDF Modules", ""),
    ("Debug UDFs", False),
    ("Use UDF Server", False),
    ("Show Console", False),
    # The workbook's folder is not needed (xlplan is an installed package) and fails on OneDrive URLs.
    ("ADD_WORKBOOK_TO_PYTHONPATH", False),
    ("ONEDRIVE_CONSUMER_WIN", ""),
    ("ONEDRIVE_COMMERCIAL_WIN", ""),
    ("SHAREPOINT_WIN", ""),
    ("ONEDRIVE_CONSUMER_MAC", ""),
    ("ONEDRIVE_COMMERCIAL_MAC", ""),
    ("SHAREPOINT_MAC", ""),
    # Where xlwings writes the stderr log of a click; blank would mean the root of the current drive.
    ("TEMP DIR", "%TEMP%"),
    ("SHOW_ERROR_POPUPS", True),
)
# Keys read on every click on Windows / macOS (the others only in modes xlplan does not use).
PER_CLICK_WIN = ("INTERPRETER_WIN", "ADD_WORKBOOK_TO_PYTHONPATH", "ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_COMMERCIAL_WIN",
                 "SHAREPOINT_WIN", "PYTHONPATH", "USE UDF SERVER", "SHOW CONSOLE", "TEMP DIR", "CONDA PATH", "CONDA ENV")
PER_CLICK_MAC = ("INTERPRETER_MAC", "ADD_WORKBOOK_TO_PYTHONPATH", "ONEDRIVE_CONSUMER_MAC", "ONEDRIVE_COMMERCIAL_MAC",
                 "SHAREPOINT_MAC", "PYTHONPATH", "USE UDF SERVER")

# Written into the per-user environment by `xlplan setup`: when Python starts for a click
# (RunPython passes --from_xl=1), xlwings' optional `import pandas`/numpy/... finds nothing, so a
# click never pays for them even where the roll-up's pandas is installed in the same environment.
CLICK_GUARD_NAME = "xlplan_click_guard.pth"
CLICK_BLOCKED = ("pandas", "numpy", "matplotlib", "polars", "PIL")
CLICK_GUARD = ("import sys; sys.modules.update({m: None for m in " + repr(CLICK_BLOCKED)
               + " if m not in sys.modules}) if '--from_xl=1' in sys.argv else None\n")


def on_windows() -> bool:
    return sys.platform.startswith("win")


def home() -> Path:
    """The per-user xlplan folder: %LOCALAPPDATA%\\xlplan on Windows, ~/.xlplan elsewhere."""
    if on_windows() and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "xlplan"
    return Path.home() / ".xlplan"


def venv_dir() -> Path:
    return home() / "venv"


def venv_python(venv: Path | None = None, windows: bool | None = None) -> Path:
    venv = venv or venv_dir()
    windows = on_windows() if windows is None else windows
    return venv / "Scripts" / "python.exe" if windows else venv / "bin" / "python"


def interpreter_setting(windows: bool | None = None) -> str:
    """The workbook setting for this OS (what a button on this PC will start)."""
    windows = on_windows() if windows is None else windows
    return WIN_INTERPRETER if windows else MAC_INTERPRETER


def standard_python() -> Path:
    """The interpreter the workbook setting names on this PC, expanded as xlwings does."""
    return Path(expand_setting(interpreter_setting()))


def expand_setting(value: str, windows: bool | None = None) -> str:
    """A setting as xlwings' VBA expands it: %VAR% on Windows (ExpandEnvironmentStrings);
    on macOS only a leading $VAR path part ($HOME → the real home folder)."""
    windows = on_windows() if windows is None else windows
    if windows:
        return re.sub(r"%([^%]+)%", lambda m: os.environ.get(m.group(1), m.group(0)), value)
    if value.startswith("$"):
        first, _, rest = value.partition("/")
        base = str(Path.home()) if first == "$HOME" else os.environ.get(first[1:], first)
        return base.rstrip("/") + ("/" + rest if rest else "")
    return value


# ------------------------------------------------------------------ the RunPython command line

def probe_code() -> str:
    """What a probe click runs after xlwings' prefix: the button module, then xlplan.excel.probe()."""
    return "import xlplan.excel as x; x.probe()"


def pythonpath_arg(workbook: str, add_workbook_dir: bool = False) -> str:
    """prepare_sys_path's argument as RunPython builds it from the sheet (blank OneDrive/SharePoint/PYTHONPATH)."""
    return ";".join(["True" if add_workbook_dir else "False", workbook, workbook, "", "", "", ""])


def runpython_command(python: str, command: str, workbook: str, app: str = "", hwnd: str = "0",
                      log_file: str = "") -> str:
    """The command line xlwings' ExecuteWindows hands to WScript.Shell.Run (xlwings.bas 0.37.8), verbatim."""
    pythonpath = pythonpath_arg(workbook).replace("&", "^&").replace("\\", "\\\\")
    python_dir = python.rsplit("\\", 1)[0] if "\\" in python else ""
    drive = ""
    if re.match(r"^[A-Za-z]:", python):
        drive = f'{python[:2]} & cd "{python_dir}" & '
    elif python.startswith("\\\\"):
        drive = f'pushd "{python_dir}" & '
    interpreter = python if python in ("python", "pythonw") else f'"{python}"'
    run = (f'{interpreter} -B -c "import xlwings.utils;xlwings.utils.prepare_sys_path(\\"{pythonpath}\\"); '
           f'{command}" ')
    name = workbook.replace("/", "\\").rsplit("\\", 1)[-1]
    return (f"cmd.exe /C {drive}{run} --wb=\"{name}\" --from_xl=1 --app=\"{app}\" --hwnd=\"{hwnd}\""
            f" 2> \"{log_file}\" ")


def runpython_argv(python: str, command: str, workbook: str) -> list[str]:
    """The same Python invocation without cmd.exe (macOS runs it from AppleScript; Linux for tests)."""
    name = workbook.rsplit("/", 1)[-1]
    code = f'import xlwings.utils;xlwings.utils.prepare_sys_path("{pythonpath_arg(workbook)}"); {command}'
    return [python, "-B", "-c", code, f"--wb={name}", "--from_xl=1", "--app=", "--hwnd=0"]
