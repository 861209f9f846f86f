"""Mend a form value the recogniser garbled from the packet's other documents.

A packet states most facts more than once: the unit's name on the cover, the report, the
training-fund proof and the business licence; its address and legal representative on the
licence; the contact person in the recommendation report; the ID number and ethnicity on the
ID card. When a form cell reads badly ("昌梁市润泽餐饮管理有限员任公司", "前男辉") and another
page reads the same thing cleanly, the form almost certainly says what that page says.

Which values may be mended, and from where, is data (data/corroboration.yaml). Four ways:
- `search`: the form value is looked for in the text of every other page (approximate
  substring, `best_substring`); long values only (a 3-character name would match anywhere).
  Then a settled unit name or address (`entities`) is put in place of a garbled copy of itself
  inside those values (`mend_with_entity`).
- `labelled`: only values other documents give under the same label (法定代表人, 联系人…).
- `code`: ID numbers and credit codes, only when the form's read is malformed (a character no
  such code has, or the wrong length) and the other document's code passes its checksum; a
  well-formed code that differs is the applicant's and stays, for the rules to report.
- `vocabulary`: a value outside its closed list (ethnic groups, unit types) is taken from a
  document that gives a listed one, or snapped to the one list entry it plainly is.

Nothing is mended on a text-layer page, nothing is filled into an empty cell (an empty cell
is the applicant's omission), and every mend is reported to the reviewer (LOW_CONFIDENCE).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from shenbao.extractors.normalize.text import is_han
from shenbao.extractors.ocr import charlm


@dataclass(frozen=True)
class Reading:
    """A value for a field as one other page gives it."""

    text: str
    page: int
    confidence: float
    source: str  # what the reviewer is told it came from, e.g. "营业执照"


@dataclass(frozen=True)
class Mend:
    key: str
    old: str
    new: str
    support: list[Reading]  # the readings that agree on `new`, best first


@dataclass(frozen=True)
class Settings:
    # A search hit may differ from the form value in this share of its characters.
    search_max_edit_ratio: float = 0.3
    search_min_length: int = 4  # shorter values are not searched for in page text
    # A reading found on one page only must be this sure, and surer than the form's read.
    single_min_confidence: float = 0.95
    single_margin: float = 0.03
    # The form's own read at or above this confidence is left alone (a person could have
    # written exactly that, even where other pages say otherwise). A malformed code is the
    # exception: no person writes a ":" into an ID number.
    form_trusted: float = 0.97
    # Labelled values (names): a form read below `very_shaky` may differ from the other
    # document's in all but one character, another in one (see mend_by_label).
    very_shaky: float = 0.6
    code_min_similarity: float = 0.6  # a garbled code and its clean reading: share of chars
    vocabulary_min_similarity: float = 0.75


# --- approximate substring -----------------------------------------------------------------


def best_substring(pattern: str, text: str) -> tuple[int, int, int] | None:
    """(start, end, edits) of the substring of `text` closest to `pattern` in edit distance
    (the whole pattern aligned, `text` free at both ends). Among equally close substrings the
    one nearest the pattern's length wins, then the first. None for an empty pattern or text.
    """
    m, n = len(pattern), len(text)
    if m == 0 or n == 0:
        return None
    # dist[j] / start[j]: best alignment of pattern[:i] ending at text[:j]
    dist = [0] * (n + 1)
    start = list(range(n + 1))
    for i in range(1, m + 1):
        prev_dist, prev_start = dist, start
        dist = [i] + [0] * n
        start = [0] * (n + 1)
        pc = pattern[i - 1]
        for j in range(1, n + 1):
            best = prev_dist[j - 1] + (pc != text[j - 1])
            s = prev_start[j - 1]
            if prev_dist[j] + 1 < best:  # pattern char left out
                best, s = prev_dist[j] + 1, prev_start[j]
            if dist[j - 1] + 1 < best:  # text char left out
                best, s = dist[j - 1] + 1, start[j - 1]
            dist[j], start[j] = best, s
    choice = min(range(1, n + 1), key=lambda j: (dist[j], abs((j - start[j]) - m), j))
    return start[choice], choice, dist[choice]


def search(pattern: str, text: str, max_edits: int) -> tuple[int, int, int] | None:
    """`best_substring` within `max_edits`, on the part of `text` a quick fuzzy scan points to
    (the exact alignment is quadratic; pages are long)."""
    if not pattern or not text:
        return None
    if len(text) > 4 * len(pattern):
        hint = fuzz.partial_ratio_alignment(pattern, text)
        if hint is None or hint.score < 100.0 * (1 - 2 * max_edits / max(1, len(pattern))) - 1:
            return None
        lo = max(0, hint.dest_start - len(pattern))
        hi = min(len(text), hint.dest_end + len(pattern))
    else:
        lo, hi = 0, len(text)
    hit = best_substring(pattern, text[lo:hi])
    if hit is None or hit[2] > max_edits:
        return None
    return hit[0] + lo, hit[1] + lo, hit[2]


# --- deciding ----------------------------------------------------------------------------------


def _pick(old: str, readings: Sequence[Reading], form_confidence: float,
          settings: Settings) -> tuple[str, list[Reading]] | None:
    """The reading to take over `old`, with the readings that agree on it; None to keep `old`.

    Pages vote, the form counting as one: a value more pages give than give the form's read
    is taken. When neither is given elsewhere but one page gives another value, that page
    must have read it surer than the form was read."""
    by_text: dict[str, list[Reading]] = {}
    for r in readings:
        by_text.setdefault(r.text, []).append(r)
    old_pages = 1 + len({r.page for r in by_text.pop(old, [])})
    if not by_text:
        return None

    def strength(item: tuple[str, list[Reading]]) -> tuple[int, float]:
        _, rs = item
        return len({r.page for r in rs}), max(r.confidence for r in rs)

    text, rs = max(by_text.items(), key=strength)
    pages, confidence = strength((text, rs))
    if pages < old_pages:
        return None
    if pages == old_pages and (pages > 1 or confidence < settings.single_min_confidence
                               or confidence < form_confidence + settings.single_margin):
        return None
    return text, sorted(rs, key=lambda r: -r.confidence)


def mend_by_search(key: str, old: str, form_confidence: float, texts: Sequence[PageText],
                   settings: Settings | None = None) -> Mend | None:
    """Look for `old` in other pages' text; a close substring is a reading of the same value.
    A value of several space-separated parts (unit and post, bank and account) is mended part
    by part."""
    settings = settings or Settings()
    if form_confidence >= settings.form_trusted:
        return None
    parts = old.split(" ")
    new_parts: list[str] = []
    support: list[Reading] = []
    for part in parts:
        mended = _search_part(part, form_confidence, texts, settings)
        if mended is None:
            new_parts.append(part)
        else:
            new_parts.append(mended[0])
            support += mended[1]
    new = " ".join(new_parts)
    return Mend(key, old, new, support) if new != old else None


def confirming_pages(old: str, texts: Sequence[PageText], settings: Settings | None = None) -> list[int]:
    """The pages stating `old` exactly as the form was read (every part of it long enough to be
    searched for must stand on one of `texts`; the pages named are those of the first such
    part), or none: two readings that agree settle a value however shakily either was read."""
    settings = settings or Settings()
    parts = [p for p in old.split(" ") if len(p) >= settings.search_min_length]
    if not parts or not all(any(p in t.text for t in texts) for p in parts):
        return []
    return sorted({t.page for t in texts if parts[0] in t.text})


# Symbols a value's ends pick up that are no part of it: the star of a seal stamped over the
# end of a unit's name, a speck read as a bullet.
_STRAY_SYMBOLS = "★☆●○◎◆◇□■△▲▽▼※*#"
# Two characters whose pointwise mutual information (`charlm`) is at least this write one word.
_WORD_PMI = 3.0


def _search_part(part: str, form_confidence: float, texts: Sequence[PageText],
                 settings: Settings) -> tuple[str, list[Reading]] | None:
    # A stray symbol is searched for without: an edit would otherwise pair it with whatever
    # character follows the value on the other page (the 单 of 单位性质 for the seal's ★).
    core = part.strip(_STRAY_SYMBOLS)
    if len(core) < settings.search_min_length:
        return None
    max_edits = max(1, int(len(core) * settings.search_max_edit_ratio))
    found: list[Reading] = []
    for page_text in texts:
        hit = search(core, page_text.text, max_edits)
        if hit is None or _digits(page_text.text[hit[0]:hit[1]]) != _digits(core):
            continue  # digits that differ (a house number, an account) may be either page's slip
        start, end = hit[0], hit[1]
        if core != part and _hides_next(part, core, page_text.text, start, end):
            end += 1
        found.append(page_text.reading(start, end))
    picked = _pick(core, found, form_confidence, settings)
    if picked is None and core != part:
        same = [r for r in found if r.text == core]
        if same:
            return core, sorted(same, key=lambda r: -r.confidence)  # the symbol dropped
    return picked


def _hides_next(part: str, core: str, text: str, start: int, end: int) -> bool:
    """Whether the stray symbol at the end of `part` hides the character the other page's
    `text` goes on with after the value's core (found exactly at [start, end)): one that
    completes its last word does (有限公 + 司: the seal's star stamped over the 司); one that
    starts another (有限公司 + 单 of 单位性质) does not, the symbol was no character."""
    if (text[start:end] != core or not part.endswith(tuple(_STRAY_SYMBOLS)) or end >= len(text)
            or not is_han(text[end]) or not is_han(core[-1])):
        return False
    try:
        model = charlm.load()
    except (ImportError, OSError, ValueError):
        return False
    return model.knows(text[end]) and model.pmi(core[-1], text[end]) >= _WORD_PMI


def mend_by_label(key: str, old: str, form_confidence: float, readings: Sequence[Reading],
                  settings: Settings | None = None) -> Mend | None:
    """Other documents' values under the same label (each Reading's `text` is what follows
    the label there, maybe with more text after it). The part of each closest to `old` is
    its reading. How far it may differ from the form's read: a read with a character no
    Chinese name has ("1华") or a very shaky one (below `very_shaky`) in all but one character;
    another one of three characters or more in one. A two-character name
    read as two Chinese characters is left alone: one character is half of it, and another
    person's name under the same label (the bureau's 联系人 in its report) is as likely."""
    settings = settings or Settings()
    if form_confidence >= settings.form_trusted or not old:
        return None
    if not all(is_han(ch) for ch in old) or form_confidence < settings.very_shaky:
        max_edits = len(old) - 1
    elif len(old) >= 3:
        max_edits = 1
    else:
        return None
    found = []
    for r in readings:
        hit = best_substring(old, r.text)
        if hit is None or hit[2] > max_edits or hit[1] - hit[0] < 2:
            continue
        value = r.text[hit[0]:hit[1]]
        if not all(_is_word_char(ch) for ch in value):
            continue
        found.append(Reading(value, r.page, r.confidence, r.source))
    picked = _pick(old, found, form_confidence, settings)
    return Mend(key, old, picked[0], picked[1]) if picked else None


def mend_with_entity(key: str, old: str, form_confidence: float, entity: Reading,
                     settings: Settings | None = None) -> Mend | None:
    """A settled value of another field (the unit's name, its address) that `old` holds a
    garbled copy of ("吕梁市学义市学院路214号餐饮管理车间" holding the address), put in its place."""
    settings = settings or Settings()
    if form_confidence >= settings.form_trusted or len(entity.text) < settings.search_min_length:
        return None
    hit = best_substring(entity.text, old)
    max_edits = max(1, int(len(entity.text) * settings.search_max_edit_ratio))
    if hit is None or not 0 < hit[2] <= max_edits or _digits(old[hit[0]:hit[1]]) != _digits(entity.text):
        return None  # a 216 that is not the address's 218 is another place, not a misread
    start, end, _ = hit
    return Mend(key, old, old[:start] + entity.text + old[end:], [entity])


def mend_code(key: str, old: str, readings: Sequence[Reading], malformed: Callable[[str], str | None],
              valid: Callable[[str], bool], settings: Settings | None = None,
              max_edits: int | None = None) -> Mend | None:
    """A malformed code read from the form (a misread whatever its confidence), replaced by a
    valid code another document gives that is plainly the same code misread: most characters
    shared, and at most `max_edits` edits apart where given (two people's ID numbers share
    their region and birth year, so an ID may differ in two characters at most)."""
    settings = settings or Settings()
    if not old or malformed(old) is None:
        return None
    good = [r for r in readings if valid(r.text)
            and Indel.normalized_similarity(old, r.text) >= settings.code_min_similarity
            and (max_edits is None or Levenshtein.distance(old, r.text) <= max_edits)]
    if not good:
        return None
    by_text: dict[str, list[Reading]] = {}
    for r in good:
        by_text.setdefault(r.text, []).append(r)
    text, rs = max(by_text.items(), key=lambda item: (len({r.page for r in item[1]}),
                                                      Indel.normalized_similarity(old, item[0])))
    return Mend(key, old, text, sorted(rs, key=lambda r: -r.confidence))


def mend_from_vocabulary(key: str, old: str, vocabulary: Sequence[str], readings: Sequence[Reading],
                         settings: Settings | None = None, form_confidence: float = 0.0) -> Mend | None:
    """A value outside its closed list: the listed value another document gives (an ID card's
    民族), else the one list entry the value plainly is (a character lost or misread). A value
    read clearly (`form_trusted`) is a value someone wrote, outside the list or not; only a
    character lost at the cell's edge ("业单位" for 事业单位) is still put back there."""
    settings = settings or Settings()
    if not old or old in vocabulary:
        return None
    lost_one = [v for v in vocabulary if len(v) == len(old) + 1 and _is_subsequence(old, v)]
    if form_confidence >= settings.form_trusted:
        return Mend(key, old, lost_one[0], []) if len(lost_one) == 1 else None
    listed = [r for r in readings if r.text in vocabulary]
    if listed:
        by_text: dict[str, list[Reading]] = {}
        for r in listed:
            by_text.setdefault(r.text, []).append(r)
        text, rs = max(by_text.items(), key=lambda item: (len({r.page for r in item[1]}),
                                                          max(r.confidence for r in item[1])))
        return Mend(key, old, text, rs)
    scored = sorted(((Indel.normalized_similarity(old, v), v) for v in vocabulary if abs(len(v) - len(old)) <= 1),
                    reverse=True)
    if not scored or scored[0][0] < settings.vocabulary_min_similarity:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.1:
        return None  # two entries fit about as well: no telling which was written
    return Mend(key, old, scored[0][1], [])


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or "\u4e00" <= ch <= "\u9fff" or ch in "·-"


@dataclass
class PageText:
    """A page's text as one string (rows in reading order, joined without breaks, so a name
    wrapped over two lines is found whole) and the confidence of each character's line."""

    page: int
    source: str  # the page's document, as the reviewer is told
    text: str = ""
    confidences: list[float] = field(default_factory=list)

    def reading(self, start: int, end: int) -> Reading:
        conf = min(self.confidences[start:end], default=1.0)
        return Reading(self.text[start:end], self.page, conf, self.source)
