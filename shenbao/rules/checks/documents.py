"""Checks on the supporting documents: which are missing, whether the ID card and certificates
name the applicant of the form, the skill level (and its alternatives), the training-fund share,
the summary table and the prose lengths."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from shenbao.extractors.evidence.model import CertificateRead, IdCardRead, Value
from shenbao.extractors.normalize.choices import skill_level_rank
from shenbao.extractors.normalize.text import count_text_length
from shenbao.models.labels import DOCUMENT_LABELS, FIELD_LABELS
from shenbao.models.result import Finding, FindingCode
from shenbao.rules.checks.context import RuleContext, squash, value_of
from shenbao.rules.pack import SkillAlternative
from shenbao.rules.validators import CHECK_FAILED

C = FindingCode


# --- what kind of unit applies ------------------------------------------------------------


def unit_kind(ctx: RuleContext) -> str | None:
    """'enterprise', 'other' (school, public body), or None when nothing tells.

    单位性质 first, where a non-enterprise cue wins (民办非企业 contains 企业); then the unit's name
    (or the licence's 类型), where an enterprise cue wins (XX培训学校有限公司 is a company).
    """
    cues = ctx.pack.unit_kind

    def hit(patterns: list[str], text: str) -> bool:
        return any(re.search(p, text) for p in patterns)

    kinds = [ctx.text("unit_type")] + [str(value_of(lic.kind)) for lic in ctx.evidence.business_licenses if value_of(lic.kind)]
    for kind in kinds:
        if not kind:
            continue
        if hit(cues.non_enterprise_types, kind):
            return "other"
        if hit(cues.enterprise_types, kind):
            return "enterprise"
    names = [ctx.text("unit_name")] + [str(value_of(lic.name)) for lic in ctx.evidence.business_licenses if value_of(lic.name)]
    for name in names:
        if not name:
            continue
        if hit(cues.enterprise_names, name):
            return "enterprise"
        if hit(cues.non_enterprise_names, name):
            return "other"
    return None


def missing_documents(ctx: RuleContext) -> Iterator[Finding]:
    present = ctx.doc_types()
    kind: str | None = None
    for i, rule in enumerate(ctx.pack.documents):
        if rule.when == "enterprise":
            kind = kind or unit_kind(ctx)
            # Unknown unit kind: the notice asks this of enterprises only, so it is not demanded.
            if kind != "enterprise":
                continue
        if not any(t in present for t in rule.satisfied_by):
            alt = "或".join(DOCUMENT_LABELS.get(t, t) for t in rule.satisfied_by)
            when = "（依托企业申报）" if rule.when == "enterprise" else ""
            yield ctx.finding(
                C.MISSING_DOCUMENT, f"documents[{i}]", rule.citation,
                f"缺少{alt}（{rule.type}）{when}",
                documents=[rule.type],
            )


# --- the applicant on the ID card and certificates -----------------------------------------


def _same_name(a: Any, b: Any) -> bool:
    return squash(a) == squash(b)


def _same_id(a: Any, b: Any) -> bool:
    return squash(a).upper() == squash(b).upper()


def _pick(reads: Sequence[IdCardRead | CertificateRead], name: str | None, number: str | None):
    """The read that is the applicant's own (packets may carry team members' cards too)."""
    def agrees(r, attr: str, form: str | None, same) -> bool:
        v = value_of(getattr(r, attr))
        return form is not None and v is not None and same(v, form)

    for r in reads:
        if agrees(r, "id_number", number, _same_id) and agrees(r, "name", name, _same_name):
            return r
    for r in reads:
        if agrees(r, "id_number", number, _same_id):
            return r
    for r in reads:
        if agrees(r, "name", name, _same_name):
            return r
    return min(reads, key=lambda r: min(r.pages or [0]))


def _qualification_certs(ctx: RuleContext) -> list[CertificateRead]:
    return [c for c in ctx.evidence.certificates if c.doc_type == "qualification_certificate"]


def identity_evidence(ctx: RuleContext) -> Iterator[Finding]:
    """NAME_MISMATCH and ID_NUMBER_MISMATCH between the form and the ID card / qualification certificate."""
    name, number = ctx.text("master_name"), ctx.text("master_id_number")
    cite = ctx.pack.identity.for_check("documents")
    groups: list[tuple[str, Sequence[IdCardRead | CertificateRead]]] = [
        ("id_card", ctx.evidence.id_cards),
        ("qualification_certificate", _qualification_certs(ctx)),
    ]
    for doc, reads in groups:
        if not reads:
            continue
        read = _pick(reads, name, number)
        label = "身份证" if doc == "id_card" else "职业资格（技能等级）证书"
        read_name, read_number = value_of(read.name), value_of(read.id_number)
        if name is not None and read_name is not None and not _same_name(read_name, name):
            yield ctx.finding(
                C.NAME_MISMATCH, "identity", cite,
                f"{label}上的姓名 {read_name} 与申报表姓名 {name} 不一致",
                fields=["master_name"], documents=[doc], pages=[*ctx.pages("master_name"), *read.pages],
            )
        shape_fault = read.id_number is not None and read.id_number.malformed not in (None, CHECK_FAILED)
        if number is not None and read_number is not None and not _same_id(read_number, number) and shape_fault:
            # A number of the wrong length or with a letter in it was not read whole: comparing
            # it would report the recogniser's slip as the applicant's (the reviewer is told).
            yield Finding.make(
                C.LOW_CONFIDENCE,
                f"{label}上的身份证号只识别出“{read_number}”（{read.id_number.malformed}），"
                f"未能与申报表身份证号 {number} 比对；请人工核对原件",
                fields=["master_id_number"], documents=[doc], pages=list(read.pages),
            )
        elif number is not None and read_number is not None and not _same_id(read_number, number):
            yield ctx.finding(
                C.ID_NUMBER_MISMATCH, "identity", ctx.pack.identity.for_check("id_number"),
                f"{label}上的身份证号 {read_number} 与申报表身份证号 {number} 不一致",
                fields=["master_id_number"], documents=[doc], pages=[*ctx.pages("master_id_number"), *read.pages],
            )


def _master_certs(ctx: RuleContext) -> list[CertificateRead]:
    """The applicant's own qualification certificates (all of them when none names the applicant)."""
    certs = _qualification_certs(ctx)
    name, number = ctx.text("master_name"), ctx.text("master_id_number")
    own = [
        c for c in certs
        if (number and value_of(c.id_number) and _same_id(value_of(c.id_number), number))
        or (name and value_of(c.name) and _same_name(value_of(c.name), name))
    ]
    return own or certs


def skill_level_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    level = ctx.text("master_skill_level")
    if level is None:
        return
    certs = [c for c in _master_certs(ctx) if value_of(c.level)]
    levels = sorted({str(value_of(c.level)) for c in certs}, key=lambda x: skill_level_rank(x) or -1)
    if levels and level not in levels:
        yield ctx.finding(
            C.SKILL_LEVEL_MISMATCH, "skill_level", ctx.pack.skill_level.citation,
            f"申报表职业技能等级 {level} 与职业资格（技能等级）证书上的 {'、'.join(levels)} 不一致",
            fields=["master_skill_level"], documents=["qualification_certificate"],
            pages=[*ctx.pages("master_skill_level"), *(p for c in certs for p in c.pages)],
        )


_GRADE_RANK = {"初级": 0, "中级": 1, "副高级": 2, "正高级": 3}


def title_grade(cert: CertificateRead) -> str | None:
    """正高级 / 副高级 / 中级 / 初级 of a title certificate, from its grade or its title as written."""
    grade = value_of(cert.title_grade)
    if grade is not None and str(grade) in _GRADE_RANK:
        return str(grade)
    rank = value_of(cert.title_rank) or value_of(cert.title_grade)
    if rank is None:
        return None
    rank = squash(rank)
    if re.search(r"正高级|(?<!副)教授|(?<!副)研究员|(?<!副)主任医师|(?<!副)编审", rank):
        return "正高级"
    if re.search(r"副高级|高级|副教授|副研究员|副主任", rank):
        return "副高级"
    if re.search(r"助理|员$|技术员", rank):
        return "初级"
    if re.search(r"工程师|讲师|经济师|会计师|农艺师|统计师|主治", rank):
        return "中级"
    return None


def _alternative_met(ctx: RuleContext, alt: SkillAlternative) -> bool:
    if alt.kind == "title_certificate":
        reads = [c for c in ctx.evidence.certificates if c.doc_type == "title_certificate"]
        if not reads:
            # The certificate is there but unread: its grade is unknown, so it is not held against
            # the applicant (the reviewer sees the page).
            return ctx.has_doc("title_certificate")
        need = _GRADE_RANK[alt.min_grade or "副高级"]
        return any((g := title_grade(c)) is None or _GRADE_RANK[g] >= need for c in reads)
    links = ctx.links
    return any(
        ctx.honours.is_accepted(a.title, alt.accepted_by or "") and links.evidenced(i) and not links.holder_mismatch(i)
        for i, a in enumerate(ctx.result.awards)
    )


def skill_level_insufficient(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.skill_level
    level = ctx.text("master_skill_level")
    if level is None:
        # No level on the form: the applicant's certificate says what it is.
        levels = [str(value_of(c.level)) for c in _master_certs(ctx) if value_of(c.level)]
        level = max(levels, key=lambda x: skill_level_rank(x) or -1) if levels else None
    rank, minimum = skill_level_rank(level), skill_level_rank(rule.minimum)
    if rank is None or minimum is None or rank >= minimum:
        return
    if any(_alternative_met(ctx, alt) for alt in rule.alternatives):
        return
    alts = ""
    if rule.alternatives:
        names = {"title_certificate": "副高级以上职称证书", "honour": "认可的荣誉（如非遗传承人）"}
        alts = "，且无" + "或".join(
            (f"{a.min_grade}以上职称证书" if a.kind == "title_certificate" else names[a.kind]) for a in rule.alternatives
        )
    yield ctx.finding(
        C.SKILL_LEVEL_INSUFFICIENT, "skill_level", rule.citation,
        f"职业技能等级 {level} 低于通知要求的 {rule.minimum}{alts}",
        fields=["master_skill_level"], pages=ctx.pages("master_skill_level"),
    )


# --- training fund -----------------------------------------------------------------------


def _decimal(v: Any) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def training_fund(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.training_fund
    if rule is None:
        return
    total, high = _decimal(ctx.value("training_fund_total")), _decimal(ctx.value("training_fund_high_skill"))
    pages = [*ctx.pages("training_fund_total", "training_fund_high_skill")]
    if total is None or high is None:
        for read in ctx.evidence.training_funds:
            t, h = _decimal(value_of(read.total)), _decimal(value_of(read.high_skill))
            if t is not None and h is not None:
                total, high, pages = t, h, list(read.pages)
                break
    # The rule is judged where the proof is in the packet (its figures are read from it).
    if total is None or high is None or total <= 0:
        return
    share = Decimal(str(rule.min_share))
    if high < share * total:
        pct = (high / total * 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        yield ctx.finding(
            C.TRAINING_FUND_BELOW_MIN, "training_fund", rule.citation,
            f"用于高技能人才培养的经费 {high:,f} 元占职工教育经费总额 {total:,f} 元的 {pct}%，"
            f"低于 {(share * 100).normalize():f}%",
            fields=["training_fund_total", "training_fund_high_skill"],
            pages=[*pages, *ctx.doc_pages("training_fund_proof")],
        )


# --- summary table -----------------------------------------------------------------------


def _comparable(key: str, v: Any) -> str:
    s = squash(v)
    return s.upper() if key in ("master_id_number", "unit_credit_code") else s


def summary_table(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.summary_table
    if rule is None:
        return
    rows = [r for r in ctx.evidence.table_rows if r.doc_type == "summary_table"]
    if not rows:
        return

    def agreement(row) -> tuple[int, int]:
        cells: dict[str, Value] = row.cells
        same = [
            k for k in rule.keys
            if value_of(cells.get(k)) is not None and ctx.value(k) is not None
            and _comparable(k, value_of(cells.get(k))) == _comparable(k, ctx.value(k))
        ]
        # A 汇总表 may list several applicants: the row with this ID number (or name) is ours.
        return (("master_id_number" in same) + ("master_name" in same), len(same))

    row = max(rows, key=agreement)
    for key in rule.keys:
        cell, form = value_of(row.cells.get(key)), ctx.value(key)
        if cell is None or form is None or _comparable(key, cell) == _comparable(key, form):
            continue
        yield ctx.finding(
            C.SUMMARY_MISMATCH, "summary_table", rule.citation,
            f"汇总表/一览表中的{FIELD_LABELS.get(key, key)} {cell} 与申报表 {form} 不一致",
            fields=[key], documents=["summary_table"], pages=[*ctx.pages(key), *row.pages],
        )


# --- prose lengths -----------------------------------------------------------------------


def document_text_lengths(ctx: RuleContext) -> Iterator[Finding]:
    from shenbao.rules.checks.form import _span_message

    for i, rule in enumerate(ctx.pack.text_lengths):
        if rule.document is None:
            continue
        reads = [p for p in ctx.evidence.prose if p.doc_type == rule.document]
        if not reads:
            continue
        # One read per document; pieces of one document (page by page) add up.
        seen: set[tuple[int, ...]] = set()
        n, pages = 0, []
        for p in reads:
            key = tuple(sorted(p.pages))
            if key in seen:
                continue
            seen.add(key)
            n += p.length if p.length else count_text_length(p.text)
            pages.extend(p.pages)
        if (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max):
            yield ctx.finding(
                C.TEXT_LENGTH, f"text_lengths[{i}]", rule.citation, _span_message(rule.label, n, rule.min, rule.max),
                documents=[rule.document], pages=pages,
            )


CHECKS = (
    missing_documents,
    identity_evidence,
    skill_level_insufficient,
    skill_level_mismatch,
    training_fund,
    document_text_lengths,
    summary_table,
)
