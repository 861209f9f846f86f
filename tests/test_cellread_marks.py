"""Punctuation the page reading lost beside its line boxes (cellread.mend_punctuation).

The pages are drawn here: a ruled table with a CJK font, a 。 set touching (and overhanging)
the value cell's right rule, and OCR lines whose boxes stop short of it, the way a DB detector
boxes such a line.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from shenbao.extractors.form.cellread import CellReadSettings, adds_punctuation, mend_punctuation
from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.form.reader import CellReader, page_layout
from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.synthetic import cjk_font_path
from shenbao.pipeline.types import Page, PageKind, TextLine

FONT_PX = 32
UNIT = 32.0  # the page's text height, as text_unit would give it for these lines
W, H = 1000, 300
XS = (20, 200, 760, 977)  # vertical rules (3 px wide, starting here): label | value | neighbour
YS = (20, 150, 277)  # horizontal rules: two table rows
RULE = XS[2]  # the value cells' right rule
ROW_Y = (40, 90)  # where the two text rows of a value cell are drawn (text origin)
FULL = "工作认真负责成绩突出带领团队攻关"  # a line that fills its cell up to the rule
SHORT = "负责技术攻关"


# --- drawing --------------------------------------------------------------------------------------


@cache
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), FONT_PX)


@cache
def _ink_box(text: str) -> tuple[int, int, int, int]:
    """Where `text`'s ink lies relative to its drawing origin (x0, y0, x1, y1; x1/y1 exclusive)."""
    img = Image.new("L", (FONT_PX * (len(text) + 2), FONT_PX * 2), 255)
    ImageDraw.Draw(img).text((FONT_PX, FONT_PX // 2), text, fill=0, font=_font())
    ys, xs = np.nonzero(np.asarray(img) < 200)
    return (int(xs.min()) - FONT_PX, int(ys.min()) - FONT_PX // 2,
            int(xs.max()) + 1 - FONT_PX, int(ys.max()) + 1 - FONT_PX // 2)


class Sheet:
    """A page with the table's rules, and what is written on it."""

    def __init__(self) -> None:
        self.pil = Image.new("RGB", (W, H), "white")
        self.draw = ImageDraw.Draw(self.pil)
        self.specks: list[tuple[int, int, int]] = []
        self.fringe: int | None = None

    def write(self, text: str, y: int, *, left: int | None = None, right: int | None = None) -> TextLine:
        """Draw `text` with its ink starting at `left` (or ending at `right`) and give the OCR
        line a detector would box around exactly that ink."""
        bx0, by0, bx1, by1 = _ink_box(text)
        x = left - bx0 if left is not None else right - bx1
        self.draw.text((x, y), text, fill="black", font=_font())
        return TextLine(text, (float(x + bx0), float(y + by0), float(x + bx1), float(y + by1)), 0.97)

    def mark(self, ch: str, y: int, left: int, grey: int = 0) -> tuple[int, int]:
        """Draw a punctuation mark (no OCR line: the detector lost it); its ink's x-span."""
        bx0, _, bx1, _ = _ink_box(ch)
        self.draw.text((left - bx0, y), ch, fill=(grey, grey, grey), font=_font())
        return left, left + bx1 - bx0

    def image(self) -> np.ndarray:
        img = np.array(self.pil)
        for x in XS:
            img[YS[0]:YS[-1] + 3, x:x + 3] = 0
        for y in YS:
            img[y:y + 3, XS[0]:XS[-1] + 3] = 0
        for x, y, size in self.specks:
            img[y:y + size, x:x + size] = 0
        if self.fringe is not None:
            # the grey edge a scanner leaves beside a rule: too light to be erased with it
            img[YS[0] + 3:YS[-1], self.fringe] = 180
        return img


def _grid(sheet: Sheet, value: list[TextLine], lower: list[TextLine] | None = None,
          neighbour: list[TextLine] | None = None) -> Grid:
    labels = [sheet.write("个人简介", ROW_Y[0], left=XS[0] + 12), sheet.write("备注", ROW_Y[0] + 130, left=XS[0] + 12)]
    cells = [
        Cell(0, 0, 1, 1, (XS[0], YS[0], XS[1], YS[1]), [labels[0]]),
        Cell(0, 1, 1, 1, (XS[1], YS[0], XS[2], YS[1]), list(value)),
        Cell(0, 2, 1, 1, (XS[2], YS[0], XS[3], YS[1]), list(neighbour or [])),
        Cell(1, 0, 1, 1, (XS[0], YS[1], XS[1], YS[2]), [labels[1]]),
        Cell(1, 1, 1, 1, (XS[1], YS[1], XS[2], YS[2]), list(lower or [])),
        Cell(1, 2, 1, 1, (XS[2], YS[1], XS[3], YS[2]), []),
    ]
    return Grid(page=1, cells=cells, n_rows=2, n_cols=3)


def _value(grid: Grid) -> Cell:
    return grid.ordered()[1]


def _full_stop_at_rule(sheet: Sheet, grey: int = 0) -> tuple[list[TextLine], tuple[int, int]]:
    """Row 1: a full line whose 。 stands on the rule (ink a little past it); row 2: a short line."""
    bx0, _, bx1, _ = _ink_box("。")
    mark_left = RULE + 5 - (bx1 - bx0)  # its ring runs over the 3 px rule and 2 px past it
    line = sheet.write(FULL, ROW_Y[0], right=mark_left - 2)
    mark = sheet.mark("。", ROW_Y[0], mark_left, grey)
    return [line, sheet.write(SHORT, ROW_Y[1], left=int(line.bbox[0]))], mark


class MarkEngine(OcrEngine):
    """Answers read_lines call by call from a script (rows past the script read as nothing)
    and keeps every batch of row images it was given."""

    name = "scripted"

    def __init__(self, calls: list[list[tuple[str, float]]] | None = None) -> None:
        self.calls = calls or []
        self.batches: list[list[np.ndarray]] = []

    @property
    def rows(self) -> list[np.ndarray]:
        return [row for batch in self.batches for row in batch]

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        raise AssertionError("mending punctuation must not run detection")

    def read_page(self, image: np.ndarray) -> PageOcr:
        raise AssertionError("mending punctuation must not read pages")

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        self.batches.append(list(rows))
        script = self.calls[len(self.batches) - 1] if len(self.batches) <= len(self.calls) else []
        return [script[i] if i < len(script) else ("", 0.0) for i in range(len(rows))]


class PageOnlyEngine(MarkEngine):
    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        self.batches.append(list(rows))
        return OcrEngine.read_lines(self, rows)


def _texts(grid: Grid) -> list[str]:
    return [c.raw for c in grid.ordered()]


# --- adds_punctuation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("工作认真负责", "工作认真负责。", True),  # a full stop at the end
        ("工作认真负责成绩突出", "工作认真负责，成绩突出", True),  # a comma inside
        ("钳工车工", "钳工、车工", True),  # an enumeration comma between two boxes
        ("获奖情况见附件", "获奖情况（见附件）", True),  # an opening mark inside is fine
        ("钳工车工", "钳工、车工。", True),  # two marks at once
        ("工作认真负责", "工作认真负贵。", False),  # a character changed
        ("工作认真负责", "工作认真负。", False),  # a character lost
        ("工作认真负责", "工作认真负责“", False),  # an opening mark cannot end a line (a speck)
        ("工作认真负责", "工作认真负责（", False),
        ("工作认真负责", "工作认真负责", False),  # nothing added
        ("工作认真负责", "工作认真负责了", False),  # a character added, not a mark
        ("", "。", False),  # nothing to mend
        ("2019年", "2019年.", False),  # an ASCII stop at a line end: a sliver of the next cell
        ("2019年", "2O19年.", False),
        # 一, one thin stroke, goes where a mark may, between Han characters or after the last
        ("长江路195号综合楼", "长江路195号综合楼一", True),
        ("获一等奖二等奖", "获一等奖一二等奖", True),
        ("综合楼", "一综合楼", False),  # not before the start
        ("电话0358", "电话0358一", False),  # after a digit it is a dash
        ("共12台", "共12一台", False),
        ("型号AB", "型号A一B", False),
    ],
)
def test_adds_punctuation(old: str, new: str, expected: bool) -> None:
    assert adds_punctuation(old, new) is expected


# --- which rows are read again --------------------------------------------------------------------


def test_only_the_row_with_a_mark_past_its_box_is_read_again() -> None:
    sheet = Sheet()
    (line, short), (mark_x0, mark_x1) = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    engine = MarkEngine()
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 0  # the engine read nothing
    assert len(engine.rows) == 1  # not the short row, not the label cells
    crop = engine.rows[0]
    ink_cols = np.flatnonzero((crop.min(axis=2) < 200).any(axis=0))
    span = ink_cols[-1] - ink_cols[0] + 1
    old_width = line.bbox[2] - line.bbox[0]
    # the crop reaches the 。 and the part of its ring beyond the rule
    assert mark_x1 > RULE + 3
    assert span >= mark_x1 - line.bbox[0] - 1
    assert span > old_width + (mark_x1 - mark_x0) // 2
    # ... and holds one row: the short row below is not in it
    assert crop.shape[0] < 2 * FONT_PX + 16


def test_the_mended_row_keeps_its_full_stop() -> None:
    sheet = Sheet()
    (line, short), (_, mark_x1) = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    before = _texts(grid)
    engine = MarkEngine([[(FULL + "。", 0.99)]])
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 1
    cell = _value(grid)
    assert cell.raw == f"{FULL}。\n{SHORT}"
    assert [c.raw for c in grid.ordered() if c is not cell] == [t for t, c in zip(before, grid.ordered(), strict=True)
                                                              if c is not cell]
    new = next(ln for ln in cell.lines if ln.text.endswith("。"))
    # its box now covers the mark, in grid-frame coordinates, and is no more sure than before
    # (up to the rule: the ring's sliver past the erased rule reaches the recogniser in the pad)
    assert new.bbox[0] <= line.bbox[0] and RULE - 1 <= new.bbox[2] <= mark_x1 + 1
    assert new.bbox[1] <= line.bbox[1] and new.bbox[3] < ROW_Y[1]
    assert new.confidence == pytest.approx(line.confidence)
    assert any(ln is short for ln in cell.lines)  # the other row is the same object still


def test_a_faint_full_stop_is_found_too() -> None:
    # A scanned 。 is a thin ring that never gets as dark as a stroke.
    sheet = Sheet()
    (line, short), _ = _full_stop_at_rule(sheet, grey=185)
    grid = _grid(sheet, [line, short])
    engine = MarkEngine([[(FULL + "。", 0.9)]])
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 1
    assert len(engine.rows) == 1
    assert _value(grid).raw == f"{FULL}。\n{SHORT}"


@pytest.mark.parametrize(
    "reading",
    [
        FULL[:-1] + "美。",  # a character read differently
        FULL + "“",  # an opening mark at the end: a speck
        FULL,  # no mark found after all
        "",  # nothing read
    ],
)
def test_a_reading_that_is_not_old_text_plus_marks_changes_nothing(reading: str) -> None:
    sheet = Sheet()
    (line, short), _ = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    engine = MarkEngine([[(reading, 0.99)]])
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 0
    assert len(engine.rows) == 1
    assert _value(grid).lines[0] is line and _value(grid).lines[1] is short


def test_rows_with_no_ink_past_their_boxes_send_nothing() -> None:
    sheet = Sheet()
    full = sheet.write(FULL, ROW_Y[0], right=RULE - 12)  # ends close to the rule, no mark
    short = sheet.write(SHORT, ROW_Y[1], left=int(full.bbox[0]))
    lower = sheet.write(SHORT + "。", ROW_Y[0] + 130, left=int(full.bbox[0]))  # its box holds its 。
    grid = _grid(sheet, [full, short], lower=[lower])
    engine = MarkEngine()
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 0
    assert engine.batches == []


def test_the_grey_fringe_of_a_rule_is_no_mark() -> None:
    sheet = Sheet()
    full = sheet.write(FULL, ROW_Y[0], right=RULE - 12)
    grid = _grid(sheet, [full])
    sheet.fringe = RULE - 1
    img = sheet.image()
    engine = MarkEngine()
    assert mend_punctuation([grid], img, engine, UNIT) == 0
    assert engine.batches == []
    # a fringe dark enough to count as ink would be found if it were taken for a mark
    assert (img[ROW_Y[0]:ROW_Y[0] + FONT_PX, RULE - 1] < 210).all()


@pytest.mark.parametrize(("size", "sent"), [(2, False), (3, False), (7, True)])
def test_specks_past_the_end_are_no_marks(size: int, sent: bool) -> None:
    sheet = Sheet()
    full = sheet.write(FULL, ROW_Y[0], right=RULE - 24)
    sheet.specks.append((int(full.bbox[2]) + 8, int(full.bbox[3]) - size - 1, size))
    grid = _grid(sheet, [full])
    engine = MarkEngine()
    mend_punctuation([grid], sheet.image(), engine, UNIT)
    assert (len(engine.rows) == 1) is sent  # a 7 px dot is a full stop's size; 2-3 px is dust


def test_a_mark_between_two_boxes_of_a_row_is_put_back() -> None:
    sheet = Sheet()
    left = sheet.write("钳工", ROW_Y[0], left=XS[1] + 15)
    _, x1 = sheet.mark("、", ROW_Y[0], int(left.bbox[2]) + 2)
    right = sheet.write("车工", ROW_Y[0], left=x1 + 22)
    grid = _grid(sheet, [left, right])
    assert _value(grid).text == "钳工 车工"
    engine = MarkEngine([[("钳工、车工", 0.95)]])
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 1
    assert len(engine.rows) == 1
    # Each box keeps its own text, the mark going with the box before it, so the gap between
    # the boxes still reads as one (a space between a unit and a post is part of the value).
    lines = sorted(_value(grid).lines, key=lambda ln: ln.bbox[0])
    assert [ln.text for ln in lines] == ["钳工、", "车工"]
    assert [ln.bbox for ln in lines] == [left.bbox, right.bbox]
    assert all(ln.confidence == pytest.approx(0.95) for ln in lines)
    assert _value(grid).text == "钳工、 车工"


def test_engine_without_a_bare_recogniser_changes_nothing() -> None:
    sheet = Sheet()
    (line, short), _ = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    before = _texts(grid)
    engine = PageOnlyEngine()
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 0
    assert len(engine.rows) == 1  # it was asked, and said it cannot
    assert _texts(grid) == before


@pytest.mark.parametrize(("first", "margin"), [("一等奖", 12), ("无", 20)])
def test_the_next_cells_text_past_the_rule_is_no_mark(first: str, margin: int) -> None:
    # A full line without a mark, and the neighbouring cell's text starting a cell margin
    # past the rule: that ink is the next cell's, not a mark of this row.
    sheet = Sheet()
    full = sheet.write(FULL, ROW_Y[0], right=RULE - 8)
    other = sheet.write(first, ROW_Y[0], left=RULE + 3 + margin)
    grid = _grid(sheet, [full], neighbour=[other])
    engine = MarkEngine()
    mend_punctuation([grid], sheet.image(), engine, UNIT)
    assert engine.batches == []


def test_a_full_stop_before_the_rule_does_not_reach_into_the_next_cell() -> None:
    # The 。 ends 5 px before the rule; the next cell's text starts 6 px past it.
    sheet = Sheet()
    bx0, _, bx1, _ = _ink_box("。")
    mark_left = RULE - 5 - (bx1 - bx0)
    full = sheet.write(FULL, ROW_Y[0], right=mark_left - 2)
    sheet.mark("。", ROW_Y[0], mark_left)
    other = sheet.write("一等奖", ROW_Y[0], left=RULE + 3 + 6)
    grid = _grid(sheet, [full], neighbour=[other])
    engine = MarkEngine([[(FULL + "。", 0.99)]])
    assert mend_punctuation([grid], sheet.image(), engine, UNIT) == 1
    [line] = _value(grid).lines
    assert line.bbox[2] <= RULE + 3  # the row read again stops at the rule


# --- in page_layout -------------------------------------------------------------------------------


def _scan_page(sheet: Sheet, lines: list[TextLine]) -> Page:
    img = sheet.image()
    return Page(number=1, kind=PageKind.SCAN, source="drawn", width=float(W), height=float(H),
                lines=lines, load_image=lambda: img)


@pytest.mark.parametrize("mend", [True, False])
def test_page_layout_mends_only_when_the_settings_say_so(mend: bool) -> None:
    sheet = Sheet()
    (line, short), _ = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    labels = [ln for c in grid.cells if c.col == 0 for ln in c.lines]
    page = _scan_page(sheet, [*labels, line, short])
    # first call: the cells read again (the page reading is kept for cells it read);
    # second call: the row with the 。
    engine = MarkEngine([[], [(FULL + "。", 0.99)]])
    settings = replace(CellReadSettings(), mend_punctuation=mend)
    layout = page_layout(page, CellReader(engine, settings))
    [table] = layout.grids
    value = next(c for c in table.cells if FULL in c.text)
    assert len(engine.batches) == (2 if mend else 1)
    if mend:
        assert len(engine.batches[1]) == 1
        assert value.raw == f"{FULL}。\n{SHORT}"
    else:
        assert value.raw == f"{FULL}\n{SHORT}"


# --- with the real recogniser ---------------------------------------------------------------------


@pytest.mark.real_ocr
def test_real_recogniser_reads_the_full_stop_on_the_rule() -> None:
    sheet = Sheet()
    (line, short), _ = _full_stop_at_rule(sheet)
    grid = _grid(sheet, [line, short])
    assert mend_punctuation([grid], sheet.image(), get_engine("rapidocr"), UNIT) == 1
    assert _value(grid).raw == f"{FULL}。\n{SHORT}"


def test_a_mark_inside_a_number_is_refused() -> None:
    # A speck between digits read as "." or ":" would change the number (120 -> 1.20).
    assert not adds_punctuation("面积120㎡", "面积1.20㎡")
    assert not adds_punctuation("2019年", "20:19年")
    assert adds_punctuation("共12、13届", "共12、13届。")
    assert adds_punctuation("12台13人", "12台，13人")
