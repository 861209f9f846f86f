"""Scanned person names read again, weighing each character by how often names use it.

A worn 联系人 or 负责人 cell is where the recogniser is torn between two characters (此 or 武,
线 or 侯) and no rule can tell it read wrong: any two or three characters pass as a name. The
cell's row is decoded again from its frame scores with every character weighed by how likely
it is at its place in a name (`namelm`: a surname first, given-name characters after), clipped
both ways so that only a character the frames already hold in doubt is swapped: a rare but
clearly printed character (覃, 鹏) stays. The number of characters never changes.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import numpy as np

from shenbao.extractors.form.cellread import CellReadSettings
from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.form.typed import Reread, row_scores
from shenbao.extractors.ocr import charlm, namelm
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import LineScores, char_confidence, decode_fluent
from shenbao.extractors.ocr.script import to_simplified

log = logging.getLogger(__name__)

_HAN = re.compile(charlm.HAN)


@dataclass(frozen=True)
class NameSettings:
    keys: tuple[str, ...] = ("master_name", "contact_name", "unit_head")
    weight: float = 0.5  # nats of log probability per nat of the character's name score
    # A character's score is its log probability in names less these (about where the
    # characters that write 90% of names end), clipped to [-max_penalty, max_bonus]: at most
    # 1.5 nats for a common name character, 1 nat against one no name uses.
    surname_ref: float = -8.0
    given_ref: float = -9.0
    max_bonus: float = 3.0
    max_penalty: float = 2.0
    # Names read this surely (mean character confidence) are not read again.
    sure: float = 0.995
    beam: int = 24


def needs_reread(key: str, raw: str, confidence: float, settings: NameSettings) -> bool:
    """A person-name field read with doubt whose reading is a name's length of Han characters."""
    compact = "".join(raw.split())
    return (key in settings.keys and confidence < settings.sure
            and 2 <= len(_HAN.findall(compact)) <= 4)


def reread_name(grid: Grid, cell: Cell, image: np.ndarray, engine: OcrEngine, unit: float, page_text: str,
                settings: NameSettings | None = None, cells: CellReadSettings | None = None) -> Reread | None:
    """The name in `cell` decoded again under the name model, or None when the model reads it
    as the frames do, the row cannot be cut out, the engine gives no frame scores, or the row
    as cut reads as other than a name as long as the page's reading (`page_text`): then its
    frames may hold a neighbour's mark or miss a character, and the name model must not be
    what decides between those. (A character read otherwise is what the model is for.)"""
    settings = settings or NameSettings()
    try:
        model = namelm.load()
    except namelm.NameTableError as exc:
        log.warning("name character table unavailable (%s); names kept as read", exc)
        return None
    scored = row_scores(grid, cell, image, engine, unit, cells)
    if not scored:
        return None
    frames = scored[0]  # the row as cut: the enlarged copy is for shapes, not for strokes
    row_text = to_simplified(frames.best_path()[0]).strip()
    if len(row_text) != len("".join(page_text.split())) or len(_HAN.findall(row_text)) != len(row_text):
        return None
    text = read_name(frames, model, settings)
    return None if text is None else Reread(text, char_confidence(frames, text))


def read_name(frames: LineScores, model: namelm.NameChars, settings: NameSettings) -> str | None:
    """The name the frames hold when each character is weighed by the name model, or None
    where that is how the frames read anyway (or would change the number of characters)."""

    def bonus(prefix: str, ch: str) -> float:
        if not _HAN.match(ch):
            return 0.0
        position = len(_HAN.findall(prefix))
        lp = model.log_prob(to_simplified(ch), position)
        ref = settings.surname_ref if position == 0 else settings.given_ref
        score = -math.inf if lp is None else lp - ref
        return settings.weight * max(-settings.max_penalty, min(settings.max_bonus, score))

    plain = to_simplified(frames.best_path()[0]).strip()
    fluent = to_simplified(decode_fluent(frames, bonus, settings.beam)).strip()
    if not fluent or fluent == plain or len(fluent) != len(plain):
        return None
    return fluent
