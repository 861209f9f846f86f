from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from shenbao.pipeline.ingest import ingest, sniff_format
from shenbao.pipeline.textlayer import (
    assess_chars,
    extract_rulings,
    image_coverage,
    is_good_char,
    normalise_text,
)
from shenbao.pipeline.types import PacketFormat, PageKind
from tests._ingest_builders import A4, cjk_font, draw_full_page_image, form_page, scan_image

PAGE = (0.0, 0.0, 595.0, 842.0)
SENTENCE = "申报单位名称山西鑫海重工集团有限公司"


def _chars(text: str, top: float = 100.0, step: float = 0.0) -> list[dict]:
    return [{"text": ch, "top": top + i * step, "bottom": top + i * step + 12} for i, ch in enumerate(text)]


def _cids(n: int) -> list[dict]:
    return [{"text": f"(cid:{100 + i})", "top": 100.0, "bottom": 112.0} for i in range(n)]


FULL_PAGE_IMAGE = [{"x0": 0, "top": 0, "x1": 595, "bottom": 842}]


# --- the text-or-scan decision ----------------------------------------------------------------


def test_plausible_chinese_text_is_text() -> None:
    v = assess_chars(_chars(SENTENCE + " 0358-8035066，（工种）"), PAGE)
    assert v.is_text and v.reason == "plausible" and v.n_good == v.n_chars


@pytest.mark.parametrize(
    ("chars", "reason"),
    [
        ([], "no_text"),
        (_chars("   \u3000 "), "no_text"),
        (_cids(40), "garbled"),  # glyphs with no Unicode mapping
        (_chars("ÃÂ¹ÃÂ¤Ã×÷ÒªÇó") + _chars("申报表"), "garbled"),  # GBK read as Latin-1
        (_chars("\ufffd" * 20 + "申报"), "garbled"),
        (_chars("\ue000\ue001\ue002" * 5 + "申报表"), "garbled"),  # private-use code points
        (_chars("第3页"), "too_few_chars"),
    ],
)
def test_implausible_text_layers_are_scans(chars: list[dict], reason: str) -> None:
    v = assess_chars(chars, PAGE)
    assert not v.is_text and v.reason == reason


def test_a_few_unmapped_glyphs_do_not_spoil_a_text_page() -> None:
    assert assess_chars(_chars(SENTENCE * 3) + _cids(2), PAGE).is_text


def test_full_page_image_needs_a_real_ocr_layer() -> None:
    footer = _chars("第 2 页 共 15 页 申报材料", top=820)
    assert assess_chars(footer, PAGE, FULL_PAGE_IMAGE).reason == "sparse_over_image"
    # plenty of glyphs, but all in one band at the bottom: a stamp, not an OCR layer
    band = _chars(SENTENCE * 3, top=800)
    assert assess_chars(band, PAGE, FULL_PAGE_IMAGE).reason == "sparse_over_image"
    # an invisible OCR layer spread over the page is kept
    ocr = _chars(SENTENCE * 3, top=60, step=12)
    v = assess_chars(ocr, PAGE, FULL_PAGE_IMAGE)
    assert v.is_text and v.image_coverage == pytest.approx(1.0) and not v.warn_embedded_image


def test_text_page_with_embedded_picture_warns() -> None:
    photo = [{"x0": 100, "top": 300, "x1": 500, "bottom": 700}]  # ~32% of the page
    v = assess_chars(_chars(SENTENCE * 3, top=60, step=10), PAGE, photo)
    assert v.is_text and v.warn_embedded_image


def test_image_coverage_counts_overlaps_once_and_clips() -> None:
    half = {"x0": 0, "top": 0, "x1": 595, "bottom": 421}
    assert image_coverage([half, half], PAGE) == pytest.approx(0.5, abs=0.02)
    assert image_coverage([{"x0": -100, "top": -100, "x1": 1000, "bottom": 1000}], PAGE) == 1.0
    assert image_coverage([{"x0": 600, "top": 0, "x1": 700, "bottom": 100}], PAGE) == 0.0


def test_good_char_classes() -> None:
    for ch in "申A1：（）、。《》①□☑✓㎡·×ΩⅡ—“⼯":
        assert is_good_char(ch), ch
    for ch in ["\ufffd", "\ue123", "Ã", "\x07", "(cid:12)", "Ж"]:
        assert not is_good_char(ch), ch


def test_normalise_text_maps_radicals_and_drops_garbage() -> None:
    assert normalise_text("⼯作单位及职务") == "工作单位及职务"
    assert normalise_text("⾦额（元）") == "金额（元）"  # fullwidth brackets are kept as written
    assert normalise_text("申报(cid:33)单位\ufffd\ue001") == "申报单位"


# --- rulings ----------------------------------------------------------------------------------


def _rect(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_rulings_from_rects_lines_and_polylines() -> None:
    rects = [
        _rect(60, 99.7, 300, 100.3),  # thin filled rect: one horizontal rule at y=100
        _rect(299.5, 100, 300.5, 200),  # thin vertical
        _rect(60, 300, 200, 350),  # a cell box: four edges
        _rect(0, 0, 595, 842),  # page background: ignored
    ]
    lines = [
        {"pts": [(300, 100), (500, 100)]},  # continues the thin rect: merged into one rule
        {"pts": [(60, 400), (300, 420)]},  # diagonal: not a table rule
    ]
    curves = [
        {
            "path": [("m", (10, 500)), ("l", (100, 500)), ("l", (100, 600))],
            "pts": [(10, 500), (100, 500), (100, 600)],
        },
        {"path": [("m", (0, 0)), ("c", (1, 1), (2, 2), (3, 3))], "pts": [(400, 700), (450, 700), (450, 750)]},
    ]
    rulings = extract_rulings(lines, rects, curves, page_box=PAGE)
    segs = sorted((round(r.x0), round(r.y0), round(r.x1), round(r.y1)) for r in rulings)
    assert segs == sorted(
        [
            (60, 100, 500, 100),
            (300, 100, 300, 200),
            (60, 300, 200, 300),
            (60, 350, 200, 350),
            (60, 300, 60, 350),
            (200, 300, 200, 350),
            (10, 500, 100, 500),
            (100, 500, 100, 600),
        ]
    )


def test_white_and_unpainted_shapes_are_not_rules() -> None:
    black = {"stroke": True, "fill": False, "stroking_color": (0, 0, 0)}
    white_fill = {"stroke": False, "fill": True, "non_stroking_color": (1, 1, 1)}
    gray_fill = {"stroke": False, "fill": True, "non_stroking_color": (0.8,)}
    white_stroke = {"stroke": True, "fill": False, "stroking_color": (0, 0, 0, 0)}
    rects = [
        _rect(60, 100, 300, 100.5) | black,
        _rect(60, 200, 300, 250) | white_fill,
        _rect(60, 300, 300, 300.5) | white_stroke,
        _rect(60, 400, 300, 450) | gray_fill,  # shaded header cell: its edges are visible
    ]
    ys = sorted(round(r.y0) for r in extract_rulings([], rects) if r.is_horizontal)
    assert ys == [100, 400, 450]


def test_rulings_shift_to_crop_box_origin() -> None:
    rulings = extract_rulings([{"pts": [(100, 200), (300, 200)]}], [], origin=(50.0, 20.0))
    assert [(r.x0, r.y0, r.x1, r.y1) for r in rulings] == [(50.0, 180.0, 250.0, 180.0)]


# --- whole pages written by reportlab ------------------------------------------------------------


def test_invisible_ocr_layer_over_scan_is_text_and_stamped_footer_is_scan(tmp_path: Path) -> None:
    path = tmp_path / "ocr.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    draw_full_page_image(c, scan_image())
    text = c.beginText()
    text.setTextRenderMode(3)  # invisible, as scanner OCR writes it
    text.setFont(cjk_font(), 12)
    for y in range(780, 100, -60):
        text.setTextOrigin(72, y)
        text.textOut(SENTENCE)
    c.drawText(text)
    c.showPage()
    draw_full_page_image(c, scan_image())
    c.setFont(cjk_font(), 9)
    c.drawString(280, 20, "第 2 页 共 2 页 申报材料")
    c.showPage()
    c.save()
    packet = ingest(path)
    assert packet.format is PacketFormat.MIXED_PDF
    assert [p.kind for p in packet.pages] == [PageKind.TEXT, PageKind.SCAN]
    assert sum(line.text == SENTENCE for line in packet.pages[0].lines) == 12
    assert sniff_format(path) is PacketFormat.MIXED_PDF  # pdfium's fast text layer agrees


def test_fake_bold_is_deduplicated(tmp_path: Path) -> None:
    path = tmp_path / "bold.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(cjk_font(), 12)
    c.drawString(72, 700, SENTENCE)
    c.drawString(72.3, 700, SENTENCE)  # Word's "fake bold": the same glyphs drawn twice
    c.showPage()
    c.save()
    assert [line.text for line in ingest(path).pages[0].lines] == [SENTENCE]


def test_filled_form_field_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "fillable.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    form_page(c)
    c.acroForm.textfield(name="phone", value="0358-8035066", x=200, y=700, width=150, height=20)
    c.showPage()
    c.save()
    lines = {line.text: line.bbox for line in ingest(path).pages[0].lines}
    assert "0358-8035066" in lines
    x0, top, x1, bottom = lines["0358-8035066"]
    assert (round(x0), round(top), round(x1), round(bottom)) == (200, 842 - 720, 350, 842 - 700)


def test_crop_box_shifts_words(tmp_path: Path) -> None:
    path = tmp_path / "crop.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setCropBox((50, 100, 545, 800))
    form_page(c)
    c.showPage()
    c.save()
    page = ingest(path).pages[0]
    assert (page.width, page.height) == (495, 700)
    label = next(line for line in page.lines if line.text == "申报单位名称")
    # x 72 -> 22 from the crop box's left; top measured from the crop box's top (842-800=42 pt lower)
    assert label.bbox[0] == pytest.approx(22, abs=0.5)
    assert 55 - 42 < label.bbox[1] < 76 - 42
