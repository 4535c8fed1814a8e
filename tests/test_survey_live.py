"""The 照会票 buttons through xlwings' remote engine: live and headless agree (see test_excel_live)."""

from __future__ import annotations

import datetime as dt
import types

import xlplan.excel as x
from formedits import Form
from test_excel_live import actions, alerts, file_path_result, grids_of, open_live, remote_engine, replay, same_values  # noqa: F401
from xlplan.catalog_data import load_catalog
from xlplan.collect import collect_ops
from xlplan.layout import sheets as L
from xlplan.layout import survey_form as S
from xlplan.layout.read import read_plan
from xlplan.survey import answer_files, read_answer_files, write_forms

NOW = dt.datetime(2027, 5, 10, 9, 30)


class _Clock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


def test_make_forms_button_writes_one_form_per_department_and_nothing_in_the_book(sample_bytes, tmp_path):
    grids = grids_of(sample_bytes, tmp_path)
    book = open_live(grids)
    message = x.make_survey_forms(folder=tmp_path / "照会票")
    assert alerts(book) == [message] and message.startswith("計画照会の照会票を")
    assert len(list((tmp_path / "照会票").glob("計画照会_*.xlsx"))) >= 6
    assert [a for a in actions(book) if a["func"] != "alert"] == []


def test_actuals_button_asks_for_the_year_in_progress_b2(sample_bytes, tmp_path):
    grids = grids_of(sample_bytes, tmp_path)
    r, c = L.ProgressLayout().fy_cell
    grids[L.PROGRESS][r][c] = "R9"
    open_live(grids)
    message = x.make_actuals_forms(folder=tmp_path / "実績")
    assert message.startswith("実績照会（令和9年度）の照会票を")


def test_collect_button_matches_the_file_path(sample_bytes, tmp_path, monkeypatch):
    monkeypatch.setattr(x, "dt", types.SimpleNamespace(datetime=_Clock, date=dt.date))
    grids = grids_of(sample_bytes, tmp_path)
    written = {w.form.owner: w.path for w in write_forms(read_plan(grids).plan, load_catalog(), tmp_path / "照会票", now=NOW)}
    answers = tmp_path / "回答"
    answers.mkdir()
    form = Form(written["総務課"])
    form.type(S.MEASURES, "DG-12", 1, "目標値", 95)
    form.add_kpi_row(S.MEASURES, "DG-12", 2, {"指標名": "電子決裁率", "単位": "%", "目標値": 80, "目標年度": "R11"})
    form.propose(0, {"分野": "電子行政", "柱": "15条", "施策名": "文書管理システムの更新"})
    form.save(answers / "総務課.xlsx")
    book = open_live(grids)
    message = x.collect_answers(folder=answers)
    assert alerts(book) == [message] and message.startswith("回答 1件から 3件の変更を取り込みました。")
    parsed, _ = read_answer_files(answer_files([answers]), load_catalog())
    expected = collect_ops(read_plan(grids), parsed, now=NOW, log=grids[L.COLLECT_LOG])
    same_values(replay(grids, actions(book)), file_path_result(sample_bytes, expected.ops, tmp_path))
