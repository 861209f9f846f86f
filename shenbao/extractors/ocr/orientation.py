"""Page orientation (0/90/180/270) and small-skew correction, for any detect-then-recognise engine.

How a page is read (`read_page`):
1. Detect text boxes once on the page as given (a tall page with under `SPARSE_BOXES` boxes
   again band by band: `detect_sparse_page`).
2. Direction: if most of the text length sits in boxes taller than wide, the page lies on its side
   (90 or 270), otherwise it is 0 or 180.
3. Which way round: pieces of the page's longest lines, turned to read horizontally, go to the
   small 0/180 line classifier (`updown.py`) and the page follows the mean vote. When the vote is
   not clear (mean P(upside down) within `VOTE_MARGIN` of 0.5, or too few pieces), the longest
   lines are instead recognised both ways with the engine's own recogniser and the way with the
   higher mean confidence wins (upside-down Chinese reads as low-confidence gibberish).
4. Turn the page if needed (and detect again on the turned page), then measure skew as the
   length-weighted median angle of the long text boxes and rotate it away when it is more than
   `MIN_SKEW` and at most `MAX_SKEW` degrees. Boxes are carried through that small rotation
   instead of being detected again.
5. Recognise every box on the corrected page.

An upright, straight page therefore costs one detection, one recognition pass and one batch of
the tiny classifier (~0.1 s).

Conventions: `rotation` is how far the input was turned counter-clockwise to read upright
(np.rot90 with k = rotation // 90); `skew` is the further counter-clockwise turn in degrees
(cv2.getRotationMatrix2D's sign; negative = clockwise), about the image centre, canvas enlarged
to keep every pixel and filled white. `correct_image(rgb, rotation, skew)` is that transform, and
the lines `read_page` returns are in its pixel coordinates.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from shenbao.extractors.ocr import updown
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
PROBE_LINES = 8  # longest lines that vote on 0 vs 180 (90 vs 270)
VOTE_MARGIN = 0.3  # classifier vote must be below 0.2 or above 0.8 to be trusted
MIN_VOTES = 2  # pieces of line needed for a classifier vote
REC_PROBE_LINES = 4  # fallback: lines recognised both ways...
PROBE_CHARS = 10  # ...each cut to its first ~10 characters
_MIN_ASPECT = 1.5  # a box this much longer one way than the other has a direction
# A page the detector finds fewer boxes than this on is searched again band by band: on a photo
# of a nearly empty page (a closing with only a unit's name, date and seal) its response to the
# few lines fades as the blank around them grows, and a band of the page shows them again.
SPARSE_BOXES = 4
BANDS = (3, 6)  # two cuttings: the response differs from one band size to the next
BAND_OVERLAP = 0.15  # of a band's height, so a line cut by one band's edge is whole in the next
BAND_MIN_HEIGHT = 1200  # px; a smaller image is all but a band already
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
    0.0 when fewer than two."""
    angles: list[float] = []
    weights: list[float] = []
    for quad in quads:
        w, h = quad_size(quad)
        if w < _SKEW_ASPECT * h or w < min_length:
            continue
        angle = quad_angle(quad)
        if abs(angle) > 45.0:  # a line on its side: not this page's skew
            continue
        angles.append(angle)
        weights.append(w)
    if len(angles) < 2:
        return 0.0  # one line is too little to turn a whole page by
    order = np.argsort(angles)
    a, wts = np.asarray(angles)[order], np.asarray(weights)[order]
    cum = np.cumsum(wts)
    return float(a[int(np.searchsorted(cum, cum[-1] / 2.0))])


def detect_sparse_page(detect: Callable[[np.ndarray], np.ndarray], image: np.ndarray) -> np.ndarray:
    """Boxes `detect` finds on `image`, looked for again in overlapping horizontal bands when the
    whole page, at least `BAND_MIN_HEIGHT` tall, gives fewer than `SPARSE_BOXES`; the bands'
    boxes are kept where they add boxes."""
    quads = detect(image)
    if len(quads) >= SPARSE_BOXES or image.shape[0] < BAND_MIN_HEIGHT:
        return quads
    height = image.shape[0]
    found: list[np.ndarray] = list(quads)
    for bands in BANDS:
        band = int(math.ceil(height / bands))
        pad = int(band * BAND_OVERLAP)
        for k in range(bands):
            top, bottom = max(0, k * band - pad), min(height, (k + 1) * band + pad)
            for quad in detect(np.ascontiguousarray(image[top:bottom])):
                found.append(quad + np.array([0.0, top], np.float32))
    merged = _without_repeats(found)
    return merged if len(merged) > len(quads) else quads


def _without_repeats(quads: list[np.ndarray]) -> np.ndarray:
    """One box per line where two bands both found it (the larger kept: a band's edge may cut
    the other)."""
    boxes = sorted(quads, key=lambda q: -_area(q))
    kept: list[np.ndarray] = []
    for quad in boxes:
        if all(_overlap_share(quad, other) < 0.5 for other in kept):
            kept.append(quad)
    return np.stack(kept).astype(np.float32) if kept else np.zeros((0, 4, 2), np.float32)


def _area(quad: np.ndarray) -> float:
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return float(max(0.0, x1 - x0) * max(0.0, y1 - y0))


def _overlap_share(quad: np.ndarray, other: np.ndarray) -> float:
    """How much of `quad`'s bounding box lies inside `other`'s."""
    ax0, ay0 = quad.min(axis=0)
    ax1, ay1 = quad.max(axis=0)
    bx0, by0 = other.min(axis=0)
    bx1, by1 = other.max(axis=0)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    return float(inter / max(_area(quad), 1e-6))


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


@dataclass
class OrientationDecision:
    rotation: int
    method: str  # "none" (nothing to go on), "classifier" or "recognizer"
    score: float  # classifier: mean P(upside down) of the first candidate; recognizer: confidence gap
    reusable: dict[int, tuple[str, float]] = field(default_factory=dict)  # upright readings of whole lines


def _classifier_vote(bgr: np.ndarray, quads: np.ndarray, idx: list[int], vertical: bool, threads: int):
    """Mean P(upside down) of line pieces turned to the first candidate (0, or 90 for a page on
    its side); None when the classifier is unavailable or has too few pieces."""
    if not updown.available():
        return None
    pieces: list[np.ndarray] = []
    for i in idx:
        crop = crop_quad(bgr, quads[i])
        if vertical:
            crop = np.ascontiguousarray(np.rot90(crop, 1))
        pieces.extend(updown.windows(crop))
    if len(pieces) < MIN_VOTES:
        return None
    return float(np.mean(updown.upside_down_probability(pieces, threads)))


def _recognizer_vote(engine: DetRec, bgr: np.ndarray, quads: np.ndarray, idx: list[int], vertical: bool):
    """(rotation, confidence gap, reusable upright readings): read each probe line's first
    PROBE_CHARS characters both ways and keep the way with the higher mean confidence."""
    candidates = (90, 270) if vertical else (0, 180)
    crops = [crop_quad(bgr, quads[i]) for i in idx]
    windows = [_probe_window(c, vertical) for c in crops]
    batch = [np.ascontiguousarray(np.rot90(c, rot // 90)) for rot in candidates for c in windows]
    results = engine.recognize_crops(batch)
    n = len(idx)
    first, second = candidates
    mean_first = float(np.mean([s for _, s in results[:n]]))
    mean_second = float(np.mean([s for _, s in results[n:]]))
    # Ties (e.g. lines of digits that read the same upside down) keep the first of the pair.
    rotation = second if mean_second > mean_first + 1e-3 else first
    reusable: dict[int, tuple[str, float]] = {}
    if rotation == 0:
        reusable = {
            i: r for i, r, c, w in zip(idx, results[:n], crops, windows, strict=True) if w.shape == c.shape
        }
    return rotation, mean_first - mean_second, reusable


def decide_rotation(engine: DetRec, bgr: np.ndarray, quads: np.ndarray) -> OrientationDecision:
    """Which of 0/90/180/270 makes the page upright (see the module docstring)."""
    direction = text_direction(quads)
    if direction is None:
        return OrientationDecision(0, "none", 0.0)
    vertical = direction == "vertical"
    idx = _probe_indices(quads, vertical, PROBE_LINES)
    if not idx:
        return OrientationDecision(0, "none", 0.0)  # cannot tell which way round: leave it as it is
    first, second = (90, 270) if vertical else (0, 180)
    vote = _classifier_vote(bgr, quads, idx, vertical, int(getattr(engine, "threads", 2)))
    if vote is not None and abs(vote - 0.5) >= VOTE_MARGIN:
        return OrientationDecision(second if vote > 0.5 else first, "classifier", vote)
    rotation, gap, reusable = _recognizer_vote(engine, bgr, quads, idx[:REC_PROBE_LINES], vertical)
    return OrientationDecision(rotation, "recognizer", gap, reusable)


def read_page(
    engine: DetRec,
    image: np.ndarray,
    *,
    orient: bool = True,
    straighten: bool = True,
) -> PageOcr:
    """Read a page with `engine`: orientation, deskew, recognition (see the module docstring)."""
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    rgb = as_rgb(image)
    bgr_full = np.ascontiguousarray(rgb[:, :, ::-1])

    def detect(full: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        t = time.perf_counter()
        small, sx, sy = fit_long_side(full, engine.max_side_len)
        quads = detect_sparse_page(engine.detect, small)
        timings["detect"] = timings.get("detect", 0.0) + time.perf_counter() - t
        return small, quads, sx, sy

    small, quads, sx, sy = detect(bgr_full)

    rotation, reuse = 0, {}
    if orient and len(quads):
        t = time.perf_counter()
        decision = decide_rotation(engine, small, quads)
        rotation, reuse = decision.rotation, decision.reusable
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
