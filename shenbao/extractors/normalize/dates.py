"""Dates → `YYYY-MM-DD`, or `YYYY-MM` when only year and month are written."""

from __future__ import annotations

import re
from datetime import date

from shenbao.extractors.normalize.numbers import CN_NUMERAL_CHARS, fix_digit_lookalikes, parse_chinese_int
from shenbao.extractors.normalize.text import is_placeholder, nfkc

# The years a document can name: a person's birth to a plan's end.
YEAR_RANGE = (1900, 2100)
_YEAR_MIN, _YEAR_MAX = YEAR_RANGE
_SEP = r"[./\-_、,，]+"

# Tried in order on the text with all whitespace removed; the first that gives a real date wins.
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 1979年3月5日 / 1979年03月 / 1979年3月5号
    re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(?:(\d{1,2})(?:日|号)?)?"),
    # 1979.03.05 / 1979-3-5 / 1979/03 / 2025.5.20 (OCR may double a separator: 1968//12)
    re.compile(rf"(?<!\d)(\d{{4}}){_SEP}(\d{{1,2}})(?!\d)(?:{_SEP}(\d{{1,2}})(?!\d))?"),
    # 19790305 / 197903
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})?(?!\d)"),
)
_CN_DATE = re.compile(rf"([{CN_NUMERAL_CHARS}]{{2,4}})年([{CN_NUMERAL_CHARS}]{{1,3}})月(?:([{CN_NUMERAL_CHARS}]{{1,3}})[日号])?")


# A Chinese-numeral year with a numeral read as an Arabic digit ("二〇2五年"): mixed, so a slip.
_MIXED_YEAR = re.compile(r"(?<![\d一二三四五六七八九〇零])(?=[\d一二三四五六七八九〇零]{4}年)(?=.{0,3}\d)(?=.{0,3}[一二三四五六七八九〇零])[\d一二三四五六七八九〇零]{4}")
_TO_CN_NUMERAL = str.maketrans("0123456789", "〇一二三四五六七八九")

_CN_ZERO = re.compile(r"(?<=[一二三四五六七八九〇零])[Oo0○◯Ｏ]|[Oo0○◯Ｏ](?=[一二三四五六七八九〇零]+年)")


def normalize_date(raw: str | None, precision: str | None = None) -> str | None:
    """Read a written date.

    Accepts 1979年3月, 1979.03, 1979-3, 1979/03/05, 1979年03月05日, 197903, 19790305,
    二〇二五年五月, 二〇二五年五月二十日, 2025.5.20, with OCR slips (spaces anywhere, O/l for
    0/1, a doubled separator, trailing noise). Years 1900–2100 and real calendar dates only.

    `precision`: None keeps what is written (day if given); "month" cuts to `YYYY-MM`;
    "day" returns only full dates (None when the day is missing).
    Returns None when no date can be read.
    """
    if precision not in (None, "month", "day"):
        raise ValueError(f"precision must be None, 'month' or 'day', not {precision!r}")
    if raw is None or is_placeholder(raw):
        return None
    text = re.sub(r"\s+", "", nfkc(str(raw)))
    parsed = _parse(text)
    if parsed is None:
        fixed = fix_digit_lookalikes(text)
        if fixed != text:
            parsed = _parse(fixed)
    if parsed is None:
        return None
    year, month, day = parsed
    if precision == "day" and day is None:
        return None
    if day is None or precision == "month":
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def fold_cn_zero(text: str) -> str:
    """`text` with each 〇 among Chinese numerals that was printed or read as a letter O, a digit
    0 or a circle (二0一四年, 二O一九年) written as 〇; every other character, and the length, kept."""
    return _CN_ZERO.sub("〇", text)


def _parse(text: str) -> tuple[int, int, int | None] | None:
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            got = _check(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
            if got is not None:
                return got
    text = fold_cn_zero(text)
    text = _MIXED_YEAR.sub(lambda m: m.group().translate(_TO_CN_NUMERAL), text)
    for m in _CN_DATE.finditer(text):
        year = parse_chinese_int(m.group(1))
        if year is None or not _YEAR_MIN <= year <= _YEAR_MAX:
            year = _cn_year_without_zero(m.group(1))
        month = parse_chinese_int(m.group(2))
        day = parse_chinese_int(m.group(3)) if m.group(3) else None
        if year is None or month is None or (m.group(3) and day is None):
            continue
        got = _check(year, month, day)
        if got is not None:
            return got
    return None


def _cn_year_without_zero(written: str) -> int | None:
    """A 二〇XX year whose 〇 the recogniser lost ("二二五") or read as another numeral
    ("二二二五"): the 〇 put back where that gives a year in range, else None."""
    candidates = []
    if len(written) == 3 and not any(ch in "〇零" for ch in written):
        # (with a 〇 still there, the lost numeral is another one: 二〇二 gives no year)
        candidates.append(written[0] + "〇" + written[1:])
    if len(written) == 4 and written[1] not in "〇零":
        candidates.append(written[0] + "〇" + written[2:])
    for candidate in candidates:
        year = parse_chinese_int(candidate)
        if year is not None and _YEAR_MIN <= year <= _YEAR_MAX:
            return year
    return None


def _check(year: int, month: int, day: int | None) -> tuple[int, int, int | None] | None:
    if not (_YEAR_MIN <= year <= _YEAR_MAX and 1 <= month <= 12):
        return None
    if day is not None:
        try:
            date(year, month, day)
        except ValueError:
            # A day that cannot exist (2月30日) rejects the reading rather than guessing a day.
            return None
    return year, month, day
