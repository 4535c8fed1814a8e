"""Environment diagnosis: `xlplan doctor [FILE]` and the 環境診断 button.

Each check is one line, ✓ (fine), ✗ (will cause trouble; a Japanese fix
follows) or － (information only). The checks take plain values (the
``xlwings.conf`` and ``_lists`` sheets' cells, the workbook's full name), so
the CLI on a file and the button on a live workbook share them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from xlplan import __version__
from xlplan.checks import MARKS, Check, Status  # noqa: F401 - re-exported
from xlplan.layout import sheets as L
from xlplan.userenv import (
    MAC_INTERPRETER,
    PER_CLICK_MAC,
    PER_CLICK_WIN,
    WIN_INTERPRETER,
    expand_setting,
    home,
    on_windows,
)

Grid = Sequence[Sequence[Any]]
MIN_PYTHON = (3, 11)
VERSION_KEYS = ("xlwings_version", "xlplan_version")   # header cells in row 1 of the hidden _lists sheet
PACKAGES = (("xlwings", "xlwings"), ("openpyxl", "openpyxl"), ("XlsxWriter", "XlsxWriter"),
            ("python-calamine", "python-calamine"))
REBUILD_FIX = ("ブックを作り直すと揃います: コマンド xlplan new 新しいブック.xlsm --from ブック.xlsm で、"
               "今のブックの内容を入れた新しいブックを作ります。")


@dataclass(frozen=True)
class Location:
    """Where the workbook lives, from its full name."""

    kind: Literal["local", "cloud", "unsaved", "unknown"]
    text: str

    @property
    def non_ascii(self) -> bool:
        return any(ord(ch) > 127 for ch in self.text)


def classify_location(fullname: str | None) -> Location:
    if not fullname:
        return Location("unknown", "")
    if "://" in fullname:
        return Location("cloud", fullname)
    if not re.search(r"[\\/]", fullname):
        return Location("unsaved", fullname)   # Excel's FullName of a never-saved book: "Book1"
    return Location("local", fullname)


def log_dir() -> Path:
    """Where button logs go: always a local folder, never next to the workbook."""
    override = os.environ.get("XLPLAN_LOG_DIR")
    if override:
        return Path(override)
    return home() / "logs"


# ------------------------------------------------------------------ values in the workbook

def conf_values(grid: Grid | None) -> dict[str, Any]:
    """The xlwings.conf sheet: key in column A, value in column B (keys upper-cased, as xlwings' VBA does)."""
    result: dict[str, Any] = {}
    for row in grid or []:
        if not row or not isinstance(row[0], str) or not row[0].strip():
            continue
        value = row[1] if len(row) > 1 else ""
        result[row[0].strip().upper()] = "" if value is None else value
    return result


def embedded_versions(lists: Grid | None) -> dict[str, str]:
    """Versions the workbook was built with, from the hidden _lists sheet (empty when not recorded)."""
    if not lists:
        return {}
    header = lists[0]
    values = lists[1] if len(lists) > 1 else []
    found = {}
    for col, key in enumerate(header):
        if key in VERSION_KEYS and col < len(values) and values[col] not in (None, ""):
            found[key] = str(values[col]).strip()
    return found


def xlwings_version() -> str:
    """The xlwings this Python runs (its own __version__: importlib.metadata costs a click 10 ms)."""
    try:
        import xlwings
    except ImportError:
        return ""
    return xlwings.__version__


def version_mismatch_message(lists: Grid | None) -> str | None:
    """A warning for the buttons when the workbook's xlwings VBA differs from the installed xlwings."""
    recorded = embedded_versions(lists).get("xlwings_version")
    installed = xlwings_version()
    if not recorded or not installed or recorded == installed:
        return None
    return (f"注意: このブックに組み込まれた xlwings（VBA）は {recorded}、この PC の Python の xlwings は {installed} です。"
            f"版が違うとボタンが動かなくなることがあります（Mac では必ず動きません）。{REBUILD_FIX}"
            f"または、コマンド py -m pip install xlwings=={recorded} で Python 側を合わせます。")


def vba_xlwings_version(sources: Mapping[str, str]) -> str | None:
    """XLWINGS_VERSION from the embedded xlwings VBA module (files only; a live workbook's VBA is not readable)."""
    for name, text in sources.items():
        if name.lower() == "xlwings":
            m = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', text)
            if m:
                return m.group(1)
    return None


# ------------------------------------------------------------------ checks

def environment_checks() -> list[Check]:
    checks = []
    py = ".".join(map(str, sys.version_info[:3]))
    checks.append(Check("ok" if sys.version_info[:2] >= MIN_PYTHON else "ng", "Python", f"{sys.executable}（{py}）",
                        f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} 以上を入れてください（docs/excel-setup.md）。"))
    if os.environ.get("PYTHONHOME"):
        checks.append(Check("ng", "環境変数 PYTHONHOME", os.environ["PYTHONHOME"],
                            "PYTHONHOME が設定されていると別の Python の部品を読み込み、ボタンが失敗します。"
                            "情報システム担当に PYTHONHOME の削除を依頼してください。"))
    checks.append(Check("ok", "xlplan", f"{__version__}（{Path(__file__).resolve().parent}）"))
    from importlib import metadata

    for label, dist in PACKAGES:
        try:
            checks.append(Check("ok", label, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            checks.append(Check("ng", label, "入っていません",
                                f"コマンド {sys.executable} -m pip install xlplan で xlplan と一緒に入れ直してください。"))
    office = libreoffice()
    checks.append(Check("ok", "LibreOffice（任意: 画像での確認用）", office) if office else
                  Check("info", "LibreOffice（任意: 画像での確認用）", "見つかりません（ボタンやコマンドには不要です）"))
    checks.append(Check("info", "ログの保存先", str(log_dir())))
    return checks


def libreoffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)")):
        if base and (Path(base) / "LibreOffice" / "program" / "soffice.exe").is_file():
            return str(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    if Path("/Applications/LibreOffice.app/Contents/MacOS/soffice").is_file():
        return "/Applications/LibreOffice.app/Contents/MacOS/soffice"
    return None


def workbook_checks(values: Mapping[str, Grid], location: Location | None,
                    vba_version: str | None = None, has_vba: bool | None = None, *,
                    in_click: bool = False, probe: bool = True) -> list[Check]:
    """Checks of one workbook: its xlwings.conf values (and a real run of the interpreter they name),
    embedded versions and where it lives."""
    checks: list[Check] = []
    if location is not None:
        checks.append(location_check(location))
    if has_vba is False:
        if location is not None and location.text.lower().endswith(".xlsm"):
            checks.append(Check("ng", "マクロ（VBA）", "このブックにはマクロが入っていません（.xlsm なのに VBA がありません）",
                                "メールやファイル交換の無害化（サニタイズ）でマクロが取り除かれた可能性があります。"
                                "無害化されない経路（バンドルのひな形、zip、庁内のファイルサーバー）で受け取り直すか、"
                                "コマンド xlplan new 新しいブック.xlsm --from ブック.xlsm で作り直してください（入力はそのまま引き継がれます）。"))
        else:
            checks.append(Check("ng", "マクロ（VBA）", "このブックにはマクロが入っていません（.xlsx）",
                                "ボタンを使うには xlplan new ブック.xlsm のように .xlsm で作ってください。"))
    conf_grid = values.get(L.XLWINGS_CONF)
    if conf_grid is None:
        checks.append(Check("ng", "xlwings.conf シート", "ありません",
                            "ボタンが使う Python を決めるシートです。" + REBUILD_FIX))
    else:
        workbook = location.text if location is not None and location.kind == "local" else ""
        embedded = vba_version or embedded_versions(values.get(L.LISTS)).get("xlwings_version")
        checks += conf_checks(conf_values(conf_grid), location, workbook=workbook, in_click=in_click,
                              vba_xlwings=embedded, probe=probe)
    checks += version_checks(values.get(L.LISTS), vba_version)
    return checks


def location_check(location: Location) -> Check:
    if location.kind == "cloud":
        return Check("ng", "ブックの場所", f"{location.text}（OneDrive/SharePoint の URL）",
                     "同期されたこの PC のフォルダー（エクスプローラーで見える OneDrive のフォルダー）から開くか、"
                     "デスクトップなどにコピーして使ってください。ボタンは値だけを読み書きするので動きますが、"
                     f"ログはブックの隣ではなくこの PC の {log_dir()} に保存されます。")
    if location.kind == "unsaved":
        return Check("ng", "ブックの場所", f"{location.text}（まだ保存されていません）",
                     "［名前を付けて保存］で「Excel マクロ有効ブック（*.xlsm）」として保存してください。")
    if location.kind == "unknown":
        return Check("info", "ブックの場所", "わかりません")
    if location.text.lower().endswith(".xlsx"):
        return Check("ng", "ブックの場所", f"{location.text}（.xlsx: 保存するとマクロが消えます）",
                     "［名前を付けて保存］で「Excel マクロ有効ブック（*.xlsm）」として保存してください。")
    note = "（日本語を含むパスでも問題ありません）" if location.non_ascii else ""
    return Check("ok", "ブックの場所", location.text + note)


def conf_checks(conf: Mapping[str, Any], location: Location | None = None, *, workbook: str = "",
                in_click: bool = False, vba_xlwings: str | None = None, probe: bool = True) -> list[Check]:
    checks = []
    missing = [k for k in dict.fromkeys((*PER_CLICK_WIN, *PER_CLICK_MAC)) if k not in conf]
    if missing:
        checks.append(Check("ng", "xlwings.conf の項目", f"{'、'.join(missing)} がありません",
                            "足りない項目は、押すたびに %USERPROFILE%\\.xlwings\\xlwings.conf などのファイルから読まれ、"
                            "そのファイルが壊れていると「エラー 62」などで止まります。" + REBUILD_FIX))
    if "TEMP DIR" in conf and not str(conf.get("TEMP DIR") or "").strip():
        checks.append(Check("ng", "xlwings.conf の TEMP DIR", "空欄です（ログをドライブの直下に書こうとして失敗します）",
                            "xlwings.conf シートの TEMP DIR を %TEMP% にしてください。"))
    checks += interpreter_checks(conf, workbook, in_click=in_click, vba_xlwings=vba_xlwings, probe=probe)
    pythonpath = str(conf.get("PYTHONPATH", "") or "")
    if pythonpath:
        bad = [p for p in pythonpath.split(";") if p.endswith("\\")]
        checks.append(Check("ng" if bad else "ok", "PYTHONPATH", pythonpath,
                            "末尾の「\\」を消してください（あると Python を起動できません）。"))
    if _truthy(conf.get("USE UDF SERVER")):
        checks.append(udf_server_check(conf))
    add_dir = conf.get("ADD_WORKBOOK_TO_PYTHONPATH", "")
    if _truthy(add_dir) or add_dir in ("", None):
        cloud = location is not None and location.kind == "cloud"
        checks.append(Check("ng" if cloud else "info", "ADD_WORKBOOK_TO_PYTHONPATH", "TRUE（ブックのフォルダーを探す）",
                            "OneDrive 上のブックでは失敗するため、xlwings.conf シートで FALSE にしてください"
                            "（xlplan は Python のパッケージとして読み込まれるので不要です）。"))
    return checks


def udf_server_check(conf: Mapping[str, Any]) -> Check:
    """高速モード (Use UDF Server = TRUE): one Python stays running; needs xlwings' DLL next to the interpreter."""
    from xlwings import __version__ as xlwings_version_installed

    label = "高速モード（Use UDF Server）"
    if not on_windows():
        return Check("ng", label, "TRUE（Windows だけの機能です）", "xlwings.conf シートで FALSE にしてください。")
    python = Path(expand_setting(str(conf.get("INTERPRETER_WIN", "") or "")))
    dll = f"xlwings64-{xlwings_version_installed}.dll"
    if not any((folder / dll).is_file() for folder in (python.parent, python.parent.parent)):
        return Check("ng", label, f"TRUE ですが {dll} が {python.parent.parent} にありません",
                     "xlwings.conf シートで FALSE に戻すか、セットアップをもう一度実行してください。")
    return Check("info", label, "TRUE（Python を起動したままにして 2 回目以降を速くします）",
                 "xlplan を更新したあとや、動きがおかしいときは Excel をすべて閉じて開き直してください（docs/excel-setup.md）。")


def interpreter_checks(conf: Mapping[str, Any], workbook: str = "", *, in_click: bool = False,
                       vba_xlwings: str | None = None, probe: bool = True, this_pc_only: bool = False) -> list[Check]:
    """Interpreter_Win and Interpreter_Mac: the right form for their OS; on this PC's one, the file and
    a real run of the button's command line (never in-process: a broken pywin32 only shows there)."""
    from xlplan.probe import SETUP_FIX, probe_checks, run_probe

    windows = on_windows()
    conda = str(conf.get("CONDA ENV", "") or "").strip()
    checks: list[Check] = []
    for key, for_windows in (("INTERPRETER_WIN", True), ("INTERPRETER_MAC", False)):
        value = str(conf.get(key, "") or "").strip()
        check = interpreter_form(key, value, for_windows, conda)
        if for_windows != windows:
            if this_pc_only:
                continue
            if check.status != "ng":
                check = Check("info", check.label, check.detail + "（この PC では使いません）")
            checks.append(check)
            continue
        if check.status == "ng" or not value:
            checks.append(check)
            continue
        path = expand_setting(value, windows)
        shown = value if path == value else f"{value} → {path}"
        if in_click:
            checks.append(Check("ok", check.label, f"{shown}（このボタンはこの Python で動いています）"))
        elif not Path(path).is_file():
            checks.append(Check("ng", check.label, f"{shown}（見つかりません）", SETUP_FIX))
        else:
            checks.append(Check(check.status, check.label, shown, check.fix))
            if probe:
                checks += probe_checks(run_probe(path, workbook), vba_xlwings=vba_xlwings)
    return checks


def interpreter_form(key: str, value: str, for_windows: bool, conda_env: str = "") -> Check:
    """Whether a setting can work on the PCs it is meant for (pure: no file system)."""
    label = f"xlwings.conf の Interpreter_{'Win' if for_windows else 'Mac'}"
    standard = WIN_INTERPRETER if for_windows else MAC_INTERPRETER
    fix = (f"xlwings.conf シートの B 列を標準の値「{standard}」にするか、ブックを作り直してください"
           "（xlplan dump → xlplan new --from）。各 PC では xlplan のセットアップを一度実行します。")
    if not value:
        if conda_env:
            return Check("info", label, f"空欄（Conda 環境「{conda_env}」を使用）")
        return Check("ng", label, "空欄です（PATH 上の python を探します）", fix)
    if not re.search(r"[\\/]", value):
        return Check("ng", label, f"「{value}」（名前だけで、場所が書かれていません）",
                     "PATH の設定次第で別の Python や Microsoft Store の python が起動します。" + fix)
    if for_windows and not re.match(r"^([A-Za-z]:[\\/]|\\\\|%[^%]+%[\\/])", value):
        return Check("ng", label, f"{value}（Windows のパスではありません）", fix)
    if not for_windows and not value.startswith(("/", "$")):
        return Check("ng", label, f"{value}（Mac のパスではありません）", fix)
    if value == standard:
        return Check("ok", label, f"{value}（標準の場所: どの PC でも使えます）")
    if not re.search(r"%[^%]+%|\$[A-Za-z_]", value) and re.search(r"[\\/](Users|home)[\\/]", value, re.I):
        return Check("info", label, f"{value}（特定のユーザーのフォルダーです。ほかの PC・ユーザーでは動きません）", fix)
    return Check("ok", label, value)


def standard_checks(*, probe: bool = True) -> list[Check]:
    """Without a workbook: the interpreter every new workbook names, on this PC, and a real run of it."""
    conf = {"INTERPRETER_WIN": WIN_INTERPRETER, "INTERPRETER_MAC": MAC_INTERPRETER}
    checks = interpreter_checks(conf, probe=probe, this_pc_only=True)
    return [Check(c.status, "ボタン用の Python（標準の場所）", c.detail, c.fix) if c.label.startswith("xlwings.conf") else c
            for c in checks]


def version_checks(lists: Grid | None, vba_version: str | None = None) -> list[Check]:
    recorded = embedded_versions(lists)
    installed = xlwings_version()
    embedded = vba_version or recorded.get("xlwings_version")
    source = "VBA モジュール" if vba_version else "作成時の記録"
    checks = []
    if not embedded:
        checks.append(Check("ng", "ブックの xlwings（VBA）", "記録がありません（古い xlplan で作ったブック）",
                            "版が合っているか確かめられません。" + REBUILD_FIX))
    elif embedded == installed:
        checks.append(Check("ok", "ブックの xlwings（VBA）", f"{embedded}（{source}）＝ Python の xlwings {installed}"))
    else:
        checks.append(Check("ng", "ブックの xlwings（VBA）", f"{embedded}（{source}）≠ Python の xlwings {installed or 'なし'}",
                            REBUILD_FIX + f" または、コマンド py -m pip install xlwings=={embedded} で Python 側を合わせます。"))
    built = recorded.get("xlplan_version")
    if built and built != __version__:
        checks.append(Check("info", "ブックを作った xlplan", f"{built}（今の xlplan は {__version__}）",
                            "新しい版の機能を使うには " + REBUILD_FIX))
    elif built:
        checks.append(Check("ok", "ブックを作った xlplan", built))
    return checks


def format_report(checks: Sequence[Check], title: str = "xlplan 環境診断") -> str:
    problems = sum(c.status == "ng" for c in checks)
    lines = [title, *[c.line() for c in checks]]
    lines.append("問題は見つかりませんでした。" if not problems else f"✗ が {problems} 件あります。→ の直し方を試してください。")
    return "\n".join(lines)


def has_problems(checks: Sequence[Check]) -> bool:
    return any(c.status == "ng" for c in checks)


# ------------------------------------------------------------------ helpers

def expand_env(value: str) -> str:
    """%VAR% as Windows' ExpandEnvironmentStrings (which xlwings' VBA applies), on any OS."""
    return expand_setting(value, windows=True)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().upper() in ("TRUE", "1", "YES"))
