"""計画をコードで組み立て、和暦の年度で検証する（Excel もファイルも使わない core だけの例）。"""

from xlplan.core.fiscal import parse_fy, wareki_fy
from xlplan.core.model import Kpi, Measure, Plan
from xlplan.core.validation import validate_plan

plan = Plan(
    municipality="例示町", start_fy=parse_fy("令和9年度"), years=3,
    measures=[Measure(
        id="DG-01", domain="電子行政", pillar="10条", name="電子申請の拡大", owner="総務課",
        schedule={"R9": "検討", "R10": "構築・整備", "R11": "実施・運用"},
        kpis=[Kpi(name="オンライン申請件数", unit="件", target_value=500, target_fy="令和12年度")],
    )],
)
print(f"計画期間: {wareki_fy(plan.start_fy)}〜{wareki_fy(plan.end_fy)}")
for f in validate_plan(plan):   # 目標年度が期間外、柱・分野の網羅 など
    print(f.severity.label, f.code, f.message)
