"""Tables of a text-layer page, rebuilt from its drawn rules (PDF points).

Word and WPS export a table either as one rectangle per cell or as separate line segments;
both arrive as `Ruling`s. Segments are merged along their line, grouped into tables (rules
that touch), and each table's lattice of distinct x/y positions is cut into elementary
cells. Neighbouring elementary cells with no rule between them belong to one merged cell.
A merged region whose outline is not drawn is not a cell (the notch of an L-shaped table).
"""

from __future__ import annotations

from dataclasses import dataclass

from shenbao.extractors.form.grid import Cell, Grid, assign_lines, cluster_positions
from shenbao.pipeline.types import Ruling, TextLine

# Rules closer than this (pt) are the same line; a gap shorter than this does not break one.
SNAP = 2.0
# A rule shorter than this is a glyph stroke or a tick, not part of a table.
MIN_RULE = 6.0
# Share of a border that must be drawn for two elementary cells to be separate.
BORDER_COVER = 0.6
# A form's lattice has at most a few thousand elementary cells; beyond this it is graph paper.
MAX_LATTICE = 20000
MAX_RULES = 3000


@dataclass
class Seg:
    """An axis-parallel rule: `pos` across it, `a`..`b` along it."""

    horizontal: bool
    pos: float
    a: float
    b: float


def grids_from_rulings(
    rulings: list[Ruling], lines: list[TextLine], page: int = 0
) -> tuple[list[Grid], list[TextLine]]:
    """Tables on a text-layer page and the lines that fall outside all of them."""
    segs = merge_segments(to_segments(rulings))
    if len(segs) > MAX_RULES:
        return [], list(lines)  # a vector drawing, not a form: leave its text to the line reader
    grids = [g for g in (_grid_of(group, page) for group in _tables(segs)) if g is not None]
    outside = assign_lines(grids, lines)
    return grids, outside


def to_segments(rulings: list[Ruling]) -> list[Seg]:
    out = []
    for r in rulings:
        dx, dy = abs(r.x1 - r.x0), abs(r.y1 - r.y0)
        if max(dx, dy) < MIN_RULE:
            continue
        if dy <= 0.05 * dx + 0.5:
            out.append(Seg(True, (r.y0 + r.y1) / 2, min(r.x0, r.x1), max(r.x0, r.x1)))
        elif dx <= 0.05 * dy + 0.5:
            out.append(Seg(False, (r.x0 + r.x1) / 2, min(r.y0, r.y1), max(r.y0, r.y1)))
        # anything slanted is a drawing, not a table rule
    return out


def merge_segments(segs: list[Seg]) -> list[Seg]:
    """Collinear overlapping or nearly touching segments become one."""
    out: list[Seg] = []
    for horizontal in (True, False):
        same = sorted((s for s in segs if s.horizontal == horizontal), key=lambda s: s.pos)
        # group by position
        groups: list[list[Seg]] = []
        for s in same:
            if groups and s.pos - groups[-1][-1].pos <= SNAP:
                groups[-1].append(s)
            else:
                groups.append([s])
        for g in groups:
            pos = sum(s.pos for s in g) / len(g)
            spans = sorted((s.a, s.b) for s in g)
            cur_a, cur_b = spans[0]
            for a, b in spans[1:]:
                if a <= cur_b + SNAP:
                    cur_b = max(cur_b, b)
                else:
                    out.append(Seg(horizontal, pos, cur_a, cur_b))
                    cur_a, cur_b = a, b
            out.append(Seg(horizontal, pos, cur_a, cur_b))
    return out


def _touch(h: Seg, v: Seg) -> bool:
    return h.a - SNAP <= v.pos <= h.b + SNAP and v.a - SNAP <= h.pos <= v.b + SNAP


def _tables(segs: list[Seg]) -> list[list[Seg]]:
    """Groups of rules connected by crossings or T-junctions: one group per table."""
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = {id(s): i for i, s in enumerate(segs)}
    for h in hs:
        for v in vs:
            if _touch(h, v):
                a, b = find(index[id(h)]), find(index[id(v)])
                if a != b:
                    parent[a] = b
    groups: dict[int, list[Seg]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    return [g for g in groups.values() if sum(s.horizontal for s in g) >= 2 and sum(not s.horizontal for s in g) >= 2]


def _covered(segs: list[Seg], pos: float, a: float, b: float) -> float:
    """Share of the span a..b at `pos` that the given (same-orientation) rules draw."""
    length = b - a
    if length <= 0:
        return 1.0
    parts = sorted((max(s.a, a), min(s.b, b)) for s in segs if abs(s.pos - pos) <= SNAP and s.b > a and s.a < b)
    drawn = 0.0
    end = a
    for p0, p1 in parts:
        p0 = max(p0, end)
        if p1 > p0:
            drawn += p1 - p0
            end = p1
    return drawn / length


def _grid_of(segs: list[Seg], page: int) -> Grid | None:
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    xs = cluster_positions([s.pos for s in vs], SNAP)
    ys = cluster_positions([s.pos for s in hs], SNAP)
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1 or nr * nc > MAX_LATTICE:
        return None  # no table, or a drawing / chart made of rules rather than a form
    # Union-find over elementary cells.
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and _covered(vs, xs[c + 1], ys[r], ys[r + 1]) < BORDER_COVER:
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and _covered(hs, ys[r + 1], xs[c], xs[c + 1]) < BORDER_COVER:
                union(r * nc + c, (r + 1) * nc + c)
    regions: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            regions.setdefault(find(r * nc + c), []).append((r, c))
    cells: list[Cell] = []
    for members in regions.values():
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members) + 1
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members) + 1
        x0, x1, y0, y1 = xs[c0], xs[c1], ys[r0], ys[r1]
        # A real cell has its outline drawn; an undrawn region is outside the table.
        outline = min(
            _covered(hs, y0, x0, x1),
            _covered(hs, y1, x0, x1),
            _covered(vs, x0, y0, y1),
            _covered(vs, x1, y0, y1),
        )
        if outline < BORDER_COVER or len(members) != (r1 - r0) * (c1 - c0):
            continue
        cells.append(Cell(row=r0, col=c0, row_span=r1 - r0, col_span=c1 - c0, bbox=(x0, y0, x1, y1), page=page))
    if len(cells) < 2:
        return None
    return Grid(page=page, cells=cells, n_rows=nr, n_cols=nc, tolerance=SNAP + 0.5)
