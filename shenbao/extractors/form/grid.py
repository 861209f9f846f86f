"""A ruled table rebuilt as cells: the shape both grid builders (text layer, image) produce.

A `Grid` is one table on one page. Each `Cell` knows its place in the table's row/column
lattice (with spans for merged cells), its box in page units and the text pieces that fell
inside it. Neighbour queries work on shared borders rather than on lattice indices, so they
stay right on photographed pages whose ruling lines are not quite parallel.

Text lines are put into the cell holding their centre; a line that runs across a vertical
rule (OCR often reads "性别 男" as one line when the gap is small) is cut at the rule in
proportion to its characters' widths, so each cell gets only its own text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from shenbao.pipeline.types import BBox, TextLine


@dataclass
class Cell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox
    lines: list[TextLine] = field(default_factory=list)
    page: int = 0

    @property
    def text(self) -> str:
        """The cell's text on one line (for label matching)."""
        return join_lines(self.lines)

    @property
    def raw(self) -> str:
        """The cell's text as written: visual rows separated by line breaks."""
        return join_lines(self.lines, row_sep="\n")

    @property
    def confidence(self) -> float:
        """Lowest OCR confidence of the text in the cell (1.0 when empty or from a text layer)."""
        return min((ln.confidence for ln in self.lines), default=1.0)

    @property
    def text_bbox(self) -> BBox | None:
        if not self.lines:
            return None
        return union_bbox(ln.bbox for ln in self.lines)

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


@dataclass
class Grid:
    """One ruled table on one page."""

    page: int
    cells: list[Cell]
    n_rows: int
    n_cols: int
    tolerance: float = 3.0  # how far apart two borders may be and still count as shared
    # Grid geometry may live in a deskewed frame (photographed pages); this maps a box from
    # that frame back to page units. None: the grid is in page units already.
    to_page: Callable[[BBox], BBox] | None = None
    # Which cell a point lies in, from the image's own cell regions (exact where the rules are
    # not straight); None: decide by the cells' boxes.
    region_at: Callable[[float, float], Cell | None] | None = None
    # Which cells touch across a rule, measured on the image's cell regions: (side, id(cell))
    # -> neighbours. Boxes of a photographed table overlap or gap; its regions never lie.
    touching: dict[tuple[str, int], list[Cell]] | None = None

    def page_bbox(self, box: BBox) -> BBox:
        return self.to_page(box) if self.to_page is not None else box

    @property
    def bbox(self) -> BBox:
        return union_bbox(c.bbox for c in self.cells)

    def ordered(self) -> list[Cell]:
        """Cells in reading order: by top row, then left column."""
        return sorted(self.cells, key=lambda c: (c.row, c.col))

    # --- neighbours ------------------------------------------------------------------------
    def right_of(self, cell: Cell) -> list[Cell]:
        """Cells sharing `cell`'s right border, top to bottom."""
        if self.touching is not None:
            return list(self.touching.get(("right", id(cell)), []))
        tol = self.tolerance
        out = [
            c
            for c in self.cells
            if c is not cell
            and abs(c.bbox[0] - cell.bbox[2]) <= tol
            and _overlap(c.bbox[1], c.bbox[3], cell.bbox[1], cell.bbox[3]) > 0.3 * min(c.height, cell.height)
        ]
        return sorted(out, key=lambda c: c.bbox[1])

    def left_of(self, cell: Cell) -> list[Cell]:
        if self.touching is not None:
            return list(self.touching.get(("left", id(cell)), []))
        tol = self.tolerance
        out = [
            c
            for c in self.cells
            if c is not cell
            and abs(c.bbox[2] - cell.bbox[0]) <= tol
            and _overlap(c.bbox[1], c.bbox[3], cell.bbox[1], cell.bbox[3]) > 0.3 * min(c.height, cell.height)
        ]
        return sorted(out, key=lambda c: c.bbox[1])

    def below(self, cell: Cell) -> list[Cell]:
        """Cells sharing `cell`'s bottom border, left to right."""
        if self.touching is not None:
            return list(self.touching.get(("below", id(cell)), []))
        tol = self.tolerance
        out = [
            c
            for c in self.cells
            if c is not cell
            and abs(c.bbox[1] - cell.bbox[3]) <= tol
            and _overlap(c.bbox[0], c.bbox[2], cell.bbox[0], cell.bbox[2]) > 0.3 * min(c.width, cell.width)
        ]
        return sorted(out, key=lambda c: c.bbox[0])

    def above(self, cell: Cell) -> list[Cell]:
        if self.touching is not None:
            return list(self.touching.get(("above", id(cell)), []))
        tol = self.tolerance
        out = [
            c
            for c in self.cells
            if c is not cell
            and abs(c.bbox[3] - cell.bbox[1]) <= tol
            and _overlap(c.bbox[0], c.bbox[2], cell.bbox[0], cell.bbox[2]) > 0.3 * min(c.width, cell.width)
        ]
        return sorted(out, key=lambda c: c.bbox[0])

    def same_band_left(self, cell: Cell) -> list[Cell]:
        """Cells left of `cell` whose vertical extent holds its centre, nearest first.

        This is the row context of a label: the "负责人" before "办公电话", or a row-spanning
        group header ("联系人") to the left of a two-level header.
        """
        out: list[Cell] = []
        frontier = [cell]
        while frontier:
            nxt = []
            for c in frontier:
                for n in self.left_of(c):
                    if n not in out and n is not cell and n.bbox[1] - self.tolerance <= cell.cy <= n.bbox[3] + self.tolerance:
                        out.append(n)
                        nxt.append(n)
            frontier = nxt
        return sorted(out, key=lambda c: -c.bbox[2])

    def cell_at(self, x: float, y: float) -> Cell | None:
        for c in self.cells:
            if c.bbox[0] <= x <= c.bbox[2] and c.bbox[1] <= y <= c.bbox[3]:
                return c
        return None


# --- building helpers shared by both builders -------------------------------------------------


def lattice_spans(cells_boxes: list[BBox], tolerance: float) -> list[tuple[int, int, int, int]]:
    """(row, col, row_span, col_span) of each box, from the clustered edge positions of all boxes.

    Works for any set of rectangles that tile a table; edges closer than `tolerance` are the
    same lattice line (a photographed page's lines wander by a few pixels).
    """
    xs = cluster_positions([b[0] for b in cells_boxes] + [b[2] for b in cells_boxes], tolerance)
    ys = cluster_positions([b[1] for b in cells_boxes] + [b[3] for b in cells_boxes], tolerance)
    out = []
    for b in cells_boxes:
        c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
        r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
        out.append((r0, c0, max(1, r1 - r0), max(1, c1 - c0)))
    return out


def cluster_positions(values: Iterable[float], tolerance: float) -> list[float]:
    """Sorted representative positions of `values`, merging those within `tolerance`."""
    vs = sorted(values)
    groups: list[list[float]] = []
    for v in vs:
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _nearest(positions: list[float], v: float) -> int:
    return min(range(len(positions)), key=lambda i: abs(positions[i] - v))


def assign_lines(grids: list[Grid], lines: list[TextLine]) -> list[TextLine]:
    """Put each text line into the cell(s) it belongs to; return the lines outside every grid."""
    outside: list[TextLine] = []
    for line in lines:
        placed = False
        for grid in grids:
            pieces = _place(grid, line)
            if pieces:
                for cell, piece in pieces:
                    cell.lines.append(piece)
                placed = True
                break
        if not placed:
            outside.append(line)
    for grid in grids:
        for cell in grid.cells:
            cell.lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return outside


def _place(grid: Grid, line: TextLine) -> list[tuple[Cell, TextLine]]:
    if grid.region_at is not None:
        return _place_by_regions(grid, line)
    x0, y0, x1, y1 = line.bbox
    cy = line.cy
    # Cells in this line's vertical band that it overlaps horizontally.
    band = [
        c
        for c in grid.cells
        if c.bbox[1] <= cy <= c.bbox[3] and _overlap(c.bbox[0], c.bbox[2], x0, x1) > 0
    ]
    if not band:
        return []
    band.sort(key=lambda c: c.bbox[0])
    width = max(x1 - x0, 1e-6)
    # A rule the line merely touches does not split it: keep cells holding a real share of it.
    h = max(y1 - y0, 1.0)
    real = [c for c in band if _overlap(c.bbox[0], c.bbox[2], x0, x1) >= min(0.5 * h, 0.25 * width)]
    if len(real) <= 1:
        holder = real[0] if real else max(band, key=lambda c: _overlap(c.bbox[0], c.bbox[2], x0, x1))
        return [(holder, line)]
    return _split_line(line, real)


def _char_centres(line: TextLine) -> tuple[list[float], list[float], float]:
    """x of each character's centre along the line (by estimated glyph widths), the widths,
    and the px per em."""
    weights = [char_width(ch) for ch in line.text]
    total = sum(weights) or 1.0
    scale = (line.bbox[2] - line.bbox[0]) / total
    centres = []
    acc = 0.0
    for w in weights:
        centres.append(line.bbox[0] + (acc + w / 2) * scale)
        acc += w
    return centres, weights, scale


def _pieces(line: TextLine, owner: list[Cell | None]) -> list[tuple[Cell, TextLine]]:
    """The line cut into runs of characters with the same owning cell."""
    _, weights, scale = _char_centres(line)
    x0, y0, _, y1 = line.bbox
    out: list[tuple[Cell, TextLine]] = []
    start = 0
    for i in range(1, len(owner) + 1):
        if i < len(owner) and owner[i] is owner[start]:
            continue
        cell = owner[start]
        piece = line.text[start:i].strip()
        if cell is not None and piece:
            left = x0 + sum(weights[:start]) * scale
            right = x0 + sum(weights[:i]) * scale
            out.append((cell, TextLine(text=piece, bbox=(left, y0, right, y1), confidence=line.confidence)))
        start = i
    return out


def _split_line(line: TextLine, cells: list[Cell]) -> list[tuple[Cell, TextLine]]:
    """Cut a line that runs over several cells at their borders, by estimated glyph widths."""
    centres, _, _ = _char_centres(line)
    owner = [next((c for c in cells if c.bbox[0] <= cx < c.bbox[2]), None) for cx in centres]
    return _pieces(line, owner)


_LOOSE_PUNCT = set("“”‘’\"'（）()《》【】。，、；：,.;:!?！？")


def _place_by_regions(grid: Grid, line: TextLine) -> list[tuple[Cell, TextLine]]:
    """Place a line by looking up, for each of its characters, the cell region it stands in.

    Characters standing on a rule (or read a little outside their cell) go with their
    neighbours; a line none of whose characters is in a cell is not in this grid.
    """
    assert grid.region_at is not None
    if not line.text:
        return []
    centres, _, _ = _char_centres(line)
    cy = line.cy
    owner: list[Cell | None] = [grid.region_at(cx, cy) for cx in centres]
    if all(o is None for o in owner):
        return []
    # Fill gaps from the left neighbour, then the leading gap from the first owner.
    last: Cell | None = None
    for i, o in enumerate(owner):
        if o is None:
            owner[i] = last
        else:
            last = o
    first = next(o for o in owner if o is not None)
    owner = [o if o is not None else first for o in owner]
    # Punctuation alone at either end belongs with its words (a quote mark drawn over the
    # rule); a lone character may be a real neighbour ("性别 男").
    if len(owner) > 1 and owner[0] is not owner[1] and line.text[0] in _LOOSE_PUNCT:
        owner[0] = owner[1]
    if len(owner) > 1 and owner[-1] is not owner[-2] and line.text[-1] in _LOOSE_PUNCT:
        owner[-1] = owner[-2]
    # A short run inside a longer run of one cell (a glyph read over a wobbly rule) is that
    # cell's.
    for i in range(1, len(owner) - 1):
        if owner[i] is not owner[i - 1]:
            j = i
            while j < len(owner) and owner[j] is owner[i]:
                j += 1
            if j < len(owner) and j - i <= 2 and owner[j] is owner[i - 1]:
                for k in range(i, j):
                    owner[k] = owner[i - 1]
    return _pieces(line, owner)


def char_width(ch: str) -> float:
    """Rough advance width in ems: CJK and full-width forms 1, Latin/digits about half."""
    if ch.isspace():
        return 0.35
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return 0.55


def join_lines(lines: list[TextLine], row_sep: str = "") -> str:
    """The text of some lines as it reads: visual rows top to bottom, parts left to right.

    Parts of one row separated by a visible gap get one space (pdfplumber splits words at
    spaces; OCR returns separate boxes for separate phrases); rows are joined without one,
    because the forms are Chinese and a line break inside a cell is only wrapping (or with
    `row_sep`, for callers that decide about breaks themselves).
    """
    rows = group_rows(lines)
    out_rows = []
    for row in rows:
        text = ""
        prev: TextLine | None = None
        for part in row:
            t = part.text.strip()
            if not t:
                continue
            if prev is not None:
                h = min(prev.bbox[3] - prev.bbox[1], part.bbox[3] - part.bbox[1])
                gap = part.bbox[0] - prev.bbox[2]
                if gap > 0.2 * h and text and not text.endswith(" "):
                    text += " "
            text += t
            prev = part
        if text:
            out_rows.append(text)
    return row_sep.join(out_rows)


def hard_break_text(cell: Cell) -> str:
    """The cell's text with a line break only where the writer broke the line.

    A visual row that runs up to the cell's right edge was wrapped by the layout and goes on
    in the next row; one that stops well short of it (or ends a sentence) ended there.
    """
    rows = group_rows(cell.lines)
    out = ""
    for i, row in enumerate(rows):
        text = join_lines(row)
        if not text:
            continue
        out += text
        if i + 1 < len(rows):
            h = max(p.bbox[3] - p.bbox[1] for p in row)
            right = max(p.bbox[2] for p in row)
            nxt = join_lines(rows[i + 1])
            ended = text.rstrip()[-1:] in "。；;！!"
            # An open quote or bracket, or a closing one starting the next row: still one item.
            open_end = text.rstrip()[-1:] in "“‘（(《【、，," or nxt.lstrip()[:1] in "”’）)》】、，,。；;"
            numbered = re.match(r"\s*(?:\d{1,2}\s*[、.．]|[(（]\d{1,2}[)）]|[①-⑳])", nxt) is not None
            # A row opening with a year ("2017年…") after a finished one starts a new item.
            dated = re.match(r"\s*(?:19|20)\d{2}\s*年", nxt) is not None and not text.rstrip()[-1:].isdigit()
            short = cell.bbox[2] - right > 2.5 * h
            if ended or numbered or ((short or dated) and not open_end):
                out += "\n"
    return out


def group_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into visual rows, rows top to bottom, parts left to right.

    Rows are told apart by vertical centres, not by overlapping boxes: on a photographed page a
    long line's box is taller than its text (the line is slightly slanted) and would overlap
    the row below.
    """
    rows: list[list[TextLine]] = []
    centres: list[float] = []
    for ln in sorted(lines, key=lambda ln: (ln.cy, ln.bbox[0])):
        h = _text_height(ln)
        if rows:
            row_h = min(_text_height(p) for p in rows[-1])
            if abs(ln.cy - centres[-1]) < 0.5 * min(h, row_h):
                rows[-1].append(ln)
                centres[-1] = sum(p.cy for p in rows[-1]) / len(rows[-1])
                continue
        rows.append([ln])
        centres.append(ln.cy)
    return [sorted(r, key=lambda ln: ln.bbox[0]) for r in rows]


def _text_height(line: TextLine) -> float:
    """Height of the text itself: across the polygon when there is one, else the box's."""
    p = line.polygon
    if p and len(p) >= 4:
        return (math.dist(p[0], p[3]) + math.dist(p[1], p[2])) / 2
    return line.bbox[3] - line.bbox[1]


def union_bbox(boxes: Iterable[BBox]) -> BBox:
    bs = list(boxes)
    return (
        min(b[0] for b in bs),
        min(b[1] for b in bs),
        max(b[2] for b in bs),
        max(b[3] for b in bs),
    )


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))
