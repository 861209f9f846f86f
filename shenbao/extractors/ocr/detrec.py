"""Shared base for engines built from a text detector and a line recogniser.

Each engine only supplies `detect` and `recognize_crops`; page handling (shrinking, cropping,
orientation, deskew, reading order, score filter) is the same code for all of them, so a
difference between engines is a difference between their models and pre/post-processing only.
"""

from __future__ import annotations

import os
import threading
from abc import abstractmethod

import cv2
import numpy as np

from shenbao.extractors.ocr import orientation
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.ctc import LineScores
from shenbao.extractors.ocr.geometry import as_rgb
from shenbao.pipeline.types import TextLine

DEFAULT_THREADS = 2
DEFAULT_MAX_SIDE_LEN = 2000  # rapidocr's Global.max_side_len: a 200 dpi A4 page is read at ~170 dpi
DEFAULT_MIN_SCORE = 0.5  # rapidocr's Global.text_score
# Part of every engine's `version`: bump when page handling (orientation, deskew, crops, order)
# changes what a page reads as, so caches keyed by the version are not reused.
PAGE_HANDLING = "page-handling 3"


def threads_option(threads: int | None) -> int:
    """Intra-op threads: the argument, else $SHENBAO_OCR_THREADS, else 2."""
    if threads is None:
        env = os.environ.get("SHENBAO_OCR_THREADS", "").strip()
        threads = int(env) if env else DEFAULT_THREADS
    threads = int(threads)
    if threads < 1:
        raise ValueError(f"OCR threads must be >= 1, got {threads}")
    return threads


class DetRecEngine(OcrEngine):
    """OcrEngine on top of `detect(bgr) -> quads` and `recognize_crops(crops) -> [(text, score)]`."""

    name = "detrec"

    def __init__(
        self, max_side_len: int = DEFAULT_MAX_SIDE_LEN, min_score: float = DEFAULT_MIN_SCORE
    ) -> None:
        self.max_side_len = int(max_side_len)
        self.min_score = float(min_score)
        # ONNX sessions may be shared by threads of one worker; one page at a time per engine.
        self._lock = threading.RLock()

    @abstractmethod
    def detect(self, bgr: np.ndarray) -> np.ndarray:
        """(N, 4, 2) float32 quads, clockwise from top-left, in `bgr`'s pixels."""

    @abstractmethod
    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) per BGR line crop, same order."""

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        crops = [cv2.cvtColor(as_rgb(r), cv2.COLOR_RGB2BGR) for r in rows]
        with self._lock:
            return self.recognize_crops(crops)

    def recognize_scores(self, crops: list[np.ndarray]) -> list[LineScores]:
        """Frame scores per BGR line crop; engines whose recogniser hides them raise
        NotImplementedError."""
        raise NotImplementedError(f"{self.name} cannot give frame scores of text rows")

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        crops = [cv2.cvtColor(as_rgb(r), cv2.COLOR_RGB2BGR) for r in rows]
        with self._lock:
            return self.recognize_scores(crops)

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        with self._lock:
            return orientation.read_page(self, image, orient=False, straighten=False).lines

    def read_page(self, image: np.ndarray) -> PageOcr:
        with self._lock:
            return orientation.read_page(self, image)
