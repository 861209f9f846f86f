"""Cells that hold several parts: 开户银行/户名/账号, 工作单位及职务, and names."""

from __future__ import annotations

import re

from shenbao.extractors.normalize.numbers import fix_digit_lookalikes
from shenbao.extractors.normalize.text import is_cjk, is_placeholder, normalize_text, to_halfwidth_alnum

# --- 开户银行及账号 ------------------------------------------------------------------------

_BANK_LABELS = re.compile(
    r"(?:开户银行及资金账[户号]|开户银行[、及]户名[、及]开户账号|开户银行|开户行|开户名称|户名|单位名称|"
    r"开户账号|资金账[户号]|银行账[户号]|银行帐[户号]|账号|帐号|账户|帐户)\s*[:：]?"
)
_ACCOUNT = re.compile(r"\d(?:[\d\s\-]*\d)?")
_BRANCH = re.compile(r"支行|分行|营业部|分理处|储蓄所|营业所|信用联社|信用社|分社|营业室")


def normalize_bank_account(raw: str | None) -> str | None:
    """Bank, (户名,) account joined by single spaces.

    Labels (开户银行：, 户名：, 账号：) are dropped; the account is the longest digit run
    (8+ digits; spaces or dashes inside it are dropped); the bank ends at its branch
    (…支行/分行/营业部…, else …银行) and what follows it is the account holder (户名). Parts
    written without spaces ("…朝阳支行长春金石…公司2558…", as OCR reads a cell) are split
    the same way.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = fix_digit_lookalikes(to_halfwidth_alnum(str(raw)))
    text = _BANK_LABELS.sub(" ", text)
    account = ""
    best = None
    for m in _ACCOUNT.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) >= 8 and (best is None or len(digits) > len(account)):
            best, account = m, digits
    rest = text[: best.start()] + " " + text[best.end() :] if best else text
    rest = re.sub(r"[，,；;、/|]+", " ", rest)
    words = rest.split()
    flat = "".join(words)
    bank, holder = flat, ""
    branches = list(_BRANCH.finditer(flat))
    ends = [m.end() for m in branches] or [m.end() for m in re.finditer("银行", flat)]
    if ends:
        bank, holder = flat[: ends[-1]], flat[ends[-1] :]
    elif len(words) > 1:
        bank, holder = words[0], "".join(words[1:])
    parts = [p for p in (bank, holder, account) if p]
    return " ".join(parts) or None


# --- 工作单位及职务 --------------------------------------------------------------------------

# Where a unit name ends. Strong suffixes name the employer itself; weak ones may also be a
# department inside it (技术中心), so a strong one is preferred as the split point.
_STRONG_UNIT_END = re.compile(r"有限责任公司|股份有限公司|有限公司|公司|集团|学院|大学|学校|医院|工厂|厂")
_WEAK_UNIT_END = re.compile(r"中心|研究院|研究所|设计院|院|所|局|站|馆|社|处|矿|场|队|会|委|办")


def normalize_employer_title(raw: str | None) -> str | None:
    """工作单位及职务 as "单位 职务" with one space between, as the form shows it.

    Line breaks are dropped. A space the writer put right after the end of a unit name
    (…公司 / …学院 / …中心 …) is kept; other spaces between Chinese characters are OCR noise
    and go. When no space is left, one is put after the unit name: the last strong ending
    (公司, 集团, 学院, 大学, 学校, 医院, 厂), else the last weak one (中心, 院, 所, 局 …), that
    leaves a title of at least two characters not starting with 长 (厂长, 所长 belong to the title).
    """
    if raw is None or is_placeholder(raw):
        return None
    text = to_halfwidth_alnum(str(raw))
    text = re.sub(r"\s*\n\s*", "", text.replace("\r", "\n"))
    pieces = text.split()
    if not pieces:
        return None
    out = pieces[0]
    for piece in pieces[1:]:
        boundary = _ends_unit(out) or not (is_cjk(out[-1]) and is_cjk(piece[0]))
        out += (" " if boundary else "") + piece
    if " " in out:
        parts = [normalize_text(p) for p in out.split(" ")]
        return " ".join(p for p in parts if p) or None
    return _split_unit_title(normalize_text(out) or "")


def _ends_unit(text: str) -> bool:
    return bool(re.search(f"(?:{_STRONG_UNIT_END.pattern}|{_WEAK_UNIT_END.pattern})$", text))


def _split_unit_title(text: str) -> str | None:
    if not text:
        return None
    for pattern in (_STRONG_UNIT_END, _WEAK_UNIT_END):
        for m in reversed(list(pattern.finditer(text))):
            title = text[m.end() :]
            if len(title) >= 2 and not title.startswith("长") and m.start() > 0:
                return f"{text[: m.end()]} {title}"
    return text


# --- names -------------------------------------------------------------------------------

_SEAL_NOTE = re.compile(r"[（(]\s*(?:单位)?(?:公章|盖章|签章|印章|签字|签名|章)\s*[)）]\s*$")


def normalize_person_name(raw: str | None) -> str | None:
    """A person's name: every space removed (forms space out two-character names: 王  刚),
    a trailing （签字） dropped."""
    text = normalize_text(raw)
    if text is None:
        return None
    text = _SEAL_NOTE.sub("", re.sub(r"\s+", "", text))
    return text or None


def normalize_unit_name(raw: str | None) -> str | None:
    """A unit name: the free-text rule, and a trailing （公章）/（盖章） dropped (covers write it)."""
    text = normalize_text(raw)
    if text is None:
        return None
    text = _SEAL_NOTE.sub("", text).strip()
    return text or None
