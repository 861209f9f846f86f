"""Pydantic models of the result contract (spec/RESULT.md)."""

from __future__ import annotations

from shenbao.models.result import (
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
