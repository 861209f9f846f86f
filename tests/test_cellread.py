"""Second reading of scanned form cells once the grid is known (shenbao.extractors.form.cellread)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from shenbao.extractors.form import cellread
from shenbao.extractors.form.cellread import CellReadSettings, reread_cells
from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.form.reader import CellReader, read_form
from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.synthetic import cjk_font_path
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import Page, TextLine
from tests import _form_builders as fb

RED = (220, 40, 40)


def _text_image(rows: list[str], size: tuple[int, int] = (600, 160), font_px: int = 36) -> np.ndarray:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(cjk_font_path()), font_px)
    for i, text in enumerate(rows):
        draw.text((20, 20 + i * (font_px + 24)), text, fill="black", font=font)
    return np.array(img)


class ScriptedEngine(OcrEngine):
    """Answers read_lines from a script and keeps the row images it was given."""

    name = "scripted"

    def __init__(self, answers: list[tuple[str, float]]) -> None:
        self.answers = answers
        self.rows: list[np.ndarray] = []

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        raise AssertionError("cell reading must not run detection")

    def read_page(self, image: np.ndarray) -> PageOcr:
        raise AssertionError("cell reading must not read pages")

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        self.rows += rows
        return self.answers[: len(rows)]


class PageOnlyEngine(ScriptedEngine):
    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        return OcrEngine.read_lines(self, rows)


# --- image steps ----------------------------------------------------------------------------------


def test_red_seal_is_washed_out_and_print_stays() -> None:
    img = _text_image(["1990.03"])
    assert not cellread.has_red(img)
    cv2.circle(img, (150, 50), 60, RED, 8)
    assert cellread.has_red(img)
    gray = cellread.drop_red(img)
    ring = np.zeros(gray.shape, np.uint8)
    cv2.circle(ring, (150, 50), 60, 255, 4)
    text = (cv2.cvtColor(_text_image(["1990.03"]), cv2.COLOR_RGB2GRAY) < 100) & (ring == 0)
    assert gray[(ring > 0) & ~text].min() == 255  # the seal is paper now
    assert np.median(gray[text]) < 100  # the print is still print


def test_text_rows_and_rule_remnants() -> None:
    gray = cv2.cvtColor(_text_image(["第一行文字内容", "第二行"]), cv2.COLOR_RGB2GRAY)
    gray[2:5, :] = 0  # what is left of the cell's top rule after the inset
    gray[:, 595:598] = 0  # and of its right rule
    unit = 36.0
    clean = cellread.erase_rules(gray, unit, CellReadSettings().rule_len_ratio)
    rows = cellread.text_rows(clean, unit, CellReadSettings())
    assert len(rows) == 2
    (x0, y0, x1, y1), (_, y2, x3, _) = rows
    assert y0 > 10 and y1 <= y2  # the rule is gone, rows top to bottom
    assert x1 > x3  # the first row is the longer one
    assert x1 < 590  # the right rule is gone


def test_a_row_ends_where_its_print_does_not_at_the_toner_dust_beyond_it() -> None:
    # A photocopied 获奖情况 cell: "无", then toner dust across the rest of the cell (0.4% of
    # its area dark, as bench/degraded_corpus.py's photocopies have it).
    gray = cv2.cvtColor(_text_image(["无。"]), cv2.COLOR_RGB2GRAY)
    print_cols = np.flatnonzero((gray < 128).any(axis=0))
    rng = np.random.default_rng(7)
    for x, y in zip(rng.integers(140, 590, 28), rng.integers(20, 60, 28), strict=True):
        gray[y, x : x + 2] = 60
    (x0, _, x1, _), = cellread.text_rows(gray, 36.0, CellReadSettings())
    assert x0 == print_cols[0] and x1 == print_cols[-1] + 1  # the 。 kept, the dust left out
    # A row of dust alone is no row.
    dust = np.full((80, 600), 250, np.uint8)
    dust[30:32, 100:102] = dust[40:42, 300:302] = dust[35:37, 500:502] = 60
    assert cellread.text_rows(dust, 36.0, CellReadSettings()) == []


def test_empty_crop_has_no_rows() -> None:
    gray = np.full((80, 300), 250, np.uint8)
    assert cellread.text_rows(gray, 30.0, CellReadSettings()) == []


# --- policies -------------------------------------------------------------------------------------


def _grid_and_image() -> tuple[Grid, np.ndarray]:
    """Three cells side by side: text the page reading missed, text it read, text under a seal."""
    img = np.full((120, 930, 3), 255, np.uint8)
    font = ImageFont.truetype(str(cjk_font_path()), 32)
    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    for x, text in ((20, "1990.03"), (330, "中共党员"), (640, "汉族")):
        draw.text((x, 40), text, fill="black", font=font)
    img = np.array(pil)
    for x in (0, 310, 620, 929):
        img[:, x:x + 3] = 0
    img[0:3, :] = 0
    img[117:120, :] = 0
    cv2.circle(img, (700, 60), 45, RED, 6)
    cells = [
        Cell(0, 0, 1, 1, (0, 0, 310, 120), []),
        Cell(0, 1, 1, 1, (310, 0, 620, 120), [TextLine("中共党员", (330, 40, 460, 75), 0.99)]),
        Cell(0, 2, 1, 1, (620, 0, 929, 120), [TextLine("汉旗", (640, 40, 710, 75), 0.99)]),
    ]
    return Grid(page=1, cells=cells, n_rows=1, n_cols=3), img


@pytest.mark.parametrize(
    ("policy", "texts"),
    [
        ("fill", ["1990.03", "中共党员", "汉旗"]),
        ("seals", ["1990.03", "中共党员", "汉族"]),
        ("replace", ["1990.03", "中共党贞", "汉族"]),
    ],
)
def test_policy_decides_which_reading_a_cell_keeps(policy: str, texts: list[str]) -> None:
    grid, img = _grid_and_image()
    engine = ScriptedEngine([("1990.03", 0.9), ("中共党贞", 0.8), ("汉族", 0.95)])
    reread_cells([grid], img, engine, unit=32.0, settings=CellReadSettings(policy=policy))
    assert len(engine.rows) == 3  # one text row per cell, nothing from the rules or the seal
    assert [c.text for c in grid.ordered()] == texts
    filled = grid.ordered()[0].lines[0]
    # the new line's box is in the grid's frame, inside its cell, around the printed text
    assert 0 < filled.bbox[0] < 40 and 25 < filled.bbox[1] < 50 and filled.bbox[2] < 310
    assert filled.confidence == 0.9


def test_engine_without_a_bare_recogniser_changes_nothing() -> None:
    grid, img = _grid_and_image()
    before = [c.text for c in grid.ordered()]
    assert reread_cells([grid], img, PageOnlyEngine([]), unit=32.0) == 0
    assert [c.text for c in grid.ordered()] == before


def test_unknown_policy_is_refused() -> None:
    grid, img = _grid_and_image()
    with pytest.raises(ValueError, match="policy"):
        reread_cells([grid], img, ScriptedEngine([]), 32.0, CellReadSettings(policy="sometimes"))


# --- with the real recogniser, through read_form ------------------------------------------------


@pytest.fixture(scope="module")
def form_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fb.draw_pdf(tmp_path_factory.mktemp("cellread") / "form.pdf", [fb.main_form()])


def _scan(form_pdf: Path, seal: tuple[float, float] | None = None) -> Page:
    text_page = ingest(form_pdf).pages[0]
    return fb.scan_page(text_page, fb.render(form_pdf, 0), angle=1.2, confidence=0.96, seal=seal)


def test_value_the_page_reading_missed_is_read_from_its_cell(form_pdf: Path) -> None:
    page = _scan(form_pdf)
    page.lines = [ln for ln in page.lines if ln.text != "1984.04"]  # the detector missed it
    assert read_form([page], "lvliang-2025")["master_birth"].value is None
    cells = CellReader(get_engine("rapidocr"), CellReadSettings(policy="fill"))
    fields = read_form([page], "lvliang-2025", cells=cells)
    assert fields["master_birth"].value == "1984-04"
    assert fields["master_name"].value == "戴勇辉"  # cells the page reading had are kept


def test_value_under_a_seal_is_read_again_without_the_seal(form_pdf: Path) -> None:
    # A seal over the 身份证号 cell; its strokes made the page reading see a 6 as an 8.
    page = _scan(form_pdf, seal=(255.0, 345.0))
    page.lines = [replace(ln, text="141124198404133958") if ln.text == "141124198404133956" else ln
                  for ln in page.lines]
    engine = get_engine("rapidocr")
    plain = CellReadSettings(policy="fill", reread_typed=False)
    kept = read_form([page], "lvliang-2025", cells=CellReader(engine, plain))
    assert kept["master_id_number"].value != "141124198404133956"
    # The wrong digit breaks the check digit: decoded again under the ID grammar, the cell's
    # own frames give the number back even where the page reading is otherwise kept.
    typed = read_form([page], "lvliang-2025", cells=CellReader(engine, CellReadSettings(policy="fill")))
    assert typed["master_id_number"].value == "141124198404133956"
    assert typed["master_id_number"].reread_from == "141124198404133958"
    fields = read_form([page], "lvliang-2025", cells=CellReader(engine, CellReadSettings(policy="seals")))
    assert fields["master_id_number"].value == "141124198404133956"
