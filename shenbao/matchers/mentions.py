"""Honour, year, date and ID-number mentions inside certificate text and prose, with offsets.

A blank Chinese spaCy pipeline (character segmentation, works offline) gets one component that
writes each token's look-alike-folded form into `token.norm_` (shenbao_fold_norm), and an
EntityRuler that matches on NORM:
  - phrase patterns for every recognised title and alias, plus the same with the honour's
    province/city written in front (山西省三晋技术能手), labelled HONOUR with the title as id;
    because they match the folded NORM, 三晋技术能乎 and 全国技朮能手 are found as well;
  - token patterns for years (2019年, 二〇一九年), dates (2019年5月12日, 2019.05.12, 二〇一九年十二月)
    and 18-character ID numbers.
Overlaps go to the longest match (the ruler's rule), so a date is not also reported as a year.
The pipeline is built once per honour list and kept with it (the default list lives for the
whole process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from shenbao.extractors.normalize.dates import YEAR_RANGE, fold_cn_zero
from shenbao.matchers.honours import HonourList
from shenbao.matchers.lookalikes import fold
from shenbao.matchers.regions import REGION_BY_KEY

_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞]")
_DIGITS = list("0123456789")
_CN_DIGITS = list("〇○零一二三四五六七八九")
_CN_SMALL = list("一二三四五六七八九十")
_CN_VALUE = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass(frozen=True)
class Mention:
    kind: str  # "honour" | "year" | "date" | "id_number"
    text: str  # as written in the input
    start: int  # character offsets into the input
    end: int
    title: str | None = None  # canonical honour title (kind "honour")
    value: int | str | None = None  # year (int), date (YYYY-MM-DD or YYYY-MM), ID number (upper case)


@Language.component("shenbao_fold_norm")
def _fold_norm(doc: Doc) -> Doc:
    """NORM = the folded character: width-normalised, OCR look-alikes merged, all quotes alike."""
    for token in doc:
        token.norm_ = _QUOTES.sub('"', fold(token.text))
    return doc


def _n(values: list[str], op: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"NORM": {"IN": values}}
    if op:
        spec["OP"] = op
    return spec


def _lit(char: str) -> dict[str, Any]:
    return {"NORM": char}


_SEP = [".", "-", "/"]
TOKEN_PATTERNS: list[dict[str, Any]] = [
    {"label": "ID_NUMBER", "pattern": [_n(_DIGITS, "{17}"), _n([*_DIGITS, "X", "x"])]},
    # dates before years in the list only for readability: the ruler keeps the longest span
    {
        "label": "DATE",
        "pattern": [
            _n(["1", "2"]),
            _n(_DIGITS, "{3}"),
            _lit("年"),
            _n(_DIGITS, "{1,2}"),
            _lit("月"),
            _n(_DIGITS, "{1,2}"),
            _lit("日"),
        ],
    },
    {
        "label": "DATE",
        "pattern": [_n(["1", "2"]), _n(_DIGITS, "{3}"), _lit("年"), _n(_DIGITS, "{1,2}"), _lit("月")],
    },
    {
        "label": "DATE",
        "pattern": [
            _n(["1", "2"]),
            _n(_DIGITS, "{3}"),
            _n(_SEP),
            _n(_DIGITS, "{1,2}"),
            _n(_SEP),
            _n(_DIGITS, "{1,2}"),
        ],
    },
    {
        "label": "DATE",
        "pattern": [
            _n(_CN_DIGITS, "{4}"),
            _lit("年"),
            _n(_CN_SMALL, "{1,2}"),
            _lit("月"),
            _n(_CN_SMALL, "{1,3}"),
            _lit("日"),
        ],
    },
    {"label": "DATE", "pattern": [_n(_CN_DIGITS, "{4}"), _lit("年"), _n(_CN_SMALL, "{1,2}"), _lit("月")]},
    {"label": "YEAR", "pattern": [_n(["1", "2"]), _n(_DIGITS, "{3}"), _lit("年")]},
    {"label": "YEAR", "pattern": [_n(_CN_DIGITS, "{4}"), _lit("年")]},
]


def _region_prefixes(region_key: str) -> list[str]:
    """Names a certificate may write before a title that does not carry them (山西省 + 三晋技术能手)."""
    names: list[str] = []
    key: str | None = region_key
    while key and key in REGION_BY_KEY:
        names.extend(REGION_BY_KEY[key].names)
        key = REGION_BY_KEY[key].parent
    return names


def _honour_patterns(honours: HonourList) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for honour, spelling in honours.spellings():
        variants = [spelling]
        for name in _region_prefixes(honour.region):
            if name not in spelling:
                variants.append(name + spelling)
        for text in variants:
            if (text, honour.title) not in seen:
                seen.add((text, honour.title))
                patterns.append({"label": "HONOUR", "pattern": text, "id": honour.title})
    return patterns


def pipeline(honours: HonourList) -> Language:
    """The mention pipeline for this honour list, built on first use and kept with the list."""
    nlp = honours.cache.get("mentions_nlp")
    if nlp is None:
        nlp = spacy.blank("zh")  # default character segmenter: no model, no download
        nlp.add_pipe("shenbao_fold_norm")
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True})
        ruler.add_patterns(TOKEN_PATTERNS + _honour_patterns(honours))  # type: ignore[attr-defined]
        honours.cache["mentions_nlp"] = nlp
    return nlp


def _cn_number(text: str) -> int:
    """一..九十九 as written in dates (十二, 二十三, 三十一)."""
    if "十" not in text:
        return _CN_VALUE[text[0]]
    tens, _, ones = text.partition("十")
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def _date_value(norm: str) -> str | None:
    m = re.fullmatch(r"([0-9]{4})(?:年|[./-])([0-9]{1,2})(?:月|[./-])?(?:([0-9]{1,2})日?)?", norm)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    else:
        m = re.fullmatch(r"(.{4})年(.{1,2})月(?:(.{1,3})日)?", norm)
        if not m:
            return None
        year = int("".join(str(_CN_VALUE[c]) for c in m.group(1)))
        month = _cn_number(m.group(2))
        day = str(_cn_number(m.group(3))) if m.group(3) else None
    if not 1 <= month <= 12 or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= int(day) <= 31:
        return None
    return f"{year:04d}-{month:02d}-{int(day):02d}"


def _year_value(norm: str) -> int:
    digits = norm.rstrip("年")
    if digits.isdigit():
        return int(digits)
    return int("".join(str(_CN_VALUE[c]) for c in digits))


def find_mentions(text: str, honours: HonourList) -> list[Mention]:
    """Honours, years, dates and ID numbers mentioned in `text`, in reading order."""
    if not text:
        return []
    # a 〇 typed as 0 or O among Chinese numerals (二0一四年) is read as one; offsets are kept
    doc = pipeline(honours)(fold_cn_zero(text))
    mentions: list[Mention] = []
    for ent in doc.ents:
        norm = "".join(t.norm_ for t in ent if not t.is_space).replace(" ", "")
        before = text[ent.start_char - 1] if ent.start_char > 0 else ""
        after = text[ent.end_char] if ent.end_char < len(text) else ""
        if ent.label_ == "HONOUR":
            mentions.append(Mention("honour", ent.text, ent.start_char, ent.end_char, title=ent.ent_id_))
            continue
        # a run of digits longer than the pattern is some other number (a certificate number)
        if fold(before).isdigit() or (ent.label_ == "ID_NUMBER" and fold(after).isdigit()):
            continue
        if ent.label_ == "ID_NUMBER":
            mentions.append(Mention("id_number", ent.text, ent.start_char, ent.end_char, value=norm.upper()))
        elif ent.label_ == "DATE":
            value = _date_value(norm)
            if value is not None:
                mentions.append(Mention("date", ent.text, ent.start_char, ent.end_char, value=value))
        elif ent.label_ == "YEAR":
            year = _year_value(norm)
            if YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:  # OOOO年 is no year
                mentions.append(Mention("year", ent.text, ent.start_char, ent.end_char, value=year))
    return mentions
