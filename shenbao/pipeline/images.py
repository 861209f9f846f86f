"""Page images (photos, scans, TIFF frames): header checks at ingest, RGB decoding on demand.

Nothing here keeps pixels: `image_pages` decodes each frame once to prove it is readable, then
throws the pixels away; `Page.load_image` decodes again when a later stage asks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from shenbao.pipeline.ingest_errors import ingest_error, too_many_pages
from shenbao.pipeline.limits import RENDER_DPI, IngestLimits
from shenbao.pipeline.sources import Blob
from shenbao.pipeline.types import IngestError, Page, PageKind

# Pillow's own decompression-bomb guard defaults to ~89 MP (warning) / ~179 MP (error). Align its
# warning threshold with our limit so that everything below the limit opens quietly and everything
# above is refused by our header check (or, far above, by Pillow's error, which we translate).
Image.MAX_IMAGE_PIXELS = IngestLimits().max_image_pixels

A4_LONG_SIDE_IN = 11.69
_DPI_RANGE = (72.0, 1200.0)
# A document page photographed or scanned is between an ID card (3.4 in) and A3 (16.5 in) long;
# metadata implying far more is a camera default (72 dpi on a 4000 px photo), not a scan setting.
_LONG_SIDE_IN_RANGE = (2.0, 20.0)
_ORIENTATION_TAG = 0x0112
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
# Only TIFF stores document pages as frames; extra frames of GIF/WebP/MPO are animation or previews.
_MULTIPAGE_FORMATS = {"TIFF"}
# A page image smaller than an A4 page at 150 dpi is enlarged to READ_LONG_SIDE before anything
# reads it: the text detector misses whole lines of small print at 120 dpi (an ID card's number)
# that it finds at ~170 dpi. (Scanned PDFs are rendered at 200 dpi anyway.) Images under
# MIN_PAGE_LONG_SIDE are no page scans (a thumbnail, a logo) and are left as they are.
MIN_READ_LONG_SIDE = 1754
READ_LONG_SIDE = 2000
MIN_PAGE_LONG_SIDE = 1000


def read_scale(width: int, height: int) -> float:
    """How much a page image of this size is enlarged before it is read (1.0: not at all)."""
    long_side = max(width, height)
    return READ_LONG_SIDE / long_side if MIN_PAGE_LONG_SIDE <= long_side < MIN_READ_LONG_SIDE else 1.0


@dataclass(frozen=True)
class ImageFrame:
    index: int  # frame number inside the file (0 for single-frame images)
    width: int  # upright size, after EXIF orientation
    height: int
    dpi: float | None  # from metadata when plausible, else None


def image_unit_scale(width: int, height: int, dpi: float | None) -> float:
    """Image pixels -> px@200dpi. Without trustworthy DPI, assume the page is A4."""
    if dpi is None:
        dpi = max(width, height) / A4_LONG_SIDE_IN
    return RENDER_DPI / dpi


def probe_image(
    blob: Blob, input_path: Path, limits: IngestLimits, pages_before: int = 0, verify: bool = True
) -> list[ImageFrame]:
    """Frames of an image file with their upright sizes; raises IngestError for oversized or
    undecodable images. Sizes come from headers, checked before any pixel is decoded;
    `verify` also decodes each frame once (then drops the pixels) to catch truncated data."""
    frames: list[ImageFrame] = []
    try:
        with _open(blob, input_path) as img:
            fmt = img.format or ""
            n_frames = getattr(img, "n_frames", 1) if fmt in _MULTIPAGE_FORMATS else 1
            if pages_before + n_frames > limits.max_pages:
                raise too_many_pages(input_path, pages_before + n_frames, limits.max_pages)
            for index in range(n_frames):
                if index:
                    img.seek(index)
                w, h = img.size
                if w <= 0 or h <= 0:
                    raise ingest_error(
                        input_path, "corrupt_image", "图像尺寸无效", "image has no size", blob.label
                    )
                if w * h > limits.max_image_pixels:
                    raise _too_large(input_path, blob.label, w, h, limits)
                if _orientation(img) in _SWAPPING_ORIENTATIONS:
                    w, h = h, w
                if verify:
                    _decode_cheaply(img)
                frames.append(ImageFrame(index, w, h, _plausible_dpi(img, w, h)))
    except IngestError:
        raise
    except Image.DecompressionBombError as exc:
        raise ingest_error(
            input_path,
            "image_too_large",
            "图像像素过多，拒绝解码",
            f"image too large to decode ({exc})",
            blob.label,
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, UnidentifiedImageError, MemoryError) as exc:
        raise ingest_error(
            input_path,
            "corrupt_image",
            "图像文件损坏或无法读取",
            f"image is corrupt or unreadable ({exc})",
            blob.label,
        ) from exc
    return frames


def load_frame(blob: Blob, frame: int, input_path: Path, scale: float = 1.0) -> np.ndarray:
    """The frame as an upright RGB uint8 array (H, W, 3), enlarged by `scale`."""
    try:
        with _open(blob, input_path) as img:
            if frame:
                img.seek(frame)
            rgb = to_rgb_array(_upright(img))
            if scale != 1.0:
                h, w = rgb.shape[:2]
                rgb = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
            return rgb
    except IngestError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
    ) as exc:
        raise ingest_error(
            input_path,
            "corrupt_image",
            "图像文件损坏或无法读取",
            f"image is corrupt or unreadable ({exc})",
            blob.label,
        ) from exc


def image_pages(blob: Blob, input_path: Path, first_number: int, limits: IngestLimits) -> list[Page]:
    frames = probe_image(blob, input_path, limits, pages_before=first_number - 1)
    pages: list[Page] = []
    for fr in frames:
        source = blob.label if len(frames) == 1 else f"{blob.label} frame {fr.index + 1}"
        scale = read_scale(fr.width, fr.height)
        pages.append(
            Page(
                number=first_number + len(pages),
                kind=PageKind.SCAN,
                source=source,
                width=float(round(fr.width * scale)),
                height=float(round(fr.height * scale)),
                unit_scale=image_unit_scale(fr.width, fr.height, fr.dpi) / scale,
                load_image=_loader(blob, fr.index, input_path, scale),
            )
        )
    return pages


def to_rgb_array(img: Image.Image) -> np.ndarray:
    """Any Pillow mode -> RGB uint8. Transparent areas become white (paper), not black; 16-bit and
    float images are scaled down instead of clipped."""
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        if mode.startswith("I;16") or (mode == "I" and lo >= 0 and hi <= 65535 and hi > 255):
            arr = arr / 257.0
        elif mode == "F" and lo >= 0 and hi <= 1.0:
            arr = arr * 255.0  # a normalised float image
        elif hi > 255 or lo < 0:
            arr = (arr - lo) * (255.0 / max(hi - lo, 1e-6))
        gray = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if (mode == "P" and "transparency" in img.info) or mode == "PA":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.ascontiguousarray(np.array(img, dtype=np.uint8))


def _loader(blob: Blob, frame: int, input_path: Path, scale: float = 1.0):
    def load() -> np.ndarray:
        return load_frame(blob, frame, input_path, scale)

    return load


def _open(blob: Blob, input_path: Path) -> Image.Image:
    with warnings.catch_warnings():
        # Our own header check decides; Pillow's warning would only be noise (it fires at our limit).
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(blob.open_seekable())


def _too_large(input_path: Path, label: str, w: int, h: int, limits: IngestLimits) -> IngestError:
    mp = w * h / 1e6
    cap = limits.max_image_pixels / 1e6
    return ingest_error(
        input_path,
        "image_too_large",
        f"图像过大（{w}×{h}，{mp:.0f} 百万像素，上限 {cap:.0f}）",
        f"image too large ({w}x{h}, {mp:.0f} MP, limit {cap:.0f} MP)",
        label,
    )


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(_ORIENTATION_TAG, 1) or 1)
    except Exception:  # broken EXIF must not make an otherwise fine image unreadable
        return 1


def _upright(img: Image.Image) -> Image.Image:
    try:
        out = ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF: use the pixels as stored
        img.load()
        return img
    return out if out is not None else img


def _decode_cheaply(img: Image.Image) -> None:
    """Decode once to prove the data is complete. JPEG decodes at 1/8 scale: the entropy-coded
    stream is still read to the end (so truncation is caught) but the IDCT work is skipped."""
    if img.format == "JPEG":
        img.draft("RGB", (max(1, img.size[0] // 8), max(1, img.size[1] // 8)))
    img.load()


def _plausible_dpi(img: Image.Image, width: int, height: int) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi) if dpi is not None else None
    except (TypeError, ValueError):
        return None
    if value is None or not (_DPI_RANGE[0] <= value <= _DPI_RANGE[1]):
        return None
    long_side_in = max(width, height) / value
    if not (_LONG_SIDE_IN_RANGE[0] <= long_side_in <= _LONG_SIDE_IN_RANGE[1]):
        return None
    return value
