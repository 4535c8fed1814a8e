"""The plan document's fixed wording and how a clerk's text is made fit to publish.

The 雛型's seven chapter titles, the standard statement of each basic policy, the
security chapter, and `PublicText`: a clerk's text with xlplan's internal IDs
replaced by what a reader knows (施策ID → 「施策3」, program ID → its name) and every
date in the plan's one notation.
"""

from __future__ import annotations

import re

from xlplan.core.model import Plan
from xlplan.core.notation import Dates
from xlplan.core.schedule import schedule_rows
from xlplan.core.vocab import CONTINUE_MARK, MILESTONE_MARK, TARGET_MARK, Phase, Pillar

TOC_NOTE = ("※ 目次のページ番号は、Word で目次の中を右クリックして「フィールド更新」→「目次をすべて更新する」を選ぶと"
            "更新されます（目次を選んで F9 キーでも更新できます）。見出しを書き換えたときも同じ操作で目次に反映されます。"
            "この注意書きは印刷前に削除してください（xlplan export --pdf や「計画書（PDF）を出力」ボタンで作る PDF には載りません）。")

# Section 5's standard statement of each basic policy; the planner edits it in Word.
POLICY_TEXT: dict[Pillar, str] = {
    Pillar.P10: "行政手続は、住民や事業者が時間や場所を問わず行えるよう、オンラインで行うことを原則とし、"
                "押印や添付書類の見直しなど手続そのものの見直しと併せて、オンライン化を計画的に進める。",
    Pillar.P11: "{self}が保有する官民データについて、個人及び法人の権利利益等が害されることのないよう配慮しつつ、"
                "誰もが容易に利用できるよう、機械判読に適した形式でオープンデータとして公開し、その活用を促進する。",
    Pillar.P13: "マイナンバーカードの普及を図るとともに、カードを活用した行政サービスを広げ、住民の利便性の向上と事務の効率化を図る。",
    Pillar.P14: "地理的な制約、年齢、障害の有無等による情報通信技術の利用の機会や活用のための能力の格差の是正を図り、"
                "誰一人取り残されないデジタル化を進める。",
    Pillar.P15: "情報システムの標準化・共通化とクラウドの活用を進めて互換性を確保するとともに、業務の見直し（BPR）を併せて行い、"
                "行政運営の効率化を図る。",
    Pillar.P6: "パーソナルデータの適正な利活用のための環境整備、官民データの活用を担う人材の育成・確保、普及啓発等に取り組む。",
}

SECURITY_TEXT = (
    "{self}は、官民データの活用の推進に当たっては、サイバーセキュリティ基本法（平成26年法律第104号）、"
    "個人情報の保護に関する法律（平成15年法律第57号）その他の関係法令及びこれらに基づく国の指針等を遵守するとともに、"
    "{self}の情報セキュリティポリシー及び個人情報の保護に関する規程に基づき、次の取組により、"
    "情報セキュリティの確保及び個人情報の適正な取扱いを図る。"
)
SECURITY_ITEMS = (
    "情報セキュリティポリシーを、総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」を踏まえて適時に見直し、職員への研修・訓練を継続して実施する。",
    "情報システムの調達・構築・運用に当たっては、必要なセキュリティ対策を講じ、クラウドサービスの利用に当たってはその安全性を確認する。",
    "個人情報を取り扱う施策では、利用目的の特定と安全管理措置を徹底し、必要に応じて特定個人情報保護評価を実施する。",
    "オープンデータの公開に当たっては、個人情報や権利利益を害するおそれのある情報が含まれていないことを確認する。",
    "情報セキュリティインシデントに備えて対応体制を整え、発生時には速やかに対応し、再発防止を図る。",
)

LEGEND = "　".join(f"{p.symbol}{p.value}" for p in Phase) + (
    f"　{CONTINUE_MARK} 前年度と同じ段階　{TARGET_MARK} KPIの目標（目標年度）　{MILESTONE_MARK} マイルストーン")


def plan_name(plan: Plan) -> str:
    return f"{plan.municipality}官民データ活用推進計画"


def section_titles(plan: Plan) -> list[str]:
    """The seven chapter titles of the 雛型, with the body's name."""
    name = plan_name(plan)
    return [
        f"{plan.municipality}の現状及び課題",
        f"{name}の目的",
        f"{name}の位置付け",
        f"{name}の推進体制",
        "官民データ活用の推進に関する施策の基本的な方針",
        "官民データ活用の推進に係る個別施策",
        "セキュリティ及び個人情報の適正な取扱いの確保",
    ]


def measure_numbers(plan: Plan) -> dict[str, int]:
    """施策ID → the number the document shows (施策1, 施策2 …): the 工程表's order (by pillar, then domain)."""
    numbers: dict[str, int] = {}
    for row in schedule_rows(plan, parts=1):
        if row.kind == "measure" and row.measure.id not in numbers:
            numbers[row.measure.id] = row.no
    return numbers


_SPACE_AFTER_PUNCT = re.compile(r"(?<=[。、」』）])[ \u3000]+")
# IDs xlplan or the clerk gave measures and programs: DG-01, HL-02, N11, K01, C06 …
ID_PATTERN = re.compile(r"^[A-Za-z]{1,4}-?[0-9]{1,4}[A-Za-z]?$")


def tidy(text: str) -> str:
    """Drop the spaces YAML folding leaves after Japanese punctuation (「。 これにより」)."""
    return _SPACE_AFTER_PUNCT.sub("", text)


def split_title(title: str) -> tuple[str, str]:
    """「青葉台市官民データ活用推進計画（青葉台市DX推進計画）」 -> main title and the parenthetical subtitle."""
    if title.endswith("）") and "（" in title:
        main, _, sub = title.partition("（")
        if main:
            return main, f"（{sub}"
    return title, ""


class PublicText:
    """A clerk's text as the published plan shows it: no internal IDs, dates in one notation."""

    def __init__(self, plan: Plan, dates: Dates, numbers: dict[str, int]):
        self.dates = dates
        names = {mid: f"施策{n}" for mid, n in numbers.items() if ID_PATTERN.match(mid)}
        names.update({p.id: p.name for p in plan.programs if ID_PATTERN.match(p.id) and p.id not in names})
        self._names = names
        self._ids = re.compile(
            r"(?<![A-Za-z0-9\-])(" + "|".join(re.escape(i) for i in sorted(names, key=len, reverse=True)) + r")(?![A-Za-z0-9\-])"
        ) if names else None

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self._ids is not None:
            text = self._ids.sub(lambda m: self._names[m.group(1)], text)
        return self.dates.text(tidy(text))
