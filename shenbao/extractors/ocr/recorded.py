"""Replay of saved OCR output, so tests of later stages run in milliseconds without a model.

A recording directory holds one JSON file per input image, named by `image_key(image)`:

    {"key": "...", "shape": [h, w, c], "read_page": {PageOcr}, "recognize": [TextLine, ...]}

and one per batch of text-row images given to `read_lines`, named by `rows_key(rows)`:
{"key": "...", "read_lines": [[text, confidence], ...]}.

Either section may be absent (only the calls that were made are recorded). `RecordingEngine(inner,
dir)` runs a real engine and writes what it read; `RecordedEngine(dir)` replays it and raises
`MissingRecording` (naming the key) for an image it has no recording of, never an empty page.

Key: SHA-1 of the exact pixel array (shape, dtype and bytes, after the same gray/RGBA -> RGB
conversion the engines apply). Exact rather than perceptual, because what is replayed must be what
the engine would read: a page re-rendered differently (another pypdfium2/Pillow build, another dpi)
may OCR differently, and then the recording should be made again rather than silently reused.
With pinned pypdfium2/Pillow, rendering and PNG/JPEG decoding are deterministic, so a test that
builds its image the same way always finds its recording.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.ctc import SCORES_FORMAT, LineScores
from shenbao.extractors.ocr.geometry import as_rgb
from shenbao.pipeline.types import TextLine

ENV_RECORDINGS = "SHENBAO_OCR_RECORDINGS"
FORMAT_VERSION = 1


class MissingRecording(LookupError):
    """No recording for this image (or for this call on it)."""

    def __init__(self, key: str, directory: Path, call: str) -> None:
        super().__init__(
            f"no recorded OCR {call} for image {key} in {directory}: record it with "
            f"RecordingEngine(get_engine('rapidocr'), {str(directory)!r})"
        )
        self.key = key
        self.directory = directory
        self.call = call


def image_key(image: np.ndarray) -> str:
    rgb = as_rgb(image)
    h = hashlib.sha1()
    h.update(f"{rgb.shape}|{rgb.dtype}|".encode())
    h.update(rgb.tobytes())
    return h.hexdigest()


def rows_key(rows: list[np.ndarray]) -> str:
    """One key for a batch of text-row images (`read_lines` is called a cell page at a time)."""
    h = hashlib.sha1(b"read_lines|")
    for row in rows:
        h.update(image_key(row).encode())
    return h.hexdigest()


def scores_key(rows: list[np.ndarray]) -> str:
    """Key of the frame scores of a batch of rows (`read_line_scores`), apart from `rows_key`
    and from scores kept with other settings (`ctc.SCORES_FORMAT`)."""
    return f"scores-{SCORES_FORMAT}-" + rows_key(rows)


def scores_to_json(scores: list[LineScores]) -> list[Any]:
    return [s.to_json() for s in scores]


def scores_from_json(data: list[Any]) -> list[LineScores]:
    return [LineScores.from_json(x) for x in data]


def rows_read_to_json(read: list[tuple[str, float]]) -> list[list[Any]]:
    """What `read_lines` returned, as stored by recordings and the OCR cache."""
    return [[text, round(float(confidence), 5)] for text, confidence in read]


def rows_read_from_json(data: list[list[Any]]) -> list[tuple[str, float]]:
    return [(str(text), float(confidence)) for text, confidence in data]


def line_to_json(line: TextLine) -> dict[str, Any]:
    return {
        "text": line.text,
        "bbox": [round(v, 2) for v in line.bbox],
        "confidence": round(float(line.confidence), 5),
        "polygon": None if line.polygon is None else [[round(x, 2), round(y, 2)] for x, y in line.polygon],
    }


def line_from_json(data: dict[str, Any]) -> TextLine:
    x0, y0, x1, y1 = (float(v) for v in data["bbox"])
    polygon = data.get("polygon")
    return TextLine(
        text=str(data["text"]),
        bbox=(x0, y0, x1, y1),
        confidence=float(data.get("confidence", 1.0)),
        polygon=None if polygon is None else [(float(x), float(y)) for x, y in polygon],
    )


def page_to_json(page: PageOcr) -> dict[str, Any]:
    return {
        "engine": page.engine,
        "width": page.width,
        "height": page.height,
        "rotation": page.rotation,
        "skew": page.skew,
        "timings": {k: round(v, 4) for k, v in page.timings.items()},
        "lines": [line_to_json(line) for line in page.lines],
    }


def page_from_json(data: dict[str, Any]) -> PageOcr:
    return PageOcr(
        lines=[line_from_json(x) for x in data["lines"]],
        width=int(data["width"]),
        height=int(data["height"]),
        rotation=int(data.get("rotation", 0)),
        skew=float(data.get("skew", 0.0)),
        engine=str(data.get("engine", "")),
        timings={k: float(v) for k, v in data.get("timings", {}).items()},
    )


def _recordings_dir(directory: str | Path | None) -> Path:
    if directory is None:
        env = os.environ.get(ENV_RECORDINGS)
        if not env:
            raise ValueError(
                f"the recorded OCR engine needs a directory (option dir=... or ${ENV_RECORDINGS})"
            )
        directory = env
    return Path(directory)


class RecordedEngine(OcrEngine):
    """Replays recordings; never runs a model."""

    name = "recorded"

    def __init__(self, dir: str | Path | None = None) -> None:
        self.directory = _recordings_dir(dir)
        if not self.directory.is_dir():
            raise FileNotFoundError(f"OCR recordings directory not found: {self.directory}")

    @property
    def version(self) -> str:
        return f"recorded {self.directory}"

    def _load(self, image: np.ndarray | str, call: str) -> Any:
        key = image if isinstance(image, str) else image_key(image)
        path = self.directory / f"{key}.json"
        if not path.is_file():
            raise MissingRecording(key, self.directory, call)
        data = json.loads(path.read_text(encoding="utf-8"))
        if call not in data:
            raise MissingRecording(key, self.directory, call)
        return data[call]

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        return [line_from_json(x) for x in self._load(image, "recognize")]

    def read_page(self, image: np.ndarray) -> PageOcr:
        return page_from_json(self._load(image, "read_page"))

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        return rows_read_from_json(self._load(rows_key(rows), "read_lines"))

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        return scores_from_json(self._load(scores_key(rows), "read_line_scores"))


class RecordingEngine(OcrEngine):
    """Runs `inner` and saves each result under the image's key (merging with what is there)."""

    def __init__(self, inner: OcrEngine, dir: str | Path) -> None:
        self.inner = inner
        self.directory = Path(dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = inner.name

    @property
    def version(self) -> str:
        return self.inner.version

    def _save(self, image: np.ndarray | str, call: str, payload: Any) -> None:
        if isinstance(image, str):  # a key made by the caller (a batch of rows)
            key, shape = image, []
        else:
            rgb = as_rgb(image)
            key, shape = image_key(rgb), list(rgb.shape)
        path = self.directory / f"{key}.json"
        data: dict[str, Any] = {}
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
        data.update(
            {"format": FORMAT_VERSION, "key": key, "shape": shape, "engine": self.inner.version}
        )
        data[call] = payload
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        lines = self.inner.recognize(image)
        self._save(image, "recognize", [line_to_json(x) for x in lines])
        return lines

    def read_page(self, image: np.ndarray) -> PageOcr:
        page = self.inner.read_page(image)
        self._save(image, "read_page", page_to_json(page))
        return page

    def read_lines(self, rows: list[np.ndarray]) -> list[tuple[str, float]]:
        read = self.inner.read_lines(rows)
        self._save(rows_key(rows), "read_lines", rows_read_to_json(read))
        return read

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        scores = self.inner.read_line_scores(rows)
        self._save(scores_key(rows), "read_line_scores", scores_to_json(scores))
        return scores
