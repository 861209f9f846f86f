"""Image and quadrilateral helpers shared by every detect-then-recognise engine.

Quads are float32 arrays of shape (4, 2), corners clockwise from the top-left (x right, y down),
in pixels of the image they were found on.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from shenbao.pipeline.types import TextLine

Quad = np.ndarray


class OcrInputError(ValueError):
    """The array handed to an OCR engine is not an image it can read."""


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Accept gray (H, W), gray (H, W, 1), RGB or RGBA uint8 and return C-contiguous RGB uint8."""
    if not isinstance(image, np.ndarray):
        raise OcrInputError(f"expected a numpy image array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise OcrInputError(f"expected a uint8 image, got dtype {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    elif image.ndim == 3 and image.shape[2] == 4:
        # Composite on white: transparent scans should read as paper, not as black.
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        rgb = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    elif not (image.ndim == 3 and image.shape[2] == 3):
        raise OcrInputError(f"expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise OcrInputError(f"image too small to read: {image.shape[1]}x{image.shape[0]} px")
    return np.ascontiguousarray(image)


def fit_long_side(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float, float]:
    """Shrink so the long side is at most `max_side` (never enlarge). Returns (image, sx, sy):
    multiply original coordinates by (sx, sy) to get coordinates in the returned image."""
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image, 1.0, 1.0
    ratio = max_side / max(h, w)
    new_w, new_h = max(1, round(w * ratio)), max(1, round(h * ratio))
    small = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    return small, new_w / w, new_h / h


def order_quad(points: np.ndarray) -> Quad:
    """Corners as top-left, top-right, bottom-right, bottom-left: clockwise on the page, starting
    at the corner whose edge runs most nearly rightwards, so every engine's boxes are read the same
    way round. PaddleOCR's order_points_clockwise takes the two leftmost corners as the left
    edge, which holds for a level box but not for a tall one tilted more than its own width
    over its height (a column of a page on its side, fed askew): its two top corners are then
    the leftmost, and the box is measured, cropped and weighed as a line across the page."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    # y points down, so ascending angle about the centre goes clockwise on the page.
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0]), kind="stable")]
    edges = np.roll(pts, -1, axis=0) - pts
    rightward = edges[:, 0] / np.maximum(np.linalg.norm(edges, axis=1), 1e-6)
    return np.roll(pts, -int(np.argmax(rightward)), axis=0).astype(np.float32)


def quad_size(quad: Quad) -> tuple[float, float]:
    """(width along the top/bottom edges, height along the left/right edges)."""
    width = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    height = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    return float(width), float(height)


def quad_angle(quad: Quad) -> float:
    """Angle of the top/bottom edges in degrees, y down: negative when the line rises to the right."""
    v = (quad[1] - quad[0]) + (quad[2] - quad[3])
    return math.degrees(math.atan2(float(v[1]), float(v[0])))


def crop_quad(image: np.ndarray, quad: Quad) -> np.ndarray:
    """Warp the quad's content to an upright rectangle (as PaddleOCR's get_rotate_crop_image does,
    but without its automatic turn of tall crops: orientation is decided per page, not per line)."""
    w = max(1, int(round(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))))
    h = max(1, int(round(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))))
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)


def line_crop(image: np.ndarray, quad: Quad) -> np.ndarray:
    """Crop for recognition on an upright page: a crop 1.5x taller than wide is a vertical label;
    turn it like PaddleOCR/rapidocr do so both engines see the same input."""
    crop = crop_quad(image, quad)
    if crop.shape[0] >= 1.5 * crop.shape[1]:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def transform_quads(quads: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine matrix to (N, 4, 2) points."""
    if len(quads) == 0:
        return quads.reshape(0, 4, 2).astype(np.float32)
    pts = quads.reshape(-1, 2).astype(np.float64)
    out = pts @ matrix[:, :2].T + matrix[:, 2]
    return out.reshape(-1, 4, 2).astype(np.float32)


def scale_quads(quads: np.ndarray, sx: float, sy: float) -> np.ndarray:
    out = quads.astype(np.float32).copy()
    out[..., 0] *= sx
    out[..., 1] *= sy
    return out


def sort_quads(quads: np.ndarray, y_tolerance: float = 10.0) -> np.ndarray:
    """Reading order: rows top to bottom (tops within `y_tolerance` px share a row), then left to right.
    Returns the index order."""
    if len(quads) == 0:
        return np.zeros(0, dtype=np.int64)
    tops = quads[:, 0, 1]
    by_y = np.argsort(tops, kind="stable")
    row_ids = np.concatenate([[0], np.cumsum(np.diff(tops[by_y]) >= y_tolerance)])
    xs = quads[by_y, 0, 0]
    return by_y[np.lexsort((xs, row_ids))]


def quad_to_line(text: str, confidence: float, quad: Quad) -> TextLine:
    xs, ys = quad[:, 0], quad[:, 1]
    bbox = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    polygon = [(float(x), float(y)) for x, y in quad]
    return TextLine(text=text, bbox=bbox, confidence=float(confidence), polygon=polygon)
