"""职工教育经费 proof: the year's total and the part used for high-skill training, in 元.

The proof is a small table (项目 | 金额（元）) or a sentence ("职工教育经费总额为392.12万元，其中
用于高技能人才培养的经费为200万元"). Each amount is the first number after its label in the
row (or the sentence), with its own unit (万元 / 元) when one is written; a bare number takes the
unit of the amount column's header ("金额（万元）") and is 元 otherwise. A percentage (占比) is never
an amount, but it checks the two: on a scan, one misread digit in either amount that the share
written beside them contradicts is put right when exactly one such digit makes all three agree.
"""

from __future__ import annotations

import re
from decimal import Decimal

from shenbao.extractors.evidence.layout import PageText, label_pattern
from shenbao.extractors.evidence.model import TrainingFundRead, Value
from shenbao.extractors.normalize import fix_digit_lookalikes
from shenbao.pipeline.types import PageKind

TOTAL = ("职工教育经费总额", "教育经费总额", "职工教育经费提取总额", "职工教育经费合计", "提取职工教育经费", "职工教育经费")
HIGH = (
    "用于高技能人才培养的经费", "用于高技能人才培养经费", "高技能人才培养经费", "用于高技能人才培养",
    "高技能人才培养", "高技能人才培训经费", "高技能人才",
)
# 12,345.67 / 1234567 / 392.12 — commas as thousands separators, OCR may give ， or ．; a
# full stop after the number ("4,150,000.00.") ends the sentence, it does not cut the number
_NUMBER = re.compile(
    r"(?<![\d.．,，])(\d+(?:[.．,，]\d+)*)(?![\d])(?![.．,，]\d)\s*(万元|万|元)?(?!\s*[%％年月日号人名项次个期])"
)


def parse_amount(token: str, per_wan: bool) -> Decimal | None:
    """A written amount: thousands separators and a decimal part, whichever marks OCR gave them.

    OCR reads the comma of 2,800,000 as a dot often enough ("2.800.000", "980.500"), so a
    separator followed by exactly three digits is a thousands separator, and only a last
    group of one or two digits (or any group in a 万元 amount: 392.125万元) is decimals.
    """
    groups = re.split(r"[.．,，]", token)
    if len(groups) == 1:
        return Decimal(groups[0])
    head, *rest = groups
    if per_wan and len(rest) == 1 and token[len(head)] in ".．":
        return Decimal(f"{head}.{rest[0]}")
    decimals = ""
    if len(rest[-1]) != 3:
        decimals = rest.pop()
    if any(len(g) != 3 for g in rest):
        return None  # not a well-formed amount (two numbers run together)
    return Decimal(head + "".join(rest) + (f".{decimals}" if decimals else ""))


def _unit_of_column(pt: PageText) -> Decimal:
    text = pt.text.replace(" ", "")
    if re.search(r"[（(]\s*万元\s*[)）]|单位[:：]\s*万元", text):
        return Decimal(10000)
    return Decimal(1)


def _amount_after(pt: PageText, label_rx: re.Pattern[str], skip: re.Pattern[str] | None,
                  column_unit: Decimal) -> Value | None:
    text, where = pt.flat(row_sep="\n", keep_gaps=True)
    for m in label_rx.finditer(text):
        if skip is not None and skip.match(text, m.start()):
            continue
        # the amount follows in the same row, or (a table whose cells wrap) in the next one
        tail_end = text.find("\n", m.end())
        tail_end = len(text) if tail_end < 0 else tail_end
        nxt = text.find("\n", tail_end + 1)
        windows = [(m.end(), tail_end)]
        if nxt != -1 or tail_end < len(text):
            windows.append((tail_end + 1, nxt if nxt != -1 else len(text)))
        for k, (a, b) in enumerate(windows):
            seg = text[a:b]
            if k and (_TOTAL_RX.search(seg) or _HIGH_RX.search(seg)):
                break  # the next row is another item of the table, not this one's amount
            cut = re.search(r"其中|用于|占比|比例", seg)
            if cut and a == m.end():
                seg = seg[: cut.start()]
            n = _NUMBER.search(fix_digit_lookalikes(seg))
            if not n:
                continue
            unit = n.group(2) or ""
            per_wan = unit.startswith("万") or (not unit and column_unit != 1)
            try:
                amount = parse_amount(n.group(1), per_wan)
            except ArithmeticError:
                amount = None
            if amount is None:
                continue
            factor = Decimal(10000) if unit.startswith("万") else (Decimal(1) if unit else column_unit)
            value = amount * factor
            span = pt.locate(where, a + n.start(), a + n.end())
            if span is None:
                continue
            number: int | float = int(value) if value == value.to_integral_value() else float(value)
            return Value(value=number, raw=span.text, page=span.page, bbox=span.bbox,
                         confidence=round(span.confidence, 3))
    return None


def _rx(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{label_pattern(t)})" for t in sorted(labels, key=len, reverse=True)))


_TOTAL_RX = _rx(TOTAL)
_HIGH_RX = _rx(HIGH)
# "职工教育经费" that is the start of "职工教育经费使用情况" (the title) is no amount label
_TOTAL_SKIP = re.compile(r"职工教育经费(?:使用|支出|提取和使用)")


def read_training_fund(pages: list[PageText]) -> TrainingFundRead:
    read = TrainingFundRead(pages=[pt.number for pt in pages])
    shares: list[Decimal] = []
    for pt in pages:
        unit = _unit_of_column(pt)
        if read.total is None:
            read.total = _amount_after(pt, _TOTAL_RX, _TOTAL_SKIP, unit)
        if read.high_skill is None:
            read.high_skill = _amount_after(pt, _HIGH_RX, None, unit)
        shares += _shares(pt)
        if read.year is None:
            read.year = _year(pt)
    if shares and read.total is not None and read.high_skill is not None:
        scanned = {pt.number for pt in pages if pt.page.kind is PageKind.SCAN}
        _reconcile(read, shares, scanned)
    return read


# "2024年度职工教育经费…", "2024年职工教育经费": the year the amounts are for (not a date's year).
_FUND_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:\s*度)?(?!\s*\d{1,2}\s*月)")


def _year(pt: PageText) -> Value | None:
    span = pt.search(_FUND_YEAR, 1)
    if span is None:
        return None
    return Value(value=int(span.text.strip()), raw=span.text, page=span.page, bbox=span.bbox,
                 confidence=round(span.confidence, 3))


_SHARE = re.compile(r"(?:占比|比例|比重|占)[^\d\n]{0,12}?(\d{1,3}(?:[.．]\d{1,2})?)\s*[%％]")


def _shares(pt: PageText) -> list[Decimal]:
    """Every percentage the page gives after 占比/比例/占 (58.3%): the share of high-skill in
    total, or another rate (an extraction rate of 8% of payroll); the amounts tell which."""
    out = []
    for m in _SHARE.finditer(pt.text.replace(" ", "")):
        value = Decimal(m.group(1).replace("．", "."))
        if 0 < value <= 100:
            out.append(value)
    return out


def _agrees(high: Decimal, total: Decimal, share: Decimal) -> bool:
    if total <= 0:
        return False
    places = -share.as_tuple().exponent if share.as_tuple().exponent < 0 else 0
    half_step = Decimal(5) / Decimal(10) ** (places + 1)
    return abs(high * 100 / total - share) <= half_step + Decimal("0.0001")


def _reconcile(read: TrainingFundRead, shares: list[Decimal], scanned: set[int]) -> None:
    """Put right one misread digit of an amount read by OCR (its page in `scanned`) that the
    written share contradicts: the only single-digit change of either amount that makes amount,
    amount and a written percentage agree. Nothing changes when a percentage already agrees
    with the amounts as read, or when no change or more than one would do."""
    assert read.total is not None and read.high_skill is not None
    total, high = Decimal(str(read.total.value)), Decimal(str(read.high_skill.value))
    if any(_agrees(high, total, share) for share in shares):
        return
    fixes: set[tuple[str, Decimal]] = set()
    for share in shares:
        if read.high_skill.page in scanned:
            fixes |= {("high_skill", v) for v in _one_digit_changes(high) if _agrees(v, total, share)}
        if read.total.page in scanned:
            fixes |= {("total", v) for v in _one_digit_changes(total) if _agrees(high, v, share)}
    if len(fixes) != 1:
        return
    which, value = fixes.pop()
    old: Value = getattr(read, which)
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    setattr(read, which, Value(value=number, raw=old.raw, page=old.page, bbox=old.bbox,
                               confidence=old.confidence))


def _one_digit_changes(amount: Decimal) -> list[Decimal]:
    text = format(amount.normalize(), "f")
    out = []
    for i, ch in enumerate(text):
        if not ch.isdigit():
            continue
        for d in "0123456789":
            if d != ch and not (i == 0 and d == "0"):
                out.append(Decimal(text[:i] + d + text[i + 1:]))
    return out

