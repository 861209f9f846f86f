"""The form grid: ruled tables rebuilt as cells with spans, from a text layer and from an image."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shenbao.extractors.form.grid import Cell, Grid, assign_lines, join_lines
from shenbao.extractors.form.grid_image import grids_from_image
from shenbao.extractors.form.grid_text import grids_from_rulings
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import Page, TextLine
from tests import _form_builders as fb


@pytest.fixture(scope="module")
def main_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fb.draw_pdf(tmp_path_factory.mktemp("grid") / "form.pdf", [fb.main_form()])


@pytest.fixture(scope="module")
def main_page(main_pdf: Path) -> Page:
    return ingest(main_pdf).pages[0]


def by_text(grid: Grid) -> dict[str, Cell]:
    return {c.text: c for c in grid.cells if c.text}


def check_main_grid(grid: Grid) -> None:
    """What the main form's table must come out as, whichever way it was read."""
    form = fb.main_form().tables[0]
    assert len(grid.cells) == len(form.cells)
    cells = by_text(grid)
    # merged cells: the unit's name spans 3 lattice columns, the group label 4 rows
    unit = cells["山西鑫海重工集团有限公司"]
    assert (unit.col_span, unit.row_span) == (3, 1)
    group = cells["团队成员"]
    assert group.row_span == 4 and group.col_span == 1
    # a label written over three lines reads as one text
    assert "获得中华技能大奖、全国技术能手、三晋技术能手等人才" in cells
    # a multi-line value keeps its rows apart in `raw`
    honours = cells["2011年吕梁技术能手享受山西省政府特殊津贴（2013年）"]
    assert honours.raw == "2011年吕梁技术能手\n享受山西省政府特殊津贴（2013年）"
    # words separated by a space stay separated
    assert "交通银行吕梁交城支行 3757175630174952819" in cells
    # neighbours by shared borders, including the row with its own column structure
    assert [c.text for c in grid.right_of(cells["联系人"])] == ["邹俊峰"]
    assert [c.text for c in grid.right_of(cells["手机"])] == ["13912345678"]
    assert [c.text for c in grid.right_of(group)] == ["姓名", "任兵志", "田涛鹏", "薛武"]
    assert [c.text for c in grid.below(cells["姓名"])] == ["任兵志"]
    # an empty cell is still a cell
    fax = grid.right_of(cells["传真"])
    assert len(fax) == 1 and fax[0].text == ""


def test_text_layer_grid_from_rects(main_page: Page) -> None:
    grids, outside = grids_from_rulings(main_page.rulings, main_page.lines, main_page.number)
    assert len(grids) == 1 and outside == []
    check_main_grid(grids[0])
    assert all(c.confidence == 1.0 for c in grids[0].cells)


def test_text_layer_grid_from_line_segments(tmp_path: Path) -> None:
    path = fb.draw_pdf(tmp_path / "lines.pdf", [fb.main_form()], as_rects=False)
    page = ingest(path).pages[0]
    grids, _ = grids_from_rulings(page.rulings, page.lines, page.number)
    assert len(grids) == 1
    check_main_grid(grids[0])


def test_two_tables_and_caption_outside(tmp_path: Path) -> None:
    path = fb.draw_pdf(tmp_path / "awards.pdf", [fb.award_table_form()])
    page = ingest(path).pages[0]
    grids, outside = grids_from_rulings(page.rulings, page.lines, page.number)
    assert len(grids) == 2
    assert sorted(ln.text for ln in outside) == ["其它获奖情况：", "省部级获奖情况："]
    assert all(g.n_cols == 7 for g in grids)


def test_image_grid_matches_text_grid(main_pdf: Path, main_page: Page) -> None:
    image = fb.render(main_pdf, 0)
    scan = fb.scan_page(main_page, image)
    grids, outside = grids_from_image(image, scan.lines, 1)
    assert len(grids) == 1 and outside == []
    check_main_grid(grids[0])
    # confidence of a cell: its lowest OCR line
    cell = by_text(grids[0])["2011年吕梁技术能手享受山西省政府特殊津贴（2013年）"]
    assert cell.confidence == min(ln.confidence for ln in cell.lines) < 1.0


def test_image_grid_on_a_turned_page_with_a_seal(main_pdf: Path, main_page: Page) -> None:
    """A photo a little askew, with a red seal ring over the unit's name and the phone cells."""
    image = fb.render(main_pdf, 0)
    scan = fb.scan_page(main_page, image, angle=1.6, seal=(230.0, 110.0))
    grids, _ = grids_from_image(scan.load_image(), scan.lines, 1)
    assert len(grids) == 1
    check_main_grid(grids[0])
    grid = grids[0]
    # boxes map back to the page image: the name's cell holds the name's OCR line
    name_line = next(ln for ln in scan.lines if ln.text == "戴勇辉")
    cell = by_text(grid)["戴勇辉"]
    x0, y0, x1, y1 = grid.page_bbox(cell.bbox)
    assert x0 <= name_line.cx <= x1 and y0 <= name_line.cy <= y1


def photocopy(image: np.ndarray, streaks_x: tuple[int, ...], streak_y: int) -> np.ndarray:
    """The page as a worn photocopy: ink dark grey on a light grey page, with toner streaks
    down it (and one across: a scanner lamp's line), each as long as the page."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    toned = 80.0 + gray / 255.0 * (215.0 - 80.0)
    for x in streaks_x:
        toned[:, x:x + 2] *= 0.75
    toned[streak_y:streak_y + 2, :] *= 0.75
    return cv2.cvtColor(toned.astype(np.uint8), cv2.COLOR_GRAY2RGB)


BORDER_PX = round(545 * 200 / 72)  # the main form table's right border at 200 dpi


@pytest.mark.parametrize(
    ("streaks", "angle"),
    [
        # Through the middle of value cells (the unit's name, the phones), and one across the
        # rows of the member list.
        (lambda w, h: ((int(w * 0.42), int(w * 0.71)), int(h * 0.37)), 2.2),
        # A few pixels right of the right border: the two merge into one line from the page's
        # top to its bottom, ending on no rule.
        (lambda w, h: ((BORDER_PX + 4,), h - 5), 1.4),
    ],
    ids=["across the cells", "along the border"],
)
def test_toner_streaks_on_a_photocopied_table_are_no_rules(main_pdf: Path, main_page: Page, streaks, angle) -> None:
    image = fb.render(main_pdf, 0)
    h, w = image.shape[:2]
    copy = photocopy(image, *streaks(w, h))
    scan = fb.scan_page(main_page, copy, angle=angle)
    grids, _ = grids_from_image(scan.load_image(), scan.lines, 1)
    assert len(grids) == 1
    check_main_grid(grids[0])


def test_ocr_line_across_a_rule_is_cut(main_pdf: Path, main_page: Page) -> None:
    image = fb.render(main_pdf, 0)
    scan = fb.scan_page(main_page, image, merge=[("性别", "男")])
    assert any(ln.text == "性别 男" for ln in scan.lines)
    grids, _ = grids_from_image(image, scan.lines, 1)
    grid = grids[0]
    assert not any("性别" in c.text and "男" in c.text for c in grid.cells)
    # both 性别 cells (the master's row, the member list's header) keep their own text and
    # the 男 beside or below them
    master, header = sorted((c for c in grid.cells if c.text == "性别"), key=lambda c: c.row)
    assert [c.text for c in grid.right_of(master)] == ["男"]
    assert [c.text for c in grid.below(header)] == ["男"]


def test_cover_underlines_make_no_table(tmp_path: Path) -> None:
    path = fb.draw_pdf(tmp_path / "cover.pdf", [fb.cover_form()])
    page = ingest(path).pages[0]
    grids, outside = grids_from_rulings(page.rulings, page.lines, page.number)
    assert grids == [] and len(outside) == len(page.lines)
    image = fb.render(path, 0)
    grids, _ = grids_from_image(image, [], 1)
    assert grids == []


def test_join_lines_spaces_and_rows() -> None:
    lines = [
        TextLine("交通银行吕梁交城支行", (10, 10, 110, 20)),
        TextLine("3757175630174952819", (116, 10, 200, 20)),
        TextLine("培训中心", (10, 24, 50, 34)),
    ]
    assert join_lines(lines) == "交通银行吕梁交城支行 3757175630174952819培训中心"
    assert join_lines(lines, row_sep="\n") == "交通银行吕梁交城支行 3757175630174952819\n培训中心"


def test_assign_lines_outside_grid() -> None:
    grid = Grid(page=1, cells=[Cell(0, 0, 1, 1, (0, 0, 50, 20)), Cell(0, 1, 1, 1, (50, 0, 100, 20))], n_rows=1, n_cols=2)
    inside = TextLine("负责人", (5, 5, 40, 15))
    title = TextLine("申报表", (0, 30, 40, 40))
    assert assign_lines([grid], [inside, title]) == [title]
    assert grid.cells[0].lines == [inside]
