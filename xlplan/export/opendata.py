"""Open data: the plan's measures, KPIs and schedule as JSON or CSV files.

A data-utilisation plan should itself be machine-readable. The tables and their
columns are defined once, in TABLES, which is also the source of
docs/opendata-schema.md (schema_markdown); column names are stable ASCII
snake_case, values of vocabularies (分野, 柱, 段階, 集計 …) are the Japanese
labels the workbook uses.

* JSON: one file per table (``measures.json`` …), an array of objects; lists
  are arrays, missing values null.
* CSV: one file per table, UTF-8 (optionally with a BOM so that Excel opens it
  correctly), CRLF line ends, a header row of the column names; lists are
  joined with ``;``, missing values are empty, booleans are ``true``/``false``.
  Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return get a leading ``'`` so that a spreadsheet does not run them as a
  formula (numbers are written as numbers and left alone).
* Both: ``metadata.json`` with the plan's name, period and the list of tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlplan import __version__
from xlplan.core.coverage import coverage_matrix
from xlplan.core.fiscal import period_label, wareki_fy
from xlplan.core.model import Measure, Plan
from xlplan.core.progress import InputErrors, plan_progress
from xlplan.core.schedule import PHASE_CODES
from xlplan.core.vocab import Pillar
from xlplan.fileio import atomic_write_bytes

SCHEMA_VERSION = 1
LIST_SEPARATOR = ";"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    name: str          # ASCII snake_case, stable
    label: str         # Japanese label
    type: str          # string, integer, number, boolean, date, string[]
    description: str
    example: str


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Plan], list[dict[str, Any]]]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, label: str, type_: str, description: str, example: str) -> Column:
    return Column(name, label, type_, description, example)


def _num(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _kpi_id(measure_id: str, no: int) -> str:
    return f"{measure_id}-{no}"


def ordered_measures(plan: Plan) -> list[Measure]:
    """Measures in the workbook's order: by domain (plan order), then pillar, then as entered.

    A plan file and the workbook made from it then export identical files.
    """
    domains = {d: i for i, d in enumerate(plan.domains)}
    pillars = {p: i for i, p in enumerate(Pillar)}
    return [m for _, m in sorted(
        enumerate(plan.measures),
        key=lambda im: (domains.get(im[1].domain, len(domains)), pillars.get(im[1].pillar, len(pillars)), im[0]))]


# ------------------------------------------------------------------ rows

def measure_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for m in ordered_measures(plan):
        rows.append({
            "measure_id": m.id,
            "domain": m.domain,
            "pillar_code": m.pillar.code if m.pillar else None,
            "pillar": m.pillar.value if m.pillar else None,
            "law_article": m.pillar.info.article if m.pillar else None,
            "name": m.name,
            "origin": m.origin.value,
            "catalog_id": m.catalog_id,
            "content": m.content,
            "owner": m.owner,
            "program_ids": list(m.programs),
            "kpi_count": len(m.kpis),
            "first_fy": min(m.schedule) if m.schedule else None,
            "last_fy": max(m.schedule) if m.schedule else None,
            "notes": m.notes,
        })
    return rows


def kpi_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for m in ordered_measures(plan):
        for i, k in enumerate(m.kpis, start=1):
            b = k.baseline
            rows.append({
                "kpi_id": _kpi_id(m.id, i),
                "measure_id": m.id,
                "kpi_no": i,
                "name": k.name,
                "kind": k.kind.value,
                "unit": k.unit,
                "aggregation": k.aggregation.value,
                "direction": k.direction.value,
                "baseline_status": "なし" if b is None else ("未把握" if b.value is None else "把握"),
                "baseline_value": _num(b.value) if b else None,
                "baseline_fy": b.as_of_fy if b else None,
                "baseline_date": b.as_of_date.isoformat() if b and b.as_of_date else None,
                "target_value": _num(k.target_value),
                "target_text": k.target_text,
                "target_fy": k.target_fy,
                "target_fy_label": wareki_fy(k.target_fy) if k.target_fy else None,
            })
    return rows


def kpi_value_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for m in ordered_measures(plan):
        for i, k in enumerate(m.kpis, start=1):
            for kind, series in (("中間目標", k.interim), ("実績値", k.actuals)):
                for fy, value in sorted(series.items()):
                    rows.append({
                        "kpi_id": _kpi_id(m.id, i), "measure_id": m.id, "kpi_no": i,
                        "value_type": kind, "fiscal_year": fy, "fiscal_year_label": wareki_fy(fy), "value": _num(value),
                    })
    return rows


def schedule_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per measure, year and phase: a year of 「検討→準備」 gives two rows (step 1 and 2)."""
    rows = []
    for m in ordered_measures(plan):
        previous = None
        for fy, phases in sorted(m.schedule.items()):
            for step, phase in enumerate(phases, start=1):
                rows.append({
                    "measure_id": m.id,
                    "fiscal_year": fy,
                    "fiscal_year_label": wareki_fy(fy),
                    "step": step,
                    "phase": phase.value,
                    "phase_code": PHASE_CODES[phase],
                    "phase_symbol": phase.symbol,
                    "continued": previous == (fy - 1, phase) and step == 1,
                    "in_period": plan.in_period(fy),
                })
            previous = (fy, phases[-1])
    return rows


def milestone_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"measure_id": m.id, "fiscal_year": ms.fy, "fiscal_year_label": wareki_fy(ms.fy),
         "when": getattr(ms, "when", None), "label": ms.label}
        for m in ordered_measures(plan) for ms in sorted(m.milestones, key=lambda x: x.fy)
    ]


def program_rows(plan: Plan) -> list[dict[str, Any]]:
    users: dict[str, list[str]] = {}
    for m in ordered_measures(plan):
        for pid in m.programs:
            users.setdefault(pid, []).append(m.id)
    return [
        {
            "program_id": p.id, "name": p.name, "level": p.level, "ministry": p.ministry, "summary": p.summary,
            "support_type": p.support_type, "rate": p.rate, "eligibility": p.eligibility,
            "active_from_fy": p.active_from_fy, "active_to_fy": p.active_to_fy, "url": p.url,
            "verified_on": p.verified_on.isoformat() if p.verified_on else None,
            "measure_ids": users.get(p.id, []),
        }
        for p in plan.programs
    ]


def coverage_rows(plan: Plan) -> list[dict[str, Any]]:
    cov = coverage_matrix(plan)
    return [
        {"pillar_code": p.code, "pillar": p.value, "domain": d, "measure_count": cov.count(p, d),
         "measure_ids": list(cov.ids(p, d))}
        for p in cov.pillars for d in cov.domains
    ]


def progress_rows(plan: Plan, errors: InputErrors | None = None) -> list[dict[str, Any]]:
    """Graded progress for every KPI in every FY with an actual, a status or a manual grade."""
    rows = []
    for fy in sorted({fy for m in plan.measures for k in m.kpis for fy in (*k.actuals, *k.statuses, *k.overrides)}):
        for r in plan_progress(plan, fy, errors=errors):
            if r.actual is None and r.status is None and not r.manual and r.kpi.statuses.get(fy) is None:
                continue
            rows.append({
                "kpi_id": _kpi_id(r.measure_id, r.kpi_index + 1), "measure_id": r.measure_id, "kpi_no": r.kpi_index + 1,
                "fiscal_year": fy, "fiscal_year_label": wareki_fy(fy),
                "expected": _num(r.expected) if not r.qualitative else None,
                "actual": _num(r.actual) if not r.qualitative else None,
                "status": r.status.value if r.status else r.kpi.statuses.get(fy),
                "rate": r.rate, "grade": r.grade.code, "grade_label": r.grade.label, "manual": r.manual,
                "reason": r.reason or None, "note": r.note, "comment": r.comment or None, "next_steps": r.next_steps or None,
            })
    order = {m.id: i for i, m in reversed(list(enumerate(ordered_measures(plan))))}
    rows.sort(key=lambda r: (r["fiscal_year"], order.get(r["measure_id"], 0), r["kpi_no"]))
    return rows


def write_table_csv(plan: Plan, name: str, path: Path, *, bom: bool = False, errors: InputErrors | None = None) -> Path:
    """One table as one CSV file (the progress table takes the KPIs' input errors)."""
    table = TABLE_BY_NAME[name]
    rows = progress_rows(plan, errors) if name == "progress" else table.rows(plan)
    atomic_write_bytes(Path(path), ((BOM if bom else "") + csv_text(table, rows)).encode("utf-8"))
    return Path(path)


# ------------------------------------------------------------------ schema

_FY = ("integer", "年度（西暦の開始年。2027 = 令和9年度 = 2027年4月〜2028年3月）")

TABLES: tuple[Table, ...] = (
    Table("measures", "個別施策", "施策1件につき1行。", (
        _c("measure_id", "施策ID", "string", "計画の中で一意な施策の番号。", "DG-01"),
        _c("domain", "分野", "string", "施策の分野（電子行政、健康・医療・介護、観光、農林水産、金融、防災・減災、移動、その他 など）。", "電子行政"),
        _c("pillar_code", "柱コード", "string", "官民データ活用推進基本法の柱のコード（P10, P11, P13, P14, P15, P6）。未入力は空。", "P10"),
        _c("pillar", "柱", "string", "柱の名称。", "10条 オンライン化原則"),
        _c("law_article", "根拠条文", "string", "柱に対応する官民データ活用推進基本法の条。", "第10条"),
        _c("name", "施策名", "string", "施策の名称。", "マイナポータルの活用による各種申請の電子化促進"),
        _c("origin", "区分", "string", "既定（計画前から予定）・追加（本計画で追加）・カタログ（施策カタログから採用）。", "カタログ"),
        _c("catalog_id", "カタログID", "string", "施策カタログから採用した場合のID。", "C01"),
        _c("content", "内容", "string", "施策の内容。", "子育て・介護等の手続を中心に…"),
        _c("owner", "担当課", "string", "施策を担当する課。", "DX推進課"),
        _c("program_ids", "関連する国・県の施策ID", "string[]", "programs の program_id。CSV では「;」区切り。", "N11;K01"),
        _c("kpi_count", "KPI数", "integer", "施策のKPIの数（kpis の行数）。", "2"),
        _c("first_fy", "工程の開始年度", _FY[0], "工程に段階が入っている最初の年度。工程がなければ空。", "2027"),
        _c("last_fy", "工程の終了年度", _FY[0], "工程に段階が入っている最後の年度。", "2031"),
        _c("notes", "備考", "string", "備考。", ""),
    ), measure_rows),
    Table("kpis", "KPI（指標）", "KPI1件につき1行。中間目標と実績値は kpi_values にある。", (
        _c("kpi_id", "KPI ID", "string", "施策IDとKPIの番号をつないだID。", "DG-01-1"),
        _c("measure_id", "施策ID", "string", "measures の measure_id。", "DG-01"),
        _c("kpi_no", "KPI番号", "integer", "施策の中でのKPIの順番（1から）。", "1"),
        _c("name", "指標名", "string", "指標の名称。", "オンライン申請件数"),
        _c("kind", "種別", "string", "進捗（アウトプット）または効果（アウトカム）。", "効果"),
        _c("unit", "単位", "string", "値の単位。定性の目標では空。", "件"),
        _c("aggregation", "集計", "string", "時点（ある時点の値）・年度値（年度内の量、/年）・累計（積み上げ、減らない）。", "年度値"),
        _c("direction", "方向", "string", "増加・減少・達成（する・しないの目標）。", "増加"),
        _c("baseline_status", "現状値の状態", "string", "把握（値あり）・未把握（まだ測っていない）・なし（現状値の欄がない）。", "把握"),
        _c("baseline_value", "現状値", "number", "現状値。未把握・なしは空。", "3200"),
        _c("baseline_fy", "現状値の年度", _FY[0], "現状値の時点の年度。", "2025"),
        _c("baseline_date", "現状値の時点", "date", "現状値の時点の日付（YYYY-MM-DD）。", "2026-03-31"),
        _c("target_value", "目標値", "number", "数値の目標。定性の目標では空。", "15000"),
        _c("target_text", "目標（定性）", "string", "数値にできない目標。", "条例の制定"),
        _c("target_fy", "目標年度", _FY[0], "目標を達成する年度（年度末）。", "2031"),
        _c("target_fy_label", "目標年度（和暦）", "string", "目標年度の和暦表記。", "令和13年度"),
    ), kpi_rows),
    Table("kpi_values", "中間目標・実績値", "KPIの年度ごとの値1件につき1行。", (
        _c("kpi_id", "KPI ID", "string", "kpis の kpi_id。", "DG-05-1"),
        _c("measure_id", "施策ID", "string", "measures の measure_id。", "DG-05"),
        _c("kpi_no", "KPI番号", "integer", "施策の中でのKPIの順番。", "1"),
        _c("value_type", "値の種類", "string", "中間目標 または 実績値。", "中間目標"),
        _c("fiscal_year", "年度", _FY[0], _FY[1] + "。", "2028"),
        _c("fiscal_year_label", "年度（和暦）", "string", "年度の和暦表記。", "令和10年度"),
        _c("value", "値", "number", "その年度末の値（年度値のKPIは年度内の量）。", "80"),
    ), kpi_value_rows),
    Table("schedule", "工程", "施策と年度の組ごとに、工程表に段階が入っているものを1行"
          "（1年度に2つの段階「検討→準備」は2行）。", (
        _c("measure_id", "施策ID", "string", "measures の measure_id。", "DG-01"),
        _c("fiscal_year", "年度", _FY[0], _FY[1] + "。", "2027"),
        _c("fiscal_year_label", "年度（和暦）", "string", "年度の和暦表記。", "令和9年度"),
        _c("step", "年度内の順番", "integer", "その年度の何番目の段階か（ふつうは1。「検討→準備」なら検討が1、準備が2）。", "1"),
        _c("phase", "段階", "string", "検討・準備・構築・整備・実証・実施・運用・拡充・見直し のいずれか。", "準備"),
        _c("phase_code", "段階コード", "integer", "段階の番号（1 検討, 2 準備, 3 構築・整備, 4 実証, 5 実施・運用, 6 拡充, 7 見直し）。", "2"),
        _c("phase_symbol", "段階の記号", "string", "白黒印刷で段階を見分ける記号（○△▲□■●◇）。", "△"),
        _c("continued", "前年度から継続", "boolean", "前の年度の最後の段階が続いているとき true（工程表では「→」）。", "false"),
        _c("in_period", "計画期間内", "boolean", "計画期間内の年度なら true。", "true"),
    ), schedule_rows),
    Table("milestones", "マイルストーン", "マイルストーン1件につき1行。", (
        _c("measure_id", "施策ID", "string", "measures の measure_id。", "DG-01"),
        _c("fiscal_year", "年度", _FY[0], _FY[1] + "。", "2028"),
        _c("fiscal_year_label", "年度（和暦）", "string", "年度の和暦表記。", "令和10年度"),
        _c("when", "時期", "string", "年度内の時期（上期・下期・Q1〜Q4）。空は時期の指定なし。", "下期"),
        _c("label", "内容", "string", "マイルストーンの内容。", "子育て・介護の対象手続のオンライン受付開始"),
    ), milestone_rows),
    Table("programs", "国・県の施策・補助", "計画が参照する国・県の施策・補助制度1件につき1行。", (
        _c("program_id", "ID", "string", "施策・補助のID（国は N、県は K で始まる）。", "N11"),
        _c("name", "施策名", "string", "施策・補助の名称。", "マイナポータル（ぴったりサービス）"),
        _c("level", "区分", "string", "国・県・その他。", "国"),
        _c("ministry", "府省・担当", "string", "所管する府省・部署。", "デジタル庁"),
        _c("summary", "概要", "string", "概要。", ""),
        _c("support_type", "支援の種類", "string", "補助金、交付金、委託・実証、ガイドライン、地方財政措置、システム提供 など。", "補助金"),
        _c("rate", "補助率", "string", "補助率の記載。", "1/2"),
        _c("eligibility", "対象要件", "string", "対象となる団体・要件。", ""),
        _c("active_from_fy", "有効年度（から）", _FY[0], "制度が始まった年度。", "2025"),
        _c("active_to_fy", "有効年度（まで）", _FY[0], "制度が終わる年度。空は終了未定。", "2029"),
        _c("url", "URL", "string", "制度の説明ページ。", "https://…"),
        _c("verified_on", "確認日", "date", "内容を確認した日（YYYY-MM-DD）。", "2026-10-15"),
        _c("measure_ids", "関連付けた施策ID", "string[]", "この制度を関連施策に挙げている施策。CSV では「;」区切り。", "DG-01;HL-02"),
    ), program_rows),
    Table("coverage", "柱と分野の対応表", "柱と分野の組ごとに1行（施策のない組も含む）。", (
        _c("pillar_code", "柱コード", "string", "柱のコード。", "P11"),
        _c("pillar", "柱", "string", "柱の名称。", "11条 オープンデータ"),
        _c("domain", "分野", "string", "分野。", "観光"),
        _c("measure_count", "施策数", "integer", "その柱と分野に属する施策の数。", "1"),
        _c("measure_ids", "施策ID", "string[]", "施策のID。CSV では「;」区切り。", "TR-01"),
    ), coverage_rows),
    Table("progress", "進捗評価", "実績値・状況・手動の評価のあるKPIと年度の組ごとに1行。なければ見出し行だけ。", (
        _c("kpi_id", "KPI ID", "string", "kpis の kpi_id。", "DG-05-1"),
        _c("measure_id", "施策ID", "string", "measures の measure_id。", "DG-05"),
        _c("kpi_no", "KPI番号", "integer", "施策の中でのKPIの順番。", "1"),
        _c("fiscal_year", "年度", _FY[0], "評価した年度。", "2027"),
        _c("fiscal_year_label", "年度（和暦）", "string", "年度の和暦表記。", "令和9年度"),
        _c("expected", "目安", "number", "その年度末に達しているべき値（年度ごとの目標、なければ現状値から目標値への線を計画開始からの月数で按分した値。"
           "KPIの値の桁に丸める）。数値でない目標では空。", "71"),
        _c("actual", "実績値", "number", "その年度の実績値。数値でない目標では空（status を見る）。", "68"),
        _c("status", "状況", "string", "数値でない目標の年度の状況（未着手・検討中・一部実施・実施済み・達成・未達成）。", "一部実施"),
        _c("rate", "達成率", "number", "1 = 100%。(実績 − 現状値) ÷ (目安 − 現状値) を 0.1% に丸めた値（評価はこの値で決まる）。"
           "現状値が未把握か目安と同じときは 実績 ÷ 目安（減少は 目安 ÷ 実績）。数値でない目標は状況の割合 ÷ 目安の割合。", "0.894"),
        _c("grade", "評価", "string", "評価の記号（基本情報の評価の尺度による。既定は A〜D）。", "B"),
        _c("grade_label", "評価の説明", "string", "評価の名称。", "目標どおり進んでいる"),
        _c("manual", "手動の評価", "boolean", "評価理由を付けて手で評価したとき true。", "false"),
        _c("reason", "評価理由", "string", "手動の評価の理由。", ""),
        _c("note", "評価の根拠", "string", "達成率の計算と目安の求め方、または評価できない理由。", "（実績 68件 − 現状値 52件）÷（目安 71件 − 現状値 52件）＝ 84.2%…"),
        _c("comment", "実績の説明", "string", "その年度の実績の説明。", ""),
        _c("next_steps", "今後の取組", "string", "次の年度以降の取組。", ""),
    ), progress_rows),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}


# ------------------------------------------------------------------ writers

def metadata(plan: Plan, files: dict[str, tuple[str, int]], today: dt.date | None = None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"xlplan {__version__}",
        "exported_on": (today or dt.date.today()).isoformat(),
        "municipality": plan.municipality,
        "prefecture": plan.prefecture,
        "title": plan.title,
        "start_fy": plan.start_fy,
        "start_month": plan.start_month,
        "end_fy": plan.end_fy,
        "years": plan.years,
        "period_label": period_label(plan.start_fy, plan.years, plan.start_month),
        "roles": list(plan.roles),
        "related_plans": [r.model_dump(mode="json") for r in plan.related_plans],
        "domains": list(plan.domains),
        "skips": [s.model_dump(mode="json") for s in plan.skips],
        "tables": {name: {"file": file, "rows": rows, "label": TABLE_BY_NAME[name].label}
                   for name, (file, rows) in files.items()},
    }


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_targets(directory: Path, kind: str) -> list[Path]:
    """The files export_json ("json") or export_csv ("csv") writes into directory."""
    return [Path(directory) / f"{t.name}.{kind}" for t in TABLES] + [Path(directory) / "metadata.json"]


def export_json(plan: Plan, directory: Path, *, today: dt.date | None = None, overwrite: bool = True) -> dict[str, Path]:
    """Write <table>.json for every table and metadata.json; returns table name -> path."""
    directory = Path(directory)
    written: dict[str, Path] = {}
    files: dict[str, tuple[str, int]] = {}
    for table in TABLES:
        rows = table.rows(plan)
        path = directory / f"{table.name}.json"
        atomic_write_bytes(path, _json_bytes([{c: row.get(c) for c in table.column_names} for row in rows]),
                           overwrite=overwrite)
        written[table.name] = path
        files[table.name] = (path.name, len(rows))
    meta = directory / "metadata.json"
    atomic_write_bytes(meta, _json_bytes(metadata(plan, files, today)), overwrite=overwrite)
    written["metadata"] = meta
    return written


def neutralize(text: str) -> str:
    """A leading ' keeps a spreadsheet from reading the cell as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(_num(value))
    if isinstance(value, (list, tuple)):
        return neutralize(LIST_SEPARATOR.join(str(v) for v in value))
    return neutralize(str(value))


def csv_text(table: Table, rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in table.column_names])
    return buffer.getvalue()


def export_csv(plan: Plan, directory: Path, bom: bool = False, *, today: dt.date | None = None,
               overwrite: bool = True) -> dict[str, Path]:
    """Write <table>.csv for every table (UTF-8, BOM optional) and metadata.json; returns table name -> path."""
    directory = Path(directory)
    written: dict[str, Path] = {}
    files: dict[str, tuple[str, int]] = {}
    for table in TABLES:
        rows = table.rows(plan)
        path = directory / f"{table.name}.csv"
        atomic_write_bytes(path, ((BOM if bom else "") + csv_text(table, rows)).encode("utf-8"), overwrite=overwrite)
        written[table.name] = path
        files[table.name] = (path.name, len(rows))
    meta = directory / "metadata.json"
    atomic_write_bytes(meta, _json_bytes(metadata(plan, files, today)), overwrite=overwrite)
    written["metadata"] = meta
    return written


# ------------------------------------------------------------------ documentation

def schema_markdown() -> str:
    """docs/opendata-schema.md, generated from TABLES so the two cannot drift apart."""
    lines = [
        "# オープンデータの項目定義（xlplan export --json / --csv）",
        "",
        "`xlplan export 計画ファイル --json 出力フォルダー` または `--csv 出力フォルダー` で、計画の施策・KPI・工程などを",
        "機械判読可能なファイルとして書き出します。官民データの活用を推進する計画そのものを、オープンデータとして公開できるようにするためのものです。",
        "このページは `xlplan.export.opendata.TABLES` から生成しています（`python -m xlplan.export.opendata` で再生成）。",
        "",
        "## ファイル",
        "",
        "| ファイル | 内容 |",
        "|---|---|",
    ]
    for t in TABLES:
        lines.append(f"| `{t.name}.json` / `{t.name}.csv` | {t.label}。{t.description} |")
    lines += [
        "| `metadata.json` | 団体名、計画名、計画期間、位置付け、関連する計画、分野、取り組まない柱・分野、各ファイルの行数。 |",
        "",
        "## 共通の決まり",
        "",
        f"* スキーマの版: {SCHEMA_VERSION}（`metadata.json` の `schema_version`）。列名は英数字の snake_case で、版が変わらない限り変えません。",
        "* 文字コードは UTF-8。CSV は `--bom` を付けると先頭に BOM を付けます（Excel でそのまま開く場合）。改行は CRLF、1行目は列名です。",
        "* 年度は西暦の開始年の整数です（2027 = 令和9年度 = 2027年4月〜2028年3月）。和暦表記は `*_label` の列にあります。",
        "* 日付は `YYYY-MM-DD`。",
        "* 値がないときは、JSON では `null`、CSV では空欄です。真偽値は JSON では `true`/`false`、CSV では文字列 `true`/`false` です。",
        f"* 型が `string[]`（文字列の並び）の列は、JSON では配列、CSV では `{LIST_SEPARATOR}` 区切りです。",
        "* 分野・柱・段階・集計などの値は、ブックの選択肢と同じ日本語の表記です。",
        ("* CSV で、文字列のセルが `=`、`+`、`-`、`@`、タブ、復帰（CR）で始まる場合は、表計算ソフトが数式として実行しないよう先頭に `'` を付けます"
         "（数値の列は対象外）。JSON には付けません。"),
        ("* 表どうしは ID でつながります: `measures.measure_id` ← `kpis.measure_id`、`schedule.measure_id`、`milestones.measure_id`、"
         "`kpis.kpi_id` ← `kpi_values.kpi_id`、`progress.kpi_id`、`programs.program_id` ← `measures.program_ids`。"),
        "",
    ]
    for t in TABLES:
        lines += [f"## {t.name}（{t.label}）", "", t.description, "",
                  "| 列名 | 項目名 | 型 | 説明 | 例 |", "|---|---|---|---|---|"]
        for c in t.columns:
            example = f"`{c.example}`" if c.example else ""
            lines.append(f"| `{c.name}` | {c.label} | {c.type} | {c.description} | {example} |")
        lines.append("")
    lines += [
        "## 進捗評価（progress）の計算",
        "",
        "* 達成率 ＝ (実績 − 現状値) ÷ (目安 − 現状値)。増加を目指す指標も減少を目指す指標も同じ式です。100% はその年度の目安どおり。",
        ("* 目安: その年度の目標（年度ごとの目標）があればその値。なければ、現状値（計画開始時点）から目標値（目標年度末）までを"
         "計画開始からの月数で按分した値（年度の途中に始まった計画の最初の年度は、その月数分）。現状値のない年度値の指標は毎年度の目標値。"
         "KPIごとの「目安の考え方」（自動・線で結ぶ・毎年度目標値）で変えられます。値はKPIの値の桁に丸めます。"),
        "* 現状値が未把握のとき、目安が現状値と同じときは 実績 ÷ 目安（減少は 目安 ÷ 実績）。分母が0のときは、目安以上に良ければ100%、そうでなければ0%。",
        "* 評価: 表示した達成率（0.1%に丸めた値）で、基本情報の「評価の尺度」の段階を決めます（既定 A 110%以上、B 90%以上、C 90%未満、D 評価できない）。",
        "* 数値でない目標: 状況を割合にして同じ式で計算します（未着手 0%、検討中 25%、一部実施 50%、実施済み・達成 100%）。",
        "* 入力に誤りのあるセルに依存するKPI、実績のないKPI、手動の評価に理由のないKPIは「評価できない」になります。",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regenerates the documentation
    target = Path(__file__).resolve().parents[2] / "docs" / "opendata-schema.md"
    target.write_text(schema_markdown(), encoding="utf-8")
    print(f"wrote {target}")
