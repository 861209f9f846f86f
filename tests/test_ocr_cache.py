from __future__ import annotations

import numpy as np

from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.pipeline.ocr_cache import CachedEngine
from shenbao.pipeline.types import TextLine


class CountingEngine(OcrEngine):
    """Reads every image as one line naming its mean grey value; counts how often it ran."""

    name = "counting"

    def __init__(self, version: str = "counting-1") -> None:
        self.calls = 0
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        return [TextLine(f"灰度{int(image.mean())}", (1.0, 2.0, 30.0, 12.0), 0.9)]

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        self.calls += 1
        return [(f"行{int(r.mean())}", 0.8) for r in rows]

    def read_page(self, image: np.ndarray) -> PageOcr:
        self.calls += 1
        return PageOcr(
            self.recognize(image),
            width=image.shape[1],
            height=image.shape[0],
            rotation=180,
            skew=1.5,
            engine=self.name,
        )


def _image(value: int) -> np.ndarray:
    return np.full((40, 60, 3), value, dtype=np.uint8)


def test_second_read_of_the_same_page_comes_from_the_cache(tmp_path) -> None:
    inner = CountingEngine()
    engine = CachedEngine(inner, tmp_path)
    first = engine.read_page(_image(100))
    again = engine.read_page(_image(100))
    assert inner.calls == 1 and (engine.hits, engine.misses) == (1, 1)
    assert again.lines[0].text == first.lines[0].text == "灰度100"
    assert (again.rotation, again.skew, again.width, again.height) == (180, 1.5, 60, 40)
    engine.read_page(_image(101))  # different pixels: read afresh
    assert inner.calls == 2


def test_another_engine_version_does_not_reuse_entries(tmp_path) -> None:
    CachedEngine(CountingEngine("model-a"), tmp_path).read_page(_image(7))
    other = CountingEngine("model-b")
    CachedEngine(other, tmp_path).read_page(_image(7))
    assert other.calls == 1


def test_a_damaged_entry_is_read_again(tmp_path) -> None:
    inner = CountingEngine()
    engine = CachedEngine(inner, tmp_path)
    engine.read_page(_image(9))
    (entry,) = list(tmp_path.rglob("*.json"))
    entry.write_text("{not json", encoding="utf-8")
    assert engine.read_page(_image(9)).lines[0].text == "灰度9"
    assert inner.calls == 2


def test_text_rows_are_cached_as_one_batch(tmp_path) -> None:
    inner = CountingEngine()
    engine = CachedEngine(inner, tmp_path)
    rows = [_image(10), _image(20)]
    assert engine.read_lines(rows) == [("行10", 0.8), ("行20", 0.8)]
    assert engine.read_lines([_image(10), _image(20)]) == [("行10", 0.8), ("行20", 0.8)]
    assert inner.calls == 1
    engine.read_lines([_image(20), _image(10)])  # another batch (order matters): read afresh
    assert inner.calls == 2
