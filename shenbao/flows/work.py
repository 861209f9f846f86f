"""Task bodies that run on workers (a thread of the flow's process, or a Dask worker process).

Kept apart from the Prefect task objects in flows.py: a task function is shipped to Dask by value
(the module attribute of its name is the Task, not the function), and it must not drag along
module state such as the locks below; these plain functions travel by reference instead.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Generic, TypeVar

from shenbao.extractors.ocr.base import PageOcr
from shenbao.pipeline import review
from shenbao.pipeline.review import PacketContext
from shenbao.pipeline.types import Page

# One OCR call at a time per process: the engine already uses every intra-op thread it was given.
# pdfium (page rendering, PDF checks) must never run in two threads of one process at once.
ENGINE_LOCK = threading.Lock()
PDFIUM_LOCK = threading.Lock()

T = TypeVar("T")


class Box(Generic[T]):
    """An opaque wrapper for task arguments and results: Prefect walks dataclasses and lists it
    is given (looking for futures), which costs time on a packet's thousands of text-layer words,
    and its own `quote()` arrives as a bare tuple on a Dask worker."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __getstate__(self) -> T:
        return self.value

    def __setstate__(self, value: T) -> None:
        self.value = value


def ingest_packet(box: Box[PacketContext]) -> Box[PacketContext]:
    with PDFIUM_LOCK:
        review.run_stage(box.value, "ingest", review.stage_ingest)
    return box


def read_page(box: Box[Page], engine_name: str, ocr_cache: Path | None = None) -> PageOcr:
    """Read one scanned page. The engine is built on the first call in this process, then reused;
    with `ocr_cache`, what it reads is kept there (and replayed on a re-run)."""
    from shenbao.extractors.ocr import get_engine

    page = box.value
    with PDFIUM_LOCK:
        image = page.load_image() if page.load_image else None
    if image is None:
        raise ValueError(f"{page.source}: no image to read")
    engine = get_engine(engine_name)
    if ocr_cache is not None:
        from shenbao.pipeline.ocr_cache import CachedEngine

        engine = CachedEngine(engine, ocr_cache)
    with ENGINE_LOCK:
        page_ocr = engine.read_page(image)
    if not page_ocr.engine:
        page_ocr.engine = engine.name
    return page_ocr


def run_page_stage(box: Box[PacketContext], name: str) -> None:
    """Any stage of review.PAGE_STAGES, looked up by name when it runs."""
    review.run_stage(box.value, name, dict(review.PAGE_STAGES)[name])
