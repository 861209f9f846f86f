"""Second reading of a scanned form's cells, once the grid is known (issue #3 item 7).

Full-page OCR finds text lines with a detector that knows nothing of the table: a line under a
red seal may not be found at all, the first character beside a rule may fall outside its box,
and a seal's strokes are read into the value. With the grid known, each cell is cut out of the
page image (rectified through the grid's frame, rules trimmed off), red ink is dropped, its text
rows are found by a horizontal ink profile, and each row goes straight to the recognition model:
no detector, so the whole cell width is read.

Which reading a cell keeps is `CellReadSettings.policy` (measured on the dev corpus, see
docs/BENCHMARKS.md "Form cells read a second time").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.script import to_simplified
from shenbao.pipeline.types import TextLine

POLICIES = ("seals", "fill", "replace")


@dataclass(frozen=True)
class CellReadSettings:
    # seals: the cell reading is used for cells the page reading left empty and for cells with
    # red ink in them (a seal: the page reading has its strokes in the text, or lost the text);
    # fill: only for cells the page reading left empty; replace: for every cell it read.
    policy: str = "seals"
    inset_px: float = 5.0  # trimmed from every side of a cell: its rules
    pad_ratio: float = 0.25  # room kept around a text row, in text heights
    min_row_ratio: float = 0.3  # an ink band lower than this (text heights) is a speck or a rule remnant
    join_gap_ratio: float = 0.15  # bands closer than this (text heights) are one row (split strokes)
    rule_len_ratio: float = 2.5  # a straight ink run this long (text heights) is a rule, not a stroke
    red_min_pixels: int = 30  # fewer red pixels than this: no seal in the cell


@dataclass
class _Row:
    cell: Cell
    sealed: bool  # red ink was washed out of the cell
    box: tuple[int, int, int, int]  # in the cell crop
    origin: tuple[float, float]  # the crop's top-left in the grid frame


def reread_cells(grids: list[Grid], image: np.ndarray, engine: OcrEngine, unit: float,
                 settings: CellReadSettings | None = None) -> int:
    """Read every cell of `grids` again from `image` (the corrected page, RGB) and put the
    reading the policy prefers into `cell.lines` (grid-frame coordinates). Returns the number of
    cells whose text changed. An engine that cannot recognise bare text rows leaves them as
    they are."""
    settings = settings or CellReadSettings()
    if settings.policy not in POLICIES:
        raise ValueError(f"unknown cell-read policy {settings.policy!r}; one of {', '.join(POLICIES)}")
    rows: list[_Row] = []
    crops: list[np.ndarray] = []
    for grid in grids:
        for cell in grid.cells:
            crop, origin = cell_image(image, grid, cell, settings.inset_px)
            if crop is None:
                continue
            sealed = has_red(crop, settings.red_min_pixels)
            gray = drop_red(crop) if sealed else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
            gray = erase_rules(gray, unit, settings.rule_len_ratio)
            for box in text_rows(gray, unit, settings):
                rows.append(_Row(cell, sealed, box, origin))
                crops.append(row_image(gray, box, unit, settings.pad_ratio))
    if not crops:
        return 0
    try:
        read = engine.read_lines(crops)
    except NotImplementedError:
        return 0
    by_cell: dict[int, list[TextLine]] = {}
    sealed = {id(row.cell) for row in rows if row.sealed}
    for row, (text, confidence) in zip(rows, read, strict=True):
        if not text.strip():
            continue
        x0, y0, x1, y1 = row.box
        ox, oy = row.origin
        by_cell.setdefault(id(row.cell), []).append(
            TextLine(text=to_simplified(text), bbox=(ox + x0, oy + y0, ox + x1, oy + y1), confidence=float(confidence))
        )
    changed = 0
    for grid in grids:
        for cell in grid.cells:
            new = by_cell.get(id(cell), [])
            if _keep_new(cell.lines, new, settings.policy, id(cell) in sealed):
                if "".join(ln.text for ln in new) != "".join(ln.text for ln in cell.lines):
                    changed += 1
                cell.lines = new
    return changed


def _keep_new(old: list[TextLine], new: list[TextLine], policy: str, sealed: bool) -> bool:
    if not new:
        return False  # nothing read: the page reading (if any) stays
    if not old or policy == "replace":
        return True
    # Elsewhere the page reading is kept: its detector's boxes suit the recogniser better than
    # ink-profile rows (text touching a rule, wide spacing), measured on the dev corpus.
    return policy == "seals" and sealed


# --- images -------------------------------------------------------------------------------------


def cell_image(image: np.ndarray, grid: Grid, cell: Cell,
               inset: float) -> tuple[np.ndarray | None, tuple[float, float]]:
    """The cell's inside (rules trimmed off), rectified to the grid frame's axes, and its
    top-left corner in grid-frame coordinates. None for a cell too small to hold text."""
    x0, y0, x1, y1 = cell.bbox
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    w, h = int(round(x1 - x0)), int(round(y1 - y0))
    if w < 8 or h < 8:
        return None, (x0, y0)
    # Each corner goes through the grid's frame-to-page map (a point is a zero-size box), so
    # a straightened or sheared frame is cut out of the page as the quadrilateral it is there.
    corners = []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        px0, py0, _, _ = grid.page_bbox((x, y, x, y))
        corners.append((px0, py0))
    src = np.asarray(corners, dtype=np.float32)
    dst = np.asarray([(0, 0), (w, 0), (w, h), (0, h)], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    crop = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    return crop, (x0, y0)


def has_red(rgb: np.ndarray, min_pixels: int = 30) -> bool:
    """Whether the crop holds red ink (a seal or a red stamp)."""
    if rgb.ndim == 2:
        return False
    r = rgb[..., 0].astype(np.int16)
    other = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    return int(((r > 120) & (r - other > 50)).sum()) >= min_pixels


def drop_red(rgb: np.ndarray) -> np.ndarray:
    """Gray image of the crop with red ink (seals, red stamps) washed out.

    In the red channel a red seal is nearly as bright as the paper, while black print stays
    dark; what is left of the seal is pale, so everything lighter than the print/paper split
    (Otsu) becomes paper."""
    if rgb.ndim == 2:
        return rgb
    gray = rgb[..., 0].copy()
    split, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    gray[gray > split] = 255
    return gray


def _ink(gray: np.ndarray) -> np.ndarray:
    """Print pixels: clearly darker than the crop's paper (its median)."""
    paper = int(np.median(gray))
    return gray < min(160, paper - 40)


def erase_rules(gray: np.ndarray, unit: float, rule_len_ratio: float) -> np.ndarray:
    """The crop with long straight horizontal or vertical ink runs painted as paper: the
    remains of the cell's own rules (a photo's rules are not quite where the grid says)."""
    ink = _ink(gray).astype(np.uint8)
    length = max(12, int(round(unit * rule_len_ratio)))
    out = gray
    for horizontal in (True, False):
        if length > ink.shape[1 if horizontal else 0]:
            continue  # the crop is shorter than a rule would be
        kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
        rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        if rules.any():
            if out is gray:
                out = gray.copy()
            out[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 255
    return out


def text_rows(gray: np.ndarray, unit: float, settings: CellReadSettings) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text rows of a cell crop, top to bottom, from the
    horizontal ink profile."""
    ink = _ink(gray)
    if not ink.any():
        return []
    on = ink.sum(axis=1) > 0
    bands: list[list[int]] = []
    start = None
    for i, v in enumerate([*on.tolist(), False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            bands.append([start, i])
            start = None
    joined: list[list[int]] = []
    for band in bands:
        if joined and band[0] - joined[-1][1] < unit * settings.join_gap_ratio:
            joined[-1][1] = band[1]
        else:
            joined.append(band)
    out = []
    for y0, y1 in joined:
        if y1 - y0 < unit * settings.min_row_ratio:
            continue
        cols = np.flatnonzero(ink[y0:y1].any(axis=0))
        out.append((int(cols[0]), int(y0), int(cols[-1]) + 1, int(y1)))
    return out


def row_image(gray: np.ndarray, box: tuple[int, int, int, int], unit: float, pad_ratio: float) -> np.ndarray:
    """One text row as an RGB image with a paper margin, the way line recognisers expect it."""
    x0, y0, x1, y1 = box
    pad = max(2, int(round(unit * pad_ratio)))
    h, w = gray.shape[:2]
    sub = gray[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
    sub = cv2.copyMakeBorder(sub, 4, 4, 8, 8, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(sub, cv2.COLOR_GRAY2RGB)
