"""A page's text as visual rows of characters, and "label → value" reading by position.

Evidence documents are not ruled forms: an ID card or a certificate prints a label and its
value side by side ("姓名  张三"), the label often letter-spaced ("姓　　名"). A text layer gives
one word per run (the label's characters as separate words), OCR one line per run, and OCR
often fuses label and value into one line ("姓名张三", "民族汉") or a whole row of a two-column
certificate into one. So nothing here trusts line boundaries: every line is cut into
characters with estimated boxes (proportional to glyph widths), lines overlapping vertically
make one visual row, and labels are found in the row's characters. A value is what follows
its label in the row, up to the next label or a wide gap (another column); a value that
wraps (an address) goes on in the rows below that start where it started. Where the row
holds nothing after the label, the value is taken from the row below, under the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from shenbao.extractors.evidence.rows import Row, Span, build_row, group_rows, page_lines, run_starting_at
from shenbao.pipeline.types import Page, TextLine

# Characters OCR reads in place of a label's own (one stroke or radical away, or traditional).
# Only used to find labels, never to change a value.
LABEL_LOOKALIKES: dict[str, str] = {
    "别": "別莂",
    "住": "任往佳注位",
    "址": "扯趾",
    "姓": "娃妵",
    "族": "旅簇",
    "码": "玛吗",
    "份": "分仿",
    "证": "讧証",
    "号": "弓",
    "机": "杌機",
    "关": "美関",
    "期": "朗",
    "限": "很眼",
    "编": "偏编",
    "级": "圾級",
    "称": "秤稱",
    "发": "友發",
    "签": "笠簽",
    "职": "駅職",
    "业": "亚業",
    "种": "神種",
    "书": "节書",
    "类": "类類",
    "型": "形",
    "代": "伐",
    "信": "言",
    "额": "颔額",
}

# Punctuation that sits between a label and its value.
_LEAD = " ：:;；.,，、·-—_|丨"
# A value ends at a gap wider than this many character heights (another column begins).
VALUE_GAP = 2.5
# The first character of a value may stand this far from its label (letter-spaced layouts).
LABEL_REACH = 14.0


def label_pattern(label: str, insertion: bool = False) -> str:
    """A regex for `label` in row text: any spacing (or a stray dot) between its characters,
    OCR look-alikes; with `insertion`, also one stray character inside it ("发证日1期").

    Parentheses match full- and half-width forms. Regex syntax inside `label` is not
    supported: give plain text (alternatives are separate labels).
    """
    parts = []
    for ch in label:
        if ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        elif ch in "：:":
            parts.append("[：:]")
        elif ch in LABEL_LOOKALIKES:
            parts.append(f"[{re.escape(ch + LABEL_LOOKALIKES[ch])}]")
        else:
            parts.append(re.escape(ch))
    # OCR may read a speck between letter-spaced characters as a mark ("名。称")
    sep = r"[\s。.·・]*"
    if not insertion:
        return sep.join(parts)
    return "|".join(
        sep.join(parts[:i]) + sep + r"[^\s：:]" + sep + sep.join(parts[i:]) for i in range(1, len(parts))
    )


@dataclass
class LabelHit:
    key: str
    row: int
    start: int
    end: int


# Words that end a compound label ("法定代表人姓名", "单位名称"): what follows a label and
# opens with one of them is still the label. No value opens with them.
LABEL_TAILS = ("姓名", "名称", "全称", "盖章")
_LABEL_TAIL_RX = re.compile("(?:" + "|".join(label_pattern(t) for t in LABEL_TAILS) + r")[\s：:]*")


# A label's English translation printed after it ("证书编号 Certificate No.", "资格名称
# Qualificational Title"): words of letters, at least this many letters in all.
_ENGLISH_LABEL = re.compile(r"[A-Za-z][A-Za-z.&'’ ]*[A-Za-z.][.:：]?\s*")
ENGLISH_LABEL_LETTERS = 4


def _past_label_tail(text: str, i: int, j: int) -> int:
    """Index in `text` after what still belongs to the label at the start of the value i..j:
    a label-ending word with its colon, or the label's English translation. A value that is
    nothing but such words is empty (returns j)."""
    m = _LABEL_TAIL_RX.match(text, i, j)
    if m:
        i = m.end()
    if i >= j:
        return j
    m = _ENGLISH_LABEL.match(text, i, j)
    # a word glued to Han characters ("Apple电子…") may be a name's own: a label ends in a
    # space, a point or a colon
    if (m and sum(c.isalpha() for c in m.group(0)) >= ENGLISH_LABEL_LETTERS
            and re.search(r"[\s.:：]", m.group(0))):
        rest = text[m.end():j]
        # letters running into an address or a code's "@" or "." are the value's own
        if not rest or not re.match(r"[@._\-]", rest):
            return m.end()
    return i


# A label inside a run of text counts only this close after the previous label's end: OCR
# fuses "性别男民族汉", but 民族 in "住址重庆市民族路12号" is part of the address.
FUSED_VALUE = 4


def _starting_runs(row: Row, hits: list[LabelHit]) -> list[LabelHit]:
    """The hits that start a run of text (row start, a gap, punctuation, or the end of a Latin
    run: a bilingual certificate's English label line merged into the row, "Issued on签发日期")
    or follow another label closely within one (fused OCR lines)."""
    kept: list[LabelHit] = []
    for h in hits:
        before = row.text[h.start - 1] if h.start > 0 else " "
        if before in _LEAD or (before.isascii() and before.isalpha()):
            kept.append(h)
            continue
        prev = kept[-1] if kept else None
        if prev is not None and h.start - prev.end <= FUSED_VALUE and " " not in row.text[prev.end : h.start]:
            kept.append(h)
    return kept


@dataclass
class PageText:
    page: Page
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def of(cls, page: Page, lines: list[TextLine] | None = None) -> PageText:
        src = page_lines(page) if lines is None else lines
        return cls(page, [build_row(r) for r in group_rows(src)])

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.rows)

    def span(self, row: int, i: int, j: int) -> Span:
        r = self.rows[row]
        return Span(r.text[i:j], self.number, r.span_box(i, j), r.span_confidence(i, j))

    # --- labels -------------------------------------------------------------------------------

    def find_labels(self, labels: dict[str, Iterable[str]],
                    extra: dict[str, list[tuple[str, int]]] | None = None) -> list[LabelHit]:
        """Every label occurrence, left to right in each row, without overlaps.

        `labels`: key -> plain label texts; `extra`: key -> (regex, label length) for labels
        plain text cannot say (a lookahead: 职业技能等级 but not 职业技能等级证书). Longer labels
        win where two overlap.
        """
        alts: list[tuple[str, str, int]] = []
        for key, texts in labels.items():
            for t in texts:
                alts.append((key, label_pattern(t), len(t)))
        for key, rxs in (extra or {}).items():
            for rx, n in rxs:
                alts.append((key, rx, n))
        alts.sort(key=lambda a: -a[2])
        hits: list[LabelHit] = []
        for ri, row in enumerate(self.rows):
            found: list[LabelHit] = []
            for key, rx, _n in alts:
                for m in re.finditer(rx, row.text):
                    if m.end() == m.start():
                        continue
                    if any(not (m.end() <= h.start or m.start() >= h.end) for h in found):
                        continue
                    found.append(LabelHit(key, ri, m.start(), m.end()))
            hits.extend(_starting_runs(row, sorted(found, key=lambda h: h.start)))
        return hits

    def value_after(self, hit: LabelHit, hits: list[LabelHit], multiline: bool = False,
                    beside: int = 1) -> Span | None:
        """The value written after a label: to its right in the row (up to the next label or a
        wide gap), continued in following rows for `multiline`, or, when the row holds nothing
        after it, in the row `beside` it (1: under it; -1: over it, as old booklets print a
        value on the line above its label; 0: nowhere else)."""
        row = self.rows[hit.row]
        stop = min((h.start for h in hits if h.row == hit.row and h.start >= hit.end), default=len(row.text))
        i = hit.end
        while i < stop and row.text[i] in _LEAD:
            if row.text[i] == " " and row.gaps[i] > LABEL_REACH * row.height:
                stop = i  # nothing near the label: the next thing is another column
                break
            i += 1
        j = i
        while j < stop:
            if row.text[j] == " " and row.gaps[j] > VALUE_GAP * row.height:
                break
            j += 1
        while j > i and row.text[j - 1] in " :：":
            j -= 1
        i = _past_label_tail(row.text, i, j)
        if j > i:
            value = self.span(hit.row, i, j)
            if multiline:
                value = self._continue(hit.row, row.x_at(i), value, hits)
            return value
        if beside:
            return self._beside(hit, hits, beside)
        return None

    def _continue(self, ri: int, x0: float, value: Span, hits: list[LabelHit]) -> Span:
        """Rows under a value that start where it started belong to it (a wrapped address)."""
        labelled = {h.row for h in hits}
        prev = self.rows[ri]
        for rj in range(ri + 1, len(self.rows)):
            nxt = self.rows[rj]
            if rj in labelled:
                break
            h = max(prev.height, nxt.height)
            if nxt.bbox[1] - prev.bbox[3] > 1.0 * h:
                break
            # the value's own column: the run of the row that starts where the value started
            # (a two-column licence wraps 住所 in its right column, beside 经营范围's lines)
            i = run_starting_at(nxt, x0, 1.5 * h)
            if i is None:
                break
            # only the part of the row up to a wide gap (text further right is another column)
            j = i
            while j < len(nxt.text) and not (nxt.text[j] == " " and nxt.gaps[j] > VALUE_GAP * nxt.height):
                j += 1
            value = value.joined(self.span(rj, i, j))
            prev = nxt
        return value

    def _beside(self, hit: LabelHit, hits: list[LabelHit], step: int) -> Span | None:
        """The run of text in the next row under (step 1) or over (step -1) the label, where that
        row stands close and the run holds no label of its own."""
        row = self.rows[hit.row]
        box = row.span_box(hit.start, hit.end)
        k = hit.row + step
        if box is None or not 0 <= k < len(self.rows):
            return None
        nxt = self.rows[k]
        gap = nxt.bbox[1] - row.bbox[3] if step > 0 else row.bbox[1] - nxt.bbox[3]
        if gap > 1.5 * row.height:
            return None
        idx = [n for n, g in enumerate(nxt.glyphs) if g is not None and g.box[2] > box[0] - row.height
               and g.box[0] < box[2] + 4 * row.height]
        if not idx:
            return None
        # widen to the whole run those characters belong to (no wide gaps inside it)
        i, j = idx[0], idx[-1] + 1
        while i > 0 and not (nxt.text[i - 1] == " " and nxt.gaps[i - 1] > VALUE_GAP * nxt.height):
            i -= 1
        while j < len(nxt.text) and not (nxt.text[j] == " " and nxt.gaps[j] > VALUE_GAP * nxt.height):
            j += 1
        j = i + len(nxt.text[i:j].rstrip())
        # a label in that run makes it another item's row (one elsewhere in the row is another column's)
        if any(h.row == k and h.start < j and h.end > i for h in hits):
            return None
        i = _past_label_tail(nxt.text, i, j)
        return self.span(k, i, j) if j > i else None

    def read_labels(self, labels: dict[str, Iterable[str]], multiline: Iterable[str] = (),
                    extra: dict[str, list[tuple[str, int]]] | None = None, beside: int = 1) -> dict[str, Span]:
        """key -> the first non-empty value found after one of its labels on this page (see
        `value_after` for `beside`)."""
        hits = self.find_labels(labels, extra)
        # Labels not found as written: once more allowing one stray character inside a long
        # label (OCR reads a speck or a seal's edge as a glyph: 证址书编号, 发证日1期).
        missing = {k: [t for t in ts if len(t) >= 4] for k, ts in labels.items() if k not in {h.key for h in hits}}
        if any(missing.values()):
            loose = self.find_labels({}, {k: [(label_pattern(t, insertion=True), len(t)) for t in ts]
                                          for k, ts in missing.items() if ts})
            taken = [(h.row, h.start, h.end) for h in hits]
            hits += [h for h in loose if not any(r == h.row and not (h.end <= a or h.start >= b) for r, a, b in taken)]
            hits.sort(key=lambda h: (h.row, h.start))
        multi = set(multiline)
        out: dict[str, Span] = {}
        for hit in hits:
            if hit.key in out:
                continue
            value = self.value_after(hit, hits, multiline=hit.key in multi, beside=beside)
            if value is not None and value.text.strip(_LEAD):
                out[hit.key] = value
        return out

    # --- free search ----------------------------------------------------------------------------

    def search(self, pattern: str | re.Pattern[str], group: int = 0) -> Span | None:
        """The first match of `pattern` in any row (row text with gaps as single spaces)."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        for ri, row in enumerate(self.rows):
            m = rx.search(row.text)
            if m:
                return self.span(ri, m.start(group), m.end(group))
        return None

    def flat(self, row_sep: str = "", keep_gaps: bool = False) -> tuple[str, list[tuple[int, int] | None]]:
        """The page's text in reading order and, per character, its (row, index) (None for a
        separator). Rows are joined with `row_sep`; inserted gaps are dropped unless `keep_gaps`
        (prose wrapped over rows reads as one run, so phrases split by a line break are found)."""
        chars: list[str] = []
        where: list[tuple[int, int] | None] = []
        for ri, row in enumerate(self.rows):
            if ri and row_sep:
                chars.extend(row_sep)
                where.extend([None] * len(row_sep))
            for i, ch in enumerate(row.text):
                if ch == " " and row.glyphs[i] is None and not keep_gaps:
                    continue
                chars.append(ch)
                where.append((ri, i))
        return "".join(chars), where

    def locate(self, where: list[tuple[int, int] | None], start: int, end: int) -> Span | None:
        """The span of flat-text characters [start, end) (see `flat`), across rows if need be."""
        return self.locate_indices(where, range(start, end))

    def locate_indices(self, where: list[tuple[int, int] | None], indices: Iterable[int]) -> Span | None:
        """The span of the flat-text characters at `indices`, in reading order."""
        parts: dict[int, list[int]] = {}
        for w in (where[k] for k in indices):
            if w is not None:
                parts.setdefault(w[0], []).append(w[1])
        out: Span | None = None
        for ri in sorted(parts):
            idx = parts[ri]
            sp = self.span(ri, min(idx), max(idx) + 1)
            out = sp if out is None else out.joined(sp)
        return out


def compact(text: str) -> str:
    """Text without whitespace (for matching)."""
    return re.sub(r"\s+", "", text)
