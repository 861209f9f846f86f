"""A page's OCR or text-layer lines as visual rows of characters (evidence/layout.py reads
labels and values off them).

Nothing here trusts line boundaries: every line is cut into characters with estimated boxes
(proportional to glyph widths), lines overlapping vertically make one visual row, and a box
standing on end is cut into its characters (`stand_columns`).
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

from shenbao.extractors.form.grid import char_width, union_bbox
from shenbao.extractors.form.ocrtext import split_ocr_lines
from shenbao.pipeline.types import BBox, Page, PageKind, TextLine


@dataclass
class Glyph:
    ch: str
    box: BBox
    confidence: float


@dataclass
class Row:
    """One visual row: its characters left to right, a " " where a visible gap separates runs."""

    text: str
    glyphs: list[Glyph | None]  # one per character of `text`; None for an inserted gap
    gaps: list[float]  # per character: the gap width for an inserted " ", else 0
    height: float  # typical character height in the row

    @property
    def bbox(self) -> BBox:
        return union_bbox(g.box for g in self.glyphs if g is not None)

    def span_box(self, i: int, j: int) -> BBox | None:
        boxes = [g.box for g in self.glyphs[i:j] if g is not None]
        return union_bbox(boxes) if boxes else None

    def span_confidence(self, i: int, j: int) -> float:
        return min((g.confidence for g in self.glyphs[i:j] if g is not None), default=1.0)

    def x_at(self, i: int) -> float:
        """Left edge of the first real character at or after index i."""
        for g in self.glyphs[i:]:
            if g is not None:
                return g.box[0]
        return self.bbox[2]


@dataclass
class Span:
    """A run of characters on one page: text, box, confidence (the lowest of its lines)."""

    text: str
    page: int
    bbox: BBox | None
    confidence: float

    def joined(self, other: Span, sep: str = "") -> Span:
        boxes = [b for b in (self.bbox, other.bbox) if b is not None]
        return Span(
            self.text + sep + other.text,
            self.page,
            union_bbox(boxes) if boxes else None,
            min(self.confidence, other.confidence),
        )


def _glyphs_of(line: TextLine) -> list[Glyph | None]:
    """The line's characters with boxes estimated from glyph widths (spaces become None)."""
    text = line.text
    weights = [char_width(ch) for ch in text]
    total = sum(weights) or 1.0
    x0, y0, x1, y1 = line.bbox
    scale = (x1 - x0) / total
    out: list[Glyph | None] = []
    acc = 0.0
    for ch, w in zip(text, weights, strict=True):
        left = x0 + acc * scale
        acc += w
        if ch.isspace():
            out.append(None)
        else:
            out.append(Glyph(ch, (left, y0, x0 + acc * scale, y1), line.confidence))
    return out


def build_row(lines: list[TextLine]) -> Row:
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    gaps: list[float] = []
    heights = [ln.bbox[3] - ln.bbox[1] for ln in lines]
    h = statistics.median(heights) if heights else 1.0
    prev_right: float | None = None
    for line in sorted(lines, key=lambda ln: ln.bbox[0]):
        for g in _glyphs_of(line):
            if g is None:
                if text and text[-1] != " ":
                    text.append(" ")
                    glyphs.append(None)
                    gaps.append(0.0)
                continue
            if prev_right is not None:
                gap = g.box[0] - prev_right
                if text and text[-1] == " ":
                    gaps[-1] = max(gaps[-1], gap)
                elif gap > 0.3 * h:
                    text.append(" ")
                    glyphs.append(None)
                    gaps.append(gap)
            text.append(g.ch)
            glyphs.append(g)
            gaps.append(0.0)
            prev_right = g.box[2]
    while text and text[-1] == " ":
        text.pop()
        glyphs.pop()
        gaps.pop()
    return Row("".join(text), glyphs, gaps, max(h, 1e-6))


def run_starting_at(row: Row, x0: float, reach: float) -> int | None:
    """Index of the first character of a run of `row` (row start or after a gap) whose left
    edge lies within `reach` of x0; None when no run starts there."""
    for k, g in enumerate(row.glyphs):
        if g is None or (k > 0 and row.text[k - 1] != " "):
            continue
        if abs(g.box[0] - x0) <= reach:
            return k
        if g.box[0] > x0 + reach:
            return None
    return None


def _text_height(line: TextLine) -> float:
    """Height of the text itself: across its polygon when there is one (a slanted line's box
    is taller than its text), else the box's."""
    p = line.polygon
    if p and len(p) >= 4:
        return (math.dist(p[0], p[3]) + math.dist(p[1], p[2])) / 2
    return line.bbox[3] - line.bbox[1]


def group_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into visual rows, top to bottom, each row left to right.

    A line joins the row above when its centre is within half a text height of the row's
    centre, or when one of the two lies almost wholly inside the other's height (a lone
    letter-spaced label glyph gets a box much taller than the value beside it). Overlap alone
    is not enough: a slanted line's box reaches into the row below.
    """
    rows: list[list[TextLine]] = []
    centres: list[float] = []
    for ln in sorted(lines, key=lambda ln: ((ln.bbox[1] + ln.bbox[3]) / 2, ln.bbox[0])):
        h = _text_height(ln)
        cy = (ln.bbox[1] + ln.bbox[3]) / 2
        if rows:
            row = rows[-1]
            row_h = statistics.median(_text_height(p) for p in row)
            # text bands (centre ± half the text height), not boxes: a slanted line's box is tall
            bands = [((p.bbox[1] + p.bbox[3]) / 2, _text_height(p)) for p in row]
            y0 = min(c - t / 2 for c, t in bands)
            y1 = max(c + t / 2 for c, t in bands)
            inside = min(y1, cy + h / 2) - max(y0, cy - h / 2) >= 0.8 * min(h, row_h)
            if abs(cy - centres[-1]) < 0.5 * min(h, row_h) or inside:
                row.append(ln)
                centres[-1] = statistics.median((p.bbox[1] + p.bbox[3]) / 2 for p in row)
                continue
        rows.append([ln])
        centres.append(cy)
    return [sorted(r, key=lambda ln: ln.bbox[0]) for r in rows]


def page_lines(page: Page) -> list[TextLine]:
    """The page's own text lines: for OCR, without seal lettering and specks, and with runs
    that stand on end cut into their characters (`stand_columns`)."""
    lines = [ln for ln in page.lines if ln.text and ln.text.strip()]
    if page.kind is PageKind.SCAN:
        lines = split_ocr_lines(stand_columns(lines))[0]
    return lines


# A box this many times taller than wide, holding as many characters as it is character
# heights tall (within these bounds), is a column of characters, not a line.
COLUMN_ASPECT = 1.8
COLUMN_CHAR_ASPECT = (0.6, 1.8)


def stand_columns(lines: list[TextLine]) -> list[TextLine]:
    """Lines whose box stands on end on an upright page, cut into one line per character, top
    to bottom. A detector reading letter-spaced labels (名　　称 / 类　　型 / 住　　所) joins
    the labels' first characters down the column into one box ("名类住") and their second
    characters into another ("称型所"); cut apart, each character lands in its own row beside
    its value, where the label is found again. Vertical writing in a table cell is cut the
    same way, which is also where its characters stand."""
    out: list[TextLine] = []
    for ln in lines:
        text = ln.text.strip()
        x0, y0, x1, y1 = ln.bbox
        w, h = x1 - x0, y1 - y0
        n = len(text)
        lo, hi = COLUMN_CHAR_ASPECT
        # Han characters only: a column of digits or letters is a logo's or a border's pattern
        if (n < 2 or not re.fullmatch(r"[\u3400-\u9fff]+", text) or w <= 0 or h < COLUMN_ASPECT * w
                or not lo <= (h / n) / w <= hi):
            out.append(ln)
            continue
        step = h / n
        out += [TextLine(ch, (x0, y0 + k * step, x1, y0 + (k + 1) * step), ln.confidence) for k, ch in enumerate(text)]
    return out
