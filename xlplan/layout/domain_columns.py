"""The domain sheets' columns (layout version 2), and xlplan 0.1's (version 1, still read).

Version 2, one row per KPI (the first row of a measure carries the measure's fields):

1. always visible, frozen on 施策ID and 施策名, fitting a 1366-px laptop screen at 100%:
   施策ID | 施策名 | 柱 | 内容 | 担当課 | 指標名 | 単位 | 現状値 | 目標値 | 目標年度 | one 工程 column per FY
2. 「年度ごとの目標」 (outline level 1, shown): one column per FY with that year's target —
   a number, or a status word for a qualitative KPI
3. 目標（定性） (level 0: it also separates the two outline groups, which Excel would merge if adjacent)
4. 「詳細」 (outline level 1, collapsed): 区分 | カタログID | 関連する国・県の施策・補助 | 種別 | 集計 | 方向 |
   現状値の時点 | 目安の考え方 | マイルストーン | 備考 [| 概算事業費（千円） | 財源 when 基本情報 asks for them]
5. the clerk's own columns: any header to the right of the last one, kept as Measure.extra.

Keys: "measure.*", "kpi.*", "fy:YYYY" (工程), "target:YYYY" (年度ごとの目標), "extra:見出し".
"""

from __future__ import annotations

from functools import lru_cache

from collections.abc import Sequence

from xlplan.core.fiscal import fy_header, parse_fy_header, short_wareki_fy
from xlplan.layout.table import Column, Table

DOMAIN_HEADER_ROW = 3      # row 4 in Excel; rows 1–3 hold the title, help and group captions
DOMAIN_GROUP_ROW = 2
DOMAIN_FREEZE_COL = 2      # 施策ID and 施策名 stay visible
# The sheet's own name, as a value (E1, right of the title, left of the buttons): the red/yellow marks compare
# 検証結果's keys ("シート!セル") with this cell and the cell's address, so a copied or renamed sheet marks its own
# cells once xlplan writes its new name here (a value op, which live Excel can apply; it cannot edit a conditional
# format). Workbooks built before name the sheet inside the rule (xlplan.reshape_domains rewrites those).
DOMAIN_KEY_CELL = (0, 4)
LAYOUT_V2 = 2
LAYOUT_V1 = 1              # xlplan 0.1

# The clerk's screen: Excel's grid on a maximised 1366-px window at 100% zoom, without the row
# headers of 4-digit rows (33 px) and the vertical scroll bar (17 px), with a margin of 16 px.
LAPTOP_GRID_PX = 1366 - 33 - 17 - 16

PRIMARY_COLUMNS: tuple[Column, ...] = (
    Column("measure.id", "施策ID", 8, "id", help="空欄なら自動で採番します。KPIを追加する行は同じIDにします。"),
    Column("measure.name", "施策名", 21, "wrap"),
    Column("measure.pillar", "柱", 12, "wrap", dropdown="pillar"),
    Column("measure.content", "内容", 24, "wrap"),
    Column("measure.owner", "担当課", 10, "wrap"),
    Column("kpi.name", "指標名", 19, "wrap"),
    Column("kpi.unit", "単位", 6),
    Column("kpi.baseline_value", "現状値", 8, "number", help="数値（「39%」のままでも可）。把握していなければ「未把握」または「-」"),
    Column("kpi.target_value", "目標値", 8, "number", numeric=True, help="数値のみ。％は 85 か「85%」。数値にできない目標は右の「目標（定性）」へ"),
    Column("kpi.target_fy", "目標年度", 9, help="和暦・西暦どちらでも（例: R13、2031、R10年度末）"),
)
TARGET_TEXT_COLUMN = Column("kpi.target_text", "目標（定性）", 18, "wrap",
                            help="数値にできない目標（例: 条例の制定）。年度ごとの目標には状況（検討中・一部実施・実施済み・達成）を書きます")


def _detail_columns(cost_columns: bool) -> tuple[Column, ...]:
    columns = (
        Column("measure.origin", "区分", 8, dropdown="origin", help="既定＝既に計画済み、追加＝今回追加、カタログ＝施策カタログから"),
        Column("measure.catalog_id", "カタログID", 8),
        Column("measure.programs", "関連する国・県の施策・補助", 14, "wrap", help="「国・県の施策」シートのIDを「、」区切りで（例: N11、K01）"),
        Column("kpi.kind", "種別", 6, dropdown="kind", help="進捗＝活動量（アウトプット）、効果＝成果（アウトカム）"),
        Column("kpi.aggregation", "集計", 7, dropdown="aggregation", help="時点＝ある時点の値、年度値＝その年度の量、累計＝積み上げ"),
        Column("kpi.direction", "方向", 6, dropdown="direction"),
        Column("kpi.baseline_as_of", "現状値の時点", 11, help="年度（例: R7、令和7年度）または日付"),
        Column("kpi.expectation", "目安の考え方", 10, dropdown="expectation",
               help="年度ごとの目標がない年度の目安: 自動（時点・累計と現状値のある年度値は現状値から目標値への線、現状値のない年度値は目標値）・線で結ぶ・毎年度目標値"),
        Column("measure.milestones", "マイルストーン", 20, "wrap", help="「R11 本格運用開始」のように年度と内容を1行ずつ"),
        Column("measure.notes", "備考", 20, "wrap"),
    )
    if cost_columns:
        columns += (
            Column("measure.cost", "概算事業費（千円）", 11, "number", numeric=True, help="計画期間の概算事業費（千円）"),
            Column("measure.funding", "財源", 16, "wrap", dropdown="funding", alert=False,
                   help="国・県の施策のID、一般財源、地方債、その他 を「、」区切りで（一覧から選ぶか、直接入力）"),
        )
    return tuple(Column(c.key, c.header, c.width, c.style, c.dropdown, c.numeric, c.help, outline=1, collapsed=True,
                        alert=c.alert) for c in columns)


PHASE_HELP = "段階を選びます。前の年度と同じなら「→」、1年度に2つなら「検討→準備」のように書けます"


def fy_key(fy: int) -> str:
    return f"fy:{fy}"


def target_key(fy: int) -> str:
    return f"target:{fy}"


def extra_key(header: str) -> str:
    return f"extra:{header}"


def domain_fy_header(fy: int) -> str:
    """R9年度 / (2027): short enough for a narrow 工程 column."""
    return f"{short_wareki_fy(fy)}年度\n({fy})"


def target_header(fy: int) -> str:
    return f"{short_wareki_fy(fy)}年度\n目標"


def domain_table(sheet: str, fiscal_years: Sequence[int], cost_columns: bool = False,
                 extra: Sequence[str] = ()) -> Table:
    """The measure table of one domain sheet (layout version 2)."""
    return _domain_table(sheet, tuple(fiscal_years), bool(cost_columns), tuple(extra))


@lru_cache(maxsize=256)   # a Table is frozen; a read asks for each sheet's several times
def _domain_table(sheet: str, fiscal_years: tuple[int, ...], cost_columns: bool, extra: tuple[str, ...]) -> Table:
    fy_cols = tuple(Column(fy_key(fy), domain_fy_header(fy), 8, "phase", dropdown="phase", help=PHASE_HELP)
                    for fy in fiscal_years)
    target_cols = tuple(Column(target_key(fy), target_header(fy), 8, "number", outline=1,
                               help="この年度末の目標（年度値はこの年度の量）。数値でない目標は状況（検討中・一部実施・実施済み・達成）")
                        for fy in fiscal_years)
    details = _detail_columns(cost_columns)
    extra_cols = tuple(Column(extra_key(h), h, 14, "wrap") for h in extra)
    columns = PRIMARY_COLUMNS + fy_cols + target_cols + (TARGET_TEXT_COLUMN,) + details + extra_cols
    groups = [("施策", "measure.id", "measure.owner"), ("KPI（指標）", "kpi.name", "kpi.target_fy")]
    if fiscal_years:
        groups += [("工程（年度ごとの段階）", fy_cols[0].key, fy_cols[-1].key),
                   ("年度ごとの目標", target_cols[0].key, target_cols[-1].key)]
    groups += [("KPI", TARGET_TEXT_COLUMN.key, TARGET_TEXT_COLUMN.key), ("詳細", details[0].key, details[-1].key)]
    return Table(sheet, DOMAIN_HEADER_ROW, columns, DOMAIN_GROUP_ROW, tuple(groups), layout_version=LAYOUT_V2)


def laptop_block(table: Table) -> list[Column]:
    """The columns a clerk fills first: everything up to the last 工程 column."""
    fy_cols = [c for c in table.columns if c.key.startswith("fy:")]
    last = table.col(fy_cols[-1].key) if fy_cols else table.col("kpi.target_fy")
    return list(table.columns[: last + 1])


def measure_keys(table: Table) -> list[str]:
    """Columns that make a row a measure's own row rather than another KPI row of it."""
    return [c.key for c in table.columns if (c.key.startswith(("measure.", "fy:")) and c.key != "measure.id")]


def kpi_keys(table: Table) -> list[str]:
    return [c.key for c in table.columns if c.key.startswith(("kpi.", "target:"))]


# ---------------------------------------------------------------- xlplan 0.1 (layout version 1)

V1_LEADING: tuple[Column, ...] = (
    Column("measure.id", "施策ID", 9, "id"), Column("measure.pillar", "柱", 20), Column("measure.name", "施策名", 32),
    Column("measure.origin", "区分", 9), Column("measure.catalog_id", "カタログID", 9), Column("measure.content", "内容", 40),
    Column("measure.owner", "担当課", 14), Column("measure.programs", "関連する国・県の施策・補助", 16),
    Column("kpi.name", "指標名", 28), Column("kpi.kind", "種別", 7), Column("kpi.unit", "単位", 7),
    Column("kpi.aggregation", "集計", 8), Column("kpi.direction", "方向", 7), Column("kpi.baseline_value", "現状値", 10),
    Column("kpi.baseline_as_of", "現状値の時点", 12), Column("kpi.target_value", "目標値", 10),
    Column("kpi.target_text", "目標（定性）", 20), Column("kpi.target_fy", "目標年度", 11),
    Column("kpi.interim", "中間目標", 16), Column("kpi.actuals", "実績値", 16), Column("kpi.comments", "実績の説明", 28),
)
V1_TRAILING: tuple[Column, ...] = (Column("measure.milestones", "マイルストーン", 22), Column("measure.notes", "備考", 24))


def domain_table_v1(sheet: str, fiscal_years: Sequence[int]) -> Table:
    """xlplan 0.1's domain sheet: packed 中間目標/実績値/実績の説明 cells (「R9:12、R10:25」)."""
    fy_cols = tuple(Column(fy_key(fy), fy_header(fy), 10, "phase") for fy in fiscal_years)
    return Table(sheet, DOMAIN_HEADER_ROW, V1_LEADING + fy_cols + V1_TRAILING, layout_version=LAYOUT_V1)


# ---------------------------------------------------------------- which layout a sheet has

def _lines(text: str) -> list[str]:
    return text.replace("\r", "").split("\n")


def _year(header: str, second: str | None) -> int | None:
    """The FY of a header such as 「R9年度\\n(2027)」 (second=None) or 「R9年度\\n目標」 (second="目標")."""
    lines = _lines(header)
    if len(lines) != 2 or (second is None and not lines[1].startswith("(")) or (second is not None and lines[1] != second):
        return None
    try:
        return parse_fy_header(lines[0])
    except ValueError:
        return None


def domain_table_from_headers(sheet: str, headers: Sequence[str]) -> Table:
    """The table whose layout the header row shows (version 1 or 2, its years, cost and clerk columns).
    The caller checks every header against the result and names the first one that differs."""
    headers = [h or "" for h in headers]
    if len(headers) > 1 and headers[1] == "柱":
        start = len(V1_LEADING)
        years = _consecutive(headers, start, lambda h: parse_fy_header(h) if "\n" in h else None)
        return domain_table_v1(sheet, years)
    start = len(PRIMARY_COLUMNS)
    years = _consecutive(headers, start, lambda h: _year(h, None))
    plain = domain_table(sheet, years)
    cost_at = plain.width
    cost = len(headers) > cost_at and headers[cost_at] == "概算事業費（千円）"
    table = domain_table(sheet, years, cost)
    extra: list[str] = []
    for header in headers[table.width:]:
        header = header.strip().replace("\n", "")
        if header:
            extra.append(header if header not in extra else f"{header}（{sum(e.startswith(header) for e in extra) + 1}）")
    return domain_table(sheet, years, cost, extra) if extra else table


def _consecutive(headers: Sequence[str], start: int, year_of) -> list[int]:
    years: list[int] = []
    for header in headers[start:]:
        try:
            fy = year_of(header)
        except ValueError:
            fy = None
        if fy is None or (years and fy != years[-1] + 1):
            break
        years.append(fy)
    return years
