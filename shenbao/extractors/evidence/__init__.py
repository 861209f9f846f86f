"""Readers for the supporting documents: ID card, certificates, licence, fund proof, tables, prose.

    from shenbao.extractors.evidence import read_evidence, fill_fields_from_evidence
    evidence = read_evidence(packet.pages, result.documents)   # -> Evidence (model.py)
    result_fields = fill_fields_from_evidence(evidence)        # training_fund_total / _high_skill

One reader per document type (id_card.py, certificate.py, honour.py, license.py,
training_fund.py, tables.py, prose.py), all on the positional label/value reading of layout.py.
"""

from __future__ import annotations

from shenbao.extractors.evidence.model import (
    BusinessLicenseRead,
    CertificateRead,
    Evidence,
    HonourCertificateRead,
    IdCardRead,
    ProseRead,
    TableRow,
    TrainingFundRead,
    Value,
)
from shenbao.extractors.evidence.reader import PROSE_TYPES, fill_fields_from_evidence, read_evidence

__all__ = [
    "PROSE_TYPES",
    "BusinessLicenseRead",
    "CertificateRead",
    "Evidence",
    "HonourCertificateRead",
    "IdCardRead",
    "ProseRead",
    "TableRow",
    "TrainingFundRead",
    "Value",
    "fill_fields_from_evidence",
    "read_evidence",
]
