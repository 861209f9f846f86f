"""What the stages pass to each other: a packet, its pages, and the text found on them.

Coordinates inside a page are in that page's own units: PDF points for a text-layer page,
pixels of the (orientation-corrected) page image for a scanned page. `Page.unit_scale` turns
them into the packet's result units (see `shenbao.models.Units`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

BBox = tuple[float, float, float, float]  # x0, y0, x1, y1; y grows downwards


class PageKind(StrEnum):
    TEXT = "text"  # read from the PDF's text layer, never OCR'd
    SCAN = "scan"  # an image: rendered PDF page or a photo/scan file


class PacketFormat(StrEnum):
    TEXT_PDF = "text_pdf"
    SCAN_PDF = "scan_pdf"
    MIXED_PDF = "mixed_pdf"
    IMAGE_FOLDER = "image_folder"
    ZIP = "zip"
    IMAGE = "image"


@dataclass
class TextLine:
    """A run of text on a page: an OCR line, or a word/line of a PDF text layer."""

    text: str
    bbox: BBox
    confidence: float = 1.0
    polygon: list[tuple[float, float]] | None = None

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


@dataclass
class Ruling:
    """A drawn line segment (table rule) on a page, in page units."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def is_horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


ImageLoader = Callable[[], np.ndarray]  # returns an RGB uint8 array (H, W, 3)


@dataclass
class Page:
    number: int  # 1-based, in packet order
    kind: PageKind
    source: str  # human-readable origin for messages: "a.pdf p.3", "scans/004.jpg"
    width: float
    height: float
    unit_scale: float = 1.0  # page units -> result units
    lines: list[TextLine] = field(default_factory=list)
    rulings: list[Ruling] = field(default_factory=list)
    load_image: ImageLoader | None = None  # None for text-layer pages that need no image
    rotation: int = 0  # degrees the page image was turned to read upright (0/90/180/270)
    skew: float = 0.0  # small-angle correction applied, degrees
    ocr_engine: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Packet:
    packet_id: str
    path: Path
    format: PacketFormat
    sha256: str
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class IngestError(Exception):
    """The input cannot be read as a packet. `reason` is a short machine tag, `detail` says why."""

    def __init__(self, path: Path, reason: str, detail: str) -> None:
        super().__init__(f"{path.name}: {detail}")
        self.path = path
        self.reason = reason
        self.detail = detail
