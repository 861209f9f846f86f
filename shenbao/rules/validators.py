"""Format validators for the identifiers and contact data on an application form.

All validators take the *normalised* value (see `shenbao.extractors.normalize`), are pure and
never raise on bad input: anything that is not a string simply fails validation.

- 身份证号: GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check character, real birth date,
  plausible province code).
- 统一社会信用代码: GB 32100-2015 (18 characters over a 31-symbol alphabet, MOD 31 check character).
- Phones, e-mail, 邮政编码: the shapes Chinese forms use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# --- 身份证号 (GB 11643) -------------------------------------------------------------------

# ISO 7064 MOD 11-2: weight of position i (0-based, left to right) is 2^(17-i) mod 11.
_ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"  # indexed by (sum of weighted digits) mod 11

# First two digits of the administrative division code: the provinces of GB/T 2260 plus
# 71 台湾, 81 香港, 82 澳门 (residence permits use those).
_PROVINCE_CODES: frozenset[int] = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82]
)

_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdCheck:
    """What `validate_id_number` found out about one 身份证号.

    `birth_date` and `gender` are read whenever the digits that carry them are readable, even
    when the number as a whole is invalid: a rule comparing 出生年月 with the ID still wants them.
    """

    number: str
    valid: bool
    length_ok: bool
    checksum_ok: bool
    date_ok: bool
    region_ok: bool
    birth_date: date | None = None
    gender: str | None = None  # "男" / "女" from the 17th digit (odd = 男)
    problems: tuple[str, ...] = field(default_factory=tuple)


def validate_id_number(s: object, today: date | None = None) -> IdCheck:
    """Check an 18-character 身份证号 against GB 11643.

    Valid means: 17 digits + check character (digit or upper-case X), the ISO 7064 MOD 11-2
    check character matches, digits 7–14 are a real date between 1900-01-01 and `today`, and
    the first two digits are a real province code. Surrounding whitespace and a lower-case x
    are tolerated (case is not what the checksum is about).
    """
    today = today or date.today()
    number = s.strip().upper() if isinstance(s, str) else ""
    problems: list[str] = []

    length_ok = len(number) == 18
    shape_ok = bool(_ID_SHAPE.fullmatch(number)) and number.isascii()
    if not length_ok:
        problems.append(f"length {len(number)}, expected 18")
    elif not shape_ok:
        problems.append("not 17 digits followed by a digit or X")

    checksum_ok = shape_ok and id_check_char(number[:17]) == number[17]
    if shape_ok and not checksum_ok:
        problems.append("check character does not match")

    birth = _id_birth_date(number)
    date_ok = birth is not None and date(1900, 1, 1) <= birth <= today
    if birth is None:
        problems.append("digits 7-14 are not a real date")
    elif not date_ok:
        problems.append(f"birth date {birth.isoformat()} outside 1900-01-01..{today.isoformat()}")

    region_ok = number[:2].isascii() and number[:2].isdigit() and int(number[:2]) in _PROVINCE_CODES
    if not region_ok:
        problems.append(f"province code {number[:2]!r} does not exist")

    gender = None
    if len(number) >= 17 and number[16].isascii() and number[16].isdigit():
        gender = "男" if int(number[16]) % 2 == 1 else "女"

    valid = length_ok and shape_ok and checksum_ok and date_ok and region_ok
    return IdCheck(
        number=number,
        valid=valid,
        length_ok=length_ok,
        checksum_ok=checksum_ok,
        date_ok=date_ok,
        region_ok=region_ok,
        birth_date=birth,
        gender=gender,
        problems=tuple(problems),
    )


def _id_birth_date(number: str) -> date | None:
    digits = number[6:14]
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


# --- 统一社会信用代码 (GB 32100) ------------------------------------------------------------

# 31 symbols: digits and upper-case letters without I, O, Z, S, V; a symbol's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
# Weight of position i is 3^i mod 31.
_USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError(f"need 17 characters of the GB 32100 alphabet, got {first17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(s: object) -> bool:
    """True when `s` is an 18-character 统一社会信用代码 with a correct GB 32100 check character.

    Structure checked: every character in the 31-symbol alphabet, characters 3–8 (the
    administrative division code) digits. Characters 1–2 may be letters (A/N/Y registering
    authorities exist), which `stdnum.cn.uscc` wrongly rejects; that is why this is our own.
    """
    if not isinstance(s, str):
        return False
    code = s.strip().upper()
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    if not code[2:8].isdigit():
        return False
    return credit_code_check_char(code[:17]) == code[17]


# --- what is wrong with a code ---------------------------------------------------------

# `code_fault` for a code of the right shape whose check character, date or region is wrong.
CHECK_FAILED = "校验位不符"


def id_shape_fault(value: str) -> str | None:
    """What makes `value` no 18-character 身份证号 by its shape alone (None: the shape is right)."""
    return _shape_fault(value, r"[^0-9Xx]", "身份证号")


def credit_code_shape_fault(value: str) -> str | None:
    """What makes `value` no 18-character 统一社会信用代码 by its shape alone."""
    # Letters the code does not use (I, O, S, V, Z) are left to the checksum: a look-alike a
    # person could have typed. Punctuation, spaces and Chinese characters nobody types there.
    return _shape_fault(value, r"[^0-9A-Za-z]", "信用代码")


def _shape_fault(value: str, foreign: str, name: str) -> str | None:
    """A character `foreign` matches, else a length other than 18; None when neither."""
    if re.search(foreign, value):
        return f"含{name}中不可能出现的字符"
    if len(value) != 18:
        return f"只识别出 {len(value)} 位（应为 18 位）"
    return None


def code_fault(kind: str, value: str) -> str | None:
    """What makes `value` no valid code of `kind` ("id_number" or "credit_code"): its shape, or
    CHECK_FAILED; None when it is one."""
    if kind == "id_number":
        return id_shape_fault(value) or (None if validate_id_number(value).valid else CHECK_FAILED)
    if kind == "credit_code":
        return credit_code_shape_fault(value) or (None if validate_credit_code(value) else CHECK_FAILED)
    raise ValueError(f"no code of kind {kind!r}")


# --- contact data ----------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area code: 010 and 02X are three digits, every other area code four (0 + 3 digits, not 00/01/02).
# Local number 7 or 8 digits; an optional extension after a dash.
_LANDLINE = re.compile(r"(?:0(?:10|2\d)-?\d{8}|0[3-9]\d{2}-?\d{7,8})(?:-\d{1,6})?")
_LOCAL_ONLY = re.compile(r"[2-9]\d{6,7}")
_EMAIL = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_])?"  # local part: no leading/trailing dot
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
_POSTCODE = re.compile(r"\d{6}")


def validate_mobile(s: object) -> bool:
    """11-digit mainland mobile number starting 13–19."""
    return isinstance(s, str) and _MOBILE.fullmatch(s.strip()) is not None


def validate_landline(s: object, require_area_code: bool = True) -> bool:
    """Fixed-line number `0AAA-LLLLLLL(L)` / `0AA-LLLLLLLL`, dash optional, optional `-ext`.

    Beijing (010) and the 02X cities have 8-digit local numbers; other cities 7 or 8.
    With `require_area_code=False` a bare 7–8 digit local number is accepted too.
    """
    if not isinstance(s, str):
        return False
    s = s.strip()
    if _LANDLINE.fullmatch(s):
        return True
    return not require_area_code and _LOCAL_ONLY.fullmatch(s) is not None


def validate_phone(s: object) -> bool:
    """A mobile or a landline with area code."""
    return validate_mobile(s) or validate_landline(s)


def validate_email(s: object) -> bool:
    """A plain `local@domain.tld` address (no spaces, no full-width characters, no consecutive dots)."""
    if not isinstance(s, str):
        return False
    s = s.strip()
    return _EMAIL.fullmatch(s) is not None and ".." not in s


def validate_postcode(s: object) -> bool:
    """A 6-digit 邮政编码."""
    return isinstance(s, str) and s.isascii() and _POSTCODE.fullmatch(s.strip()) is not None
