"""The workbook's layout, declared once.

Every sheet name, header, column position, width, format and dropdown lives
here. The builder (XlsxWriter), the reader and the writers all take positions
from these objects; no other module writes a column letter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from xlplan.core.fiscal import fy_header, short_wareki_fy, wareki_fy
from xlplan.core.vocab import Pillar, Subdivision
from xlplan.layout.a1 import cell_name, col_letter, quote_sheet
from xlplan.layout.domain_columns import (  # noqa: F401 - the domain sheets' layout, under the names the code uses
    DOMAIN_FREEZE_COL,
    DOMAIN_GROUP_ROW,
    DOMAIN_HEADER_ROW,
    DOMAIN_KEY_CELL,
    LAPTOP_GRID_PX,
    LAYOUT_V1,
    LAYOUT_V2,
    domain_table,
    domain_table_from_headers,
    domain_table_v1,
    extra_key,
    fy_key,
    kpi_keys,
    laptop_block,
    measure_keys,
    target_key,
)
from xlplan.layout.progress_columns import (  # noqa: F401
    ORPHANS,
    ORPHANS_TABLE,
    PROGRESS,
    PROGRESS_INPUT_KEYS,
    PROGRESS_KEY_KEYS,
    ProgressLayout,
)
from xlplan.layout.table import Column, Table

# Sheet names. Domain sheets are named after their domain.
USAGE = "使い方"
INFO = "基本情報"
CATALOG = "施策カタログ"
PROGRAMS = "国・県の施策"
SCHEDULE = "スケジュール"
COVERAGE = "網羅表"

FINDINGS = "検証結果"
COLLECT_LOG = "取込結果"   # what 「回答を取り込む」 changed, appended run after run
XLWINGS_CONF = "xlwings.conf"
LISTS = "_lists"  # hidden sheet holding dropdown lists behind defined names

# Defined names for dropdown lists (classic validation, no cross-sheet refs).
LIST_NAMES = {
    "pillar": "xlplan_pillars",
    "origin": "xlplan_origins",
    "kind": "xlplan_kinds",
    "aggregation": "xlplan_aggregations",
    "direction": "xlplan_directions",
    "phase": "xlplan_phases",
    "domain": "xlplan_domains",
    "adopt": "xlplan_adopt",
    "level": "xlplan_levels",
    "subdivision": "xlplan_subdivisions",
    "status": "xlplan_statuses",
    "body_type": "xlplan_body_types",
    "date_style": "xlplan_date_styles",
    "grade_scale": "xlplan_grade_scales",
    "yes_no": "xlplan_yes_no",
    "kpi_status": "xlplan_kpi_statuses",
    "expectation": "xlplan_expectations",
    "grade": "xlplan_grades",
    "funding": "xlplan_funding",   # 財源: 一般財源, 地方債, その他 and the programs' IDs (a dynamic name: the list grows)
}
FUNDING_LIST_ROWS = 400            # _lists rows the 財源 list may fill (program IDs are added by reshape)


def funding_list_formula(col: int) -> str:
    """The 財源 list on _lists column `col`: as long as it is filled, so that the dropdown shows no blanks."""
    sheet, letter = quote_sheet(LISTS), col_letter(col)
    return (f"=OFFSET({sheet}!${letter}$2,0,0,MAX(1,COUNTA({sheet}!${letter}$2:${letter}${FUNDING_LIST_ROWS + 1})),1)")
# Defined names over the findings sheet's key columns; conditional formats on
# the domain sheets look cells up there, so marks vanish when findings do.
ERROR_KEYS_NAME = "xlplan_error_cells"
WARNING_KEYS_NAME = "xlplan_warning_cells"
CURRENT_FY_NAME = "xlplan_current_fy"

ADOPT_MARK = "○"
BUILT_SUBDIVISION = "schedule_subdivision"  # header in _lists: the subdivision the 工程表 was built with
LAYOUT_VERSION = "layout_version"            # header in _lists: 2 for this layout; absent in xlplan 0.1 workbooks
RULE_KEYS = "rule"             # header in _lists: the keys of the prototype input rules (layout.rule_prototypes)
RULE_CELLS = "rule_cell"       # header in _lists: beside each key, an empty cell carrying that rule


# ---------------------------------------------------------------- 基本情報

@dataclass(frozen=True)
class Field:
    key: str
    label: str
    row: int
    help: str = ""
    tall: bool = False             # a paragraph of text
    dropdown: str | None = None    # a key of LIST_NAMES


INFO_LABEL_COL = 0
INFO_VALUE_COL = 1


@dataclass(frozen=True)
class InfoLayout:
    """基本情報: labelled fields in A:B, then lists one under the other in columns A–D (one A4 page width)."""

    version: int
    fields: tuple[Field, ...]
    roles_row: int                 # caption row; entries below, in the value column
    related: Table
    domains_header_row: int        # the plan's domains, one per row in column A; each has its own sheet
    skips: Table
    grades: Table | None = None    # 独自の評価段階 (version 2)
    roles_capacity: int = 6
    related_capacity: int = 8
    domains_capacity: int = 12
    skips_capacity: int = 14
    grades_capacity: int = 8
    domains_col: int = 0

    @cached_property
    def field(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def value_cell(self, key: str) -> str:
        return cell_name(self.field[key].row, INFO_VALUE_COL)


def _related(header_row: int) -> Table:
    return Table(INFO, header_row, (
        Column("related.name", "計画名", 44, "input"),
        Column("related.relation", "関係", 54, "input"),
        Column("related.start_fy", "開始年度", 14, "input"),
        Column("related.end_fy", "終了年度", 14, "input"),
    ))


def _skips(header_row: int) -> Table:
    return Table(INFO, header_row, (
        Column("skip.target", "柱・分野", 44, "input"),
        Column("skip.reason", "取り組まない理由", 54, "input"),
    ))


# xlplan 0.1's 基本情報, kept so that its workbooks still read (xlplan reshape converts them).
INFO_V1 = InfoLayout(
    version=1,
    fields=(
        Field("municipality", "団体名", 3), Field("prefecture", "都道府県", 4), Field("title", "計画名", 5),
        Field("start_fy", "計画開始年度", 6), Field("start_month", "開始月", 7), Field("years", "計画期間（年数）", 8),
        Field("period", "計画期間（表示）", 9), Field("subdivision", "工程表の区切り", 10),
        Field("situation", "現状及び課題", 11, tall=True), Field("purpose", "計画の目的", 12, tall=True),
        Field("structure", "推進体制", 13, tall=True),
    ),
    roles_row=14, related=_related(23), domains_header_row=34, skips=_skips(49),
)

_INFO_FIELDS_V2: tuple[tuple[str, str, str, str | None], ...] = (
    # key, label, help, dropdown
    ("municipality", "団体名", "例: 青葉台市", None),
    ("body_type", "団体種別", "市町村 か 都道府県（計画書の法の根拠と「本市・本県」の書き方が変わります）", "body_type"),
    ("prefecture", "都道府県", "市町村の場合、所在の都道府県", None),
    ("title", "計画名", "例: 青葉台市官民データ活用推進計画", None),
    ("start_fy", "計画開始年度", "和暦・西暦どちらでも（例: 令和9年度、R9、2027）", None),
    ("start_month", "開始月", "4月以外に始まる場合のみ（例: 12、12月）", None),
    ("years", "計画期間（年数）", "3年か5年が一般的（1〜10年）", None),
    ("period", "計画期間（表示）", "自動で表示されます", None),
    ("subdivision", "工程表の区切り", "年度・半期・四半期", "subdivision"),
    ("review", "見直し時期", "例: 毎年度、令和11年度に中間見直し", None),
    ("contact_department", "問い合わせ先（担当部署）", "計画書の問い合わせ先に載ります（例: 企画部DX推進課）", None),
    ("contact_phone", "問い合わせ先（電話）", "例: 000-000-0000", None),
    ("contact_email", "問い合わせ先（メール）", "例: dx@city.example.lg.jp", None),
    ("date_style", "日付の表記", "計画書の年度・日付の書き方: 和暦（西暦）・和暦・西暦", "date_style"),
    ("grade_scale", "評価の尺度", "進捗の評価の段階（独自にする場合は下の「独自の評価段階」に書きます）", "grade_scale"),
    ("cost_columns", "事業費・財源の列", "分野のシートに概算事業費（千円）と財源の列を置く（あり・なし）", "yes_no"),
)
_TALL_FIELDS = (("situation", "現状及び課題"), ("purpose", "計画の目的"), ("structure", "推進体制"))
_FIRST_FIELD_ROW = 3
_after_fields = _FIRST_FIELD_ROW + len(_INFO_FIELDS_V2) + len(_TALL_FIELDS)   # the roles caption row

INFO_LAYOUT = InfoLayout(
    version=2,
    fields=tuple(Field(key, label, _FIRST_FIELD_ROW + i, help, dropdown=dd) for i, (key, label, help, dd) in enumerate(_INFO_FIELDS_V2))
    + tuple(Field(key, label, _FIRST_FIELD_ROW + len(_INFO_FIELDS_V2) + i, tall=True) for i, (key, label) in enumerate(_TALL_FIELDS)),
    roles_row=_after_fields,
    related=_related(_after_fields + 6 + 2),
    domains_header_row=_after_fields + 6 + 2 + 1 + 8 + 2,
    skips=_skips(_after_fields + 6 + 2 + 1 + 8 + 2 + 1 + 16 + 2),
    grades=Table(INFO, _after_fields + 6 + 2 + 1 + 8 + 2 + 1 + 16 + 2 + 1 + 14 + 2, (
        Column("grade.code", "記号", 44, "input"),
        Column("grade.label", "説明", 54, "input"),
        Column("grade.min_percent", "達成率の下限（%）", 14, "input"),
    )),
    domains_capacity=16,
)
INFO_LAYOUTS = (INFO_LAYOUT, INFO_V1)

# The current layout's parts, under the names the rest of the code uses.
INFO_FIELDS = INFO_LAYOUT.fields
INFO_FIELD = INFO_LAYOUT.field
ROLES_ROW = INFO_LAYOUT.roles_row
ROLES_CAPACITY = INFO_LAYOUT.roles_capacity
RELATED = INFO_LAYOUT.related
RELATED_CAPACITY = INFO_LAYOUT.related_capacity
DOMAINS_HEADER_ROW = INFO_LAYOUT.domains_header_row
DOMAINS_COL = INFO_LAYOUT.domains_col
DOMAINS_CAPACITY = INFO_LAYOUT.domains_capacity
SKIPS = INFO_LAYOUT.skips
SKIPS_CAPACITY = INFO_LAYOUT.skips_capacity
GRADES = INFO_LAYOUT.grades
GRADES_CAPACITY = INFO_LAYOUT.grades_capacity


# ---------------------------------------------------------------- domain sheets (xlplan.layout.domain_columns)

DOMAIN_CODES = {
    "電子行政": "DG", "健康・医療・介護": "HL", "観光": "TR", "農林水産": "AG", "金融": "FN",
    "防災・減災": "DS", "移動": "MV", "その他": "OT", "ものづくり": "MF",
}


# ---------------------------------------------------------------- catalog and programs

CATALOG_TABLE = Table(CATALOG, 3, (
    Column("catalog.adopt", "採用", 6, "center", dropdown="adopt", help="採用する施策に「○」を付け、「カタログから追加」ボタンを押します"),
    Column("catalog.id", "カタログID", 9, "id"),
    Column("catalog.status", "追加状況", 16, "link", help="計画に入っている施策は「追加済み（シート!セル）」と表示されます（クリックで移動）。「検証」で更新されます"),
    Column("catalog.domain", "分野", 12, "wrap"),
    Column("catalog.pillar", "柱", 16, "wrap"),
    Column("catalog.text", "施策名", 34, "wrap"),
    Column("catalog.summary", "概要", 50, "wrap"),
    Column("catalog.owner", "担当課（例）", 16, "wrap"),
    Column("catalog.kpis", "例示KPI（単位・集計）", 34, "wrap", help="最初のKPIが【案】として施策に入ります"),
    Column("catalog.programs", "関連する国の施策", 30, "wrap", help="詳細は「国・県の施策」シート"),
    Column("catalog.seed_text", "メモの原文", 34, "wrap_muted"),
    Column("catalog.note", "備考", 40, "wrap"),
))
CATALOG_READ_KEYS = ("catalog.adopt", "catalog.id")  # the columns read back; older layouts share them
CATALOG_SECTION_MARK = "■"  # a section title row starts with it (in the 施策名 column)
CATALOG_ADDED = "追加済み"   # 「追加済み（電子行政!A7）」 in the 追加状況 column (older workbooks lack it)

PROGRAMS_TABLE = Table(PROGRAMS, 3, (
    Column("program.id", "ID", 7, "id"),
    Column("program.level", "区分", 6, dropdown="level"),
    Column("program.name", "施策名", 36, "wrap"),
    Column("program.ministry", "府省・担当", 14, "wrap"),
    Column("program.summary", "概要", 44, "wrap"),
    Column("program.support_type", "支援の種類", 12, "wrap"),
    Column("program.rate", "補助率", 24, "wrap"),
    Column("program.eligibility", "対象要件", 30, "wrap"),
    Column("program.active_from_fy", "有効年度（から）", 11),
    Column("program.active_to_fy", "有効年度（まで）", 11),
    Column("program.url", "URL", 30),
    Column("program.verified_on", "確認日", 11, "date", help="出典を読んで確かめた日"),
    # Added in 2026: workbooks made before have only the columns above; the reader treats these as absent then.
    Column("program.status", "状態", 9, "center", dropdown="status", help="現行・終了・後継あり。終了した施策は関連付けると検証で警告されます"),
    Column("program.successor", "後継", 7, "id", help="状態が「後継あり」のとき、後継の施策のID"),
    Column("program.verification", "確認の内容", 40, "wrap"),
))
PROGRAMS_LEGACY_WIDTH = 12  # columns of workbooks built before 状態・後継・確認の内容 existed


# ---------------------------------------------------------------- generated sheets

FINDINGS_TABLE = Table(FINDINGS, 3, (
    Column("finding.severity", "重要度", 8, "center"),
    Column("finding.code", "コード", 26),
    Column("finding.place", "場所（クリックで移動）", 22, "link"),
    Column("finding.measure_id", "施策ID", 9),
    Column("finding.message", "内容と対処", 90, "wrap"),
    Column("finding.error_key", "error_key", 4, "hidden"),
    Column("finding.warning_key", "warning_key", 4, "hidden"),
))
COLLECT_TABLE = Table(COLLECT_LOG, 3, (
    Column("log.time", "取込日時", 16),
    Column("log.owner", "担当課", 14, "wrap"),
    Column("log.source", "回答ファイル", 22, "wrap"),
    Column("log.kind", "区分", 12, "wrap"),
    Column("log.measure_id", "施策ID", 9),
    Column("log.item", "項目", 22, "wrap"),
    Column("log.place", "シート・セル", 18, "link"),
    Column("log.before", "取込前", 24, "wrap"),
    Column("log.after", "取込後・回答", 24, "wrap"),
    Column("log.note", "備考", 44, "wrap"),
))
FINDINGS_SUMMARY_CELL = (1, 0)   # A2: 「エラー 2件、警告 3件（最終検証: …）」
FINDINGS_KEY_ROWS = 5000          # the defined names cover this many rows


@dataclass(frozen=True)
class ScheduleLayout:
    """The 工程表: fixed columns, then one column per fiscal year (or per half or
    quarter of it), then hidden phase codes, one per visible time column."""

    fiscal_years: tuple[int, ...]
    subdivision: Subdivision = Subdivision.YEAR
    # Rows above the table, in this order: title, subtitle, legend, current-FY marker.
    title_row: int = 0
    subtitle_row: int = 1
    legend_row: int = 2
    marker_row: int = 3
    header_row: int = 4
    freeze_cols: int = 2         # No. and 施策名 stay in view

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def parts(self) -> int:
        return len(self.subdivision.parts)

    def slot_key(self, fy: int, part: int = 1) -> str:
        """The column key of one time slot: fy:2027, or fy:2027:2 for its second half."""
        return fy_key(fy) if self.parts == 1 else f"{fy_key(fy)}:{part}"

    def slots(self) -> list[tuple[int, int]]:
        return [(fy, part) for fy in self.fiscal_years for part in range(1, self.parts + 1)]

    @cached_property
    def table(self) -> Table:
        width = {1: 13, 2: 10, 4: 7}[self.parts]
        labels = self.subdivision.parts

        def header(fy: int, part: int) -> str:
            if self.parts == 1:
                return fy_header(fy)
            year = wareki_fy(fy) if self.parts == 2 else f"{short_wareki_fy(fy)}年度"  # quarters are narrow
            return f"{year}\n({fy})\n{labels[part - 1]}"

        fy_cols = tuple(Column(self.slot_key(fy, p), header(fy, p), width, "phase") for fy, p in self.slots())
        # One hidden code column per time column; conditional formats read them
        # to fill the visible cells, so a redraw only writes values.
        code_cols = tuple(Column("code:" + c.key, "code" + c.key[3:], 3, "hidden") for c in fy_cols)
        # 柱 and 分野 are said once, by the group rows above the measures (the year columns stay on screen).
        return Table(SCHEDULE, self.header_row, (
            Column("row.no", "No.", 5, "cell"),  # group titles start here and run over to the right
            Column("row.name", "施策名", 30, "wrap"),
            Column("row.owner", "担当課", 12, "wrap"),
            Column("row.kpi", "KPI（指標）", 28, "wrap"),
            Column("row.baseline", "現状値（時点）", 18, "wrap"),
            Column("row.target", "目標値（年度）", 16, "wrap"),
            Column("row.programs", "関連する国・県の施策・補助", 24, "wrap"),
            *fy_cols,
            Column("row.kind", "kind", 3, "hidden"),
            *code_cols,
        ))


@dataclass(frozen=True)
class CoverageLayout:
    """柱 × 分野: one row per pillar, a total row and a row of the domains' skip reasons."""

    domains: tuple[str, ...]
    header_row: int = 3

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def total_row(self) -> int:
        return self.first_row + len(Pillar)

    @property
    def reason_row(self) -> int:
        return self.total_row + 1

    @cached_property
    def table(self) -> Table:
        return Table(COVERAGE, self.header_row, (
            Column("cov.pillar", "柱", 26, "label"),
            *(Column(f"cov.d:{d}", d, 10, "count") for d in self.domains),
            Column("cov.total", "計", 8, "count"),
            Column("cov.reason", "施策がない理由", 40, "wrap"),
        ))


@dataclass(frozen=True)
class WorkbookLayout:
    """Everything that depends on the plan's shape: its domains and fiscal years, the optional
    cost columns and the clerk's own columns per domain sheet (or the tables as read)."""

    domains: tuple[str, ...]
    fiscal_years: tuple[int, ...]
    subdivision: Subdivision = Subdivision.YEAR
    cost_columns: bool = False
    extra_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    tables: Mapping[str, Table] | None = field(default=None, compare=False)   # as read from a workbook
    codes: Mapping[str, str] | None = field(default=None, compare=False)      # as read (from the sheets' IDs)
    domain_tables: dict[str, Table] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        tables = dict(self.tables) if self.tables is not None else {
            d: domain_table(d, list(self.fiscal_years), self.cost_columns, self.extra_columns.get(d, ()))
            for d in self.domains}
        object.__setattr__(self, "domain_tables", tables)

    @property
    def domain_codes(self) -> dict[str, str]:
        """Each domain's measure ID prefix (xlplan.layout.sheets.domain_codes)."""
        return dict(self.codes) if self.codes is not None else domain_codes(self.domains)

    @property
    def legacy(self) -> bool:
        """Domain sheets of xlplan 0.1 (packed year cells): read, never written."""
        return any(t.layout_version == LAYOUT_V1 for t in self.domain_tables.values())

    @property
    def schedule(self) -> ScheduleLayout:
        return ScheduleLayout(self.fiscal_years, self.subdivision)

    @property
    def coverage(self) -> CoverageLayout:
        return CoverageLayout(self.domains)

    @property
    def sheet_order(self) -> list[str]:
        return [USAGE, INFO, *self.domains, CATALOG, PROGRAMS, SCHEDULE, COVERAGE, PROGRESS, ORPHANS, FINDINGS, COLLECT_LOG,
                XLWINGS_CONF, LISTS]


def domain_code(domain: str, domains: list[str] | tuple[str, ...]) -> str:
    return domain_codes(domains)[domain]


_ID_PREFIX = re.compile(r"([A-Z][A-Z0-9]{1,3})-\d+")


def domain_codes(domains: Sequence[str], ids: Mapping[str, Iterable[object]] | None = None) -> dict[str, str]:
    """Each domain's measure ID prefix, stable when domains are added, removed or reordered: the law's domains
    have fixed codes; another domain keeps the prefix its sheet's IDs (ids: domain → the 施策ID cells) already
    use; a domain without IDs gets D + its position (as xlplan always did) or, when another domain or ID uses
    that, the next free D number — so new measures never take an ID another sheet has."""
    ids = ids or {}
    seen = {d: Counter(m.group(1) for v in ids.get(d, ()) if isinstance(v, str) and (m := _ID_PREFIX.fullmatch(v.strip())))
            for d in domains}
    codes = {d: DOMAIN_CODES[d] for d in domains if d in DOMAIN_CODES}
    reserved = set(DOMAIN_CODES.values())
    for d in domains:
        if d not in codes and seen[d]:
            prefix = seen[d].most_common(1)[0][0]
            if prefix not in reserved and prefix not in codes.values():
                codes[d] = prefix
    taken = set(codes.values()) | {p for counts in seen.values() for p in counts}
    for i, d in enumerate(domains):
        if d not in codes:
            n = i + 1
            while f"D{n:02d}" in taken:
                n += 1
            codes[d] = f"D{n:02d}"
            taken.add(codes[d])
    return {d: codes[d] for d in domains}


# ---------------------------------------------------------------- buttons

@dataclass(frozen=True)
class Button:
    sheet: str          # a sheet name, or "*domain" for every domain sheet
    row: int
    col: int
    caption: str
    macro: str          # Sub in macros/XlplanMacros.bas
    x_offset: int = 4   # pixels from the cell's left edge (several buttons side by side in one wide cell)


MACRO_MODULE = "XlplanMacros"
BUTTONS: tuple[Button, ...] = (
    Button(CATALOG, 0, 4, "カタログから追加", "PopulateFromCatalog"),
    Button("*domain", 0, 5, "検証", "ValidatePlan"),
    Button("*domain", 0, 6, "工程表を再描画", "RedrawSchedule"),
    Button(FINDINGS, 0, 4, "検証", "ValidatePlan"),
    Button(FINDINGS, 0, 5, "印をすべて消す", "ClearMarks"),
    Button(SCHEDULE, 0, 9, "工程表を再描画", "RedrawSchedule"),
    Button(SCHEDULE, 0, 11, "工程表に実績を表示", "ShowActualsOnSchedule"),
    Button(COVERAGE, 0, 4, "検証（網羅表も更新）", "ValidatePlan"),
    Button(PROGRESS, 0, 4, "進捗管理を作成", "UpdateProgress"),
    # 使い方: one row of buttons under the title (USAGE_BUTTON_ROW), side by side in the wide column B.
    Button(USAGE, 1, 1, "計画書（Word）を出力", "ExportDocument"),
    Button(USAGE, 1, 1, "計画書（PDF）を出力", "ExportDocumentPdf", x_offset=134),
    Button(USAGE, 1, 1, "環境診断", "Doctor", x_offset=264),
    # a second row of buttons for the 庁内照会 (USAGE_BUTTON_ROW + 1)
    Button(USAGE, 2, 1, "照会票を作成", "MakeSurveyForms"),
    Button(USAGE, 2, 1, "実績照会票を作成", "MakeActualsForms", x_offset=134),
    Button(USAGE, 2, 1, "回答を取り込む", "CollectAnswers", x_offset=264),
    Button(COLLECT_LOG, 0, 4, "回答を取り込む", "CollectAnswers"),
    Button(COLLECT_LOG, 0, 6, "照会票を作成", "MakeSurveyForms"),
    Button(PROGRESS, 0, 6, "進捗状況の報告書（Word）", "ExportProgressReport"),
    # beside 計画開始年度 and 計画期間（年数）: edit them, then press
    Button(INFO, INFO_LAYOUT.field["start_fy"].row, 2, "計画の枠組みを変更", "ReshapePlan"),
)
