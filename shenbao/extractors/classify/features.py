"""What a page looks like to the classifier: its text as reading-order rows, and simple layout cues.

Text-layer pages arrive as single pdfplumber words (one glyph each for spaced-out titles such as
"居 民 身 份 证"), OCR pages as recognised lines; both are regrouped here into rows by vertical
overlap so that a key phrase reads the same whichever way the page was read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shenbao.pipeline.types import Page, TextLine

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*[年.\-/]"  # 2024年6月, 2024.06, 2024-6 (month may be lost under a seal)
    r"|[〇○零一二三四五六七八九]{2,4}年"  # 二〇二四年
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日?"
    r"|年\s*月\s*日"  # blank date of a signature block
)
# A table-of-contents row: "3. 营业执照 ···7", "4、汇总表……9".
_TOC_ROW = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*\S.*|.*(?:[·…]{2,}|\.{3,})\s*\d{0,3}\s*$")
_SECTION_HEAD = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_SENTENCE_MARK = re.compile(r"[，。；]")

# How many rows from the top count as the page's head (title zone).
HEAD_ROWS = 3
# Lines read at least this surely, holding this many Han characters between them, are words
# enough to judge a page by however garbled the rest of it reads.
SURE_LINE = 0.95
SURE_CJK = 12


def normalize_text(text: str) -> str:
    """Fold full-width forms and drop whitespace: OCR and text layers differ mostly in these."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Row:
    """Text lines that share a baseline band, left to right."""

    parts: list[TextLine]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)

    @property
    def compact(self) -> str:
        return normalize_text(self.text)

    @property
    def x0(self) -> float:
        return min(p.bbox[0] for p in self.parts)

    @property
    def x1(self) -> float:
        return max(p.bbox[2] for p in self.parts)

    @property
    def y0(self) -> float:
        return min(p.bbox[1] for p in self.parts)

    @property
    def y1(self) -> float:
        return max(p.bbox[3] for p in self.parts)

    @property
    def height(self) -> float:
        return max(p.bbox[3] - p.bbox[1] for p in self.parts)

    @property
    def char_width(self) -> float:
        """Typical glyph width in the row (CJK glyphs are about square)."""
        widths = sorted(
            (p.bbox[2] - p.bbox[0]) / max(len(p.text.strip()), 1) for p in self.parts if p.text.strip()
        )
        return widths[len(widths) // 2] if widths else 0.0

    @property
    def max_gap(self) -> float:
        """Widest horizontal gap between neighbouring parts (label/value pairs, table cells)."""
        gaps = [b.bbox[0] - a.bbox[2] for a, b in zip(self.parts, self.parts[1:], strict=False)]
        return max(gaps, default=0.0)


def group_rows(lines: list[TextLine]) -> list[Row]:
    """Rows in reading order: a line joins a row when their vertical extents mostly overlap."""
    ordered = sorted(
        (ln for ln in lines if ln.text and ln.text.strip()), key=lambda ln: (ln.cy, ln.bbox[0])
    )
    rows: list[Row] = []
    band: tuple[float, float] | None = None
    for ln in ordered:
        y0, y1 = ln.bbox[1], ln.bbox[3]
        h = max(y1 - y0, 1e-6)
        if band is not None and rows:
            overlap = min(band[1], y1) - max(band[0], y0)
            if overlap >= 0.5 * min(h, band[1] - band[0]):
                rows[-1].parts.append(ln)
                band = (min(band[0], y0), max(band[1], y1))
                continue
        rows.append(Row([ln]))
        band = (y0, y1)
    for row in rows:
        row.parts.sort(key=lambda p: p.bbox[0])
    return rows


@dataclass
class PageFeatures:
    """Everything the phrase rules and layout cues read from one page."""

    number: int
    rows: list[Row]
    text: str  # all rows, compact (no whitespace), joined by "\n"
    head: str  # the first HEAD_ROWS rows, compact
    n_chars: int  # non-whitespace characters
    n_cjk: int
    mean_confidence: float
    has_table: bool  # ruled table on a text-layer page
    n_rulings: int
    readable: bool  # enough coherent text to judge by words at all
    toc_rows: int  # rows that look like table-of-contents entries
    prose_rows: int  # long rows of running text
    has_date: bool
    turned: bool  # most text lines stand on end: the page was read on its side
    title_like: bool  # the first row reads as a title (short, centred, not a label/value pair)
    starts_mid_text: bool  # the first row is running text or a numbered section: a continuation

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def _is_centred(row: Row, page_x0: float, page_x1: float) -> bool:
    width = page_x1 - page_x0
    if width <= 0:
        return False
    mid = (row.x0 + row.x1) / 2
    return abs(mid - (page_x0 + page_x1) / 2) <= 0.12 * width and (row.x1 - row.x0) <= 0.9 * width


def _n_chars(lines: list[TextLine]) -> int:
    return sum(len(ln.text.strip()) for ln in lines)


def extract_features(page: Page) -> PageFeatures:
    rows = group_rows(page.lines)
    compact_rows = [r.compact for r in rows]
    text = "\n".join(compact_rows)
    n_chars = sum(len(c) for c in compact_rows)
    n_cjk = len(_CJK.findall(text))
    confs = [ln.confidence for ln in page.lines if ln.text.strip()]
    mean_conf = sum(confs) / len(confs) if confs else 0.0

    # Text extent rather than paper size: scans have margins, photos of pages have borders.
    if rows:
        ext_x0 = min(r.x0 for r in rows)
        ext_x1 = max(r.x1 for r in rows)
    else:
        ext_x0, ext_x1 = 0.0, page.width
    ext_x0 = min(ext_x0, page.width * 0.12)
    ext_x1 = max(ext_x1, page.width * 0.88)

    long_len = max(18, int(0.6 * max((len(c) for c in compact_rows), default=0)))
    prose_rows = sum(1 for c in compact_rows if len(c) >= long_len and _CJK.search(c))
    toc_rows = sum(1 for r in rows if _TOC_ROW.match(normalize_text(r.text)) and len(r.compact) <= 40)

    title_like = False
    starts_mid = False
    if rows:
        first = compact_rows[0]
        centred = _is_centred(rows[0], ext_x0, ext_x1)
        taller = rows[0].height >= 1.15 * _median([r.height for r in rows[1:]] or [rows[0].height])
        if _SECTION_HEAD.match(first):
            starts_mid = True
        elif len(first) >= 18 and len(rows) > 2 and (not centred or _running_text(rows[0], first, ext_x0, ext_x1)):
            starts_mid = True  # a full-width line of running text
        spread = rows[0].max_gap > 3.0 * rows[0].char_width  # cells of a table header, not a title
        title_like = (
            not starts_mid
            and not spread
            and 2 <= len(first) <= 45
            and (centred or taller)
            and len(rows) > 1
        )

    # A page read from OCR whose rows are mostly one or two characters is not text we can judge:
    # a page still turned on its side, a photo, or noise.
    # Multi-character lines standing on end are a page OCR'd on its side: its words are noise.
    # Counted by characters: a title read across the page outweighs the words a table's narrow
    # column stacks one under another.
    multi = [ln for ln in page.lines if len(ln.text.strip()) >= 2]
    upright = [ln for ln in multi if (ln.bbox[3] - ln.bbox[1]) <= 1.5 * (ln.bbox[2] - ln.bbox[0])]
    turned = bool(multi) and _n_chars(upright) < 0.6 * _n_chars(multi)
    avg_row = n_chars / len(rows) if rows else 0.0
    # A table in small print on a coarse scan reads as noise under a title read surely: the
    # title's words still say what the page is, and only they are likely to match a phrase.
    sure_cjk = sum(len(_CJK.findall(ln.text)) for ln in page.lines if ln.confidence >= SURE_LINE)
    clear = (mean_conf >= 0.7 or not confs or sure_cjk >= SURE_CJK) and not turned
    has_date = bool(_DATE.search(text))
    # A closing page may hold nothing but a date (the unit's name lost under its seal).
    readable = clear and ((n_cjk >= 6 and (avg_row >= 3.0 or n_chars >= 60)) or (has_date and len(rows) <= 4))

    return PageFeatures(
        number=page.number,
        rows=rows,
        text=text,
        # Stray single glyphs above a title (a seal's edge, a page mark) do not push it out of the head.
        head="".join([c for c in compact_rows if len(c) >= 2][:HEAD_ROWS]),
        n_chars=n_chars,
        n_cjk=n_cjk,
        mean_confidence=mean_conf,
        has_table=len(page.rulings) >= 8,
        n_rulings=len(page.rulings),
        readable=readable,
        toc_rows=toc_rows,
        prose_rows=prose_rows,
        has_date=has_date,
        turned=turned,
        title_like=title_like,
        starts_mid_text=starts_mid,
    )


def _running_text(row: Row, compact: str, x0: float, x1: float) -> bool:
    """A wide row with a sentence's marks inside it: running text, though it measures as
    centred as a title (a photo's skewed page leaves no margin to go by, and a later row drawn
    wider by perspective makes a full line look inset). A title has no ， or 。 inside."""
    return (row.x1 - row.x0) >= 0.6 * (x1 - x0) and bool(_SENTENCE_MARK.search(compact[:-1]))


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    if n == 0:
        return 0.0
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
