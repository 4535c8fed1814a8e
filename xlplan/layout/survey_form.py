"""The 照会票's layout, declared once: its sheets, tables, columns and the respondent block.

The form is a small .xlsx without macros (it goes by mail). The builder
(xlplan.builder.survey_form) draws it from these objects; the reader
(xlplan.layout.read_form) finds each table by its header row and each column by
its header text, so rows a clerk inserts above a table, columns moved or widened
and cells formatted do not matter. Column keys are xlplan.core.fields keys
("kpi.target_value", "fy:2027", "kpi.interim:2029" …) or "form.*" for what only
the form has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xlplan.core.fiscal import wareki_fy
from xlplan.layout.sheets import Column
from xlplan.layout.table import ColumnIndex

COVER = "回答者・記入方法"
MEASURES = "照会票"
ACTUALS = "実績照会票"
PROPOSALS = "新しい施策の提案"
CATALOG = "カタログの候補"
SIGNATURE = "_照会情報"        # hidden: the signature and the base the form was made from

ID_KEY = "form.measure_id"
KPI_NO_KEY = "form.kpi_no"
REMARK_KEY = "form.remark"
ADOPT_KEY = "form.adopt"
BASE_PREFIX = "base:"           # rows of the hidden sheet holding the base JSON, in chunks
BASE_CHUNK = 8000               # characters per cell (Excel holds 32,767)
PROPOSAL_ROWS = 12              # blank proposal rows drawn; more can be added below
VALIDATION_ROWS = 300           # rows below a header that carry the dropdowns


@dataclass(frozen=True)
class RespondentField:
    key: str
    label: str
    help: str = ""


RESPONDENT: tuple[RespondentField, ...] = (
    RespondentField("respondent.date", "回答日", "例: 令和9年6月10日"),
    RespondentField("respondent.section", "所属（課・係）", "例: 税務課 市民税係"),
    RespondentField("respondent.name", "回答者名"),
    RespondentField("respondent.phone", "電話（内線）"),
    RespondentField("respondent.email", "メール"),
    RespondentField("respondent.note", "全体への意見・連絡事項", "企画担当への連絡（任意）"),
)
RESPONDENT_CAPTION = "回答者・連絡先"
COVER_LABEL_COL = 0
COVER_VALUE_COL = 1


@dataclass(frozen=True)
class FormTable(ColumnIndex):
    """A table of the form: group captions, then one header row, then records."""

    sheet: str
    columns: tuple[Column, ...]
    groups: tuple[tuple[str, str, str], ...] = ()   # (caption, first key, last key)
    header_row: int = 4                             # where the builder puts it; the reader searches for it

    @property
    def group_row(self) -> int:
        return self.header_row - 1

    @cached_property
    def by_header(self) -> dict[str, Column]:
        """Header text (line breaks and spaces removed) → column: how the reader finds columns."""
        return {header_key(c.header): c for c in self.columns}


def header_key(text: object) -> str:
    return "".join(str(text or "").split())


def _ctx(key: str, header: str, width: float, style: str = "context") -> Column:
    return Column(key, header, width, style)


def _in(key: str, header: str, width: float, *, dropdown: str | None = None, numeric: bool = False,
        help: str = "", style: str = "input") -> Column:
    return Column(key, header, width, style, dropdown=dropdown, numeric=numeric, help=help)


def _kpi_definition() -> tuple[Column, ...]:
    return (
        _in("kpi.name", "指標名", 24),
        _in("kpi.unit", "単位", 7),
        _in("kpi.baseline_value", "現状値", 10, help="数値。把握していなければ「未把握」"),
        _in("kpi.baseline_as_of", "現状値の時点", 11, help="年度（例: R7）または日付（例: 2026/3/31）"),
        _in("kpi.target_value", "目標値", 10, numeric=True, help="数値のみ。％は 85 のように入力"),
        _in("kpi.target_text", "目標（定性）", 16, help="数値にできない目標（例: 条例の制定）"),
        _in("kpi.target_fy", "目標年度", 10, help="和暦・西暦どちらでも（例: R13、2031）"),
    )


def plan_table(fiscal_years: tuple[int, ...]) -> FormTable:
    """計画照会: one row per KPI of the department's measures (the first row of a measure carries its fields)."""
    targets = tuple(_in(f"kpi.interim:{fy}", f"{wareki_fy(fy)}\n目標", 9, numeric=True,
                        help="その年度末に目指す値（空欄は目標なし）") for fy in fiscal_years)
    phases = tuple(_in(f"fy:{fy}", f"{wareki_fy(fy)}\n工程", 9, dropdown="phase",
                       help="検討・準備・構築・整備・実証・実施・運用・拡充・見直し") for fy in fiscal_years)
    columns = (
        _ctx(ID_KEY, "施策ID", 8), _ctx(KPI_NO_KEY, "KPI番号", 6), _ctx("measure.domain", "分野", 10),
        _in("measure.pillar", "柱", 16, dropdown="pillar"),
        _in("measure.name", "施策名", 26),
        _in("measure.content", "内容", 34),
        _in("measure.owner", "担当課", 11),
        _in("measure.programs", "関連する国・県の施策・補助", 12, help="ID を「、」区切りで（例: N11、K01）"),
        *_kpi_definition(), *targets, *phases,
        _in("measure.milestones", "マイルストーン", 18, help="「R11 本格運用開始」のように年度と内容を1行ずつ"),
        _in("measure.notes", "備考", 16),
        _in(REMARK_KEY, "意見・連絡事項（企画担当へ）", 24, style="remark"),
    )
    groups = [("施策", ID_KEY, "measure.programs"), ("KPI（指標）", "kpi.name", "kpi.target_fy")]
    if fiscal_years:
        groups += [("年度別の目標", targets[0].key, targets[-1].key), ("工程（年度ごとの段階）", phases[0].key, phases[-1].key)]
    return FormTable(MEASURES, columns, tuple(groups))


def proposals_table(fiscal_years: tuple[int, ...]) -> FormTable:
    """新しい施策の提案: blank rows; a row with a 施策名 starts a measure, rows below it without one add KPIs."""
    phases = tuple(_in(f"fy:{fy}", f"{wareki_fy(fy)}\n工程", 9, dropdown="phase") for fy in fiscal_years)
    columns = (
        _in("measure.domain", "分野", 12, dropdown="domain"),
        _in("measure.pillar", "柱", 16, dropdown="pillar"),
        _in("measure.name", "施策名", 26),
        _in("measure.content", "内容", 34),
        _in("measure.programs", "関連する国・県の施策・補助", 12, help="ID を「、」区切りで（例: N11、K01）"),
        *_kpi_definition(), *phases,
        _in("measure.notes", "備考", 16),
    )
    groups = [("施策", "measure.domain", "measure.programs"), ("KPI（指標）", "kpi.name", "kpi.target_fy")]
    if fiscal_years:
        groups.append(("工程（年度ごとの段階）", phases[0].key, phases[-1].key))
    return FormTable(PROPOSALS, columns, tuple(groups))


def actuals_table(fy: int) -> FormTable:
    """実績照会: one row per KPI; only the year's actual, 実績の説明 and 今後の取組 are asked."""
    year = wareki_fy(fy)
    columns = (
        _ctx(ID_KEY, "施策ID", 8), _ctx(KPI_NO_KEY, "KPI番号", 6), _ctx("measure.domain", "分野", 10),
        _ctx("measure.name", "施策名", 26), _ctx("kpi.name", "指標名", 24), _ctx("kpi.unit", "単位", 7),
        _ctx("form.baseline", "現状値（時点）", 14), _ctx("form.expected", f"{year}の目安", 11),
        _ctx("form.target", "目標値（目標年度）", 16), _ctx("form.previous", "前年度の実績", 11),
        _in(f"kpi.actuals:{fy}", f"{year}の実績値", 12,
            help="数値（単位は不要）。数値でない指標は 未着手・検討中・一部実施・実施済み・達成 から"),
        _in(f"kpi.comments:{fy}", "実績の説明", 34, help="実績の内容・増減の理由など"),
        _in(f"kpi.next_steps:{fy}", "今後の取組", 34, help="次年度以降の取組・課題への対応"),
        _in(REMARK_KEY, "意見・連絡事項（企画担当へ）", 24, style="remark"),
    )
    groups = (("施策・指標", ID_KEY, "form.previous"), (f"{year}の実績（記入してください）", f"kpi.actuals:{fy}",
                                                       f"kpi.next_steps:{fy}"))
    return FormTable(ACTUALS, columns, groups)


CATALOG_TABLE = FormTable(CATALOG, (
    _in(ADOPT_KEY, "採用を希望", 8, dropdown="adopt", help="取り組みたい施策に ○ を付けてください"),
    _ctx("catalog.id", "カタログID", 9), _ctx("catalog.domain", "分野", 12), _ctx("catalog.pillar", "柱", 16),
    _ctx("catalog.text", "施策名", 44), _ctx("catalog.kpi", "例示KPI", 28), _ctx("catalog.unit", "単位", 7),
    _ctx("catalog.programs", "関連する国の施策", 12),
), header_row=3)

ADOPT_MARKS = ("○",)
