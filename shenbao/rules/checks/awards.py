"""Claimed honours against their certificates, the order of the award tables, and whether any
honour qualifies the leader.

Linking a claimed award to its certificate(s), in this order:
1. pages the pipeline already gave the award (`evidence_pages`, or a honour_certificate document
   whose `award_index` is the award's);
2. a certificate read whose canonical title is the award's (first unlinked one, same year first);
3. for an unrecognised claim, a certificate whose honour text is (fuzzily) inside the claim;
4. an honour-certificate page nobody read or linked goes to an award still without evidence.
The linked (1–3) certificates' pages are added to `result.awards[i].evidence_pages` (the one change
the engine makes to the result it is given), so the reviewer sees which page proves what.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from shenbao.extractors.evidence.model import HonourCertificateRead
from shenbao.models.result import Finding, FindingCode
from shenbao.rules.checks.context import RuleContext, squash, value_of

C = FindingCode

# Words around an honour in a claim or on a certificate that are not the honour itself.
_CLAIM_NOISE = re.compile(r"[\d〇○零一二三四五六七八九十]+年度?|荣获|获得|被评为|被授予|授予|评为|荣誉称号|称号|证书|荣誉|[“”\"'《》（）()、，。；;:：\s]")


def _core(text: str) -> str:
    return _CLAIM_NOISE.sub("", text)


@dataclass
class AwardLinks:
    pages: list[set[int]]
    certs: list[list[HonourCertificateRead]]
    master_name: str | None = None
    claimed_years: list[int | None] = field(default_factory=list)

    def evidenced(self, i: int) -> bool:
        return bool(self.pages[i] or self.certs[i])

    def holders(self, i: int) -> list[str]:
        return [str(value_of(c.holder)) for c in self.certs[i] if value_of(c.holder) is not None]

    def holder_mismatch(self, i: int) -> bool:
        """Certificates name someone, and none of them names the applicant."""
        holders = self.holders(i)
        if not holders or self.master_name is None:
            return False
        return not any(squash(h) == squash(self.master_name) for h in holders)

    def cert_years(self, i: int) -> list[int]:
        return [y for c in self.certs[i] if (y := c.year_number) is not None]

    def year_mismatch(self, i: int) -> bool:
        claimed = self.claimed_years[i]
        years = self.cert_years(i)
        return claimed is not None and bool(years) and claimed not in years


def link_awards(ctx: RuleContext) -> AwardLinks:
    awards = ctx.result.awards
    pages: list[set[int]] = [set(a.evidence_pages) for a in awards]
    for doc in ctx.result.documents:
        if str(doc.type) == "honour_certificate" and doc.award_index is not None and 0 <= doc.award_index < len(awards):
            pages[doc.award_index] |= set(doc.pages)
    certs: list[list[HonourCertificateRead]] = [[] for _ in awards]
    unlinked: list[HonourCertificateRead] = []
    for cert in ctx.evidence.honour_certificates:
        hit = next((i for i, p in enumerate(pages) if p & set(cert.pages)), None)
        if hit is None:
            unlinked.append(cert)
        else:
            certs[hit].append(cert)

    def take(i: int, candidates: list[HonourCertificateRead]) -> None:
        year = awards[i].year
        candidates.sort(key=lambda c: value_of(c.year) != year)
        cert = candidates[0]
        certs[i].append(cert)
        unlinked.remove(cert)

    # By canonical title, for awards that have no certificate yet.
    for i, award in enumerate(awards):
        if certs[i] or not award.title:
            continue
        same = [c for c in unlinked if c.title == award.title]
        if same:
            take(i, same)
    # Unrecognised claims: the certificate's honour text inside the claim.
    for i, award in enumerate(awards):
        if certs[i] or pages[i] or award.title:
            continue
        claim = _core(award.claimed_text)
        same = []
        for c in unlinked:
            text = value_of(c.title_text)
            core = _core(str(text)) if text else ""
            if len(core) >= 2 and claim and fuzz.partial_ratio(core, claim) >= 85:
                same.append(c)
        if same:
            take(i, same)
    for i, award in enumerate(awards):
        linked = {p for c in certs[i] for p in c.pages}
        if not linked <= set(award.evidence_pages):
            award.evidence_pages = sorted(set(award.evidence_pages) | linked)
        pages[i] |= linked
    # A certificate page nobody could read or link is not proof of a missing certificate: give it
    # to an award still without evidence (form order), so the reviewer is not told "no
    # certificate" while one lies in the packet. Not written into evidence_pages: it is a guess.
    taken = set().union(*pages) if pages else set()
    read = {p for c in ctx.evidence.honour_certificates for p in c.pages}
    leftovers = [
        set(d.pages) for d in ctx.result.documents
        if str(d.type) == "honour_certificate" and d.award_index is None and not set(d.pages) & (taken | read)
    ]
    for i in range(len(awards)):
        if leftovers and not pages[i]:
            pages[i] |= leftovers.pop(0)
    return AwardLinks(pages, certs, ctx.text("master_name"), [a.year for a in awards])


def _name(award) -> str:
    shown = award.title or award.claimed_text
    year = f"（{award.year}年）" if award.year and str(award.year) not in shown else ""
    return f"“{shown}”{year}"


def award_evidence(ctx: RuleContext) -> Iterator[Finding]:
    links = ctx.links
    cite = ctx.pack.award_evidence.citation
    table_pages = ctx.doc_pages("award_table")
    for i, award in enumerate(ctx.result.awards):
        ref = [f"awards[{i}]"]
        if not links.evidenced(i):
            yield ctx.finding(
                C.AWARD_NO_EVIDENCE, "award_evidence", cite,
                f"申报荣誉 {_name(award)} 在材料中没有对应的荣誉证书",
                fields=ref, pages=table_pages,
            )
            continue
        cert_pages = sorted(links.pages[i])
        if links.holder_mismatch(i):
            yield ctx.finding(
                C.AWARD_HOLDER_MISMATCH, "award_evidence", cite,
                f"荣誉 {_name(award)} 的证书持有人 {'、'.join(links.holders(i))} 与申报人 {links.master_name} 不一致",
                fields=ref, documents=["honour_certificate"], pages=cert_pages,
            )
        if links.year_mismatch(i):
            years = "、".join(str(y) for y in sorted(set(links.cert_years(i))))
            yield ctx.finding(
                C.AWARD_YEAR_MISMATCH, "award_evidence", cite,
                f"荣誉 “{award.title or award.claimed_text}” 申报年度 {award.year} 年，证书年度 {years} 年",
                fields=ref, pages=cert_pages,
            )


def award_order(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.award_order
    if rule is None:
        return
    groups: dict[str | None, list[int]] = {}
    for award in ctx.result.awards:
        key = award.section if rule.within == "section" else None
        if award.year is not None:
            groups.setdefault(key, []).append(award.year)
    bad = [(sec, years) for sec, years in groups.items() if any(a > b for a, b in zip(years, years[1:], strict=False))]
    if bad:
        what = "；".join(f"{sec or '获奖情况'}（{'、'.join(map(str, years))}）" for sec, years in bad)
        yield ctx.finding(
            C.AWARD_ORDER, "award_order", rule.citation,
            f"{what} 未按时间先后顺序排列",
            fields=["awards"], pages=ctx.doc_pages("award_table", "summary_table"),
        )


def qualifying_honour(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.leader_honours
    if rule is None or not rule.required:
        return
    links = ctx.links
    awards = ctx.result.awards
    for i, award in enumerate(awards):
        if (
            ctx.honours.is_accepted(award.title, rule.accepted_by)
            and links.evidenced(i)
            and not links.holder_mismatch(i)
            and not links.year_mismatch(i)
        ):
            return
    if not awards:
        message = "申报表未填写任何荣誉，无符合通知要求的荣誉"
    else:
        claimed = "、".join(_name(a) for a in awards)
        message = f"申报荣誉 {claimed} 中无通知认可且有本人证书佐证的荣誉"
    yield ctx.finding(C.NO_QUALIFYING_HONOUR, "leader_honours", rule.citation, message, fields=["awards"])


CHECKS = (award_evidence, award_order, qualifying_honour)
