"""Small pieces every evidence reader uses: turning a read span into a `Value`, fallbacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import Value
from shenbao.extractors.normalize import fix_digit_lookalikes, normalize_text

# An 18-character ID number as OCR may give it (O/o/l/I for digits, a lower-case x).
ID_NUMBER_RX = re.compile(r"(?<![0-9A-Za-z])([0-9OoIl]{17}[0-9XxOoIl])(?![0-9A-Za-z])")
# A credit code: 18 characters of the GB 32100 alphabet (upper case, digits), OCR slips allowed.
CREDIT_CODE_RX = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{18})(?![0-9A-Za-z])")

_CJK_NAME = re.compile(r"[\u3400-\u9fff·•]{2,}")


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


def plain_text(raw: str) -> str | None:
    text = normalize_text(raw)
    if text is None:
        return None
    text = re.sub(r"\s+", "", text) if re.search(r"[\u3400-\u9fff]", text) else text
    return text.strip("：:;；,，。 ") or None


def id_number_in(pages: list[PageText]) -> Span | None:
    """The first 18-character ID number written anywhere on the pages (with OCR slips)."""
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
