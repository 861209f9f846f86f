"""The engine against the fixture oracle: for synthetic applications with every injectable
problem, the findings the rules own equal the plan's findings exactly (code + fields + documents).

The Evidence is built from the plan (ID card, certificates, honour certificates, proof, summary
row, 事迹材料), so evidence-based rules are tested here too.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from shenbao.fixtures import INJECTABLE, JURISDICTIONS, PacketSpec, SpecError, make_plan
from shenbao.fixtures.plan import BLANKABLE, REQUIRED_DOCS
from shenbao.models.result import FindingCode
from shenbao.rules.engine import run_rules
from shenbao.rules.pack import load_pack
from tests._rules_builders import NOT_RULES, case_from_plan, keys_of

TODAY = date(2026, 1, 1)
ARG_VARIANTS = (
    *(f"MISSING_FIELD:{k}" for k in BLANKABLE),
    *sorted({f"MISSING_DOCUMENT:{d}" for docs in REQUIRED_DOCS.values() for d in docs}),
    "NAME_MISMATCH:qualification_certificate", "ID_NUMBER_MISMATCH:qualification_certificate",
    "CONTACT_INVALID:email", "CONTACT_INVALID:contact_mobile", "TEXT_LENGTH:deeds_material",
    *(f"SUMMARY_MISMATCH:{k}" for k in ("master_name", "master_id_number", "master_skill_level", "unit_name",
                                          "unit_credit_code")),
    "AWARD_NO_EVIDENCE:0", "AWARD_HOLDER_MISMATCH:0", "AWARD_YEAR_MISMATCH:0",
)
RULE_CODES = {c.value for c in FindingCode} - NOT_RULES


def _check(spec: PacketSpec, seen: Counter) -> bool:
    try:
        plan = make_plan(spec)
    except SpecError:
        return False  # a combination the notices leave open: the oracle refuses it
    case = case_from_plan(plan)
    got = run_rules(case.result, case.evidence, load_pack(spec.jurisdiction), case.received_at, TODAY)
    # The oracle lists a finding twice when the same problem is injected twice; scoring matches sets.
    assert keys_of(got) == sorted(set(keys_of(case.expected))), (spec, [f.message for f in got])
    for f in case.expected:
        seen[f["code"]] += 1
    return True


@pytest.mark.parametrize("j", JURISDICTIONS)
def test_every_single_injection(j: str) -> None:
    seen: Counter = Counter()
    built = 0
    for seed in (1, 2):
        for kind in ("enterprise", "school"):
            for inject in ((), *((c,) for c in INJECTABLE), *((a,) for a in ARG_VARIANTS)):
                spec = PacketSpec(f"f-{seed}", j, seed=seed, inject=inject, unit_kind=kind,
                                  include_title_certificate=j == "liangping-2023" and seed == 2)
                built += _check(spec, seen)
    assert built > 80
    assert seen["MISSING_DOCUMENT"] and seen["NAME_MISMATCH"] and seen["AWARD_HOLDER_MISMATCH"]


def test_random_combinations_cover_every_rule_code() -> None:
    rng = random.Random(7)
    pool = (*INJECTABLE, *ARG_VARIANTS)
    seen: Counter = Counter()
    built = 0
    for trial in range(700):
        j = rng.choice(JURISDICTIONS)
        spec = PacketSpec(
            f"r-{trial}", j, seed=trial, inject=tuple(rng.sample(pool, rng.choice((1, 2, 2, 3)))),
            unit_kind=rng.choice(("enterprise", "school")), n_awards=rng.choice((None, 0, 1, 2, 3)),
            include_title_certificate=j == "liangping-2023" and rng.random() < 0.3,
        )
        built += _check(spec, seen)
    assert built > 250
    # Every code the engine owns was expected (and matched) somewhere.
    assert RULE_CODES - set(seen) == set(), sorted(RULE_CODES - set(seen))
