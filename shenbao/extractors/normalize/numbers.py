"""Numbers: Chinese numerals, OCR digit look-alikes, money (元), area (m²) and team size."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from shenbao.extractors.normalize.text import is_cjk, is_placeholder, nfkc

# --- OCR look-alikes for digits ---------------------------------------------------------

# Characters OCR returns for a digit in a numeric context. Only applied next to real digits.
DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "○": "0", "θ": "0",
    "I": "1", "l": "1", "|": "1", "!": "1", "i": "1", "丨": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "b": "6", "G": "6",
    "B": "8",
    "g": "9", "q": "9",
}
_LOOKALIKE_CLASS = "".join(re.escape(c) for c in DIGIT_LOOKALIKES)
# A run of digits, look-alikes and colons (OCR gives ':' for a thin "1") holding a real digit.
_NUMERIC_RUN = re.compile(rf"[0-9{_LOOKALIKE_CLASS}:]*[0-9][0-9{_LOOKALIKE_CLASS}:]*")


def fix_digit_lookalikes(text: str) -> str:
    """Replace OCR look-alikes inside digit runs: "0431-81122:05" → "0431-8112205", "l20" → "120".

    A colon counts as "1" only between two digits (a label colon has a letter before it).
    Runs without a real digit are left alone, and so is a look-alike letter at the edge of a
    run that touches a Latin word ("Tel0431"), so words are not turned into numbers.
    """

    def fix(m: re.Match[str]) -> str:
        run = m.group()
        if not any(c.isdigit() for c in run):
            return run
        # A look-alike letter glued to a real word ("Tel0431") is a letter, not a digit.
        before = m.string[m.start() - 1] if m.start() > 0 else ""
        after = m.string[m.end()] if m.end() < len(m.string) else ""
        out = []
        for i, c in enumerate(run):
            if c == ":":
                inner = 0 < i < len(run) - 1 and run[i - 1].isdigit() and run[i + 1].isdigit()
                out.append("1" if inner else c)
            elif c in DIGIT_LOOKALIKES:
                at_edge_word = (i == 0 and before.isascii() and before.isalpha()) or (
                    i == len(run) - 1 and after.isascii() and after.isalpha()
                )
                out.append(c if at_edge_word else DIGIT_LOOKALIKES[c])
            else:
                out.append(c)
        return "".join(out)

    return _NUMERIC_RUN.sub(fix, text)


# --- Chinese numerals -------------------------------------------------------------------

_CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2, "俩": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_SPECIAL: dict[str, int] = {"廿": 20, "卅": 30}
CN_NUMERAL_CHARS = "".join([*_CN_DIGITS, *_CN_SMALL_UNITS, *_CN_BIG_UNITS, *_CN_SPECIAL])


def parse_chinese_int(text: str) -> int | None:
    """Value of a Chinese numeral: 十二 → 12, 二十 → 20, 一百零五 → 105, 伍佰柒拾叁万 → 5730000.

    A run of bare digits without units reads digit by digit (二〇二五 → 2025).
    Returns None when `text` is not entirely a numeral.
    """
    if not text or any(c not in CN_NUMERAL_CHARS for c in text):
        return None
    if all(c in _CN_DIGITS for c in text):
        if len(text) == 1 or text[0] not in "两俩":
            return int("".join(str(_CN_DIGITS[c]) for c in text))
        return None
    total = 0  # completed big-unit sections
    section = 0  # value below the current big unit
    digit: int | None = None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SPECIAL:
            section += _CN_SPECIAL[c]
            digit = None
        elif c in _CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * _CN_SMALL_UNITS[c]
            digit = None
        else:  # big unit
            section += digit or 0
            digit = None
            total = (total + section) * _CN_BIG_UNITS[c] if section or total else _CN_BIG_UNITS[c]
            section = 0
    section += digit or 0
    return total + section


# --- plain numbers ----------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[,，.]\d+)*")


def _to_decimal(token: str) -> Decimal | None:
    """A written number with separators → Decimal, or None when the separators make no sense.

    "1,200" → 1200, "4,150,000.00" → 4150000.00, "120.5" → 120.5; "2,800.000" and "2.800.000"
    → 2800000 (OCR reads a ',' as '.'; amounts carry 2 decimals, never 3 after a group).
    """
    token = token.replace("，", ",")
    groups = re.split(r"[,.]", token)
    seps = re.findall(r"[,.]", token)
    if not seps:
        return Decimal(token)
    last_is_decimal = seps[-1] == "." and (len(seps) == 1 or len(groups[-1]) != 3)
    int_groups = groups[:-1] if last_is_decimal else groups
    if any(len(g) != 3 for g in int_groups[1:]):
        return None
    number = "".join(int_groups) + ("." + groups[-1] if last_is_decimal else "")
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


def number_value(value: Decimal) -> int | float:
    """An int when whole (300.00 → 300), else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def find_numbers(text: str) -> list[tuple[Decimal, int, int]]:
    """Every number written in `text` (digits or Chinese numerals), with its span."""
    found: list[tuple[Decimal, int, int]] = []
    for m in _NUMBER.finditer(text):
        value = _to_decimal(m.group())
        if value is not None:
            found.append((value, m.start(), m.end()))
    for m in re.finditer(f"[{CN_NUMERAL_CHARS}]+", text):
        # Skip lone big units and numerals inside words (一般, 一体化 ...): a numeral counts when
        # a unit of measure or the end of the text follows it.
        value = parse_chinese_int(m.group())
        if value is None or m.group() in _CN_BIG_UNITS:
            continue
        nxt = text[m.end() : m.end() + 1]
        if nxt and nxt not in "人名位个平㎡米元块" and is_cjk(nxt):
            continue
        found.append((Decimal(value), m.start(), m.end()))
    found.sort(key=lambda t: t[1])
    return found


def _prepare_numeric(raw: str) -> str:
    text = fix_digit_lookalikes(nfkc(raw))
    # Spaces inside numbers ("5 730 000", "1 20") are layout or OCR, never meaningful.
    return re.sub(r"(?<=\d)\s+(?=[\d,.])|(?<=[\d,.])\s+(?=\d)", "", text)


# --- money (元) --------------------------------------------------------------------------


def normalize_amount_yuan(raw: str | None) -> int | float | None:
    """An amount in 元: "5,730,000.00元" → 5730000, "573万元" → 5730000, "57.3万" → 573000.

    Chinese upper-case amounts (伍佰柒拾叁万元整) are read when no digits are written.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = _prepare_numeric(raw)
    numbers = find_numbers(text)
    if not numbers:
        return None
    value, _start, end = numbers[0]
    tail = text[end : end + 3]
    if re.match(r"\s*亿", tail):
        value *= 100_000_000
    elif re.match(r"\s*[万萬]", tail):
        value *= 10_000
    value = value.quantize(Decimal("0.01"))
    return number_value(value)


# --- area (m²) ---------------------------------------------------------------------------

_AREA_UNIT = re.compile(r"(?:平方米|平方|平米|㎡|m\s*[2²]|M\s*[2²]|m\^2|sqm)", re.IGNORECASE)
_TOTAL_WORDS = re.compile(r"(?:共计|合计|总计|总面积|总共|共有|共|计)\s*约?\s*$")
_BARE_SQUARE = re.compile(r"(?<=\d)\s*²")


def normalize_area(raw: str | None) -> int | float | None:
    """工作室面积 in m²: "约300平方米", "300m²", "300㎡", "1,200平方米", "三百平方米" → 300 / 1200.

    Several areas ("实训区200㎡、办公室50㎡") add up unless one is marked as the total (共/合计),
    and anything after 其中 is a breakdown of what came before.
    """
    if raw is None or is_placeholder(raw):
        return None
    # A ² right after a number is m² whose m the recogniser lost; NFKC would make it a digit.
    text = _prepare_numeric(_BARE_SQUARE.sub("㎡", raw))
    text = _AREA_UNIT.sub("㎡", text)
    text = re.split(r"其中", text, maxsplit=1)[0]
    numbers = find_numbers(text)
    if not numbers:
        return None
    for value, start, _end in numbers:
        if _TOTAL_WORDS.search(text[:start]):
            return number_value(value)
    with_unit = [v for v, _s, e in numbers if text[e : e + 2].lstrip().startswith("㎡")]
    if len(with_unit) >= 2:
        return number_value(sum(with_unit, Decimal(0)))
    return number_value(with_unit[0] if with_unit else numbers[0][0])


# --- team size ---------------------------------------------------------------------------

_COUNT_UNIT = "人名位个"
_STATED_TOTAL = re.compile(rf"(?:共计|合计|总计|总共|共有|共|计)\s*(\d+|[{CN_NUMERAL_CHARS}]+)\s*[{_COUNT_UNIT}]")
_STATED_COUNT = re.compile(rf"(?<![\d.])(\d+|[{CN_NUMERAL_CHARS}]+)\s*[{_COUNT_UNIT}](?!次|天|年|项|台|套|册)")
_LIST_SEPARATORS = re.compile(r"[、，,；;／/]+")
_PARENTHETICAL = re.compile(r"[（(][^）)]*[）)]?")
_NAME = re.compile(r"[\u3400-\u9fff·•.]{2,8}")


_ROLE_COUNT = re.compile(rf"[\u4e00-\u9fff]{{1,8}}?(\d+|[{CN_NUMERAL_CHARS}]+)[{_COUNT_UNIT}]")


def _composition_total(text: str) -> int | None:
    """"技能大师1人、高级技师3人、技师5人" (a breakdown with no total): the sum."""
    segments = [seg for seg in re.split(r"[、，,；;]", text.rstrip("。.")) if seg]
    if len(segments) < 2:
        return None
    total = 0
    for seg in segments:
        m = _ROLE_COUNT.fullmatch(seg)
        n = _count_value(m.group(1)) if m else None
        if n is None:
            return None
        total += n
    return total


def _count_value(token: str) -> int | None:
    """A head count from its written form; None for what cannot be one (万 in 万人杰, 1000+)."""
    value = int(token) if token.isdigit() else parse_chinese_int(token)
    if value is None or value > 999 or token[0] in _CN_BIG_UNITS:
        return None
    return value


def normalize_team_size(raw: str | None) -> int | None:
    """工作室人员 as a head count.

    Rules, in order:
    1. A stated total wins: "共12人", "合计12名" (list or not).
    2. Otherwise a breakdown without total adds up ("技能大师1人、技师3人、高级工5人" → 9), and
       else the first stated count before any 其中 breakdown: "12人", "团队成员13名：…",
       "十二人"; a bare number ("12") too.
    3. Otherwise count the people listed: names separated by 、，,；; or /, the cell's line
       breaks being dropped first (a name can wrap mid-name); when the cell has none of those
       separators, one person per line (a member table: the first word of each row that
       looks like a name, header rows with 姓名 skipped), or space-separated names on a line.
       A list ending in 等 is incomplete: None.
    """
    if raw is None or is_placeholder(raw):
        return None
    text = nfkc(raw)
    flat = re.sub(r"\s+", "", text)
    head = re.split(r"其中", flat, maxsplit=1)[0]
    m = _STATED_TOTAL.search(head)
    if m and (n := _count_value(m.group(1))) is not None:
        return n
    composition = _composition_total(head)
    if composition is not None:
        return composition
    m = _STATED_COUNT.search(head)
    if m and (n := _count_value(m.group(1))) is not None:
        return n
    if re.fullmatch(r"\d{1,3}", flat):
        return int(flat)
    return _count_listed_people(text)


_ROLE_LABEL = re.compile(r"[\u4e00-\u9fff]{1,6}[:：]")
_MEMBER_LABELS = frozenset({"团队成员", "工作室成员", "工作室人员", "主要成员", "成员", "人员", "团队"})


def _count_listed_people(text: str) -> int | None:
    # Lead-ins and role labels ("团队成员：", "组长：张三；成员：…") act as separators.
    body = _ROLE_LABEL.sub("、", text)
    if _LIST_SEPARATORS.search(body):
        flat = re.sub(r"\s+", "", body).rstrip("。.")
        if flat.endswith(("等", "等人")):
            return None  # "张三、李四等": the list is not the whole team
        items = [_PARENTHETICAL.sub("", it).strip("。.") for it in _LIST_SEPARATORS.split(flat)]
        names = [it for it in items if any(is_cjk(c) for c in it)]
        return len(names) or None
    lines = [ln.split() for ln in body.splitlines() if ln.strip()]
    lines = [[t for t in words if t not in _MEMBER_LABELS] for words in lines]
    lines = [words for words in lines if words]
    if len(lines) > 1:
        rows = sum(
            1
            for words in lines
            if "姓名" not in "".join(words) and _NAME.fullmatch(_PARENTHETICAL.sub("", words[0]))
        )
        return rows or None
    tokens = [_PARENTHETICAL.sub("", t) for t in (lines[0] if lines else [])]
    # Space-separated names; a lone word (若干, 待定) is not a list of people.
    if len(tokens) >= 2 and all(_NAME.fullmatch(t) for t in tokens):
        return len(tokens)
    return None
