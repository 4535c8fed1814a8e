"""Build the planning workbook with XlsxWriter, entirely from the layout.

The workbook's formatting is static: column formats, dropdowns, and conditional
formats that read values (phase codes, the findings list). Afterwards xlplan
only ever writes values, so a redraw never needs to read or set formatting.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlplan import __version__
from xlplan.core.catalog import Catalog, with_catalog_programs
from xlplan.core.fiscal import fy_of_date
from xlplan.core.funding import funding_choices
from xlplan.core.model import Plan
from xlplan.core.schedule import PHASE_CODES
from xlplan.core.vocab import (
    GRADE_SCALE_NAMES,
    PROGRAM_LEVELS,
    YES_NO,
    Aggregation,
    BodyType,
    DateStyle,
    Direction,
    Expectation,
    KpiKind,
    Origin,
    Phase,
    Pillar,
    ProgramStatus,
    Subdivision,
)
from xlplan.builder.rule_prototypes import write_prototypes
from xlplan.fileio import atomic_write_bytes
from xlplan.layout import sheets as L
from xlplan.layout.a1 import cell_name, col_letter, quote_sheet
from xlplan.layout.cells import Formula
from xlplan.layout.rowheight import row_height
from xlplan.core.progress import latest_actual_fy, plan_scale
from xlplan.core.statuses import DROPDOWN as STATUS_DROPDOWN
from xlplan.export.sheets import NO_REASON
from xlplan.layout.progress_values import progress_head, progress_table
from xlplan.layout.screen import block_pixels
from xlplan.layout.sheet_values import (
    coverage_values,
    grade_rows,
    catalog_rows,
    findings_sheet_values,
    info_values,
    legend_cells,
    measure_rows,
    program_row,
    related_rows,
    schedule_outline,
    schedule_sheet_values,
    skip_rows,
)
from xlplan.userenv import CONF_SETTINGS
from xlplan.layout.styles import (
    CURRENT_FY_FILL,
    CURRENT_FY_FRAME,
    ERROR_FILL,
    GRADE_FILLS,
    ERROR_FONT,
    PHASE_FILLS,
    SECTION_FILL,
    STYLES,
    SUBSECTION_FILL,
    WARNING_FILL,
    WARNING_FONT,
)

DOMAIN_ROWS = 1000      # rows of a domain sheet that carry dropdowns and marks
PROGRESS_ROWS = 5000    # rows of 進捗管理 that carry dropdowns and grade fills
MIN_PRINT_SCALE = 89    # the smallest cell text (9 pt) prints at 8 pt or more
SCHEDULE_ROWS = 2000    # rows of the 工程表 covered by conditional formats
FIXED_CREATED = dt.datetime(2026, 4, 1)  # reproducible files: no build timestamp inside
USAGE_WIDTH = 96        # 使い方's text column: within an A4 portrait page at 100 %
USAGE_FIRST_ROW = 4   # rows 1 and 2 (0-based) hold the 使い方 buttons
USAGE_LINES: tuple[tuple[str, str], ...] = (
    ("caption", "作業の流れ"),
    ("wrap", "1. 「基本情報」の黄色のセルに、団体名・団体種別・計画名・計画開始年度（令和9年度 などの和暦で可）・計画期間・見直し時期・"
             "問い合わせ先などを入力します。"),
    ("wrap", "2. 分野ごとのシート（電子行政 など）に、既に計画している施策を柱ごとに入力します。KPIが複数ある施策は、同じ施策IDで行を足して指標を書きます。"),
    ("wrap", "3. 「施策カタログ」で取り組めそうな施策の「採用」に ○ を付け、「カタログから追加」ボタンを押すと、各分野のシートの該当する柱に追加されます（スモールスタート）。"),
    ("wrap", "4. 施策ごとに内容・担当課・KPI（現状値・目標値・目標年度）・年度ごとの段階を入力し、「国・県の施策」で使える補助や制度のIDを書きます。"),
    ("wrap", "5. 「検証」ボタンで入力の漏れや矛盾を調べます。結果は「検証結果」シートに一覧され、問題のあるセルは赤（エラー）・黄（警告）の太枠で示されます。"),
    ("wrap", "6. 「工程表を再描画」ボタンで「スケジュール」シートを作り直します。A3横で印刷できます。柱ごとに左の［－］で折りたたみ、見出しの▼で担当課などを絞り込めます。"),
    ("wrap", "7. 上の「計画書（Word）を出力」で計画書の案（.docx）を、「計画書（PDF）を出力」で目次のページ番号入りの PDF を、このブックと同じフォルダーに作ります。"
             "計画書の年度・日付は基本情報の「日付の表記」の書き方にそろい、施策は「施策1」のような番号で示されます（施策IDや備考は載りません）。"),
    ("wrap", "8. 担当課への照会は、上の「照会票を作成」（計画の照会）・「実績照会票を作成」（年度の実績）で担当課ごとの照会票（マクロなしの .xlsx）を作り、"
             "返ってきたファイルをこのブックと同じフォルダーの「回答」フォルダーに入れて「回答を取り込む」を押します。変更は「取込結果」シートに一覧されます。"),
    ("wrap", "9. 計画期間や開始年度を後から変えるときは、「基本情報」の計画開始年度・計画期間（年数）を直して、その右の「計画の枠組みを変更」ボタンを押します。"
             "分野のシートと工程表の年度の列が足し引きされ、入力した値は残ります。期間から外れる入力があるときは一覧が出るので、［はい］で消すか［いいえ］でやめます"
             "（消した内容は「削除した内容」シートに残ります）。"),
    ("caption", "ボタンが動かないとき"),
    ("wrap", "マクロを有効にしてください。インターネットやメールから取得したファイルは、ファイルのプロパティで「許可する」にチェックを入れてから開きます。"
             "「ボタンを使う準備ができていません」と出たときは、この PC で一度だけ、配布された xlplan セットアップ（setup.cmd）を実行するか、"
             "コマンドプロンプトで xlplan setup を実行します（管理者権限は不要です）。"
             "「環境診断」ボタンで Python と xlplan の状態を確認できます。Excel のない環境では、同じ操作をコマンド（xlplan validate など）で実行できます。"),
    ("wrap", "ボタンが使う Python の設定は、隠しシート「xlwings.conf」にあります（どの PC でも同じ標準の場所を指すので、通常は見る必要はありません）。"
             "見るときは、シート見出しを右クリック →［再表示］→「xlwings.conf」を選びます。"),
    ("caption", "注意"),
    ("wrap", "シート名・見出し・列の並びは変えないでください。「スケジュール」と「検証結果」シートはボタンを押すたびに作り直されるため、手で書き込んだ内容は消えます。"),
)


def build_workbook(
    plan: Plan,
    catalog: Catalog,
    *,
    interpreter: str | None = None,
    current_fy: int | None = None,
    with_macros: bool = True,
) -> bytes:
    """The whole workbook for a plan, as .xlsm bytes (or .xlsx without macros)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    wb.set_properties({"title": plan.title or "官民データ活用推進計画", "author": "xlplan", "created": FIXED_CREATED,
                       "comments": f"xlplan {__version__}"})
    builder = _Builder(wb, workbook_plan(plan, catalog), catalog, with_macros)
    builder.build(interpreter=interpreter, current_fy=current_fy if current_fy is not None else fy_of_date(dt.date.today()))
    wb.close()
    return buffer.getvalue()


def workbook_plan(plan: Plan, catalog: Catalog) -> Plan:
    """The plan exactly as the built workbook holds it, and as reading it back gives it:
    the catalog's programs added, measures in sheet order (by domain, then pillar)."""
    plan = with_catalog_programs(plan, catalog)
    domain_index = {d: i for i, d in enumerate(plan.domains)}
    order = sorted(enumerate(plan.measures), key=lambda im: (
        domain_index.get(im[1].domain, len(domain_index)), im[1].pillar.order if im[1].pillar else 99, im[0]))
    return plan.model_copy(update={"measures": [m for _, m in order]})


def write_workbook(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    atomic_write_bytes(Path(path), data, overwrite=overwrite)


class _Builder:
    def __init__(self, wb: Workbook, plan: Plan, catalog: Catalog, with_macros: bool):
        self.wb = wb
        self.plan = plan
        self.catalog = catalog
        self.with_macros = with_macros
        extra = {d: tuple(dict.fromkeys(h for m in plan.measures_in(d) for h in m.extra)) for d in plan.domains}
        self.layout = L.WorkbookLayout(tuple(plan.domains), tuple(plan.fiscal_years), plan.subdivision,
                                       cost_columns=plan.cost_columns, extra_columns=extra)
        self.fmt = {name: wb.add_format(props) for name, props in STYLES.items()}
        self.sheets: dict[str, Worksheet] = {}
        self.measure_cells: dict[str, tuple[str, str]] = {}  # measure id -> its first cell, for links

    # -------------------------------------------------------------- structure

    def build(self, *, interpreter: str | None, current_fy: int) -> None:
        for i, name in enumerate(self.layout.sheet_order):
            ws = self.wb.add_worksheet(name)
            ws.set_vba_name(f"Sheet{i + 1}")
            self.sheets[name] = ws
        self.wb.set_vba_name("ThisWorkbook")
        self._lists()
        self._usage()
        self._info()
        for domain in self.layout.domains:
            self._domain(domain)
        self._catalog()
        self._programs()
        self._schedule(current_fy)
        self._coverage()
        self._progress(current_fy)
        self._orphans()
        self._findings()
        self._collect_log()
        self._xlwings_conf(interpreter)
        self._buttons()
        if self.with_macros:
            self._vba()
        self.sheets[L.INFO].activate()

    def _write_rows(self, ws: Worksheet, first_row: int, rows, styles: list[str] | None = None) -> None:
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                fmt = self.fmt[styles[c]] if styles and c < len(styles) else None
                if value is None:
                    if fmt is not None and styles[c] == "input":
                        ws.write_blank(first_row + r, c, None, fmt)
                    continue
                if isinstance(value, Formula):
                    ws.write_formula(first_row + r, c, "=" + value.text, fmt, value.cached)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(first_row + r, c, value, fmt)
                else:
                    ws.write_string(first_row + r, c, str(value), fmt)

    def _fit_rows(self, ws: Worksheet, first_row: int, rows, table: L.Table) -> None:
        """Row heights for wrapped text, as the file adapter estimates them after a redraw."""
        widths = [c.width for c in table.columns]
        wraps = [bool(STYLES[c.style].get("text_wrap")) for c in table.columns]
        shown = [not c.collapsed for c in table.columns]   # text in a collapsed group must not make the row taller
        for r, row in enumerate(rows):
            ws.set_row(first_row + r, row_height([v if s else None for v, s in zip(row, shown)], widths, wraps))

    def _table_sheet(self, ws: Worksheet, table: L.Table, title: str, help_text: str, rows) -> None:
        """A sheet that is one table: widths, a title, one line of help, headers, then the rows."""
        self._columns(ws, table)
        ws.write_string(0, 0, title, self.fmt["title"])
        ws.write_string(1, 0, help_text, self.fmt["help"])
        self._headers(ws, table)
        self._write_rows(ws, table.first_row, rows, [c.style for c in table.columns])
        self._fit_rows(ws, table.first_row, rows, table)

    def _columns(self, ws: Worksheet, table: L.Table, formats: bool = True) -> None:
        """Widths, hidden helper columns, outline groups (a collapsed group's columns start hidden; the column
        after it carries the collapsed mark) and (for open-ended tables) the column's default format,
        which new rows typed or inserted later take on."""
        previous: L.Column | None = None
        for i, column in enumerate(table.columns):
            options: dict = {"hidden": True} if column.style == "hidden" or column.collapsed else {}
            if column.outline:
                options["level"] = column.outline
            if previous is not None and previous.collapsed and not column.collapsed:
                options["collapsed"] = True
            ws.set_column(i, i, column.width, self.fmt[column.style] if formats else None, options)
            previous = column
        if previous is not None and previous.collapsed:
            ws.set_column(table.width, table.width, None, None, {"collapsed": True})

    def _headers(self, ws: Worksheet, table: L.Table) -> None:
        ws.set_row(table.header_row, 30)
        for i, column in enumerate(table.columns):
            ws.write_string(table.header_row, i, column.header, self.fmt["header"])
        if table.group_row is not None:
            for caption, first, last in table.groups:
                c0, c1 = table.col(first), table.col(last)
                if c0 == c1:
                    ws.write_string(table.group_row, c0, caption, self.fmt["group"])
                else:
                    ws.merge_range(table.group_row, c0, table.group_row, c1, caption, self.fmt["group"])

    def _dropdowns(self, ws: Worksheet, table: L.Table, last_row: int) -> None:
        for i, column in enumerate(table.columns):
            options: dict | None = None
            if column.dropdown:
                options = {"validate": "list", "source": "=" + L.LIST_NAMES[column.dropdown],
                           "error_type": "warning", "error_title": column.header,
                           "error_message": "一覧にない値です。このまま入力する場合は「はい」を押してください。"}
                if not column.alert:   # suggestions only: other values (○, 済, numbers) are typed freely
                    options = {"validate": "list", "source": "=" + L.LIST_NAMES[column.dropdown], "show_error": False}
            elif column.numeric:
                options = {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                           "error_title": column.header, "error_message": "数値だけを入力してください（単位は単位の列へ）。"}
            if options is None and not column.help:
                continue
            if options is None:
                options = {"validate": "any"}
            if column.help:
                options.update({"input_title": column.header[:32], "input_message": column.help[:255]})
            ws.data_validation(table.first_row, i, last_row, i, options)

    def _print(self, ws: Worksheet, table: L.Table, *, a3: bool = False) -> None:
        ws.set_landscape()
        ws.set_paper(8 if a3 else 9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, table.header_row)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.set_footer("&C&P / &N")

    # -------------------------------------------------------------- sheets

    def _lists(self) -> None:
        ws = self.sheets[L.LISTS]
        lists = {
            "pillar": [p.value for p in Pillar], "origin": [o.value for o in Origin],
            "kind": [k.value for k in KpiKind], "aggregation": [a.value for a in Aggregation],
            "direction": [d.value for d in Direction], "phase": [p.value for p in Phase],
            "domain": list(self.layout.domains), "adopt": [L.ADOPT_MARK], "level": list(PROGRAM_LEVELS),
            "status": [s.value for s in ProgramStatus],
            "subdivision": [s.value for s in Subdivision],
            "body_type": [b.value for b in BodyType], "date_style": [d.value for d in DateStyle],
            "grade_scale": list(GRADE_SCALE_NAMES), "yes_no": list(YES_NO),
            "kpi_status": [st.value for st in STATUS_DROPDOWN], "expectation": [e.value for e in Expectation],
            "grade": [lv.code for lv in plan_scale(self.plan).levels],
            "funding": funding_choices(self.plan),
        }
        for col, (key, values) in enumerate(lists.items()):
            ws.write_string(0, col, key)
            for row, value in enumerate(values, start=1):
                ws.write_string(row, col, value)
            letter = col_letter(col)
            # the domains' list has room for every domain 基本情報 can list: reshape adds one by writing a value
            rows = L.DOMAINS_CAPACITY if key == "domain" else len(values)
            self.wb.define_name(L.LIST_NAMES[key], L.funding_list_formula(col) if key == "funding" else
                                f"={quote_sheet(L.LISTS)}!${letter}$2:${letter}${rows + 1}")
        # The versions this workbook was built with (the embedded VBA is this xlwings' xlwings.bas);
        # the buttons and `xlplan doctor` find them by header and compare with the running Python.
        import xlwings

        # The 工程表's subdivision is fixed when it is built; the reader compares it with 基本情報.
        built = (("xlwings_version", xlwings.__version__), ("xlplan_version", __version__),
                 (L.BUILT_SUBDIVISION, self.layout.subdivision.value), (L.LAYOUT_VERSION, str(L.INFO_LAYOUT.version)))
        for col, (key, value) in enumerate(built, start=len(lists)):
            ws.write_string(0, col, key)
            ws.write_string(1, col, value)
        # the input rules the live path gives new columns by copying a cell; the marks' key cell is the
        # domain sheets' (same address, no sheet name): on the copy it names the domain sheet
        key = f"${col_letter(L.DOMAIN_KEY_CELL[1])}${L.DOMAIN_KEY_CELL[0] + 1}"
        write_prototypes(ws, len(lists) + len(built), self.fmt,
                         lambda r, c: self._cf(ws, [(r, c, r, c, self._mark_rules(L.LISTS, r, c, key=key))]))
        ws.hide()

    def _usage(self) -> None:
        ws = self.sheets[L.USAGE]
        ws.set_column(0, 0, 2)
        ws.set_column(1, 1, USAGE_WIDTH, self.fmt["wrap"])
        ws.write_string(0, 1, "官民データ活用推進計画 作成ブック（xlplan）", self.fmt["title"])
        ws.set_row(1, 30)  # the buttons (L.BUTTONS on 使い方) sit in these two rows
        ws.set_row(2, 30)
        for i, (style, text) in enumerate(USAGE_LINES, start=USAGE_FIRST_ROW):
            ws.write_string(i, 1, text, self.fmt[style])
            if style == "wrap":
                ws.set_row(i, row_height([text], [USAGE_WIDTH], [True]))
        ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)

    def _info(self) -> None:
        ws = self.sheets[L.INFO]
        for i, column in enumerate(L.RELATED.columns):
            ws.set_column(i, i, column.width)
        ws.write_string(0, 0, "基本情報", self.fmt["title"])
        ws.write_string(1, 0, "黄色のセルに入力します（青いセルは項目名です）。計画開始年度は 令和9年度・R9・2027 のどれでも構いません。", self.fmt["help"])
        values = info_values(self.plan)
        for f in L.INFO_FIELDS:
            ws.write_string(f.row, L.INFO_LABEL_COL, f.label, self.fmt["label"])
            value = values.get(f.key)
            style = "label" if f.key == "period" else "input"
            if f.tall:
                ws.set_row(f.row, row_height([value], [60], [True]))
            if isinstance(value, (int, float)):
                ws.write_number(f.row, L.INFO_VALUE_COL, value, self.fmt[style])
            else:
                ws.write(f.row, L.INFO_VALUE_COL, value, self.fmt[style])
            if f.help or f.dropdown:
                options = {"validate": "list", "source": "=" + L.LIST_NAMES[f.dropdown]} if f.dropdown else {"validate": "any"}
                ws.data_validation(f.row, L.INFO_VALUE_COL, f.row, L.INFO_VALUE_COL,
                                   {**options, "input_title": f.label[:32], "input_message": f.help[:255]})
        ws.write_string(L.ROLES_ROW, 0, "位置付け（この計画が兼ねる役割。1行に1つ）", self.fmt["caption"])
        for i in range(L.ROLES_CAPACITY):
            role = self.plan.roles[i] if i < len(self.plan.roles) else None
            ws.write(L.ROLES_ROW + 1 + i, L.INFO_LABEL_COL, f"位置付け{i + 1}", self.fmt["label"])
            ws.write(L.ROLES_ROW + 1 + i, L.INFO_VALUE_COL, role, self.fmt["input"])
            if role:
                widths = [c.width for c in L.RELATED.columns[:2]]
                ws.set_row(L.ROLES_ROW + 1 + i, row_height([None, role], widths, [False, True]))
        ws.write_string(L.RELATED.header_row - 1, 0, "関連する計画（総合計画・総合戦略・DX推進計画 など）", self.fmt["caption"])
        self._headers(ws, L.RELATED)
        filled = related_rows(self.plan)
        rows = filled + [[None] * L.RELATED.width] * (L.RELATED_CAPACITY - len(self.plan.related_plans))
        self._write_rows(ws, L.RELATED.first_row, rows, [c.style for c in L.RELATED.columns])
        self._fit_rows(ws, L.RELATED.first_row, filled, L.RELATED)
        ws.write_string(L.DOMAINS_HEADER_ROW - 1, 0, "分野（分野ごとにシートがあります。一覧を書き換えて「計画の枠組みを変更」ボタンを押すと、シートを追加・削除します）", self.fmt["caption"])
        ws.write_string(L.DOMAINS_HEADER_ROW, L.DOMAINS_COL, "分野", self.fmt["header"])
        for i in range(L.DOMAINS_CAPACITY):
            domain = self.layout.domains[i] if i < len(self.layout.domains) else None
            ws.write(L.DOMAINS_HEADER_ROW + 1 + i, L.DOMAINS_COL, domain, self.fmt["input"])
        ws.write_string(L.SKIPS.header_row - 1, 0, "取り組まない柱・分野と理由（施策がない柱・分野は、ここに理由を書くと警告が出ません）", self.fmt["caption"])
        self._headers(ws, L.SKIPS)
        filled = skip_rows(self.plan)
        rows = filled + [[None] * L.SKIPS.width] * (L.SKIPS_CAPACITY - len(self.plan.skips))
        self._write_rows(ws, L.SKIPS.first_row, rows, [c.style for c in L.SKIPS.columns])
        self._fit_rows(ws, L.SKIPS.first_row, filled, L.SKIPS)
        ws.write_string(L.GRADES.header_row - 1, 0, "独自の評価段階（「評価の尺度」が「独自」のとき。達成率の高い段階から順に。下限が空欄の段階は「評価できない」）", self.fmt["caption"])
        self._headers(ws, L.GRADES)
        rows = grade_rows(self.plan) + [[None] * L.GRADES.width] * (L.GRADES_CAPACITY - len(self.plan.custom_grades))
        self._write_rows(ws, L.GRADES.first_row, rows, [c.style for c in L.GRADES.columns])
        self._cf(ws, [(0, 0, L.GRADES.first_row + L.GRADES_CAPACITY, L.RELATED.width - 1, self._mark_rules(L.INFO, 0, 0))])
        ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    def _domain(self, domain: str) -> None:
        ws = self.sheets[domain]
        table = self.layout.domain_tables[domain]
        last_col = table.width - 1
        rows = []
        for measure in self.plan.measures_in(domain):
            self.measure_cells.setdefault(measure.id, (domain, cell_name(table.first_row + len(rows), 0)))
            rows += measure_rows(measure, table)
        self._table_sheet(ws, table, f"{domain}　個別施策",
                          "柱ごとに施策を入力します。KPIを増やすときは、下に行を足して同じ施策IDを入れ、指標の列だけを書きます。"
                          "工程の列には段階を選び、年度ごとの目標は1年度1セルに書きます。区分・関連する施策・集計・方向・現状値の時点・"
                          "目安の考え方・備考などは、右端の見出しの上の「＋」で表示します。実績は『進捗管理』シートに入力します。", rows)
        last_row = table.first_row + DOMAIN_ROWS
        self._dropdowns(ws, table, last_row)
        # LibreOffice applies only one conditional-format range per cell, so the
        # ranges are disjoint and each carries every rule its cells need.
        key_row, key_col = L.DOMAIN_KEY_CELL
        ws.write_string(key_row, key_col, domain, self.fmt["sheet_key"])
        ws.data_validation(key_row, key_col, key_row, key_col, {
            "validate": "any", "input_title": "シート名（xlplan が使います）",
            "input_message": "赤・黄の印をこのシートのセルに付けるために、xlplan がシート名をここに書きます。変えないでください。"
                             "分野の名前は「基本情報」の分野の一覧を書き換えて「計画の枠組みを変更」で変えます。"})
        marks = self._mark_rules(domain, table.first_row, 0, key=f"${col_letter(key_col)}${key_row + 1}")
        first = table.first_row + 1
        grey_id = {"type": "formula", "format": self.wb.add_format({"font_color": "#A6A6A6"}),
                   "criteria": f'=AND($A{first}<>"",COUNTIF($A${first}:$A{first},$A{first})>1)'}
        phase_rules = [{"type": "cell", "criteria": "==", "value": f'"{phase.value}"',
                        "format": self.wb.add_format({"bg_color": color})} for phase, color in PHASE_FILLS.items()]
        fy_cols = [table.col(L.fy_key(fy)) for fy in self.layout.fiscal_years]
        blocks = [(table.first_row, 0, last_row, 0, [*marks, grey_id])]
        if fy_cols:
            blocks += [(table.first_row, 1, last_row, fy_cols[0] - 1, marks),
                       (table.first_row, fy_cols[0], last_row, fy_cols[-1], [*marks, *phase_rules]),
                       (table.first_row, fy_cols[-1] + 1, last_row, last_col, marks)]
        else:
            blocks += [(table.first_row, 1, last_row, last_col, marks)]
        self._cf(ws, blocks)
        ws.freeze_panes(table.first_row, L.DOMAIN_FREEZE_COL)
        ws.autofilter(table.header_row, 0, table.header_row, last_col)
        self._print(ws, table, a3=True)
        self._print_scale(ws, table)

    def _print_scale(self, ws: Worksheet, table: L.Table) -> None:
        """A3 landscape at a fixed scale: the visible columns (collapsed groups are not printed) across one
        page when that keeps 9-pt text at 8 pt or more, else at that scale over several pages with
        施策ID and 施策名 repeated."""
        printable_px = (420 - 2 * 0.4 * 25.4) / 25.4 * 96      # A3 landscape width inside the margins
        shown = block_pixels(c for c in table.columns if not c.collapsed)
        scale = min(100, int(printable_px / shown * 100))
        if scale < MIN_PRINT_SCALE:
            scale = MIN_PRINT_SCALE
            ws.repeat_columns(0, L.DOMAIN_FREEZE_COL - 1)
        ws.fit_to_pages(0, 0)
        ws.set_print_scale(scale)

    def _mark_rules(self, sheet: str, r0: int, c0: int, key: str | None = None) -> list[dict]:
        """Red/yellow marks on cells listed in 検証結果; they go when the findings go.

        The rules are written relative to the top-left cell (r0, c0) of the range they are applied to.
        key: a cell holding the sheet's name (domain sheets, L.DOMAIN_KEY_CELL), so the rules do not
        name the sheet and stay right when the sheet is copied or renamed; else the name is a literal.
        """
        top_left = cell_name(r0, c0)
        name = f'{key}&"!"' if key else f'"{sheet}!"'
        address = f'{name}&ADDRESS(ROW({top_left}),COLUMN({top_left}),4)'
        return [{"type": "formula", "criteria": f"=COUNTIF({name},{address})>0", "stop_if_true": True,
                 "format": self.wb.add_format({"bg_color": fill, "font_color": font, "border": 2, "border_color": font})}
                for name, fill, font in ((L.ERROR_KEYS_NAME, ERROR_FILL, ERROR_FONT),
                                         (L.WARNING_KEYS_NAME, WARNING_FILL, WARNING_FONT))]

    def _cf(self, ws: Worksheet, blocks: list[tuple[int, int, int, int, list[dict]]]) -> None:
        """Conditional formats on disjoint ranges; rules whose formulas use ADDRESS/relative
        refs are re-anchored at each range's top-left cell."""
        for r0, c0, r1, c1, rules in blocks:
            if c1 < c0:
                continue
            for rule in rules:
                rule = dict(rule)
                if "ADDRESS(ROW(" in rule.get("criteria", ""):
                    rule["criteria"] = re.sub(r"ROW\(\w+\),COLUMN\(\w+\)",
                                              f"ROW({cell_name(r0, c0)}),COLUMN({cell_name(r0, c0)})", rule["criteria"])
                ws.conditional_format(r0, c0, r1, c1, rule)

    def _catalog(self) -> None:
        ws = self.sheets[L.CATALOG]
        table = L.CATALOG_TABLE
        from xlplan.core.populate import in_plan

        added = in_plan(self.plan, self.catalog)
        rows = catalog_rows(self.catalog, {cid: self.measure_cells[mid] for cid, mid in added.items() if mid in self.measure_cells})
        self._table_sheet(ws, table, "施策カタログ",
                          "取り組む施策の「採用」に ○ を付けて「カタログから追加」を押すと、分野のシートに追加されます。"
                          "内容とKPIは【案】として入るので、確かめて【案】を消してください。追加済みの施策は二重には追加されません。", rows)
        section = self.wb.add_format(STYLES["caption"])
        id_col = table.col("catalog.id")
        for r, row in enumerate(rows):
            if str(row[id_col] or "").startswith(L.CATALOG_SECTION_MARK):
                ws.write_string(table.first_row + r, id_col, row[id_col], section)
                ws.set_row(table.first_row + r, 22)
        self._dropdowns(ws, table, table.first_row + len(rows) - 1)
        ws.freeze_panes(table.first_row, table.col("catalog.id") + 1)
        ws.autofilter(table.header_row, 0, table.first_row + len(rows) - 1, table.width - 1)
        self._print(ws, table)

    def _programs(self) -> None:
        ws = self.sheets[L.PROGRAMS]
        table = L.PROGRAMS_TABLE
        rows = [program_row(p) for p in self.plan.programs]
        self._table_sheet(ws, table, "国・県の施策・補助",
                          "施策の「関連する国・県の施策・補助」列には、この表の ID を書きます。県・市町村の施策は K01 のような ID で行を足すか、"
                          "xlplan programs import で取り込みます。灰色の行は終了した施策です（関連付けると検証で後継を示します）。"
                          "補助率や有効年度は毎年度変わるため、出典を読んで確かめた日を確認日に書きます。", rows)
        self._dropdowns(ws, table, table.first_row + 300)
        # Ended programs are greyed out: the rule reads the 状態 cell, so typing 終了 greys the row too.
        status = f"${table.letter('program.status')}{table.first_row + 1}"
        ended = {"type": "formula", "criteria": f'=OR({status}="{ProgramStatus.ENDED.value}",{status}="{ProgramStatus.SUCCEEDED.value}")',
                 "format": self.wb.add_format({"font_color": "#808080", "bg_color": "#F2F2F2"})}
        self._cf(ws, [(table.first_row, 0, table.first_row + 300, table.width - 1,
                       self._mark_rules(L.PROGRAMS, 0, 0) + [ended])])
        ws.freeze_panes(table.first_row, 3)
        self._print(ws, table)

    def _schedule(self, current_fy: int) -> None:
        ws = self.sheets[L.SCHEDULE]
        layout = self.layout.schedule
        table = layout.table
        self._columns(ws, table)
        values = schedule_sheet_values(self.plan, layout, current_fy)
        styles = [c.style for c in table.columns]
        self._write_rows(ws, layout.title_row, [values[layout.title_row]], ["title"] * table.width)
        self._write_rows(ws, layout.subtitle_row, [values[layout.subtitle_row]], ["subtitle"] * table.width)
        legend_styles = ["caption"] + [f"legend:{p.name}" for p in Phase] + ["center"] * (len(legend_cells()) - 1 - len(Phase))
        for phase, color in PHASE_FILLS.items():
            self.fmt[f"legend:{phase.name}"] = self.wb.add_format({**STYLES["phase"], "bg_color": color, "border": 1})
        self._write_rows(ws, layout.legend_row, [values[layout.legend_row][: len(legend_styles)]], legend_styles)
        self._write_rows(ws, layout.marker_row, [values[layout.marker_row]], ["marker"] * table.width)
        self._headers(ws, table)
        ws.set_row(table.header_row, 36 if layout.parts == 1 else 50)
        data = values[layout.first_row:]
        self._write_rows(ws, layout.first_row, data, styles)
        # Row heights for wrapped text, and the outline: a pillar's rows (and a domain's measures) collapse
        # under their group row, whose ［－］ sits beside it (summary rows above).
        widths = [c.width for c in table.columns]
        wraps = [bool(STYLES[c.style].get("text_wrap")) for c in table.columns]
        for r, (row, level) in enumerate(zip(data, schedule_outline(values, layout))):
            ws.set_row(layout.first_row + r, row_height(row, widths, wraps), None, {"level": level} if level else None)
        ws.outline_settings(True, False, True, False)
        last_row = layout.first_row + SCHEDULE_ROWS
        first = layout.first_row + 1  # Excel row number of the first data row
        kind = f"${table.letter('row.kind')}{first}"
        slots = layout.slots()
        last_fy_col = table.col(layout.slot_key(*slots[-1])) if slots else table.col("row.programs")
        fy0 = table.col(layout.slot_key(*slots[0])) if slots else None
        section_fmt = {"bg_color": SECTION_FILL, "font_color": "#FFFFFF", "bold": True}
        subsection_fmt = {"bg_color": SUBSECTION_FILL, "bold": True}
        measure_fmt = {"border": 1, "border_color": "#BFBFBF"}

        def rule(criteria: str, props: dict) -> dict:
            # First match wins, in Excel (stop if true) as in LibreOffice (one rule per cell).
            return {"type": "formula", "criteria": f"={criteria}", "stop_if_true": True, "format": self.wb.add_format(props)}

        section = rule(f'{kind}="section"', section_fmt)
        subsection = rule(f'{kind}="subsection"', subsection_fmt)
        border = rule(f'{kind}="measure"', measure_fmt)
        blocks = [(layout.first_row, 0, last_row, (fy0 if fy0 is not None else last_fy_col + 1) - 1, [section, subsection, border])]
        if fy0 is not None:
            # Phase fills come from the hidden code columns, one per fiscal year, at a fixed offset. The current
            # year's column (marked 「▼今年度」 above its header) is framed in red over the table's whole height,
            # on top of whatever fill a cell has.
            code0 = f"{table.letter('code:' + layout.slot_key(*slots[0]))}{first}"
            now = f'{col_letter(fy0)}${layout.marker_row + 1}<>""'
            frame = {"left": 1, "right": 1, "left_color": CURRENT_FY_FRAME, "right_color": CURRENT_FY_FRAME,
                     "top": 1, "bottom": 1, "top_color": "#808080", "bottom_color": "#808080"}
            phase_fmt = {phase: {"bg_color": color, "border": 1, "border_color": "#808080"} for phase, color in PHASE_FILLS.items()}
            rules = [rule(f'AND({kind}="section",{now})', {**section_fmt, **frame}), section,
                     rule(f'AND({kind}="subsection",{now})', {**subsection_fmt, **frame}), subsection]
            for phase, props in phase_fmt.items():
                is_phase = f'{kind}="measure",{code0}={PHASE_CODES[phase]}'
                rules += [rule(f"AND({is_phase},{now})", {**props, **frame}), rule(f"AND({is_phase})", props)]
            rules += [rule(f'AND({kind}="measure",{now})', {"bg_color": CURRENT_FY_FILL, **frame}), border]
            blocks.append((layout.first_row, fy0, last_row, last_fy_col, rules))
            header_now = rule(now, {"bg_color": CURRENT_FY_FRAME, "font_color": "#FFFFFF", "bold": True})
            blocks.append((table.header_row, fy0, table.header_row, last_fy_col, [header_now]))
        self._cf(ws, blocks)
        ws.freeze_panes(layout.first_row, layout.freeze_cols)
        ws.autofilter(table.header_row, 0, last_row, last_fy_col)
        self._print(ws, table, a3=True)
        ws.repeat_rows(table.header_row, table.header_row)
        ws.set_header(f"&L&8{self.plan.municipality}　工程表&R&8&D")

    def _coverage(self) -> None:
        ws = self.sheets[L.COVERAGE]
        layout = self.layout.coverage
        table = layout.table
        self._columns(ws, table, formats=False)  # a fixed grid: formats on its cells only
        values = coverage_values(self.plan, layout, lambda mid: self.measure_cells.get(mid, ("", "")))
        self._write_rows(ws, 0, values[:1], ["title"])
        self._write_rows(ws, 1, values[1:2], ["help"])
        self._headers(ws, table)
        grid = [[v if v is not None else "" for v in row] for row in values[layout.first_row:]]
        self._write_rows(ws, layout.first_row, grid, [c.style for c in table.columns])
        self._fit_rows(ws, layout.first_row, values[layout.first_row:], table)
        # Yellow where a pillar row or a domain column has no measure and no reason.
        reason_col = table.letter("cov.reason")
        last_domain = table.col("cov.total") - 1
        unexplained = {"type": "formula", "format": self.wb.add_format({"bg_color": WARNING_FILL, "font_color": WARNING_FONT}),
                       "criteria": f'=OR(${reason_col}{layout.first_row + 1}="{NO_REASON}",'
                                   f'B${layout.reason_row + 1}="{NO_REASON}")'}
        self._cf(ws, [(layout.first_row, 1, layout.total_row - 1, last_domain, [unexplained])])
        row_only = {**unexplained, "criteria": f'=${reason_col}{layout.first_row + 1}="{NO_REASON}"'}
        self._cf(ws, [(layout.first_row, 0, layout.total_row - 1, 0, [row_only])])
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 1)

    def _progress(self, current_fy: int) -> None:
        ws = self.sheets[L.PROGRESS]
        layout = L.ProgressLayout()
        table = layout.table
        self._columns(ws, table)
        for row in range(table.group_row):   # the rows above the table keep no column fill (grey, yellow)
            for col in range(table.width):
                ws.write_blank(row, col, None, self.fmt["cell"])
        ws.write_string(0, 0, "進捗管理（KPIの実績と評価）", self.fmt["title"])
        r, c = layout.fy_cell
        ws.write_string(r, c - 1, "報告する年度", self.fmt["label"])
        ws.write_blank(r, c, None, self.fmt["input"])
        ws.data_validation(r, c, r, c, {"validate": "any", "input_title": "報告する年度",
                                        "input_message": "例: 令和9年度。上の集計と進捗状況の報告書の年度です。空欄なら実績のある最後の年度。"})
        ws.write_string(r, c + 1, "黄色のセルに年度ごとの実績値（数値でない目標は状況）・実績の説明・今後の取組を入力し、"
                        "「進捗管理を作成」を押すと目安・達成率・評価が更新されます。入力した内容は、行が並び替わっても消えません。",
                        self.fmt["help"])
        fy = latest_actual_fy(self.plan) or min(max(current_fy, self.plan.start_fy), self.plan.end_fy)
        summary, note = progress_head(self.plan, fy)
        ws.write_string(layout.summary_row, 0, summary, self.fmt["caption"])
        note_end = table.col("progress.reason")
        ws.merge_range(layout.note_row, 0, layout.note_row, note_end, note, self.fmt["note"])
        ws.set_row(layout.note_row, 54)
        self._headers(ws, table)
        rows = progress_table(self.plan)
        self._write_rows(ws, layout.first_row, rows, [c.style for c in table.columns])
        self._fit_rows(ws, layout.first_row, rows, table)
        last = layout.first_row + PROGRESS_ROWS
        self._dropdowns(ws, table, last)
        grade, cls = table.col("progress.grade"), table.letter("progress.grade_class")
        rules = [{"type": "formula", "criteria": f"=${cls}{layout.first_row + 1}={code}",
                  "format": self.wb.add_format({"bg_color": fill})} for code, fill in GRADE_FILLS.items()]
        self._cf(ws, [(layout.first_row, 0, last, grade - 1, self._mark_rules(L.PROGRESS, 0, 0)),
                      (layout.first_row, grade, last, grade, [*self._mark_rules(L.PROGRESS, 0, 0), *rules]),
                      (layout.first_row, grade + 1, last, table.width - 1, self._mark_rules(L.PROGRESS, 0, 0))])
        ws.freeze_panes(layout.first_row, 3)
        ws.autofilter(table.header_row, 0, table.header_row, table.width - 2)
        self._print(ws, table, a3=True)
        ws.repeat_rows(table.group_row, table.header_row)

    def _orphans(self) -> None:
        ws = self.sheets[L.ORPHANS]
        table = L.ORPHANS_TABLE
        self._table_sheet(ws, table, "退避した入力",
                          f"『{L.PROGRESS}』を作り直したときに、行き先のKPIが分野のシートになかった入力をここに移します（消さずに残します）。"
                          "必要なものは進捗管理の該当する行に書き写し、済んだ行は削除してください。", [])
        ws.freeze_panes(table.first_row, 0)
        self._print(ws, table)

    def _findings(self) -> None:
        ws = self.sheets[L.FINDINGS]
        table = L.FINDINGS_TABLE
        self._columns(ws, table)
        values = findings_sheet_values([])
        self._write_rows(ws, 0, values[:1], ["title"] * table.width)
        self._write_rows(ws, 1, [["まだ検証していません。「検証」ボタンを押してください。"]], ["subtitle"])
        self._write_rows(ws, 2, values[2:3], ["help"])
        self._headers(ws, table)
        last = table.first_row + L.FINDINGS_KEY_ROWS
        for key, name in (("finding.error_key", L.ERROR_KEYS_NAME), ("finding.warning_key", L.WARNING_KEYS_NAME)):
            letter = table.letter(key)
            self.wb.define_name(name, f"={quote_sheet(L.FINDINGS)}!${letter}${table.first_row + 1}:${letter}${last + 1}")
        ws.conditional_format(table.first_row, 0, last, 0, {
            "type": "cell", "criteria": "==", "value": '"エラー"',
            "format": self.wb.add_format({"bg_color": ERROR_FILL, "font_color": ERROR_FONT, "bold": True})})
        ws.conditional_format(table.first_row, 0, last, 0, {
            "type": "cell", "criteria": "==", "value": '"警告"',
            "format": self.wb.add_format({"bg_color": WARNING_FILL, "font_color": WARNING_FONT, "bold": True})})
        ws.freeze_panes(table.first_row, 0)
        self._print(ws, table)

    def _collect_log(self) -> None:
        ws = self.sheets[L.COLLECT_LOG]
        table = L.COLLECT_TABLE
        self._table_sheet(ws, table, "取込結果（担当課の回答）",
                          "「照会票を作成」で、このブックと同じフォルダーの「照会票」フォルダーに担当課ごとの照会票を作ります。"
                          "返ってきた回答を「回答」フォルダーに入れて「回答を取り込む」を押すと、変わった所だけがこのブックに入り、"
                          "ここに1行ずつ記録されます（両方で変わった所は「競合」として残します）。", [])
        ws.freeze_panes(table.first_row, 0)
        self._print(ws, table)

    def _xlwings_conf(self, interpreter: str | None) -> None:
        """Every setting RunPython reads per click, pointing at the per-user standard location
        (xlplan.userenv); hidden, since clerks never need it (使い方 says how to show it)."""
        ws = self.sheets[L.XLWINGS_CONF]
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 80)
        values = dict(CONF_SETTINGS)
        if interpreter:
            values["Interpreter_Win"] = values["Interpreter_Mac"] = interpreter
        for row, key in enumerate(values):
            ws.write_string(row, 0, key)
            value = values[key]
            if isinstance(value, bool):
                ws.write_boolean(row, 1, value)
            elif value:
                ws.write_string(row, 1, value)
        ws.hide()

    def _buttons(self) -> None:
        for button in L.BUTTONS:
            sheets = self.layout.domains if button.sheet == "*domain" else (button.sheet,)
            for sheet in sheets:
                self.sheets[sheet].insert_button(button.row, button.col, {
                    "macro": f"{L.MACRO_MODULE}.{button.macro}", "caption": button.caption,
                    "width": 120, "height": 28, "x_offset": button.x_offset, "y_offset": 2})

    def _vba(self) -> None:
        from xlplan.builder.macros import vba_project_bin

        self.wb.add_vba_project(io.BytesIO(vba_project_bin(len(self.layout.sheet_order))), is_stream=True)
