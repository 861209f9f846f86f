"""Page pictures for the report: thumbnails, page previews and crops with the read box drawn.

Every picture is returned as a `data:` URI so a report is one self-contained HTML file. The
caller first lists what it wants (`ImageRequest`s); `make_images` then renders each page once,
cuts everything asked of it and lets the page image go, so memory stays at one page however
long the packet is.

Coordinates: requests carry boxes in *page units* (PDF points for a text-layer page, pixels of
the upright page image for a scan), the units the readers work in. Result bboxes are in result
units; divide by `Page.unit_scale` first (`result_box_to_page`).
"""

from __future__ import annotations

import base64
import io
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from shenbao.pipeline.types import BBox, Packet, Page, PageKind

log = logging.getLogger(__name__)

# Text-layer pages have no image: they are rendered from the PDF at this resolution. 120 dpi
# keeps 7-pt table text (汇总表) legible in a crop at ~2 ms per A4 page more than 100 dpi would.
TEXT_PAGE_DPI = 120
# Scans are decoded at 200 dpi (A4: 2339 px) and used as they are; only larger images (phone
# photos) are first reduced to this long side, cheaply (box reduction), before anything is cut.
WORK_LONG_SIDE = 2400
THUMB_LONG_SIDE = 200
PREVIEW_LONG_SIDE = 460
CROP_MAX_WIDTH = 620
CROP_MAX_HEIGHT = 300
JPEG_QUALITY = 72
BOX_COLOUR = (220, 38, 38)


@dataclass(frozen=True)
class ImageRequest:
    """One picture of one page: the whole page (bbox None) at `long_side`, or a crop around
    `bbox` (page units) with the box drawn."""

    page: int
    bbox: BBox | None = None
    long_side: int = THUMB_LONG_SIDE


def result_box_to_page(bbox: Iterable[float] | None, page: Page) -> BBox | None:
    """A result bbox (result units) in the page's own units."""
    if bbox is None:
        return None
    values = [float(v) for v in bbox]
    if len(values) != 4 or not all(np.isfinite(values)):
        return None
    scale = page.unit_scale or 1.0
    x0, y0, x1, y1 = (v / scale for v in values)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def union_box(boxes: Iterable[BBox]) -> BBox | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def make_images(packet: Packet | None, requests: Iterable[ImageRequest]) -> dict[ImageRequest, str | None]:
    """Data URI per request; None where the page cannot be drawn (the report then says so)."""
    wanted: dict[int, list[ImageRequest]] = {}
    for req in requests:
        wanted.setdefault(req.page, []).append(req)
    out: dict[ImageRequest, str | None] = {}
    pages = {p.number: p for p in packet.pages} if packet else {}
    for number, reqs in sorted(wanted.items()):
        page = pages.get(number)
        image = _page_image(packet, page) if (packet and page) else None
        for req in dict.fromkeys(reqs):
            if image is None or page is None:
                out[req] = None
                continue
            try:
                out[req] = _draw(image, page, req)
            except Exception:  # a degenerate box must not cost the report
                log.exception("cannot draw %s", req)
                out[req] = None
    return out


# --- rendering ------------------------------------------------------------------------------


def _page_image(packet: Packet, page: Page) -> Image.Image | None:
    try:
        if page.kind is PageKind.SCAN and page.load_image is not None:
            arr = page.load_image()
        elif page.kind is PageKind.TEXT:
            arr = _render_text_page(packet, page)
        else:
            return None
        if arr is None:
            return None
        image = Image.fromarray(np.asarray(arr, dtype=np.uint8)).convert("RGB")
    except Exception:
        log.exception("cannot render %s for the report", page.source)
        return None
    if max(image.size) > WORK_LONG_SIDE:
        image = _fit(image, WORK_LONG_SIDE, WORK_LONG_SIDE, Image.Resampling.BILINEAR)
    return image


def _render_text_page(packet: Packet, page: Page) -> np.ndarray | None:
    """Render a text-layer page from its PDF: the page only knows its source label
    ("a.pdf p.3", "folder/a.pdf p.3", "a.zip:dir/a.pdf p.3"), so find the bytes again from it."""
    from shenbao.pipeline.pdfdoc import render_page

    found = _pdf_blob_for(packet, page)
    if found is None:
        return None
    blob, index = found
    return render_page(blob, index, packet.path, dpi=TEXT_PAGE_DPI)


def _pdf_blob_for(packet: Packet, page: Page):
    from shenbao.pipeline.sources import Blob

    label, sep, number = page.source.rpartition(" p.")
    if not sep or not number.isdigit():
        return None
    index = int(number) - 1
    path = packet.path
    if path.is_file() and zipfile.is_zipfile(path) and label.startswith(f"{path.name}:"):
        member = _zip_member(path, label[len(path.name) + 1 :])
        return (Blob(label, path, member=member), index) if member else None
    if path.is_file():
        return Blob(label, path), index
    if path.is_dir():
        rel = label[len(path.name) + 1 :] if label.startswith(f"{path.name}/") else label
        candidate = (path / rel).resolve()
        # The label comes from ingest, but never read outside the packet folder on its word.
        if path.resolve() in candidate.parents and candidate.is_file():
            return Blob(label, candidate), index
    return None


def _zip_member(path: Path, name: str) -> str | None:
    from shenbao.pipeline.archive import vet_zip
    from shenbao.pipeline.limits import IngestLimits

    with zipfile.ZipFile(path) as zf:
        for member in vet_zip(path, zf, IngestLimits()):
            if member.name == name:
                return member.info.filename
    return None


# --- drawing --------------------------------------------------------------------------------


def _draw(image: Image.Image, page: Page, req: ImageRequest) -> str:
    text_like = page.kind is PageKind.TEXT
    if req.bbox is None:
        pic = _fit(image, req.long_side, req.long_side)
        return _encode(pic, text_like)
    sx = image.width / page.width if page.width else 1.0
    sy = image.height / page.height if page.height else sx
    x0, y0, x1, y1 = req.bbox
    box = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
    # Context a reviewer needs to judge the value: the label usually sits to the left of the
    # value cell, the row above/below shows which part of the form this is.
    left = box[0] - max(0.20 * image.width, 0.4 * (box[2] - box[0]))
    right = box[2] + 0.04 * image.width
    top = box[1] - max(0.03 * image.height, 0.4 * (box[3] - box[1]))
    bottom = box[3] + max(0.03 * image.height, 0.4 * (box[3] - box[1]))
    left, top, right, bottom = _snap_to_lines((left, top, right, bottom), box, page, sx, sy, image.width)
    region = (
        int(max(0, left)),
        int(max(0, top)),
        int(min(image.width, right)),
        int(min(image.height, bottom)),
    )
    if region[2] - region[0] < 4 or region[3] - region[1] < 4:
        raise ValueError(f"box {req.bbox} lies outside page {page.number}")
    pic = image.crop(region)
    draw = ImageDraw.Draw(pic)
    width = max(2, round(min(pic.size) / 90))
    draw.rectangle(
        (
            box[0] - region[0] - width,
            box[1] - region[1] - width,
            box[2] - region[0] + width,
            box[3] - region[1] + width,
        ),
        outline=BOX_COLOUR,
        width=width,
    )
    pic = _fit(pic, CROP_MAX_WIDTH, CROP_MAX_HEIGHT)
    return _encode(pic, text_like)


def _fit(
    image: Image.Image, max_w: int, max_h: int, resample: Image.Resampling = Image.Resampling.LANCZOS
) -> Image.Image:
    """A new image no larger than max_w x max_h, aspect kept. `reducing_gap` box-reduces first,
    so a 200-dpi page becomes a thumbnail in a few ms instead of a full LANCZOS pass."""
    scale = min(max_w / image.width, max_h / image.height, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size == image.size:
        return image
    return image.resize(size, resample, reducing_gap=2.0)


def _snap_to_lines(
    region: tuple[float, float, float, float],
    box: tuple[float, float, float, float],
    page: Page,
    sx: float,
    sy: float,
    page_px: int,
) -> tuple[float, float, float, float]:
    """Move crop edges so they cut through no text line: a side edge moves out to take a line
    whole when that stays within reach, else the line is left out (the top or bottom edge moves
    past a line above or below the box; the side edge moves in past one level with it). Half a
    character or half a number next to the value would only mislead."""
    left, top, right, bottom = region
    pad = 0.004 * page_px
    min_left, max_right = left - 0.12 * page_px, right + 0.12 * page_px
    lines = [(ln.bbox[0] * sx, ln.bbox[1] * sy, ln.bbox[2] * sx, ln.bbox[3] * sy) for ln in page.lines]

    def cuts(edge: float, a: float, b: float) -> bool:
        return a - pad < edge < b + pad

    for _ in range(4):  # a moved edge may cut the next line along; settle in a few rounds
        before = (left, top, right, bottom)
        for lx0, ly0, lx1, ly1 in lines:
            if ly1 <= top or ly0 >= bottom:
                continue
            for side in ("left", "right"):
                edge = left if side == "left" else right
                if not cuts(edge, lx0, lx1) or (lx0 >= box[0] and lx1 <= box[2]):
                    continue
                if side == "left" and lx0 - pad >= min_left:
                    left = lx0 - pad
                elif side == "right" and lx1 + pad <= max_right:
                    right = lx1 + pad
                elif ly1 <= box[1]:
                    top = max(top, ly1 + pad)
                elif ly0 >= box[3]:
                    bottom = min(bottom, ly0 - pad)
                elif side == "left" and lx1 + pad <= box[0]:
                    left = lx1 + pad
                elif side == "right" and lx0 - pad >= box[2]:
                    right = lx0 - pad
        for lx0, ly0, lx1, ly1 in lines:
            if lx1 <= left or lx0 >= right:
                continue
            if cuts(top, ly0, ly1) and ly1 <= box[1] + pad:
                top = ly0 - pad
            if cuts(bottom, ly0, ly1) and ly0 >= box[3] - pad:
                bottom = ly1 + pad
        if (left, top, right, bottom) == before:
            break
    return left, top, right, bottom


def _encode(pic: Image.Image, text_like: bool) -> str:
    """Rendered text pages compress best as a small-palette PNG (sharp glyphs, flat paper);
    photos and scans as JPEG."""
    buf = io.BytesIO()
    if text_like:
        pic.quantize(colors=48, method=Image.Quantize.MEDIANCUT).save(buf, "PNG", optimize=True)
        mime = "image/png"
    else:
        pic.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
        mime = "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"
