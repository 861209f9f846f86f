"""The image grid builder on phone photos of a form page (issue #3): vertical rules leaning by
perspective while the text stays level, and a page photographed on a dark background whose
paper edge must not be read as a table."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from shenbao.extractors.form.grid import Grid
from shenbao.extractors.form.grid_image import grids_from_image
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import TextLine
from tests import _form_builders as fb
from tests.test_form_grid import by_text, check_main_grid

DPI = 200
SCALE = DPI / 72.0


def rendered(tmp_path: Path, form: fb.FormPage) -> tuple[np.ndarray, list[TextLine]]:
    """The form page as a 200 dpi image and its words as OCR-like lines in image px."""
    path = fb.draw_pdf(tmp_path / "page.pdf", [form])
    words = [TextLine(ln.text, tuple(v * SCALE for v in ln.bbox), 0.97) for ln in ingest(path).pages[0].lines]
    return fb.render(path, 0, DPI), words


def photographed(image: np.ndarray, words: list[TextLine], m: np.ndarray, size: tuple[int, int],
                 background: tuple[int, int, int] = (255, 255, 255)) -> tuple[np.ndarray, list[TextLine]]:
    """The page seen through the 3x3 map `m` on a canvas of `size` (w, h) filled with
    `background`, and its words as OCR reads them there (moved quadrilaterals as polygons)."""
    out = cv2.warpPerspective(image, m, size, flags=cv2.INTER_LINEAR, borderValue=background)
    lines = []
    for wd in words:
        x0, y0, x1, y1 = wd.bbox
        quad = cv2.perspectiveTransform(np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype=np.float64), m)[0]
        box = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))
        lines.append(TextLine(wd.text, box, wd.confidence, polygon=[(float(x), float(y)) for x, y in quad]))
    return out, lines


def keystone(w: int, h: int, left_deg: float, right_deg: float) -> np.ndarray:
    """A camera not square to the page: top and bottom edges stay level (so does the text),
    the left edge leans `left_deg`, the right edge `right_deg` (both lean the same way, by
    different amounts: the bottom is nearer the lens)."""
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    top_l, top_r = 30.0, w - 130.0
    dst = np.float32([[top_l, 0], [top_r, 0],
                      [top_r + h * np.tan(np.radians(right_deg)), h], [top_l + h * np.tan(np.radians(left_deg)), h]])
    return cv2.getPerspectiveTransform(src, dst)


def on_background(w: int, h: int, scale: float, angle: float, offset: tuple[float, float]) -> np.ndarray:
    """The page scaled by `scale` and turned by `angle` degrees on a canvas, its top-left
    corner near `offset` (a hand-held photo of a sheet lying on a desk)."""
    turn = np.vstack([cv2.getRotationMatrix2D((w * scale / 2, h * scale / 2), angle, 1.0), [0, 0, 1]])
    return np.array([[1, 0, offset[0]], [0, 1, offset[1]], [0, 0, 1]]) @ turn @ np.diag([scale, scale, 1.0])


def test_leaning_vertical_rules_still_split_every_row(tmp_path: Path) -> None:
    """Vertical rules leaning 3° on the left and 2° on the right, rows of 78-83 px: every row
    keeps its label and value cells, and the OCR lines land in their own cells."""
    image, words = rendered(tmp_path, fb.main_form())
    h, w = image.shape[:2]
    m = keystone(w, h, 3.0, 2.0)
    photo, lines = photographed(image, words, m, (w, h))
    grids, outside = grids_from_image(photo, lines, 1)
    assert len(grids) == 1 and outside == []
    grid = grids[0]
    check_main_grid(grid)
    cells = by_text(grid)
    # the bottom rows, where the rules have drifted furthest, split like the top ones
    assert [c.text for c in grid.right_of(cells["技能大师工作业绩"])] == [fb.ACHIEVEMENTS_1.replace("\n", "")]
    assert [c.text for c in grid.right_of(cells["身份证号"])] == ["141124198404133956"]
    assert [c.text for c in grid.right_of(cells["薛武"])] == ["女"]
    # boxes map back to the photo: each cell's page box holds the OCR line read in it
    for text in ("申报单位名称", "1984.04", "薛武", "焊工", "技能大师工作业绩"):
        line = next(ln for ln in lines if ln.text == text)
        cell = next(c for c in grid.cells if c.text == text)
        x0, y0, x1, y1 = grid.page_bbox(cell.bbox)
        assert x0 <= line.cx <= x1 and y0 <= line.cy <= y1, text


def test_one_lean_and_an_askew_photo(tmp_path: Path) -> None:
    """Both sides leaning 2.5° (a plain shear) on a photo that is also turned by 1.2°."""
    image, words = rendered(tmp_path, fb.main_form())
    h, w = image.shape[:2]
    turn = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), 1.2, 1.0), [0, 0, 1]])
    photo, lines = photographed(image, words, turn @ keystone(w, h, 2.5, 2.5), (w, h))
    grids, outside = grids_from_image(photo, lines, 1)
    assert len(grids) == 1 and outside == []
    check_main_grid(grids[0])


def stacked_photo(image: np.ndarray, words: list[TextLine], scale: float) -> tuple[np.ndarray, list[TextLine]]:
    """The page on a dark desk, slightly turned, with the sheet below it showing along the top
    and the page's shadow on it (its paper edge and that strip close a region round the whole
    page, as on real photos)."""
    h, w = image.shape[:2]
    cw, ch = int(w * 1.06), int(h * 1.15)
    m = on_background(w, h, scale, 0.8, ((cw - w * scale) / 2, (ch - h * scale) / 2 + 80))
    photo, lines = photographed(image, words, m, (cw, ch), background=(40, 60, 45))
    under = np.full((h, w, 3), 215, dtype=np.uint8)  # the next sheet, a little higher up
    below = cv2.warpPerspective(under, np.array([[1, 0, 0], [0, 1, -150], [0, 0, 1]]) @ m, (cw, ch),
                                flags=cv2.INTER_LINEAR, borderValue=(40, 60, 45))
    sheet = cv2.warpPerspective(np.full((h, w), 255, dtype=np.uint8), m, (cw, ch), flags=cv2.INTER_NEAREST) > 0
    out = np.where(sheet[..., None], photo, below).astype(np.uint8)
    top = cv2.perspectiveTransform(np.array([[[0, 0], [w, 0]]], dtype=np.float64), m)[0]
    cv2.line(out, tuple(int(v) for v in top[0]), tuple(int(v) for v in top[1]), (90, 90, 90), 3)
    return out, lines


@pytest.mark.parametrize("scale", [0.95, 0.78])
def test_paper_edge_on_a_dark_desk_is_no_table(tmp_path: Path, scale: float) -> None:
    """A cover (labels, underlined values, no table) photographed on a dark desk: the paper's
    outline is not a table, and every line comes back as outside text."""
    image, words = rendered(tmp_path, fb.cover_form())
    photo, lines = stacked_photo(image, words, scale)
    grids, outside = grids_from_image(photo, lines, 1)
    assert grids == []
    assert [ln.text for ln in outside] == [ln.text for ln in lines]


def opinions_form() -> fb.FormPage:
    """The 意见 page: three opinion rows, each a label and one big cell for the text."""
    F = fb.FormCell
    cells = []
    for r, (label, text) in enumerate([("申报单位意见", "同意申报。"), ("县级人社部门意见", "情况属实，同意推荐。"),
                                       ("市级人社部门意见", "")]):
        cells += [F(r, 0, r + 1, 1, label, centred=True), F(r, 1, r + 1, 2, text)]
    return fb.FormPage(tables=[fb.Table([50, 150, 545], fb.edges(70, [230, 230, 230]), cells)])


def continuation_only() -> fb.FormPage:
    """A page holding only the achievements running on: one empty label cell beside one big
    value cell (a genuine two-cell table, almost as tall as the page)."""
    F = fb.FormCell
    cells = [F(0, 0, 1, 1, ""), F(0, 1, 1, 2, fb.ACHIEVEMENTS_1)]
    return fb.FormPage(tables=[fb.Table([50, 140, 545], [60, 760], cells)])


def _texts(grid: Grid) -> list[tuple[int, int, str]]:
    return [(c.row, c.col, c.text) for c in grid.ordered()]


def test_big_celled_tables_survive_on_a_photo(tmp_path: Path) -> None:
    """Real tables with few, big cells, photographed on a dark desk, are still tables."""
    image, words = rendered(tmp_path, opinions_form())
    photo, lines = stacked_photo(image, words, 0.95)
    grids, outside = grids_from_image(photo, lines, 1)
    assert len(grids) == 1 and outside == []
    assert (grids[0].n_rows, grids[0].n_cols) == (3, 2)
    assert _texts(grids[0]) == [(0, 0, "申报单位意见"), (0, 1, "同意申报。"), (1, 0, "县级人社部门意见"),
                                (1, 1, "情况属实，同意推荐。"), (2, 0, "市级人社部门意见"), (2, 1, "")]

    image, words = rendered(tmp_path, continuation_only())
    for scale in (0.95, 0.78):
        photo, lines = stacked_photo(image, words, scale)
        grids, outside = grids_from_image(photo, lines, 1)
        assert len(grids) == 1 and outside == []
        assert _texts(grids[0]) == [(0, 0, ""), (0, 1, fb.ACHIEVEMENTS_1.replace("\n", ""))]
