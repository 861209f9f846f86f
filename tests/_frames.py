"""CTC frame scores written by hand, for tests of decoding (`ctc`, `typed`, `fluent`), and an
engine that gives the real recogniser's readings with some lines' frames rewritten."""

from __future__ import annotations

import numpy as np

from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.ctc import LineScores
from shenbao.pipeline.types import TextLine


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


class RescoringEngine(OcrEngine):
    """The real recogniser, except that each line's frame scores pass through `rescore` (what
    a worn scan would have made of them)."""

    name = "rescoring"

    def __init__(self, real: OcrEngine) -> None:
        self.real = real

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        return self.real.recognize(image)

    def read_page(self, image: np.ndarray) -> PageOcr:
        return self.real.read_page(image)

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        return self.real.read_lines(rows)

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        return [self.rescore(scores) for scores in self.real.read_line_scores(rows)]

    def rescore(self, scores: LineScores) -> LineScores:
        raise NotImplementedError
