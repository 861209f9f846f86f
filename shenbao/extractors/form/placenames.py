"""Scanned place and bank names mended where a known list and the recogniser's frames agree.

A worn 通讯地址 reads 吕梁市学义市: 学 is the recogniser's clear favourite, but 学义市 is no
place, and the one county of 吕梁市 it misses by a character is 孝义市 (`matchers.places`). A
开户银行 value reads 国邮政储蓄银行…: no bank is called that, 中国邮政储蓄银行 is (`matchers.banks`).
A mend is taken only where the image holds the known name too: the line is recognised again for
its frame scores, and its reading with the known name must be at most `max_log_ratio` nats less
likely than the line as read. For a place beside its own parent or child that is the bound a
credit code or ID number read again under its check character gets (data/field_grammars.yaml):
as narrow a check as a check digit. A bank's name has no neighbour to vouch for it, and a city
bank missing from the list may be printed one character off a listed one (晋商银行, 招商银行),
so it gets the bound of a well-formed value read otherwise. A character the frames never hear
cannot come in at all.
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
from shenbao.extractors.ocr.fluent import crop_line
from shenbao.extractors.ocr.geometry import fit_long_side
from shenbao.matchers import banks, places
from shenbao.pipeline.types import TextLine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaceSettings:
    # Values that name places: addresses, the bank branch, a unit's name (吕梁市润泽…).
    keys: tuple[str, ...] = ("address", "studio_location", "unit_name", "master_employer_title",
                             "bank_account", "_bank_name")
    bank_keys: tuple[str, ...] = ("bank_account", "_bank_name")
    max_log_ratio: float = 8.0  # a place
    bank_max_log_ratio: float = 3.0
    # Where two names fit (交城县 and 文水县 for 吕梁市文城县), the frames must favour one by this
    # much (nats), as two well-formed readings of a typed value must (`min_lead`).
    min_lead: float = 1.0
    beam: int = 24
    long_side: int = DEFAULT_MAX_SIDE_LEN  # the page reading's scale, so the crops are its crops

    def bound(self, mend: places.Mend) -> float:
        return self.bank_max_log_ratio if mend.kind == "bank" else self.max_log_ratio


def proposed(key: str, raw: str, settings: PlaceSettings) -> list[places.Mend]:
    """The names in a value the lists would mend (no recogniser pass yet)."""
    found: list[places.Mend] = []
    try:
        if key in settings.keys:
            found += places.mends(raw, places.load())
        if key in settings.bank_keys:
            taken = [(m.start, m.end) for m in found]
            found += [m for m in banks.mends(raw, banks.load())
                      if not any(a < m.end and m.start < b for a, b in taken)]
    except (places.PlaceTableError, banks.BankListError) as exc:
        log.warning("name list unavailable (%s); names kept as read", exc)
    return found


def reread_places(cell: Cell, image: np.ndarray, engine: OcrEngine, raw: str, found: list[places.Mend],
                  settings: PlaceSettings | None = None) -> tuple[Reread, str] | None:
    """`raw` (the cell's text) with each proposed mend its line's frames support, and why (for
    the reviewer); None when they support none or the engine gives no frame scores. Each line
    is recognised again as the page reading cut it (its polygon, at the page reading's scale),
    so its frames are the ones its text was read from; a cell's row cut anew reads differently
    on a worn scan, and a mend must be weighed against the text it changes."""
    settings = settings or PlaceSettings()
    todo: list[tuple[TextLine, list[places.Mend]]] = []
    for line in cell.lines:
        mine = [m for m in found if line.text.count(m.read) == 1]
        if mine:
            todo.append((line, mine))
    if not todo:
        return None
    small, sx, sy = fit_long_side(image, settings.long_side)
    crops = [crop_line(small, line, sx, sy) for line, _ in todo]
    try:
        scored = engine.read_line_scores(crops)
    except (NotImplementedError, LookupError):
        return None  # this engine hides its frame scores, or a replay never recorded them
    taken = places.partnered([chosen for (line, mine), frames in zip(todo, scored, strict=True) for m in mine
                              if (chosen := _choose(frames, line.text, m, settings)) is not None])
    if not taken:
        return None
    why = "；".join(_why(m) for m in taken)
    return Reread(places.apply(raw, taken), min(ln.confidence for ln in cell.lines)), why


def _why(mend: places.Mend) -> str:
    if mend.kind == "bank":
        return f"“{mend.read}”不是已知的银行名称，按“{mend.name}”改读"
    return f"“{mend.read}”不是与“{mend.beside}”相邻的行政区划，按行政区划名称“{mend.name}”改读"


def _choose(frames: LineScores, text: str, mend: places.Mend, settings: PlaceSettings) -> places.Mend | None:
    """`mend` with the one name the line's frames support, or None: none is supported, or two
    are and neither by `min_lead` nats more. A name is supported where the line read with it
    is at most `bound` nats less likely than the line as read (and the frames hear every
    character of it)."""
    as_read = _log_prob(frames, text, settings)
    if as_read is None:
        return None
    ratios = []
    for name in mend.names:
        with_name = _log_prob(frames, text.replace(mend.read, name, 1), settings)
        if with_name is not None:
            log.debug("%s %s -> %s: %.2f nats", mend.kind, mend.read, name, with_name - as_read)
            if with_name - as_read >= -settings.bound(mend):
                ratios.append((with_name - as_read, name))
    ratios.sort(reverse=True)
    if not ratios or (len(ratios) > 1 and ratios[0][0] - ratios[1][0] < settings.min_lead):
        return None
    return replace(mend, names=(ratios[0][1],))


def _log_prob(frames: LineScores, text: str, settings: PlaceSettings) -> float | None:
    """The frames' log probability of exactly `text`, or None where they never hear one of
    its characters."""
    decoded = decode(frames, Grammar("as written", re.escape(text)), settings.beam)
    return None if decoded is None else decoded.log_prob
