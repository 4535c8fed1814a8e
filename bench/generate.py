"""Synthetic but valid plans and workbooks for the benchmarks and the roll-up tests.

    python bench/generate.py plan 5000 -o out/bench/plan_5000.xlsm
    python bench/generate.py prefecture 1741 -o out/bench/prefecture

Everything is deterministic for a given seed. A generated plan has no
validation errors and no warnings when it has at least 48 measures (every
pillar and domain is covered); smaller plans only get COVER-* warnings.

A prefecture is N files: municipality workbooks of about 50 measures each and,
mixed in, a few files that cannot be rolled up (a truncated workbook, an xlsx
that is not xlplan's, a CSV named .xlsx, an old-format/password-protected
file). Building 1,741 workbooks with XlsxWriter would take minutes, so a few
distinct workbooks are built and each municipality's copy only gets its own
団体名・都道府県・計画名 written into 基本情報 by the file patcher (measured costs
in bench/README.md).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xlplan.adapters.package import patch_package  # noqa: E402
from xlplan.builder.workbook import build_workbook  # noqa: E402
from xlplan.catalog_data import load_catalog  # noqa: E402
from xlplan.core.model import Plan  # noqa: E402
from xlplan.core.vocab import DEFAULT_DOMAINS, Pillar  # noqa: E402
from xlplan.layout import sheets as L  # noqa: E402
from xlplan.layout.ops import SetValues  # noqa: E402

START_FY = 2027
YEARS = 5
CURRENT_FY = 2027          # fixed, so a workbook's bytes do not depend on the day it is built
INTERPRETER = "python"     # fixed for the same reason (xlwings.conf)

# National programs with no end year in the catalog (N01, N08 have ended) and the plan's own K01.
PROGRAM_IDS = [f"N{i:02d}" for i in range(2, 25) if i != 8] + ["K01"]
TOPICS = ["子育て支援", "介護保険", "住民票", "税務", "防災情報", "観光案内", "農地管理", "鳥獣被害対策", "地域交通",
          "公共施設予約", "図書館", "健康診断", "国民健康保険", "ごみ収集", "道路維持管理", "上下水道", "学校教育",
          "窓口業務", "議会運営", "文書管理", "キャッシュレス決済", "オープンデータ", "マイナンバーカード", "庁内ネットワーク"]
ACTIONS = ["手続のオンライン化", "データの公開と活用", "システムの標準化・共通化", "業務の見直し（BPR）",
           "デジタル化による効率化", "情報発信の強化", "スマートフォンでの申請受付", "AI・RPAの導入",
           "デジタル活用支援の実施", "データ連携基盤の整備"]
OWNERS = ["DX推進課", "企画政策課", "総務課", "市民課", "税務課", "子育て支援課", "高齢福祉課", "健康推進課", "観光振興課",
          "農林課", "危機管理課", "都市計画課", "教育総務課", "会計課", "情報政策課"]
NUMERIC_KPIS = [("オンライン申請件数", "件"), ("オンライン化した手続数", "手続"), ("公開データセット数", "件"),
                ("利用者数", "人"), ("講座の開催回数", "回"), ("処理時間の削減", "時間")]
PERCENT_KPIS = ["オンライン申請率", "マイナンバーカード保有率", "キャッシュレス対応率", "利用者満足度"]
QUALITATIVE = ["条例の制定", "計画の策定", "基盤の稼働", "運用ルールの策定"]
PREP = ["検討", "準備", "構築・整備", "実証"]
RUN = ["実施・運用", "拡充", "見直し"]

# Municipality names: prefix + middle + suffix, all fictional.
NAME_A = ["青葉", "桜", "緑", "朝日", "若葉", "白鳥", "梅", "松", "竹", "東", "西", "南", "北", "中", "大", "小", "新", "高",
          "富士", "水", "花", "星", "月", "光", "春", "夏", "秋", "冬", "金", "銀", "岩", "石", "森", "林", "泉", "浜", "港",
          "宮", "神", "平"]
NAME_B = ["台", "山", "川", "野", "原", "田", "沢", "里", "丘", "島", "浦", "崎", "谷", "坂", "瀬"]
NAME_C = ["市", "町", "村"]


def _schedule(rng: random.Random, start: int, years: int) -> tuple[dict[int, str], int]:
    """A schedule that never goes backwards; returns it and the first 実施・運用 year."""
    prep_years = rng.randint(0, min(2, years - 1))
    prep = sorted(rng.sample(range(len(PREP)), prep_years))
    phases: dict[int, str] = {}
    for k, i in enumerate(prep):
        phases[start + k] = PREP[i]
    operating = start + prep_years
    for fy in range(operating, start + years):
        phases[fy] = "実施・運用" if fy == operating else rng.choice(RUN)
    return phases, operating


def _kpi(rng: random.Random, operating: int, end: int) -> dict:
    target_fy = rng.randint(operating, end)
    roll = rng.random()
    if roll < 0.15:
        return {"name": rng.choice(QUALITATIVE), "kind": "進捗", "direction": "達成",
                "target_text": rng.choice(QUALITATIVE), "target_fy": target_fy}
    if roll < 0.45:
        base = rng.randint(5, 70)
        return {"name": rng.choice(PERCENT_KPIS), "kind": "効果", "unit": "％", "aggregation": "時点", "direction": "増加",
                "baseline": {"value": base, "as_of_fy": START_FY - 2}, "target_value": rng.randint(base, 100),
                "target_fy": target_fy}
    name, unit = rng.choice(NUMERIC_KPIS)
    base = rng.randint(0, 5000)
    aggregation = rng.choice(["時点", "年度値", "累計"])
    kpi = {"name": name, "kind": rng.choice(["進捗", "効果"]), "unit": unit, "aggregation": aggregation, "direction": "増加",
           "baseline": {"value": base, "as_of_fy": START_FY - 2}, "target_value": base + rng.randint(10, 5000),
           "target_fy": target_fy}
    if aggregation == "累計" and target_fy > operating:
        kpi["interim"] = {operating: base + (kpi["target_value"] - base) // 2}
    if rng.random() < 0.3:
        kpi["actuals"] = {START_FY: base + rng.randint(0, 10)}
    return kpi


def make_plan(n_measures: int, seed: int = 0, *, municipality: str = "架空市", prefecture: str = "架空県",
              start_fy: int = START_FY, years: int = YEARS) -> Plan:
    """A valid plan: measures spread over the 8 domains and 6 pillars, 1–3 KPIs each."""
    rng = random.Random(seed)
    end = start_fy + years - 1
    pillars = list(Pillar)
    counters = {d: 0 for d in DEFAULT_DOMAINS}
    measures = []
    for i in range(n_measures):
        domain = DEFAULT_DOMAINS[i % len(DEFAULT_DOMAINS)]
        # i // 8 walks the pillars per domain, so 48 measures cover every pillar × domain pair.
        pillar = pillars[(i // len(DEFAULT_DOMAINS) + i) % len(pillars)]
        counters[domain] += 1
        schedule, operating = _schedule(rng, start_fy, years)
        measure = {
            "id": f"{L.DOMAIN_CODES[domain]}-{counters[domain]:03d}",
            "domain": domain,
            "pillar": pillar.value,
            "name": f"{rng.choice(TOPICS)}の{rng.choice(ACTIONS)}",
            "origin": rng.choice(["既定", "追加"]),
            "content": "".join(rng.choice(TOPICS) + "について" + rng.choice(ACTIONS) + "を進める。"
                               for _ in range(rng.randint(1, 3))),
            "owner": rng.choice(OWNERS),
            "programs": rng.sample(PROGRAM_IDS, rng.randint(0, 2)),
            "kpis": [_kpi(rng, operating, end) for _ in range(rng.randint(1, 3))],
            "schedule": schedule,
        }
        if rng.random() < 0.3:
            measure["milestones"] = [{"fy": operating, "label": "本格運用開始"}]
        if rng.random() < 0.2:
            measure["notes"] = "庁内の推進本部で毎年度進捗を確認する。"
        measures.append(measure)
    return Plan.model_validate({
        "municipality": municipality,
        "prefecture": prefecture,
        "title": f"{municipality}官民データ活用推進計画",
        "start_fy": start_fy,
        "years": years,
        "roles": ["官民データ活用推進基本法第9条第3項に基づく市町村官民データ活用推進計画"],
        "related_plans": [{"name": f"第2次{municipality}総合計画", "start_fy": start_fy - 1, "end_fy": end + 1,
                           "relation": "上位計画"}],
        "situation": "人口減少と高齢化が進み、窓口での手続や紙の事務処理が住民と職員の負担になっている。",
        "purpose": "データとデジタル技術を活用し、住民の利便性の向上と行政運営の効率化を図る。",
        "structure": "市長を本部長とするDX推進本部を設置し、全庁横断で推進する。",
        "programs": [{"id": "K01", "name": f"{prefecture}市町村DX推進補助金", "level": "県", "support_type": "補助金",
                      "rate": "1/2", "active_from_fy": start_fy - 2, "active_to_fy": None}],
        "measures": measures,
    })


def workbook_bytes(plan: Plan, with_macros: bool = True) -> bytes:
    return build_workbook(plan, load_catalog(), interpreter=INTERPRETER, current_fy=CURRENT_FY, with_macros=with_macros)


def make_workbook(n_measures: int, seed: int = 0, **plan_kw) -> bytes:
    return workbook_bytes(make_plan(n_measures, seed, **plan_kw))


# ------------------------------------------------------------------ a prefecture

def municipality_names(count: int, seed: int = 0) -> list[str]:
    """count distinct fictional names such as 青葉台市, 桜川町."""
    rng = random.Random(seed)
    pool = [a + b + c for a in NAME_A for b in NAME_B for c in NAME_C]
    rng.shuffle(pool)
    names = pool[:count]
    k = 2
    while len(names) < count:   # more than the pool: 第2青葉台市 …
        names += [f"第{k}{n}" for n in pool[: count - len(names)]]
        k += 1
    return names


def rename_workbook(base: bytes, municipality: str, prefecture: str | None = None) -> bytes:
    """The same workbook with another 団体名 (and 計画名, 都道府県) in 基本情報, via the file patcher."""
    values = {"municipality": municipality, "prefecture": prefecture, "title": f"{municipality}官民データ活用推進計画"}
    return patch_package(base, [SetValues(L.INFO, L.INFO_FIELD[key].row, L.INFO_VALUE_COL, [[value]])
                                for key, value in values.items()])


def not_xlplan_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate([["番号", "項目", "金額"], [1, "事業費", 1000], [2, "委託料", 2500]]):
        ws.write_row(r, 0, row)
    wb.close()
    return buffer.getvalue()


@dataclass
class Prefecture:
    folder: Path
    good: dict[Path, str] = field(default_factory=dict)   # path -> 団体名
    bad: dict[Path, str] = field(default_factory=dict)    # path -> what is wrong with it
    missing: list[Path] = field(default_factory=list)     # paths that do not exist (for FILES… input)
    seconds: float = 0.0

    @property
    def files(self) -> list[Path]:
        return sorted([*self.good, *self.bad])


BAD_KINDS = ("truncated", "not_xlplan", "csv", "ole")


def generate_prefecture(folder: Path, count: int, *, measures: int = 50, seed: int = 0, variants: int = 4,
                        bad_every: int = 250, prefecture: str = "架空県", progress: bool = False) -> Prefecture:
    """count files in folder: municipality workbooks, and every bad_every-th file a broken one (at least one of each kind).

    `variants` distinct workbooks are built (measures ± 5 each); the others are copies renamed by patching 基本情報.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = random.Random(seed)
    names = municipality_names(count, seed)
    bases = [make_workbook(max(1, measures + rng.randint(-5, 5)), seed * 1000 + v, municipality="原本市",
                           prefecture=prefecture) for v in range(max(1, variants))]
    n_bad = min(count, max(len(BAD_KINDS) if count >= 2 * len(BAD_KINDS) else 0, count // bad_every if bad_every else 0))
    bad_slots = {(i + 1) * count // (n_bad + 1): BAD_KINDS[i % len(BAD_KINDS)] for i in range(n_bad)}
    result = Prefecture(folder)
    for i, name in enumerate(names):
        kind = bad_slots.get(i)
        path = folder / f"{i + 1:04d}_{name}_官民データ活用推進計画.{'xlsx' if kind in ('not_xlplan', 'csv') else 'xlsm'}"
        if kind is None:
            path.write_bytes(rename_workbook(bases[i % len(bases)], name, prefecture))
            result.good[path] = name
        else:
            if kind == "truncated":
                data = rename_workbook(bases[i % len(bases)], name, prefecture)
                data = data[: len(data) // 3]
            elif kind == "not_xlplan":
                data = not_xlplan_xlsx()
            elif kind == "csv":
                data = "団体名,施策名\n架空市,窓口のオンライン化\n".encode()
            else:  # an .xls or a password-protected workbook both start with the OLE header
                data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
            path.write_bytes(data)
            result.bad[path] = kind
        if progress and (i + 1) % 200 == 0:
            print(f"  {i + 1}/{count} files, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    result.missing = [folder / "9999_存在しない町_官民データ活用推進計画.xlsm"]
    result.seconds = time.perf_counter() - t0
    return result


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("plan", help="one workbook with N measures")
    p.add_argument("measures", type=int)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    q = sub.add_parser("prefecture", help="a folder of N municipality workbooks")
    q.add_argument("count", type=int)
    q.add_argument("-o", "--output", type=Path, required=True)
    q.add_argument("--measures", type=int, default=50)
    q.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.what == "plan":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        args.output.write_bytes(make_workbook(args.measures, args.seed))
        print(f"{args.output} ({args.measures} measures, {time.perf_counter() - t0:.1f} s)")
    else:
        pref = generate_prefecture(args.output, args.count, measures=args.measures, seed=args.seed, progress=True)
        print(f"{args.output}: {len(pref.good)} workbooks, {len(pref.bad)} broken files ({pref.seconds:.1f} s)")


if __name__ == "__main__":
    _main()
