"""One date notation in the plan document (基本情報 「日付の表記」), and wording by 団体種別."""

from __future__ import annotations

import datetime as dt

import pytest

from xlplan.core.model import Plan
from xlplan.core.notation import Dates
from xlplan.core.vocab import BodyType, DateStyle
from xlplan.core.wording import legal_basis, legal_basis_phrase, self_reference

WW, WA, WE = DateStyle.WAREKI_WESTERN, DateStyle.WAREKI, DateStyle.WESTERN


def test_the_western_year_is_given_once_per_scope():
    d = Dates(WW)
    assert d.fy(2027) == "令和9年度（2027年度）"
    assert d.fy(2028) == "令和10年度"
    assert d.scope().fy(2028) == "令和10年度（2028年度）"


@pytest.mark.parametrize("style, expected", [
    (WW, "令和9年度（2027年度）から令和13年度（2031年度）まで（5年間）"),
    (WA, "令和9年度から令和13年度まで（5年間）"),
    (WE, "2027年度から2031年度まで（5年間）"),
])
def test_plan_period_in_each_notation(style, expected):
    assert Dates(style).period(2027, 5) == expected


@pytest.mark.parametrize("style, expected", [
    (WW, "令和8年（2026年）3月31日"), (WA, "令和8年3月31日"), (WE, "2026年3月31日")])
def test_an_as_of_date_is_never_written_with_slashes(style, expected):
    assert Dates(style).date(dt.date(2026, 3, 31)) == expected


def test_ranges_in_one_era_name_the_era_once():
    assert Dates(WA).fy_range(2028, 2029) == "令和10〜11年度"
    assert Dates(WA).fy_range(2018, 2020) == "平成30年度〜令和2年度"
    assert Dates(WE).fy_range(2028, 2029) == "2028〜2029年度"
    assert Dates(WW).fy_range(2028, 2029) == "令和10〜11年度（2028〜2029年度）"


@pytest.mark.parametrize("typed, style, expected", [
    ("棚卸しは2029年度で完了し", WA, "棚卸しは令和11年度で完了し"),
    ("棚卸しは2029年度で完了し", WW, "棚卸しは令和11年度（2029年度）で完了し"),
    ("平成30年度から実施している", WE, "2018年度から実施している"),
    ("R9年度から集計を始める", WA, "令和9年度から集計を始める"),
    ("2026/3/31時点", WA, "令和8年3月31日時点"),
    ("令和3年度（2021年度）で終了", WA, "令和3年度で終了"),
    ("令和3年度（2021年度）で終了", WE, "2021年度で終了"),
    ("2026〜2030年度", WA, "令和8〜12年度"),
    ("平成27年をピークに", WE, "2015年をピークに"),
    ("令和９年度", WE, "2027年度"),
])
def test_dates_a_clerk_typed_are_rewritten_in_the_chosen_notation(typed, style, expected):
    assert Dates(style).text(typed) == expected


def test_only_the_first_date_of_a_text_carries_the_western_year():
    assert (Dates(WW).text("2029年度まで活用し、2029年度で完了する")
            == "令和11年度（2029年度）まで活用し、令和11年度で完了する")


@pytest.mark.parametrize("typed", [
    "サイバーセキュリティ基本法（平成26年法律第104号）",   # laws are cited in 和暦 whatever the notation
    "約1,200手続", "R&D", "2026/13/40", "第2次総合計画", "毎年度秋に公表", "運用ガイドライン（2016年版）",
])
def test_text_that_is_not_a_date_is_left_as_typed(typed):
    assert Dates(WE).text(typed) == typed


@pytest.mark.parametrize("name, body, me, article", [
    ("青葉台市", BodyType.MUNICIPALITY, "本市", "第9条第3項"),
    ("美浜町", BodyType.MUNICIPALITY, "本町", "第9条第3項"),
    ("白川村", BodyType.MUNICIPALITY, "本村", "第9条第3項"),
    ("架空県", BodyType.PREFECTURE, "本県", "第9条第1項"),
    ("東京都", BodyType.PREFECTURE, "本都", "第9条第1項"),
    ("北海道", BodyType.PREFECTURE, "本道", "第9条第1項"),
    ("大阪府", BodyType.PREFECTURE, "本府", "第9条第1項"),
    ("何か組合", BodyType.MUNICIPALITY, "本団体", "第9条第3項"),   # the name does not tell: never a guessed 本市
    ("", BodyType.MUNICIPALITY, "本団体", "第9条第3項"),
    ("何か広域連合", BodyType.PREFECTURE, "本団体", "第9条第1項"),
])
def test_a_plan_refers_to_itself_and_its_legal_basis_by_body_type(name, body, me, article):
    plan = Plan(municipality=name, body_type=body, start_fy=2027)
    assert self_reference(plan) == me
    assert legal_basis(plan) == article
    assert article in legal_basis_phrase(plan)
    assert ("都道府県官民データ活用推進計画" in legal_basis_phrase(plan)) == (body is BodyType.PREFECTURE)
