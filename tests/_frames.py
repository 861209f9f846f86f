"""CTC frame scores written by hand, for tests of decoding (`ctc`, `typed`, `fluent`)."""

from __future__ import annotations

from shenbao.extractors.ocr.ctc import LineScores


def frames(*probs: dict[str, float]) -> LineScores:
    """Frames from {character: probability}; "" is the blank."""
    return LineScores(tuple(tuple(sorted(f.items(), key=lambda kv: -kv[1])) for f in probs))


def word(text: str, alternatives: dict[int, dict[str, float]] | None = None) -> LineScores:
    """One sure frame per character with a blank frame after each (so repeats stay apart);
    `alternatives[i]` replaces character i's frame."""
    out = []
    for i, ch in enumerate(text):
        out.append((alternatives or {}).get(i, {ch: 0.99, "": 0.01}))
        out.append({"": 0.99, ch: 0.01})
    return frames(*out)
