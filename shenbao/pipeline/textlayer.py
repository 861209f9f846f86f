"""A PDF page's own text layer: whether to trust it, and its words and table rules.

A page is read from its text layer only when that layer is plausible: enough characters,
nearly all of them CJK / ASCII / common punctuation rather than `(cid:N)` glyph ids, U+FFFD,
private-use code points or Latin-1 mojibake, and not just a header/footer stamped on top of
a full-page scan. Everything else is rendered and OCR'd (PageKind.SCAN).

Coordinates are PDF points, origin at the top-left of the page's crop box, y down, so that
they line up with the pdfium rendering of the same page (which shows the crop box).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shenbao.pipeline.types import BBox, Ruling, TextLine

MIN_TEXT_CHARS = 8  # fewer glyphs than this: a blank, a page number, or outlined (vector) text
MIN_GOOD_RATIO = 0.85
LARGE_IMAGE_COVERAGE = 0.25  # images covering this share of the page make it a picture page ...
MIN_CHARS_OVER_IMAGE = 30  # ... unless its text layer has this many glyphs ...
MIN_SPREAD_OVER_IMAGE = 0.25  # ... spread over this share of the page height (not just a footer)
WARN_IMAGE_COVERAGE = (0.25, 0.85)  # a text page with an embedded picture of this size gets a warning

# Word extraction: pdfplumber's defaults keep Chinese runs together (CJK glyphs abut with no gap);
# blanks (incl. U+3000) split words; reading order is geometric, not the content-stream order.
WORD_SETTINGS: dict[str, Any] = {
    "x_tolerance": 3,
    "y_tolerance": 3,
    "keep_blank_chars": False,
    "use_text_flow": False,
}
DEDUPE_TOLERANCE = 1.0  # "fake bold" draws each glyph twice, 0.x pt apart

RULE_THICKNESS = 3.0  # a filled/stroked rect this thin is one rule, not four
AXIS_TOLERANCE = 1.0  # a segment is horizontal/vertical if it strays less than this
MIN_RULE_LENGTH = 2.0
MERGE_TOLERANCE = 0.5

_CID = re.compile(r"\(cid:\d+\)")

# Code point ranges a genuine Chinese form's text layer is made of.
_GOOD_RANGES: tuple[tuple[int, int], ...] = (
    (0x0021, 0x007E),  # ASCII printable
    (0x0370, 0x03FF),  # Greek (Ω, μ, α in technical text; part of GB2312)
    (0x2000, 0x206F),  # general punctuation “ ” — …
    (0x2100, 0x22FF),  # letterlike, number forms (Ⅱ), arrows, math operators
    (0x2460, 0x27BF),  # enclosed ①, box drawing, shapes □■, misc symbols ☑, dingbats ✓
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals (broken ToUnicode maps; normalised below)
    (0x3000, 0x303F),  # CJK symbols and punctuation 、。《》【】
    (0x30FB, 0x30FC),  # katakana middle dot ・ (a common separator)
    (0x3200, 0x33FF),  # enclosed CJK ㈠, CJK compatibility ㎡
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE6F),  # vertical / compatibility / small forms
    (0xFF00, 0xFFEF),  # fullwidth forms （）：，
    (0x20000, 0x3134F),  # CJK extensions B-G
)
_GOOD_LATIN1 = set("·×÷°±§¥©®µ¹²³¼½¾")


def is_good_char(ch: str) -> bool:
    if len(ch) != 1:
        return False  # "(cid:123)": a glyph with no Unicode mapping
    if ch in _GOOD_LATIN1:
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _GOOD_RANGES)


def normalise_text(text: str) -> str:
    """Drop unmapped glyphs and map Kangxi/compatibility ideographs (⼯, ⾦) to the unified ones
    (工, 金): Word/WPS exports often carry ToUnicode maps pointing at them; they look identical
    but would never match a label. Other characters (fullwidth punctuation) are left as written."""
    text = _CID.sub("", text)
    out = []
    for ch in text:
        cp = ord(ch)
        if ch == "\ufffd" or 0xE000 <= cp <= 0xF8FF or unicodedata.category(ch) == "Cc":
            continue
        if 0x2E80 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF:
            ch = unicodedata.normalize("NFKC", ch)
        out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class TextLayerVerdict:
    is_text: bool
    reason: str  # plausible | no_text | too_few_chars | garbled | sparse_over_image
    n_chars: int  # non-blank glyphs
    n_good: int
    image_coverage: float  # share of the page covered by images, 0..1
    text_spread: float  # vertical extent of the good glyphs / page height

    @property
    def warn_embedded_image(self) -> bool:
        lo, hi = WARN_IMAGE_COVERAGE
        return self.is_text and lo <= self.image_coverage < hi


def assess_chars(
    chars: Iterable[dict[str, Any]], page_box: BBox, images: Sequence[dict[str, Any]] = ()
) -> TextLayerVerdict:
    """Decide text layer vs scan from pdfplumber chars/images (mediabox coordinates) and the
    visible box (crop box, same coordinates)."""
    n_chars = n_good = 0
    tops: list[float] = []
    bottoms: list[float] = []
    for c in chars:
        text = c.get("text", "")
        if not text or text.isspace():
            continue
        n_chars += 1
        if is_good_char(text):
            n_good += 1
            tops.append(float(c["top"]))
            bottoms.append(float(c["bottom"]))
    coverage = image_coverage(images, page_box)
    page_h = max(page_box[3] - page_box[1], 1e-6)
    spread = (max(bottoms) - min(tops)) / page_h if tops else 0.0

    def verdict(is_text: bool, reason: str) -> TextLayerVerdict:
        return TextLayerVerdict(is_text, reason, n_chars, n_good, coverage, min(spread, 1.0))

    if n_chars == 0:
        return verdict(False, "no_text")
    if n_good / n_chars < MIN_GOOD_RATIO:
        return verdict(False, "garbled")
    if n_good < MIN_TEXT_CHARS:
        return verdict(False, "too_few_chars")
    if coverage >= LARGE_IMAGE_COVERAGE and (n_good < MIN_CHARS_OVER_IMAGE or spread < MIN_SPREAD_OVER_IMAGE):
        # A caption or a stamped page number over a photo/scan: the content is in the picture.
        return verdict(False, "sparse_over_image")
    return verdict(True, "plausible")


def image_coverage(images: Sequence[dict[str, Any]], page_box: BBox, grid: int = 64) -> float:
    """Share of the page covered by the union of placed images (overlapping tiles counted once)."""
    x0, y0, x1, y1 = page_box
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0 or not images:
        return 0.0
    mask = np.zeros((grid, grid), dtype=bool)
    for im in images:
        ix0 = (max(float(im["x0"]), x0) - x0) / w
        ix1 = (min(float(im["x1"]), x1) - x0) / w
        iy0 = (max(float(im["top"]), y0) - y0) / h
        iy1 = (min(float(im["bottom"]), y1) - y0) / h
        if ix1 <= ix0 or iy1 <= iy0:
            continue
        c0, c1 = round(ix0 * grid), round(ix1 * grid)
        r0, r1 = round(iy0 * grid), round(iy1 * grid)
        mask[r0:r1, c0:c1] = True
    return float(mask.mean())


def extract_lines(
    page: Any, origin: tuple[float, float] = (0.0, 0.0), visible: BBox | None = None
) -> list[TextLine]:
    """Words of a pdfplumber page as TextLines (pt, shifted so `origin` — the crop box's top-left
    in mediabox coordinates — becomes 0,0). Words whose centre lies outside `visible` are dropped."""
    ox, oy = origin
    words = page.dedupe_chars(tolerance=DEDUPE_TOLERANCE).extract_words(**WORD_SETTINGS)
    lines: list[TextLine] = []
    for w in words:
        x0, top, x1, bottom = float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])
        if visible is not None:
            cx, cy = (x0 + x1) / 2, (top + bottom) / 2
            if not (visible[0] <= cx <= visible[2] and visible[1] <= cy <= visible[3]):
                continue
        text = normalise_text(w["text"])
        if not text.strip():
            continue
        lines.append(TextLine(text=text, bbox=(x0 - ox, top - oy, x1 - ox, bottom - oy), confidence=1.0))
    return lines


def extract_rulings(
    lines: Iterable[dict[str, Any]],
    rects: Iterable[dict[str, Any]],
    curves: Iterable[dict[str, Any]] = (),
    page_box: BBox | None = None,
    origin: tuple[float, float] = (0.0, 0.0),
) -> list[Ruling]:
    """Horizontal and vertical rules from pdfplumber `lines`, `rects` (a thin rect is one rule,
    others give their four edges) and straight-only `curves` (polylines some producers draw tables
    with; real curves such as seal circles are skipped). Collinear overlapping pieces are merged."""
    segs: list[tuple[float, float, float, float]] = []
    for ln in lines:
        if _invisible(ln):
            continue
        pts = ln.get("pts") or [(ln["x0"], ln["top"]), (ln["x1"], ln["bottom"])]
        segs.extend(_polyline_segments(pts))
    for r in rects:
        if _invisible(r):
            continue
        x0, top, x1, bottom = float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"])
        w, h = x1 - x0, bottom - top
        if page_box is not None and _covers_page(x0, top, x1, bottom, page_box):
            continue  # page background or frame, not a table rule
        if h <= RULE_THICKNESS and w > RULE_THICKNESS:
            ym = (top + bottom) / 2
            segs.append((x0, ym, x1, ym))
        elif w <= RULE_THICKNESS and h > RULE_THICKNESS:
            xm = (x0 + x1) / 2
            segs.append((xm, top, xm, bottom))
        elif w > RULE_THICKNESS and h > RULE_THICKNESS:
            segs += [
                (x0, top, x1, top),
                (x0, bottom, x1, bottom),
                (x0, top, x0, bottom),
                (x1, top, x1, bottom),
            ]
    for cv in curves:
        if _invisible(cv):
            continue
        path = cv.get("path") or []
        if path and all(cmd[0] in ("m", "l", "h") for cmd in path):
            segs.extend(_polyline_segments(cv.get("pts") or []))
    ox, oy = origin
    return [Ruling(x0 - ox, y0 - oy, x1 - ox, y1 - oy) for x0, y0, x1, y1 in _merge(segs)]


def _invisible(obj: dict[str, Any]) -> bool:
    """White on white: a stroke in white, or a white fill with no stroke (cell backgrounds,
    cover-up boxes) draws no line a reader can see. Missing paint info counts as visible."""
    stroke, fill = obj.get("stroke"), obj.get("fill")
    if stroke is None and fill is None:
        return False
    if stroke:
        return _is_white(obj.get("stroking_color"))
    return not fill or _is_white(obj.get("non_stroking_color"))


def _is_white(color: Any) -> bool:
    if isinstance(color, (int, float)):
        color = (color,)
    if (
        not isinstance(color, (tuple, list))
        or not color
        or not all(isinstance(c, (int, float)) for c in color)
    ):
        return False  # unknown / pattern colours: assume visible
    if len(color) == 4:  # CMYK
        return all(c <= 0.05 for c in color)
    return all(c >= 0.95 for c in color)


def _covers_page(x0: float, top: float, x1: float, bottom: float, box: BBox) -> bool:
    bw, bh = box[2] - box[0], box[3] - box[1]
    return (x1 - x0) >= 0.9 * bw and (bottom - top) >= 0.9 * bh


def _polyline_segments(pts: Sequence[tuple[float, float]]) -> list[tuple[float, float, float, float]]:
    out = []
    for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
        ax, ay, bx, by = float(ax), float(ay), float(bx), float(by)
        if abs(ay - by) <= AXIS_TOLERANCE and abs(bx - ax) >= MIN_RULE_LENGTH:
            ym = (ay + by) / 2
            out.append((min(ax, bx), ym, max(ax, bx), ym))
        elif abs(ax - bx) <= AXIS_TOLERANCE and abs(by - ay) >= MIN_RULE_LENGTH:
            xm = (ax + bx) / 2
            out.append((xm, min(ay, by), xm, max(ay, by)))
    return out


def _merge(segs: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Join collinear segments that overlap or touch: Word draws every cell border separately."""
    out: list[tuple[float, float, float, float]] = []
    for horizontal in (True, False):
        # (fixed coordinate, start, end) of every segment with this orientation
        items = sorted(
            (s[1], s[0], s[2]) if horizontal else (s[0], s[1], s[3])
            for s in segs
            if (s[1] == s[3]) == horizontal
            and ((s[2] - s[0]) if horizontal else (s[3] - s[1])) >= MIN_RULE_LENGTH
        )
        # Cluster by the fixed coordinate first, then merge runs along the line within a cluster.
        clusters: list[list[tuple[float, float, float]]] = []
        for it in items:
            if clusters and it[0] - clusters[-1][-1][0] <= MERGE_TOLERANCE:
                clusters[-1].append(it)
            else:
                clusters.append([it])
        for cl in clusters:
            fixed = sum(it[0] for it in cl) / len(cl)
            runs = sorted((it[1], it[2]) for it in cl)
            start, end = runs[0]
            for a, b in runs[1:]:
                if a <= end + MERGE_TOLERANCE:
                    end = max(end, b)
                else:
                    out.append(_seg(fixed, start, end, horizontal))
                    start, end = a, b
            out.append(_seg(fixed, start, end, horizontal))
    return out


def _seg(fixed: float, start: float, end: float, horizontal: bool) -> tuple[float, float, float, float]:
    return (start, fixed, end, fixed) if horizontal else (fixed, start, fixed, end)
