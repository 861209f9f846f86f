"""居民身份证 copies: front (姓名 性别 民族 出生 住址 公民身份号码) and back (签发机关 有效期限).

Front and back may be on one page (the usual copy) or on two; every page of the document is
read and the first value found for a field wins. Values are read by position next to their
labels (see layout.py). When a label cannot be found (OCR lost it), the number is still taken
from an 18-character run anywhere on the card, and the birth date from a written date on the
front; other fields stay empty rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from shenbao.extractors.evidence.common import (
    code_value,
    first,
    id_number_in,
    make_value,
    person_name,
    plain_text,
)
from shenbao.extractors.evidence.layout import PageText, label_pattern
from shenbao.extractors.evidence.model import IdCardRead, Value
from shenbao.extractors.normalize import (
    normalize_date,
    normalize_ethnicity,
    normalize_gender,
)
from shenbao.pipeline.types import PageKind

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth": ("出生日期", "出生年月", "出生"),
    "address": ("住址", "住所"),
    "id_number": ("公民身份号码", "公民身份证号码", "身份证号码", "身份证号", "身份号码"),
    "authority": ("签发机关", "发证机关"),
    "valid_period": ("有效期限", "有效期"),
}

# A birth date written out (the 日 may be lost to OCR: "1970年3月7L").
_BIRTH_RX = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}")
# The gender standing on its own (label lost), and the row it shares with 民族.
_LONE_GENDER = re.compile(r"(?:^|\s)([男女])(?=\s|$|民)")
_GENDER_ROW = re.compile(r"民\s*族|(?:^|\s)[男女](?:\s|$)")
_PERIOD_RX = re.compile(r"\d{4}[.\-/年]\d{1,2}[.\-/月]\d{1,2}日?\s*[-—–至~]\s*(?:\d{4}[.\-/年]\d{1,2}[.\-/月]\d{1,2}日?|长期)")


def _birth(raw: str) -> str | None:
    return normalize_date(raw, precision="day")


def _period(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw)
    return text or None


def read_id_card(pages: list[PageText]) -> IdCardRead:
    spans: dict = {}
    for pt in pages:
        for key, span in pt.read_labels(LABELS, multiline=("address", "authority")).items():
            spans.setdefault(key, span)
    card = IdCardRead(pages=[pt.number for pt in pages])
    card.name = first(make_value(spans.get("name"), person_name), _name_above_gender(pages))
    card.gender = first(
        make_value(spans.get("gender"), normalize_gender),
        *(make_value(pt.search(_LONE_GENDER, 1), normalize_gender) for pt in pages),
    )
    card.ethnicity = make_value(spans.get("ethnicity"), normalize_ethnicity)
    card.birth = first(
        make_value(spans.get("birth"), _birth),
        *(make_value(pt.search(_BIRTH_RX), _birth) for pt in pages),
    )
    card.address = first(make_value(spans.get("address"), plain_text), _address_by_place(pages))
    ocr = any(pt.page.kind is PageKind.SCAN for pt in pages)
    card.id_number = first(code_value(spans.get("id_number"), "id_number", ocr),
                           code_value(id_number_in(pages), "id_number", ocr))
    card.authority = make_value(spans.get("authority"), plain_text)
    card.valid_period = first(
        make_value(spans.get("valid_period"), _period),
        *(make_value(pt.search(_PERIOD_RX), _period) for pt in pages),
    )
    card.valid_until = _valid_until(card.valid_period)
    _from_number(card, pages)
    return card


def _from_number(card: IdCardRead, pages: list[PageText]) -> None:
    """Birth date and gender the front prints but the recogniser could not read (script of a
    second language between the digits, a glare), taken from a well-formed number on the same
    card, which encodes both (GB 11643); marked, so the reviewer knows where they came from."""
    number = card.id_number
    if number is None or number.malformed is not None:
        return
    digits = str(number.value)
    printed = "".join(pt.text for pt in pages)
    if card.birth is None and re.search(label_pattern("出生"), printed):
        birth = f"{digits[6:10]}-{digits[10:12]}-{digits[12:14]}"
        card.birth = replace(number, value=birth, raw=number.raw, partial="出生日期未能识别，取自公民身份号码")
    if card.gender is None and re.search(label_pattern("性别"), printed):
        gender = "男" if int(digits[16]) % 2 else "女"
        card.gender = replace(number, value=gender, raw=number.raw, partial="性别未能识别，取自公民身份号码")


_PERIOD_END = re.compile(r"(?:[-—–至~一]+)\s*(长期|\d{4}[.\-/年]\d{1,2}[.\-/月]\d{1,2})")


def _valid_until(period: Value | None) -> Value | None:
    """The end of 有效期限 ("2010.01.01-2030.01.01" → 2030-01-01, "…-长期" → 长期)."""
    if period is None:
        return None
    m = _PERIOD_END.search(str(period.raw).replace(" ", ""))
    if not m:
        return None
    end = m.group(1)
    value = "长期" if end == "长期" else normalize_date(end, precision="day")
    if value is None:
        return None
    return Value(value=value, raw=end, page=period.page, bbox=period.bbox, confidence=period.confidence)


_BIRTH_ROW = re.compile(r"出\s*生|(?:19|20)\d{2}\s*年")
_NUMBER_ROW = re.compile(r"身\s*份\s*号\s*码|\d{17}[\dXx]")


def _address_by_place(pages: list[PageText]) -> Value | None:
    """The front's address when its 住址 label was not read: the card prints it, and nothing
    else, in the rows between the birth row and the number row (one layout, nationwide)."""
    for pt in pages:
        birth = next((i for i, r in enumerate(pt.rows) if _BIRTH_ROW.search(r.text)), None)
        if birth is None:
            continue
        number = next((i for i in range(birth + 1, len(pt.rows)) if _NUMBER_ROW.search(pt.rows[i].text)), None)
        if number is None or number - birth < 2 or number - birth > 5:
            continue
        spans = [pt.span(i, 0, len(pt.rows[i].text)) for i in range(birth + 1, number)]
        joined = spans[0]
        for more in spans[1:]:
            joined = joined.joined(more)
        value = make_value(joined, plain_text)
        if value is not None:
            value.confidence = round(value.confidence * 0.9, 3)  # read by place only
        return value
    return None


def _name_above_gender(pages: list[PageText]) -> Value | None:
    """The card's first line when its 姓名 label was not read: the row just above the
    性别/民族 row holds the name (a leftover label character in front is dropped)."""
    for pt in pages:
        for ri, row in enumerate(pt.rows):
            if not _GENDER_ROW.search(row.text) or ri == 0:
                continue
            above = pt.rows[ri - 1]
            if row.bbox[1] - above.bbox[3] > 2.0 * row.height:
                return None
            m = re.search(r"[\u3400-\u9fff·]{2,5}$", above.text.replace(" ", "") if " " not in above.text
                          else above.text.split()[-1])
            if not m:
                return None
            name = m.group(0)
            for label in ("姓名", "名", "姓"):
                if name.startswith(label) and len(name) - len(label) >= 2:
                    name = name[len(label):]
                    break
            i = above.text.rfind(name)
            if i < 0:
                return None
            value = make_value(pt.span(ri - 1, i, i + len(name)), person_name)
            if value is not None:
                value.confidence = round(value.confidence * 0.9, 3)  # read by position only
            return value
    return None
