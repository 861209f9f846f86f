"""Small pieces every evidence reader uses: turning a read span into a `Value`, fallbacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import Value
from shenbao.extractors.normalize import (
    fix_digit_lookalikes,
    normalize_credit_code,
    normalize_id_number,
    normalize_text,
)
from shenbao.rules.validators import code_fault

# An 18-character ID number as OCR may give it (O/o/l/I for digits, a lower-case x).
ID_NUMBER_RX = re.compile(r"(?<![0-9A-Za-z])([0-9OoIl]{17}[0-9XxOoIl])(?![0-9A-Za-z])")
# A credit code: 18 characters of the GB 32100 alphabet (upper case, digits), OCR slips allowed.
CREDIT_CODE_RX = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{18})(?![0-9A-Za-z])")

_CJK_NAME = re.compile(r"[\u3400-\u9fff·•]{2,}")

# How the name of a body that issues documents ends (厅, 局, 委员会, 大学, 公司 …).
ORG_END = re.compile(
    r"(?:厅|局|部|政府|委员会|委|工会|协会|学会|联合会|公司|中心|学院|学校|大学|院|办公室|办|集团|社|组委会|"
    r"党委|团委|妇联|政协|基金会|所|站|处|科|分局|分校|校)[)）]?$"
)


def make_value(span: Span | None, normalise: Callable[[str], Any]) -> Value | None:
    """A `Value` from a span: None when there is no span or it holds no value."""
    if span is None:
        return None
    raw = span.text.strip()
    if not raw:
        return None
    try:
        value = normalise(raw)
    except Exception:  # a normaliser choking on odd OCR text is "no value", not a crash
        value = None
    if value is None or value == "":
        return None
    return Value(value=value, raw=raw, page=span.page, bbox=span.bbox, confidence=round(span.confidence, 3))


# A code kept as printed: this many characters either side of its 18, mostly digits.
_CODE_LENGTHS = range(15, 21)


def _id_as_printed(raw: str) -> str | None:
    value = normalize_id_number(raw)
    if value is None or len(value) not in _CODE_LENGTHS or sum(c.isdigit() for c in value) < 14:
        return None
    return value


def _code_as_printed(raw: str, ocr: bool) -> str | None:
    value = normalize_credit_code(raw, allow_lookalike_swaps=ocr)
    if value is None or len(value) not in _CODE_LENGTHS or sum(c.isdigit() for c in value) < 8:
        return None
    return value


def code_value(span: Span | None, kind: str, ocr: bool = False) -> Value | None:
    """An ID number or credit code as printed: repaired only where its check character agrees,
    kept when malformed (a 17-character code, a failing check digit) with `malformed` saying why;
    None when the span holds no code-like run at all."""
    if kind == "id_number":
        value = make_value(span, _id_as_printed)
    else:
        value = make_value(span, lambda raw: _code_as_printed(raw, ocr))
    if value is not None:
        value.malformed = code_fault(kind, str(value.value))
    return value


def person_name(raw: str) -> str | None:
    """A person's name as printed: the first run of two or more CJK characters (OCR may add a
    stray mark or fuse the next column's text after a gap)."""
    text = re.sub(r"\s+", "", raw)
    text = re.sub(r"^[：:、，,.\-]+", "", text)
    m = _CJK_NAME.match(text)
    if not m:
        return None
    name = m.group(0).replace("•", "·")
    return name[:6] if len(name) <= 6 else None


# A bracket pair with a Han character inside: Chinese print sets it full-width, OCR often not.
_HALF_BRACKETS = re.compile(r"\(([^()]*[\u3400-\u9fff][^()]*)\)")


def plain_text(raw: str) -> str | None:
    text = normalize_text(raw)
    if text is None:
        return None
    if re.search(r"[\u3400-\u9fff]", text):
        text = _HALF_BRACKETS.sub(r"（\1）", re.sub(r"\s+", "", text))
    return text.strip("：:;；,，。 ") or None


def id_number_in(pages: list[PageText]) -> Span | None:
    """The first 18-character ID number written anywhere on the pages (with OCR slips); only
    a well-formed one, since a run found without its label must prove it is a number."""
    for pt in pages:
        text, where = pt.flat()
        for m in ID_NUMBER_RX.finditer(text):
            fixed = fix_digit_lookalikes(m.group(1))
            if fixed[:17].isdigit():
                span = pt.locate(where, m.start(1), m.end(1))
                if span is not None:
                    return span
    return None


def first(*values: Value | None) -> Value | None:
    for v in values:
        if v is not None:
            return v
    return None
