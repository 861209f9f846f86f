"""OCR engines behind one small interface.

    engine = get_engine()              # the default engine (rapidocr; $SHENBAO_OCR_ENGINE overrides)
    page = engine.read_page(rgb)       # orientation + deskew + lines in corrected-image pixels

Engines are built once per process and reused for every page (model loading takes seconds).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shenbao.extractors.ocr.base import OcrEngine, PageOcr

# rapidocr: on the bench (docs/BENCHMARKS.md, "OCR engines") it reads exactly as accurately as
# paddleocr and as fast within noise, loads in half the time and needs no assembled model folders.
DEFAULT_ENGINE = "rapidocr"
ENV_ENGINE = "SHENBAO_OCR_ENGINE"
ENGINE_NAMES = ("rapidocr", "paddleocr", "recorded")

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINE_NAMES",
    "OcrEngine",
    "PageOcr",
    "clear_engine_cache",
    "get_engine",
]


def _build_rapidocr(**options: Any) -> OcrEngine:
    from shenbao.extractors.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine(**options)


def _build_paddleocr(**options: Any) -> OcrEngine:
    from shenbao.extractors.ocr.paddle import PaddleOcrEngine

    return PaddleOcrEngine(**options)


def _build_recorded(**options: Any) -> OcrEngine:
    from shenbao.extractors.ocr.recorded import RecordedEngine

    return RecordedEngine(**options)


_BUILDERS: dict[str, Callable[..., OcrEngine]] = {
    "rapidocr": _build_rapidocr,
    "paddleocr": _build_paddleocr,
    "recorded": _build_recorded,
}

_cache: dict[tuple, OcrEngine] = {}
_cache_lock = threading.Lock()


def _resolve_name(name: str) -> str:
    key = (name or "default").strip().lower()
    if key == "default":
        key = os.environ.get(ENV_ENGINE, "").strip().lower() or DEFAULT_ENGINE
        if key == "default":
            key = DEFAULT_ENGINE
    if key not in _BUILDERS:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINE_NAMES)} or 'default'")
    return key


def _freeze(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def get_engine(name: str = "default", **options: Any) -> OcrEngine:
    """The engine `name` ("rapidocr", "paddleocr", "recorded" or "default") built with `options`,
    created on first use in this process and reused afterwards. Options: threads (intra-op threads,
    default 2 or $SHENBAO_OCR_THREADS); paddleocr: det_model_dir, rec_model_dir, model_cache_dir;
    rapidocr: det_model_path, rec_model_path; recorded: dir (or $SHENBAO_OCR_RECORDINGS).

    The cache is keyed by process id too: a worker forked from a process that already held an
    engine builds its own (ONNX Runtime sessions do not survive fork)."""
    key_name = _resolve_name(name)
    if key_name == "recorded":
        options.pop("threads", None)  # replay has nothing to thread; callers may pass it generically
    key = (os.getpid(), key_name, _freeze(options))
    engine = _cache.get(key)
    if engine is not None:
        return engine
    with _cache_lock:
        engine = _cache.get(key)
        if engine is None:
            engine = _BUILDERS[key_name](**options)
            _cache[key] = engine
    return engine


def clear_engine_cache() -> None:
    """Forget built engines (tests; or to free their memory)."""
    with _cache_lock:
        _cache.clear()
