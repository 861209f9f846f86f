"""Key-phrase rules per document type (data/doctypes.yaml) and the OCR-tolerant phrase matcher.

The rules are data so a bureau can add the wording of its own documents without code: each type
lists phrases (or regular expressions) with a weight for a hit anywhere on the page and a weight
for a hit in the page's head (title zone), plus a few layout expectations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml
from rapidfuzz import fuzz

from shenbao.extractors.classify.features import normalize_text
from shenbao.models import DocumentType

DEFAULT_DOCTYPES = Path(__file__).resolve().parents[3] / "data" / "doctypes.yaml"


class RulesError(ValueError):
    """The rules file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Phrase:
    text: str  # normalised phrase, or a regular expression when `regex`
    weight: float  # a hit anywhere on the page
    head_weight: float  # a hit inside the head rows (titles, card headings)
    regex: bool = False
    fuzzy: bool = True
    starts: bool = False  # a head hit marks the first page of a document

    @property
    def label(self) -> str:
        return f"/{self.text}/" if self.regex else self.text


@dataclass(frozen=True)
class Layout:
    max_rows: int | None = None
    min_rows: int | None = None
    table: str | None = None  # "require" | "avoid" (judged only where rulings are known)
    min_prose_rows: int | None = None


@dataclass(frozen=True)
class TypeRule:
    type: DocumentType
    phrases: tuple[Phrase, ...]
    layout: Layout
    group: str  # "merge" | "per_page" | "per_start"
    continuable: bool  # an untitled page right after one of these continues it
    resumes_over: tuple[DocumentType, ...] = ()  # types that may sit inside one document of this type


@dataclass(frozen=True)
class DocRules:
    types: dict[DocumentType, TypeRule]
    min_score: float
    weak_share: float
    weak_lead: float
    layout_penalty: float
    toc_weight: float
    source: str = ""


def _max_errors(n: int) -> int:
    """Character errors tolerated in a phrase of n characters (OCR slips, dropped glyphs)."""
    if n <= 9:
        return 1
    if n <= 15:
        return 2
    return 3


def phrase_score(phrase: Phrase, text: str) -> float:
    """How well `phrase` occurs in `text`: 1.0 exact, less for an OCR-slipped hit, 0.0 absent."""
    if not text:
        return 0.0
    if phrase.regex:
        return 1.0 if re.search(phrase.text, text) else 0.0
    if phrase.text in text:
        return 1.0
    n = len(phrase.text)
    if not phrase.fuzzy or n < 4:
        return 0.0
    # partial_ratio compares the phrase with its best-aligned window of the text (InDel based):
    # one substituted glyph in n costs 1/n, a dropped one about 1/(2n).
    cutoff = 100.0 * (1.0 - _max_errors(n) / n) - 1e-6
    score = fuzz.partial_ratio(phrase.text, text, score_cutoff=cutoff)
    if not score or not _within_edits(phrase.text, text, _max_errors(n)):
        return 0.0
    # Rescale so that a hit at the cutoff counts half and an exact hit fully: a slipped phrase
    # is weaker evidence than a clean one.
    return 0.5 + 0.5 * (score - cutoff) / (100.0 - cutoff)


def _within_edits(phrase: str, text: str, edits: int) -> bool:
    """Whether some stretch of `text` is `phrase` with at most `edits` glyphs misread, dropped
    or added. partial_ratio alone (InDel) also takes two of the phrase's characters beside two
    others: 推荐报告 in "同意推荐" + "申报", two cells' words run together on a form."""
    return _fuzzy_pattern(phrase, edits).search(text) is not None


@lru_cache(maxsize=4096)
def _fuzzy_pattern(phrase: str, edits: int) -> regex.Pattern[str]:
    return regex.compile(f"(?:{regex.escape(phrase)}){{e<={edits}}}")


def _parse_phrase(entry: Any, where: str) -> Phrase:
    if isinstance(entry, str):
        entry = {"p": entry}
    if not isinstance(entry, dict):
        raise RulesError(f"{where}: a phrase is a string or a mapping, got {entry!r}")
    regex = "re" in entry
    raw = entry.get("re") if regex else entry.get("p")
    if not isinstance(raw, str) or not raw.strip():
        raise RulesError(f"{where}: phrase needs a non-empty 'p' or 're'")
    if regex:
        try:
            re.compile(raw)
        except re.error as exc:
            raise RulesError(f"{where}: bad regular expression {raw!r}: {exc}") from exc
        text = raw
    else:
        text = normalize_text(raw)
    weight = float(entry.get("w", 1.0))
    head_weight = float(entry.get("hw", weight))
    return Phrase(
        text=text,
        weight=weight,
        head_weight=head_weight,
        regex=regex,
        fuzzy=bool(entry.get("fuzzy", len(text) >= 5)),
        starts=bool(entry.get("starts", False)),
    )


def parse_rules(data: dict[str, Any], source: str = "") -> DocRules:
    if not isinstance(data, dict) or not isinstance(data.get("types"), dict):
        raise RulesError(f"{source or 'rules'}: expected a mapping with 'types'")
    types: dict[DocumentType, TypeRule] = {}
    for name, body in data["types"].items():
        try:
            dtype = DocumentType(name)
        except ValueError as exc:
            raise RulesError(f"{source}: unknown document type {name!r}") from exc
        body = body or {}
        where = f"{source}:{name}"
        phrases = tuple(_parse_phrase(e, where) for e in body.get("phrases", []) or [])
        lay = body.get("layout", {}) or {}
        layout = Layout(
            max_rows=lay.get("max_rows"),
            min_rows=lay.get("min_rows"),
            table=lay.get("table"),
            min_prose_rows=lay.get("min_prose_rows"),
        )
        group = body.get("group", "merge")
        if group not in ("merge", "per_page", "per_start"):
            raise RulesError(f"{where}: group must be merge, per_page or per_start")
        resumes = tuple(DocumentType(t) for t in body.get("resumes_over", []) or [])
        types[dtype] = TypeRule(
            type=dtype,
            phrases=phrases,
            layout=layout,
            group=group,
            continuable=bool(body.get("continuable", False)),
            resumes_over=resumes,
        )
    if not types:
        raise RulesError(f"{source or 'rules'}: no document types")
    return DocRules(
        types=types,
        min_score=float(data.get("min_score", 3.0)),
        weak_share=float(data.get("weak_share", 0.5)),
        weak_lead=float(data.get("weak_lead", 2.0)),
        layout_penalty=float(data.get("layout_penalty", 0.5)),
        toc_weight=float(data.get("toc_weight", 2.0)),
        source=source,
    )


def load_rules(path: Path | None = None) -> DocRules:
    """Rules from a YAML file (default data/doctypes.yaml). Raises RulesError on bad content."""
    return _load_cached(str(path or DEFAULT_DOCTYPES))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> DocRules:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"document-type rules not found: {p}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{p}: not valid YAML: {exc}") from exc
    return parse_rules(data, source=p.name)
