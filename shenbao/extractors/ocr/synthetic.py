"""Small rendered test pages: Chinese text drawn with the CJK font of the pinned
`paperang_p2_fonts_cjk` wheel, optionally turned and skewed like a careless scan.

Rendering is deterministic for a given Pillow build, so recorded OCR of these pages
(`recorded.py`) replays reliably.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    import paperang_p2_fonts_cjk

    path = Path(paperang_p2_fonts_cjk.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
    if not path.is_file():
        raise FileNotFoundError(f"CJK font not found: {path} (is paperang-p2-fonts-cjk installed?)")
    return path


def render_text_page(
    lines: list[str],
    size: tuple[int, int] = (900, 780),
    font_size: int = 34,
    origin: tuple[int, int] = (40, 50),
    line_gap: int = 90,
) -> np.ndarray:
    """White RGB page (width, height) with `lines` drawn in black, top to bottom."""
    font = ImageFont.truetype(str(cjk_font_path()), font_size)
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    x, y = origin
    for text in lines:
        draw.text((x, y), text, font=font, fill="black")
        y += line_gap
    return np.asarray(img).copy()


def turn_and_skew(rgb: np.ndarray, turn_clockwise: int = 0, skew_ccw: float = 0.0) -> np.ndarray:
    """Skew the upright page `skew_ccw` degrees counter-clockwise (canvas enlarged, white fill),
    then lay it `turn_clockwise` degrees (0/90/180/270) clockwise: what a scanner might deliver.
    Reading it back needs rotation = turn_clockwise and skew = -skew_ccw."""
    if turn_clockwise not in (0, 90, 180, 270):
        raise ValueError(f"turn must be 0/90/180/270, got {turn_clockwise}")
    img = Image.fromarray(rgb)
    if skew_ccw:
        img = img.rotate(skew_ccw, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    out = np.asarray(img)
    return np.ascontiguousarray(np.rot90(out, -turn_clockwise // 90))
