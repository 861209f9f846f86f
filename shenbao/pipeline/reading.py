"""Stages that turn classified pages into the result's fields and awards.

They run after `stage_classify` and only read what it left in the context: which pages are the
cover and the form, which are honour certificates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shenbao.extractors.normalize.text import unpaired_mark
from shenbao.models import FIELD_KEYS, Award, DocumentType, FieldResult, Finding, FindingCode
from shenbao.pipeline.confidence import value_confidence, value_length
from shenbao.pipeline.types import BBox, Page, PageKind

if TYPE_CHECKING:
    from shenbao.matchers.honours import HonourMatch
    from shenbao.pipeline.review import PacketContext, ReviewOptions

# Pages the application form's fields and claimed honours are read from.
FORM_TYPES = {DocumentType.COVER, DocumentType.APPLICATION_FORM, DocumentType.AWARD_TABLE}

# Which field label a person would look for in the Chinese report.
# Below this similarity the nearest recognised title is no useful hint.
_HINT_SCORE = 50.0
_LOW_CONFIDENCE_MESSAGE = "{key} 识别置信度 {confidence:.2f}（“{value}”），请人工核对"
_TIE_MESSAGE = "荣誉“{claim}”字迹不清，可指{tied}；据荣誉证书（第{pages}页）认作“{title}”，请人工核对原件"
_LONG_VALUE_MESSAGE = ("{key} 逐字识别置信度 {confidence:.2f}，共 {chars} 字，全部识别无误的把握约 {whole:.2f}，"
                       "请人工核对")
_UNPAIRED_MESSAGE = "{key} 中的“{mark}”没有与之成对的括号或引号，扫描识别可能漏掉或多出了标点，请人工核对"
_REREAD_MESSAGE = "{key} 原识别为“{before}”，{why}；重新识别为“{value}”（置信度 {confidence:.2f}），请人工核对"


def to_result_units(bbox: BBox | None, page: Page) -> list[float] | None:
    if bbox is None:
        return None
    return [round(v * page.unit_scale, 1) for v in bbox]


def pages_of(ctx: PacketContext, types: set[DocumentType]) -> list[Page]:
    assert ctx.packet is not None
    wanted = {c.page for c in ctx.page_classes if c.type in types}
    return [p for p in ctx.packet.pages if p.number in wanted]


def stage_form(ctx: PacketContext) -> None:
    """Read the cover and the ruled 申报表 into canonical fields, with page, box and confidence."""
    from shenbao.extractors.form.cellread import CellReadSettings
    from shenbao.extractors.form.reader import (
        AWARDS_CLAIMED,
        AWARDS_RAW,
        CellReader,
        read_form,
        read_label_fields,
    )

    pages = pages_of(ctx, FORM_TYPES)
    if not pages:
        return
    by_number = {p.number: p for p in pages}
    cells = None
    if ctx.options.cell_reading != "off" and any(p.kind is PageKind.SCAN for p in pages):
        cells = CellReader(ctx.get_engine(), CellReadSettings(policy=ctx.options.cell_reading))
    reads = read_form(pages, ctx.result.jurisdiction, cells=cells)
    if reads.get("studio_name") is None or reads["studio_name"].value is None:
        # 呼和浩特 names the studio in the 申报书 rather than on the form.
        report_pages = pages_of(ctx, {DocumentType.APPLICATION_REPORT})
        if report_pages:
            reads.update(read_label_fields(report_pages, {"studio_name"}, ctx.result.jurisdiction))
            by_number.update({p.number: p for p in report_pages})
    claimed = reads.get(AWARDS_CLAIMED)
    ctx.claimed_awards = list(claimed.value or []) if claimed else []
    # Found even when empty (AWARDS_RAW ""): an empty honours cell is the applicant's omission.
    ctx.awards_located = claimed is not None or AWARDS_RAW in reads
    for key, read in reads.items():
        if key not in FIELD_KEYS or key == "submission_date":
            continue
        page = by_number.get(read.page)
        confidence = round(float(read.confidence), 3)
        if read.value is None and read.raw.strip() and page is not None and page.kind is PageKind.SCAN:
            ctx.unreadable_values[key] = read.raw.strip()
        ctx.result.fields[key] = FieldResult(
            value=read.value,
            page=read.page,
            bbox=to_result_units(read.bbox, page) if page else None,
            confidence=confidence,
        )
        doubt = _doubt(read, key, page, confidence, ctx.options)
        if doubt is not None:
            ctx.result.findings.append(Finding.make(FindingCode.LOW_CONFIDENCE, doubt, fields=[key], pages=[read.page]))


def _doubt(read: Any, key: str, page: Page | None, confidence: float, options: ReviewOptions) -> str | None:
    """Why a person should check a form value (the LOW_CONFIDENCE message), or None: it was
    decoded again; a scanned value's bracket or quote lost its partner; it was read below the
    confidence threshold; or, scanned, its characters are all right with too small a chance."""
    label = read.label or key
    if read.reread_from is not None:
        return _REREAD_MESSAGE.format(key=label, before="".join(read.reread_from.split()), why=read.reread_why,
                                      value=read.value, confidence=confidence)
    if read.value is None:
        return None
    scanned = page is not None and page.kind is PageKind.SCAN
    if scanned and isinstance(read.value, str) and (mark := unpaired_mark(read.value)) is not None:
        return _UNPAIRED_MESSAGE.format(key=label, mark=mark)
    if confidence < options.low_confidence:
        return _LOW_CONFIDENCE_MESSAGE.format(key=label, confidence=confidence, value=read.value)
    if scanned and (whole := value_confidence(read.value, confidence)) < options.low_value_confidence:
        return _LONG_VALUE_MESSAGE.format(key=label, confidence=confidence, chars=value_length(read.value),
                                          whole=whole)
    return None


def stage_awards(ctx: PacketContext) -> None:
    """Match each claimed honour to a recognised title (the rule engine links certificates)."""
    from shenbao.matchers.honours import load_honours, match_honour

    if not ctx.claimed_awards:
        return
    honours = load_honours()
    jurisdiction = str(ctx.result.jurisdiction) if ctx.result.jurisdiction else None
    for index, claim in enumerate(ctx.claimed_awards):
        match = match_honour(claim.claimed_text, honours, jurisdiction)
        ctx.award_matches.append(match)
        award = Award(
            claimed_text=claim.claimed_text,
            title=match.title,
            year=claim.year,
            issuer=claim.issuer or match.issuer,
            level=match.level,
            match_score=round(float(match.score), 1),
            section=claim.section,
        )
        ctx.result.awards.append(award)
        if match.title is None:
            year = f"（{claim.year}年）" if claim.year else ""
            ctx.result.findings.append(
                Finding.make(
                    FindingCode.AWARD_UNRECOGNISED,
                    f"{claim.claimed_text}{year} 不在认可荣誉名录中{_closest(match)}",
                    fields=[f"awards[{index}]"],
                    pages=[claim.page] if claim.page else [],
                )
            )


def _closest(match: HonourMatch) -> str:
    """A hint for the reviewer when a recognised title came near, e.g. a misspelt claim."""
    if not match.alternatives:
        return ""
    title, score = match.alternatives[0]
    return f"（最接近：{title}，相似度 {score:.0f}）" if score >= _HINT_SCORE else ""


def mark_award_certificates(ctx: PacketContext) -> None:
    """Each honour certificate document names the award it proves (`award_index`), as the rule
    engine linked them: the award whose `evidence_pages` hold the certificate's pages."""
    for document in ctx.result.documents:
        if document.type != DocumentType.HONOUR_CERTIFICATE or document.award_index is not None:
            continue
        pages = set(document.pages)
        document.award_index = next(
            (i for i, award in enumerate(ctx.result.awards) if pages & set(award.evidence_pages)), None
        )


def stage_evidence(ctx: PacketContext) -> None:
    """Read the supporting documents; the training-fund amounts become result fields."""
    from shenbao.extractors.evidence.reader import fill_fields_from_evidence, read_evidence
    from shenbao.matchers.honours import load_honours

    assert ctx.packet is not None
    jurisdiction = str(ctx.result.jurisdiction) if ctx.result.jurisdiction else None
    ctx.evidence = read_evidence(ctx.packet.pages, ctx.result.documents, load_honours(), jurisdiction)
    pages = {p.number: p for p in ctx.packet.pages}
    from_evidence = fill_fields_from_evidence(ctx.evidence)
    form_code = ctx.result.fields.get("unit_credit_code")
    if form_code is None or form_code.value is None:
        # Forms without a credit-code cell (吕梁, 呼和浩特, 武汉): the business licence gives it.
        licence_code = next((b.credit_code for b in ctx.evidence.business_licenses if b.credit_code), None)
        if licence_code is not None and licence_code.value:
            from_evidence["unit_credit_code"] = licence_code
    from shenbao.pipeline.evidence_fields import fill_document_fields

    ctx.result.findings += fill_document_fields(ctx.result.documents, ctx.evidence, ctx.packet.pages)
    for key, value in from_evidence.items():
        page = pages.get(value.page)
        ctx.result.fields[key] = FieldResult(
            value=value.value,
            page=value.page,
            bbox=to_result_units(value.bbox, page) if page else None,
            confidence=round(float(value.confidence), 3),
        )
    settle_award_ties(ctx)


def settle_award_ties(ctx: PacketContext) -> None:
    """Claims the matcher left unnamed because several titles fit them equally, named by the
    packet's own honour certificate (`matchers.ties`); the reviewer is told which page did it."""
    from shenbao.matchers.honours import load_honours
    from shenbao.matchers.ties import settle_tie

    if ctx.evidence is None:
        return
    honours = load_honours()
    awards = ctx.result.awards
    for index, (award, match) in enumerate(zip(awards, ctx.award_matches, strict=False)):
        taken = {a.title for k, a in enumerate(awards) if k != index and a.title}
        settled = settle_tie(match, award.year, ctx.evidence.honour_certificates, taken)
        if settled is None:
            continue
        ctx.award_settled[index] = settled
        honour = honours.get(settled.title)
        award.title = settled.title
        award.issuer = award.issuer or (honour.issuer if honour and honour.issuer else None)
        award.level = honour.level if honour else award.level
        where = [f"awards[{index}]"]
        ctx.result.findings = [f for f in ctx.result.findings
                               if not (f.code == FindingCode.AWARD_UNRECOGNISED and f.fields == where)]
        claim = ctx.claimed_awards[index] if index < len(ctx.claimed_awards) else None
        claim_pages = [claim.page] if claim is not None and claim.page else []
        ctx.result.findings.append(Finding.make(
            FindingCode.LOW_CONFIDENCE,
            _TIE_MESSAGE.format(claim=award.claimed_text, tied="、".join(settled.tied),
                                pages="、".join(str(p) for p in settled.pages), title=settled.title),
            fields=where,
            pages=sorted({*claim_pages, *settled.pages}),
        ))


def stage_rules(ctx: PacketContext) -> None:
    """Run the jurisdiction's rule pack over fields, awards, documents and evidence."""
    from shenbao.extractors.evidence.model import Evidence
    from shenbao.reports.labels import finding_label
    from shenbao.rules.engine import run_rules
    from shenbao.rules.misreads import demote_misreads
    from shenbao.rules.pack import load_pack

    if ctx.result.jurisdiction is None:
        ctx.problems.append("无法确定所属地区（辖区），未运行规则检查 / jurisdiction unknown, rules not run")
        return
    pack = load_pack(str(ctx.result.jurisdiction))
    ctx.rule_pack = pack
    received_at = ctx.manifest.received_at if ctx.manifest else None
    evidence = ctx.evidence if ctx.evidence is not None else Evidence()
    findings = run_rules(ctx.result, evidence, pack, received_at)
    assert ctx.packet is not None
    ocr_pages = {p.number for p in ctx.packet.pages if p.kind is PageKind.SCAN}
    ctx.result.findings.extend(
        demote_misreads(findings, ctx.result, ocr_pages, finding_label, ctx.unreadable_values, evidence,
                        form_pages={n for d in ctx.result.documents if d.type == DocumentType.APPLICATION_FORM
                                    for n in d.pages},
                        awards_located=ctx.awards_located or bool(ctx.claimed_awards),
                        confirmed=ctx.confirmed_values)
    )
    from shenbao.pipeline.evidence_fields import issuer_crosscheck, malformed_code_findings

    form_values = {k: f.value for k, f in ctx.result.fields.items()}
    ctx.result.findings.extend(malformed_code_findings(ctx.result.documents, evidence, form_values, ocr_pages,
                                                       finding_label))
    mark_award_certificates(ctx)
    ctx.result.findings.extend(issuer_crosscheck(ctx.result))
