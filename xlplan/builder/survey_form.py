"""Build a 照会票 (.xlsx, no macros) for one department with XlsxWriter, from xlplan.layout.survey_form.

Dropdowns are lists written into the validation itself (no other sheet, no
defined name), so they survive being mailed, copied and saved by LibreOffice.
The signature and the base go to a very hidden sheet as plain text.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xlplan.core.fiscal import wareki_fy
from xlplan.core.survey import STATUS_WORDS, SurveyForm, SurveyKind
from xlplan.core.vocab import Phase, Pillar
from xlplan.layout import survey_form as S
from xlplan.layout.form_values import FormRow, actual_rows, catalog_rows, plan_rows
from xlplan.layout.rowheight import row_height
from xlplan.layout.styles import FONT, STYLES

FIXED_CREATED = dt.datetime(2026, 4, 1)
_BASE = {"font_name": FONT, "font_size": 10, "valign": "top", "text_wrap": True, "border": 1, "border_color": "#BFBFBF"}
FORM_STYLES = {
    "context": {**_BASE, "bg_color": "#F2F2F2", "font_color": "#404040"},
    "input": {**_BASE, "bg_color": "#FFFFF0"},
    "required": {**_BASE, "bg_color": "#FCE4D6", "border": 2, "border_color": "#C65911"},
    "remark": {**_BASE, "bg_color": "#EBF1DE"},
}
LEGEND = (("input", "黄色: 確認し、必要なら直す欄"), ("required", "橙色: まだ入っていない必須の欄（記入してください）"),
          ("context", "灰色: 参考（変更しないでください）"), ("remark", "緑色: 企画担当への意見・連絡（任意）"))


def build_form(form: SurveyForm) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    wb.set_properties({"title": f"{form.plan_title} {form.kind.label}（{form.owner}）", "author": "xlplan",
                       "created": FIXED_CREATED})
    _FormBuilder(wb, form).build()
    wb.close()
    return buffer.getvalue()


class _FormBuilder:
    def __init__(self, wb: xlsxwriter.Workbook, form: SurveyForm):
        self.wb = wb
        self.form = form
        self.fmt = {name: wb.add_format(props) for name, props in {**STYLES, **FORM_STYLES}.items()}
        for role, props in FORM_STYLES.items():  # numbers keep their thousands separators
            self.fmt[f"number:{role}"] = wb.add_format({**props, "num_format": "#,##0.##"})
        self.lists = {"pillar": [p.value for p in Pillar], "phase": [p.value for p in Phase],
                      "domain": list(form.domains), "adopt": list(S.ADOPT_MARKS), "status": list(STATUS_WORDS)}

    def build(self) -> None:
        self._cover()
        if self.form.kind is SurveyKind.PLAN:
            table = S.plan_table(self.form.fiscal_years)
            self._table(table, plan_rows(self.form, table), "施策とKPIの確認",
                        "黄色の欄を確認し、変わった所だけ書き換えてください。KPIを増やすときは、その施策の行の下に行を挿入し、"
                        "施策IDだけを書いて指標の欄を記入します（KPI番号は空欄のまま）。行や列の削除はしないでください。")
            self._table(S.proposals_table(self.form.fiscal_years), [FormRow({}, {}) for _ in range(S.PROPOSAL_ROWS)],
                        "新しい施策の提案",
                        "新しく取り組みたい施策を1行に1つ書きます（施策IDは取込のときに付きます）。指標を2つ以上書くときは、"
                        "次の行の施策名を空欄にして指標の欄だけを書きます。行が足りなければ下に足してください。")
            if self.form.suggestions:
                self._table(S.CATALOG_TABLE, catalog_rows(self.form.suggestions), "施策カタログからの候補",
                            "担当の分野で、まだ計画にない施策の例です。取り組みたいものの「採用を希望」に ○ を付けてください。")
        else:
            fy = self.form.signature.fy
            assert fy is not None
            self._table(S.actuals_table(fy), actual_rows(self.form, S.actuals_table(fy)), f"{wareki_fy(fy)}の実績",
                        "橙色・黄色の欄に、その年度の実績値・実績の説明・今後の取組を記入してください。灰色の欄は参考です。")
        self._signature()

    # -------------------------------------------------------------- sheets

    def _cover(self) -> None:
        ws = self.wb.add_worksheet(S.COVER)
        form, sig = self.form, self.form.signature
        ws.set_column(S.COVER_LABEL_COL, S.COVER_LABEL_COL, 26)
        ws.set_column(S.COVER_VALUE_COL, S.COVER_VALUE_COL, 90)
        ws.write_string(0, 0, f"{form.plan_title}　{form.kind.label}（{form.owner}）", self.fmt["title"])
        made = dt.datetime.fromisoformat(sig.generated_at)
        ws.write_string(1, 0, f"{sig.municipality}　作成日 {made.year}/{made.month}/{made.day}　照会番号 {sig.form_id}",
                        self.fmt["subtitle"])
        row = 3
        ws.write_string(row, 0, "記入のしかた", self.fmt["caption"])
        for line in self._instructions():
            row += 1
            ws.write_string(row, 0, line, self.fmt["help"])
        row += 2
        for style, text in LEGEND:
            ws.write_string(row, 0, "", self.fmt[style])
            ws.write_string(row, 1, text, self.fmt["help"])
            row += 1
        row += 1
        ws.write_string(row, 0, S.RESPONDENT_CAPTION, self.fmt["caption"])
        for f in S.RESPONDENT:
            row += 1
            ws.write_string(row, S.COVER_LABEL_COL, f.label, self.fmt["label"])
            ws.write_blank(row, S.COVER_VALUE_COL, None, self.fmt["input"])
            if f.key == "respondent.note":
                ws.set_row(row, 60)
            if f.help:
                ws.data_validation(row, S.COVER_VALUE_COL, row, S.COVER_VALUE_COL,
                                   {"validate": "any", "input_title": f.label[:32], "input_message": f.help[:255]})
        ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.activate()

    def _instructions(self) -> list[str]:
        sheet = S.MEASURES if self.form.kind is SurveyKind.PLAN else S.ACTUALS
        lines = [f"1. 「{sheet}」シートに、{self.form.owner}が担当する施策とKPIが載っています。"]
        if self.form.kind is SurveyKind.PLAN:
            lines += ["2. 内容・KPI（現状値・目標値・目標年度・年度別の目標）・年度ごとの工程を確認し、変わった所だけ書き換えてください。",
                      f"3. 新しく取り組みたい施策は「{S.PROPOSALS}」シートに書いてください。"
                      + (f"「{S.CATALOG}」シートの例に ○ を付けても提案できます。" if self.form.suggestions else ""),
                      "4. 担当が変わった施策は、担当課の欄を書き換えてください。やめる施策は、行を消さずに意見欄に書いてください。"]
        else:
            lines += [f"2. KPIごとに{wareki_fy(self.form.signature.fy or 0)}の実績値・実績の説明・今後の取組を記入してください。",
                      "3. 数値でない指標は、実績値の欄で 未着手・検討中・一部実施・実施済み・達成 から選んでください。"]
        lines += ["5. 下の「回答者・連絡先」を記入し、このファイルをそのまま（ファイル名は変えて構いません）企画担当に返送してください。",
                  "シートの名前・見出し・施策ID・KPI番号は変えないでください。列の幅や書式は変えても構いません。"]
        return lines

    def _table(self, table: S.FormTable, rows: list[FormRow], title: str, help_text: str) -> None:
        ws = self.wb.add_worksheet(table.sheet)
        for i, column in enumerate(table.columns):
            ws.set_column(i, i, column.width)
        ws.write_string(0, 0, f"{title}（{self.form.owner}）", self.fmt["title"])
        ws.write_string(1, 0, help_text, self.fmt["help"])
        for caption, first, last in table.groups:
            c0, c1 = table.col(first), table.col(last)
            if c0 == c1:
                ws.write_string(table.group_row, c0, caption, self.fmt["group"])
            else:
                ws.merge_range(table.group_row, c0, table.group_row, c1, caption, self.fmt["group"])
        ws.set_row(table.header_row, 32)
        for i, column in enumerate(table.columns):
            ws.write_string(table.header_row, i, column.header, self.fmt["header"])
        widths = [c.width for c in table.columns]
        for r, row in enumerate(rows, start=table.first_row):
            cells = []
            for i, column in enumerate(table.columns):
                role = row.roles.get(column.key, column.style)
                value = row.values.get(column.key)
                number = isinstance(value, (int, float)) and not isinstance(value, bool) and column.key != S.KPI_NO_KEY
                fmt = self.fmt[f"number:{role}" if (number or column.numeric) and role in FORM_STYLES else role]
                cells.append(value)
                if value is None:
                    ws.write_blank(r, i, None, fmt)
                elif number or column.key == S.KPI_NO_KEY:
                    ws.write_number(r, i, value, fmt)
                else:
                    ws.write_string(r, i, str(value), fmt)
            ws.set_row(r, row_height(cells, widths, [True] * len(widths)))
        self._validations(ws, table)
        id_col = table.col("measure.name") + 1 if table.has("measure.name") else 2
        ws.freeze_panes(table.first_row, id_col)
        ws.set_landscape()
        ws.set_paper(8)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(table.header_row)

    def _validations(self, ws: Worksheet, table: S.FormTable) -> None:
        last = table.first_row + S.VALIDATION_ROWS
        for i, column in enumerate(table.columns):
            options: dict | None = None
            dropdown = "status" if column.key.startswith("kpi.actuals:") else column.dropdown
            if dropdown:
                options = {"validate": "list", "source": self.lists[dropdown], "show_error": dropdown == "domain",
                           "error_title": column.header.replace("\n", "")[:32],
                           "error_message": "一覧から選んでください。"}
            elif column.numeric:
                options = {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                           "error_type": "warning", "error_title": column.header.replace("\n", "")[:32],
                           "error_message": "数値だけを入力してください（単位は単位の列へ）。"}
            if options is None and not column.help:
                continue
            options = options or {"validate": "any"}
            if column.help:
                options.update({"input_title": column.header.replace("\n", "")[:32], "input_message": column.help[:255]})
            ws.data_validation(table.first_row, i, last, i, options)

    def _signature(self) -> None:
        ws = self.wb.add_worksheet(S.SIGNATURE)
        rows = self.form.signature.items()
        base = self.form.base
        rows += [(f"{S.BASE_PREFIX}{i // S.BASE_CHUNK + 1}", base[i:i + S.BASE_CHUNK])
                 for i in range(0, len(base), S.BASE_CHUNK)]
        for r, (key, value) in enumerate(rows):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, value)
        ws.very_hidden()
