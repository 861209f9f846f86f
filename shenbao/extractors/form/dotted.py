"""Dotted and faint rules: found by where their ink lies, not by how long its runs are.

A dotted rule, or a rule printed pale grey, leaves no long run of ink: the morphology that finds
solid rules (`rule_finding.ruling_mask`) sees only dots. Closing the gaps between dots does
not work: on a worn photocopy the toner specks close into "rules" too. What tells a rule is
where the ink lies: outside the text, along one row, the dots of a rule cover a good share of
every stretch, and the rows a little above and below it are nearly bare. A photocopy's specks
cover the rows beside them as much as their own, and text is masked out by its OCR boxes.
Coloured ink (a seal, a markup circle) is left out: its straight flanks would anchor each
other into a cell. What is found here still has to end on crossing rules like any other
(`rule_finding._anchored`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shenbao.pipeline.types import BBox


@dataclass(frozen=True)
class DottedRuleSettings:
    """Tolerances of dotted-rule finding; lengths are in text line heights (`unit`)."""

    # a dot is this much darker than the paper around it (0-255): a pale grey print still is
    faint_contrast: int = 25
    # share of a stretch of the row its dots cover ...
    min_cover: float = 0.35
    # ... and that many times the cover of the rows `beside` above and below
    peak_ratio: float = 2.5
    beside: float = 0.15
    # the stretch the cover is measured over
    window: float = 3.0
    # the shortest dotted rule kept
    min_length: float = 2.0
    # the widest gap between two dots of one rule
    dot_gap: float = 0.5
    # text boxes are masked out this much wider all round
    text_margin: float = 0.1
    # a stretch is measured only where at least this share of it is free of text and seals
    min_free: float = 0.3
    # a line running on this far past every rule crossing it is a streak, not a table's rule
    past_border: float = 1.5
    # pages at least this many pixels on their short side are searched at half size
    half_size_from: int = 1000

    def __post_init__(self) -> None:
        if not 0 < self.faint_contrast < 255:
            raise ValueError("faint_contrast must lie in (0, 255)")
        if not 0 < self.min_cover <= 1:
            raise ValueError("min_cover must lie in (0, 1]")
        if self.peak_ratio < 1:
            raise ValueError("peak_ratio must be at least 1")
        if min(self.window, self.min_length, self.dot_gap, self.beside, self.past_border) <= 0 or self.text_margin < 0:
            raise ValueError("window, min_length, dot_gap, beside and past_border must be positive, text_margin not negative")
        if self.half_size_from < 1:
            raise ValueError("half_size_from must be positive")
        if not 0 < self.min_free <= 1:
            raise ValueError("min_free must lie in (0, 1]")


DEFAULT = DottedRuleSettings()


def dotted_rules(contrast: np.ndarray, text: list[BBox], seal: np.ndarray | None, unit: float,
                 horizontal: bool, solid: np.ndarray | None = None,
                 settings: DottedRuleSettings = DEFAULT) -> np.ndarray:
    """uint8 mask (255) of the dotted or faint rules running one way. `contrast`: how much
    darker each pixel is than its paper (`rule_finding._contrast`); `text`: OCR line boxes in
    the same frame; `seal`: coloured ink (or None); `solid`: the solid rules running the same
    way, found already.

    A large page is searched at half its size (each pixel the darkest of its four, so no dot is
    lost), a quarter of the work; what is found is drawn back at full size, to within a pixel
    that the rules' later thickening covers."""
    h, w = contrast.shape[:2]
    if min(h, w) < settings.half_size_from:
        return _dotted(contrast, text, seal, unit, horizontal, solid, settings)
    found = _dotted(_halved(contrast), [tuple(v / 2 for v in box) for box in text],
                    None if seal is None else _halved(seal), unit / 2, horizontal,
                    None if solid is None else _halved(solid), settings)
    return cv2.resize(found, (w, h), interpolation=cv2.INTER_NEAREST)


def _halved(image: np.ndarray) -> np.ndarray:
    """Half the size, each pixel the largest of the four it stands for."""
    return np.ascontiguousarray(cv2.dilate(image, np.ones((2, 2), np.uint8), anchor=(0, 0))[::2, ::2])


def _dotted(contrast: np.ndarray, text: list[BBox], seal: np.ndarray | None, unit: float,
            horizontal: bool, solid: np.ndarray | None, settings: DottedRuleSettings) -> np.ndarray:
    dots = (contrast >= settings.faint_contrast).astype(np.uint8)
    # Text is masked out with a margin: the strokes at a line's ends lie along its box's edges
    # and would line up into "rules" of their own. A rule that passes close to text is measured
    # on the stretch left free, not counted as bare where text hides it.
    free = np.ones_like(dots)
    inside = np.zeros_like(dots)
    m = max(2, round(settings.text_margin * unit))
    for x0, y0, x1, y1 in text:
        free[max(0, int(y0) - m):max(0, int(y1) + m + 1), max(0, int(x0) - m):max(0, int(x1) + m + 1)] = 0
        inside[max(0, int(y0)):max(0, int(y1) + 1), max(0, int(x0)):max(0, int(x1) + 1)] = 1
    if seal is not None and seal.shape == dots.shape:
        free[seal > 0] = 0
    if not horizontal:
        dots, free, inside = (np.ascontiguousarray(a.T) for a in (dots, free, inside))
    # a rule a pixel or two thick and not quite level still lies within three rows
    three = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3))
    clear = cv2.erode(free, three)
    band = (cv2.dilate(dots, three) & clear).astype(np.float32)
    window = (max(15, round(settings.window * unit)), 1)
    room = cv2.blur(clear.astype(np.float32), window)
    clear = clear > 0
    measured = room >= settings.min_free
    cover = np.where(measured, cv2.blur(band, window) / np.maximum(room, 1e-6), 0.0)
    # The rows just beside a rule, past its own thickness, are nearly bare. A side hidden by
    # text or a seal is not compared; with both hidden there is nothing to tell by.
    beside = max(4, round(settings.beside * unit))
    above = np.full_like(cover, -1.0)
    below = np.full_like(cover, -1.0)
    known = np.where(measured, cover, -1.0)
    above[beside:] = known[:-beside]
    below[:-beside] = known[beside:]
    nearby = np.maximum(above, below)
    # Only where the row itself is free (a stretch of rule beside text does not run on under
    # it) and a dot lies close by: the cover of a window smears past a rule's end.
    near = cv2.dilate(band, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(settings.dot_gap * unit)), 1))) > 0
    peak = clear & near & (cover >= settings.min_cover) & (nearby >= 0) & (cover >= settings.peak_ratio * nearby)
    if solid is not None:
        # what the solid rules already hold is theirs; what is left must be long on its own
        held = solid if horizontal else solid.T
        peak &= cv2.dilate(held, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 7))) == 0
    rules = np.where(peak, np.uint8(255), np.uint8(0)).astype(np.uint8)
    long = max(15, round(settings.min_length * unit))
    rules = cv2.morphologyEx(rules, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long, 1)))
    # The cover of a window falls off within half a window of a rule's end: carry each rule on
    # along its own dots that far (and no farther than the dots go).
    grown = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, window))
    rules[(grown > 0) & near & clear] = 255
    # A dotted rule runs on past text as a solid one runs on under a seal: pieces in line are
    # joined across the margin kept round text and across seals, never through text itself.
    joined = close_rows(rules, rules.shape[1] // 3, to_edges=True)
    rules[(joined > 0) & (free == 0) & (inside == 0)] = 255
    return rules if horizontal else np.ascontiguousarray(rules.T)


def within_tables(rules: np.ndarray, cross: np.ndarray, unit: float, horizontal: bool,
                  settings: DottedRuleSettings = DEFAULT) -> np.ndarray:
    """`rules` (dotted, running one way) without the lines that run on past every rule crossing
    them: a table's rule ends at its border, a copier's streak runs down the whole page, through
    the table and out into the margins. A line is its pieces in line taken together (text
    breaks a streak into pieces that each end on a rule); `cross`: every rule running the other
    way, solid or dotted."""
    if not rules.any():
        return rules
    lines, crossing = (rules, cross) if horizontal else (np.ascontiguousarray(rules.T), np.ascontiguousarray(cross.T))
    h, w = lines.shape[:2]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(close_rows(lines, w // 3), connectivity=8)
    slack = settings.past_border * unit
    reach = max(3, round(unit / 4))
    out = lines.copy()
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        window = (slice(y, y + bh), slice(x, x + bw))
        piece = (labels[window] == i) & (lines[window] > 0)
        spans = np.flatnonzero(piece.any(axis=0)) + x
        band = crossing[max(0, y - reach):min(h, y + bh + reach), :].any(axis=0)
        at = np.flatnonzero(band)
        if spans.size and at.size and (spans[0] < at[0] - slack or spans[-1] > at[-1] + slack):
            out[window][piece] = 0
    return out if horizontal else np.ascontiguousarray(out.T)


def close_rows(mask: np.ndarray, max_gap: int, to_edges: bool = False) -> np.ndarray:
    """`mask` with the gaps of up to `max_gap` px between marks on one row filled: a closing
    along rows, done on the few rows that hold any mark (a rule mask is sparse; a morphological
    closing this long costs a pass over the whole image per kernel row). With `to_edges`, a row's
    first and last marks also run out to the image's edge within `max_gap`, as a closing does
    there: a table cut by the crop goes on past it."""
    out = mask.copy()
    width = mask.shape[1]
    for r in np.flatnonzero(mask.any(axis=1)):
        xs = np.flatnonzero(mask[r])
        steps = np.diff(xs)
        for g in np.flatnonzero((steps > 1) & (steps <= max_gap)):
            out[r, xs[g]:xs[g + 1]] = 255
        if to_edges:
            if xs[0] <= max_gap:
                out[r, :xs[0]] = 255
            if width - 1 - xs[-1] <= max_gap:
                out[r, xs[-1]:] = 255
    return out
