"""A label garbled past relaxed matching is still read as the label of the value beside it when
that value can only be of one kind (labels.value_kind / LabelTable.match_by_value)."""

from __future__ import annotations

import pytest

from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.form.labels import LabelTable, value_kind
from shenbao.extractors.form.reader import GridReader
from shenbao.pipeline.types import TextLine


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("141124197509020777", "master_id_number"),
        ("14:121197509020777", "master_id_number"),  # a digit read as ":" is still an ID number
        ("22012219840805950X", "master_id_number"),
        ("bmtujy254@126.com", "email"),
        ("hntu.jy2546126.com", "email"),  # the @ lost, the domain still says e-mail
        ("回族", "master_ethnicity"),
        ("女", "master_gender"),
        ("男女", None),
        ("6222021234567890123", None),  # a bank account: no birth date in it
        ("181400000030012345", None),  # a certificate number
        ("13800138000", None),  # a phone
        ("0358-6098461", None),
        ("吕梁市孝义市学院路214号", None),
        ("中共党员", None),
        ("2015年被授予“吕梁技术状元”荣誉称号；2019年获三晋技术能手称号", "_awards"),
        ("二晋技术能手称号2019年", "_awards"),  # as worn, still a year and an honour's word
        ("三晋技术能手", None),  # no year: a title alone may be anything
        ("中式烹调师", None),
        ("", None),
    ],
)
def test_value_kind(value: str, kind: str | None) -> None:
    assert value_kind(value) == kind


@pytest.fixture(scope="module")
def table() -> LabelTable:
    return LabelTable.load()


@pytest.mark.parametrize(
    ("label", "value", "key"),
    [
        ("9分证号", "141124197509020777", "master_id_number"),
        ("é族", "回族", "master_ethnicity"),
        ("件别", "男", "master_gender"),  # 性别 under a seal
        ("件别", "汉族", None),
        ("E-mí", "bmtujy254@126.com", "email"),
        ("991F号", "141124197509020777", None),  # nothing of 身份证号 left in it
        ("9分证号", "13800138000", None),  # a phone says nothing about its label
        # The honours label with its first lines lost and half its characters misread.
        ("全工技术能！、音技术低！·吕业技术二、技术质！·与吸5人及学强专投能·长国增技身技能11人：",
         "2015年被授“吕梁技术状元”荣誉称号二晋技术能手称号2019年", "_awards"),
        # The achievements label beside a paragraph that names an honour is not the honours label.
        ("技能大味工作业绩代县与圾以1奖励或国家专利情况、主要创新发明茅情况",
         "2019年被授予“三晋技术能手”称号，主持完成技术攻关项目6项", None),
        ("技能能手", "2019年获三晋技术能手称号", None),  # too short to tell by shared characters
        # Half its characters are the honours label's, but more are the achievements label's.
        ("大师工作业绩获得技术能手奖励", "2019年获三晋技术能手称号", None),
    ],
)
def test_match_by_value(table: LabelTable, label: str, value: str, key: str | None) -> None:
    m = table.match_by_value(label, value, "lvliang-2025")
    assert (None if m is None else m.resolve([])) == key


def _cell(row: int, col: int, text: str, x0: float, x1: float) -> Cell:
    y0 = 100.0 + row * 60
    lines = [TextLine(text, (x0 + 5, y0 + 10, x1 - 5, y0 + 50), 0.9)] if text else []
    return Cell(row, col, 1, 1, (x0, y0, x1, y0 + 60), lines, page=2)


def test_grid_reader_reads_a_garbled_label_by_its_value(table: LabelTable) -> None:
    cells = [
        _cell(0, 0, "技能大师姓名", 100, 300), _cell(0, 1, "黄勇波", 300, 600),
        _cell(1, 0, "9分证号", 100, 300), _cell(1, 1, "141124197509020777", 300, 600),
        _cell(2, 0, "é族", 100, 300), _cell(2, 1, "回族", 300, 600),
        _cell(3, 0, "9分证号", 100, 300), _cell(3, 1, "13800138000", 300, 600),  # no kind: stays unread
    ]
    grid = Grid(page=2, cells=cells, n_rows=4, n_cols=2)
    reads = {r.key: r.raw for r in GridReader(grid, table, "lvliang-2025", None, {}).read()}
    assert reads == {"master_name": "黄勇波", "master_id_number": "141124197509020777", "master_ethnicity": "回族"}


def test_a_key_a_clean_label_has_taken_is_not_given_twice(table: LabelTable) -> None:
    cells = [
        _cell(0, 0, "身份证号", 100, 300), _cell(0, 1, "141124197509020777", 300, 600),
        _cell(1, 0, "9分证号", 100, 300), _cell(1, 1, "220106197003072576", 300, 600),
    ]
    grid = Grid(page=2, cells=cells, n_rows=2, n_cols=2)
    reads = [(r.key, r.raw) for r in GridReader(grid, table, "lvliang-2025", None, {}).read()]
    assert reads == [("master_id_number", "141124197509020777")]


def test_grid_reader_finds_the_honours_cell_under_a_worn_label(table: LabelTable) -> None:
    honours = "2015年被授“吕梁技术状元”荣誉称号二晋技术能手称号2019年"
    achievements = "长期从事中式烹调师工作，2019年被授予技术能手称号"
    cells = [
        _cell(0, 0, "全工技术能！、音技术低！·吕业技术二、技术质！·与吸5人及学强专投能·长国增技身技能11人：", 100, 300),
        _cell(0, 1, honours, 300, 600),
        _cell(1, 0, "技能大师工作业绩", 100, 300), _cell(1, 1, achievements, 300, 600),
    ]
    grid = Grid(page=2, cells=cells, n_rows=2, n_cols=2)
    reads = {r.key: r.raw for r in GridReader(grid, table, "lvliang-2025", None, {}).read()}
    assert reads == {"_awards": honours, "achievements": achievements}


def _read_one_row(table: LabelTable, label: str, value: str) -> dict[str, str]:
    grid = Grid(page=2, cells=[_cell(0, 0, label, 100, 300), _cell(0, 1, value, 300, 600)], n_rows=1, n_cols=2)
    return {r.key: r.raw for r in GridReader(grid, table, "wuhan-2024", None, {}).read()}


def test_a_value_written_into_its_labels_cell_is_read_when_the_cell_beside_is_empty(table: LabelTable) -> None:
    # A worn copy lost the rule between 参加工作时间 and its date: the grid made them one cell.
    assert _read_one_row(table, "参加工作时间 1988年07月", "") == {"master_work_start": "1988年07月"}
    # The cell beside, when it holds something, is the value.
    assert _read_one_row(table, "参加工作时间 1988年07月", "1990年01月") == {"master_work_start": "1990年01月"}
    # What follows the label must have the field's shape: a note is no date.
    assert not _read_one_row(table, "参加工作时间 见附件", "").get("master_work_start")
    # Only fields of one shape: a free-text label's note is not its value.
    assert not _read_one_row(table, "获奖情况（区级以上）", "").get("_awards")
