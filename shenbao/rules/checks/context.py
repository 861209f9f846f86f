"""What every check reads: the packet's result, the evidence, the pack, and small helpers to get
normalised values and to write findings that carry their rule id and citation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from shenbao.extractors.evidence.model import Evidence, Value
from shenbao.models.result import Finding, FindingCode, Result
from shenbao.rules.pack import Citation, RulePack

if TYPE_CHECKING:
    from shenbao.matchers.honours import HonourList
    from shenbao.rules.checks.awards import AwardLinks

# Chinese names of the canonical fields, for messages a reviewer reads.


_SPACE = re.compile(r"\s+")


def squash(text: object) -> str:
    """Text compared as a reviewer would: whitespace removed, middle dots unified (少数民族姓名)."""
    return _SPACE.sub("", str(text)).replace("•", "·").replace("・", "·")


def value_of(v: Value | None) -> Any:
    """The normalised value of an evidence Value, None when absent or blank."""
    if v is None or v.value is None:
        return None
    if isinstance(v.value, str) and not v.value.strip():
        return None
    return v.value


@dataclass
class RuleContext:
    result: Result
    evidence: Evidence
    pack: RulePack
    received_at: datetime | None
    today: date
    honours: HonourList
    _links: AwardLinks | None = field(default=None, init=False, repr=False)

    # --- form values ---------------------------------------------------------------------

    def value(self, key: str) -> Any:
        """The field's normalised value; None when absent or blank."""
        f = self.result.fields.get(key)
        if f is None or f.value is None:
            return None
        if isinstance(f.value, str) and not f.value.strip():
            return None
        return f.value

    def text(self, key: str) -> str | None:
        v = self.value(key)
        return None if v is None else str(v).strip()

    def pages(self, *keys: str) -> list[int]:
        out = []
        for key in keys:
            f = self.result.fields.get(key)
            if f is not None and f.page:
                out.append(f.page)
        return out

    # --- documents -----------------------------------------------------------------------

    def doc_types(self) -> set[str]:
        return {str(d.type) for d in self.result.documents}

    def has_doc(self, *types: str) -> bool:
        present = self.doc_types()
        return any(t in present for t in types)

    def doc_pages(self, *types: str) -> list[int]:
        return sorted({p for d in self.result.documents if str(d.type) in types for p in d.pages})

    # --- awards --------------------------------------------------------------------------

    @property
    def links(self) -> AwardLinks:
        """Certificates linked to each claimed award (computed once; extends evidence_pages)."""
        if self._links is None:
            from shenbao.rules.checks.awards import link_awards

            self._links = link_awards(self)
        return self._links

    # --- findings ------------------------------------------------------------------------

    def finding(
        self,
        code: FindingCode,
        section: str,
        citation: Citation,
        message: str,
        *,
        fields: list[str] | tuple[str, ...] = (),
        documents: list[str] | tuple[str, ...] = (),
        pages: list[int] | tuple[int, ...] | set[int] = (),
    ) -> Finding:
        return Finding.make(
            code,
            message,
            fields=list(fields),
            documents=list(documents),
            pages=sorted({int(p) for p in pages if p}),
            rule=self.pack.rule_id(section),
            citation=citation.render(),
        )


def parse_year_month(text: object) -> tuple[int, int] | None:
    """(year, month) of a normalised date 'YYYY-MM' or 'YYYY-MM-DD'; None otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(text).strip()) if text is not None else None
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return int(m[1]), int(m[2])
