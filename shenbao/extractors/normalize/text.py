"""Free-text normalisation shared by every field kind.

Raw text is what a form cell held: the text layer's words or OCR lines, so it carries the
cell's line breaks, spaces OCR put between Chinese characters, full-width letters and digits,
and ASCII punctuation where the form had Chinese punctuation.

The free-text rule (`normalize_text`):
1. Full-width ASCII letters/digits/symbols (ＡＢＣ１２３＠) become half-width; ideographic space
   becomes a space. Chinese punctuation (，。：（）“”) is kept: it is what the form shows.
2. Any run of whitespace that touches a CJK character or CJK punctuation on either side is
   removed (cells wrap Chinese anywhere; OCR spaces out characters and digits next to them).
3. A line break between two Latin letters/digits, at least one a letter, becomes one space
   (Latin text wraps at spaces); any other line break between non-CJK characters is dropped
   (numbers wrap mid-number; a break after '-', '.', '@' is inside a token).
4. Remaining runs of spaces collapse to one space; the ends are stripped.
5. ASCII , ; : ! ? ( ) touching a CJK character become their full-width forms (OCR reads
   Chinese punctuation as ASCII; the form, and the truth, have the full-width ones).
"""

from __future__ import annotations

import re
import unicodedata

# Values that mean "nothing written here". Compared against the whole cleaned cell.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "", "无", "/", "／", "\\", "、", "-", "--", "---", "－", "—", "——", "———", "–", "~", "～",
        "空", "略", "暂无", "没有", "无无", "n/a", "na", "none", "null", "nil", "×", "…", "...",
        "同上", "见附件", "详见附件", "见附页", "详见附页", "年月日", "年月", "□",
    }
)

_CJK_RANGES = (
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〇「」…)
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65),  # full-width punctuation
    (0x20000, 0x2FA1F),  # extensions B–F, compatibility supplement
)
_CJK_EXTRA = set("“”‘’·•—…")


def is_cjk(ch: str) -> bool:
    """A Chinese character or a piece of Chinese punctuation (for whitespace decisions)."""
    if ch in _CJK_EXTRA:
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def is_han(ch: str) -> bool:
    """A Chinese character of the basic CJK Unified Ideographs block (no punctuation, no
    extension): what a form's words are written in."""
    return "\u4e00" <= ch <= "\u9fff"


def to_halfwidth_alnum(text: str) -> str:
    """Full-width ASCII letters, digits and @ . - _ + become half-width; U+3000 becomes a space.

    Unlike NFKC this keeps Chinese full-width punctuation (，：（）) as it is.
    """
    out = []
    for ch in text:
        cp = ord(ch)
        if ch == "\u3000":
            out.append(" ")
        elif 0xFF10 <= cp <= 0xFF19 or 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A:
            out.append(chr(cp - 0xFEE0))
        elif ch in "＠．－＿＋／＃":
            out.append(chr(cp - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def nfkc(text: str) -> str:
    """Full compatibility folding, for fields with no Chinese punctuation to keep (codes, numbers)."""
    return unicodedata.normalize("NFKC", text)


_WS_RUN = re.compile(r"\s+")
_TO_FULLWIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}


def normalize_text(raw: str | None) -> str | None:
    """The free-text rule (module docstring); None when the cell holds no value."""
    if raw is None:
        return None
    text = to_halfwidth_alnum(str(raw)).replace("\r\n", "\n").replace("\r", "\n")
    text = _join_whitespace(text)
    text = _fullwidth_punct_near_cjk(text)
    if is_placeholder(text):
        return None
    return text


def _join_whitespace(text: str) -> str:
    pieces: list[str] = []
    pos = 0
    for m in _WS_RUN.finditer(text):
        pieces.append(text[pos : m.start()])
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        pos = m.end()
        if not before or not after:
            continue  # leading / trailing whitespace
        if is_cjk(before) or is_cjk(after):
            continue
        run = m.group()
        if "\n" in run and all(c == "\n" for c in run):
            # A pure line break between non-CJK characters: a space between Latin words
            # ("ISO 9001\ncertification"), nothing inside a number ("120\n5") or after a dash.
            if before.isascii() and after.isascii() and before.isalnum() and after.isalnum() and (
                before.isalpha() or after.isalpha()
            ):
                pieces.append(" ")
            continue
        pieces.append(" ")
    pieces.append(text[pos:])
    return "".join(pieces)


def _fullwidth_punct_near_cjk(text: str) -> str:
    chars = list(text)
    for i, ch in enumerate(chars):
        full = _TO_FULLWIDTH.get(ch)
        if full is None:
            continue
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        if (before and is_cjk(before)) or (after and is_cjk(after)):
            chars[i] = full
    return "".join(chars)


def is_placeholder(text: str) -> bool:
    """True when a cleaned cell holds only a "nothing here" mark (无, /, ——, 空, 年 月 日 …)."""
    t = _WS_RUN.sub("", text).strip("。.，,;；:：")
    return t.lower() in PLACEHOLDERS or all(c in "-—－–_/／\\·.。 " for c in t)


def count_text_length(text: str | None) -> int:
    """Text length as RESULT.md counts it: the number of non-whitespace characters."""
    if not text:
        return 0
    return sum(1 for ch in text if not ch.isspace())


def strip_label(text: str, labels: tuple[str, ...]) -> str:
    """Drop a leading form label (with optional colon) that leaked into the cell text.

    Labels are matched ignoring whitespace inside them ("民 族" matches 民族), longest first.
    """
    stripped = text.lstrip()
    for label in sorted(labels, key=len, reverse=True):
        pattern = r"\s*".join(re.escape(c) for c in label) + r"\s*[:：]?\s*"
        m = re.match(pattern, stripped)
        if m and m.end() < len(stripped):
            return stripped[m.end() :]
        if m and m.end() == len(stripped):
            return ""
    return text


# Marks that come in pairs in Chinese print.
_PAIRS = {"（": "）", "(": ")", "“": "”", "《": "》", "【": "】", "「": "」"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}


def unpaired_mark(text: str) -> str | None:
    """The first bracket or quote of `text` left without its partner ("41台套）", "电气（装调"),
    or None. Print pairs them; a recogniser that lost or invented one small mark does not,
    so a scanned value with one unpaired has lost or gained a mark somewhere."""
    stack: list[str] = []
    for ch in text:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS:
            # （ and ( close each other's partner too: recognisers mix the widths
            opener = _CLOSERS[ch]
            if not stack or stack[-1] not in (opener, {"(": "（", "（": "("}.get(opener, opener)):
                return ch
            stack.pop()
    return stack[0] if stack else None
