"""Characters a detector left out beside a line's box, read back.

On a coarse or faint scan a DB detector finds no box for characters of a single thin stroke:
the "二〇二" of "填报时间：二〇二三年七月二十七日" goes, and the row reads "填报时间" and
"三年七月二十七日". Where ink runs on from a line's box (to the left or right, up to the next
box of its row), the line is read again over that ink, straight with the recogniser, and the new
reading is kept only if it is the old one with characters added at its ends: what was read is
never changed, only what was lost comes back.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shenbao.extractors.form import cellread
from shenbao.extractors.form.grid import group_rows
from shenbao.extractors.form.ocrtext import overlaps
from shenbao.extractors.normalize.text import nfkc
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.script import to_simplified
from shenbao.pipeline.types import BBox, TextLine


@dataclass(frozen=True)
class GapSettings:
    reach_ratio: float = 0.8  # ink this close to a box (text heights) runs on from it
    join_ratio: float = 0.6  # ... and so does ink this close to that ink
    min_ink_ratio: float = 0.3  # the run must be at least this wide (text heights): a character
    # A character is at most a text height wide, CJK numerals and marks much less.
    chars_per_height: float = 1.5
    pad_ratio: float = 0.25
    rule_len_ratio: float = 2.5  # an underline or rule is no character


@dataclass
class _Extension:
    line: TextLine
    x0: int  # the line's box grown over the ink beside it, page pixels
    x1: int
    y0: int
    y1: int
    lo: int  # the neighbouring boxes' edges: the crop stays between them
    hi: int
    row: int = 0  # which row of the page, and which line of it
    k: int = 0


def mend_gaps(lines: list[TextLine], image: np.ndarray, engine: OcrEngine, unit: float,
              settings: GapSettings | None = None, seals: list[BBox] | None = None) -> list[TextLine]:
    """`lines` with each line that has ink running on from its box read again over that ink,
    where the new reading only adds characters at its ends. Ink under a seal (`seals`: page
    boxes) is the seal's, never text; a label ending in a colon has its value to its right,
    not more of itself. Lines with nothing to mend come back as they were (same objects,
    same order)."""
    settings = settings or GapSettings()
    if unit <= 0 or not lines:
        return lines
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    found: list[_Extension] = []
    for r, row in enumerate(group_rows(lines)):
        for k, line in enumerate(row):
            left_stop = int(np.ceil(row[k - 1].bbox[2])) if k > 0 else 0
            right_stop = int(row[k + 1].bbox[0]) if k + 1 < len(row) else gray.shape[1]
            if line.text.rstrip().endswith(("：", ":")):
                right_stop = int(np.ceil(line.bbox[2]))
            ext = _extension(line, gray, unit, settings, left_stop, right_stop)
            if ext is not None and seals and any(
                    overlaps((ext.x0, ext.y0, ext.x1, ext.y1), seal) for seal in seals):
                continue
            if ext is not None:
                ext.row, ext.k = r, k
                found.append(ext)
    if not found:
        return lines
    crops = [_crop(gray, e, unit, settings) for e in found]
    try:
        read = engine.read_lines(crops)
    except NotImplementedError:
        return lines
    accepted: list[tuple[_Extension, str, float]] = []
    for ext, (text, confidence) in zip(found, read, strict=True):
        new = to_simplified(text).strip()
        line = ext.line
        x0, _, x1, _ = line.bbox
        before = int((x0 - ext.x0) / unit * settings.chars_per_height) + 1 if ext.x0 < x0 else 0
        after = int((ext.x1 - x1) / unit * settings.chars_per_height) + 1 if ext.x1 > x1 else 0
        if adds_at_ends(line.text.strip(), new, before, after):
            accepted.append((ext, new, float(confidence)))
    mended: dict[int, TextLine] = {}
    for ext, new, confidence in _one_per_gap(accepted):
        line = ext.line
        x0, _, x1, _ = line.bbox
        mended[id(line)] = TextLine(
            text=new,
            bbox=(min(x0, float(ext.x0)), line.bbox[1], max(x1, float(ext.x1)), line.bbox[3]),
            confidence=min(confidence, line.confidence),
            polygon=None,
        )
    if not mended:
        return lines
    return [mended.get(id(line), line) for line in lines]


def _one_per_gap(accepted: list[tuple[_Extension, str, float]]) -> list[tuple[_Extension, str, float]]:
    """Where two neighbours both took the ink between them, the one that read more of it: the
    same characters must not come back twice."""
    by_place = {(e.row, e.k): (e, new, conf) for e, new, conf in accepted}
    dropped: set[tuple[int, int]] = set()
    for (row, k), (e, new, _) in by_place.items():
        right = by_place.get((row, k + 1))
        if right is None or e.x1 <= e.line.bbox[2] or right[0].x0 >= right[0].line.bbox[0]:
            continue  # not both grown into the gap between them
        gained_left = len(new) - len(e.line.text.strip())
        gained_right = len(right[1]) - len(right[0].line.text.strip())
        dropped.add((row, k) if gained_right >= gained_left else (row, k + 1))
    return [item for place, item in by_place.items() if place not in dropped]


def adds_at_ends(old: str, new: str, before: int, after: int) -> bool:
    """Whether `new` is `old` with at most `before` characters put in front and `after` behind
    (at least one in all), each a letter, digit or CJK character or a punctuation mark, and at
    least one of them not a mark. Compared after NFKC (a full-width colon read as ":")."""
    o, n = _fold(old), _fold(new)
    if not o or len(n) <= len(o):
        return False
    for start in range(0, min(before, len(n) - len(o)) + 1):
        if n[start:start + len(o)] != o:
            continue
        added = n[:start] + n[start + len(o):]
        if len(n) - start - len(o) > after:
            continue
        # a check box or an underline read as "☑" or "_" is no text
        if any(c.isalnum() for c in added) and all(c.isalnum() or c in cellread.PUNCTUATION for c in added):
            return True
    return False


def _fold(text: str) -> str:
    return nfkc(text).replace(" ", "")


def _extension(line: TextLine, gray: np.ndarray, unit: float, settings: GapSettings,
               left_stop: int, right_stop: int) -> _Extension | None:
    """The line's box grown over ink that runs on from it, or None when there is none."""
    x0, y0, x1, y1 = line.bbox
    h, w = gray.shape[:2]
    gy0, gy1 = max(0, int(y0)), min(h, int(np.ceil(y1)))
    if gy1 - gy0 < 4:
        return None
    lo, hi = max(0, left_stop), min(w, right_stop)
    if hi - lo < 4:
        return None
    band = cellread.erase_rules(gray[gy0:gy1, lo:hi], unit, settings.rule_len_ratio)
    cols = cellread.ink_mask(band, faint=True).any(axis=0)
    reach = max(2, int(round(unit * settings.reach_ratio)))
    join = max(2, int(round(unit * settings.join_ratio)))
    bx0, bx1 = int(round(x0)) - lo, int(round(x1)) - lo
    new0 = _run(cols, bx0, -1, reach, join)
    new1 = _run(cols, bx1, +1, reach, join)
    least = unit * settings.min_ink_ratio
    grow0 = new0 is not None and bx0 - new0 >= least
    grow1 = new1 is not None and new1 - bx1 >= least
    if not grow0 and not grow1:
        return None
    return _Extension(line, lo + (new0 if grow0 else bx0), lo + (new1 if grow1 else bx1), gy0, gy1, lo, hi)


def _run(cols: np.ndarray, start: int, step: int, reach: int, join: int) -> int | None:
    """From `start` going `step`: the far edge of ink that begins within `reach` columns and
    keeps on with gaps under `join`; None when no ink begins within reach."""
    n = len(cols)
    x = start
    limit = reach
    edge = None
    while True:
        k = 1
        while k <= limit and 0 <= x + step * k < n and not cols[x + step * k]:
            k += 1
        if k > limit or not 0 <= x + step * k < n:
            return edge
        x += step * k
        while 0 <= x + step < n and cols[x + step]:
            x += step
        edge = x if step < 0 else x + 1
        limit = join


def _crop(gray: np.ndarray, ext: _Extension, unit: float, settings: GapSettings) -> np.ndarray:
    pad = max(2, int(round(unit * settings.pad_ratio)))
    h, w = gray.shape[:2]
    sub = gray[max(0, ext.y0 - pad):min(h, ext.y1 + pad), max(ext.lo, ext.x0 - pad):min(ext.hi, ext.x1 + pad)]
    # the cover's underline goes, or it is read as "_"
    return cellread.framed(cellread.erase_rules(sub, unit, settings.rule_len_ratio))

