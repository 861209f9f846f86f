"""Phone numbers, e-mail addresses and 邮政编码."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from shenbao.extractors.normalize.numbers import fix_digit_lookalikes
from shenbao.extractors.normalize.text import is_cjk, is_placeholder, nfkc, strip_label

_DASHES = re.compile(r"[‐‑‒–—―─－﹣ー一~～]")
_ALTERNATIVES = re.compile(r"[/、，,;；]|或")

_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[\s-]*)?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
# 010 and 02X are 3-digit area codes, every other one 4 digits; local numbers 7–8 digits.
_LANDLINE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]*)?[(（]?\s*(0(?:10|2\d)|0[3-9]\d{2})\s*[)）]?\s*-?\s*(\d{7,8})(?!\d)"
    r"(?:\s*(?:-|转|分机|ext\.?|EXT\.?)\s*(\d{1,6}))?"
)
_LOCAL = re.compile(r"(?<!\d)([2-9]\d{6,7})(?!\d)(?:\s*(?:-|转|分机)\s*(\d{1,6}))?")


def normalize_phone(raw: str | None, prefer: str = "any") -> str | None:
    """A phone number as digits and '-' only.

    Mobile: 11 digits (+86/0086 dropped, inner spaces or dashes dropped).
    Landline: `AREA-LOCAL` whatever was written between them: 0358-6941032, (0358)6941032,
    0358 6941032 and 03586941032 all give 0358-6941032; an extension after 转/-: `-EXT`.
    A bare local number stays as its digits. When the cell holds several numbers
    ("0358-6941032 / 13912345678"), `prefer` ("mobile" / "landline" / "any") picks which.
    Anything else keeps its digits and dashes, so a malformed number is still shown (and
    then fails `validate_phone`). None when there is no digit.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = _DASHES.sub("-", fix_digit_lookalikes(nfkc(str(raw))))
    alternatives = [a for a in _ALTERNATIVES.split(text) if sum(c.isdigit() for c in a) >= 7] or [text]
    readings = [r for a in alternatives for r in _read_phone(a)]
    if not readings:
        digits = re.sub(r"-{2,}", "-", re.sub(r"[^\d-]", "", text)).strip("-")
        return digits or None
    order = {"mobile": ("mobile", "landline", "local"), "landline": ("landline", "local", "mobile")}
    for kind in order.get(prefer, ()):
        for reading_kind, value in readings:
            if reading_kind == kind:
                return value
    return readings[0][1]


def _read_phone(text: str) -> list[tuple[str, str]]:
    """Every number in `text` as (kind, value), in reading order."""
    found: list[tuple[int, str, str]] = []
    for m in _MOBILE.finditer(text):
        found.append((m.start(), "mobile", re.sub(r"\D", "", m.group(1))))
    for m in _LANDLINE.finditer(text):
        value = f"{m.group(1)}-{m.group(2)}" + (f"-{m.group(3)}" if m.group(3) else "")
        found.append((m.start(), "landline", value))
    if not found:
        for m in _LOCAL.finditer(text):
            found.append((m.start(), "local", m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")))
    return [(kind, value) for _pos, kind, value in sorted(found)]


# --- e-mail ------------------------------------------------------------------------------

_EMAIL_LABELS = ("电子邮箱", "电子邮件", "邮箱", "E-mail", "E-mai", "Email", "e-mail", "email", "Mail")
_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+[A-Za-z0-9]")


# A run of "1" that a letter follows and a letter (or the start) precedes: "11g45", "dsx1e".
_ONES_AMONG_LETTERS = re.compile(r"(?:(?<=^)|(?<=[A-Za-z]))1+(?=[A-Za-z])")


MAIL_DOMAINS_FILE = Path(__file__).resolve().parents[3] / "data" / "mail_domains.txt"
# What a recogniser reads for the digits of a domain like 163.com / 126.com / 139.com.
_DOMAIN_LOOKALIKES = str.maketrans({"l": "1", "i": "1", "|": "1", "o": "0", "z": "2"})


@lru_cache(maxsize=1)
def public_mail_domains() -> tuple[str, ...]:
    """data/mail_domains.txt: one domain per line, # comments."""
    lines = MAIL_DOMAINS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(ln.strip().lower() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


def _public_domain(domain: str) -> str:
    """`domain`, or the public mail domain it is but for look-alike digits ("l63.com")."""
    known = public_mail_domains()
    if domain in known:
        return domain
    name, dot, rest = domain.partition(".")
    folded = name.translate(_DOMAIN_LOOKALIKES) + dot + rest
    if folded != domain and folded in known and any(c.isdigit() for c in folded.partition(".")[0]):
        return folded
    return domain


def _ones_to_ells(local: str) -> str:
    """Recognisers read a lower-case "l" as "1" in sans-serif print with high confidence. In an
    address's local part digits come in runs after the letters (zhang1985, wang1) or make the
    whole name (QQ numbers), so a "1" wedged between letters, or opening a run of letters,
    is an "l"; a "1" beside a digit or at the end stays."""
    return _ONES_AMONG_LETTERS.sub(lambda m: "l" * len(m.group()), local)


def normalize_email(raw: str | None) -> str | None:
    """An e-mail address: full-width characters folded, spaces and line breaks removed, domain
    lower-cased (the local part is kept as written), OCR slips fixed: '#' or (at) for '@' when
    there is no '@', '。'/',' for '.' in the domain, a trailing 'corn'/'c0m' for 'com', "1" for
    "l" among letters of the local part (`_ones_to_ells`).
    Text around the address (labels, 个人邮箱 …) is dropped.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = strip_label(nfkc(str(raw)), _EMAIL_LABELS)
    text = re.sub(r"\s+", "", text)
    if "@" not in text:
        text = re.sub(r"[(\[（【]at[)\]）】]", "@", text, flags=re.IGNORECASE)
    if "@" not in text and text.count("#") == 1:
        text = text.replace("#", "@")
    if "@" in text:
        local, _, domain = text.rpartition("@")
        domain = domain.replace("。", ".").replace(",", ".").replace("，", ".")
        domain = re.sub(r"\.c(?:orn|0m|om)(?=$|[^A-Za-z])", ".com", domain, flags=re.IGNORECASE)
        text = f"{local}@{domain}"
    m = _ADDRESS.search(text)
    if m:
        local, _, domain = m.group().rpartition("@")
        return f"{_ones_to_ells(local)}@{_public_domain(domain.lower())}"
    text = "".join(c for c in text if not is_cjk(c)).strip(".")
    return text or None


# --- 邮政编码 ----------------------------------------------------------------------------


def normalize_postcode(raw: str | None) -> str | None:
    """邮政编码 as a digit string. A run of exactly 6 digits when there is one; otherwise the
    digits as written (a 5- or 7-digit code stays wrong for `validate_postcode` to report)."""
    if raw is None or is_placeholder(raw):
        return None
    text = fix_digit_lookalikes(re.sub(r"\s+", "", nfkc(str(raw))))
    runs = re.findall(r"\d+", text)
    if not runs:
        return None
    six = [r for r in runs if len(r) == 6]
    return six[0] if six else max(runs, key=len)
