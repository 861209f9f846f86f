"""What a CTC line recogniser saw, frame by frame, and decoding it under a field's grammar.

A recogniser's usual reading takes the likeliest character of every frame. When the result
cannot be the value its field holds (an e-mail address without "@", an ID number whose check
digit fails), the same frames often still carry the right reading a little below: "@" as the
second choice where "o" won, a "-" the best path dropped. `decode` finds the likeliest reading
that a `Grammar` accepts (prefix beam search over the CTC frames, constrained as it goes), and
says how much less likely it is than the free reading, so the caller can refuse a reading the
image does not support.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import regex

BLANK = ""
# What `LineScores.from_matrix` keeps of a frame; part of the key under which recorded and
# cached scores are stored, so scores kept otherwise are read again, not replayed.
TOP_K = 8
MIN_PROB = 1e-4
SCORES_FORMAT = f"top{TOP_K}-min{MIN_PROB:g}"


@dataclass(frozen=True)
class LineScores:
    """Per CTC frame, the candidates worth keeping: (character, probability), blank as "".
    Frames where the blank is all but certain are kept too: they separate repeated characters."""

    frames: tuple[tuple[tuple[str, float], ...], ...]

    @classmethod
    def from_matrix(cls, probs: np.ndarray, alphabet: list[str], top_k: int = TOP_K,
                    min_prob: float = MIN_PROB) -> LineScores:
        """`probs`: (frames, classes) softmax output; `alphabet[i]` the character of class i,
        class 0 the blank."""
        frames = []
        order = np.argsort(-probs, axis=1)[:, :top_k]
        for t in range(probs.shape[0]):
            kept = []
            for i in order[t]:
                p = float(probs[t, i])
                if p < min_prob and kept:
                    break
                kept.append((BLANK if i == 0 else alphabet[i], round(p, 5)))
            frames.append(tuple(kept))
        return cls(tuple(frames))

    @classmethod
    def joined(cls, lines: list[LineScores]) -> LineScores:
        """Rows read one after the other as one line (a blank frame between them, so the last
        character of one and the first of the next stay two)."""
        frames: list[tuple[tuple[str, float], ...]] = []
        for k, line in enumerate(lines):
            if k:
                frames.append(((BLANK, 1.0),))
            frames.extend(line.frames)
        return cls(tuple(frames))

    def to_json(self) -> list[list[list[object]]]:
        return [[[ch, p] for ch, p in frame] for frame in self.frames]

    @classmethod
    def from_json(cls, data: list[list[list[object]]]) -> LineScores:
        return cls(tuple(tuple((str(ch), float(p)) for ch, p in frame) for frame in data))

    def with_confusions(self, read_as: dict[str, tuple[str, ...]], share: float,
                        max_source: float = 1.0) -> LineScores:
        """The frames with look-alikes added: where character c is a candidate with probability
        below `max_source`, each character in `read_as[c]` (what a c may really be) becomes one
        too, with `share` of c's probability, unless it already is a likelier candidate there.
        (A c read all but surely is a c: an address whose "@" is missing must not lose the
        letter before it to an "@".) The shares are not renormalised: a reading through them is
        compared with the plain frames' reading, which it can only flatter by that share."""
        frames = []
        for frame in self.frames:
            have = dict(frame)
            for ch, p in frame:
                if p >= max_source:
                    continue
                for alt in read_as.get(ch, ()):
                    if have.get(alt, 0.0) < p * share:
                        have[alt] = p * share
            frames.append(tuple(sorted(have.items(), key=lambda kv: -kv[1])))
        return LineScores(tuple(frames))

    def best_path(self) -> tuple[str, float]:
        """The plain greedy reading and its mean character probability (what engines report)."""
        out: list[str] = []
        probs: list[float] = []
        prev = BLANK
        for frame in self.frames:
            ch, p = frame[0] if frame else (BLANK, 1.0)
            if ch != BLANK and ch != prev:
                out.append(ch)
                probs.append(p)
            prev = ch
        return "".join(out), (sum(probs) / len(probs) if probs else 0.0)


@dataclass(frozen=True)
class Grammar:
    """What a field's value may look like: `pattern` (a `regex` full match, tested on prefixes
    as they grow with partial matching) and an optional `check` on the whole text (a check
    digit)."""

    name: str
    pattern: str
    check: Callable[[str], bool] | None = None
    _compiled: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", regex.compile(self.pattern))

    def allows(self, prefix: str) -> bool:
        return _allows(self._compiled, prefix)

    def matches(self, text: str) -> bool:
        """The pattern alone (no check)."""
        return self._compiled.fullmatch(text) is not None  # type: ignore[attr-defined]

    def accepts(self, text: str) -> bool:
        if self._compiled.fullmatch(text) is None:  # type: ignore[attr-defined]
            return False
        return self.check is None or bool(self.check(text))


@lru_cache(maxsize=65536)
def _allows(compiled: object, prefix: str) -> bool:
    return compiled.fullmatch(prefix, partial=True) is not None  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Decoded:
    text: str
    log_prob: float  # of the reading, summed over every frame alignment the beam kept
    free_text: str  # the likeliest reading with no grammar
    free_log_prob: float
    confidence: float  # mean best probability of its characters, frames left to right (`char_confidence`)
    runner_up_log_prob: float | None = None  # the next reading the grammar accepts, if any

    @property
    def log_ratio(self) -> float:
        """How much less likely the constrained reading is than the free one (≤ 0 nats)."""
        return self.log_prob - self.free_log_prob


def decode(scores: LineScores, grammar: Grammar | None = None, beam: int = 24) -> Decoded | None:
    """The likeliest reading `grammar` accepts (and the likeliest with no grammar, to compare),
    or None when no reading in the beam is accepted."""
    free = _beam_search(scores, None, beam)
    if not free:
        return None
    free_text, free_lp = free[0]
    if grammar is None:
        return Decoded(free_text, free_lp, free_text, free_lp, char_confidence(scores, free_text))
    accepted = [(text, lp) for text, lp in _beam_search(scores, grammar, beam) if grammar.accepts(text)]
    if not accepted:
        return None
    text, lp = accepted[0]
    runner_up = accepted[1][1] if len(accepted) > 1 else None
    return Decoded(text, lp, free_text, free_lp, char_confidence(scores, text), runner_up)


def decode_fluent(scores: LineScores, bonus: Callable[[str, str], float], beam: int = 24) -> str:
    """The likeliest reading when each character is also weighed by how well it follows what
    came before: `bonus(prefix, ch)` is added to the log probability of every prefix grown by
    `ch`."""
    found = _beam_search(scores, None, beam, bonus)
    return found[0][0] if found else ""


def _beam_search(scores: LineScores, grammar: Grammar | None, beam: int,
                 bonus: Callable[[str, str], float] | None = None) -> list[tuple[str, float]]:
    """CTC prefix beam search: (prefix, log probability) best first. With a grammar, a prefix
    it does not allow is never grown; with a bonus, a grown prefix is weighed by it."""
    # prefix -> [p ending in blank, p ending in its last character], scaled per frame
    beams: dict[str, list[float]] = {"": [1.0, 0.0]}
    log_scale = 0.0
    for frame in scores.frames:
        nxt: dict[str, list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            last = prefix[-1] if prefix else None
            for ch, p in frame:
                if ch == BLANK:
                    _add(nxt, prefix, 0, total * p)
                    continue
                if ch == last:
                    _add(nxt, prefix, 1, pnb * p)  # the same character held over frames
                    grown, via = prefix + ch, pb * p  # a repeat needs a blank between
                else:
                    grown, via = prefix + ch, total * p
                if via > 0 and (grammar is None or grammar.allows(grown)):
                    if bonus is not None:
                        via *= math.exp(bonus(prefix, ch))
                    _add(nxt, grown, 1, via)
        if not nxt:
            return []
        kept = sorted(nxt.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)[:beam]
        top = kept[0][1][0] + kept[0][1][1]
        if top <= 0:
            return []
        log_scale += math.log(top)
        beams = {k: [v[0] / top, v[1] / top] for k, v in kept}
    ranked = sorted(beams.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
    return [(k, log_scale + math.log(v[0] + v[1])) for k, v in ranked if v[0] + v[1] > 0]


def _add(table: dict[str, list[float]], key: str, slot: int, p: float) -> None:
    entry = table.get(key)
    if entry is None:
        entry = table[key] = [0.0, 0.0]
    entry[slot] += p


def char_confidence(scores: LineScores, text: str) -> float:
    """Mean, over the characters of `text`, of the best probability a frame gives that
    character, frames taken left to right: a character's frames end where another non-blank
    character wins a frame after it was seen (so a later copy of it is not taken for it)."""
    if not text:
        return 0.0
    probs: list[float] = []
    t = 0
    n = len(scores.frames)
    for ch in text:
        best, where = 0.0, None
        for k in range(t, n):
            frame = scores.frames[k]
            p = dict(frame).get(ch, 0.0)
            if p > best:
                best, where = p, k
            top = frame[0][0] if frame else BLANK
            if best > 0 and top not in (BLANK, ch):
                break
        probs.append(best)
        if where is not None:
            t = where + 1
    return sum(probs) / len(probs)
