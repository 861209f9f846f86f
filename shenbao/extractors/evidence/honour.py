"""荣誉证书 and similar award certificates: who holds it, which honour, when, from whom.

Certificates are prose, not label/value pairs: "授予 张三 同志 “三晋技术能手”荣誉称号" or
"张三同志：经评审，被评为武汉市首席技师。特发此证。", then the issuing body and the date at the
bottom right (often in Chinese numerals, 二〇一九年五月).

- Holder: the name right before 同志 (授予/兹授予 … in front dropped), else the short line
  ending in "：" that opens the text.
- Honour: a recognised title found in the text (shenbao.matchers.mentions: the honour list's
  titles and aliases, look-alike tolerant, also across a line break); written as the quoted
  phrase around it when there is one. Without a recognised mention, the phrase after
  被授予/被评为/荣获/认定为 (or in quotes) is taken as written. The canonical title and score
  come from match_honour on the written phrase (None when it matches nothing well enough).
- Year: the year of the issue date, i.e. the date written lowest on the page; a year
  followed by 度 ("在2019年度工作中") is what the honour was for, not when it was given.
- Issuer: the line just above that date when it names a body (…厅/局/政府/委员会/工会…).
"""

from __future__ import annotations

import re
from datetime import date

from shenbao.extractors.evidence.common import make_value, plain_text
from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import HonourCertificateRead, Value
from shenbao.matchers.honours import HonourList, match_honour
from shenbao.matchers.mentions import Mention, find_mentions

# Words that run into the name before 同志 when OCR closes the gap ("为表彰张三同志").
_PREFIXES = ("为表彰", "兹授予", "特授予", "授予", "表彰", "奖给", "颁发给", "兹有", "经评审", "经研究", "恭喜", "祝贺", "奖励")
_NAME_BEFORE = re.compile(r"([\u3400-\u9fff][\u3400-\u9fff·]{1,7})$")
_OPENING = re.compile(r"^([\u3400-\u9fff·]{2,4})(?:同志|先生|女士)?[：:]$")
_TRIGGER = re.compile(r"(?:被授予|被评为|授予|荣获|被认定为|认定为|评为|获得)[“\"「『]?([^。，,；;“”\"」』]{2,30}?)(?:[”\"」』]|荣誉称号|称号|。|，|$)")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SHORT_CN_YEAR = re.compile(r"(?<![〇○零一二三四五六七八九\d])([〇○零一二三四五六七八九]{3})年")
_FOR_YEAR = re.compile(r"\s*(?:度|学年|学期|届)")  # right after a mention's "年"
_FOR_YEAR_RX = re.compile(r"((?:19|20)\d{2})\s*(?:年度|学年)")
_RANGE_BEFORE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至]\s*$")
_ORG_IN = re.compile(
    r"(?:厅|局|部|政府|委员会|委|工会|协会|联合会|公司|中心|学院|学校|大学|院|办公室|集团|社|组委会|党委|团委|妇联|政协)"
)


def read_honour_certificate(pages: list[PageText], honours: HonourList, jurisdiction: str | None = None) -> HonourCertificateRead:
    read = HonourCertificateRead(pages=[pt.number for pt in pages])
    for pt in pages:
        text, where = pt.flat()
        mentions = find_mentions(text, honours)
        if read.holder is None:
            read.holder = _holder(pt)
        if read.title_text is None:
            title_span = _title_span(pt, text, where, mentions)
            if title_span is not None:
                read.title_text = make_value(title_span, plain_text)
        if read.year is None:
            read.year = _issue_year(pt, where, mentions)
        if read.issuer is None:
            read.issuer = _issuer(pt, read.year)
        if read.number is None:
            read.number = make_value(pt.search(_NUMBER, 1), _certificate_no)
    if read.title_text is not None:
        match = match_honour(str(read.title_text.value), honours, jurisdiction)
        read.title = match.title
        read.match_score = round(float(match.score), 1)
        if read.title is None:
            # the mention ruler matched a listed spelling exactly (look-alikes folded)
            text = str(read.title_text.value)
            found = [m for m in find_mentions(text, honours) if m.kind == "honour" and m.title]
            if len(found) == 1 and found[0].end - found[0].start >= len(text) - 2:
                read.title = found[0].title
    return read


# 证书编号 / 编号 / 证号 / No. and the code after it (letters, digits, dashes; a year in 〔〕).
_NUMBER = re.compile(r"(?:证\s*书\s*编\s*号|编\s*号|证\s*号|N\s*[oO0]\s*[.．]?)\s*[：:]?\s*([A-Za-z0-9][A-Za-z0-9\-〔〕\[\]()（）]{3,})")


def _certificate_no(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw)
    return text if sum(c.isdigit() for c in text) >= 3 else None


# --- holder -------------------------------------------------------------------------------------


def _holder(pt: PageText) -> Value | None:
    for ri, row in enumerate(pt.rows):
        for m in re.finditer(r"同\s*志", row.text):
            before = row.text[: m.start()].rstrip()
            # the name is the run just before 同志, within the row (gaps end it)
            run = re.search(r"([^\s]+)$", before)
            if not run:
                continue
            token = run.group(1)
            start = run.start(1)
            for p in _PREFIXES:
                if token.startswith(p) and len(token) > len(p) + 1:
                    start += len(p)
                    token = token[len(p):]
                    break
            nm = _NAME_BEFORE.search(token)
            if not nm or len(nm.group(1)) > 5:
                continue
            i = start + nm.start(1)
            return make_value(pt.span(ri, i, i + len(nm.group(1))), _name)
    for ri, row in enumerate(pt.rows[:12]):
        m = _OPENING.match(row.text.replace(" ", ""))
        if m:
            i = row.text.find(m.group(1)[0])
            return make_value(pt.span(ri, i, i + len(m.group(1))), _name)
    return None


def _name(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw)
    return text if 2 <= len(text) <= 5 else None


# --- honour -------------------------------------------------------------------------------------


def _title_span(pt: PageText, text: str, where: list, mentions: list[Mention]) -> Span | None:
    honours = [m for m in mentions if m.kind == "honour"]
    quoted = list(_QUOTED.finditer(text))
    if honours:
        m = honours[0]
        for q in quoted:  # the quoted phrase holding the mention is the honour as written
            if q.start(1) <= m.start and m.end <= q.end(1):
                return pt.locate(where, q.start(1), q.end(1))
        return pt.locate(where, m.start, m.end)
    for q in quoted:
        return pt.locate(where, q.start(1), q.end(1))
    t = _TRIGGER.search(text)
    if t:
        return pt.locate(where, t.start(1), t.end(1))
    return None


# --- year and issuer ------------------------------------------------------------------------------


def _issue_year(pt: PageText, where: list, mentions: list[Mention]) -> Value | None:
    text = "".join(pt.rows[w[0]].text[w[1]] if w else "" for w in where)
    best: tuple[float, Span, int] | None = None
    for m in mentions:
        if m.kind not in ("date", "year"):
            continue
        # the year an honour is for (2019年度, 2023-2024学年), not the date it was given
        if m.kind == "year" and (_FOR_YEAR.match(text, m.end) or _RANGE_BEFORE.search(text, 0, m.start)):
            continue
        year = int(str(m.value)[:4])
        span = pt.locate(where, m.start, m.end)
        if span is None or span.bbox is None:
            continue
        if best is None or span.bbox[1] > best[0]:
            best = (span.bbox[1], span, year)
    partial = _partial_year(pt, text, where, below=best[0] if best is not None else None)
    if partial is not None:
        return partial
    if best is None:
        return None
    _, span, year = best
    return Value(value=year, raw=span.text, page=span.page, bbox=span.bbox, confidence=round(span.confidence, 3))


def _partial_year(pt: PageText, text: str, where: list, below: float | None) -> Value | None:
    """A year in Chinese numerals with one numeral lost (under a seal, in a signature's stroke):
    "〇一四年", "二〇七年". Every 4-digit year that the three read numerals leave open, between
    1949 and this year and, when the page says which year the honour is for (2016年度), within
    three years after it. One candidate: that year, less sure. Several: no year, the loss
    flagged (`partial`). Only a date lower on the page than any whole one is such a date."""
    for m in _SHORT_CN_YEAR.finditer(text):
        span = pt.locate(where, m.start(1), m.end(1) + 1)
        if span is None or span.bbox is None or (below is not None and span.bbox[1] <= below):
            continue
        lo, hi = 1949, date.today().year
        for_years = [int(f.group(1)) for f in _FOR_YEAR_RX.finditer(text)]
        if for_years:
            lo, hi = max(lo, max(for_years)), min(hi, max(for_years) + 3)
        digits = "".join(str(_CN_DIGIT[c]) for c in m.group(1))
        candidates = sorted(_one_digit_more(digits, lo, hi))
        if len(candidates) == 1:
            return Value(value=candidates[0], raw=span.text, page=span.page, bbox=span.bbox,
                         confidence=round(span.confidence * 0.8, 3),
                         partial=f"年份识别为“{m.group(1)}”，缺一位，唯一可能为 {candidates[0]}")
        if candidates:
            shown = "、".join(map(str, candidates[:6])) + ("…" if len(candidates) > 6 else "")
            return Value(value=None, raw=span.text, page=span.page, bbox=span.bbox, confidence=0.0,
                         partial=f"年份识别为“{m.group(1)}”，缺一位，可能为 {shown}")
    return None


def _one_digit_more(digits: str, lo: int, hi: int) -> set[int]:
    out = set()
    for i in range(len(digits) + 1):
        for d in "0123456789":
            s = digits[:i] + d + digits[i:]
            if s[0] != "0" and lo <= int(s) <= hi:
                out.add(int(s))
    return out


def _issuer(pt: PageText, year: Value | None) -> Value | None:
    """The body named just above the issue date (or the lowest body named on the page)."""
    date_row = None
    if year is not None and year.bbox is not None and year.page == pt.number:
        cy = (year.bbox[1] + year.bbox[3]) / 2
        for ri, r in enumerate(pt.rows):
            if r.bbox[1] <= cy <= r.bbox[3]:
                date_row = ri
                break
    if date_row is not None:
        for ri in range(date_row, max(-1, date_row - 4), -1):
            v = _org_in_row(pt, ri)
            if v is not None:
                return v
    for ri in range(len(pt.rows) - 1, len(pt.rows) // 2 - 1, -1):
        v = _org_in_row(pt, ri)
        if v is not None:
            return v
    return None


def _org_in_row(pt: PageText, ri: int) -> Value | None:
    """A body's name in the row: its runs from the left up to the last word that ends a body's
    name (seal lettering read into the same row may trail it: 吕梁市人民政府鹿市人民政)."""
    row = pt.rows[ri]
    for m in re.finditer(r"\S+", row.text):
        token = m.group(0)
        if "：" in token or ":" in token or re.search(r"\d", token):
            continue
        ends = [e.end() for e in _ORG_IN.finditer(token)]
        if not ends:
            continue
        end = ends[-1]
        for e in ends:  # lettering that repeats part of the name is the seal's, not the name's
            tail = token[e:]
            if len(tail) >= 2 and tail[:3] in token[:e]:
                end = e
                break
        if end < 4 or end > 40:
            continue
        return make_value(pt.span(ri, m.start(), m.start() + end), plain_text)
    return None
