"""Page classification: which kind of document a page belongs to, with the phrases that decided it.

`classify_page` judges one page on its own words and layout. `classify_pages` then reads the
packet in order to settle pages a page alone cannot: the untitled second page of a report, a page
holding only a signature and date, an unreadable page between two pages of the same form.
Position alone never decides a type: packets arrive in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shenbao.extractors.classify.features import PageFeatures, extract_features
from shenbao.extractors.classify.rules import DocRules, TypeRule, load_rules, phrase_score
from shenbao.models import DocumentType
from shenbao.pipeline.types import Page, PageKind

OTHER = DocumentType.OTHER


@dataclass
class PageClass:
    """The verdict on one page."""

    page: int  # 1-based page number in the packet
    type: DocumentType
    confidence: float  # 0..1
    evidence: list[str] = field(default_factory=list)  # phrases (and cues) that decided it
    scores: dict[str, float] = field(default_factory=dict)  # per type, for ties and audit
    starts_document: bool = False  # the page's head shows a document title
    continuation: bool = False  # reads as the continuation of the previous page's document
    opens_mid_text: bool = False  # starts with running text / a numbered section, or is a bare closing
    readable: bool = True
    decided_by: str = "text"  # "text" | "weak" (little but one-sided evidence) | "context" | "none"
    card_side: str | None = None  # id_card only: "front", "back" or "both"


def _layout_ok(rule: TypeRule, f: PageFeatures, page: Page) -> bool:
    lay = rule.layout
    if lay.max_rows is not None and f.n_rows > lay.max_rows:
        return False
    if lay.min_rows is not None and f.n_rows < lay.min_rows:
        return False
    if lay.min_prose_rows is not None and f.prose_rows < lay.min_prose_rows:
        return False
    # Rulings are only known for text-layer pages; scans say nothing either way.
    if page.kind == PageKind.TEXT and lay.table == "avoid" and f.has_table:
        return False
    if page.kind == PageKind.TEXT and lay.table == "require" and not f.has_table:
        return False
    return True


@dataclass
class _TypeScore:
    score: float
    evidence: list[tuple[float, str]]
    starts: bool


def _score_type(rule: TypeRule, f: PageFeatures) -> _TypeScore:
    total = 0.0
    evidence: list[tuple[float, str]] = []
    starts = False
    for ph in rule.phrases:
        head_q = phrase_score(ph, f.head) if ph.head_weight else 0.0
        body_q = phrase_score(ph, f.text) if ph.weight or not head_q else 0.0
        gain = max(head_q * ph.head_weight, body_q * ph.weight)
        if gain <= 0:
            continue
        if head_q and head_q * ph.head_weight >= body_q * ph.weight:
            starts = starts or ph.starts
            where = "head"
        else:
            where = "text"
        q = head_q if where == "head" else body_q
        note = ph.label if q >= 1.0 else f"{ph.label}~{q:.2f}"
        total += gain
        evidence.append((gain, f"{note} ({where})"))
    return _TypeScore(total, evidence, starts)


def _card_side(f: PageFeatures) -> str | None:
    text = f.text
    front = any(k in text for k in ("公民身份号码", "住址", "出生")) or "身份号码" in text
    back = any(k in text for k in ("签发机关", "有效期限", "居民身份证"))
    if front and back:
        return "both"
    return "front" if front else "back" if back else None


def classify_page(page: Page, rules: DocRules | None = None, rules_path: Path | None = None) -> PageClass:
    """The document type of one page from its own text and layout (no neighbours)."""
    rules = rules or load_rules(rules_path)
    f = extract_features(page)
    if not f.readable:
        return PageClass(
            page=page.number,
            type=OTHER,
            confidence=0.0,
            evidence=[f"unreadable: {f.n_chars} characters in {f.n_rows} rows"],
            readable=False,
            decided_by="none",
            continuation=True,
        )

    results: dict[DocumentType, _TypeScore] = {}
    for dtype, rule in rules.types.items():
        ts = _score_type(rule, f)
        if ts.score > 0 and not _layout_ok(rule, f, page):
            ts.score *= rules.layout_penalty
            ts.evidence.append((0.0, "layout does not fit"))
        results[dtype] = ts

    # A table of contents names every other document; its numbered rows speak for `other`.
    if f.toc_rows >= 4 and OTHER in results:
        bonus = rules.toc_weight * f.toc_rows
        results[OTHER].score += bonus
        results[OTHER].evidence.append((bonus, f"{f.toc_rows} table-of-contents rows"))
        results[OTHER].starts = True

    ranked = sorted(results.items(), key=lambda kv: kv[1].score, reverse=True)
    scores = {str(k): round(v.score, 2) for k, v in ranked if v.score > 0}
    best_type, best = ranked[0]
    second = ranked[1][1].score if len(ranked) > 1 else 0.0

    opens_mid = f.starts_mid_text or _is_signature_tail(f)
    continuation_hint = opens_mid or not f.title_like
    # Little evidence, but all of it for one kind (a worn scan that kept a few key words).
    weak = (
        best.score < rules.min_score
        and best_type != OTHER
        and best.score >= rules.weak_share * rules.min_score
        and best.score >= rules.weak_lead * second
    )
    if best.score < rules.min_score and not weak:
        return PageClass(
            page=page.number,
            type=OTHER,
            confidence=round(0.3 * min(1.0, best.score / rules.min_score), 3),
            evidence=[e for _, e in sorted(best.evidence, reverse=True)[:4]],
            scores=scores,
            continuation=continuation_hint,
            opens_mid_text=opens_mid,
            decided_by="none",
        )

    margin = (best.score - second) / best.score
    strength = min(1.0, best.score / (2.5 * rules.min_score))
    confidence = round(0.5 * strength + 0.5 * margin, 3)
    if weak:
        confidence = round(min(confidence, 0.45), 3)
    evidence = [e for _, e in sorted(best.evidence, key=lambda t: -t[0]) if e]
    return PageClass(
        page=page.number,
        type=best_type,
        confidence=confidence,
        evidence=evidence[:8],
        scores=scores,
        starts_document=best.starts,
        continuation=continuation_hint and not best.starts,
        opens_mid_text=opens_mid,
        card_side=_card_side(f) if best_type == DocumentType.ID_CARD else None,
        decided_by="weak" if weak else "text",
    )


def _is_signature_tail(f: PageFeatures) -> bool:
    """A page with only a closing (unit name, date, seal): the end of the previous document."""
    return f.n_rows <= 4 and f.has_date and f.n_chars <= 60


def classify_pages(
    pages: Sequence[Page], rules: DocRules | None = None, rules_path: Path | None = None
) -> list[PageClass]:
    """Classify every page of a packet, using neighbours only where a page alone is undecided."""
    rules = rules or load_rules(rules_path)
    classes = [classify_page(p, rules) for p in pages]
    return resolve_context(classes, rules)


def resolve_context(classes: list[PageClass], rules: DocRules | None = None) -> list[PageClass]:
    """Settle undecided pages from their neighbours (in place; also returned)."""
    rules = rules or load_rules()

    def continuable(t: DocumentType) -> bool:
        rule = rules.types.get(t)
        return bool(rule and rule.continuable)

    # Pass 1: untitled pages with no type of their own continue the document before them (the
    # second page of a report, a closing signature); a page with a weak type of its own does so
    # only when it plainly opens mid-text.
    for i, pc in enumerate(classes):
        if i == 0 or pc.decided_by not in ("none", "weak") or not pc.readable:
            continue
        prev = classes[i - 1]
        if prev.decided_by == "none" or not continuable(prev.type):
            continue
        if not (pc.continuation if pc.decided_by == "none" else pc.opens_mid_text):
            continue
        target = prev.type
        lean = max(pc.scores, key=lambda k: pc.scores[k], default=None)
        if lean is not None and lean != str(prev.type):
            lean_rule = rules.types.get(DocumentType(lean))
            if lean_rule is not None and prev.type in lean_rule.resumes_over:
                target = DocumentType(lean)  # back in the form after its inserted award sheet
        _adopt(pc, target, f"continues p.{prev.page} ({prev.type})")

    # Pass 2: a weakly decided page whose runner-up is the type on both sides (or on the side it
    # continues) takes the neighbours' type. Breaks ties; never overrides a clear verdict.
    for i, pc in enumerate(classes):
        if pc.decided_by not in ("text", "weak") or pc.starts_document or i == 0:
            continue
        prev = classes[i - 1]
        nxt = classes[i + 1] if i + 1 < len(classes) else None
        own = pc.scores.get(str(pc.type), 0.0)
        alt = pc.scores.get(str(prev.type), 0.0)
        if (
            prev.type != pc.type
            and continuable(prev.type)
            and alt >= 0.8 * own
            and alt >= rules.min_score
            and (pc.continuation or (nxt is not None and nxt.type == prev.type))
        ):
            _adopt(pc, prev.type, f"close to p.{prev.page} ({prev.type}): {alt:.1f} vs {own:.1f}")

    # Pass 3: unreadable pages between two pages of one multi-page document belong to it.
    for i, pc in enumerate(classes):
        if pc.readable or i == 0 or i + 1 >= len(classes):
            continue
        prev, nxt = classes[i - 1], classes[i + 1]
        if prev.type == nxt.type and prev.type != OTHER and continuable(prev.type):
            _adopt(pc, prev.type, f"unreadable, between p.{prev.page} and p.{nxt.page} ({prev.type})")
    return classes


def _adopt(pc: PageClass, dtype: DocumentType, why: str) -> None:
    pc.decided_by = "context"
    pc.continuation = True
    pc.confidence = round(max(pc.confidence, 0.4), 3)
    # Keep the page's own phrase hits only where they argued for the adopted type.
    own = pc.evidence if pc.type == dtype else []
    pc.evidence = [why, *own][:8]
    pc.type = dtype
