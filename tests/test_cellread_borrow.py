"""Marks a cell's row reading has and its page reading lacks (cellread.borrow_marks), and
short bracketed notes a scan left open and specks read as points in counts (scanmarks)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from shenbao.extractors.form.cellread import (
    CellReadSettings,
    borrow_marks,
    cell_rows,
    ink_mask,
    mark_mask,
    reread_cells,
)
from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.form.labels import LabelTable
from shenbao.extractors.form.reader import REREAD_BRACKET, REREAD_COUNT_POINT, PageLayout, read_layouts
from shenbao.extractors.form.scanmarks import close_brackets, drop_count_points
from shenbao.pipeline.types import Page, PageKind, TextLine
from tests.test_cellread_marks import ROW_Y, UNIT, MarkEngine, Sheet, _font, _grid, _value

# --- borrow_marks ---------------------------------------------------------------------------------


def _cell(*rows: list[tuple[str, float, float]]) -> Cell:
    """A value cell whose page reading has these rows; each part is (text, x0, x1), rows 40 px apart."""
    lines = []
    for k, parts in enumerate(rows):
        y = 100 + 40 * k
        lines += [TextLine(text, (x0, y, x1, y + 28), 0.95) for text, x0, x1 in parts]
    return Cell(0, 1, 1, 1, (0, 90, 900, 100 + 40 * len(rows)), lines)


def _row(text: str, k: int, confidence: float = 0.9) -> TextLine:
    """The row reading of row k (its band a little taller than the page reading's boxes)."""
    y = 100 + 40 * k
    return TextLine(text, (10, y - 4, 880, y + 32), confidence)


def test_a_bracket_the_row_reading_kept_is_put_in() -> None:
    cell = _cell([("工作室设有培训教室，配备实训设备", 10, 700)], [("11台套：、多媒体教学设备1套", 10, 500)])
    assert borrow_marks(cell, [_row("工作室设有培训教室，配备实训设备", 0), _row("11台（套：、多媒体教学设备1套", 1)])
    assert cell.raw == "工作室设有培训教室，配备实训设备\n11台（套：、多媒体教学设备1套"
    # the page reading's boxes and confidence stay: only the text gained the mark
    moved = next(ln for ln in cell.lines if ln.text.startswith("11"))
    assert moved.bbox == (10, 140, 500, 168) and moved.confidence == 0.95


def test_marks_go_into_the_part_they_follow() -> None:
    # Two boxes in one row: the gap between them reads as a space, and stays one.
    cell = _cell([("钳工", 10, 90), ("车工焊工", 200, 400)])
    assert borrow_marks(cell, [_row("钳工车工、焊工", 0)])
    assert [ln.text for ln in sorted(cell.lines, key=lambda ln: ln.bbox[0])] == ["钳工", "车工、焊工"]


@pytest.mark.parametrize(
    "reading",
    [
        "11台（奎：、多媒体教学设备1套",  # a character differs: the page reading stays whole
        "11台套：、多媒体教学设备1套",  # nothing added
        "“11台套：、多媒体教学设备1套",  # a mark before the start: the same ink read no mark before
        "11台套：、多媒体教学设备1套。",  # ... or after the end (mend_punctuation looks there)
        "1.1台套：、多媒体教学设备1套",  # a speck inside a number
    ],
)
def test_a_row_reading_that_is_not_the_page_reading_plus_marks_lends_nothing(reading: str) -> None:
    cell = _cell([("11台套：、多媒体教学设备1套", 10, 500)])
    before = cell.raw
    assert not borrow_marks(cell, [_row(reading, 0)])
    assert cell.raw == before


@pytest.mark.parametrize("speck", [".", "·", "-", "'"])
def test_a_speck_between_two_boxes_is_not_lent(speck: str) -> None:
    # The gap between the unit and the title held a speck the row reading read as a mark.
    cell = _cell([("长春博远汽车零部件有限公司", 10, 500), ("高级技师", 560, 700)])
    assert not borrow_marks(cell, [_row(f"长春博远汽车零部件有限公司{speck}高级技师", 0)])
    assert cell.raw == "长春博远汽车零部件有限公司 高级技师"


def test_a_thin_one_between_two_boxes_is_lent() -> None:
    # The detector split the row at the 一 and lost it; the row reading has it.
    cell = _cell([("综合楼", 10, 100), ("层", 140, 170)])
    assert borrow_marks(cell, [_row("综合楼一层", 0)])
    assert [ln.text for ln in sorted(cell.lines, key=lambda ln: ln.bbox[0])] == ["综合楼一", "层"]


def test_a_row_reading_over_two_page_rows_lends_nothing() -> None:
    # The row cut took two rows of the page reading for one: it cannot say which owns a mark.
    cell = _cell([("工作认真", 10, 200)], [("负责", 10, 100)])
    both = TextLine("工作认真，负责", (10, 96, 880, 172), 0.9)
    assert not borrow_marks(cell, [both])
    assert cell.raw == "工作认真\n负责"


def test_reread_cells_borrows_marks_under_the_seals_policy() -> None:
    # The page reading is kept for a cell it read (no seal), but the marks of its row reading
    # are taken; with borrow_marks off they are not.
    for borrow in (True, False):
        sheet = Sheet()
        line = sheet.write("配备设备11台（套）", ROW_Y[0], left=220)
        page_line = replace(line, text="配备设备11台套）")
        grid = _grid(sheet, [page_line])
        settings = replace(CellReadSettings(), borrow_marks=borrow)
        engine = MarkEngine([[("个人简介", 0.99), ("配备设备11台（套）", 0.97)]])
        changed = reread_cells([grid], sheet.image(), engine, UNIT, settings)
        assert _value(grid).raw == ("配备设备11台（套）" if borrow else "配备设备11台套）")
        assert changed == (1 if borrow else 0)


# --- close_brackets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("设备11台（套：、多媒体", "设备11台（套）、多媒体"),  # a ）in two dots read as a colon
        ("设备11台（套：", "设备11台（套）"),  # ... at the end of the text
        ("设备34台（套，设备总值", "设备34台（套），设备总值"),  # the ）lost before a comma
        ("设备34台（\n套，设备总值", "设备34台（\n套），设备总值"),  # the note broken over two rows
        ("设备34台（套\n，设备总值", "设备34台（套\n），设备总值"),
        ("共计3台(套;", "共计3台(套)"),  # ASCII brackets keep ASCII
        ("面积120（平方米。", "面积120（平方米）。"),
        ("设备11台（套）、多媒体", "设备11台（套）、多媒体"),  # closed already
        ("（注：本表一式两份", "（注：本表一式两份"),  # a colon inside a note, before text
        ("（包括车工、钳工、焊工", "（包括车工、钳工、焊工"),  # a list: where it closes is unknown
        ("（一项技术革新成果，", "（一项技术革新成果，"),  # longer than a short note
        ("（一项技\n术革新，", "（一项技\n术革新，"),
        ("设备11台套），", "设备11台套），"),  # where the lost （ stood is unknown
    ],
)
def test_close_brackets(read: str, expected: str) -> None:
    assert close_brackets(read) == expected


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("检测仪器1.4台套，可同时容纳39人", "检测仪器14台套，可同时容纳39人"),
        ("建议2.3条，带徒1·2名，专利3．1项", "建议23条，带徒12名，专利31项"),
        ("设备1.4 台", "设备14 台"),
        ("年节约成本2.5万元，提高1.5个百分点，缩短0.5天", "年节约成本2.5万元，提高1.5个百分点，缩短0.5天"),
        ("增长1.5倍，合格率99.5%", "增长1.5倍，合格率99.5%"),
        ("版本1.2.3项", "版本1.2.3项"),  # a dotted number is no count with a speck in it
        ("2019.3项目启动", "2019.3项目启动"),  # a date before a noun
        ("完成1.2项目", "完成1.2项目"),  # 项目 is no count of 项
        ("培训1.5人员", "培训1.5人员"),
    ],
)
def test_drop_count_points(read: str, expected: str) -> None:
    assert drop_count_points(read) == expected


def _read_one_cell(value_lines: list[TextLine], kind: str, label_text: str = "工作室基本设施",
                   key: str = "studio_facilities") -> tuple[str, str | None, str]:
    """The field read from a one-row table (label | value) on a page of `kind`."""
    label = Cell(0, 0, 1, 1, (0, 0, 200, 100), [TextLine(label_text, (10, 30, 190, 60), 0.99)])
    value = Cell(0, 1, 1, 1, (200, 0, 900, 100), list(value_lines))
    grid = Grid(page=1, cells=[label, value], n_rows=1, n_cols=2)
    page = Page(number=1, kind=PageKind(kind), source="drawn", width=900.0, height=100.0, lines=[])
    reads = read_layouts([PageLayout(page, [grid], [])], "liangping-2023", LabelTable.load())
    r = reads[key]
    return r.value, r.reread_from, r.reread_why


def test_a_scanned_value_has_its_bracket_closed_and_says_so() -> None:
    value, before, why = _read_one_cell([TextLine("配备设备11台（套：、计算机10台", (210, 30, 800, 60), 0.9)], "scan")
    assert value == "配备设备11台（套）、计算机10台"
    assert before == "配备设备11台（套：、计算机10台"
    assert why == REREAD_BRACKET


def test_both_mends_are_told_to_the_reviewer() -> None:
    value, before, why = _read_one_cell([TextLine("仪器1.4台（套：、计算机10台", (210, 30, 800, 60), 0.9)], "scan")
    assert value == "仪器14台（套）、计算机10台"
    assert before == "仪器1.4台（套：、计算机10台"
    assert why == f"{REREAD_BRACKET}；{REREAD_COUNT_POINT}"


def test_a_mend_the_value_does_not_show_is_not_told() -> None:
    # The level reads 高级技师 with the bracket open or closed: no re-read for the reviewer.
    value, before, why = _read_one_cell([TextLine("一级（高级技师；", (210, 30, 800, 60), 0.9)], "scan",
                                        "职业技能等级", "master_skill_level")
    assert value == "高级技师"
    assert before is None and why == ""


def test_a_text_layer_value_is_left_as_typed() -> None:
    value, before, _ = _read_one_cell([TextLine("配备设备11台（套：、计算机10台", (210, 30, 800, 60), 1.0)], "text")
    assert value == "配备设备11台（套：、计算机10台"
    assert before is None


# --- row extent over the page reading's boxes -----------------------------------------------------


def test_a_faint_row_end_the_detector_saw_is_kept_in_the_row() -> None:
    # A worn copy: ".com" prints 80 grey levels under the paper, below the ink threshold; the
    # page reading's line box covers it.
    sheet = Sheet()
    dark = sheet.write("pqnx9@163", ROW_Y[0], left=220)
    faint_left = int(dark.bbox[2]) + 2
    sheet.draw.text((faint_left, ROW_Y[0]), ".com", fill=(175, 175, 175), font=_font())
    whole = replace(dark, text="pqnx9@163.com", bbox=(dark.bbox[0], dark.bbox[1], faint_left + 60, dark.bbox[3]))
    for lines, reaches in (([whole], True), ([], False)):
        grid = _grid(sheet, lines)
        cell = _value(grid)
        found = cell_rows(sheet.image(), grid, cell, UNIT, CellReadSettings())
        assert found is not None and len(found.boxes) == 1
        ox = found.origin[0]
        right = found.boxes[0][2] + ox
        assert (right >= faint_left + 60 - 1) is reaches
        assert right > dark.bbox[2] - 1  # the dark print is in the row either way


# --- faint marks on a pale copy ------------------------------------------------------------------


def _patch(paper: int, text: int, mark: int) -> np.ndarray:
    """A crop of paper with a block of print and a small mark of the given greys."""
    gray = np.full((60, 200), paper, np.uint8)
    gray[20:40, 20:120] = text
    gray[34:40, 150:156] = mark
    return gray


def test_a_pale_copys_mark_counts_as_faint_ink() -> None:
    # Grey paper 205, print 125 (80 under it), a 。 at 175: 30 under the paper.
    marks = mark_mask(_patch(205, 125, 175))
    assert marks[36, 152] and marks[30, 60]
    assert not ink_mask(_patch(205, 125, 175), faint=True)[36, 152]  # other faint ink keeps its depth


def test_on_a_clean_scan_a_faint_mark_must_be_as_dark_as_before() -> None:
    # White paper, black print: 35 levels under the paper is toner haze, not a mark.
    assert not mark_mask(_patch(245, 20, 210))[36, 152]
    assert mark_mask(_patch(245, 20, 195))[36, 152]
    # A crop with nothing darker than haze keeps the fixed depth.
    assert not mark_mask(_patch(205, 175, 175))[36, 152]
