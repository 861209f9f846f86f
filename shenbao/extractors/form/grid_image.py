"""Tables of a page image, rebuilt from its ruling lines (pixels of the corrected page image).

Morphology keeps only long horizontal and long vertical ink runs (table rules; text strokes are
far shorter than the kernels), the two masks together are the table's line drawing, and every
closed white region inside it is a cell. Cells that touch each other make one table. Working on
enclosed regions rather than on straight lattice lines keeps this right on photographed pages,
whose rules are neither quite straight nor quite parallel; row/column indices come from
clustering the cells' edges afterwards.

A phone photo is first brought into a straightened frame: turned by the text's slope (the page
is askew), then sheared so that the vertical rules stand upright (the camera was not square to
the page: its text is level but the vertical rules lean, often differently left and right).
Short vertical rules (a row ~2 text lines high) survive the morphology only when upright.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from shenbao.extractors.form.grid import Cell, Grid, assign_lines, lattice_spans
from shenbao.extractors.form.ocrtext import text_dims
from shenbao.extractors.form.rule_finding import gray_of, ink_of, ruling_mask, seal_mask
from shenbao.pipeline.types import BBox, TextLine

# Below this residual skew (degrees) the page is taken as straight.
MIN_SKEW = 0.15
MAX_SKEW = 8.0
# Below this lean (degrees) of the vertical rules they are taken as upright: over a ~100 px
# row it is under 1 px, and the page is left as it is. The upright corpus pages measure < 0.3°.
MIN_SLANT = 0.5
# A cell covering this share of the image is the page itself (a photo's paper outline, a page
# frame), not a table's cell: printed tables fill at most ~60% of a sheet, and their biggest
# cells measure <= 15% of the image on the corpus; a paper outline ~90%.
PAGE_CELL = 0.6
# An image smaller than this (px) holds no readable form.
MIN_SIDE = 100


def grids_from_image(image: np.ndarray, lines: list[TextLine], page: int = 0) -> tuple[list[Grid], list[TextLine]]:
    """Tables on a page image and the text lines outside all of them.

    A page that is still a little skewed (a photo) is straightened first, by the slope of its
    OCR lines (polygons) or else of its rules, and then its vertical rules are stood upright
    (`rule_slant`); the grids then live in the straightened frame (`Grid.to_page` maps boxes
    back), and the text lines are placed by their straightened positions, character by
    character, in the cell region each character stands in. A "table" that is the page's own
    outline (`_page_outline`) is dropped: its text is outside text.
    """
    if image is None or image.ndim not in (2, 3) or min(image.shape[:2]) < MIN_SIDE:
        return [], list(lines)  # nothing a table could be found in
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    page_gray = gray_of(image)
    page_seal = seal_mask(image)
    unit = text_unit(lines, page_gray.shape[1])
    h, w = page_gray.shape[:2]
    gray = page_gray
    angle = text_skew(lines)
    if angle is None:
        angle = rule_skew(ruling_mask(gray, unit, page_seal))
    # page px -> straightened frame, as a 3x3 matrix (an affine turn, then maybe a projective
    # shear); the identity leaves the page as it is.
    frame = np.eye(3)
    if abs(angle) >= MIN_SKEW:
        frame = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), [0.0, 0.0, 1.0]])
        gray = _warp(page_gray, frame)
    upright = _upright(rule_slant(gray, unit), w, h)
    if upright is not None:
        frame = upright @ frame
        gray = _warp(page_gray, frame)  # from the page, not the turned copy: one resampling
    to_page = None
    placed = lines
    if not np.allclose(frame, np.eye(3)):
        inv = np.linalg.inv(frame)
        placed = [_moved(ln, frame) for ln in lines]

        def to_page(box: BBox, inv: np.ndarray = inv) -> BBox:
            return _transform_box(box, inv)

    seal = page_seal if page_seal is None or np.allclose(frame, np.eye(3)) else _warp(page_seal, frame, mask=True)
    mask = ruling_mask(gray, unit, seal, [ln.bbox for ln in placed])
    boxes, ids, labels = cell_regions(mask)
    region_of = dict(zip(boxes, ids, strict=True))
    grids = [g for g in (_grid_of(group, page, w) for group in _tables(boxes, _gap(w))) if g is not None]
    grids = [g for g in grids if not _page_outline(g, gray)]
    by_region: dict[int, Cell] = {}
    for g in grids:
        g.to_page = to_page
        for c in g.cells:
            by_region[region_of[c.bbox]] = c
    locate = _locator(labels, by_region, max(3, round(unit / 6)))
    touching = _touching(labels, by_region, max(12, round(0.6 * unit)))
    for g in grids:
        g.region_at = locate
        g.touching = touching
    outside_moved = assign_lines(grids, placed)
    if placed is lines:
        return grids, outside_moved
    back = {id(m): ln for m, ln in zip(placed, lines, strict=True)}
    return grids, [back[id(m)] for m in outside_moved]


def _touching(labels: np.ndarray, cells: dict[int, Cell], max_gap: int) -> dict[tuple[str, int], list[Cell]]:
    """Neighbours across a rule: along every other pixel row (column), two cell regions that
    follow each other with only a rule's width between them touch; they share a border when
    they do so along at least 30% of the shorter one's side."""
    h, w = labels.shape[:2]
    support: dict[tuple[bool, int, int], int] = {}
    for horizontal in (True, False):
        lines = labels[::2] if horizontal else labels.T[::2]
        for row in lines:
            nz = np.flatnonzero(row)
            if nz.size < 2:
                continue
            vals = row[nz]
            for i in np.flatnonzero(vals[1:] != vals[:-1]):
                if nz[i + 1] - nz[i] <= max_gap:
                    a, b = int(vals[i]), int(vals[i + 1])
                    if a in cells and b in cells:
                        key = (horizontal, a, b)
                        support[key] = support.get(key, 0) + 2
    out: dict[tuple[str, int], list[Cell]] = {}
    for (horizontal, a, b), n in support.items():
        ca, cb = cells[a], cells[b]
        side = min(ca.height, cb.height) if horizontal else min(ca.width, cb.width)
        if n < 0.3 * side:
            continue
        first, second = ("right", "left") if horizontal else ("below", "above")
        out.setdefault((first, id(ca)), []).append(cb)
        out.setdefault((second, id(cb)), []).append(ca)
    for (side, _), cs in out.items():
        cs.sort(key=lambda c: c.bbox[1] if side in ("right", "left") else c.bbox[0])
    return out


def _locator(labels: np.ndarray, cells: dict[int, Cell], reach: int) -> Callable[[float, float], Cell | None]:
    """Point -> the cell whose region holds it. A point on a rule looks a few px up and down
    (text touching a rule sits just inside its cell)."""
    h, w = labels.shape[:2]

    def at(x: float, y: float) -> Cell | None:
        xi, yi = int(round(x)), int(round(y))
        if not (0 <= xi < w and 0 <= yi < h):
            return None
        for dy in (0, *(d for k in range(1, reach + 1) for d in (-k, k))):
            yy = yi + dy
            if 0 <= yy < h:
                c = cells.get(int(labels[yy, xi]))
                if c is not None:
                    return c
        return None

    return at


def text_skew(lines: list[TextLine]) -> float | None:
    """The page's rotation in degrees (as `rule_skew`) from the slope of its long OCR lines'
    polygons; None without enough of them. Text and rules lie on the same paper, and text
    lines are many and never confused with a photo's paper edge."""
    angles = []
    for ln in lines:
        p = ln.polygon
        if not p or len(p) < 4:
            continue
        dx, dy = p[1][0] - p[0][0], p[1][1] - p[0][1]
        w, h = text_dims(ln)
        if dx > 0 and w > 4 * h:
            angles.append(math.degrees(math.atan2(dy, dx)))
    if len(angles) < 5:
        return None
    median = float(np.median(angles))
    return median if abs(median) <= MAX_SKEW else 0.0


def rule_skew(mask: np.ndarray) -> float:
    """The page's rotation in degrees (counter-clockwise positive, as cv2 rotates), from the
    slope of its long horizontal rules; 0 when there are none to tell."""
    h, w = mask.shape[:2]
    klen = max(25, w // 28)
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (klen, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(horiz, connectivity=8)
    angles: list[float] = []
    weights: list[float] = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if bw < w // 5 or bh > bw * 0.2:
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        if len(xs) < 20:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(bw))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])
    return median if abs(median) <= MAX_SKEW else 0.0


def rule_slant(gray: np.ndarray, unit: float) -> tuple[float, float] | None:
    """How the table's vertical rules lean on an image whose text is level: (a, b) such that
    the rule crossing the middle row at x runs dx/dy = a + b * (x - w/2); None without table
    rules to tell.

    Measured on the long vertical rules only, each fitted with a straight line. A table rule
    has rows joining it along its length; a photo's paper edge (or a stack's) meets other edges
    only at its corners and may lean its own way, so rules without a crossing inside are left
    out. The lean varies linearly across the page under a camera's keystone (left and right
    edges lean differently); with rules too close together to tell, it is one lean.
    """
    h, w = gray.shape[:2]
    ink = ink_of(gray)
    # Thickened across enough that a rule leaning up to ~8° stays one run over the kernel.
    wide = max(5, round(0.15 * unit) | 1)
    vert = cv2.morphologyEx(cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (wide, 1))),
                            cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, round(unit)))))
    horiz = cv2.morphologyEx(cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 7))),
                             cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, round(2.5 * unit)), 1)))
    _, hlabels = cv2.connectedComponents(horiz, connectivity=8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(vert, connectivity=8)
    reach = max(8, w // 150)
    end = round(1.5 * unit)  # a rule's ends, where corners (not crossings) are
    xs_mid: list[float] = []
    slopes: list[float] = []
    weights: list[float] = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if bh < 4 * unit or bw > 0.25 * bh:
            continue
        part = labels[y:y + bh, x:x + bw] == i
        # A row (horizontal rule) joining it along its inner stretch, within `reach` of it.
        x0, x1 = max(0, x - reach), min(w, x + bw + reach)
        near = np.zeros((bh - 2 * end, x1 - x0), dtype=np.uint8)
        near[:, x - x0:x - x0 + bw] = part[end:bh - end]
        near = cv2.dilate(near, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 1)))
        if not hlabels[y + end:y + bh - end, x0:x1][near > 0].any():
            continue
        # The rule's centre line: x of each pixel row's middle, fitted by a straight line.
        ys, xs = np.nonzero(part)
        count = np.bincount(ys, minlength=bh)
        rows = np.flatnonzero(count)
        centre = np.bincount(ys, weights=xs, minlength=bh)[rows] / count[rows]
        slope, x_top = np.polyfit(rows.astype(np.float64) + y, centre + x, 1)
        xs_mid.append(float(x_top + slope * h / 2))
        slopes.append(float(slope))
        weights.append(float(bh))
    if not slopes:
        return None
    X, S, W = np.asarray(xs_mid) - w / 2, np.asarray(slopes), np.asarray(weights)
    limit = math.tan(math.radians(0.75))  # a rule leaning this much off the others is not one of them
    for _ in range(2):
        if len(X) >= 2 and np.ptp(X) > w / 4:
            A = np.stack([np.ones_like(X), X], axis=1) * np.sqrt(W)[:, None]
            a, b = np.linalg.lstsq(A, S * np.sqrt(W), rcond=None)[0]
        else:
            a, b = float(np.average(S, weights=W)), 0.0
        fits = np.abs(S - (a + b * X)) <= limit
        if fits.all() or not fits.any():
            break
        X, S, W = X[fits], S[fits], W[fits]
    lean = max(abs(a + b * X.min()), abs(a + b * X.max()))
    if lean > math.tan(math.radians(MAX_SKEW)) or abs(b) * w / 2 > math.tan(math.radians(MAX_SKEW)):
        return None  # not a photo's lean: something else was measured
    if lean < math.tan(math.radians(MIN_SLANT)):
        return (0.0, 0.0)
    return float(a), float(b)


def _upright(slant: tuple[float, float] | None, w: int, h: int) -> np.ndarray | None:
    """The projective shear (3x3) that stands rules leaning as `rule_slant` says upright and
    keeps horizontal lines horizontal; None when they stand upright already.

    About the image centre: x' = (x - a·y) / (1 + b·y), y' = y / (1 + b·y). The rule through
    (x0, 0) leaning a + b·x0 goes to x' = x0: all of them become vertical. With b = 0 this is
    a plain shear; b ≠ 0 is a keystone (the rules meet at a vanishing point far below or above).
    """
    if slant is None or slant == (0.0, 0.0):
        return None
    a, b = slant
    centred = np.array([[1.0, -a, 0.0], [0.0, 1.0, 0.0], [0.0, b, 1.0]])
    to_centre = np.array([[1.0, 0.0, -w / 2], [0.0, 1.0, -h / 2], [0.0, 0.0, 1.0]])
    return np.linalg.inv(to_centre) @ centred @ to_centre


def _warp(gray: np.ndarray, m: np.ndarray, mask: bool = False) -> np.ndarray:
    """An image into the straightened frame, paper beyond the page's edge; with `mask`, a 0/255
    mask, nearest-neighbour, nothing beyond the edge."""
    h, w = gray.shape[:2]
    flags, border = (cv2.INTER_NEAREST, 0) if mask else (cv2.INTER_LINEAR, 255)
    if np.allclose(m[2], (0.0, 0.0, 1.0)):
        return cv2.warpAffine(gray, m[:2], (w, h), flags=flags, borderValue=border)
    return cv2.warpPerspective(gray, m, (w, h), flags=flags, borderValue=border)


def _page_outline(grid: Grid, gray: np.ndarray) -> bool:
    """Whether a "table" is the page itself: a photo's paper edge on a dark background, or a
    frame drawn round a cover, makes a closed region holding the whole page's text.

    A cell covering most of the image is one (see PAGE_CELL). A smaller one is when the
    "table" has at most 3 cells and is darker outside than inside on some side: its border is
    the paper's edge with the background beyond, where a printed table has margin paper round it.
    """
    h, w = gray.shape[:2]
    big = max(grid.cells, key=lambda c: c.width * c.height)
    share = big.width * big.height / float(w * h)
    if share >= PAGE_CELL:
        return True
    if len(grid.cells) > 3 or share < 0.2:
        return False
    x0, y0, x1, y1 = (int(round(v)) for v in big.bbox)
    paper = float(np.median(gray[y0 + 10:y1 - 10, x0 + 10:x1 - 10]))
    gx0, gy0, gx1, gy1 = (int(round(v)) for v in grid.bbox)
    gap, band = 6, 30  # past the rule's dilation, a strip of what lies beyond
    beyond = [gray[max(0, gy0 - gap - band):max(0, gy0 - gap), gx0:gx1], gray[gy1 + gap:gy1 + gap + band, gx0:gx1],
              gray[gy0:gy1, max(0, gx0 - gap - band):max(0, gx0 - gap)], gray[gy0:gy1, gx1 + gap:gx1 + gap + band]]
    return any(b.size and float(np.median(b)) < 0.7 * paper for b in beyond)


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Points (N×2) through a 3x3 map (affine or projective)."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
    out = pts @ m[:2, :2].T + m[:2, 2]
    return out / (pts @ m[2, :2] + m[2, 2])[:, None]


def _transform_box(box: BBox, m: np.ndarray) -> BBox:
    out = _apply(m, np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]]))
    return (float(out[:, 0].min()), float(out[:, 1].min()), float(out[:, 0].max()), float(out[:, 1].max()))


def _moved(line: TextLine, m: np.ndarray) -> TextLine:
    """The line at its straightened position (`m`: page -> frame, 3x3). With a polygon the
    moved quadrilateral gives a tight box; an axis-aligned box of slanted text is too tall by
    its width × slope, so it is moved by its centre and shrunk by that much."""
    if line.polygon and len(line.polygon) >= 4:
        pts = _apply(m, np.asarray(line.polygon))
        box = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
        return TextLine(text=line.text, bbox=box, confidence=line.confidence,
                        polygon=[(float(x), float(y)) for x, y in pts])
    x0, y0, x1, y1 = line.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = _apply(m, np.array([[cx, cy]]))[0]
    # The map's local linear part at the centre (exactly m's for an affine map): how far the
    # text, level in the frame, sloped on the page.
    d = m[2, 0] * cx + m[2, 1] * cy + m[2, 2]
    jac = (m[:2, :2] - np.outer((nx, ny), m[2, :2])) / d
    slope = abs(jac[1, 0] / jac[0, 0]) if jac[0, 0] else 0.0
    hw = (x1 - x0) / 2
    hh = max((y1 - y0) / 2 - hw * slope, (y1 - y0) / 4)
    return TextLine(text=line.text, bbox=(nx - hw, ny - hh, nx + hw, ny + hh), confidence=line.confidence)


def _gap(width: int) -> float:
    """How far apart two cells' boxes may be and still share a rule (rule width + slack)."""
    return max(6.0, width * 0.008)


def text_unit(lines: list[TextLine], width: int) -> float:
    """The page's text line height in px (median OCR line height), the yardstick for what is
    a rule: a character's strokes are shorter, a cell's borders longer. Without OCR lines, the
    line height of 10.5 pt text on an A4 page this wide."""
    heights = sorted(text_dims(ln)[1] for ln in lines if len(ln.text.strip()) >= 2)
    if len(heights) >= 3:
        return float(heights[len(heights) // 2])
    return width / 36.0


def cell_boxes(image: np.ndarray) -> list[BBox]:
    """Boxes of the closed regions of the rule drawing: the table cells."""
    return cell_boxes_from_mask(ruling_mask(image))


def cell_boxes_from_mask(mask: np.ndarray) -> list[BBox]:
    return cell_regions(mask)[0]


def cell_regions(mask: np.ndarray) -> tuple[list[BBox], list[int], np.ndarray]:
    """Cell boxes, the region label of each, and the label image (0 on rules and outside)."""
    h, w = mask.shape[:2]
    free = cv2.bitwise_not(mask)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    min_w = max(12, w // 100)
    min_h = max(12, h // 140)
    boxes: list[BBox] = []
    ids: list[int] = []
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if x <= 0 or y <= 0 or x + bw >= w or y + bh >= h:
            continue  # touches the image edge: the page around the tables
        if bw < min_w or bh < min_h:
            continue
        if area < 0.5 * bw * bh:
            continue  # a ring between a frame and what it surrounds, not a cell
        # Give back the half rule width the dilation took, so neighbours' borders meet.
        pad = 3
        boxes.append((float(x - pad), float(y - pad), float(x + bw + pad), float(y + bh + pad)))
        ids.append(i)
    # A region holding other regions is a frame around a table (a photographed page's edge).
    keep = [k for k, b in enumerate(boxes) if not any(o is not b and _inside(o, b) for o in boxes)]
    return [boxes[k] for k in keep], [ids[k] for k in keep], labels


def _inside(inner: BBox, outer: BBox) -> bool:
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] < cx < outer[2] and outer[1] < cy < outer[3] and (inner[2] - inner[0]) < (outer[2] - outer[0])


def _tables(boxes: list[BBox], gap: float) -> list[list[BBox]]:
    """Boxes grouped by touching (within `gap`): one group per table."""
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list[BBox]] = {}
    for i, b in enumerate(boxes):
        groups.setdefault(find(i), []).append(b)
    return list(groups.values())


def _grid_of(boxes: list[BBox], page: int, width: int) -> Grid | None:
    if len(boxes) < 2:
        return None
    tol = _gap(width) * 1.5
    spans = lattice_spans(boxes, tol)
    cells = [
        Cell(row=r, col=c, row_span=rs, col_span=cs, bbox=b, page=page)
        for b, (r, c, rs, cs) in zip(boxes, spans, strict=True)
    ]
    n_rows = max(c.row + c.row_span for c in cells)
    n_cols = max(c.col + c.col_span for c in cells)
    return Grid(page=page, cells=cells, n_rows=n_rows, n_cols=n_cols, tolerance=tol)
