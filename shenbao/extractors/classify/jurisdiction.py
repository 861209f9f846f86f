"""Which bureau's call a packet answers, from the packet's own pages.

The form titles and issuer lines name the city (武汉市技能大师工作室申报表, 吕梁市人力资源社会保障局
财政局制, 重庆市梁平区…); addresses, issuing authorities and phone area codes are weaker cues
that still help when the title is damaged. Cues live in data/jurisdictions.yaml. The batch
manifest or the command line overrides the result; the caller applies that.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from shenbao.extractors.classify.doctype import PageClass, classify_pages
from shenbao.extractors.classify.features import HEAD_ROWS, group_rows
from shenbao.extractors.classify.rules import Phrase, RulesError, phrase_score
from shenbao.models import DocumentType
from shenbao.pipeline.types import Page

DEFAULT_JURISDICTIONS = Path(__file__).resolve().parents[3] / "data" / "jurisdictions.yaml"

# Pages whose titles are the bureau's own forms weigh more than evidence issued elsewhere
# (a certificate from another city says where the honour came from, not where the call is).
_TYPE_FACTOR: dict[DocumentType, float] = {
    DocumentType.COVER: 2.0,
    DocumentType.APPLICATION_FORM: 2.0,
    DocumentType.SUMMARY_TABLE: 1.5,
    DocumentType.APPLICATION_REPORT: 1.5,
    DocumentType.RECOMMENDATION_REPORT: 1.5,
    DocumentType.COMMITMENT_LETTER: 1.5,
    DocumentType.HONOUR_CERTIFICATE: 0.5,
    DocumentType.QUALIFICATION_CERTIFICATE: 0.5,
    DocumentType.EDUCATION_CERTIFICATE: 0.3,
}


@dataclass(frozen=True)
class _JurCues:
    key: str
    cities: tuple[Phrase, ...]
    places: tuple[str, ...]
    area_code: re.Pattern[str] | None


@dataclass(frozen=True)
class JurisdictionRules:
    cues: tuple[_JurCues, ...]
    strong_context: re.Pattern[str]
    w_strong: float
    w_strong_head: float
    w_city: float
    w_place: float
    w_area: float
    min_total: float


def load_jurisdiction_rules(path: Path | None = None) -> JurisdictionRules:
    return _load(str(path or DEFAULT_JURISDICTIONS))


@lru_cache(maxsize=4)
def _load(path: str) -> JurisdictionRules:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RulesError(f"jurisdiction cues not found: {p}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("jurisdictions"), dict):
        raise RulesError(f"{p.name}: expected a mapping with 'jurisdictions'")
    cues = []
    for key, body in data["jurisdictions"].items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(key)):
            raise RulesError(f"{p.name}: bad jurisdiction key {key!r}")
        jur = str(key)
        body = body or {}
        cities = tuple(
            Phrase(text=c, weight=1.0, head_weight=1.0, fuzzy=len(c) >= 4) for c in body.get("city", [])
        )
        codes = [re.escape(str(c)) for c in body.get("area_codes", []) or []]
        area = re.compile(rf"(?<!\d)(?:{'|'.join(codes)})-?\d{{7,8}}(?!\d)") if codes else None
        cues.append(_JurCues(jur, cities, tuple(body.get("places", []) or []), area))
    w = data.get("weights", {}) or {}
    return JurisdictionRules(
        cues=tuple(cues),
        strong_context=re.compile(data.get("strong_context", "技能大师工作室")),
        w_strong=float(w.get("strong", 6.0)),
        w_strong_head=float(w.get("strong_head", 3.0)),
        w_city=float(w.get("city", 1.0)),
        w_place=float(w.get("place", 0.4)),
        w_area=float(w.get("area_code", 0.4)),
        min_total=float(w.get("min_total", 2.0)),
    )


def _city_hit(cues: _JurCues, text: str) -> bool:
    return any(phrase_score(c, text) > 0 for c in cues.cities)


def detect_jurisdiction(
    pages: Sequence[Page],
    classes: Sequence[PageClass] | None = None,
    rules_path: Path | None = None,
) -> tuple[str | None, float, str]:
    """(jurisdiction or None, confidence 0..1, the evidence that decided it).

    `classes` (from classify_pages) weighs each page by its kind; classified here when not given.
    """
    rules = load_jurisdiction_rules(rules_path)
    if classes is None:
        classes = classify_pages(pages)
    by_page = {c.page: c.type for c in classes}
    totals: dict[str, float] = defaultdict(float)
    best_ev: dict[str, tuple[float, str]] = {}

    def add(jur: str, gain: float, why: str) -> None:
        totals[jur] += gain
        if gain > best_ev.get(jur, (0.0, ""))[0]:
            best_ev[jur] = (gain, why)

    for page in pages:
        rows = [r.compact for r in group_rows(page.lines)]
        if not rows:
            continue
        factor = _TYPE_FACTOR.get(by_page.get(page.number, DocumentType.OTHER), 1.0)
        text = "".join(rows)
        for cues in rules.cues:
            strong = 0.0
            strong_row = ""
            for i, row in enumerate(rows):
                if not rules.strong_context.search(row) or not _city_hit(cues, row):
                    continue
                gain = rules.w_strong + (rules.w_strong_head if i < HEAD_ROWS else 0.0)
                if gain > strong:
                    strong, strong_row = gain, row
            if strong:
                add(cues.key, strong * factor, f"p.{page.number}: {strong_row[:40]}")
            elif _city_hit(cues, text):
                add(cues.key, rules.w_city * factor, f"p.{page.number}: names {cues.cities[0].text}")
            places = [pl for pl in cues.places if pl in text]
            if places:
                add(cues.key, rules.w_place * len(places), f"p.{page.number}: place {places[0]}")
            if cues.area_code is not None:
                n = len(cues.area_code.findall(text))
                if n:
                    add(cues.key, rules.w_area * min(n, 3), f"p.{page.number}: {n} phone(s) with area code")

    if not totals:
        return None, 0.0, "no city, place or area code of a known jurisdiction on any page"
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    best, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < rules.min_total:
        return None, 0.0, f"only weak cues ({best}: {score:.1f})"
    confidence = round(min(1.0, score / (2 * rules.w_strong)) * (score - second) / score, 3)
    why = best_ev[best][1]
    return best, confidence, f"{why} (score {score:.1f} vs {second:.1f})"
