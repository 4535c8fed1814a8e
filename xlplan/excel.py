"""The Excel buttons: one function per button, called from macros/XlplanMacros.bas.

Each button runs ``RunPython "import xlplan.excel as x; x.validate()"``: the
module name is fixed ASCII, so Japanese workbook names and folders do not
matter. Each function takes the calling workbook (default ``xw.Book.caller()``),
reads the values it needs (one read per sheet), runs the same operation as the
CLI (``xlplan.operations``) and applies the ops in blocks
(``xlplan.adapters.xlwings_live``).

What the planner sees is always a Japanese message box:
* an expected problem (``XlplanUserError``) → its message, no traceback;
* anything else → a short message and the path of a local log file that holds
  the full traceback.
The functions never exit non-zero on purpose (RunPython would show a raw
traceback box); only when there is no workbook to show a message in does the
error propagate, with a Japanese message.

Excel calls per button: every button works on one ``LiveBook`` (App, engine and
sheets asked for once per click, book identity and the same-name check once)
and reads each sheet it needs in 3 calls plus its lookup (the plan's sheets include 進捗管理 and
「退避した入力」: the yearly inputs are part of the plan). Engine calls — each
call from xlwings' API into its engine, one COM round trip on Windows — are
counted by bench/engine_calls.py under the remote engine: validate 75,
redraw 83, populate 71, progress 73, clear marks 25 for the sample, the same
for a 10× plan (tests/test_excel_live.py asserts ≤ 100); each domain sheet beyond the
sample's 8 adds 4. Actions (writes + the message box)
stay at most 2 per op + 1.
計画の枠組みを変更 (reshape) reads like redraw, then applies pass 1 (column inserts and deletes, renames,
基本情報) and pass 2 (the owned sheets, computed from the values read plus pass 1's ops — nothing is
read back): 254 calls for the sample and the 10× plan (bench/README.md).
The 照会 buttons read like validate (実績照会 adds 進捗管理, 回答を取り込む 取込結果) and read
the answer files from disk; 照会票を作成 writes only files, 回答を取り込む one write per changed
row, one insert + write + autofit per insertion point and one block for 取込結果.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlwings as xw

# A click is a fresh process: pydantic's plugin lookup (a scan of every installed distribution's
# entry points) is skipped; xlplan uses no pydantic plugins. Set before pydantic is imported.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")

from xlplan import __version__, operations  # noqa: E402
from xlplan.adapters.xlwings_live import (
    ExcelSession,
    LiveBook,
    apply_ops_live,
    book_fullname,
    read_book_values,
)
from xlplan.core.findings import Severity
from xlplan.core.fiscal import wareki_fy
from xlplan.doctor import (
    Location,
    classify_location,
    environment_checks,
    format_report,
    log_dir,
    version_mismatch_message,
    workbook_checks,
)
from xlplan.errors import XlplanUserError
from xlplan.layout import sheets as L
from xlplan.layout.ops import Op
from xlplan.layout.read import ReadResult, percent_columns, plan_sheets, read_plan

TITLE = "xlplan"
RESHAPE_LABEL = "計画の枠組みを変更"
RESHAPE_STOPPED = ("計画の枠組みの変更は途中で止まり、ブックの一部だけが変わっている可能性があります。"
                   "ブックを保存せずに閉じ、開き直してから、もう一度ボタンを押してください。")
MAX_LISTED = 15   # names listed in a message box before 「ほか n件」


# ------------------------------------------------------------------ the buttons

def populate(book: xw.Book | None = None) -> str:
    """「カタログから追加」: add the catalog measures ticked 採用 to their domain sheets."""
    return _run(book, "カタログから追加", _populate)


def validate(book: xw.Book | None = None) -> str:
    """「検証」: write the findings to 検証結果 (marks follow through conditional formats)."""
    return _run(book, "検証", _validate)


def redraw_schedule(book: xw.Book | None = None) -> str:
    """「工程表を再描画」: rebuild スケジュール from the domain sheets, and refresh 検証結果."""
    return _run(book, "工程表を再描画", _redraw)


def clear_marks(book: xw.Book | None = None) -> str:
    """「印をすべて消す」: empty 検証結果, which removes every red/yellow mark."""
    return _run(book, "印を消去", _clear_marks)


def update_progress(book: xw.Book | None = None) -> str:
    """「進捗管理を作成」: the review of the year typed in 進捗管理!B2 (else the latest year with actuals)."""
    return _run(book, "進捗管理を作成", _progress)


def show_actuals_on_schedule(book: xw.Book | None = None) -> str:
    """「工程表に実績を表示」: the 工程表 with each year's actual, 目安 and grade (★)."""
    return _run(book, "工程表に実績を表示", lambda ctx: _redraw(ctx, actuals=True))


def export_progress_report(book: xw.Book | None = None) -> str:
    """「進捗状況の報告書（Word）」: the report of the year in 進捗管理!B2, next to the workbook."""
    return _run(book, "進捗状況の報告書", _export_progress_report)


def export_document(book: xw.Book | None = None) -> str:
    """「計画書（Word）を出力」: the plan document (.docx) next to the workbook."""
    return _run(book, "計画書を出力", _export_document)


def make_survey_forms(book: xw.Book | None = None, folder: Path | None = None) -> str:
    """「照会票を作成」: a 計画照会 per 担当課 (.xlsx, no macros) in 照会票/ next to the workbook."""
    from xlplan.core.survey import SurveyKind

    return _run(book, "照会票を作成", lambda ctx: _survey(ctx, SurveyKind.PLAN, folder))


def make_actuals_forms(book: xw.Book | None = None, folder: Path | None = None) -> str:
    """「実績照会票を作成」: a 実績照会 per 担当課 for 進捗管理's year (else last fiscal year)."""
    from xlplan.core.survey import SurveyKind

    return _run(book, "実績照会票を作成", lambda ctx: _survey(ctx, SurveyKind.ACTUALS, folder))


def collect_answers(book: xw.Book | None = None, folder: Path | None = None) -> str:
    """「回答を取り込む」: merge the answers in 回答/ next to the workbook; 取込結果 lists every change."""
    return _run(book, "回答を取り込む", lambda ctx: _collect(ctx, folder))


def export_document_pdf(book: xw.Book | None = None) -> str:
    """「計画書（PDF）を出力」: the plan document as a PDF (contents with page numbers) next to the workbook."""
    return _run(book, "計画書（PDF）を出力", _export_document_pdf)


def reshape(book: xw.Book | None = None, confirm: bool = False, request=None) -> str:
    """「計画の枠組みを変更」: the year columns and the domain sheets changed to what 基本情報 says (its period
    and its list of domains; `request`: the command's options, for tests and callers that have them).

    Values that would leave the period are listed in a Yes/No box first. On the desktop engines the
    box answers at once; xlwings' remote engine only records it, and the clerk's ［はい］ comes back as
    a second call (the box's callback XlplanMacros.ReshapeConfirmed → reshape_confirmed)."""
    return _run(book, RESHAPE_LABEL, lambda ctx: _reshape(ctx, request, confirm))


def reshape_confirmed(book: xw.Book | None = None) -> str:
    """The ［はい］ of reshape's question where the box answers after Python has returned (remote engine)."""
    return reshape(book, confirm=True)


def doctor(book: xw.Book | None = None) -> str:
    """「環境診断」: Python, versions, xlwings.conf and the workbook's location, in a message box."""
    return _run(book, "環境診断", _doctor, location_notes=False)


def probe() -> None:
    """Not a button: what `xlplan setup` and `xlplan doctor` run through the buttons' exact command line.

    It imports what a click imports (this module, xlwings, and on Windows pywin32, which
    Book.caller() uses to reach Excel) and prints one ASCII line for xlplan.probe; no Excel needed."""
    import json
    import platform

    from xlplan.probe import MARKER
    from xlplan.userenv import CLICK_BLOCKED

    facts = {"xlplan": __version__, "xlwings": xw.__version__, "python": sys.executable,
             "version": platform.python_version(),
             "loaded_heavy": sorted(m for m in CLICK_BLOCKED if sys.modules.get(m) is not None)}
    if sys.platform.startswith("win"):
        import pythoncom  # noqa: F401
        import pywintypes  # noqa: F401
        import xlwings._xlwindows  # noqa: F401

        facts["pywin32"] = True
    import docx  # noqa: F401 - the plan-document button's python-docx (and lxml's DLLs)

    print(MARKER + json.dumps(facts), flush=True)


# ------------------------------------------------------------------ running a button

@dataclass
class _Context:
    book: LiveBook
    session: ExcelSession
    location: Location
    notes: list[str] = field(default_factory=list)

    def read(self, sheets: list[str], offset: int = 0, total: int | None = None, percent_columns=None) -> dict:
        """One value read per sheet, with 「検証中… 3/8 シート」 in the status bar."""
        total = total if total is not None else offset + len(sheets)
        return read_book_values(self.book, sheets, progress=lambda i, _n: self.session.progress(offset + i, total),
                                percent_columns=percent_columns)

    def read_plan_sheets(self) -> dict:
        """Only the sheets read_plan needs: 基本情報 first (it lists the domains), then the rest
        (with the % number formats of the KPI value cells where Excel can report them)."""
        first = read_book_values(self.book, [L.INFO])
        rest = plan_sheets(first.get(L.INFO, []))  # _lists included: the versions it was built with
        values = self.read(rest, 1, 1 + len(rest), percent_columns=percent_columns)
        values.update(first)
        self.check_versions(values)
        return values

    def check_versions(self, values: dict) -> None:
        if (warning := version_mismatch_message(values.get(L.LISTS))) is not None:
            self.notes.append(warning)

    def apply(self, ops: list[Op], checked: bool = False) -> None:
        apply_ops_live(self.book, ops, progress=self.session.writing, checked=checked)


class Shown(str):
    """A button's result that is already on the screen (reshape's question): not shown again."""


def _run(book: xw.Book | None, label: str, body: Callable[[_Context], str], *, location_notes: bool = True) -> str:
    if book is None:
        try:
            book = xw.Book.caller()
        except Exception as exc:
            log = write_log(exc, label, None)
            # No workbook to show a message box in: RunPython shows this text instead.
            raise RuntimeError(f"xlplan: ボタンを押したブックに接続できませんでした。詳しい内容はログを見てください: {log}") from exc
    location = Location("unknown", "")
    live: LiveBook | None = None
    try:
        live = LiveBook(book)     # App, engine and sheets: asked for once per click
        location = book_location(live)
        refuse_same_name(live)
        with ExcelSession(live, label) as session:
            ctx = _Context(live, session, location)
            message = body(ctx)
        if isinstance(message, Shown):
            return str(message)
        notes = _location_notes(location) if location_notes else []
        text = "\n\n".join([message, *ctx.notes, *notes])
        alert(live, text, label, "info")
        return text
    except XlplanUserError as exc:
        text = "\n".join([str(exc), *getattr(exc, "__notes__", ())])   # notes: e.g. reshape stopped half-way
        alert(live or book, text, label, "critical")
        return text
    except Exception as exc:  # noqa: BLE001 - any other failure: a short message and a log, never a traceback
        log = write_log(exc, label, book, location)
        text = (f"予期しないエラーが起きたため、「{label}」を中断しました（{type(exc).__name__}）。\n"
                f"詳しい内容をこの PC のログファイルに保存しました:\n{log}\n"
                "もう一度ボタンを押しても直らないときは、このファイルを添えて担当者に連絡してください。")
        text = "\n".join([text, *getattr(exc, "__notes__", ())])
        alert(live or book, text, label, "critical")
        return text


def alert(book: LiveBook | xw.Book, text: str, label: str, mode: str = "info") -> None:
    book.app.alert(text, title=f"{TITLE} — {label}", mode=mode)


def book_location(book: LiveBook) -> Location:
    return classify_location(book_fullname(book))


def _location_notes(location: Location) -> list[str]:
    if location.kind == "cloud":
        return [(f"参考: このブックは OneDrive/SharePoint 上で開かれています（{location.text}）。ボタンは動きますが、"
                 "同期されたこの PC のフォルダーから開くと確実です。ログはこの PC の "
                 f"{log_dir()} に保存されます。")]
    if location.kind == "unsaved":
        return ["参考: このブックはまだ保存されていません。［名前を付けて保存］で「Excel マクロ有効ブック（*.xlsm）」として保存してください。"]
    return []


def refuse_same_name(book: LiveBook) -> None:
    """Two open workbooks with the caller's name: refuse, since the wrong one could be written."""
    name = book.name
    apps = [book.app] if book.remote else list(xw.apps)
    count = sum(1 for app in apps for b in app.books if b.name.casefold() == name.casefold())
    if count > 1:
        raise XlplanUserError(
            f"同じ名前のブック「{name}」が {count} つ開いています。どちらのブックのボタンか確実に判断できないため、"
            "何も変更せずに中止しました。使わない方のブックを閉じてから、もう一度ボタンを押してください"
            "（別のフォルダーにある同じ名前のファイルも、同時には開かないでください）。")


def write_log(exc: BaseException, label: str, book: xw.Book | None, location: Location | None = None) -> Path:
    """The full traceback in a local log file; returns its path (a temp folder if the usual one fails)."""
    import platform
    import tempfile
    import traceback

    now = dt.datetime.now()
    lines = [f"xlplan {__version__} / xlwings {xw.__version__} / Python {platform.python_version()} ({sys.executable})",
             f"{now.isoformat(timespec='seconds')} ボタン: {label}"]
    if book is not None:
        try:
            lines.append(f"ブック: {book.name}" + (f"（{location.text}）" if location and location.text else ""))
        except Exception:  # noqa: BLE001 - the log must be written even if Excel is unreachable
            lines.append("ブック: （名前を取得できません）")
    lines.append("")
    lines += traceback.format_exception(exc)
    text = "\n".join(line.rstrip("\n") for line in lines) + "\n"
    name = f"xlplan-{now:%Y%m%d-%H%M%S}-{now.microsecond:06d}.log"
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "xlplan-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            _prune(folder)
            return path
        except OSError:
            continue
    return Path(tempfile.gettempdir()) / name  # both folders failed; the message still names a path


def _prune(folder: Path, keep: int = 50) -> None:
    logs = sorted(folder.glob("xlplan-*.log"))
    for old in logs[:-keep]:
        try:
            old.unlink()
        except OSError:
            pass


# ------------------------------------------------------------------ what each button does

def _require_plan(read: ReadResult) -> None:
    if read.plan is None:
        first = read.findings[0] if read.findings else None
        where = f"シート「{first.sheet}」のセル {first.cell}: {first.message}" if first else "計画開始年度を確認してください。"
        raise XlplanUserError(f"基本情報を読み取れません。{where}")


def _counts(findings) -> tuple[int, int]:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    return errors, len(findings) - errors


def _validate(ctx: _Context) -> str:
    read = read_plan(ctx.read_plan_sheets())
    findings, ops = operations.validate_ops(read)
    ctx.apply(ops)
    errors, warnings = _counts(findings)
    if not findings:
        return "問題は見つかりませんでした。（エラー 0件、警告 0件）"
    return f"エラー {errors}件、警告 {warnings}件。『{L.FINDINGS}』シートを見てください。"


def _redraw(ctx: _Context, actuals: bool = False) -> str:
    values = ctx.read_plan_sheets()
    values.update(ctx.read([L.SCHEDULE]))  # its headers must still fit the plan period
    read = read_plan(values)
    _require_plan(read)
    plan = read.plan
    assert plan is not None
    findings, finding_ops = operations.validate_ops(read, progress=True)
    ctx.apply(operations.schedule_ops(read, actuals=actuals) + finding_ops)
    errors, warnings = _counts(findings)
    return (f"『{L.SCHEDULE}』シートの工程表を作り直しました（施策 {len(plan.measures)}件、"
            f"{wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}）。\n"
            f"検証: エラー {errors}件、警告 {warnings}件。『{L.FINDINGS}』シートを見てください。")


def _populate(ctx: _Context) -> str:
    values = ctx.read_plan_sheets()
    read = read_plan(values)
    _require_plan(read)
    if not read.adopted:
        raise XlplanUserError(f"『{L.CATALOG}』シートで「採用」に ○ が付いた施策がありません。"
                              "追加したい施策の「採用」に ○ を付けてから、もう一度ボタンを押してください。")
    from xlplan.catalog_data import load_catalog   # the catalog's YAML: only this button needs it

    catalog = load_catalog()
    result = operations.populate_ops(read, catalog, read.adopted)
    ctx.apply(result.ops)
    added = result.result.added
    findings = None
    if added:
        findings, ops = revalidation_after_populate(values, result.ops, catalog)
        ctx.apply(ops)
    lines = [f"{len(added)}件を追加しました。" if added else "追加した施策はありません。"]
    for m in added[:MAX_LISTED]:
        lines.append(f"・{m.id} {m.name}（{m.domain} / {m.pillar.value if m.pillar else ''}）")
    if len(added) > MAX_LISTED:
        lines.append(f"　ほか {len(added) - MAX_LISTED}件")
    for line in operations.already_lines(read, result.result, catalog)[:MAX_LISTED]:
        lines.append(f"追加済み: {line}")
    for reason in result.result.skipped[:MAX_LISTED]:
        lines.append(f"追加せず: {reason}")
    if findings is not None:
        errors, warnings = _counts(findings)
        lines.append(f"検証し直しました: エラー {errors}件、警告 {warnings}件（『{L.FINDINGS}』シートとセルの印は、"
                     "行を追加した後の位置を指しています）。追加した施策の担当課・KPI・年度ごとの段階を入力して、"
                     "もう一度「検証」を押してください。")
    return "\n".join(lines)


def revalidation_after_populate(values: dict, populate: list[Op], catalog) -> tuple[list, list[Op]]:
    """検証結果 and 網羅表 at the rows the measures moved to, so the marks stay on their cells. The values
    after the insertions come from applying the ops to the values read (nothing is read again);
    進捗管理's rows for the new KPIs follow at the next 検証 (one click stays within its Excel calls)."""
    from xlplan.layout.ops_values import apply_to_values

    findings, ops = operations.validate_ops(read_plan(apply_to_values(values, populate)), catalog=catalog)
    return findings, [op for op in ops if op.sheet in (L.FINDINGS, L.COVERAGE)]


def _progress(ctx: _Context) -> str:
    read = read_plan(ctx.read_plan_sheets())
    _require_plan(read)
    fy = operations.progress_fy(read)
    ctx.apply(operations.progress_ops(read, fy))
    orphans = len(read.progress.orphans) if read.progress else 0
    blocked = _blocked_cells(read, fy)
    lines = [f"『{L.PROGRESS}』の目安・達成率・評価を更新しました（上の集計は{wareki_fy(fy)}。年度は B2 で変えられます）。"]
    if orphans:
        lines.append(f"行き先のKPIがない入力 {orphans}件を『{L.ORPHANS}』シートに移しました。")
    if blocked:
        lines.append(f"読み取れないセルがあるため「評価できない」にしたKPIがあります: {'、'.join(blocked[:MAX_LISTED])}")
    return "\n".join(lines)


def _blocked_cells(read: ReadResult, fy: int) -> list[str]:
    from xlplan.core.progress import plan_progress

    assert read.plan is not None
    return sorted({c for r in plan_progress(read.plan, fy, errors=read.input_errors) for c in r.blocked})


def _export_progress_report(ctx: _Context) -> str:
    from xlplan.export.progress_report import export_progress_report as write_report

    location = book_location(ctx.book)
    if location.kind != "local":
        raise XlplanUserError("報告書はブックと同じフォルダーに保存します。ブックをこの PC のフォルダーに保存してから"
                              "（OneDrive 上なら同期フォルダーから開いて）、もう一度押してください。")
    read = read_plan(ctx.read_plan_sheets())
    _require_plan(read)
    assert read.plan is not None
    fy = operations.progress_fy(read)
    target = Path(location.text).with_name(f"{Path(location.text).stem}_進捗状況_{wareki_fy(fy)}.docx")
    write_report(read.plan, fy, target, read.input_errors)
    text = f"{wareki_fy(fy)}の進捗状況の報告書を保存しました:\n{target}"
    blocked = _blocked_cells(read, fy)
    if blocked:
        text += f"\n読み取れないセルがあるため「評価できない」にしたKPIがあります: {'、'.join(blocked[:MAX_LISTED])}"
    return text


def _document_target(ctx: _Context, suffix: str) -> tuple[Path, ReadResult]:
    location = ctx.location
    if location.kind != "local":
        raise XlplanUserError("計画書はブックと同じフォルダーに保存します。ブックをこの PC のフォルダーに保存してから"
                              "（OneDrive 上なら同期フォルダーから開いて）、もう一度押してください。")
    read = read_plan(ctx.read_plan_sheets())
    _require_plan(read)
    assert read.plan is not None
    return Path(location.text).with_name(Path(location.text).stem + f"_計画書{suffix}"), read


def _export_document(ctx: _Context) -> str:
    from xlplan.export.docx import export_docx

    target, read = _document_target(ctx, ".docx")
    export_docx(read.plan, target)
    return (f"計画書の案を保存しました:\n{target}\n目次のページ番号は、Word で目次を右クリックして「フィールド更新」を選ぶと"
            "入ります。ページ番号入りの PDF は「計画書（PDF）を出力」ボタンで作れます。")


def _export_document_pdf(ctx: _Context) -> str:
    import tempfile

    from xlplan.export.docx import docx_bytes
    from xlplan.export.pdf import docx_to_pdf

    target, read = _document_target(ctx, ".pdf")
    ctx.session.status("計画書を PDF にしています…")
    with tempfile.TemporaryDirectory(prefix="xlplan-pdf-") as tmp:
        source = Path(tmp) / "plan.docx"
        source.write_bytes(docx_bytes(read.plan))
        docx_to_pdf(source, target)
    return f"計画書の PDF を保存しました（目次のページ番号入り）:\n{target}"


def _clear_marks(ctx: _Context) -> str:
    values = ctx.read([L.LISTS])
    ctx.check_versions(values)
    if ctx.book.sheet(L.FINDINGS) is None:
        raise XlplanUserError(f"シート『{L.FINDINGS}』がありません。xlplan で作ったブックか確認してください。")
    ctx.apply(operations.clear_marks_ops())
    return "検証結果と、セルの赤・黄の印を消しました。"


SURVEY_FOLDER = "照会票"
ANSWER_FOLDER = "回答"


def _book_folder(ctx: _Context, what: str) -> Path:
    location = book_location(ctx.book)
    if location.kind != "local":
        raise XlplanUserError(f"{what}はブックと同じフォルダーを使います。ブックをこの PC のフォルダーに保存してから"
                              "（OneDrive 上なら同期フォルダーから開いて）、もう一度押してください。")
    return Path(location.text).parent


def _survey(ctx: _Context, kind, folder: Path | None) -> str:
    from xlplan.core.survey import SurveyKind
    from xlplan.survey import default_actuals_fy, write_forms

    values = ctx.read_plan_sheets()
    if kind is SurveyKind.ACTUALS:
        values.update(ctx.read([L.PROGRESS]))
    read = read_plan(values)
    _require_plan(read)
    plan = read.plan
    assert plan is not None
    fy = default_actuals_fy(plan, read.progress_fy) if kind is SurveyKind.ACTUALS else None
    now = dt.datetime.now()
    target = folder or _book_folder(ctx, "照会票の保存先") / SURVEY_FOLDER / f"{kind.label}_{now:%Y%m%d-%H%M}"
    from xlplan.catalog_data import load_catalog

    written = write_forms(plan, load_catalog(), target, kind=kind, fy=fy, now=now)
    what = kind.label + (f"（{wareki_fy(fy)}）" if fy else "")
    lines = [f"{what}の照会票を {len(written)}件 作りました:", str(target)]
    lines += [f"・{w.path.name}" for w in written[:MAX_LISTED]]
    if len(written) > MAX_LISTED:
        lines.append(f"　ほか {len(written) - MAX_LISTED}件")
    lines.append(f"各担当課に送り、返ってきたファイルをこのブックと同じフォルダーの「{ANSWER_FOLDER}」フォルダーに入れて"
                 "「回答を取り込む」を押してください。")
    if kind is SurveyKind.ACTUALS:
        lines.append(f"別の年度で照会するときは『{L.PROGRESS}』シートの B2 に年度を入れてから押してください。")
    return "\n".join(lines)


def _collect(ctx: _Context, folder: Path | None) -> str:
    from xlplan.collect import collect_ops
    from xlplan.survey import answer_files, read_answer_files

    answers_dir = folder or _book_folder(ctx, "回答の置き場所") / ANSWER_FOLDER
    if not answers_dir.is_dir():
        answers_dir.mkdir(parents=True, exist_ok=True)
        raise XlplanUserError(f"回答を入れるフォルダーを作りました:\n{answers_dir}\n担当課から返ってきた照会票をここに入れて、"
                              "もう一度「回答を取り込む」を押してください。")
    files = answer_files([answers_dir])
    if not files:
        raise XlplanUserError(f"「{answers_dir}」に回答のファイル（.xlsx）がありません。返ってきた照会票を入れてから押してください。")
    values = ctx.read_plan_sheets()
    has_log = ctx.book.sheet(L.COLLECT_LOG) is not None
    if has_log:
        values.update(ctx.read([L.COLLECT_LOG]))
    read = read_plan(values)
    _require_plan(read)
    from xlplan.catalog_data import load_catalog

    answers, unreadable = read_answer_files(files, load_catalog())
    result = collect_ops(read, answers, now=dt.datetime.now(), log=values.get(L.COLLECT_LOG, []) if has_log else None)
    ctx.apply(result.ops)
    merge = result.merge
    open_conflicts = [k for k in merge.conflicts if k.taken is None]
    lines = [f"回答 {len(answers)}件から {len(result.written)}件の変更を取り込みました。" if result.written
             else f"回答 {len(answers)}件に、取り込む変更はありませんでした。"]
    if open_conflicts:
        lines.append(f"マスターと回答の両方で変わった項目が {len(open_conflicts)}件あります（競合）。マスターのままにしてあるので、"
                     f"『{L.COLLECT_LOG}』シートを見て、回答を採る場合はそのセルを書き換えてください。")
    if result.unplaced:
        lines.append(f"このブックに書き込む列がない回答が {len(result.unplaced)}件あります（『{L.COLLECT_LOG}』シートに値を残しました）。")
    attention = [p for p in merge.problems if not p.info] + result.refused
    if attention:
        lines.append(f"確認が必要な注意が {len(attention)}件あります。")
    lines += [f"読めないファイル: {line}" for line in unreadable[:MAX_LISTED]]
    if merge.missing:
        lines.append(f"回答がない担当課: {'、'.join(merge.missing[:MAX_LISTED])}" + (" ほか" if len(merge.missing) > MAX_LISTED else ""))
    if has_log:
        lines.append(f"詳しくは『{L.COLLECT_LOG}』シートを見てください。")
    else:
        from xlplan.collect_log import write_log_workbook

        if result.log_rows:
            path = write_log_workbook(answers_dir.parent / ctx.book.name, result.log_rows)
            lines.append(f"このブックには『{L.COLLECT_LOG}』シートがないため、結果を {path} に書きました。")
    return "\n".join(lines)


def _reshape(ctx: _Context, request, confirm: bool) -> str:
    """Pass 1 (structure, 基本情報), then pass 2 (the sheets xlplan owns) on the values pass 1 leaves,
    computed from the values read (apply_to_values): nothing is read back from Excel in between."""
    from xlplan.adapters.xlwings_structure import check_batch
    from xlplan.layout.ops_values import apply_to_values
    from xlplan.reshape_columns import live_limits
    from xlplan.reshape_plan import (
        DROPPED_SHEET,
        ReshapeRequest,
        dropped_question,
        dropped_sheet_ops,
        plan_reshape,
        read_for_reshape,
        regenerate_ops,
    )

    values = _reshape_values(ctx)
    read, request = read_for_reshape(values, values.sheet_names, request or ReshapeRequest())
    plan = plan_reshape(read, values, values.sheet_names, request)
    if not plan.changes_anything:
        period = f"{wareki_fy(plan.change.new[0])}〜{wareki_fy(plan.change.new[-1])}"
        return (f"分野のシートと工程表の年度の列は「{L.INFO}」の計画期間（{period}）と、分野のシートは「{L.INFO}」の分野の一覧と"
                "すでに合っています。変更することはありません。\n"
                f"計画期間や分野を変えるときは、「{L.INFO}」の計画開始年度・計画期間（年数）や分野の一覧を"
                "（工程表の区切り・事業費と財源の列も同じように）直してから、"
                "もう一度このボタンを押してください。")
    from xlplan.reshape_domain_changes import marks_naming_sheets

    if old_style := marks_naming_sheets(values, plan.mark_renames):
        raise XlplanUserError(
            f"シート「{'」「'.join(old_style)}」は以前の xlplan で作られたため、このボタンでは分野の名前の変更や追加ができません"
            "（検証の印が別のシートを指してしまいます）。ブックを保存して閉じてから、コマンド xlplan reshape ブック.xlsm "
            "を実行してください（印も直します）。ブックは変更していません。", sheet=L.INFO)
    if plan.dropped and not confirm:
        question = dropped_question(plan.dropped)
        answer = ctx.book.app.alert(question, title=f"{TITLE} — {RESHAPE_LABEL}", buttons="yes_no", mode="critical",
                                    callback=f"{L.MACRO_MODULE}.ReshapeConfirmed")
        if answer is None:          # remote engine: the answer comes back as reshape_confirmed()
            return Shown(question)
        if answer != "yes":
            return "計画の枠組みの変更を取りやめました。ブックは変更していません。"
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    existing = None
    if plan.dropped and ctx.book.sheet(DROPPED_SHEET) is not None:
        existing = ctx.read([DROPPED_SHEET])[DROPPED_SHEET]
    ops, notes = live_limits(plan, values.get(L.LISTS))   # input rules: copied from prototypes, else said
    after = apply_to_values(values, ops)   # raises for an op whose values it does not know: before writing
    check_batch(ctx.book, ops)            # refusals (a protected sheet, a taken name) before anything is written
    try:
        ctx.apply(ops, checked=True)
        reshaped = read_plan(after)
        ctx.apply(regenerate_ops(reshaped) + dropped_sheet_ops(plan.dropped, stamp, existing))
    except Exception as exc:
        exc.add_note(RESHAPE_STOPPED)
        raise
    return _reshape_result(ctx, plan, stamp, notes)


def _reshape_values(ctx: _Context):
    """What the file shell reads (xlplan.reshape.reshape_file): 基本情報 and _lists first, then the sheets
    read_plan needs, the 工程表 and every domain sheet _lists records (基本情報's edited list may have left
    out one the clerk wants removed); every sheet's name (one pass, kept for the click), against which a
    new sheet name is checked."""
    from xlplan.adapters.xlwings_live import sheet_list
    from xlplan.reshape_domain_changes import recorded_domains

    first = ctx.read([L.INFO, L.LISTS])
    more = plan_sheets(first.get(L.INFO, []), (L.SCHEDULE, *recorded_domains(first.get(L.LISTS))))
    more = [name for name in dict.fromkeys(more) if name not in first]
    values = ctx.read(more, 2, 2 + len(more), percent_columns=percent_columns)
    values.update(first)
    values.sheet_names = sheet_list(ctx.book)
    ctx.check_versions(values)
    return values


def _reshape_result(ctx: _Context, plan, stamp: str, notes: list[str] = ()) -> str:
    from xlplan.reshape_plan import DROPPED_SHEET

    change = plan.change
    lines = []
    if change.changed:
        lines.append(f"計画期間を {wareki_fy(change.old[0])}〜{wareki_fy(change.old[-1])} から "
                     f"{wareki_fy(change.new[0])}〜{wareki_fy(change.new[-1])} に変えました（分野のシートと工程表の年度の列）。")
    lines += [f"分野「{old}」を「{new}」に変えました（シート名・基本情報・網羅表）。" for old, new in plan.renamed]
    lines += [f"分野「{name}」を追加しました（シート・基本情報・網羅表）。" for name in plan.added]
    lines += [f"分野「{name}」を外しました" + (f"（理由「{reason}」を「{L.INFO}」の「取り組まない柱・分野と理由」に記録）。"
                                              if reason else "。") for name, reason in plan.removed]
    if plan.subdivision is not None:
        lines.append(f"工程表の区切りを「{plan.subdivision[0]}」から「{plan.subdivision[1]}」に変えました。")
    if plan.cost_columns is not None:
        lines.append("分野のシートに概算事業費（千円）と財源の列を"
                     + ("追加しました（「詳細」の備考の右）。" if plan.cost_columns else "取り除きました。"))
    lines += notes
    lines.append(f"『{L.SCHEDULE}』『{L.PROGRESS}』『{L.COVERAGE}』『{L.FINDINGS}』を新しい枠組みで作り直しました。")
    if plan.dropped:
        lines.append(f"計画期間から外れた年度・外した分野の入力 {len(plan.dropped)}件を消し、シート「{DROPPED_SHEET}」に残しました。")
        if ctx.location.kind == "local":
            from xlplan.reshape import write_dropped_yaml

            path = write_dropped_yaml(Path(ctx.location.text), plan.dropped, stamp)
            lines.append(f"同じ内容をブックと同じフォルダーの YAML ファイルにも保存しました:\n{path}")
        else:
            lines.append("ブックがこの PC のフォルダーに保存されていないため、YAML ファイルは作っていません。")
    lines.append("変更はまだ保存されていません。内容を確かめてから保存してください（ボタンの変更は［元に戻す］では戻せません。"
                 "やめるときは、保存せずにブックを閉じてください）。")
    return "\n".join(lines)


def _doctor(ctx: _Context) -> str:
    from xlplan.policy import policy_checks, read_facts

    values = ctx.read([L.XLWINGS_CONF, L.LISTS])
    location = ctx.location
    workbook = Path(location.text) if location.kind == "local" else None
    # This click already ran the command line; the interpreter is not probed again from inside it.
    checks = environment_checks() + workbook_checks(values, location, in_click=True)
    return format_report(checks + policy_checks(read_facts(workbook), workbook))


