"""Prose documents (事迹材料, 申报报告, 推荐报告 …): their body text and its length.

Counting rule (RESULT.md "Text length = non-whitespace characters"; the notices' 字 limits,
梁平 事迹材料 1500–2000字): the length is `count_text_length(body)`, the number of
non-whitespace characters of the body, punctuation, digits and Latin letters included, one
each. The body is the document's text without what is not the writer's prose:
  - the heading: the centred short line(s) at the top of the first page (a heading may wrap
    onto a second centred line) — "张三同志事迹材料" is the title, not part of the 2000字;
  - the signature block: short right-hand lines at the end of the last page that are a date
    or a unit's name (落款), and a seal's lettering (OCR);
  - page numbers ("- 2 -", "第2页", a lone number in the margin).
Line breaks are wrapping, so rows are joined without a separator; a new paragraph (a row
that starts indented) starts a new line in `text`, which the count ignores.
"""

from __future__ import annotations

import re
import statistics

from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.model import ProseRead
from shenbao.extractors.evidence.rows import Row
from shenbao.extractors.normalize import count_text_length, normalize_date

_PAGE_NUMBER = re.compile(r"^[-—–_\s]*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}|\d+\s*/\s*\d+)[-—–_\s]*$")
_SENTENCE_END = "。！？!?；;：:，,、"
_ORG_END = re.compile(r"(?:厅|局|部|政府|委员会|委|工会|协会|公司|中心|学院|学校|大学|院|办公室|集团|社|党委|支部|所|站|队|室|处|科|（盖章）|（公章）)\)?$")


def _is_title(row: Row, width: float, full: float, body_height: float) -> bool:
    """A heading: centred on the page, and shorter than a full line of prose or set larger.
    (A paragraph's first line is indented on the left only, so it sits a little right of
    centre and runs nearly the full width.)"""
    text = row.text.replace(" ", "")
    if not 2 <= len(text) <= 45 or text[-1] in _SENTENCE_END:
        return False
    x0, _, x1, _ = row.bbox
    centred = abs((x0 + x1) / 2 - width / 2) < 0.04 * width
    return centred and ((x1 - x0) < 0.7 * full or row.height > 1.2 * body_height)


def _is_signature(row: Row, width: float) -> bool:
    text = row.text.replace(" ", "")
    if not text or len(text) > 40:
        return False
    right = row.bbox[0] > 0.4 * width
    is_date = normalize_date(text) is not None and len(text) <= 16
    is_org = _ORG_END.search(text) is not None
    return right and (is_date or is_org)


def read_prose(doc_type: str, pages: list[PageText]) -> ProseRead:
    kept: list[tuple[PageText, Row]] = []
    for k, pt in enumerate(pages):
        rows = [r for r in pt.rows if not _PAGE_NUMBER.match(r.text)]
        width = pt.page.width or max((r.bbox[2] for r in rows), default=1.0)
        if k == 0 and rows:
            full = max(r.bbox[2] - r.bbox[0] for r in rows)
            body_height = statistics.median(r.height for r in rows)
            n = 0
            while n < min(2, len(rows)) and _is_title(rows[n], width, full, body_height):
                n += 1
            rows = rows[n:]
        if k == len(pages) - 1:
            while rows and _is_signature(rows[-1], width):
                rows.pop()
        kept.extend((pt, r) for r in rows)
    text = _join(kept)
    return ProseRead(doc_type=doc_type, pages=[pt.number for pt in pages], text=text, length=count_text_length(text))


def _join(rows: list[tuple[PageText, Row]]) -> str:
    """Rows joined as wrapped prose; an indented row (a new paragraph) starts a new line."""
    if not rows:
        return ""
    lefts = sorted(r.bbox[0] for _, r in rows)
    margin = lefts[len(lefts) // 4]  # the usual left edge of a full line
    out = ""
    for i, (_, r) in enumerate(rows):
        text = r.text.replace(" ", "") if re.search(r"[\u3400-\u9fff]", r.text) else r.text
        indented = r.bbox[0] - margin > 1.2 * r.height
        if i and indented:
            out += "\n"
        out += text
    return out
