"""Run a jurisdiction's rule pack over one packet's result and evidence.

    findings = run_rules(result, evidence, load_pack(result.jurisdiction), received_at)
    result.findings.extend(findings)

Each finding carries, besides the contract's keys, `rule` (e.g. "wuhan-2024/submission") and
`citation` (notice file「quote」) for the audit trail. The engine adds no finding the other stages
own (UNREADABLE_INPUT, LOW_CONFIDENCE, AWARD_UNRECOGNISED, DUPLICATE_APPLICANT). The only change
it makes to `result` is extending `awards[i].evidence_pages` with certificates it linked.
"""

from __future__ import annotations

from datetime import date, datetime

from shenbao.extractors.evidence.model import Evidence
from shenbao.models.result import Finding, FindingCode, Result
from shenbao.rules.checks import ALL_CHECKS, RuleContext
from shenbao.rules.pack import RulePack

_CODE_ORDER = {code.value: i for i, code in enumerate(FindingCode)}


def is_unreadable(result: Result) -> bool:
    """An unreadable packet has nothing to check: its one finding says so."""
    return not result.documents and any(str(f.code) == FindingCode.UNREADABLE_INPUT.value for f in result.findings)


def run_rules(
    result: Result,
    evidence: Evidence | None,
    pack: RulePack,
    received_at: datetime | None,
    today: date | None = None,
    *,
    honours=None,
) -> list[Finding]:
    """The findings of `pack` for this packet (not added to `result.findings`: the caller does).

    `received_at` is the manifest's time of receipt; without it the result's `submission_date`
    (a day) is used. `today` bounds plausible birth dates (default: the current date).
    `honours` is the recognised-honour list (default: data/honours.csv).
    """
    if is_unreadable(result):
        return []
    if honours is None:
        from shenbao.matchers.honours import load_honours

        honours = load_honours()
    ctx = RuleContext(
        result=result,
        evidence=evidence or Evidence(),
        pack=pack,
        received_at=received_at,
        today=today or date.today(),
        honours=honours,
    )
    findings: list[Finding] = []
    for check in ALL_CHECKS:
        findings.extend(check(ctx))
    findings.sort(key=lambda f: _CODE_ORDER.get(str(f.code), len(_CODE_ORDER)))
    return findings
