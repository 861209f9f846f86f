"""Form labels -> canonical field keys, matched fuzzily against the alias table data/labels.yaml.

Labels are compared in a compact form (NFKC, no whitespace or punctuation, no fill-in hints
such as （可另附页）), so "E-mail" / "Email", "通信地址." / "通讯地址" and a label split over
three lines of its cell all meet their alias. Short labels get little slack (a 2-character
label must be exact: one wrong character would make "民族" out of "汉族"); long ones may differ
by OCR slips or wording and may carry extra words after a recognised beginning. Where the
layout says a label belongs (relaxed), a long label garbled past edit distance is still
recognised by how much of it survives in place (worn_score).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

# data/ sits next to the shenbao package in the repository (editable install).
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "labels.yaml"

_HINTS = re.compile(r"可另附页|另附页|\d+字以[内下]|[（(]?签字盖章[)）]?|[（(]?盖章[)）]?")
_DROP = re.compile(r"[^0-9a-z\u3400-\u9fff]")
# A unit in brackets after a label: 工作室面积（平方米）, 团队人数（人）. Only in brackets: 人 alone
# ends 联系人 and 负责人.
_UNIT_HINTS = re.compile(r"\((?:平方米|平米|m2|人|名|个|万元|元|岁)\)")


def compact(text: str) -> str:
    """The comparable core of a label: folded width/case, no spaces, punctuation or hints."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = _UNIT_HINTS.sub("", t)
    t = _DROP.sub("", t)
    return _HINTS.sub("", t)


@dataclass(frozen=True)
class LabelEntry:
    key: str
    aliases: tuple[str, ...]
    after: tuple[str, ...] = ()
    cover: bool = False


@dataclass(frozen=True)
class LabelMatch:
    alias: str  # compact alias that matched best
    score: float  # 0..100
    entries: tuple[LabelEntry, ...]  # every entry listing that alias, preferred first

    def resolve(self, context: list[str]) -> str | None:
        """The key this label stands for, given the keys of labels to its left (nearest first)."""
        for ctx in context:
            for e in self.entries:
                if ctx in e.after:
                    return e.key
        for e in self.entries:
            if not e.after:
                return e.key
        return None

    @property
    def keys(self) -> set[str]:
        return {e.key for e in self.entries}


def min_score(alias_len: int, relaxed: bool = False) -> float:
    """How close a text must be to an alias of this many characters to count as that label:
    no slip in a 2-character label, one in up to 7 characters, then one more per 4; relaxed
    (where the layout says a label belongs), about one in three."""
    if alias_len <= 2:
        return 100.0
    slips = max(1, round(alias_len * 0.34)) if relaxed else max(1, alias_len // 4)
    return 100.0 * (1 - slips / alias_len) - 0.5


class LabelTable:
    def __init__(self, entries: list[LabelEntry], sections: dict[str, tuple[str, ...]],
                 by_jurisdiction: dict[str, list[LabelEntry]] | None = None) -> None:
        self.entries = entries
        self.sections = sections
        self.by_jurisdiction = by_jurisdiction or {}

    @classmethod
    def load(cls, path: Path | None = None) -> LabelTable:
        return _load_cached(str(path or DEFAULT_PATH))

    def _candidates(self, jurisdiction: str | None) -> list[LabelEntry]:
        return [*self.by_jurisdiction.get(jurisdiction or "", []), *self.entries]

    def match(self, text: str, jurisdiction: str | None = None, cover_only: bool = False,
              relaxed: bool = False) -> LabelMatch | None:
        """The best label `text` reads as, or None when it is not a label (a value)."""
        t = compact(text)
        if not t:
            return None
        entries = self._candidates(jurisdiction)
        if cover_only:
            entries = [e for e in entries if e.cover]
        best_alias, best_score = "", 0.0
        for e in entries:
            for a in e.aliases:
                s = alias_score(t, a)
                if s < min_score(len(a), relaxed):
                    continue
                if s > best_score or (s == best_score and len(a) > len(best_alias)):
                    best_alias, best_score = a, s
        if not best_alias and relaxed:
            best_alias, best_score = _best_worn_long(t, entries)
        if not best_alias:
            return None
        holders = tuple(e for e in entries if best_alias in e.aliases)
        return LabelMatch(alias=best_alias, score=best_score, entries=holders)

    def match_by_value(self, text: str, value: str, jurisdiction: str | None = None) -> LabelMatch | None:
        """A label too garbled even for relaxed matching ("9分证号", "é族", 性别 under a seal read
        "件别"), read as the label of the value beside it when that value can only be of one kind
        (an 18-digit ID number, an e-mail address, an ethnic group, 男 or 女, a list of honours
        with their years) and the text still resembles one of that key's aliases
        (VALUE_LABEL_MIN_SCORE; for the long honours label, the share of its characters the
        alias holds, HONOURS_LABEL_MIN_SHARE). Only where the layout says a label belongs."""
        t = compact(text)
        key = value_kind(value)
        if not t or key is None:
            return None
        entries = [e for e in self._candidates(jurisdiction) if e.key == key]
        scored = [(alias_score(t, a), a) for e in entries for a in e.aliases]
        if key == HONOURS_KEY and len(t) >= HONOURS_LABEL_MIN_LEN:
            # ... and shares clearly more with it than with any other label (the 工作业绩
            # label beside a paragraph that names an honour is closer to its own aliases).
            rival = max((shared_share(t, a) for e in self._candidates(jurisdiction) if e.key != key
                         for a in e.aliases), default=0.0)
            floor = max(HONOURS_LABEL_MIN_SHARE, rival + HONOURS_LABEL_MIN_LEAD)
            shares = [(shared_share(t, a), a) for e in entries for a in e.aliases]
            scored += [(100.0 * share, a) for share, a in shares if share >= floor]
        if not scored:
            return None
        score, alias = max(scored)
        if score < VALUE_LABEL_MIN_SCORE:
            return None
        return LabelMatch(alias=alias, score=score, entries=tuple(e for e in entries if alias in e.aliases))

    def split_prefix(self, text: str, jurisdiction: str | None = None,
                     cover_only: bool = False) -> tuple[LabelMatch, str] | None:
        """A "label：value" (or "label value") text split into its label and the rest.

        A colon decides where the label ends when there is one; otherwise the longest
        beginning of the text that reads as a label does.
        """
        m = re.match(r"^\s*([^：:]{1,40}?)\s*[：:]\s*(.*)$", text, re.S)
        if m:
            lm = self.match(m.group(1), jurisdiction, cover_only)
            if lm is not None:
                return lm, m.group(2).strip()
        # No colon: try each beginning, longest first, compared on compact text.
        chars = list(text)
        for end in range(min(len(chars), 40), 1, -1):
            head = "".join(chars[:end])
            if not compact(head):
                continue
            lm = self.match(head, jurisdiction, cover_only)
            if lm is not None and lm.score >= 90:
                return lm, "".join(chars[end:]).strip(" ：:\t")
        return None

    def section(self, text: str) -> str | None:
        t = compact(text)
        if not t:
            return None
        for name, aliases in self.sections.items():
            if any(alias_score(t, a) >= 85 for a in aliases):
                return name
        return None


# Values that say which field they are whatever their label reads like.
VALUE_LABEL_MIN_SCORE = 40.0
_ID_LIKE = re.compile(r"[0-9XxOol:;.,·\s]{15,21}")
_ID_BIRTH = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_EMAIL_LIKE = re.compile(r"[\x21-\x7e]*(?:@[\x21-\x7e]+|\.(?:com|cn|net|org))")
HONOURS_KEY = "_awards"
_YEAR_IN_TEXT = re.compile(r"(?:19|20)\d\d")
# Words an honour's name ends in. A paragraph of achievements may hold them too, but its label
# (工作业绩) shares few characters with the honours label's.
_HONOUR_WORD = re.compile(r"称号|能手|状元|劳动模范|劳模|工匠|大奖|奖章|津贴|传承人|标兵|首席技师|技能大师|先进工作者")
# Calibrated on the dev corpus's worn honours labels (0.51 of their characters in the alias)
# against the 工作业绩 label beside them (0.19); a short text shares too much by chance.
HONOURS_LABEL_MIN_SHARE = 0.4
HONOURS_LABEL_MIN_LEAD = 0.15  # over the best other label (worn honours labels: 0.51 against 0.19)
HONOURS_LABEL_MIN_LEN = 8


def value_kind(value: str) -> str | None:
    """The field a form value can only be: master_id_number (15-21 characters, 14+ of them
    digits, a birth date in characters 7-14), email (ASCII with an @ or a mail domain ending),
    master_ethnicity (a short text ending in 族), master_gender (男 or 女 alone), the honours
    cell (a year and an honour's word: 称号, 技术能手, 状元 …); None for anything else."""
    v = "".join(value.split())
    if _ID_LIKE.fullmatch(v) and sum(ch.isdigit() for ch in v) >= 14 and _ID_BIRTH.fullmatch(v[6:14]):
        return "master_id_number"  # a bank account or certificate number has no birth date there
    if v.isascii() and _EMAIL_LIKE.fullmatch(v):
        return "email"
    if 2 <= len(v) <= 5 and v.endswith("族"):
        return "master_ethnicity"
    if v in ("男", "女"):
        return "master_gender"
    if _YEAR_IN_TEXT.search(v) and _HONOUR_WORD.search(v):
        return HONOURS_KEY
    return None


def shared_share(t: str, alias: str) -> float:
    """The share of compact text `t`'s characters (as a multiset) that `alias` holds: what is
    left of a long label whose surviving characters are scattered and whose lines are partly
    lost ("全工技术能！、音技术低！·吕业技术二…" of "获得中华技能大奖、全国技术能手、三晋技术能手…")."""
    if not t:
        return 0.0
    return sum((Counter(t) & Counter(alias)).values()) / len(t)


def alias_score(t: str, alias: str) -> float:
    """Similarity of compact text `t` to compact `alias`, 0..100.

    Edit-distance similarity (an OCR slip costs one character), or for long aliases (≥6 characters) the similarity of the text's
    beginning: label cells often add explanatory words after the label proper.
    """
    if t == alias:
        return 100.0
    s = Levenshtein.normalized_similarity(t, alias) * 100.0
    if len(alias) >= 6 and len(t) > len(alias):
        n = len(alias)
        s = max(s, *(Levenshtein.normalized_similarity(t[:k], alias) * 100.0 - 2.0 for k in (n - 1, n, n + 1)))
    return s


# A long label on a worn scan can lose half its characters to misreads ("获得中华技能大奖、全国
# 技术能手…" read as "我得中学技照人笑全工技木推上…"): edit distance then says "unrelated", yet
# the characters that survive still sit in their places all along the label. A value cell that
# quotes some of the label's words (an honours list naming 技术能手, a paragraph on 国家专利)
# covers only part of it, or is much longer. So: compare each quarter of the alias with the
# same stretch of the text, and ask that every quarter keeps a share of its characters.
WORN_MIN_ALIAS = 12  # shorter aliases: the edit-distance slack of relaxed matching is enough
WORN_QUARTERS = 4
# Calibrated on the dev corpus: garbled true labels ≥ 0.47, value cells ≤ 0.20 (hand-made
# label-like values up to 0.375, see tests/test_form_labels_worn.py).
WORN_MIN_SHARE = 0.4
# A misread label keeps about its length (OCR drops or splits a few characters, no more).
WORN_LENGTH_RATIO = (0.7, 1.4)


def worn_score(t: str, alias: str) -> float:
    """How much of long compact `alias` survives, in place, in compact text `t`: the smallest
    share, over the alias's quarters, of that quarter's characters (as a multiset, order
    ignored) found in the corresponding quarter of `t`, widened by half a quarter each side to
    absorb dropped or extra characters. 0..1; 0 when the lengths are too far apart."""
    n, m = len(alias), len(t)
    if n < WORN_MIN_ALIAS or not WORN_LENGTH_RATIO[0] <= m / n <= WORN_LENGTH_RATIO[1]:
        return 0.0
    k = WORN_QUARTERS
    pad = max(2, m // (2 * k))
    shares = []
    for i in range(k):
        part = Counter(alias[i * n // k:(i + 1) * n // k])
        window = Counter(t[max(0, i * m // k - pad):(i + 1) * m // k + pad])
        shares.append(sum((part & window).values()) / max(1, part.total()))
    return min(shares)


def _best_worn_long(t: str, entries: list[LabelEntry]) -> tuple[str, float]:
    """The long alias `t` is a worn copy of ("" when none), with its score on the 0..100 scale."""
    best_alias, best = "", 0.0
    for e in entries:
        for a in e.aliases:
            s = worn_score(t, a)
            if s >= WORN_MIN_SHARE and (s > best or (s == best and len(a) > len(best_alias))):
                best_alias, best = a, s
    return best_alias, 100.0 * best


@lru_cache(maxsize=4)
def _load_cached(path: str) -> LabelTable:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))

    def entries_of(items: list[dict]) -> list[LabelEntry]:
        out = []
        for it in items or []:
            aliases = tuple(dict.fromkeys(compact(a) for a in it["aliases"] if compact(a)))
            out.append(LabelEntry(key=it["key"], aliases=aliases, after=tuple(it.get("after", ())),
                                  cover=bool(it.get("cover", False))))
        return out

    sections = {s["name"]: tuple(compact(a) for a in s["aliases"]) for s in raw.get("sections", [])}
    by_j = {j: entries_of(items) for j, items in (raw.get("jurisdictions") or {}).items()}
    return LabelTable(entries_of(raw["fields"]), sections, by_j)
