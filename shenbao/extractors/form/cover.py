"""Label：value lines outside any ruled table: the cover page's underlined fields, and lines
such as "填报时间：2023年8月2日" above a form.

A row of text (parts sharing a baseline band) is split into a label and a value: at a colon,
or after the leading parts that together read as a label (covers write "申 报 单 位" with its
characters spaced out, so the label may be several parts). The value is what follows on the
same row; a cover's underline is only decoration, the row already says which value is whose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shenbao.extractors.form.grid import group_rows, join_lines, union_bbox
from shenbao.extractors.form.labels import LabelMatch, LabelTable, compact
from shenbao.pipeline.types import BBox, TextLine

# The seal marks printed after a unit's name on a cover ("（公章）"); a seal's own glyphs may be
# interleaved with the name's when both sit on one baseline, so they are removed as a subsequence.
_SEAL_MARKS = ("（公章）", "(公章)", "（盖章）", "(盖章)", "（签章）", "(签章)", "（章）")


@dataclass
class LabelLine:
    match: LabelMatch
    label: str
    raw: str
    bbox: BBox  # of the value parts (or of the label when the value is empty)
    confidence: float


def read_label_lines(lines: list[TextLine], labels: LabelTable, jurisdiction: str | None = None,
                     cover_only: bool = True) -> list[LabelLine]:
    """Every row of `lines` that reads "label value", in reading order."""
    out: list[LabelLine] = []
    for row in group_rows(lines):
        hit = _split_row(row, labels, jurisdiction, cover_only)
        if hit is not None:
            out.append(hit)
    return out


def _split_row(row: list[TextLine], labels: LabelTable, jurisdiction: str | None,
               cover_only: bool) -> LabelLine | None:
    # 1) The leading parts form the label, the rest of the row is the value.
    hit = _label_at(row, 0, labels, jurisdiction, cover_only)
    if hit is not None:
        m, k = hit
        head, rest = row[:k], row[k:]
        raw = join_lines(rest) if rest else ""
        box = union_bbox(p.bbox for p in rest) if rest else union_bbox(p.bbox for p in head)
        conf = min((p.confidence for p in row), default=1.0)
        return LabelLine(m, "".join(p.text for p in head), _clean_value(raw), box, conf)
    # 2) Label and value in one part: "申报单位：XX公司" or, without a colon, "申报单位XX公司".
    first = row[0]
    split = labels.split_prefix(first.text, jurisdiction, cover_only)
    if split is None:
        return None
    m, rest_text = split
    rest_parts = [rest_text] if rest_text else []
    rest_parts += [p.text for p in row[1:]]
    raw = " ".join(t for t in rest_parts if t.strip())
    if row[1:]:
        box = union_bbox([p.bbox for p in row[1:]] + [_tail_box(first, rest_text)])
    else:
        box = _tail_box(first, rest_text)
    conf = min(p.confidence for p in row)
    return LabelLine(m, first.text, _clean_value(raw), box, conf)


@dataclass
class _Pair:
    match: LabelMatch
    label: str
    parts: list[TextLine]
    inline: str = ""  # value text that came in the label's own part ("联系人：张三")
    inline_box: BBox | None = None
    inline_confidence: float = 1.0  # that part's: the value was read with it


def read_label_pairs(lines: list[TextLine], labels: LabelTable,
                     jurisdiction: str | None = None) -> list[tuple[LabelLine, str | None]]:
    """Every "label value label value …" pair of every row, with its key resolved by the
    labels before it in the row ("联系人 张三 办公电话 …"): how a form reads when its rules are
    not there to see (an OCR text layer over a scan, rules too faint to find)."""
    out: list[tuple[LabelLine, str | None]] = []
    for row in group_rows(lines):
        pairs: list[_Pair] = []
        i = 0
        while i < len(row):
            hit = _label_at(row, i, labels, jurisdiction)
            if hit is not None:
                m, k = hit
                pairs.append(_Pair(m, "".join(p.text for p in row[i:i + k]), []))
                i += k
                continue
            part = row[i]
            split = labels.split_prefix(part.text, jurisdiction) if re.search(r"[：:]", part.text) else None
            if split is not None:
                m, rest = split
                pairs.append(_Pair(m, part.text, [], rest, _tail_box(part, rest) if rest else None,
                                   part.confidence))
            elif pairs:
                pairs[-1].parts.append(part)
            i += 1
        keys: list[str] = []
        for pair in pairs:
            key = pair.match.resolve(list(reversed(keys)))
            keys.append(key or "")
            texts = ([pair.inline] if pair.inline else []) + [join_lines([p]) for p in pair.parts]
            boxes = ([pair.inline_box] if pair.inline_box else []) + [p.bbox for p in pair.parts]
            confs = ([pair.inline_confidence] if pair.inline else []) + [p.confidence for p in pair.parts]
            conf = min(confs, default=1.0)
            box = union_bbox(boxes) if boxes else (0.0, 0.0, 0.0, 0.0)
            out.append((LabelLine(pair.match, pair.label, _clean_value(" ".join(texts)), box, conf), key))
    return out


def _label_at(row: list[TextLine], i: int, labels: LabelTable, jurisdiction: str | None,
              cover_only: bool = False, max_parts: int = 8) -> tuple[LabelMatch, int] | None:
    """The label made of the parts starting at `i` (several when its characters are spaced
    out: "申 报 单 位"), taking as many parts as make the best match. A match that needs the
    label's alias to be only the beginning of the text counts for less: there the parts
    after the label are its value."""
    best: tuple[float, LabelMatch, int] | None = None
    for k in range(1, min(max_parts, len(row) - i) + 1):
        text = "".join(p.text for p in row[i:i + k])
        if re.search(r"[：:].", text.strip()):
            break  # a colon ends a label: nothing after it belongs to the label
        m = labels.match(text, jurisdiction, cover_only)
        if m is None:
            continue
        quality = m.score - (20.0 if len(compact(text)) > len(m.alias) + 1 else 0.0)
        # On a tie the longer label wins: "领 办 人 姓 名" is 领办人姓名, not 领办人 + value "姓名…".
        if best is None or quality >= best[0]:
            best = (quality, m, k)
    if best is None or best[0] < 85:
        return None
    return best[1], best[2]


def _tail_box(line: TextLine, tail: str) -> BBox:
    """The part of a line's box its last `tail` characters take, by character count."""
    x0, y0, x1, y1 = line.bbox
    n = max(len(line.text), 1)
    share = len(tail) / n if tail else 1.0
    return (x1 - (x1 - x0) * share, y0, x1, y1)


def _clean_value(raw: str) -> str:
    raw = remove_seal_marks(raw)
    return raw.strip(" ：:_\t")


_DANGLING_MARK = re.compile(
    r"\s*(?:[（(]?\s*(?:公章|盖章|签章|签字盖章)\s*[)）]?|[（(]\s*[公盖章]\s*[)）]?)\s*$"
)


def remove_seal_marks(text: str) -> str:
    """Drop a "（公章）" mark after a name, also when its glyphs interleave with the name's
    (a text layer sorted by x turns "有限公司" + "（公章）" into "有限（公公司章）") or when OCR
    lost one of its brackets ("…有限公司公章）")."""
    for mark in _SEAL_MARKS:
        stripped = _remove_subsequence(text, mark)
        if stripped is not None:
            return stripped
    stripped = _DANGLING_MARK.sub("", text)
    return stripped if compact(stripped) else text


def _remove_subsequence(text: str, mark: str) -> str | None:
    # Start at the last opening bracket that can begin the mark; the mark's characters must
    # then occur in order, and the text must end with the mark's closing bracket.
    start = text.rfind(mark[0])
    if start < 0 or not text.rstrip().endswith(mark[-1]):
        return None
    chars = list(text)
    pos = start
    drop = []
    for ch in mark:
        while pos < len(chars) and chars[pos] != ch:
            pos += 1
        if pos >= len(chars):
            return None
        drop.append(pos)
        pos += 1
    keep = [c for i, c in enumerate(chars) if i not in set(drop)]
    out = "".join(keep).strip()
    return out if compact(out) else None
