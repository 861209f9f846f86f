"""The bank a 开户银行 value opens with, and the near-misses of a known bank's name a scan made.

A bank account cell reads bank, branch, account (中国邮政储蓄银行武汉东西湖支行 2447…). On a scan
the bank's name loses a character at the line's edge (国邮政储蓄银行: the 中 faint beside the
rule) or has one misread (中国农止银行). The banks themselves are few and known
(data/banks.txt), so an opening one character off exactly one of them is that bank misread;
whether the image supports it is for the caller to judge from the recogniser's frames. An
opening that already names a known bank exactly is never touched, nor one off two banks alike.
"""

from __future__ import annotations

import functools
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from shenbao.matchers.places import Mend

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "banks.txt"


class BankListError(ValueError):
    """data/banks.txt does not say what it must."""


@functools.cache
def load(path: Path = DEFAULT_PATH) -> tuple[str, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BankListError(f"{path}: {exc}") from exc
    names = tuple(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
    short = [n for n in names if len(n) < 4 or " " in n]
    if not names or short:
        raise BankListError(f"{path}: expected bank names of four characters or more, one a line: {short[:3]}")
    return names


def mends(text: str, banks: tuple[str, ...]) -> list[Mend]:
    """The known bank `text` opens with one character off (a character lost, added or
    misread), as a mend of that opening; none where the opening names a bank exactly."""
    lead = len(text) - len(text.lstrip())
    body = text[lead:]
    if any(body.startswith(b) for b in banks):
        return []
    found: dict[str, str] = {}  # bank -> the opening as read
    for bank in banks:
        for n in (len(bank) - 1, len(bank), len(bank) + 1):
            window = body[:n]
            if len(window) == n and Levenshtein.distance(window, bank) == 1 and window[-1] == bank[-1]:
                found.setdefault(bank, window)
                break
    reads = set(found.values())
    if len(reads) != 1:
        return []  # nothing near, or two banks near different openings: not one misread
    read = reads.pop()
    return [Mend(lead, read, tuple(sorted(found)), "", kind="bank")]
