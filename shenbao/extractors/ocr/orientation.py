"""Page orientation (0/90/180/270) and small-skew correction, for any detect-then-recognise engine.

How a page is read (`read_page`):
1. Detect text boxes once on the page as given.
2. Direction: if most of the text length sits in boxes taller than wide, the page lies on its side
   (90 or 270), otherwise it is 0 or 180.
3. Which way round: the longest few lines are recognised both ways (as they stand and turned 180
   degrees; or turned 90 / 270 for a page on its side) and the way with the higher mean
   recognition confidence wins. Upside-down Chinese reads as low-confidence gibberish, so this
   needs no extra model and works the same for every engine. (The rapidocr wheel's 0/180 line
   classifier is what flips correct prose lines at 5-8% CER; it is not used.)
4. Turn the page if needed (and detect again on the turned page), then measure skew as the
   length-weighted median angle of the long text boxes and rotate it away when it is more than
   `MIN_SKEW` and at most `MAX_SKEW` degrees. Boxes are carried through that small rotation
   instead of being detected again.
5. Recognise every box on the corrected page.

An upright, straight page therefore costs one detection, one recognition pass and a handful of
extra line recognitions (the probe lines read upside down).

Conventions: `rotation` is how far the input was turned counter-clockwise to read upright
(np.rot90 with k = rotation // 90); `skew` is the further counter-clockwise turn in degrees
(cv2.getRotationMatrix2D's sign; negative = clockwise), about the image centre, canvas enlarged
to keep every pixel and filled white. `correct_image(rgb, rotation, skew)` is that transform, and
the lines `read_page` returns are in its pixel coordinates.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

import cv2
import numpy as np

from shenbao.extractors.ocr.base import PageOcr
from shenbao.extractors.ocr.geometry import (
    as_rgb,
    crop_quad,
    fit_long_side,
    line_crop,
    quad_angle,
    quad_size,
    quad_to_line,
    scale_quads,
    sort_quads,
    transform_quads,
)

MIN_SKEW = 0.3  # degrees; below this a rotation blurs more than it straightens
MAX_SKEW = 10.0  # degrees; beyond this the "skew" is more likely a perspective photo or a mis-measure
PROBE_LINES = 6  # longest lines recognised both ways to tell 0 from 180 (90 from 270)
PROBE_CHARS = 12  # ...each cut to its first ~12 characters
_MIN_ASPECT = 1.5  # a box this much longer one way than the other has a direction
_SKEW_ASPECT = 3.0  # only long lines measure skew well
_ROTATIONS = (0, 90, 180, 270)


class DetRec(Protocol):
    """The two primitives orientation needs from an engine (BGR uint8 images, as OpenCV reads)."""

    name: str
    max_side_len: int
    min_score: float

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        """Text boxes of the image: (N, 4, 2) float32 quads, clockwise from top-left."""
        ...

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence (0..1) for each line crop."""
        ...


def _check_rotation(rotation: int) -> int:
    if rotation not in _ROTATIONS:
        raise ValueError(f"rotation must be one of {_ROTATIONS}, got {rotation!r}")
    return rotation


def rotate90(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn counter-clockwise by a multiple of 90 degrees (lossless)."""
    k = _check_rotation(rotation) // 90
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def skew_matrix(width: int, height: int, skew: float) -> tuple[np.ndarray, tuple[int, int]]:
    """2x3 affine turning a width x height image `skew` degrees counter-clockwise about its centre,
    and the enlarged canvas size (width, height) that keeps all of it."""
    rad = math.radians(skew)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    new_w = int(math.ceil(width * cos + height * sin - 1e-6))
    new_h = int(math.ceil(width * sin + height * cos - 1e-6))
    m = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), skew, 1.0)
    m[0, 2] += new_w / 2.0 - width / 2.0
    m[1, 2] += new_h / 2.0 - height / 2.0
    return m, (new_w, new_h)


def deskew(image: np.ndarray, skew: float) -> np.ndarray:
    if skew == 0:
        return image
    h, w = image.shape[:2]
    m, size = skew_matrix(w, h, skew)
    border = (255,) * (image.shape[2] if image.ndim == 3 else 1)
    return cv2.warpAffine(
        image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def correct_image(rgb: np.ndarray, rotation: int, skew: float) -> np.ndarray:
    """The corrected page: turned `rotation` degrees counter-clockwise, then `skew` degrees more.
    Lines from `read_page` are in this image's pixel coordinates."""
    return deskew(rotate90(as_rgb(rgb), rotation), float(skew))


def text_direction(quads: np.ndarray) -> str | None:
    """'horizontal' or 'vertical' by total length of clearly directional boxes; None if none."""
    horizontal = vertical = 0.0
    for quad in quads:
        w, h = quad_size(quad)
        if w >= _MIN_ASPECT * h:
            horizontal += w
        elif h >= _MIN_ASPECT * w:
            vertical += h
    if horizontal == 0 and vertical == 0:
        return None
    return "vertical" if vertical > horizontal else "horizontal"


def estimate_skew(quads: np.ndarray, min_length: float = 40.0) -> float:
    """Length-weighted median angle (degrees, `skew` convention) of long horizontal text boxes;
    0.0 when there are none."""
    angles: list[float] = []
    weights: list[float] = []
    for quad in quads:
        w, h = quad_size(quad)
        if w < _SKEW_ASPECT * h or w < min_length:
            continue
        angles.append(quad_angle(quad))
        weights.append(w)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    a, wts = np.asarray(angles)[order], np.asarray(weights)[order]
    cum = np.cumsum(wts)
    return float(a[int(np.searchsorted(cum, cum[-1] / 2.0))])


def _probe_indices(quads: np.ndarray, vertical: bool, count: int) -> list[int]:
    """The `count` longest clearly directional boxes of the page's direction."""
    scored = []
    for i, quad in enumerate(quads):
        w, h = quad_size(quad)
        long_side, short_side = (h, w) if vertical else (w, h)
        if long_side >= 2.0 * short_side:
            scored.append((long_side, i))
    scored.sort(reverse=True)
    return [i for _, i in scored[:count]]


def _probe_window(crop: np.ndarray, vertical: bool, chars: int = PROBE_CHARS) -> np.ndarray:
    """The first `chars` character-widths of a line crop (a line's thickness ~ one character):
    enough to tell which way up it is, and recognition cost grows with crop length."""
    h, w = crop.shape[:2]
    if vertical:
        return crop[: min(h, chars * w)]
    return crop[:, : min(w, chars * h)]


def decide_rotation(
    engine: DetRec, bgr: np.ndarray, quads: np.ndarray, probe_lines: int = PROBE_LINES
) -> tuple[int, dict[int, tuple[str, float]], dict[int, float]]:
    """Which of 0/90/180/270 makes the page upright. Returns (rotation, readings of probe lines
    that were read whole and upright (reusable when rotation is 0), mean confidence per candidate)."""
    direction = text_direction(quads)
    if direction is None:
        return 0, {}, {}
    vertical = direction == "vertical"
    idx = _probe_indices(quads, vertical, probe_lines)
    if not idx:
        return 0, {}, {}  # cannot tell which way round: leave the page as it is
    candidates = (90, 270) if vertical else (0, 180)
    crops = [crop_quad(bgr, quads[i]) for i in idx]
    windows = [_probe_window(c, vertical) for c in crops]
    batch = [np.ascontiguousarray(np.rot90(c, rot // 90)) for rot in candidates for c in windows]
    results = engine.recognize_crops(batch)
    n = len(idx)
    means = {
        rot: float(np.mean([s for _, s in results[j * n : (j + 1) * n]])) for j, rot in enumerate(candidates)
    }
    first, second = candidates
    # Ties (e.g. lines of digits that read the same upside down) keep the first of the pair.
    rotation = second if means[second] > means[first] + 1e-3 else first
    upright: dict[int, tuple[str, float]] = {}
    if rotation == 0:
        upright = {
            i: r
            for i, r, c, win in zip(idx, results[:n], crops, windows, strict=True)
            if win.shape == c.shape
        }
    return rotation, upright, means


def read_page(
    engine: DetRec,
    image: np.ndarray,
    *,
    orient: bool = True,
    straighten: bool = True,
    probe_lines: int = PROBE_LINES,
) -> PageOcr:
    """Read a page with `engine`: orientation, deskew, recognition (see the module docstring)."""
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    rgb = as_rgb(image)
    bgr_full = np.ascontiguousarray(rgb[:, :, ::-1])

    def detect(full: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        t = time.perf_counter()
        small, sx, sy = fit_long_side(full, engine.max_side_len)
        quads = engine.detect(small)
        timings["detect"] = timings.get("detect", 0.0) + time.perf_counter() - t
        return small, quads, sx, sy

    small, quads, sx, sy = detect(bgr_full)

    rotation, reuse = 0, {}
    if orient and len(quads):
        t = time.perf_counter()
        rotation, reuse, _ = decide_rotation(engine, small, quads, probe_lines)
        timings["orientation"] = time.perf_counter() - t
        if rotation:
            bgr_full = rotate90(bgr_full, rotation)
            small, quads, sx, sy = detect(bgr_full)

    skew = 0.0
    if straighten and len(quads):
        measured = estimate_skew(quads)
        if MIN_SKEW < abs(measured) <= MAX_SKEW:
            t = time.perf_counter()
            skew = measured
            h, w = bgr_full.shape[:2]
            m_full, _ = skew_matrix(w, h, skew)
            bgr_full = deskew(bgr_full, skew)
            # Carry the boxes through the same turn (small -> full -> turned full -> small again).
            full_quads = transform_quads(scale_quads(quads, 1.0 / sx, 1.0 / sy), m_full)
            small, sx, sy = fit_long_side(bgr_full, engine.max_side_len)
            quads = scale_quads(full_quads, sx, sy)
            reuse = {}
            timings["deskew"] = time.perf_counter() - t

    t = time.perf_counter()
    order = sort_quads(quads)
    todo = [int(i) for i in order if int(i) not in reuse]
    readings = dict(reuse)
    if todo:
        crops = [line_crop(small, quads[i]) for i in todo]
        readings.update(zip(todo, engine.recognize_crops(crops), strict=True))
    lines = []
    for i in order:
        text, score = readings[int(i)]
        if not text.strip() or score < engine.min_score:
            continue
        lines.append(quad_to_line(text, score, scale_quads(quads[i : i + 1], 1.0 / sx, 1.0 / sy)[0]))
    timings["recognize"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t_start
    height, width = bgr_full.shape[:2]
    return PageOcr(
        lines=lines,
        width=int(width),
        height=int(height),
        rotation=rotation,
        skew=skew,
        engine=engine.name,
        timings=timings,
    )
