"""Pydantic models of the result contract (spec/RESULT.md)."""

from __future__ import annotations

from shenbao.models.result import (
    EVIDENCE_FIELD_KEYS,
    FIELD_KEYS,
    Award,
    Document,
    DocumentType,
    FieldResult,
    Finding,
    FindingCode,
    Jurisdiction,
    Result,
    Severity,
    Units,
    severity_of,
)

__all__ = [
    "EVIDENCE_FIELD_KEYS",
    "FIELD_KEYS",
    "Award",
    "Document",
    "DocumentType",
    "FieldResult",
    "Finding",
    "FindingCode",
    "Jurisdiction",
    "Result",
    "Severity",
    "Units",
    "severity_of",
]
