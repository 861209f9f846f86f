"""Page classification, document grouping and jurisdiction detection (issue 3 items 1-2).

    classes = classify_pages(packet.pages)          # per page: type, confidence, evidence
    documents = group_documents(classes)            # shenbao.models.Document list
    jur, conf, why = detect_jurisdiction(packet.pages, classes)
"""

from __future__ import annotations

from shenbao.extractors.classify.doctype import PageClass, classify_page, classify_pages, resolve_context
from shenbao.extractors.classify.grouping import group_documents
from shenbao.extractors.classify.jurisdiction import detect_jurisdiction
from shenbao.extractors.classify.rules import RulesError, load_rules

__all__ = [
    "PageClass",
    "RulesError",
    "classify_page",
    "classify_pages",
    "detect_jurisdiction",
    "group_documents",
    "load_rules",
    "resolve_context",
]
