"""The one interface every OCR engine offers, so stages and tests do not care which one runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from shenbao.extractors.ocr.ctc import LineScores
from shenbao.pipeline.types import TextLine


@dataclass
class PageOcr:
    """What reading one page image gave: lines in the coordinates of the corrected image."""

    lines: list[TextLine]
    width: int
    height: int
    rotation: int = 0  # 0/90/180/270: how far the input was turned (counter-clockwise) to read upright
    skew: float = 0.0  # small angle (degrees) the input was turned after that
    engine: str = ""
    timings: dict[str, float] = field(default_factory=dict)


class OcrEngine(ABC):
    """image -> text lines (box, polygon, text, confidence); plus page orientation and deskew."""

    name: str = "abstract"

    @property
    def version(self) -> str:
        """Engine and model identity, written to the audit trail."""
        return self.name

    @abstractmethod
    def recognize(self, image: np.ndarray) -> list[TextLine]:
        """Detect and recognise every text line of an RGB uint8 image, as it is (no rotation)."""

    @abstractmethod
    def read_page(self, image: np.ndarray) -> PageOcr:
        """Read a page: find its orientation (0/90/180/270) and small skew, correct, recognise."""

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise images that each hold one upright text row (RGB uint8), without detection:
        (text, confidence) per image, same order. Engines without a bare recogniser raise
        NotImplementedError, and callers keep what full-page reading gave."""
        raise NotImplementedError(f"{self.name} cannot recognise bare text rows")

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        """Like `read_lines`, but what the recogniser saw frame by frame (CTC candidates), so a
        caller can decode a row again under a field's grammar (`ctc.decode`). Engines without
        frame scores raise NotImplementedError."""
        raise NotImplementedError(f"{self.name} cannot give frame scores of text rows")
