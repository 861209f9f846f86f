"""OCR lines that are not the form's text: a seal's arc lettering and specks read as glyphs.

A red seal stamped over a value is read as a line of its own ("康金石职业技术业"), whose
box is far taller than its characters are wide (the text runs round an arc); it would end
up inside the value's cell. Scanner dust and print specks come out as single tiny glyphs
("日", "m") much smaller than the page's text. Both are dropped before the form is read.
"""

from __future__ import annotations

import math
import statistics

from shenbao.extractors.form.grid import char_width
from shenbao.pipeline.types import BBox, TextLine

# A line whose box is this many times taller than its characters' advance is arc lettering
# (straight text: about 1-1.5; a seal's arc read as one line: 3.4 and more).
ARC_RATIO = 3.0
# ... and it is clearly taller than the page's typical line.
ARC_TALL = 1.4
# A short line this much smaller than the page's typical line is a speck.
SPECK_RATIO = 0.6


def clean_ocr_lines(lines: list[TextLine]) -> list[TextLine]:
    return split_ocr_lines(lines)[0]


def split_ocr_lines(lines: list[TextLine]) -> tuple[list[TextLine], list[BBox]]:
    """The form's own lines, and the regions seals cover (judged from their lettering)."""
    if not lines:
        return lines, []
    heights = [text_dims(ln)[1] for ln in lines if len(ln.text.strip()) >= 2]
    typical = statistics.median(heights) if heights else 0.0
    kept: list[TextLine] = []
    seals: list[BBox] = []
    for ln in lines:
        if _is_arc(ln, typical):
            seals.append(_seal_region(ln.bbox))
        elif not _is_speck(ln, typical) or _ends_a_line(ln, lines, typical):
            kept.append(ln)
    return kept, seals


_PUNCT = set("。，、；：.,;:！？!?")


def _ends_a_line(line: TextLine, lines: list[TextLine], typical: float) -> bool:
    """A lone "。" read as its own box right after the text it ends, or wrapped to the start of
    the next row under it (OCR often splits off a sentence's last full stop): small, but not a
    speck."""
    text = line.text.strip()
    if not text or any(ch not in _PUNCT for ch in text):
        return False
    x0, y0, x1, y1 = line.bbox
    for other in lines:
        if other is line or len(other.text.strip()) < 2:
            continue
        ox0, oy0, ox1, oy1 = other.bbox
        cy = (y0 + y1) / 2
        same_row = oy0 - 0.3 * typical <= cy <= oy1 + 0.3 * typical
        if same_row and -0.3 * typical <= x0 - ox1 <= typical:
            return True
        wrapped = oy1 <= cy <= oy1 + 1.2 * typical and abs(x0 - ox0) <= 0.5 * typical
        if wrapped:
            return True
    return False


def _seal_region(arc: BBox) -> BBox:
    """A seal's disc from the box of its lettering: the lettering runs along the top of the
    ring, so the disc is about as wide and reaches well below it."""
    x0, y0, x1, y1 = arc
    w = x1 - x0
    return (x0 - 0.25 * w, y0 - 0.1 * w, x1 + 0.25 * w, y0 + 1.4 * w)


def overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def text_dims(line: TextLine) -> tuple[float, float]:
    """Width and height of the text run itself: along and across its polygon when there is
    one (the box of a slanted line is taller than its text), else the box's."""
    p = line.polygon
    if p and len(p) >= 4:
        w = (math.dist(p[0], p[1]) + math.dist(p[3], p[2])) / 2
        h = (math.dist(p[0], p[3]) + math.dist(p[1], p[2])) / 2
        return w, h
    return line.bbox[2] - line.bbox[0], line.bbox[3] - line.bbox[1]


def _is_arc(line: TextLine, typical: float) -> bool:
    text = line.text.strip()
    if len(text) < 2:
        return False
    w, h = text_dims(line)
    ems = sum(char_width(ch) for ch in text)
    if w <= 0 or ems <= 0 or (typical > 0 and h < ARC_TALL * typical):
        return False
    return h / (w / ems) >= ARC_RATIO


def _is_speck(line: TextLine, typical: float) -> bool:
    text = line.text.strip()
    if not text:
        return True
    if len(text) > 2 or typical <= 0:
        return False
    w, h = text_dims(line)
    if max(w, h) < SPECK_RATIO * typical:
        return True
    # Small and not sure of itself: a blot read as a glyph.
    return len(text) == 1 and h < 0.75 * typical and line.confidence < 0.9
