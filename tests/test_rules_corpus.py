"""Truth files fed straight into the engine: the findings that depend on form fields, documents
and the manifest must equal the truth exactly.

With an empty Evidence, the evidence-based findings (NAME/ID_NUMBER/SKILL_LEVEL/SUMMARY mismatch,
award holder/year, 事迹材料 length) cannot be seen and are left out of the comparison; with an
Evidence that repeats the form, none of them may appear. Codes verified this way: MISSING_FIELD,
MISSING_DOCUMENT, ID_CHECKSUM_INVALID, ID_BIRTH_MISMATCH, ID_GENDER_MISMATCH, AWARD_NO_EVIDENCE,
AWARD_ORDER, NO_QUALIFYING_HONOUR, SKILL_LEVEL_INSUFFICIENT, CREDIT_CODE_INVALID,
TEAM_SIZE_OUT_OF_RANGE, TRAINING_FUND_BELOW_MIN, SUBMITTED_LATE, SUBMITTED_OUTSIDE_WINDOW,
STUDIO_NAME_FORMAT, WORK_START_IMPLAUSIBLE, CONTACT_INVALID, TEXT_LENGTH (业绩).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from shenbao.extractors.evidence.model import Evidence
from shenbao.pipeline.manifest import read_manifest
from shenbao.rules.engine import run_rules
from shenbao.rules.pack import load_pack
from tests._rules_builders import (
    EVIDENCE_CODES,
    NOT_RULES,
    evidence_agreeing_with,
    evidence_based,
    keys_of,
    result_from_truth,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TODAY = date(2026, 1, 1)


def _compare(folder: Path) -> Counter:
    manifest = read_manifest(folder / "manifest.csv").rows
    verified: Counter = Counter()
    truths = sorted((folder / "truth").glob("*.json"))
    assert truths
    for path in truths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        expected = [f for f in truth["findings"] if f["code"] not in NOT_RULES and not evidence_based(f)]
        received = manifest[truth["packet_id"]].received_at
        pack = load_pack(truth["jurisdiction"])
        for evidence in (Evidence(), None):
            result = result_from_truth(truth)
            ev = evidence if evidence is not None else evidence_agreeing_with(result)
            got = run_rules(result, ev, pack, received, TODAY)
            assert keys_of(got) == keys_of(expected), (truth["packet_id"], [f.message for f in got])
            assert not {str(f.code) for f in got} & EVIDENCE_CODES
        for f in expected:
            verified[f["code"]] += 1
    return verified


def test_bundled_samples_truth() -> None:
    verified = _compare(SAMPLES)
    assert verified  # the samples do carry rule findings


@pytest.mark.corpus
def test_dev_corpus_truth(corpus_dir: Path) -> None:
    verified = _compare(corpus_dir)
    assert {"MISSING_FIELD", "MISSING_DOCUMENT", "ID_CHECKSUM_INVALID", "ID_BIRTH_MISMATCH", "ID_GENDER_MISMATCH",
            "AWARD_NO_EVIDENCE", "AWARD_ORDER", "NO_QUALIFYING_HONOUR", "SKILL_LEVEL_INSUFFICIENT",
            "CREDIT_CODE_INVALID", "TEAM_SIZE_OUT_OF_RANGE", "TRAINING_FUND_BELOW_MIN", "SUBMITTED_LATE",
            "SUBMITTED_OUTSIDE_WINDOW", "STUDIO_NAME_FORMAT", "WORK_START_IMPLAUSIBLE", "CONTACT_INVALID",
            "TEXT_LENGTH"} <= set(verified)
