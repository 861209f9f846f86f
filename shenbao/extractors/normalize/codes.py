"""身份证号 and 统一社会信用代码, with checksum-guided repair of OCR look-alikes.

A character that cannot stand where it stands (a letter among the 17 digits of an ID number,
an I/O/Z/S/V or punctuation in a credit code, a letter in the credit code's region digits) is
an OCR slip. Each such position gets its look-alike candidates; a combination is accepted only
when it makes the checksum validate and is the only one that does. Otherwise the cleaned,
upper-cased text is returned unchanged and the validator reports it.

Characters that *can* stand where they stand are not touched by default: changing them
until the checksum passes would "repair" numbers that are really wrong (a MOD 11 check passes
one random change in 11, a MOD 31 check one in 31). `normalize_credit_code(...,
allow_lookalike_swaps=True)` allows one such swap (B↔8, D↔0, G↔6 …), for OCR sources only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from shenbao.extractors.normalize.text import is_placeholder, nfkc, strip_label
from shenbao.rules.validators import USCC_ALPHABET, id_check_char, validate_credit_code

# Candidates for a character OCR returned where a digit belongs, most likely first.
_DIGIT_FOR: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "〇": "0", "○": "0", "θ": "0",
    "I": "1", "l": "1", "|": "1", "!": "1", "i": "1", "L": "17", "J": "1", "T": "71", ":": "1",
    "丨": "1", "[": "1", "]": "1",
    "Z": "27", "z": "27",
    "E": "3",
    "A": "4", "h": "4",
    "S": "58", "s": "58", "$": "5",
    "G": "6", "b": "6",
    "B": "8", "&": "8",
    "g": "9", "q": "9",
}
# Letters for a credit-code character: the ones GB 32100 leaves out (V) read as a neighbour,
# and digits that may be a letter misread (used only by the optional swap).
_CODE_CHAR_FOR: dict[str, str] = {"V": "UY", "0": "DQU", "1": "L", "8": "B", "6": "G", "7": "T", "4": "A"}
_X_LIKE = frozenset("xX×ⅩχΧ╳乂K")

_ID_LABELS = ("公民身份号码", "身份证号码", "身份证号", "证件号码", "身份证")
_CODE_LABELS = ("统一社会信用代码", "社会统一信用代码", "信用代码")
_MAX_COMBINATIONS = 4096
_USCC_SET = frozenset(USCC_ALPHABET)


def _clean(raw: str, labels: tuple[str, ...]) -> str:
    text = strip_label(nfkc(str(raw)), labels)
    text = re.sub(r"[\s\-_.·•]+", "", text)
    # Keep the longest run of code-like characters (drops 注 / （复印件）… around the number).
    runs = re.findall(r"[0-9A-Za-z|!:$&\[\]×ⅩχΧ╳乂〇○θ丨]+", text)
    if not runs:
        return ""
    best = max(runs, key=len)
    if len(best) > 18:
        best = best.strip(":")
    return best


def _repair(options: list[list[str]], is_valid: Callable[[str], bool]) -> str | None:
    """The unique combination of per-position options that validates, or None."""
    count = 1
    for opts in options:
        count *= len(opts)
        if count > _MAX_COMBINATIONS:
            return None
    found = {"".join(combo) for combo in itertools.product(*options) if is_valid("".join(combo))}
    return found.pop() if len(found) == 1 else None


# --- 身份证号 ----------------------------------------------------------------------------


def normalize_id_number(raw: str | None) -> str | None:
    """18-character 身份证号, `X` upper case, OCR look-alikes repaired when the checksum agrees.

    O/o/D/Q → 0, I/l/|/! → 1, Z → 2, S → 5, B → 8 … are tried only at positions where a
    letter cannot be; the result must pass the GB 11643 check character, else the cleaned
    upper-cased raw text is returned as it is.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = _clean(raw, _ID_LABELS)
    if not text:
        return None
    if len(text) != 18:
        return text.upper()
    options: list[list[str]] = []
    forced = False
    for i, c in enumerate(text):
        if c.isascii() and c.isdigit():
            options.append([c])
        elif i == 17 and c in _X_LIKE:
            options.append(["X"])
        else:
            forced = True
            cands = list(_DIGIT_FOR.get(c, ""))
            if i == 17 and c not in _DIGIT_FOR:
                cands.append("X")
            options.append(cands or [c])
    if not forced:
        return text.upper()
    repaired = _repair(options, _id_checksum_ok)
    return repaired if repaired is not None else text.upper()


def _id_checksum_ok(s: str) -> bool:
    return s.isascii() and s[:17].isdigit() and id_check_char(s[:17]) == s[17]


# --- 统一社会信用代码 --------------------------------------------------------------------


def normalize_credit_code(raw: str | None, allow_lookalike_swaps: bool = False) -> str | None:
    """18-character 统一社会信用代码, upper case, OCR slips repaired when the check character agrees.

    Forced repairs: characters outside the GB 32100 alphabet (I O Z S V, '!', ':' …) and
    letters among characters 3–8 (the region code, digits only) are replaced by their
    look-alikes; lower-case letters may be either the letter or a look-alike digit. With
    `allow_lookalike_swaps`, one valid character may additionally be swapped for a look-alike
    (8↔B, 0↔D, 6↔G, 7↔T, 4↔A, 1↔L). Only a unique validating repair is taken.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = _clean(raw, _CODE_LABELS)
    if not text:
        return None
    upper = text.upper()
    if len(text) != 18 or validate_credit_code(upper):
        return upper
    options: list[list[str]] = []
    for i, c in enumerate(text):
        region = 2 <= i <= 7
        u = c.upper()
        if c.isascii() and c.isdigit():
            options.append([c])
        elif c.islower() and u in _USCC_SET and not region:
            options.append([u, *_DIGIT_FOR.get(c, "")])
        elif u in _USCC_SET and not region:
            options.append([u])
        else:
            cands = list(_DIGIT_FOR.get(c, "") + _DIGIT_FOR.get(u, ""))
            if not region:
                cands += list(_CODE_CHAR_FOR.get(u, ""))
            options.append(list(dict.fromkeys(cands)) or [u])
    repaired = _repair(options, validate_credit_code)
    if repaired is not None:
        return repaired
    if allow_lookalike_swaps:
        fixes: set[str] = set()
        for i, opts in enumerate(options):
            if len(opts) != 1 or 2 <= i <= 7:
                continue
            swaps = [x for x in _CODE_CHAR_FOR.get(opts[0], "") + _DIGIT_FOR.get(opts[0], "") if x in _USCC_SET]
            if swaps:
                found = _repair([*options[:i], swaps, *options[i + 1 :]], validate_credit_code)
                if found is not None:
                    fixes.add(found)
        if len(fixes) == 1:
            return fixes.pop()
    return upper
