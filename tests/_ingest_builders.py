"""Small real inputs for the ingest tests: PDFs written with reportlab (CJK font from the pinned
paperang_p2_fonts_cjk wheel), images with Pillow, zips with zipfile."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from pathlib import Path

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

A4 = (595.0, 842.0)
FONT = "WQY"


@cache
def cjk_font() -> str:
    import paperang_p2_fonts_cjk

    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


def form_page(c: canvas.Canvas, label: str = "申报单位名称", value: str = "山西鑫海重工集团有限公司") -> None:
    """A one-row ruled table: label cell | value cell (rules 60..500 x 730..790 in PDF coords)."""
    c.setFont(cjk_font(), 12)
    c.drawString(72, 770, label)
    c.drawString(200, 770, value)
    for y in (790, 760, 730):
        c.line(60, y, 500, y)
    for x in (60, 190, 500):
        c.line(x, 730, x, 790)
    c.setFont(cjk_font(), 10.5)
    c.drawString(72, 600, "技能大师工作室建设项目申报表，联系电话 0358-8035066。")


def scan_image(size: tuple[int, int] = (400, 566), seed: int = 0) -> Image.Image:
    img = Image.new("RGB", size, (250, 250, 245))
    px = img.load()
    for y in range(40 + seed, size[1] - 40, 23):
        for x in range(40, size[0] - 40):
            px[x, y] = (20, 20, 20)
    return img


def draw_full_page_image(c: canvas.Canvas, img: Image.Image, pagesize: tuple[float, float] = A4) -> None:
    c.drawImage(ImageReader(img), 0, 0, width=pagesize[0], height=pagesize[1])


def write_text_pdf(path: Path, pages: int = 1, encrypt: object = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for _ in range(pages):
        form_page(c)
        c.showPage()
    c.save()
    return path


def write_scan_pdf(path: Path, pages: int = 1, pagesize: tuple[float, float] = A4) -> Path:
    c = canvas.Canvas(str(path), pagesize=pagesize)
    for i in range(pages):
        draw_full_page_image(c, scan_image(seed=i), pagesize)
        c.showPage()
    c.save()
    return path


def write_mixed_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    form_page(c)
    c.showPage()
    draw_full_page_image(c, scan_image())
    c.showPage()
    c.save()
    return path


def png_bytes(img: Image.Image, **save: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **save)
    return buf.getvalue()


def jpeg_bytes(img: Image.Image, **save: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, **save)
    return buf.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose IHDR is patched to claim width x height (CRC fixed up)."""
    data = bytearray(png_bytes(Image.new("L", (1, 1), 255)))
    ihdr = data.index(b"IHDR")
    struct.pack_into(">II", data, ihdr + 4, width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 4 + 13])) & 0xFFFFFFFF
    struct.pack_into(">I", data, ihdr + 4 + 13, crc)
    return bytes(data)
