"""Second reading of a scanned form's cells, once the grid is known (issue #3 item 7).

Full-page OCR finds text lines with a detector that knows nothing of the table: a line under a
red seal may not be found at all, the first character beside a rule may fall outside its box,
and a seal's strokes are read into the value. With the grid known, each cell is cut out of the
page image (rectified through the grid's frame, rules trimmed off), red ink is dropped, its text
rows are found by a horizontal ink profile, and each row goes straight to the recognition model:
no detector, so the whole cell width is read.

Which reading a cell keeps is `CellReadSettings.policy` (measured on the dev corpus, see
docs/BENCHMARKS.md "Form cells read a second time").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from shenbao.extractors.form.grid import Cell, Grid, group_rows
from shenbao.extractors.normalize.text import is_han
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.script import to_simplified
from shenbao.pipeline.types import TextLine

POLICIES = ("seals", "fill", "replace")


@dataclass(frozen=True)
class CellReadSettings:
    # seals: the cell reading is used for cells the page reading left empty and for cells with
    # red ink in them (a seal: the page reading has its strokes in the text, or lost the text);
    # fill: only for cells the page reading left empty; replace: for every cell it read.
    policy: str = "seals"
    inset_px: float = 5.0  # trimmed from every side of a cell: its rules
    pad_ratio: float = 0.25  # room kept around a text row, in text heights
    min_row_ratio: float = 0.3  # an ink band lower than this (text heights) is a speck or a rule remnant
    # A row's ends are those of its print: blobs of ink of at least this many text heights
    # squared, and smaller ones no further than `speck_reach_ratio` from them (a 。).
    # A photocopy's toner dust beyond them would otherwise be read as a character or two.
    speck_ratio: float = 0.1
    speck_reach_ratio: float = 0.5
    join_gap_ratio: float = 0.15  # bands closer than this (text heights) are one row (split strokes)
    rule_len_ratio: float = 2.5  # a straight ink run this long (text heights) is a rule, not a stroke
    red_min_pixels: int = 30  # fewer red pixels than this: no seal in the cell
    # Punctuation the page reading lost beside its line boxes is looked for (`mend_punctuation`).
    mend_punctuation: bool = True
    # Marks the row reading of a cell has and its page reading lacks are put in (`borrow_marks`).
    borrow_marks: bool = True
    reach_ratio: float = 1.2  # how far past a line box (text heights) ink still belongs to it
    mark_band_ratio: float = 0.15  # a row's box is grown this much up and down (text heights)
    min_mark_ratio: float = 0.12  # ink smaller than this (text heights) is a speck, not a mark
    max_mark_ratio: float = 0.5  # a punctuation mark is no bigger than this (text heights)
    # The cell is searched this far past its right rule (text heights): a 。 set at the end of
    # a full line may stand on or just past the rule. Rules are erased from the crop anyway.
    mark_overhang_ratio: float = 0.8
    mark_overhang_start_ratio: float = 0.3  # ... where such a mark starts at the latest
    # A typed value (e-mail, phone, ID number, date …) whose reading is malformed is decoded
    # again under its grammar (`typed`, data/field_grammars.yaml).
    reread_typed: bool = True
    # Characters a detector left out beside a line's box outside the tables (the thin 二〇二
    # of a cover's date) are read back (`gapread`).
    mend_gaps: bool = True
    # Doubtful lines are decoded again weighing how well characters go together (`fluent`).
    refine_lines: bool = True
    # Doubtful person names are decoded again weighing how often names use each character
    # (`names`, data/name_chars.tsv).
    reread_names: bool = True
    # Place names one character off a county of the city beside them, and a bank's name one off
    # a known bank's, are read again as the lists write them, where the frames allow
    # (`placenames`, data/places.tsv, data/banks.txt).
    reread_places: bool = True


@dataclass
class _Row:
    cell: Cell
    sealed: bool  # red ink was washed out of the cell
    box: tuple[int, int, int, int]  # in the cell crop
    origin: tuple[float, float]  # the crop's top-left in the grid frame


def reread_cells(grids: list[Grid], image: np.ndarray, engine: OcrEngine, unit: float,
                 settings: CellReadSettings | None = None) -> int:
    """Read every cell of `grids` again from `image` (the corrected page, RGB) and put the
    reading the policy prefers into `cell.lines` (grid-frame coordinates). Returns the number of
    cells whose text changed. An engine that cannot recognise bare text rows leaves them as
    they are."""
    settings = settings or CellReadSettings()
    if settings.policy not in POLICIES:
        raise ValueError(f"unknown cell-read policy {settings.policy!r}; one of {', '.join(POLICIES)}")
    rows: list[_Row] = []
    crops: list[np.ndarray] = []
    for grid in grids:
        for cell in grid.cells:
            found = cell_rows(image, grid, cell, unit, settings)
            if found is None:
                continue
            for box, crop in zip(found.boxes, found.images, strict=True):
                rows.append(_Row(cell, found.sealed, box, found.origin))
                crops.append(crop)
    read = _recognise(engine, crops)
    if read is None:
        return 0
    by_cell: dict[int, list[TextLine]] = {}
    sealed = {id(row.cell) for row in rows if row.sealed}
    for row, (text, confidence) in zip(rows, read, strict=True):
        if not text.strip():
            continue
        x0, y0, x1, y1 = row.box
        ox, oy = row.origin
        by_cell.setdefault(id(row.cell), []).append(
            TextLine(text=to_simplified(text), bbox=(ox + x0, oy + y0, ox + x1, oy + y1), confidence=float(confidence))
        )
    changed = 0
    for grid in grids:
        for cell in grid.cells:
            new = by_cell.get(id(cell), [])
            if _keep_new(cell.lines, new, settings.policy, id(cell) in sealed):
                if "".join(ln.text for ln in new) != "".join(ln.text for ln in cell.lines):
                    changed += 1
                cell.lines = new
            elif settings.borrow_marks and new and borrow_marks(cell, new):
                changed += 1
    return changed


def borrow_marks(cell: Cell, rows: list[TextLine]) -> bool:
    """Put into the cell's page reading the punctuation its row reading (`rows`, one line per
    text row) has and it lacks, row by row: a row whose reading is the page reading's with
    marks added and nothing else changed lends its marks. Returns whether any row did.

    The detector's line crop and the row crop are two cuts of one image; on a coarse 1-bit scan
    the thin arc of a bracket or a small 。 survives in one and not the other (dev corpus:
    "11台套：" read in the row as "11台（套："). Only marks are taken: where the characters
    differ, the page reading stays, being the better of the two on characters."""
    old_rows = group_rows(cell.lines)
    centres = [(min(p.bbox[1] for p in parts) + max(p.bbox[3] for p in parts)) / 2 for parts in old_rows]
    lent = False
    for parts, centre in zip(old_rows, centres, strict=True):
        # the one row reading whose band holds this row's centre, and holds no other row's
        over = [r for r in rows if r.bbox[1] <= centre <= r.bbox[3]]
        if len(over) != 1:
            continue
        row = over[0]
        if sum(1 for c in centres if row.bbox[1] <= c <= row.bbox[3]) != 1:
            continue
        old = "".join(part.text.strip() for part in parts)
        new = row.text.strip()
        if not adds_punctuation(old, new, at_end=False, marks=BORROWED_MARKS):
            continue
        _replace_row(cell, parts, [replace(part, text=text)
                                   for part, text in zip(parts, _split_back(parts, new), strict=True)])
        lent = True
    return lent


@dataclass
class CellRows:
    """A cell's text rows cut out for the recogniser."""

    origin: tuple[float, float]  # the cell crop's top-left in the grid frame
    sealed: bool  # red ink was washed out of the cell
    boxes: list[tuple[int, int, int, int]]  # in the cell crop, top to bottom
    images: list[np.ndarray]  # one RGB row image per box


def cell_rows(image: np.ndarray, grid: Grid, cell: Cell, unit: float,
              settings: CellReadSettings) -> CellRows | None:
    """The cell's text rows (by its ink profile, red ink and rules gone), or None for a cell
    too small to hold text."""
    crop, origin = cell_image(image, grid, cell, settings.inset_px)
    if crop is None:
        return None
    gray, sealed = print_only(crop, unit, settings)
    boxes = [_over_lines(box, cell.lines, origin, gray.shape[1], unit) for box in text_rows(gray, unit, settings)]
    return CellRows(origin, sealed, boxes, [row_image(gray, box, unit, settings.pad_ratio) for box in boxes])


def _over_lines(box: tuple[int, int, int, int], lines: list[TextLine], origin: tuple[float, float],
                width: int, unit: float) -> tuple[int, int, int, int]:
    """The row's box widened over the page reading's line boxes in it where they reach past it
    by half a text height or more: on a faint copy the ends of a row ("com" of an e-mail
    address, 40 grey levels under the paper) fall below the ink threshold, while the detector
    saw them. (A box a few pixels wider than the print is the detector's margin: the row's own
    cut stays, and so its reading.)"""
    x0, y0, x1, y1 = box
    ox, oy = origin
    for ln in lines:
        if y0 <= ln.cy - oy <= y1:
            if ln.bbox[0] - ox < x0 - unit / 2:
                x0 = max(0, int(ln.bbox[0] - ox))
            if ln.bbox[2] - ox > x1 + unit / 2:
                x1 = min(width, int(round(ln.bbox[2] - ox)))
    return x0, y0, x1, y1


def print_only(crop: np.ndarray, unit: float, settings: CellReadSettings,
                rule_margin: int = 1) -> tuple[np.ndarray, bool]:
    """The cell crop in gray with red ink washed out and its rules erased; and whether it had
    red ink (a seal)."""
    sealed = has_red(crop, settings.red_min_pixels)
    gray = drop_red(crop) if sealed else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return erase_rules(gray, unit, settings.rule_len_ratio, rule_margin), sealed


def _recognise(engine: OcrEngine, crops: list[np.ndarray]) -> list[tuple[str, float]] | None:
    """The recogniser's reading of bare text rows; None for no rows, or an engine that cannot
    read rows without its detector."""
    if not crops:
        return None
    try:
        return engine.read_lines(crops)
    except NotImplementedError:
        return None


def _keep_new(old: list[TextLine], new: list[TextLine], policy: str, sealed: bool) -> bool:
    if not new:
        return False  # nothing read: the page reading (if any) stays
    if not old or policy == "replace":
        return True
    # Elsewhere the page reading is kept: its detector's boxes suit the recogniser better than
    # ink-profile rows (text touching a rule, wide spacing), measured on the dev corpus.
    return policy == "seals" and sealed


# --- punctuation beside line boxes --------------------------------------------------------------

# What a detector leaves outside its boxes: small marks with no stroke of their own width
# (a comma at the end of a line touching the cell's rule, a 、 between two boxes).
PUNCTUATION = frozenset("，。、；：！？,.;:!?（）()“”‘’\"'《》〈〉·…—-")
LINE_END = frozenset("，。、；：！？）”’》〉…")
# What a row reading lends its page reading: full-width marks only. A speck between two boxes
# of the page reading reads as . or · or - in the row (".高级技师"); a full-width mark is
# drawn, not dust.
BORROWED_MARKS = frozenset("，。、；：！？（）“”《》")
# A character drawn as one thin stroke: a detector's box leaves it out as it does a mark (a row
# ending "综合楼" whose 一 stood past the box, 层 on the next row). It is put in like a mark,
# but only between Han characters or after the last one.
THIN_CHARACTERS = frozenset("一")


@dataclass
class _Mend:
    cell: Cell
    parts: list[TextLine]  # one visual row of the page reading, left to right
    box: tuple[int, int, int, int]  # the row with the ink beside it, in the cell crop
    origin: tuple[float, float]


def mend_punctuation(grids: list[Grid], image: np.ndarray, engine: OcrEngine, unit: float,
                     settings: CellReadSettings | None = None) -> int:
    """Put back punctuation the page reading dropped: where ink lies just past the end of a
    row's line boxes (or between two boxes of one row), the row is read again with that ink,
    and the new reading is kept only if it is the old one with punctuation added: the same
    characters in the same order, every old mark still there. Returns the number of rows
    mended.

    A DB detector's box stops short of a trailing 。 or ， that touches the cell's rule, and
    splits a line at a 、; the marks then vanish from the text (dev corpus: most of the wrong
    free-text fields of scanned forms)."""
    settings = settings or CellReadSettings()
    mends: list[_Mend] = []
    crops: list[np.ndarray] = []
    # Only the right side needs the overhang, but a crop grown on all sides is the same image
    # there; the row band keeps the rows above and below out.
    overhang = int(round(unit * settings.mark_overhang_ratio))
    for grid in grids:
        for cell in grid.cells:
            if not cell.lines:
                continue
            crop, origin = cell_image(image, grid, cell, -overhang)
            if crop is None:
                continue
            # Only the rule itself goes: a 。 touching it would lose half its ring to a margin.
            gray, _ = print_only(crop, unit, settings, rule_margin=0)
            ink = mark_mask(gray)
            inner = gray.shape[1] - overhang
            for parts in group_rows(cell.lines):
                box = _row_with_marks(ink, parts, origin, unit, settings, inner)
                if box is not None:
                    mends.append(_Mend(cell, parts, box, origin))
                    crops.append(row_image(gray, box, unit, settings.pad_ratio))
    read = _recognise(engine, crops)
    if read is None:
        return 0
    mended = 0
    for mend, (text, confidence) in zip(mends, read, strict=True):
        old = "".join(part.text.strip() for part in mend.parts)
        new = to_simplified(text).strip()
        if not adds_punctuation(old, new):
            continue
        ox = mend.origin[0]
        right = ox + mend.box[2]  # the last part now reaches over the marks found past it
        lines = []
        for k, (part, text) in enumerate(zip(mend.parts, _split_back(mend.parts, new), strict=True)):
            x0, y0, x1, y1 = part.bbox
            if k == len(mend.parts) - 1:
                x1 = max(x1, right)
            lines.append(replace(part, text=text, bbox=(x0, y0, x1, y1),
                                 confidence=min(float(confidence), part.confidence)))
        _replace_row(mend.cell, mend.parts, lines)
        mended += 1
    return mended


def _row_with_marks(ink: np.ndarray, parts: list[TextLine], origin: tuple[float, float], unit: float,
                    settings: CellReadSettings, inner: int) -> tuple[int, int, int, int] | None:
    """The row's box in the crop grown over ink just outside its line boxes, or None when
    there is no such ink (nothing to mend). `inner`: the cell's right edge in the crop."""
    h, w = ink.shape[:2]
    ox, oy = origin
    spans = [(int(round(p.bbox[0] - ox)), int(round(p.bbox[2] - ox))) for p in parts]
    # A detector's box can be tight at the baseline, where 。，、 sit.
    grow = unit * settings.mark_band_ratio
    y0 = max(0, int(round(min(p.bbox[1] for p in parts) - oy - grow)))
    y1 = min(h, int(round(max(p.bbox[3] for p in parts) - oy + grow)))
    if y1 - y0 < 4:
        return None
    # Specks of scan noise are no marks: a mark's ink is a fair part of a character's size.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1].astype(np.uint8), connectivity=8)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    big = np.maximum(width, height) >= max(3.0, unit * settings.min_mark_ratio)
    # ... and the grey fringe of an erased rule (thin, through the whole band) is none either
    big &= ~((height >= y1 - y0 - 1) & (width <= max(2.0, 0.1 * unit)))
    # Past the cell's rule only a mark-sized blot set on or just over the rule is this row's;
    # ink further out, or bigger, is the next cell's first character (its text keeps a cell
    # margin from the rule; pieces of a character can be as small as a mark).
    left = stats[:, cv2.CC_STAT_LEFT]
    big &= ~(left > inner + unit * settings.mark_overhang_start_ratio)
    big &= ~((left > inner) & (np.maximum(width, height) > unit * settings.max_mark_ratio))
    big[0] = False
    cols = big[labels].any(axis=0)
    x0, x1 = max(0, spans[0][0]), min(w, spans[-1][1])
    found = False
    # trailing marks: follow the ink right of the last box while it keeps close together; past
    # the cell's rule (`inner`) nothing more follows the first mark: that is the next cell
    reach = max(4, int(round(unit * settings.reach_ratio)))
    x = x1
    while x < w and (not found or x < inner):
        nxt = np.flatnonzero(cols[x:min(w, x + reach)])
        if nxt.size == 0:
            break
        run_end = x + int(nxt[0])
        while run_end < w and cols[run_end]:
            run_end += 1
        x, found = run_end, True
        reach = max(4, int(round(unit * 0.5)))  # past the first mark only a close one follows
    x1 = x
    # marks in a gap between two boxes of the row
    for (_, a1), (b0, _) in zip(spans, spans[1:], strict=False):
        if b0 - a1 > 1 and cols[max(0, a1 + 1):max(0, b0 - 1)].any():
            found = True
    return (x0, y0, x1, y1) if found else None


def adds_punctuation(old: str, new: str, at_end: bool = True, marks: frozenset[str] = PUNCTUATION) -> bool:
    """Whether `new` is `old` with punctuation `marks` inserted and nothing else changed. Marks
    added after the end must be ones a line of Chinese text ends with: a speck past the end
    reads as “ or -, a sliver of the next cell's first character as - or .; with `at_end`
    False none may be added before the start or after the end (the other reading saw the
    same ink there and read no mark)."""
    if len(new) <= len(old) or not old:
        return False
    i = 0
    for ch in new:
        if i < len(old) and ch == old[i]:
            i += 1
        elif not at_end and (i == 0 or i == len(old)):
            return False
        elif ch in THIN_CHARACTERS and _between_han(old, i):
            continue
        elif ch not in (LINE_END if i == len(old) else marks):
            return False
        elif 0 < i < len(old) and old[i - 1].isdigit() and old[i].isdigit() and ch not in "，、":
            return False  # a speck read as "." or ":" inside a number changes the number
    return i == len(old)


def _between_han(old: str, i: int) -> bool:
    """Whether a character put in `old` before index `i` stands after a Han character and
    before one (or at the end): beside a digit or a letter a stroke is a dash, not 一."""
    return i > 0 and is_han(old[i - 1]) and (i == len(old) or is_han(old[i]))


def _replace_row(cell: Cell, parts: list[TextLine], lines: list[TextLine]) -> None:
    """The cell's lines with one row's parts (the objects themselves) swapped for `lines`."""
    kept = [ln for ln in cell.lines if not any(ln is p for p in parts)]
    cell.lines = [*kept, *lines]


def _split_back(parts: list[TextLine], new: str) -> list[str]:
    """`new` (the parts' joined text with marks inserted, as `adds_punctuation` accepted it)
    cut back into the parts' texts, each mark going with the part before it: parts of a row
    keep their own boxes, and so the gaps that `join_lines` reads as spaces ("公司 厨师长")."""
    texts = [p.text.strip() for p in parts]
    owner = [k for k, t in enumerate(texts) for _ in t]  # part of each old character
    old = "".join(texts)
    out = [""] * len(parts)
    i = 0
    for ch in new:
        if i < len(old) and ch == old[i]:
            out[owner[i]] += ch
            i += 1
        else:
            out[owner[i - 1] if i else 0] += ch
    return out


# --- images -------------------------------------------------------------------------------------


def cell_image(image: np.ndarray, grid: Grid, cell: Cell,
               inset: float) -> tuple[np.ndarray | None, tuple[float, float]]:
    """The cell's inside (rules trimmed off), rectified to the grid frame's axes, and its
    top-left corner in grid-frame coordinates. None for a cell too small to hold text."""
    x0, y0, x1, y1 = cell.bbox
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    w, h = int(round(x1 - x0)), int(round(y1 - y0))
    if w < 8 or h < 8:
        return None, (x0, y0)
    # Each corner goes through the grid's frame-to-page map (a point is a zero-size box), so
    # a straightened or sheared frame is cut out of the page as the quadrilateral it is there.
    corners = []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        px0, py0, _, _ = grid.page_bbox((x, y, x, y))
        corners.append((px0, py0))
    src = np.asarray(corners, dtype=np.float32)
    dst = np.asarray([(0, 0), (w, 0), (w, h), (0, h)], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    crop = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    return crop, (x0, y0)


def has_red(rgb: np.ndarray, min_pixels: int = 30) -> bool:
    """Whether the crop holds red ink (a seal or a red stamp)."""
    if rgb.ndim == 2:
        return False
    r = rgb[..., 0].astype(np.int16)
    other = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    return int(((r > 120) & (r - other > 50)).sum()) >= min_pixels


def drop_red(rgb: np.ndarray) -> np.ndarray:
    """Gray image of the crop with red ink (seals, red stamps) washed out.

    In the red channel a red seal is nearly as bright as the paper, while black print stays
    dark; what is left of the seal is pale, so everything lighter than the print/paper split
    (Otsu) becomes paper."""
    if rgb.ndim == 2:
        return rgb
    gray = rgb[..., 0].copy()
    split, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    gray[gray > split] = 255
    return gray


FAINT_DEPTH = 45  # grey levels under the paper that a faint mark's ink reaches at least
# ... or, on a low-contrast page, this share of the print's own depth (a worn copy's text is
# 80 levels under its grey paper, its 。 30), but never less than MIN_FAINT_DEPTH
FAINT_SHARE = 0.35
MIN_FAINT_DEPTH = 25


def ink_mask(gray: np.ndarray, faint: bool = False) -> np.ndarray:
    """Print pixels: clearly darker than the crop's paper (its median). `faint` also takes the
    grey of a small mark (a scanned 。 is a thin ring that never gets as dark as a stroke)."""
    paper = int(np.median(gray))
    return gray < (paper - FAINT_DEPTH if faint else min(160, paper - 40))


def mark_mask(gray: np.ndarray) -> np.ndarray:
    """Faint ink where a punctuation mark may be: as `ink_mask(faint=True)`, but how faint is
    measured against the print's own darkness, so a pale copy's marks count too. (Only for
    marks, which `adds_punctuation` vets: read as characters, the haze of a washed-out seal
    came back as "★" beside a unit's name.)"""
    paper = int(np.median(gray))
    depth = float(FAINT_DEPTH)
    sure = gray[gray < paper - FAINT_DEPTH]
    if sure.size:
        print_depth = paper - float(np.percentile(sure, 5))
        depth = min(FAINT_DEPTH, max(MIN_FAINT_DEPTH, FAINT_SHARE * print_depth))
    return gray < paper - depth


def erase_rules(gray: np.ndarray, unit: float, rule_len_ratio: float, margin: int = 1) -> np.ndarray:
    """The crop with long straight horizontal or vertical ink runs painted as paper: the
    remains of the cell's own rules (a photo's rules are not quite where the grid says), and
    `margin` px around them (their grey fringe)."""
    ink = ink_mask(gray).astype(np.uint8)
    length = max(12, int(round(unit * rule_len_ratio)))
    out = gray
    for horizontal in (True, False):
        if length > ink.shape[1 if horizontal else 0]:
            continue  # the crop is shorter than a rule would be
        kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
        rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        if rules.any():
            if out is gray:
                out = gray.copy()
            if margin > 0:
                rules = cv2.dilate(rules, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
            out[rules > 0] = 255
    return out


def text_rows(gray: np.ndarray, unit: float, settings: CellReadSettings) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text rows of a cell crop, top to bottom, from the
    horizontal ink profile."""
    ink = ink_mask(gray)
    if not ink.any():
        return []
    on = ink.sum(axis=1) > 0
    bands: list[list[int]] = []
    start = None
    for i, v in enumerate([*on.tolist(), False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            bands.append([start, i])
            start = None
    joined: list[list[int]] = []
    for band in bands:
        if joined and band[0] - joined[-1][1] < unit * settings.join_gap_ratio:
            joined[-1][1] = band[1]
        else:
            joined.append(band)
    out = []
    for y0, y1 in joined:
        if y1 - y0 < unit * settings.min_row_ratio:
            continue
        ends = print_extent(ink[y0:y1], unit, settings)
        if ends is not None:
            out.append((ends[0], int(y0), ends[1], int(y1)))
    return out


def print_extent(ink: np.ndarray, unit: float, settings: CellReadSettings) -> tuple[int, int] | None:
    """The first and past-the-last columns of a row's print (see `CellReadSettings.speck_ratio`),
    or None for a row of specks only. Ink is weighed blob by blob with the blobs grown by a
    fifth of a text height first: on a coarse 1-bit scan a character falls apart into crumbs
    each as small as a speck, and those lie close together; a photocopy's dust lies apart."""
    grow = max(3, int(round(unit * 0.2)) | 1)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(ink.astype(np.uint8), np.ones((grow, grow), np.uint8)), connectivity=8)
    mass = np.bincount(labels[ink], minlength=n)
    big = [i for i in range(1, n) if mass[i] >= (settings.speck_ratio * unit) ** 2]
    if not big:
        return None
    left, right = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH]
    x0, x1 = min(left[big]), max(right[big])
    reach = settings.speck_reach_ratio * unit
    near = [i for i in range(1, n) if right[i] >= x0 - reach and left[i] <= x1 + reach]
    cols = np.flatnonzero((np.isin(labels, near) & ink).any(axis=0))
    return int(cols[0]), int(cols[-1]) + 1


def row_image(gray: np.ndarray, box: tuple[int, int, int, int], unit: float, pad_ratio: float) -> np.ndarray:
    """One text row as an RGB image with a paper margin, the way line recognisers expect it."""
    x0, y0, x1, y1 = box
    pad = max(2, int(round(unit * pad_ratio)))
    h, w = gray.shape[:2]
    return framed(gray[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)])


def framed(gray: np.ndarray) -> np.ndarray:
    """A gray text row with a paper margin, as RGB: what line recognisers expect."""
    sub = cv2.copyMakeBorder(gray, 4, 4, 8, 8, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(sub, cv2.COLOR_GRAY2RGB)
