"""Reading down a column of a page whose rows join text across it.

Rows (`layout.PageText`) are visual lines across the whole page: on a booklet's two-page
spread, or a certificate with a slogan printed beside its text, one row holds runs of two
columns. A phrase that wraps onto the next row goes on in its own column, under where it began.
"""

from __future__ import annotations

import re

from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.rows import Row
from shenbao.pipeline.types import BBox


def down_column(pt: PageText, where: list, at: int, start: int) -> list[int]:
    """Flat-text indices from `start` on, read down the column of the run that character `at`
    (the trigger) stands in: the rest of the trigger's row, then each row below whole when it
    is one run, else its runs standing under the trigger's (overlapping it across; the nearest
    when none does). The other runs of such a row are another column's: a booklet's facing
    page, a slogan printed beside the text."""
    if at >= len(where) or where[at] is None:
        return [k for k in range(start, len(where)) if where[k] is not None]
    ri0, i0 = where[at]
    row = pt.rows[ri0]
    box = row.span_box(row.text.rfind(" ", 0, i0) + 1, _run_end(row.text, i0))
    runs_kept: dict[int, set[int]] = {}  # row -> start index of each run kept
    kept: list[int] = []
    for k in range(start, len(where)):
        w = where[k]
        if w is None:
            continue
        ri, i = w
        if ri != ri0:
            if ri not in runs_kept:
                runs_kept[ri] = runs_under(pt.rows[ri], box)
            if pt.rows[ri].text.rfind(" ", 0, i) + 1 not in runs_kept[ri]:
                continue
        kept.append(k)
    return kept


def runs_under(row: Row, box: BBox | None) -> set[int]:
    """Start indices of the runs of `row` standing under `box` (all of them when it has one)."""
    starts = [0] + [m.end() for m in re.finditer(r" +", row.text)]
    boxes = {a: row.span_box(a, _run_end(row.text, a)) for a in starts}
    boxes = {a: b for a, b in boxes.items() if b is not None}
    if len(boxes) <= 1 or box is None:
        return set(boxes)
    under = {a for a, b in boxes.items() if b[0] < box[2] and box[0] < b[2]}
    if under:
        return under
    centre = (box[0] + box[2]) / 2
    return {min(boxes, key=lambda a: abs((boxes[a][0] + boxes[a][2]) / 2 - centre))}


def _run_end(text: str, i: int) -> int:
    end = text.find(" ", i)
    return len(text) if end < 0 else end
