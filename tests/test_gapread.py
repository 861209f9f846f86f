"""Characters a detector left out beside a line's box, read back (`gapread`)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from shenbao.extractors.form.gapread import adds_at_ends, mend_gaps
from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.synthetic import cjk_font_path
from shenbao.pipeline.types import TextLine

FONT_PX = 32


def _row(pieces: list[tuple[float, str]], underline: tuple[float, float] | None = None,
         width: int = 900) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """A white row with each (x, text) drawn; the ink box of each piece."""
    font = ImageFont.truetype(str(cjk_font_path()), FONT_PX)
    img = Image.new("RGB", (width, 90), "white")
    draw = ImageDraw.Draw(img)
    boxes = []
    for x, text in pieces:
        draw.text((x, 25), text, fill="black", font=font)
        boxes.append(tuple(float(v) for v in draw.textbbox((x, 25), text, font=font)))
    if underline is not None:
        draw.line([(underline[0], 70), (underline[1], 70)], fill="black", width=2)
    return np.asarray(img), boxes


def _line(text: str, box: tuple[float, float, float, float]) -> TextLine:
    x0, y0, x1, y1 = box
    return TextLine(text=text, bbox=(x0 - 2, y0 - 4, x1 + 2, y1 + 4), confidence=0.99)


def test_adds_at_ends_accepts_lost_characters_only() -> None:
    assert adds_at_ends("三年七月二十七日", "二〇二三年七月二十七日", 3, 0)
    assert adds_at_ends("二十七", "二十七日。", 0, 2)  # a character with a mark after it
    assert not adds_at_ends("填报时间", "填报时间:", 0, 1)  # a mark alone may be a speck
    assert not adds_at_ends("三年七月二十七日", "二〇二三年七月二十七日", 2, 0)  # more than the ink holds
    assert not adds_at_ends("三年七月二十七日", "三年七月二十八日", 3, 3)  # what was read never changes
    assert not adds_at_ends("钳工", "☑钳工", 2, 0)  # a check box is no text
    assert not adds_at_ends("余涛", "_余涛", 2, 0)  # nor an underline
    assert not adds_at_ends("技师", "技师", 1, 1)  # nothing added


@pytest.fixture(scope="module")
def engine():  # noqa: ANN201 - the engine type is the module's business
    return get_engine("rapidocr")


def test_thin_characters_the_detector_lost_come_back(engine) -> None:  # noqa: ANN001
    image, (label, lost, kept) = _row([(20, "填报时间："), (250, "二〇二"), (250 + 3 * FONT_PX, "三年七月二十七日")])
    lines = [_line("填报时间：", label), _line("三年七月二十七日", kept)]
    mended = mend_gaps(lines, image, engine, unit=float(FONT_PX))
    assert [ln.text for ln in mended] == ["填报时间：", "二〇二三年七月二十七日"]
    assert mended[1].bbox[0] <= lost[0] + 2  # the box now holds them
    assert mended[0] is lines[0]  # the label had nothing beside it


def test_an_underline_or_empty_paper_brings_nothing_back(engine) -> None:  # noqa: ANN001
    image, (label, value) = _row([(20, "领办人姓名"), (420, "余涛")], underline=(300, 700))
    lines = [_line("领办人姓名", label), _line("余涛", value)]
    assert mend_gaps(lines, image, engine, unit=float(FONT_PX)) == lines


def test_ink_under_a_seal_is_never_read_as_text(engine) -> None:  # noqa: ANN001
    image, (label, stamp) = _row([(20, "申报单位："), (200, "公章")])
    lines = [_line("申报单位：", label)]
    x0, y0, x1, y1 = stamp
    assert mend_gaps(lines, image, engine, unit=float(FONT_PX), seals=[(x0 - 10, y0 - 20, x1 + 10, y1 + 20)]) == lines


def test_a_label_ending_in_a_colon_does_not_grow_into_its_value(engine) -> None:  # noqa: ANN001
    # the value's first characters lost: they come back to the value, not to the label
    image, (label, lost, kept) = _row([(20, "联系人："), (20 + 4 * FONT_PX + 4, "王"), (20 + 5 * FONT_PX + 4, "建国")])
    lines = [_line("联系人：", label), _line("建国", kept)]
    mended = mend_gaps(lines, image, engine, unit=float(FONT_PX))
    assert mended[0] is lines[0]
    assert mended[1].text == "王建国"
