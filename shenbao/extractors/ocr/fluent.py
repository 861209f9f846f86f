"""Scanned lines decoded again with a character bigram model weighing the recogniser's doubts.

On a coarse or 1-bit scan the recogniser often sees two characters nearly equally (目 and 日,
侧 and 制, 梁 and 吸) and takes the wrong one. `refine_lines` recognises each doubtful line's
crop again for its CTC frame scores and decodes them with every character also weighed by how
well it follows the one before (`charlm`: a pointwise mutual information, clipped and scaled).
A line whose characters the recogniser was sure of reads the same: the bonus is bounded both
ways, at most `max_bonus` × `weight` = 3 nats a pair (6 for a character between two words it
completes), so a candidate the frames hold far less likely than that never wins; and an unusual
pair (a person's name) costs at most `max_penalty` × `weight` = 0.75 nats. Marks are passed over when pairing (a "·" never gets in between two characters to
dodge their pair's score); after a digit or letter there is no pair. Two facts of printed
Chinese prose tip marks: "，"/"。" after a character is common, "·" or an ASCII "." there rare.
Nothing is added beyond the ends of the plain reading (a neighbouring box often holds it), and
no character of it is dropped (a pair model gains by dropping one that pairs badly).
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from shenbao.extractors.ocr import charlm
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import LineScores, decode_fluent
from shenbao.extractors.ocr.detrec import DEFAULT_MAX_SIDE_LEN
from shenbao.extractors.ocr.geometry import fit_long_side, line_crop, scale_quads
from shenbao.extractors.ocr.script import to_simplified
from shenbao.pipeline.types import TextLine

log = logging.getLogger(__name__)

_HAN = re.compile(charlm.HAN)
_DATE_CHARS = set("年月日〇零一二三四五六七八九十")
_ALNUM = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


@dataclass(frozen=True)
class FluentSettings:
    weight: float = 0.5  # nats of log probability per nat of the pair's PMI
    max_bonus: float = 6.0  # PMI clipped to [-max_penalty, max_bonus]
    max_penalty: float = 1.5
    # Lines the recogniser read this surely, character by character on average, are not read
    # again (they would read the same; this saves a recogniser pass over most of a clean page).
    sure: float = 0.995
    # Lines read this unsurely are too garbled for pairs to mend: the model would only swap
    # one wrong reading for another, and a worn label is matched by the letters it kept.
    unsure: float = 0.7
    # A line with fewer Han characters has no pair to weigh. The characters of a date are not
    # counted: "1975年4日" or 二〇二五年五月 is for the date's grammar to read (`typed`), not
    # for word statistics that would make it a well-formed wrong date.
    min_han: int = 2
    long_side: int = DEFAULT_MAX_SIDE_LEN  # the page reading's scale, so the crops are its crops
    beam: int = 24
    # Printed prose: a "，" or "。" after a character is common; a "·" (foreign names only) or
    # an ASCII "." there is rare. Where the frames are torn between a mark and a blank, or a
    # dot and "。"/"，", this tips them (nats).
    stop_bonus: float = 1.0
    dot_penalty: float = 1.5


@dataclass(frozen=True)
class Refined:
    line: TextLine  # as read again
    before: str  # the page reading's text


def refine_lines(lines: list[TextLine], image: np.ndarray, engine: OcrEngine,
                 settings: FluentSettings | None = None) -> tuple[list[TextLine], list[Refined]]:
    """`lines` with each one the bigram model reads otherwise replaced, and what changed.
    `image` is the corrected page (RGB) the lines' polygons are in. Engines without frame
    scores leave every line as it is."""
    settings = settings or FluentSettings()
    todo = [i for i, ln in enumerate(lines) if _worth_reading(ln, settings)]
    if not todo:
        return lines, []
    try:
        model = charlm.load()
    except (ImportError, OSError, ValueError) as exc:
        # A broken install must not cost the packet its form: the plain reading stands.
        log.warning("character bigram model unavailable (%s); scanned lines kept as read", exc)
        return lines, []
    small, sx, sy = fit_long_side(image, settings.long_side)
    crops = [crop_line(small, lines[i], sx, sy) for i in todo]
    try:
        scored = engine.read_line_scores(crops)
    except (NotImplementedError, LookupError):
        return lines, []  # this engine hides its frame scores, or a replay never recorded them

    def bonus(prefix: str, ch: str) -> float:
        if not _HAN.match(ch):
            if prefix and _HAN.match(prefix[-1]):
                if ch in "，。":
                    return settings.stop_bonus
                if ch in "·.":
                    return -settings.dot_penalty
            return 0.0  # marks, digits and Latin are the frames' to decide
        before = _pairs_with(prefix)
        if before is None:
            return 0.0
        simple = to_simplified(ch)
        # A character the model lacks (a rare one) costs what the worst pair does, so it never
        # wins by dodging a pair's penalty.
        pmi = model.pmi(to_simplified(before), simple) if model.knows(simple) else -math.inf
        return settings.weight * max(-settings.max_penalty, min(settings.max_bonus, pmi))

    out = list(lines)
    changed: list[Refined] = []
    for i, scores in zip(todo, scored, strict=True):
        text = _refined_text(scores, bonus, settings)
        if text is None or text == lines[i].text:
            continue
        out[i] = replace(lines[i], text=text)
        changed.append(Refined(out[i], lines[i].text))
    return out, changed


def _refined_text(scores: LineScores, bonus: Callable[[str, str], float],
                  settings: FluentSettings) -> str | None:
    """The fluent reading, or None where the model changes nothing in these frames (a reading
    that differs from the page's only because the crop was recognised again is not taken)."""
    plain = to_simplified(scores.best_path()[0])
    # Simplified like every OCR line (`script`): the frames may still favour a traditional form.
    fluent = to_simplified(_held(plain, decode_fluent(scores, bonus, settings.beam)))
    if not fluent.strip() or fluent == plain:
        return None
    return fluent


def _held(plain: str, fluent: str) -> str:
    """`fluent` held to the plain reading, one alignment of the two deciding both rules:
    - nothing it adds before the plain reading's first character or after its last stays: a
      character heard faintly at a line's edge is one a neighbouring box often holds (the 司
      the detector boxed on its own after "…有限公"), and would be read twice;
    - every Han character of the plain reading it drops is put back: a pair model gains by
      dropping a character that pairs badly with its neighbours (昌梁市 read 昌市). What it may
      mend is which character a torn stroke is, or one the frames heard faintly (有限任公司 ->
      有限责任公司), never that a character is not there. Marks it drops stay dropped."""
    out = []
    ops = difflib.SequenceMatcher(None, plain, fluent, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in ops:
        lost, got = plain[i1:i2], fluent[j1:j2]
        if op == "insert" and (i1 == 0 or i1 == len(plain)):
            continue
        if op == "delete":
            out.append("".join(_HAN.findall(lost)))
        elif op == "replace" and len(_HAN.findall(got)) < len(_HAN.findall(lost)):
            out.append(lost)
        else:
            out.append(got)
    return "".join(out)


def _pairs_with(prefix: str) -> str | None:
    """The character a next one pairs with: the last Han character, blanks and marks passed
    over (so a "·" never gets in between two characters to dodge their pair's score). After a
    digit or letter there is none: a pair across "12台" says nothing, and a digit read in place
    of a character loses that character's pairs on both sides, which costs more than it saves
    wherever the character fits."""
    for ch in reversed(prefix):
        if _HAN.match(ch):
            return ch
        if _ALNUM.match(ch):
            return None
    return None


def _worth_reading(line: TextLine, settings: FluentSettings) -> bool:
    han = [ch for ch in _HAN.findall(line.text) if ch not in _DATE_CHARS]
    return (line.polygon is not None and settings.unsure <= line.confidence < settings.sure
            and len(han) >= settings.min_han)


def crop_line(small: np.ndarray, line: TextLine, sx: float, sy: float) -> np.ndarray:
    """The line cut out of the page image shrunk by (`sx`, `sy`) as the page reading cut it:
    its polygon as the detector drew it, or its bbox (a line the grid split at a rule)."""
    if line.polygon is not None:
        quad = np.array(line.polygon, dtype=np.float32)
    else:
        x0, y0, x1, y1 = line.bbox
        quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
    return line_crop(small, scale_quads(quad, sx, sy))
