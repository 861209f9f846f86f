"""Orientation and deskew: geometry (fast) and real OCR of turned / skewed rendered pages."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from shenbao.extractors.ocr import get_engine, orientation, updown
from shenbao.extractors.ocr.geometry import as_rgb, order_quad, quad_angle, transform_quads
from shenbao.extractors.ocr.synthetic import render_text_page, turn_and_skew

LINES = [
    "吕梁市技能大师工作室 140105197412069259",
    "申报人姓名：张伟 联系电话：13812345678",
    "工作室名称：王建国技能大师工作室",
    "领办人从事本职业工作年限二十三年",
]


def _norm(text: str) -> str:
    return "".join(text.split())


def _marker_image() -> np.ndarray:
    """A 60x40 white image with a black block near the top-left corner."""
    img = np.full((40, 60, 3), 255, np.uint8)
    img[5:10, 8:14] = 0
    return img


# ---------------------------------------------------------------- geometry, no engine


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_correct_image_undoes_a_clockwise_turn(turn: int) -> None:
    img = _marker_image()
    turned = np.rot90(img, -turn // 90)  # laid clockwise
    assert np.array_equal(orientation.correct_image(turned, turn, 0.0), img)


def test_correct_image_rejects_odd_rotation() -> None:
    with pytest.raises(ValueError, match="rotation"):
        orientation.correct_image(_marker_image(), 45, 0.0)


def test_deskew_enlarges_canvas_and_maps_points_like_the_image() -> None:
    img = np.full((400, 600, 3), 255, np.uint8)
    img[100:110, 450:460] = 0  # a dark square whose centre is (455, 105)
    skew = 3.0
    out = orientation.correct_image(img, 0, skew)
    m, (w, h) = orientation.skew_matrix(600, 400, skew)
    assert out.shape[:2] == (h, w)
    assert w > 600 and h > 400  # nothing cut off
    # Corners of the original stay inside the new canvas; borders are white.
    corners = np.array([[[0, 0], [600, 0], [600, 400], [0, 400]]], np.float32)
    moved = transform_quads(corners, m)[0]
    assert moved[:, 0].min() >= -0.5 and moved[:, 0].max() <= w + 0.5
    assert moved[:, 1].min() >= -0.5 and moved[:, 1].max() <= h + 0.5
    assert out[0, 0].tolist() == [255, 255, 255]
    # The dark square's centre lands where the matrix sends its centre.
    ys, xs = np.nonzero(out[:, :, 0] < 128)
    cx, cy = xs.mean(), ys.mean()
    px, py = transform_quads(np.array([[[455, 105]] * 4], np.float32), m)[0, 0]
    assert math.hypot(cx - px, cy - py) < 1.5
    # Counter-clockwise: a point right of centre moves up.
    assert py < 105 + (h - 400) / 2


def _rotated_quads(angle_deg: float, n: int = 9) -> np.ndarray:
    """Quads of long horizontal lines turned `angle_deg` counter-clockwise about (500, 500)."""
    rad = math.radians(angle_deg)
    c, s = math.cos(rad), math.sin(rad)
    quads = []
    for i in range(n):
        y = 100 + 80 * i
        box = np.array([[100, y], [900, y], [900, y + 30], [100, y + 30]], np.float64) - 500
        rot = np.stack([box[:, 0] * c + box[:, 1] * s, -box[:, 0] * s + box[:, 1] * c], axis=1) + 500
        quads.append(order_quad(rot))
    return np.stack(quads).astype(np.float32)


@pytest.mark.parametrize("angle", [-6.0, -2.0, 0.0, 0.5, 2.0, 8.0])
def test_estimate_skew_reads_line_angles(angle: float) -> None:
    quads = _rotated_quads(angle)
    # Turned ccw by `angle` -> lines rise to the right -> the correction is `angle` clockwise.
    assert orientation.estimate_skew(quads) == pytest.approx(-angle, abs=0.05)
    assert quad_angle(quads[0]) == pytest.approx(-angle, abs=0.05)


def test_estimate_skew_ignores_short_boxes_and_outliers() -> None:
    quads = list(_rotated_quads(1.5))
    quads.append(order_quad(np.array([[0, 0], [20, 0], [20, 18], [0, 18]], np.float32)))  # a single character
    quads.append(_rotated_quads(30.0, 1)[0])  # one wild line cannot move a median
    assert orientation.estimate_skew(np.stack(quads)) == pytest.approx(-1.5, abs=0.05)
    assert orientation.estimate_skew(np.zeros((0, 4, 2), np.float32)) == 0.0
    assert orientation.estimate_skew(_rotated_quads(2.0, 1)) == 0.0  # one line is not enough


def test_text_direction() -> None:
    horizontal = _rotated_quads(0.0)
    vertical = horizontal[:, :, ::-1].copy()  # swap x and y: the same boxes standing up
    vertical = np.stack([order_quad(q) for q in vertical])
    assert orientation.text_direction(horizontal) == "horizontal"
    assert orientation.text_direction(vertical) == "vertical"
    squares = np.stack([order_quad(np.array([[0, 0], [20, 0], [20, 20], [0, 20]], np.float32))] * 3)
    assert orientation.text_direction(squares) is None


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def _ink_boxes(image: np.ndarray) -> np.ndarray:
    """A stand-in detector: one box per blob of ink."""
    n, _, stats, _ = cv2.connectedComponentsWithStats((image.min(axis=2) < 128).astype(np.uint8))
    boxes = [_box(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:n]]
    return np.stack(boxes) if boxes else np.zeros((0, 4, 2), np.float32)


def test_a_nearly_empty_page_is_searched_again_band_by_band() -> None:
    # A closing: a unit's name and a date. The detector's response to them fades on the whole
    # page (as on a photographed one) and shows in any band short enough.
    page = np.full((2000, 1400, 3), 255, np.uint8)
    page[250:290, 600:900] = 0
    page[310:350, 620:880] = 0
    heights: list[int] = []

    def detect(image: np.ndarray) -> np.ndarray:
        heights.append(image.shape[0])
        return _ink_boxes(image) if image.shape[0] <= 1000 else np.zeros((0, 4, 2), np.float32)

    found = orientation.detect_sparse_page(detect, page)
    assert heights[0] == 2000 and len(heights) == 1 + sum(orientation.BANDS)
    # Each line once, in page coordinates, though several bands found it.
    assert sorted(tuple(q[0]) for q in found) == [(600.0, 250.0), (620.0, 310.0)]
    assert sorted(tuple(q[2]) for q in found) == [(880.0, 350.0), (900.0, 290.0)]


def test_a_page_with_lines_enough_is_detected_once() -> None:
    calls: list[int] = []

    def detect(image: np.ndarray) -> np.ndarray:
        calls.append(image.shape[0])
        return np.stack([_box(100, 100 + 60 * i, 900, 140 + 60 * i) for i in range(orientation.SPARSE_BOXES)])

    assert len(orientation.detect_sparse_page(detect, np.full((2000, 1400, 3), 255, np.uint8))) == 4
    assert calls == [2000]


def test_as_rgb_accepts_gray_and_rgba_and_rejects_junk() -> None:
    gray = np.full((10, 12), 200, np.uint8)
    assert as_rgb(gray).shape == (10, 12, 3)
    rgba = np.zeros((10, 12, 4), np.uint8)  # fully transparent -> white paper
    assert as_rgb(rgba).min() == 255
    with pytest.raises(ValueError, match="uint8"):
        as_rgb(gray.astype(np.float32))
    with pytest.raises(ValueError, match="shape"):
        as_rgb(np.zeros((10, 12, 5), np.uint8))
    with pytest.raises(ValueError, match="numpy"):
        as_rgb("page.png")  # type: ignore[arg-type]


# ---------------------------------------------------------------- real engine


@pytest.fixture(scope="module")
def upright_page() -> np.ndarray:
    return render_text_page(LINES)


@pytest.fixture(scope="module")
def rapid():
    return get_engine("rapidocr")


def _assert_reads_upright(page, expected_rotation: int, expected_skew: float) -> None:
    assert page.rotation == expected_rotation
    assert page.skew == pytest.approx(expected_skew, abs=0.35)
    assert [_norm(ln.text) for ln in page.lines] == [_norm(t) for t in LINES]
    assert min(ln.confidence for ln in page.lines) > 0.9
    # Lines are in corrected-image pixels: horizontal boxes, top to bottom, inside the page.
    for ln in page.lines:
        x0, y0, x1, y1 = ln.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
        assert (x1 - x0) > 5 * (y1 - y0)
    tops = [ln.bbox[1] for ln in page.lines]
    assert tops == sorted(tops)


@pytest.mark.real_ocr
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turned_and_skewed_page_comes_back_upright(rapid, upright_page, turn: int) -> None:
    scan = turn_and_skew(upright_page, turn_clockwise=turn, skew_ccw=2.0)
    page = rapid.read_page(scan)
    _assert_reads_upright(page, turn, -2.0)
    corrected = orientation.correct_image(scan, page.rotation, page.skew)
    assert (page.height, page.width) == corrected.shape[:2]
    # Each line's box, cut from the corrected image, holds ink at the box and not far outside.
    dark = corrected.min(axis=2) < 128
    for ln in page.lines:
        x0, y0, x1, y1 = (round(v) for v in ln.bbox)
        assert dark[y0:y1, x0:x1].mean() > 0.05
    assert dark.sum() == pytest.approx(
        sum(
            dark[round(ln.bbox[1]) : round(ln.bbox[3]), round(ln.bbox[0]) : round(ln.bbox[2])].sum()
            for ln in page.lines
        ),
        rel=0.03,
    )


@pytest.mark.real_ocr
@pytest.mark.parametrize("turn", [90, 270])
def test_page_on_its_side_fed_steeply_askew_comes_back_upright(rapid, upright_page, turn: int) -> None:
    # At 5 degrees each line standing on end leans further than its width over its length: the
    # two top corners of its box are its leftmost, and a box taken left-edge-first reads as a
    # line across the page.
    page = rapid.read_page(turn_and_skew(upright_page, turn_clockwise=turn, skew_ccw=5.0))
    _assert_reads_upright(page, turn, -5.0)


def test_a_tall_box_leaning_past_its_own_width_keeps_its_short_top_edge() -> None:
    lean = math.radians(5.0)
    tall = np.array([[0, 0], [30, 0], [30, 600], [0, 600]], np.float64)
    c, s = math.cos(lean), math.sin(lean)
    leaning = np.stack([tall[:, 0] * c - tall[:, 1] * s, tall[:, 0] * s + tall[:, 1] * c], axis=1)
    quad = order_quad(leaning[[2, 0, 3, 1]])  # the corners in any order
    assert np.allclose(quad, leaning, atol=1e-3)
    assert orientation.text_direction(np.stack([quad] * 3)) == "vertical"


@pytest.mark.real_ocr
def test_straight_upright_page_is_left_alone(rapid, upright_page) -> None:
    page = rapid.read_page(upright_page)
    _assert_reads_upright(page, 0, 0.0)
    assert page.skew == 0.0  # below MIN_SKEW nothing is rotated
    assert (page.width, page.height) == (upright_page.shape[1], upright_page.shape[0])
    assert "deskew" not in page.timings
    # Orientation costs far less than reading the page.
    assert page.timings["orientation"] < 0.5 * (page.timings["detect"] + page.timings["recognize"])


@pytest.mark.real_ocr
def test_recognizer_vote_when_the_classifier_is_missing(rapid, upright_page, monkeypatch) -> None:
    monkeypatch.setattr(updown, "available", lambda: False)
    page = rapid.read_page(turn_and_skew(upright_page, turn_clockwise=180))
    _assert_reads_upright(page, 180, 0.0)


@pytest.mark.real_ocr
def test_recognize_does_not_turn_the_page(rapid, upright_page) -> None:
    lines = rapid.recognize(turn_and_skew(upright_page, turn_clockwise=180))
    assert lines  # it reads something...
    assert [_norm(ln.text) for ln in lines] != [_norm(t) for t in LINES]  # ...but not upright text
