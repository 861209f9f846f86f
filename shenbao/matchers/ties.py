"""A claimed honour whose worn wording fits several recognised titles equally, settled by the
packet's own certificate.

"二技术能手称号2019年" (a scan's 三晋技术能手) matches 全国技术能手, 三晋技术能手 and 吕梁技术能手
alike, so the matcher names none of them and the claim would be reported as not recognised.
A reviewer turns to the certificates: if the honour certificates of the packet name exactly
one of the tied titles, of the claim's year where both give one, that is the honour claimed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from shenbao.extractors.evidence.model import HonourCertificateRead
from shenbao.matchers.honours import AMBIGUITY_MARGIN, DEFAULT_THRESHOLD, HonourMatch


@dataclass(frozen=True)
class Settled:
    title: str
    pages: list[int]  # the certificate(s) that name it
    tied: list[str]  # the titles the claim fitted equally


def tied_titles(match: HonourMatch, threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """The titles a claim fits equally well (above the matcher's threshold) when the matcher
    named none for that reason; empty for a claim matched, or matching nothing well enough."""
    if match.title is not None or match.score < threshold or len(match.alternatives) < 2:
        return []
    best = max(score for _, score in match.alternatives)
    tied = [title for title, score in match.alternatives if best - score < AMBIGUITY_MARGIN]
    return tied if len(tied) > 1 else []


def settle_tie(match: HonourMatch, year: int | None, certificates: Sequence[HonourCertificateRead],
               taken: Collection[str] = ()) -> Settled | None:
    """The one tied title the packet's certificates name (of the claim's year, where both say),
    or None when they name none or more than one of them. `taken`: titles the packet's other
    claims already name; their certificates prove those claims, not this one."""
    tied = tied_titles(match)
    if not tied:
        return None
    found: dict[str, list[int]] = {}
    for cert in certificates:
        if cert.title not in tied or cert.title in taken:
            continue
        cert_year = cert.year_number
        if year is not None and cert_year is not None and cert_year != year:
            continue
        found.setdefault(cert.title, []).extend(cert.pages)
    if len(found) != 1:
        return None
    title, pages = next(iter(found.items()))
    return Settled(title, sorted(set(pages)), tied)
