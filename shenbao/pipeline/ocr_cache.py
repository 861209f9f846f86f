"""An OCR engine wrapper that keeps what it read on disk, keyed by the page image and the engine.

Re-running a batch over unchanged packets (a reviewer asks for a fresh report, a rule pack is
updated) then costs no OCR at all. The key is the exact pixel content plus the engine's version,
so a different model, or a page rendered differently, is read afresh rather than replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.ctc import LineScores
from shenbao.extractors.ocr.recorded import (
    image_key,
    page_from_json,
    page_to_json,
    rows_key,
    rows_read_from_json,
    rows_read_to_json,
    scores_from_json,
    scores_key,
    scores_to_json,
)
from shenbao.pipeline.types import TextLine

T = TypeVar("T")


class CachedEngine(OcrEngine):
    def __init__(self, inner: OcrEngine, directory: Path) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = inner.name
        self.hits = 0
        self.misses = 0

    @property
    def version(self) -> str:
        return self.inner.version

    def _path(self, image: np.ndarray | str) -> Path:
        engine = hashlib.sha1(self.inner.version.encode()).hexdigest()[:12]
        key = image if isinstance(image, str) else image_key(image)
        return self.directory / engine / f"{key}.json"

    def _load(self, path: Path) -> object | None:
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return None  # a damaged cache entry is read again, not trusted

    def _store(self, path: Path, data: object) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        return self.inner.recognize(image)

    def read_page(self, image: np.ndarray) -> PageOcr:
        return self._replayed_or_read(self._path(image), page_from_json, lambda: self.inner.read_page(image),
                                      page_to_json)

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        return self._replayed_or_read(self._path(rows_key(rows)), _per_row(len(rows), rows_read_from_json),
                                      lambda: self.inner.read_lines(rows), rows_read_to_json)

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        return self._replayed_or_read(self._path(scores_key(rows)), _per_row(len(rows), scores_from_json),
                                      lambda: self.inner.read_line_scores(rows), scores_to_json)

    def _replayed_or_read(self, path: Path, parse: Callable[[Any], T], read: Callable[[], T],
                          dump: Callable[[T], object]) -> T:
        """What the cache holds at `path`, or else what `read` gives (then kept there)."""
        data = self._load(path)
        if data is not None:
            try:
                cached = parse(data)
            except (KeyError, TypeError, ValueError):
                cached = None  # a damaged entry is read again, not trusted
            if cached is not None:
                self.hits += 1
                return cached
        self.misses += 1
        result = read()
        self._store(path, dump(result))
        return result


def _per_row(count: int, parse: Callable[[list[Any]], T]) -> Callable[[Any], T]:
    """A parser of what was kept for a batch of `count` rows: one entry per row, or it is not
    this batch's (a damaged entry is read again)."""
    def checked(data: Any) -> T:
        if not isinstance(data, list) or len(data) != count:
            raise ValueError("not what was read of these rows")
        return parse(data)
    return checked
