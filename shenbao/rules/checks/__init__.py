"""The rule checks, one function per rule family: `check(ctx) -> Iterable[Finding]`.

`ALL_CHECKS` is the order the engine runs them; findings are sorted by code afterwards.
"""

from __future__ import annotations

from shenbao.rules.checks import awards, documents, form, submission
from shenbao.rules.checks.context import RuleContext

ALL_CHECKS = (*form.CHECKS, *documents.CHECKS, *awards.CHECKS, *submission.CHECKS)

__all__ = ["ALL_CHECKS", "RuleContext"]
