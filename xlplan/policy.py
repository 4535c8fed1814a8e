"""Office and Windows policies that stop the buttons on locked-down PCs (LGWAN terminals).

``read_facts`` reads what a standard user may read (HKCU/HKLM policy keys with
winreg, the workbook's Zone.Identifier stream) on Windows only; elsewhere every
fact is unknown. ``policy_checks`` turns facts into Japanese lines and is pure,
so the decisions are tested with injected facts on any OS.

What each fact means for a button:
* Mark of the Web (ZoneId 3/4 on the file): Office blocks its macros outright.
* VBAWarnings 3 (signed macros only) / 4 (all disabled): the unsigned VBA never runs.
* Protected View: a file from the internet or mail opens read-only until 編集を有効にする.
* ASR rule D4F940AB-… (Office may not create child processes) in block mode: RunPython's
  cmd.exe is killed, every click fails.
* DisableCMD 1: cmd.exe /C refuses to run (RunPython needs it); 2 only blocks the interactive prompt.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from xlplan.checks import Check

OFFICE = r"Software\Microsoft\Office\16.0\Excel\Security"
OFFICE_POLICY = r"Software\Policies\Microsoft\Office\16.0\Excel\Security"
ASR_RULE = "d4f940ab-401b-4efc-aadc-ad5f3c50688a"   # Block all Office applications from creating child processes
ASR_KEYS = (r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
            r"SOFTWARE\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules")
CMD_POLICY = r"Software\Policies\Microsoft\Windows\System"
DOCS = "docs/excel-setup.md「IT 担当の方へ」"


@dataclass(frozen=True)
class PolicyFacts:
    """What is known about this PC and workbook (None: unknown or not set)."""

    vba_warnings: int | None = None          # 1 all enabled, 2 notify (default), 3 signed only, 4 all disabled
    vba_warnings_by_policy: bool = False
    block_internet_macros: bool | None = None  # blockcontentexecutionfrominternet policy
    protected_view_internet: bool | None = None  # True: files from the internet open in Protected View
    trusted_locations_disabled: bool | None = None
    asr_child_processes: int | None = None   # 0 off, 1 block, 2 audit, 6 warn
    disable_cmd: int | None = None           # 1: cmd and scripts disabled, 2: interactive prompt only
    zone_id: int | None = None               # the workbook's Mark of the Web (3 internet, 4 restricted)
    in_trusted_location: bool | None = None
    windows: bool = False


def policy_checks(facts: PolicyFacts, workbook: Path | None = None) -> list[Check]:
    if not facts.windows:
        return [Check("info", "Office・Windows のポリシー", "Windows でだけ確認できます")]
    checks: list[Check] = []
    if workbook is not None and facts.zone_id is not None and facts.zone_id >= 3:
        checks.append(Check("ng", "ブックの入手元（Mark of the Web）",
                            f"インターネットまたはメールから来たファイルの印が付いています（ZoneId={facts.zone_id}）。"
                            "Office はこのブックのマクロを止めます",
                            f"Excel でブックを閉じ、エクスプローラーでブックを右クリック →［プロパティ］→「許可する」に"
                            f"チェックを入れて［OK］。PowerShell では Unblock-File -Path \"{workbook}\""))
    elif workbook is not None and facts.zone_id is None:
        checks.append(Check("ok", "ブックの入手元（Mark of the Web）", "印はありません（マクロは止められません）"))
    checks += _macro_setting(facts)
    if facts.block_internet_macros:
        checks.append(Check("info", "インターネットから来たマクロ", "ポリシーでブロックされます（Mark of the Web の付いたブック）",
                            "ブックは「許可する」にしてから開くか、信頼できる場所に置いてください。"))
    if facts.protected_view_internet is not False:
        checks.append(Check("info", "保護ビュー", "インターネット・メールから来たブックは保護ビュー（読み取り専用）で開きます",
                            "上部の黄色いバーの［編集を有効にする］を押すまで、ボタンは動きません。"))
    if facts.trusted_locations_disabled:
        checks.append(Check("info", "信頼できる場所", "ポリシーで使えなくなっています",
                            "マクロの有効化は「許可する」または組織の証明書による署名で行います（" + DOCS + "）。"))
    elif facts.in_trusted_location:
        checks.append(Check("ok", "信頼できる場所", "ブックは信頼できる場所にあります（マクロは確認なしで動きます）"))
    checks += _asr(facts)
    if facts.disable_cmd == 1:
        checks.append(Check("ng", "コマンドプロンプト", "ポリシーで無効です（DisableCMD=1）。ボタンは cmd.exe /C で Python を起動するため動きません",
                            "情報システム担当に、このユーザーの「コマンド プロンプトへのアクセス禁止」を解除するか、"
                            "「スクリプト処理も無効にする」を［いいえ］（DisableCMD=2）にするよう依頼してください（" + DOCS + "）。"))
    elif facts.disable_cmd == 2:
        checks.append(Check("info", "コマンドプロンプト", "対話的な利用だけが無効です（DisableCMD=2）。ボタンの cmd.exe /C は動きます"))
    return checks


def _macro_setting(facts: PolicyFacts) -> list[Check]:
    source = "ポリシー" if facts.vba_warnings_by_policy else "Excel の設定"
    if facts.vba_warnings == 4:
        return [Check("ng", "マクロの設定", f"すべてのマクロが無効（通知なし）です（{source}）",
                      "ブックを信頼できる場所に置くか、情報システム担当に相談してください（" + DOCS + "）。")]
    if facts.vba_warnings == 3:
        return [Check("ng", "マクロの設定", f"デジタル署名されたマクロだけが動きます（{source}）。xlplan のブックのマクロは署名されていません",
                      "信頼できる場所に置くか、情報システム担当が組織のコード署名証明書で VBA プロジェクトに署名します"
                      "（ブックを作り直すたびに署名し直しが必要です。" + DOCS + "）。")]
    if facts.vba_warnings == 1:
        return [Check("info", "マクロの設定", f"すべてのマクロが有効です（{source}）")]
    return [Check("ok", "マクロの設定", "警告を表示してマクロを無効にする（既定）: 黄色いバーの［コンテンツの有効化］で動きます")]


def _asr(facts: PolicyFacts) -> list[Check]:
    rule = "攻撃面の減少（ASR）規則「Office アプリケーションによる子プロセスの作成をブロック」"
    if facts.asr_child_processes == 1:
        return [Check("ng", "ASR 規則", f"{rule} がブロックモードです。ボタンが起動する cmd.exe と Python が止められます",
                      "情報システム担当に、この規則を監査モードにするか、xlplan の Python を除外に加えるよう依頼してください（" + DOCS + "）。")]
    if facts.asr_child_processes == 6:
        return [Check("info", "ASR 規則", f"{rule} が警告モードです。初回にブロックの通知が出たら［ブロック解除］を選びます")]
    if facts.asr_child_processes == 2:
        return [Check("info", "ASR 規則", f"{rule} は監査モードです（記録だけでボタンは動きます）")]
    return []


# ------------------------------------------------------------------ reading the facts (Windows only)

def read_facts(workbook: Path | None = None) -> PolicyFacts:
    if not sys.platform.startswith("win"):
        return PolicyFacts()
    import winreg  # noqa: PLC0415 - Windows only

    def value(root, key: str, name: str):
        try:
            with winreg.OpenKey(root, key) as handle:
                return winreg.QueryValueEx(handle, name)[0]
        except OSError:
            return None

    hkcu, hklm = winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE
    policy_warnings = value(hkcu, OFFICE_POLICY, "VBAWarnings")
    warnings = policy_warnings if policy_warnings is not None else value(hkcu, OFFICE, "VBAWarnings")
    pv = value(hkcu, OFFICE_POLICY + r"\ProtectedView", "DisableInternetFilesInPV")
    if pv is None:
        pv = value(hkcu, OFFICE + r"\ProtectedView", "DisableInternetFilesInPV")
    asr = None
    for key in ASR_KEYS:
        raw = value(hklm, key, ASR_RULE) or value(hklm, key, ASR_RULE.upper())
        if raw is not None:
            asr = _int(raw)
            break
    cmd = value(hkcu, CMD_POLICY, "DisableCMD")
    if cmd is None:
        cmd = value(hklm, CMD_POLICY, "DisableCMD")
    return PolicyFacts(
        vba_warnings=_int(warnings), vba_warnings_by_policy=policy_warnings is not None,
        block_internet_macros=_flag(value(hkcu, OFFICE_POLICY, "blockcontentexecutionfrominternet")),
        protected_view_internet=None if pv is None else not _flag(pv),
        trusted_locations_disabled=_flag(value(hkcu, OFFICE_POLICY + r"\Trusted Locations", "AllLocationsDisabled")),
        asr_child_processes=asr, disable_cmd=_int(cmd),
        zone_id=zone_id(workbook) if workbook is not None else None,
        in_trusted_location=_in_trusted(workbook, winreg) if workbook is not None else None,
        windows=True)


def zone_id(path: Path) -> int | None:
    """The ZoneId of a file's Mark of the Web (its Zone.Identifier NTFS stream), or None."""
    try:
        text = Path(f"{path}:Zone.Identifier").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.strip().lower().startswith("zoneid="):
            return _int(line.split("=", 1)[1])
    return None


def _in_trusted(workbook: Path, winreg) -> bool | None:
    folder = str(workbook.resolve().parent).lower().rstrip("\\")
    found = False
    for base in (OFFICE, OFFICE_POLICY):
        try:
            root = winreg.OpenKey(winreg.HKEY_CURRENT_USER, base + r"\Trusted Locations")
        except OSError:
            continue
        with root:
            for i in range(64):
                try:
                    name = winreg.EnumKey(root, i)
                except OSError:
                    break
                try:
                    with winreg.OpenKey(root, name) as loc:
                        path = str(winreg.QueryValueEx(loc, "Path")[0])
                        try:
                            subfolders = bool(winreg.QueryValueEx(loc, "AllowSubfolders")[0])
                        except OSError:
                            subfolders = False
                except OSError:
                    continue
                trusted = _expand(path).lower().rstrip("\\")
                if folder == trusted or (subfolders and folder.startswith(trusted + "\\")):
                    found = True
    return found


def _expand(path: str) -> str:
    import os

    return os.path.expandvars(path)


def _int(raw) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _flag(raw) -> bool | None:
    number = _int(raw)
    return None if number is None else number != 0
