"""Scanned place names mended where the gazetteer and the recogniser's frames agree.

A worn 通讯地址 reads 吕梁市学义市: 学 is the recogniser's clear favourite, but 学义市 is no
place, and the one county of 吕梁市 it misses by a character is 孝义市 (`matchers.places`). The
mend is taken only where the image holds the known name too: the line is recognised again for
its frame scores, and its reading with the place as the gazetteer writes it must be at most
`max_log_ratio` nats less likely than the line as read. That bound is the one a
credit code or ID number read again under its check character gets (data/field_grammars.yaml):
a county written right beside its own city is as narrow a check as a check digit, and a
character the frames never hear cannot come in at all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import numpy as np

from shenbao.extractors.form.grid import Cell
from shenbao.extractors.form.typed import Reread
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import Grammar, LineScores, decode
from shenbao.extractors.ocr.detrec import DEFAULT_MAX_SIDE_LEN
from shenbao.extractors.ocr.geometry import fit_long_side, line_crop, scale_quads
from shenbao.matchers import places
from shenbao.pipeline.types import TextLine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaceSettings:
    # Values that name places: addresses, the bank branch, a unit's name (吕梁市润泽…).
    keys: tuple[str, ...] = ("address", "studio_location", "unit_name", "master_employer_title",
                             "bank_account", "_bank_name")
    max_log_ratio: float = 8.0
    # Where two places fit the neighbours (交城县 and 文水县 for 文城县), the frames must favour one
    # by this much (nats), as two well-formed readings of a typed value must (`min_lead`).
    min_lead: float = 1.0
    beam: int = 24
    long_side: int = DEFAULT_MAX_SIDE_LEN  # the page reading's scale, so the crops are its crops


def proposed(key: str, raw: str, settings: PlaceSettings) -> list[places.Mend]:
    """The place names in a value the gazetteer would mend (no recogniser pass yet)."""
    if key not in settings.keys:
        return []
    try:
        table = places.load()
    except places.PlaceTableError as exc:
        log.warning("place table unavailable (%s); place names kept as read", exc)
        return []
    return places.mends(raw, table)


def reread_places(cell: Cell, image: np.ndarray, engine: OcrEngine, raw: str, found: list[places.Mend],
                  settings: PlaceSettings | None = None) -> Reread | None:
    """`raw` (the cell's text) with each proposed mend its line's frames support, or None when
    they support none or the engine gives no frame scores. Each line is recognised again as the
    page reading cut it (its polygon, at the page reading's scale), so its frames are the ones
    its text was read from; a cell's row cut anew reads differently on a worn scan, and a mend
    must be weighed against the text it changes."""
    settings = settings or PlaceSettings()
    todo: list[tuple[TextLine, list[places.Mend]]] = []
    for line in cell.lines:
        mine = [m for m in found if line.text.count(m.read) == 1]
        if mine:
            todo.append((line, mine))
    if not todo:
        return None
    small, sx, sy = fit_long_side(image, settings.long_side)
    crops = [line_crop(small, scale_quads(_quad(line), sx, sy)) for line, _ in todo]
    try:
        scored = engine.read_line_scores(crops)
    except (NotImplementedError, LookupError):
        return None  # this engine hides its frame scores, or a replay never recorded them
    taken = places.partnered([chosen for (line, mine), frames in zip(todo, scored, strict=True) for m in mine
                              if (chosen := _choose(frames, line.text, m, settings)) is not None])
    if not taken:
        return None
    return Reread(places.apply(raw, taken), min(ln.confidence for ln in cell.lines))


def _quad(line: TextLine) -> np.ndarray:
    """The line's box as the detector drew it, or its bbox (a line the grid split at a rule)."""
    if line.polygon is not None:
        return np.array(line.polygon, dtype=np.float32)
    x0, y0, x1, y1 = line.bbox
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _choose(frames: LineScores, text: str, mend: places.Mend, settings: PlaceSettings) -> places.Mend | None:
    """`mend` with the one place the line's frames support (see `_ratio`), or None: none is
    supported, or two are and neither by `min_lead` nats more."""
    ratios = sorted(((r, name) for name in mend.names
                     if (r := _ratio(frames, text, replace(mend, names=(name,)), settings)) is not None
                     and r >= -settings.max_log_ratio), reverse=True)
    if not ratios or (len(ratios) > 1 and ratios[0][0] - ratios[1][0] < settings.min_lead):
        return None
    return replace(mend, names=(ratios[0][1],))


def _ratio(frames: LineScores, text: str, mend: places.Mend, settings: PlaceSettings) -> float | None:
    """How much less likely the line is read with the place as the gazetteer writes it than as
    read (nats), or None where the frames never heard a character of either."""
    mended = text.replace(mend.read, mend.name, 1)
    before = decode(frames, Grammar("as read", re.escape(text)), settings.beam)
    after = decode(frames, Grammar("place", re.escape(mended)), settings.beam)
    if before is None or after is None:
        return None
    log.debug("place %s -> %s: %.2f nats", mend.read, mend.name, after.log_prob - before.log_prob)
    return after.log_prob - before.log_prob
