"""荣誉证书 and similar award certificates: who holds it, which honour, when, from whom.

Certificates are prose, not label/value pairs: "授予 张三 同志 “三晋技术能手”荣誉称号" or
"张三同志：经评审，被评为武汉市首席技师。特发此证。", then the issuing body and the date at the
bottom right (often in Chinese numerals, 二〇一九年五月).

- Holder: holder.py (any salutation or none; a name checked to be one, never a label).
- Honour: a recognised title found in the text (shenbao.matchers.mentions: the honour list's
  titles and aliases, look-alike tolerant, also across a line break); written as the quoted
  phrase around it when there is one. Without a recognised mention, the phrase after a
  trigger word (data/certificates.yaml: 被授予/被评为/荣获 …) up to the words that end it
  (称号, 特发此证 …), without the period it was for (2023-2024学年度); a phrase that is only a
  prize's rank (二等奖) takes the event it was won at in front ("在…竞赛中荣获二等奖"). A quoted
  phrase is the honour only where a trigger or 称号 stands by it (quotes also mark events).
  The canonical title and score come from match_honour on the written phrase (None when it
  matches nothing well enough).
- Year: the year of the issue date, i.e. the date written lowest on the page; a year
  followed by 度 ("在2019年度工作中") is what the honour was for, not when it was given.
- Issuer: the line just above that date when it names a body (…厅/局/政府/委员会/工会…).
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from shenbao.extractors.evidence.columns import down_column
from shenbao.extractors.evidence.common import make_value, plain_text
from shenbao.extractors.evidence.holder import read_holder
from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import HonourCertificateRead, Value
from shenbao.extractors.evidence.phrases import CertificatePhrases, load_phrases
from shenbao.extractors.form.grid import union_bbox
from shenbao.extractors.normalize.dates import fold_cn_zero
from shenbao.extractors.normalize.numbers import parse_chinese_int
from shenbao.matchers.honours import HonourList, match_honour
from shenbao.matchers.mentions import Mention, find_mentions
from shenbao.pipeline.types import BBox

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
# A year with numerals lost: two or three Chinese numerals, or three digits, before 年 (and no
# numeral of its own kind before them: a stray digit of a seal's lettering is not part of it).
# Searched in text whose 〇 typed as 0 or O is folded back (`fold_cn_zero`).
_SHORT_YEAR = re.compile(r"(?:(?<![〇○零一二三四五六七八九])(?P<cn>[〇○零一二三四五六七八九]{2,3})|(?<!\d)(?P<ar>\d{3}))年")
_FOR_YEAR = re.compile(r"\s*(?:度|学年|学期|届)")  # right after a mention's "年"
_FOR_YEAR_RX = re.compile(r"((?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2})\s*(?:年度|学年)")
_RANGE_BEFORE = re.compile(r"(?:19|20)\d{2}\s*[-—–~至]\s*$")
_ORG_IN = re.compile(
    r"(?:厅|局|部|政府|委员会|委|工会|协会|联合会|公司|中心|学院|学校|大学|院|办公室|集团|社|组委会|党委|团委|妇联|政协)"
)


def read_honour_certificate(pages: list[PageText], honours: HonourList, jurisdiction: str | None = None) -> HonourCertificateRead:
    read = HonourCertificateRead(pages=[pt.number for pt in pages])
    phrases = load_phrases()
    for pt in pages:
        text, where = pt.flat()
        mentions = find_mentions(text, honours)
        if read.holder is None:
            read.holder = read_holder(pt)
        if read.title_text is None:
            title_span = _title_span(pt, text, where, mentions, phrases)
            if title_span is not None:
                read.title_text = make_value(title_span, _honour_text)
            if read.title_text is not None and phrases.lost_rank_rx.search(str(read.title_text.value)):
                read.title_text.partial = "奖项等级（几等奖）有字未识别出"
        if read.year is None:
            read.year = _issue_year(pt, where, mentions)
        if read.issuer is None:
            read.issuer = _issuer(pt, read.year)
            if read.issuer is not None and str(read.issuer.value).startswith(phrases.place_ends):
                read.issuer.partial = read.issuer.partial or "机构名称以地名的末字开头，前面的字可能未识别出"
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


# 证书编号 / 编号 / 证号 / No. and the code after it (letters, digits, dashes; a year in 〔〕),
# which may open with the issuer's one-character prefix (教CXDS-…, 粤…).
_NUMBER = re.compile(r"(?:证\s*书\s*编\s*号|编\s*号|证\s*号|N\s*[oO0]\s*[.．]?)\s*[：:]?\s*"
                     r"((?:[\u4e00-\u9fff](?=[A-Za-z0-9]))?[A-Za-z0-9][A-Za-z0-9\-〔〕\[\]()（）]{3,})")


def _certificate_no(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw)
    return text if sum(c.isdigit() for c in text) >= 3 else None


# --- honour -------------------------------------------------------------------------------------


def _honour_text(raw: str) -> str | None:
    """The honour as printed, without quote marks (“武汉工匠”, 男子“七人制”足球赛)."""
    text = plain_text(raw)
    if text is None:
        return None
    return re.sub(r"[“”\"「」『』]", "", text) or None


def _title_span(pt: PageText, text: str, where: list, mentions: list[Mention],
                phrases: CertificatePhrases) -> Span | None:
    honours = [m for m in mentions if m.kind == "honour"]
    quoted = list(_QUOTED.finditer(text))
    if honours:
        m = honours[0]
        for q in quoted:  # the quoted phrase holding the mention is the honour as written
            if q.start(1) <= m.start and m.end <= q.end(1):
                return pt.locate(where, q.start(1), q.end(1))
        return pt.locate(where, m.start, m.end)
    triggers = re.compile(rf"(?:{phrases.alternatives('award_triggers')})[：:\s]*")
    ends = re.compile(rf"{phrases.alternatives('title_ends')}|[。，,；;！!]")
    titled = re.compile(r"\s*(?:荣誉|光荣)?称号")
    for q in quoted:
        # "被授予“优秀共产党员”称号": quotes a trigger or 称号 stands by are the honour's, when
        # they close the phrase; "荣获男子“七人制”足球赛…" quotes a word inside it.
        closes = titled.match(text, q.end()) or ends.match(text, q.end()) or q.end() == len(text)
        if closes and (triggers.search(text, max(0, q.start() - 6), q.start()) or titled.match(text, q.end())):
            return pt.locate(where, q.start(1), q.end(1))
    for t in triggers.finditer(text):
        # the phrase reads on down the trigger's own column (a booklet's facing page, a
        # slogan beside it, is another column)
        column = down_column(pt, where, t.start(), t.end())
        col_text = "".join(text[i] for i in column)
        stop = ends.search(col_text)
        a, b = 0, stop.start() if stop else len(col_text)
        lead = _LEADING_PERIOD.match(col_text, a, b)
        a = lead.end() if lead else a
        phrase = col_text[a:b].strip("“”\"「」『』 ")
        if len(phrase) < 2:
            continue
        last = _QUOTED_LAST.search(col_text, a, b)
        if last:  # "被评为…学院“优秀共青团员”": the quoted words closing the phrase are the honour
            a, b = last.start(1), last.end(1)
        span = pt.locate_indices(where, column[a:b])
        if span is None:
            continue
        names_event = re.search(phrases.alternatives("event_words"), phrase)
        ranked = phrases.prize_rank_rx.match(phrase) or phrases.lost_rank_rx.search(phrase)
        if ranked and not names_event:
            event = _event_before(text[: t.start()])
            if event:
                span = Span(event + span.text, span.page, span.bbox, span.confidence)
        return span
    return None


# Quoted words at the end of a phrase (the closing mark may be lost with the period after it).
_QUOTED_LAST = re.compile(r"[“\"「『]([^”\"」』“「『]{2,30})[”\"」』]?\s*$")


# What the honour was for, before its name: a logo's Latin letters, a year, a school year.
_YEAR_WORD = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})"
_LEADING_PERIOD = re.compile(
    rf"^[A-Za-z\s]*(?:在)?(?:{_YEAR_WORD}(?:\s*[-—–~至]\s*{_YEAR_WORD})?\s*(?:学年度|学年|年度|年)(?:第[一二]学期)?)?"
)
# "在……中" right before the trigger (a work's name or "经评审" may stand between): the event a
# prize was won at, without who held it.
_EVENT = re.compile(r"在([^在]{4,120}?)中(?:的[^，。在]{0,60})?[，,\s]*(?:经[^，。在]{1,8}?[，,\s]*)?$")
_HOST = re.compile(r"^由.{2,60}?(?:主办|举办|承办|联合主办|共同主办)的")


def _event_before(text: str) -> str | None:
    m = _EVENT.search(text)
    if not m:
        return None
    event = _HOST.sub("", m.group(1))
    return re.sub(r"[“”\"「」『』\s]", "", event) or None


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
    """A year with numerals lost (under a seal, in a signature's stroke): "〇一四年", "二〇七年",
    "一八年", "205年". Every year that holds the read numerals in their order, between 1949
    and this year and, when the page says which year the honour is for (2016年度, 2017-2018学年),
    within three years after it. One candidate: that year, less sure. Several: no year, the loss
    flagged (`partial`). Only a date lower on the page than any whole one is such a date."""
    text = fold_cn_zero(text)  # the same length: flat-text positions still hold
    for m in _SHORT_YEAR.finditer(text):
        group = "cn" if m.group("cn") else "ar"
        read = m.group(group)
        span = pt.locate(where, m.start(group), m.end(group) + 1)
        if span is None or span.bbox is None or (below is not None and span.bbox[1] <= below):
            continue
        lo, hi = 1949, date.today().year
        for_years = [int(_digits(f.group(1))) for f in _FOR_YEAR_RX.finditer(text)]
        if for_years:
            lo, hi = max(lo, max(for_years)), min(hi, max(for_years) + 3)
        digits = _digits(read)
        candidates = [y for y in range(lo, hi + 1) if _holds_in_order(str(y), digits)]
        if len(candidates) == 1:
            return Value(value=candidates[0], raw=span.text, page=span.page, bbox=span.bbox,
                         confidence=round(span.confidence * 0.8, 3),
                         partial=f"年份识别为“{read}”，有数字未识别出，唯一可能为 {candidates[0]}")
        if candidates:
            shown = "、".join(map(str, candidates[:6])) + ("…" if len(candidates) > 6 else "")
            return Value(value=None, raw=span.text, page=span.page, bbox=span.bbox, confidence=0.0,
                         partial=f"年份识别为“{read}”，有数字未识别出，可能为 {shown}")
    return None


def _digits(numerals: str) -> str:
    """Numerals as Arabic digits, one for one (二〇六 -> 206, 〇一四 -> 014)."""
    return "".join(c if c.isdigit() else str(parse_chinese_int(c)) for c in numerals)


def _holds_in_order(year: str, digits: str) -> bool:
    """Whether the digits read stand in `year` in that order (the others were lost)."""
    it = iter(year)
    return all(d in it for d in digits)


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
        # in the date's column: a facing page's text may share those rows
        for ri in range(date_row, max(-1, date_row - 4), -1):
            v = _org_in_row(pt, ri, year.bbox)
            if v is not None:
                return _with_line_above(pt, ri, v)
    column = year.bbox if year is not None and date_row is not None else None  # the date's column
    for ri in range(len(pt.rows) - 1, len(pt.rows) // 2 - 1, -1):
        v = _org_in_row(pt, ri, column)
        if v is not None:
            return _with_line_above(pt, ri, v)
    return None


def _org_in_row(pt: PageText, ri: int, under: BBox | None = None) -> Value | None:
    """A body's name in the row: its runs from the left up to the last word that ends a body's
    name (seal lettering read into the same row may trail it: 吕梁市人民政府鹿市人民政). With
    `under`, of a row of several runs only those overlapping it across."""
    row = pt.rows[ri]
    tokens = list(re.finditer(r"\S+", row.text))
    if under is not None and len(tokens) > 1:
        boxes = [row.span_box(m.start(), m.end()) for m in tokens]
        tokens = [m for m, b in zip(tokens, boxes, strict=True) if b is None or (b[0] < under[2] and under[0] < b[2])]
    for m in tokens:
        token = m.group(0)
        if "：" in token or ":" in token or re.search(r"\d", token):
            continue
        # a date read into the same run ("二〇二三年十二月二十二日安徽大学") is not the body's
        lead = _CN_DATE_LEAD.match(token)
        offset = lead.end() if lead else 0
        token = token[offset:]
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
        value = make_value(pt.span(ri, m.start() + offset, m.start() + offset + end), plain_text)
        rest = token[end:]
        if (value is not None and re.match(r"[\u3400-\u9fff]", rest)
                and fuzz.partial_ratio(rest, token[:end]) < _SEAL_ECHO):
            # Han characters run on past the name's last body word and do not echo it (a seal's
            # lettering does: 吕梁市人民政府鹿市人民政): the name itself may go on (中共…学院党委
            # read …学院党, its 委 lost). A person looks.
            value.partial = f"机构名称后还有“{rest}”，名称可能不全"
        return value
    return None


_ORG_OPENING = re.compile(r"(?:中共|中国共产党|共青团)")
_CN_NUM = "〇○零一二三四五六七八九十"
_CN_DATE_LEAD = re.compile(rf"^[{_CN_NUM}]{{2,4}}年[{_CN_NUM}]{{1,3}}月(?:[{_CN_NUM}]{{1,3}}[日号])?")
# A line above the issuer this much like it (partial ratio) repeats it: a seal's lettering.
_SEAL_ECHO = 75.0


def _with_line_above(pt: PageText, ri: int, issuer: Value) -> Value:
    """An issuer printed over two lines ("中共东北大学秦皇岛分校" / "计算机与通信工程学院委员会"):
    the line just above, when it is one run of a body's words close above and does not repeat
    the issuer (a seal's lettering does), is its first part."""
    if ri == 0:
        return issuer
    row, above = pt.rows[ri], pt.rows[ri - 1]
    text = above.text.strip()
    if (not re.fullmatch(r"[\u3400-\u9fff（）()]{2,30}", text) or row.bbox[1] - above.bbox[3] > 1.5 * row.height
            or above.bbox[2] < row.bbox[0] or above.bbox[0] > row.bbox[2]
            or fuzz.partial_ratio(text, str(issuer.value)) >= _SEAL_ECHO):
        return issuer
    span = pt.span(ri - 1, above.text.index(text[0]), len(above.text.rstrip()))
    joined = plain_text(span.text + str(issuer.value))
    # the first part names a body of its own (共青团…大学, 中共…分校); the curve of a seal's
    # lettering read as a line (共产主义育) names none
    if joined is None or not (_ORG_IN.search(text) or _ORG_OPENING.match(text)):
        return issuer
    boxes = [b for b in (span.bbox, issuer.bbox) if b is not None]
    box = union_bbox(boxes) if boxes else None
    return Value(value=joined, raw=span.text + issuer.raw, page=issuer.page, bbox=box,
                 confidence=round(min(span.confidence, issuer.confidence), 3))
