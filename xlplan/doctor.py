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
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from xlplan import __version__
from xlplan.layout import sheets as L

Grid = Sequence[Sequence[Any]]
Status = Literal["ok", "ng", "info"]
MARKS = {"ok": "✓", "ng": "✗", "info": "－"}
MIN_PYTHON = (3, 11)
VERSION_KEYS = ("xlwings_version", "xlplan_version")   # header cells in row 1 of the hidden _lists sheet
PACKAGES = (("xlwings", "xlwings"), ("openpyxl", "openpyxl"), ("XlsxWriter", "XlsxWriter"),
            ("python-calamine", "python-calamine"))
REBUILD_FIX = ("ブックを作り直すと揃います: `xlplan dump ブック.xlsm -o plan.yaml` で内容を書き出し、"
               "`xlplan new 新しいブック.xlsm --from plan.yaml` で作り直します。")


@dataclass(frozen=True)
class Check:
    status: Status
    label: str
    detail: str
    fix: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    def line(self) -> str:
        text = f"{self.mark} {self.label}: {self.detail}"
        if self.fix and self.status != "ok":
            text += f"\n    → {self.fix}"
        return text


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
    if sys.platform.startswith("win") and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "xlplan" / "logs"
    return Path.home() / ".xlplan" / "logs"


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
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return ""


def version_mismatch_message(lists: Grid | None) -> str | None:
    """A warning for the buttons when the workbook's xlwings VBA differs from the installed xlwings."""
    recorded = embedded_versions(lists).get("xlwings_version")
    installed = xlwings_version()
    if not recorded or not installed or recorded == installed:
        return None
    return (f"注意: このブックに組み込まれた xlwings（VBA）は {recorded}、この PC の Python の xlwings は {installed} です。"
            f"版が違うとボタンが動かなくなることがあります（Mac では必ず動きません）。{REBUILD_FIX}"
            f"または `py -m pip install xlwings=={recorded}` で Python 側を合わせます。")


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
    for label, dist in PACKAGES:
        try:
            checks.append(Check("ok", label, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            checks.append(Check("ng", label, "入っていません",
                                f"`{sys.executable} -m pip install xlplan` で xlplan と一緒に入れ直してください。"))
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
                    vba_version: str | None = None, has_vba: bool | None = None) -> list[Check]:
    """Checks of one workbook: its xlwings.conf values, embedded versions and where it lives."""
    checks: list[Check] = []
    if location is not None:
        checks.append(location_check(location))
    if has_vba is False:
        checks.append(Check("ng", "マクロ（VBA）", "このブックにはマクロが入っていません（.xlsx）",
                            "ボタンを使うには `xlplan new ブック.xlsm` のように .xlsm で作ってください。"))
    conf_grid = values.get(L.XLWINGS_CONF)
    if conf_grid is None:
        checks.append(Check("ng", "xlwings.conf シート", "ありません",
                            "ボタンが使う Python を決めるシートです。" + REBUILD_FIX))
    else:
        checks += conf_checks(conf_values(conf_grid), location)
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


def conf_checks(conf: Mapping[str, Any], location: Location | None = None) -> list[Check]:
    checks = []
    on_mac = sys.platform == "darwin"
    conda = str(conf.get("CONDA ENV", "") or "").strip()
    for key, primary in (("INTERPRETER_WIN", not on_mac), ("INTERPRETER_MAC", on_mac)):
        check = interpreter_check(key, str(conf.get(key, "") or "").strip(), conda)
        if not primary and check.status == "ng":
            check = Check("info", check.label, check.detail + "（この PC では使いません）")
        checks.append(check)
    pythonpath = str(conf.get("PYTHONPATH", "") or "")
    if pythonpath:
        bad = [p for p in pythonpath.split(";") if p.endswith("\\")]
        checks.append(Check("ng" if bad else "ok", "PYTHONPATH", pythonpath,
                            "末尾の「\\」を消してください（あると Python を起動できません）。"))
    if _truthy(conf.get("USE UDF SERVER")):
        checks.append(Check("ng", "Use UDF Server", "TRUE",
                            "xlplan は UDF サーバーを使いません。xlwings.conf シートで FALSE にしてください。"))
    add_dir = conf.get("ADD_WORKBOOK_TO_PYTHONPATH", "")
    if _truthy(add_dir) or add_dir in ("", None):
        cloud = location is not None and location.kind == "cloud"
        checks.append(Check("ng" if cloud else "info", "ADD_WORKBOOK_TO_PYTHONPATH", "TRUE（ブックのフォルダーを探す）",
                            "OneDrive 上のブックでは失敗するため、xlwings.conf シートで FALSE にしてください"
                            "（xlplan は Python のパッケージとして読み込まれるので不要です）。"))
    return checks


def interpreter_check(key: str, value: str, conda_env: str = "") -> Check:
    label = f"xlwings.conf の Interpreter_{key.rsplit('_', 1)[1].title()}"
    fix_path = ("xlwings.conf シートの B 列に python.exe の完全なパスを書くか、"
                "使う Python で `xlplan new`（または `xlplan new --from`）を実行してブックを作り直してください。")
    if not value:
        if conda_env:
            return Check("info", label, f"空欄（Conda 環境「{conda_env}」を使用）")
        return Check("ng", label, "空欄です（PATH 上の python を探します）", fix_path)
    expanded = expand_env(value)
    if not re.search(r"[\\/]", expanded):
        return Check("ng", label, f"「{value}」（名前だけで、場所が書かれていません）",
                     "PATH の設定次第で別の Python や Microsoft Store の python が起動します。" + fix_path)
    windows_path = bool(re.match(r"^[A-Za-z]:[\\/]|^\\\\", expanded))
    here_windows = sys.platform.startswith("win")
    if windows_path != here_windows:
        return Check("info", label, f"{value}（この PC では確認できません）")
    path = Path(expanded)
    if not path.is_file():
        return Check("ng", label, f"{value}（見つかりません）",
                     "Python を入れ直した・移動した場合に起こります。" + fix_path)
    if _same_python(path, Path(sys.executable)):
        return Check("ok", label, f"{value}（この Python。xlplan を読み込めます）")
    ok, detail = _probe(path)
    if ok:
        return Check("ok", label, f"{value}（xlplan {detail} を読み込めます）")
    return Check("ng", label, f"{value}（xlplan を読み込めません: {detail}）",
                 f"`\"{expanded}\" -m pip install xlplan` でこの Python に xlplan を入れるか、" + fix_path)


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
                            REBUILD_FIX + f" または `py -m pip install xlwings=={embedded}` で Python 側を合わせます。"))
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
    return re.sub(r"%([^%]+)%", lambda m: os.environ.get(m.group(1), m.group(0)), value)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().upper() in ("TRUE", "1", "YES"))


def _same_python(a: Path, b: Path) -> bool:
    def norm(p: Path) -> tuple[str, str]:
        try:
            p = p.resolve()
        except OSError:
            pass
        return os.path.normcase(str(p.parent)), p.stem.lower().removesuffix("w")
    return norm(a) == norm(b)


def _probe(python: Path) -> tuple[bool, str]:
    """Whether that Python can import xlplan and xlwings; (ok, version or reason)."""
    code = "import xlplan, xlwings; print(xlplan.__version__)"
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform.startswith("win") else 0
    try:
        done = subprocess.run([str(python), "-c", code], check=False, capture_output=True, text=True, timeout=60,
                              creationflags=flags)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"起動できません（{exc}）"
    if done.returncode == 0:
        return True, done.stdout.strip()
    last = (done.stderr.strip().splitlines() or ["不明なエラー"])[-1]
    return False, last

