"""One PDF document: open and validate it (pdfium), decide per page text layer vs scan
(pdfplumber, see textlayer.py), and render scan pages at 200 dpi on demand.

pdfium is not thread-safe, so every call into it holds one process-wide lock.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text

from shenbao.pipeline.ingest_errors import ingest_error, too_many_pages
from shenbao.pipeline.limits import POINTS_PER_INCH, RENDER_DPI, IngestLimits
from shenbao.pipeline.sources import Blob
from shenbao.pipeline.textlayer import (
    TextLayerVerdict,
    assess_chars,
    extract_lines,
    extract_rulings,
    normalise_text,
)
from shenbao.pipeline.types import BBox, IngestError, Page, PageKind, TextLine

log = logging.getLogger(__name__)

PDFIUM_LOCK = threading.RLock()
RENDER_SCALE = RENDER_DPI / POINTS_PER_INCH
_EOF_TAIL = 1 << 20  # a complete PDF ends with %%EOF; allow trailing junk up to this much


@dataclass
class PdfCheck:
    n_pages: int
    sizes: list[tuple[float, float]]  # visible (crop box, rotated) size of each page, pt
    warnings: list[str] = field(default_factory=list)


def check_pdf(blob: Blob, input_path: Path, limits: IngestLimits, pages_before: int = 0) -> PdfCheck:
    """Open with pdfium and load every page; raise IngestError (encrypted, truncated, corrupt,
    too_many_pages) for anything a reviewer could not read in full."""
    truncated = not _has_eof_marker(blob)
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(blob.pdfium_input())
        except pdfium.PdfiumError as exc:
            raise _open_error(exc, truncated, blob, input_path) from exc
        try:
            n = len(doc)
            if n <= 0:
                raise ingest_error(input_path, "corrupt", "PDF 中没有页面", "PDF has no pages", blob.label)
            if pages_before + n > limits.max_pages:
                raise too_many_pages(input_path, pages_before + n, limits.max_pages)
            if truncated:
                # pdfium rebuilds a lost xref by scanning, so a cut-off file may still "open";
                # what it shows is whatever survived the cut, which a reviewer must not mistake
                # for the complete submission.
                raise ingest_error(
                    input_path,
                    "truncated",
                    "PDF 文件不完整（缺少 %%EOF 结束标记）",
                    "PDF is truncated (no %%EOF)",
                    blob.label,
                )
            warnings: list[str] = []
            if pdfium_c.FPDF_GetSecurityHandlerRevision(doc) != -1:
                warnings.append(
                    f"{blob.label}: PDF 已加密但无需打开密码，已读取 / encrypted with an empty user password; read anyway"
                )
            sizes = []
            for i in range(n):
                try:
                    page = doc[i]
                except pdfium.PdfiumError as exc:
                    raise ingest_error(
                        input_path,
                        "corrupt",
                        f"PDF 第 {i + 1} 页无法读取",
                        f"PDF page {i + 1} cannot be loaded",
                        blob.label,
                    ) from exc
                w, h = page.get_size()
                page.close()
                if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):
                    raise ingest_error(
                        input_path,
                        "corrupt",
                        f"PDF 第 {i + 1} 页尺寸无效",
                        f"PDF page {i + 1} has no size",
                        blob.label,
                    )
                # A page is rendered at RENDER_DPI (OCR, report pictures): one larger than any
                # image ingest accepts would take gigabytes (a 200 x 200 inch page: 1.6 Gpx).
                px = (w / POINTS_PER_INCH * RENDER_DPI) * (h / POINTS_PER_INCH * RENDER_DPI)
                if px > limits.max_image_pixels:
                    raise ingest_error(
                        input_path,
                        "page_too_large",
                        f"PDF 第 {i + 1} 页过大（{w / POINTS_PER_INCH:.0f}×{h / POINTS_PER_INCH:.0f} 英寸，"
                        f"渲染需 {px / 1e6:.0f} 百万像素，上限 {limits.max_image_pixels / 1e6:.0f}）",
                        f"PDF page {i + 1} too large ({w / POINTS_PER_INCH:.0f}x{h / POINTS_PER_INCH:.0f} in, "
                        f"{px / 1e6:.0f} MP to render, limit {limits.max_image_pixels / 1e6:.0f} MP)",
                        blob.label,
                    )
                sizes.append((float(w), float(h)))
            return PdfCheck(n, sizes, warnings)
        finally:
            doc.close()


def pdf_pages(
    blob: Blob, input_path: Path, first_number: int, limits: IngestLimits
) -> tuple[list[Page], list[str]]:
    """Pages of one PDF, numbered from `first_number`. TEXT pages carry words and rulings in pt
    (unit_scale set by the caller once the whole packet is known); SCAN pages carry a renderer."""
    check = check_pdf(blob, input_path, limits, pages_before=first_number - 1)
    warnings = list(check.warnings)
    verdicts, text_pages = _read_text_layers(blob, check, warnings, extract=True)
    pages: list[Page] = []
    for i, (w_pt, h_pt) in enumerate(check.sizes):
        number = first_number + i
        source = f"{blob.label} p.{i + 1}"
        verdict = verdicts[i]
        if verdict is not None and verdict.is_text:
            lines, rulings = text_pages[i]
            if verdict.warn_embedded_image:
                warnings.append(
                    f"{source}: 文字页含大幅图片（{verdict.image_coverage:.0%}），图片内容未识别 / "
                    f"text page with a large embedded picture ({verdict.image_coverage:.0%}); picture not OCR'd"
                )
            pages.append(
                Page(number, PageKind.TEXT, source, w_pt, h_pt, unit_scale=1.0, lines=lines, rulings=rulings)
            )
        else:
            pages.append(
                Page(
                    number,
                    PageKind.SCAN,
                    source,
                    float(math.ceil(w_pt * RENDER_SCALE)),
                    float(math.ceil(h_pt * RENDER_SCALE)),
                    unit_scale=1.0,
                    load_image=_renderer(blob, i, input_path),
                )
            )
    return pages, warnings


def classify_pdf(blob: Blob, input_path: Path, limits: IngestLimits) -> list[bool]:
    """Per page: True when its text layer would be read. For `sniff_format`: pdfium's C text
    layer is ~10x faster than pdfminer, and the same plausibility rules apply; ingest itself
    decides with pdfplumber, whose words it then uses, so the two can differ only on fonts that
    one library can map to Unicode and the other cannot."""
    check_pdf(blob, input_path, limits)
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(blob.pdfium_input())
        try:
            return [_pdfium_verdict(doc, i).is_text for i in range(len(doc))]
        finally:
            doc.close()


def _pdfium_verdict(doc: pdfium.PdfDocument, index: int) -> TextLayerVerdict:
    page = doc[index]
    try:
        left, bottom, right, top = page.get_cropbox()
        box = (float(left), -float(top), float(right), -float(bottom))  # y flipped: top-down like pdfplumber
        chars: list[dict[str, Any]] = []
        textpage = page.get_textpage()
        try:
            for i in range(textpage.count_chars()):
                code = pdfium_c.FPDFText_GetUnicode(textpage, i)
                if pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
                    continue  # spaces/line breaks pdfium inferred, not glyphs on the page
                _, cb, _, ct = textpage.get_charbox(i)
                chars.append(
                    {"text": chr(code) if 0 < code < 0x110000 else "\ufffd", "top": -ct, "bottom": -cb}
                )
        finally:
            textpage.close()
        images = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            il, ib, ir, it = obj.get_bounds()
            images.append({"x0": il, "x1": ir, "top": -it, "bottom": -ib})
        return assess_chars(chars, box, images)
    finally:
        page.close()


def render_page(blob: Blob, index: int, input_path: Path, dpi: int = RENDER_DPI) -> np.ndarray:
    """Page `index` (0-based) as RGB uint8 at `dpi`, crop box, /Rotate applied, form fields drawn."""
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(blob.pdfium_input())
        except pdfium.PdfiumError as exc:
            raise _open_error(exc, False, blob, input_path) from exc
        try:
            doc.init_forms()  # filled-in form fields are widgets, drawn only with a form env
            page = doc[index]
            bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, may_draw_forms=True)
            arr = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
            bitmap.close()
            page.close()
        except pdfium.PdfiumError as exc:
            raise ingest_error(
                input_path,
                "corrupt",
                f"PDF 第 {index + 1} 页无法渲染",
                f"PDF page {index + 1} cannot be rendered",
                blob.label,
            ) from exc
        finally:
            doc.close()
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    return np.ascontiguousarray(arr[:, :, :3])


def _renderer(blob: Blob, index: int, input_path: Path):
    def load() -> np.ndarray:
        return render_page(blob, index, input_path)

    return load


def _read_text_layers(
    blob: Blob, check: PdfCheck, warnings: list[str], extract: bool
) -> tuple[list[TextLayerVerdict | None], dict[int, tuple[list[TextLine], list]]]:
    """Verdict per page (None: pdfminer could not read it, so it is rendered and OCR'd instead)
    and, when `extract`, the words and rulings of the pages whose text layer is used."""
    verdicts: list[TextLayerVerdict | None] = [None] * check.n_pages
    extracted: dict[int, tuple[list[TextLine], list]] = {}
    src = blob.open_seekable()
    try:
        pdf = pdfplumber.open(src if isinstance(src, io.BytesIO) else str(src))
    except Exception as exc:  # pdfminer is stricter than pdfium; pdfium can still render every page
        warnings.append(
            f"{blob.label}: 无法读取文字层，全部按扫描页识别 / text layer unreadable ({exc}); all pages OCR'd"
        )
        return verdicts, extracted
    try:
        _read_pages(pdf, blob, check, warnings, extract, verdicts, extracted)
    finally:
        _close_quietly(pdf)
    return verdicts, extracted


def _read_pages(
    pdf: Any,
    blob: Blob,
    check: PdfCheck,
    warnings: list[str],
    extract: bool,
    verdicts: list[TextLayerVerdict | None],
    extracted: dict[int, tuple[list[TextLine], list]],
) -> None:
    try:
        ppages = pdf.pages
    except Exception as exc:
        warnings.append(f"{blob.label}: 无法读取文字层 / text layer unreadable ({exc}); all pages OCR'd")
        return
    if len(ppages) != check.n_pages:
        warnings.append(
            f"{blob.label}: 页面结构异常，全部按扫描页识别 / page tree disagrees between readers; all pages OCR'd"
        )
        return
    for i, pp in enumerate(ppages):
        try:
            box = _visible_box(pp)
            verdict = assess_chars(pp.chars, box, pp.images)
            if verdict.is_text and extract:
                origin = (box[0], box[1])
                lines = extract_lines(pp, origin=origin, visible=box)
                lines += _form_field_values(pp, origin)
                rulings = extract_rulings(pp.lines, pp.rects, pp.curves, page_box=box, origin=origin)
                extracted[i] = (lines, rulings)
            verdicts[i] = verdict
        except Exception as exc:  # one odd page must not sink the packet: OCR it instead
            log.warning("text layer of %s p.%d unreadable: %s", blob.label, i + 1, exc)
            warnings.append(
                f"{blob.label} p.{i + 1}: 文字层读取失败，按扫描页识别 / text layer unreadable; OCR'd"
            )
            verdicts[i] = None
        finally:
            pp.close()


def _close_quietly(pdf: Any) -> None:
    """pdfplumber's close() builds every Page again, which raises on the very pages that failed;
    closing the stream is what matters."""
    try:
        pdf.close()
    except Exception:
        if not getattr(pdf, "stream_is_external", True):
            pdf.stream.close()


def _visible_box(pp: Any) -> BBox:
    """The crop box (what viewers and pdfium show) in pdfplumber's mediabox coordinates."""
    mb = pp.mediabox
    cb = getattr(pp, "cropbox", None) or mb
    x0, y0 = max(cb[0], mb[0]), max(cb[1], mb[1])
    x1, y1 = min(cb[2], mb[2]), min(cb[3], mb[3])
    if x1 - x0 <= 1 or y1 - y0 <= 1:
        return (float(mb[0]), float(mb[1]), float(mb[2]), float(mb[3]))
    return (float(x0), float(y0), float(x1), float(y1))


def _form_field_values(pp: Any, origin: tuple[float, float]) -> list[TextLine]:
    """Values typed into fillable form fields live in widget annotations, not in the page
    content that pdfplumber's chars come from; without this a filled-in 申报表 reads empty."""
    out: list[TextLine] = []
    ox, oy = origin
    for annot in pp.annots:
        data = annot.get("data") or {}
        if _name(resolve1(data.get("Subtype"))) != "Widget":
            continue
        value = resolve1(data.get("V"))
        parent = resolve1(data.get("Parent"))
        if value is None and isinstance(parent, dict):
            value = resolve1(parent.get("V"))
        if not isinstance(value, bytes):
            continue  # checkboxes (names) and empty fields
        text = normalise_text(decode_text(value)).strip()
        if not text:
            continue
        bbox = (annot["x0"] - ox, annot["top"] - oy, annot["x1"] - ox, annot["bottom"] - oy)
        out.append(TextLine(text=" ".join(text.split()), bbox=bbox, confidence=1.0))
    return out


def _name(obj: Any) -> str:
    if isinstance(obj, PSLiteral):
        return str(obj.name)
    return str(obj) if obj is not None else ""


def _has_eof_marker(blob: Blob) -> bool:
    if blob.data is not None:
        return b"%%EOF" in blob.data[-_EOF_TAIL:]
    if blob.member is not None:
        return b"%%EOF" in blob.read_bytes()[-_EOF_TAIL:]
    with blob.origin.open("rb") as fh:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - _EOF_TAIL))
        return b"%%EOF" in fh.read()


def _open_error(exc: pdfium.PdfiumError, truncated: bool, blob: Blob, input_path: Path) -> IngestError:
    code = getattr(exc, "err_code", None)
    if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return ingest_error(
            input_path,
            "encrypted",
            "PDF 已加密，需要密码才能打开",
            "PDF is encrypted and needs a password",
            blob.label,
        )
    if truncated:
        return ingest_error(
            input_path,
            "truncated",
            "PDF 文件不完整（被截断），无法打开",
            "PDF is truncated and cannot be opened",
            blob.label,
        )
    return ingest_error(
        input_path, "corrupt", "PDF 文件已损坏，无法打开", f"PDF is corrupt ({exc})", blob.label
    )
