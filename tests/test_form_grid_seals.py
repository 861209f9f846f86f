"""Ink that is not a rule: a red seal stamped across a table's rules hides them where its ring
and lettering lie over them; the rule runs on under it, and the table keeps its rows."""

from __future__ import annotations

import cv2
import numpy as np

from shenbao.extractors.form.grid_image import grids_from_image
from shenbao.extractors.form.rule_finding import ruling_mask, seal_mask

W, H = 1200, 700
RED = (220, 40, 40)


def _table(seal: bool) -> np.ndarray:
    """4 rows x 3 columns of black rules; with `seal`, a red ring and a solid red band cross the
    second row rule and the first column rule the way a seal's ring and lettering cover them."""
    img = np.full((H, W, 3), 255, np.uint8)
    xs, ys = (100, 450, 800, 1100), (100, 250, 400, 550, 650)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), (0, 0, 0), 3)
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), (0, 0, 0), 3)
    if seal:
        cv2.circle(img, (600, 250), 110, RED, 14)
        cv2.rectangle(img, (520, 235), (690, 265), RED, -1)  # lettering over the rule
        cv2.rectangle(img, (435, 450), (465, 520), RED, -1)
    return img


def test_a_seal_is_coloured_ink_and_a_grey_page_has_none():
    assert seal_mask(_table(seal=True)).any()
    assert seal_mask(_table(seal=False)) is None
    assert seal_mask(cv2.cvtColor(_table(seal=True), cv2.COLOR_RGB2GRAY)) is None


def test_rules_run_on_under_a_seal():
    img = _table(seal=True)
    gray = img.max(axis=2)
    without = ruling_mask(gray, 30.0)
    with_seal = ruling_mask(gray, 30.0, seal_mask(img))
    row = slice(245, 256)
    assert without[row, 540:670].max() == 0  # the rule is hidden there
    assert (with_seal[row, 540:670].max(axis=0) > 0).all()  # and runs on under the seal
    column = slice(445, 456)
    assert (with_seal[460:510, column].max(axis=1) > 0).all()


def test_the_table_keeps_its_cells_under_a_seal():
    grids, _ = grids_from_image(_table(seal=True), [])
    grid = max(grids, key=lambda g: len(g.cells))
    assert (grid.n_rows, grid.n_cols, len(grid.cells)) == (4, 3, 12)
