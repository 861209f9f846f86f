"""The rules of a table on a page image: long straight ink lines, told from what only looks like
one (a seal's ring, a toner streak, large lettering), continued under seals and markup, and
dotted or faint rules found by where their dots lie (`dotted`).

`ruling_mask` gives the line drawing whose enclosed regions `grid_image` takes as cells.
"""

from __future__ import annotations

import cv2
import numpy as np

from shenbao.extractors.form.dotted import dotted_rules, within_tables
from shenbao.pipeline.types import BBox


def gray_of(image: np.ndarray) -> np.ndarray:
    """Lightness for rule finding: the brightest channel, so that a red seal (bright in red) or
    blue handwriting fades out and only black/grey print stays dark."""
    if image.ndim == 2:
        return image
    r, g, b = cv2.split(np.ascontiguousarray(image[:, :, :3]))
    return cv2.max(cv2.max(r, g), b)


def seal_mask(image: np.ndarray) -> np.ndarray | None:
    """uint8 mask (255) of coloured ink - a red seal, a markup circle or highlight - on an RGB
    page, a little widened; None on a grey page or one without any. Where it lies, a black rule
    under it is hidden, not absent."""
    if image.ndim != 3 or image.shape[2] < 3:
        return None
    rgb = image[:, :, :3].astype(np.int16)
    hi, lo = rgb.max(axis=2), rgb.min(axis=2)
    coloured = ((hi - lo) > SEAL_CHROMA) & (hi > SEAL_LIGHT)
    if coloured.mean() < 1e-4:
        return None
    mask = np.where(coloured, np.uint8(255), np.uint8(0)).astype(np.uint8)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))


# Coloured ink: its brightest channel this far above its darkest, and itself this light.
SEAL_CHROMA = 60
SEAL_LIGHT = 100


def ruling_mask(image: np.ndarray, unit: float | None = None, seal: np.ndarray | None = None,
                text: list[BBox] | None = None) -> np.ndarray:
    """uint8 mask (255 = rule) of the long horizontal and vertical lines of the page; `unit`
    is the text line height (px), see `text_unit`. `seal` (see `seal_mask`, same frame) marks
    coloured ink: a rule's pieces that line up across it are one rule that runs under it.
    `text` (OCR line boxes, same frame): with them, dotted and faint rules are found too
    (`dotted`); without, only solid ones (enough to measure a page's skew)."""
    gray = gray_of(image)
    h, w = gray.shape[:2]
    unit = unit or w / 36.0
    ink = ink_of(gray)
    # Rules are longer than any text stroke: longer than a text line is high (a cell holds at
    # least one line), and horizontally a little longer still. A little thickening across the
    # rule first keeps a slightly slanted rule in one run.
    klen_h = max(15, round(1.25 * unit))
    klen_v = max(15, round(1.1 * unit))
    thick_v = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    horiz = cv2.morphologyEx(thick_v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (klen_h, 1)))
    thick_h = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    vert = cv2.morphologyEx(thick_h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, klen_v)))
    # What survives of a seal ring's flank is about as long as the ring is thick across:
    # a couple of text lines at most.
    horiz = _straight(horiz, True, w // 4, 3 * unit)
    vert = _straight(vert, False, h // 4, 3 * unit)
    contrast = _contrast(gray, unit)
    horiz, vert, typical = _printed(horiz, vert, contrast)
    # (before bridging: the stretches of a dotted rule beside text are joined with the rest)
    if text is not None:
        dotted_h = dotted_rules(contrast, text, seal, unit, True, horiz)
        dotted_v = dotted_rules(contrast, text, seal, unit, False, vert)
        horiz, vert = (cv2.bitwise_or(horiz, within_tables(dotted_h, cv2.bitwise_or(vert, dotted_v), unit, True)),
                       cv2.bitwise_or(vert, within_tables(dotted_v, cv2.bitwise_or(horiz, dotted_h), unit, False)))
    # Bridge small breaks along each rule (faded or broken print), then close the junctions.
    bridge = max(9, w // 120)
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)))
    if seal is not None and seal.shape == gray.shape:
        horiz, vert = _under_seals(horiz, vert, cv2.bitwise_or(seal, ink))
    reach = max(8, w // 150)
    horiz, vert = (_anchored(horiz, vert, reach, w // 4, True, contrast, typical),
                   _anchored(vert, horiz, reach, h // 4, False, contrast, typical))
    mask = cv2.bitwise_or(horiz, vert)
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))


def _under_seals(horiz: np.ndarray, vert: np.ndarray, seal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rules carried on under coloured ink: the gap between two pieces of one rule is filled
    where it lies under a seal or markup, or under print the seal's lettering broke into pieces
    too short to be taken for a rule (`seal`: coloured ink or print), and nowhere else."""
    h, w = seal.shape[:2]
    across = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, w // 3), 1)))
    down = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, h // 3))))
    return cv2.bitwise_or(horiz, cv2.bitwise_and(across, seal)), cv2.bitwise_or(vert, cv2.bitwise_and(down, seal))


def ink_of(gray: np.ndarray) -> np.ndarray:
    """Dark print against its local paper (uint8 mask, 255 = ink)."""
    h, w = gray.shape[:2]
    block = max(15, (min(h, w) // 60) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def _straight(rules: np.ndarray, horizontal: bool, long: int, seal_len: float) -> np.ndarray:
    """Drop short pieces whose thickness is not a rule's.

    A printed rule is equally thick along its length. What the opening leaves of a curved
    stroke (the flank of a seal's ring) is lens-shaped: thin at both ends, and thinner on
    average than the page's rules.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    if n <= 2:
        return rules
    profiles: dict[int, np.ndarray] = {}
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        part = labels[y:y + bh, x:x + bw] == i
        profiles[i] = part.sum(axis=0 if horizontal else 1)  # thickness at each step along it
    # Typical rule thickness: the median piece among the shorter ones (a photo's paper edge
    # or dark background gives a few long, very thick "rules" that must not set the measure).
    short = [float(p.mean()) for p in profiles.values() if p.size < long]
    pool = short if len(short) >= 3 else [float(p.mean()) for p in profiles.values()]
    typical = float(np.median(pool))
    keep = np.ones(n, dtype=bool)
    keep[0] = False
    for i, prof in profiles.items():
        if prof.size >= long:
            continue
        # Printed rules measured on the corpus: at least 0.69 × typical, and a row-high piece
        # never has a thin stretch (a long one on a photo may: blur and perspective).
        thin = float((prof < 0.5 * prof.max()).mean())
        if prof.mean() < 0.6 * typical or (prof.size < seal_len and thin > 0.05):
            keep[i] = False
    return np.where(keep[labels], np.uint8(255), np.uint8(0)).astype(np.uint8)


def _contrast(gray: np.ndarray, unit: float) -> np.ndarray:
    """How much darker each pixel is than the paper around it (a median over a few text
    heights), 0-255."""
    k = max(3, int(round(2 * unit)) | 1)
    paper = cv2.medianBlur(gray, min(k, 255))
    return np.clip(paper.astype(np.int16) - gray.astype(np.int16), 0, 255).astype(np.uint8)


def _printed(horiz: np.ndarray, vert: np.ndarray,
             contrast: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Drop lines far fainter than the page's rules: a copier's toner streak down the page or
    the shadow of a paper edge is a long straight line too, but it stands out from the paper
    around it by a fraction of what printed ink does. A line's contrast is its darkest across
    (`_contrast`), the median of that along its length (crossings with text or rules do not
    lift it); the page's rules are measured by the median line, which is returned too."""
    found: list[tuple[np.ndarray, np.ndarray]] = []  # per direction: component labels, contrasts
    for rules, horizontal in ((horiz, True), (vert, False)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
        levels = np.zeros(n)
        for i in range(1, n):
            levels[i] = float(np.median(_spine(labels, stats[i], i, contrast, horizontal)))
        found.append((labels, levels))
    every = np.concatenate([levels[1:] for _, levels in found])
    if every.size < 3:
        return horiz, vert, 0.0
    typical = float(np.median(every))
    out = []
    for labels, levels in found:
        keep = levels >= 0.6 * typical
        keep[0] = False
        out.append(np.where(keep[labels], np.uint8(255), np.uint8(0)).astype(np.uint8))
    return out[0], out[1], typical


def _spine(labels: np.ndarray, stat: np.ndarray, i: int, contrast: np.ndarray, horizontal: bool) -> np.ndarray:
    """Component `i`'s contrast at its darkest across, step by step along it."""
    x, y, bw, bh, _ = (int(v) for v in stat)
    part = labels[y:y + bh, x:x + bw] == i
    return np.where(part, contrast[y:y + bh, x:x + bw], 0).max(axis=0 if horizontal else 1)


def _anchored(rules: np.ndarray, cross: np.ndarray, reach: int, long: int, horizontal: bool,
              contrast: np.ndarray, typical: float) -> np.ndarray:
    """Keep the rules that end on a crossing rule at both ends, or are long and end on one at
    one end at least.

    A table rule runs from one rule to another; the straight-looking flanks of a seal's ring or
    a stroke of large lettering stop in the middle of a cell. Without this they split cells.
    A long rule may have lost an end (a faded border, a table cut by the page), but not both: a
    line that runs past the table into the margins at both ends is a copier's toner streak or a
    paper edge, and would split every cell it crosses. Where such a streak ran into a table's
    border (one line from the page's top to its bottom), the stretch printed as dark as a rule
    and ending on crossing rules at both ends is the border, and stays.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    H, W = rules.shape[:2]
    out = np.zeros_like(rules)

    def touches(ex0: int, ey0: int, ex1: int, ey1: int) -> bool:
        return bool(cross[max(0, ey0 - reach):min(H, ey1 + reach + 1), max(0, ex0 - reach):min(W, ex1 + reach + 1)].any())

    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        length = bw if horizontal else bh
        if horizontal:
            ends = [(x, y, x, y + bh), (x + bw - 1, y, x + bw - 1, y + bh)]
        else:
            ends = [(x, y, x + bw, y), (x, y + bh - 1, x + bw, y + bh - 1)]
        anchored = sum(touches(*e) for e in ends)
        keep[i] = anchored == 2 or (length >= long and anchored == 1)
        if not keep[i] and length >= long and typical > 0:
            # a pale speck of the border for a few pixels is no end of it
            spine = cv2.dilate(_spine(labels, stats[i], i, contrast, horizontal).reshape(1, -1),
                               cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 1))).ravel()
            a, b = _rule_stretch(spine, 0.75 * typical)
            # ... and of that, the part between the first and the last rule it crosses
            if horizontal:
                band = cross[max(0, y - reach):min(H, y + bh + reach), x + a:x + b].any(axis=0)
            else:
                band = cross[y + a:y + b, max(0, x - reach):min(W, x + bw + reach)].any(axis=1)
            hits = np.flatnonzero(band)
            if hits.size and hits[-1] - hits[0] >= long // 2:
                lo, hi = a + int(hits[0]), a + int(hits[-1]) + 1
                window = (slice(y, y + bh), slice(x + lo, x + hi)) if horizontal else (slice(y + lo, y + hi), slice(x, x + bw))
                out[window][labels[window] == i] = 255
    return np.maximum(out, np.where(keep[labels], np.uint8(255), np.uint8(0)).astype(np.uint8))


def _rule_stretch(spine: np.ndarray, floor: float) -> tuple[int, int]:
    """The longest run [a, b) of `spine` at or above `floor`."""
    best, start = (0, 0), None
    for k, dark in enumerate([*(spine >= floor), False]):
        if dark and start is None:
            start = k
        elif not dark and start is not None:
            if k - start > best[1] - best[0]:
                best = (start, k)
            start = None
    return best
