"""照会票 files: write one form per department into a folder; find and read the answers that come back.

Thin shell around xlplan.core.survey (what is asked), xlplan.builder.survey_form
(the form's workbook) and xlplan.layout.read_form (an answer's values).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from xlplan.builder.survey_form import build_form
from xlplan.core.catalog import Catalog
from xlplan.core.model import Plan
from xlplan.core.survey import SurveyForm, SurveyKind, survey_forms
from xlplan.errors import XlplanUserError
from xlplan.fileio import atomic_write_bytes

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
ANSWER_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class WrittenForm:
    form: SurveyForm
    path: Path


def form_filename(form: SurveyForm) -> str:
    owner = _UNSAFE.sub("_", form.owner).strip("_") or "担当課"
    return f"{form.kind.label}_{owner}.xlsx"


def write_forms(plan: Plan, catalog: Catalog, folder: Path, *, owners: list[str] | None = None,
                kind: SurveyKind = SurveyKind.PLAN, fy: int | None = None, now: dt.datetime | None = None,
                force: bool = False) -> list[WrittenForm]:
    """One .xlsx per department in folder; refuses to overwrite forms already there unless force."""
    forms = survey_forms(plan, catalog, owners=owners, kind=kind, fy=fy, now=now or dt.datetime.now())
    if not forms:
        raise XlplanUserError("担当課が入力された施策がないため、照会票を作れません。分野のシートの「担当課」を入力してください。")
    folder = Path(folder)
    targets = [folder / form_filename(f) for f in forms]
    existing = [p.name for p in targets if p.exists()]
    if existing and not force:
        raise XlplanUserError(f"「{folder}」には既に照会票があります（{'、'.join(existing[:5])}"
                              f"{' ほか' if len(existing) > 5 else ''}）。回答を上書きしないよう、別のフォルダーを指定するか、"
                              "作り直す場合は --force を付けてください。")
    written = []
    for form, path in zip(forms, targets):
        atomic_write_bytes(path, build_form(form))
        written.append(WrittenForm(form, path))
    return written


def answer_files(paths: list[Path]) -> list[Path]:
    """The answer workbooks named, folders expanded (sorted by name; Excel's ~$ lock files skipped)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in ANSWER_SUFFIXES and not p.name.startswith("~$"))
        elif path.exists():
            files.append(path)
        else:
            raise XlplanUserError(f"回答のファイル「{path}」が見つかりません。パスを確認してください。")
    return list(dict.fromkeys(files))


def default_actuals_fy(plan: Plan, progress_fy: int | None = None, today: dt.date | None = None) -> int:
    """The year a 実績照会 asks about: 進捗管理's 報告する年度 when set, else last fiscal year (inside the plan)."""
    from xlplan.core.fiscal import fy_of_date

    if progress_fy is not None:
        return progress_fy
    return min(max(fy_of_date(today or dt.date.today()) - 1, plan.start_fy), plan.end_fy)


def read_answer_files(files: list[Path], catalog: Catalog) -> tuple[list, list[str]]:
    """The answers read (in order) and one Japanese line per file that is not a readable answer."""
    from xlplan.adapters.xlsx_file import read_values
    from xlplan.layout.read_form import read_answer

    answers, unreadable = [], []
    for f in files:
        try:
            answers.append(read_answer(read_values(f), f.name, catalog))
        except XlplanUserError as exc:
            unreadable.append(f"{f.name}: {exc}")
        except ValueError as exc:  # a combination of values the plan model refuses: report the file, merge the rest
            unreadable.append(f"{f.name}: 内容を計画として読み取れないため取り込みません（{str(exc).splitlines()[0][:200]}）。"
                              "照会票の内容を確認してください。")
    return answers, unreadable
