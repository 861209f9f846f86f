"""Pages -> documents: which consecutive pages make one document.

Conventions (those of the dev corpus truth, stated per type in data/doctypes.yaml `group`):
a multi-page form or report is one document; every honour certificate page is its own document
(one award each); certificates and other papers start a new document when a page shows their title;
an ID card's front and back on consecutive pages are one card, two full cards are two; a form whose
pages are interleaved with its award sheet (武汉) stays one document.
"""

from __future__ import annotations

from collections.abc import Sequence

from shenbao.extractors.classify.doctype import PageClass
from shenbao.extractors.classify.rules import DocRules, TypeRule, load_rules
from shenbao.models import Document, DocumentType


def _continues(rule: TypeRule | None, prev: list[PageClass], pc: PageClass) -> bool:
    if rule is None:
        return True
    if pc.type == DocumentType.ID_CARD:
        sides = {p.card_side for p in prev}
        if pc.card_side in (None, "both") or "both" in sides or None in sides:
            # Unknown side or a whole card on one page: a new card.
            return False
        return pc.card_side not in sides  # front + back of one card
    if rule.group == "per_page":
        return False
    if rule.group == "per_start":
        return not pc.starts_document
    return True


def _resume_target(groups: list[tuple[DocumentType, list[PageClass]]], pc: PageClass, rule: TypeRule | None) -> int | None:
    """Index of an earlier document of pc's type that pc continues across inserted pages
    (rule.resumes_over, e.g. the award sheet inside a 武汉 form), or None."""
    if rule is None or not rule.resumes_over or pc.starts_document:
        return None
    for j in range(len(groups) - 1, -1, -1):
        gtype = groups[j][0]
        if gtype == pc.type:
            return j if j < len(groups) - 1 else None
        if gtype not in rule.resumes_over:
            return None
    return None


def group_documents(classes: Sequence[PageClass], rules: DocRules | None = None) -> list[Document]:
    """Documents in packet order (by first page); `award_index` is left for the award linker."""
    rules = rules or load_rules()
    groups: list[tuple[DocumentType, list[PageClass]]] = []
    for pc in sorted(classes, key=lambda c: c.page):
        rule = rules.types.get(pc.type)
        if groups and groups[-1][0] == pc.type and _continues(rule, groups[-1][1], pc):
            groups[-1][1].append(pc)
            continue
        target = _resume_target(groups, pc, rule)
        if target is not None:
            groups[target][1].append(pc)
            continue
        groups.append((pc.type, [pc]))
    return [Document(type=t, pages=sorted(p.page for p in members)) for t, members in groups]
