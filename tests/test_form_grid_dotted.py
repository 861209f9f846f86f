"""Dotted and faint rules: a table whose inner rules are rows of pale dots keeps its cells; text
whose strokes touch its box edges and a worn copy's toner specks grow no rules."""

from __future__ import annotations

import cv2
import numpy as np

from shenbao.extractors.form.dotted import DottedRuleSettings, within_tables
from shenbao.extractors.form.grid_image import grids_from_image
from shenbao.extractors.form.rule_finding import ruling_mask
from shenbao.pipeline.types import TextLine

W, H = 1200, 800
XS, YS = (100, 450, 800, 1100), (100, 250, 400, 550, 700)
UNIT = 40


def _cells_text() -> list[TextLine]:
    """One text line in each cell, its box hugging the glyphs (as a detector draws them)."""
    lines = []
    for r in range(len(YS) - 1):
        for c in range(len(XS) - 1):
            x0, y0 = XS[c] + 40, YS[r] + 55
            lines.append(TextLine(f"格{r}{c}", (x0, y0, x0 + 6 * UNIT, y0 + UNIT)))
    return lines


def _draw_text(img: np.ndarray, lines: list[TextLine]) -> None:
    """Glyph-like strokes inside each box, the outer ones on the box's very edges: the first
    and last strokes of a line stand where its box starts and ends."""
    for ln in lines:
        x0, y0, x1, y1 = (int(v) for v in ln.bbox)
        for x in range(x0, x1, 20):
            cv2.line(img, (x, y0), (x, y1), (0, 0, 0), 2)
        cv2.line(img, (x0, y0), (x1, y0), (0, 0, 0), 2)
        cv2.line(img, (x0, y1), (x1, y1), (0, 0, 0), 2)


def _dotted_table(grey: int = 150, step: int = 8) -> np.ndarray:
    """A solid outer border, and inner rules printed as pale dots `step` px apart."""
    img = np.full((H, W, 3), 255, np.uint8)
    ink = (0, 0, 0)
    cv2.rectangle(img, (XS[0], YS[0]), (XS[-1], YS[-1]), ink, 3)
    for x in XS[1:-1]:
        for y in range(YS[0], YS[-1], step):
            cv2.circle(img, (x, y), 1, (grey,) * 3, -1)
    for y in YS[1:-1]:
        for x in range(XS[0], XS[-1], step):
            cv2.circle(img, (x, y), 1, (grey,) * 3, -1)
    return img


def _solid_table() -> np.ndarray:
    img = np.full((H, W, 3), 255, np.uint8)
    for x in XS:
        cv2.line(img, (x, YS[0]), (x, YS[-1]), (0, 0, 0), 3)
    for y in YS:
        cv2.line(img, (XS[0], y), (XS[-1], y), (0, 0, 0), 3)
    return img


def _shape(img: np.ndarray, lines: list[TextLine]) -> tuple[int, int, int]:
    grids, _ = grids_from_image(img, lines)
    grid = max(grids, key=lambda g: len(g.cells))
    return grid.n_rows, grid.n_cols, len(grid.cells)


def test_dotted_inner_rules_make_cells():
    lines = _cells_text()
    img = _dotted_table()
    _draw_text(img, lines)
    assert _shape(img, lines) == (4, 3, 12)


def test_dotted_rules_are_found_only_where_text_is_known():
    """Without the text's boxes there is nothing to tell a dotted rule from a line of text by:
    only the solid border is found."""
    img = _dotted_table()
    gray = img.max(axis=2)
    bare = ruling_mask(gray, UNIT)
    row = YS[1]
    assert bare[row - 2:row + 3, 200:400].max() == 0
    with_text = ruling_mask(gray, UNIT, text=[ln.bbox for ln in _cells_text()])
    assert (with_text[row - 2:row + 3, 200:400].max(axis=0) > 0).all()


def test_text_touching_its_box_edges_grows_no_rules():
    lines = _cells_text()
    img = _solid_table()
    _draw_text(img, lines)
    assert _shape(img, lines) == (4, 3, 12)


def test_toner_specks_grow_no_rules():
    rng = np.random.default_rng(7)
    lines = _cells_text()
    img = _solid_table()
    _draw_text(img, lines)
    specks = rng.random((H, W)) < 0.03
    img[specks] = 90
    assert _shape(img, lines) == (4, 3, 12)


def test_settings_are_validated():
    for bad in ({"min_cover": 0.0}, {"peak_ratio": 0.5}, {"window": 0}, {"faint_contrast": 300},
                {"text_margin": -1}, {"min_free": 2}):
        try:
            DottedRuleSettings(**bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")


def test_a_copier_streak_down_the_page_is_no_rule():
    """A faint line from the top of the page to the bottom, through the table and out into the
    margins, is a copier's streak, though text breaks it into pieces that each end on a rule;
    a dotted rule ends at the table's border."""
    cross = np.zeros((H, W), np.uint8)
    for y in YS:
        cross[y - 1:y + 2, XS[0]:XS[-1]] = 255
    streak = np.zeros_like(cross)
    for y0, y1 in ((5, YS[1]), (YS[2], YS[3]), (YS[3] + 60, H - 5)):  # text hides the rest
        streak[y0:y1, 600:602] = 255
    assert not within_tables(streak, cross, UNIT, horizontal=False).any()
    rule = np.zeros_like(cross)
    for y0, y1 in ((YS[0], YS[1]), (YS[2], YS[-1])):
        rule[y0:y1, 600:602] = 255
    assert (within_tables(rule, cross, UNIT, horizontal=False) == rule).all()


def test_a_large_page_is_searched_at_half_size_with_the_same_rules():
    """Pages past `half_size_from` are searched at half size (a quarter of the work); the rules
    found are where the full-size search puts them, to within the pixel the halving costs."""
    from shenbao.extractors.form.dotted import dotted_rules
    from shenbao.extractors.form.rule_finding import _contrast, gray_of

    img = _dotted_table()
    contrast = _contrast(gray_of(img), UNIT)
    boxes = [ln.bbox for ln in _cells_text()]
    full = dotted_rules(contrast, boxes, None, UNIT, True)
    half = dotted_rules(contrast, boxes, None, UNIT, True, settings=DottedRuleSettings(half_size_from=100))
    for y in YS[1:-1]:
        for found in (full, half):
            rows = np.flatnonzero(found[:, 200:1000].any(axis=1))
            assert rows.size and min(abs(rows - y)) <= 2, (y, rows)
    assert not half[YS[1] + 30:YS[2] - 30, 200:1000].any()
