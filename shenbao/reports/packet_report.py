"""report.html: one packet, for the person who reviews it.

Self-contained (inline CSS, pictures as data URIs), Chinese, opens offline in any browser. Every
string that came from a document goes through jinja2's autoescape, so a page that says
<script> shows those characters and runs nothing.

Layout: header (unit, master, jurisdiction, occupation, received, verdict), findings by
severity with the values they name side by side and crops of where those values were read,
the fields table (confidence shaded), the awards table, the documents with page thumbnails and
the required documents that are missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from shenbao import __version__
from shenbao.models import FIELD_KEYS
from shenbao.pipeline.types import BBox, Page
from shenbao.reports.audit import FINDING_PROVENANCE_KEYS, audit_jsonl, file_sha256
from shenbao.reports.crops import (
    PREVIEW_LONG_SIDE,
    THUMB_LONG_SIDE,
    ImageRequest,
    make_images,
    result_box_to_page,
    union_box,
)
from shenbao.reports.evidence_view import EvidenceRow, evidence_rows
from shenbao.reports.labels import (
    SEVERITY_ORDER,
    award_index,
    document_label,
    field_label,
    finding_label,
    jurisdiction_label,
    level_label,
    severity_label,
)
from shenbao.reports.privacy import masked

if TYPE_CHECKING:
    from shenbao.pipeline.review import PacketContext

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_PICTURES_PER_FINDING = 4
# Confidence bands for shading the fields table (the pipeline's LOW_CONFIDENCE threshold is
# an option; these only colour what a reviewer sees).
CONFIDENCE_GOOD = 0.95


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template renders HTML; document text must never become markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=masked,  # a report is read by people who do not need whole ID numbers
    )
    env.filters["fmt_value"] = fmt_value
    return env


def fmt_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- view model -----------------------------------------------------------------------------


@dataclass
class Picture:
    request: ImageRequest
    caption: str
    uri: str | None = None
    boxed: bool = False


@dataclass
class ValueRow:
    label: str
    value: str
    where: str = ""


@dataclass
class FindingView:
    code: str
    title: str
    severity: str
    severity_label: str
    message: str
    values: list[ValueRow] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    rule: str | None = None
    citation: str | None = None
    extra: list[ValueRow] = field(default_factory=list)


@dataclass
class FieldView:
    key: str
    label: str
    value: str
    page: int | None
    confidence: float | None
    band: str  # "good" | "fair" | "low" | "none"
    flagged: bool  # a LOW_CONFIDENCE finding names it
    problem_codes: list[str]
    missing: bool  # the notice requires it and it is empty (MISSING_FIELD)
    empty: bool


@dataclass
class AwardView:
    index: int
    claimed_text: str
    title: str | None
    score: float | None
    year: int | None
    section: str | None
    level: str | None
    evidence_pages: list[int]
    thumbs: list[Picture]
    status: str
    status_class: str
    problems: list[str]


@dataclass
class DocumentView:
    label: str
    type: str
    pages: list[int]
    thumbs: list[Picture]
    missing: bool = False
    note: str = ""
    # What the document prints, beside the form's value for the same thing.
    rows: list[EvidenceRow] = field(default_factory=list)


@dataclass
class ReportView:
    packet_id: str
    unit: str
    master: str
    jurisdiction: str
    occupation: str
    received: str
    source: str
    sha256: str
    pages: int
    units: str
    verdict: str
    verdict_class: str
    counts: dict[str, int]
    findings: list[FindingView]
    fields: list[FieldView]
    awards: list[AwardView]
    documents: list[DocumentView]
    problems: list[str]
    generated_at: str
    version: str
    unreadable: bool


def build_view(ctx: PacketContext, generated_at: datetime | None = None) -> ReportView:
    result = ctx.result
    generated_at = generated_at or datetime.now(UTC).astimezone()
    pages: dict[int, Page] = {p.number: p for p in ctx.packet.pages} if ctx.packet else {}
    pictures: list[Picture] = []

    def picture(page_no: int | None, bbox: BBox | None, caption: str, long_side: int) -> Picture | None:
        if not page_no or page_no not in pages:
            return None
        pic = Picture(ImageRequest(page_no, bbox, long_side), caption, boxed=bbox is not None)
        pictures.append(pic)
        return pic

    def field_crop(key: str) -> Picture | None:
        fr = result.fields.get(key)
        if fr is None or not fr.page or fr.page not in pages:
            return None
        box = result_box_to_page(fr.bbox, pages[fr.page])
        return picture(fr.page, box, f"{field_label(key)} · 第 {fr.page} 页", PREVIEW_LONG_SIDE)

    def award_crop(index: int) -> Picture | None:
        claim = ctx.claimed_awards[index] if index < len(ctx.claimed_awards) else None
        page_no = getattr(claim, "page", None)
        bbox = getattr(claim, "bbox", None)
        if not page_no:
            return None
        return picture(page_no, bbox, f"荣誉 {index + 1} · 第 {page_no} 页", PREVIEW_LONG_SIDE)

    # findings -----------------------------------------------------------------------------
    findings: list[FindingView] = []
    flagged_fields: set[str] = set()
    codes_by_ref: dict[str, list[str]] = {}
    ordered = sorted(result.findings, key=lambda f: (SEVERITY_ORDER.get(str(f.severity), 9), str(f.code)))
    for finding in ordered:
        code, severity = str(finding.code), str(finding.severity)
        for ref in finding.fields:
            codes_by_ref.setdefault(ref, []).append(code)
            if code == "LOW_CONFIDENCE":
                flagged_fields.add(ref)
        extra = dict(finding.model_extra or {})
        view = FindingView(
            code=code,
            title=finding_label(code),
            severity=severity,
            severity_label=severity_label(severity),
            message=finding.message,
            documents=[document_label(d) for d in finding.documents],
            rule=_text_or_none(extra.get("rule")),
            citation=_text_or_none(extra.get("citation")),
            extra=[
                ValueRow(str(k), _short(v))
                for k, v in extra.items()
                if k not in FINDING_PROVENANCE_KEYS and v not in (None, "", [], {})
            ],
        )
        covered: set[int] = set()
        for ref in finding.fields:
            view.values.extend(_value_rows(ctx, ref))
            if len(view.pictures) >= MAX_PICTURES_PER_FINDING:
                continue
            pics = _pictures_for_ref(ctx, ref, field_crop, award_crop, picture, pages)
            for pic in pics:
                if len(view.pictures) < MAX_PICTURES_PER_FINDING:
                    view.pictures.append(pic)
                    covered.add(pic.request.page)
        # The other side of a disagreement: what the ID card, certificate, licence or summary
        # table says, read on the finding's pages (values and boxes from the evidence readers).
        for item in evidence_values(ctx.evidence):
            if item.page not in finding.pages or not _concerns(item.key, finding.fields):
                continue
            view.values.append(ValueRow(item.label, fmt_value(item.value), f"第 {item.page} 页"))
            if item.bbox and len(view.pictures) < MAX_PICTURES_PER_FINDING:
                pic = picture(item.page, item.bbox, f"{item.label} · 第 {item.page} 页", PREVIEW_LONG_SIDE)
                if pic:
                    view.pictures.append(pic)
                    covered.add(item.page)
        for page_no in finding.pages:
            if page_no in covered or len(view.pictures) >= MAX_PICTURES_PER_FINDING:
                continue
            pic = picture(page_no, None, f"第 {page_no} 页", PREVIEW_LONG_SIDE)
            if pic:
                view.pictures.append(pic)
                covered.add(page_no)
        findings.append(view)

    # fields -------------------------------------------------------------------------------
    missing_fields = {ref for f in result.findings if str(f.code) == "MISSING_FIELD" for ref in f.fields}
    keys = [k for k in FIELD_KEYS if k in result.fields or k in missing_fields]
    keys += [k for k in result.fields if k not in keys]
    fields = []
    for key in keys:
        fr = result.fields.get(key)
        conf = fr.confidence if fr else None
        fields.append(
            FieldView(
                key=key,
                label=field_label(key),
                value=fmt_value(fr.value) if fr else "—",
                page=fr.page if fr else None,
                confidence=conf,
                band=_band(conf, ctx.options.low_confidence),
                flagged=key in flagged_fields,
                problem_codes=[c for c in codes_by_ref.get(key, []) if c != "LOW_CONFIDENCE"],
                missing=key in missing_fields,
                empty=fr is None or fr.value in (None, ""),
            )
        )

    # awards -------------------------------------------------------------------------------
    awards = []
    for index, award in enumerate(result.awards):
        ref = f"awards[{index}]"
        problems = codes_by_ref.get(ref, [])
        thumbs = [
            p
            for p in (picture(n, None, f"证书 第 {n} 页", THUMB_LONG_SIDE) for n in award.evidence_pages[:3])
            if p
        ]
        status, status_class = _award_status(award, problems)
        awards.append(
            AwardView(
                index=index + 1,
                claimed_text=award.claimed_text,
                title=award.title,
                score=award.match_score,
                year=award.year,
                section=award.section,
                level=level_label(award.level),
                evidence_pages=list(award.evidence_pages),
                thumbs=thumbs,
                status=status,
                status_class=status_class,
                problems=[finding_label(c) for c in problems],
            )
        )

    # documents ----------------------------------------------------------------------------
    documents = []
    for doc in result.documents:
        thumbs = [p for p in (picture(n, None, f"第 {n} 页", THUMB_LONG_SIDE) for n in doc.pages) if p]
        note = f"对应荣誉 {doc.award_index + 1}" if doc.award_index is not None else ""
        documents.append(
            DocumentView(document_label(str(doc.type)), str(doc.type), list(doc.pages), thumbs, note=note,
                         rows=evidence_rows(doc, result))
        )
    for finding in result.findings:
        if str(finding.code) == "MISSING_DOCUMENT":
            for doc_type in finding.documents or ["?"]:
                documents.append(
                    DocumentView(
                        document_label(doc_type), doc_type, [], [], missing=True, note=finding.message
                    )
                )

    # pictures: each page rendered once for all of them ------------------------------------
    uris = make_images(ctx.packet, [p.request for p in pictures])
    for pic in pictures:
        pic.uri = uris.get(pic.request)

    counts = {
        s: sum(1 for f in result.findings if str(f.severity) == s) for s in ("error", "warning", "info")
    }
    verdict, verdict_class = _verdict(ctx, counts)
    received = ""
    if ctx.manifest and ctx.manifest.received_at:
        received = ctx.manifest.received_at.strftime("%Y-%m-%d %H:%M")
    elif "submission_date" in result.fields and result.fields["submission_date"].value:
        received = str(result.fields["submission_date"].value)

    def value_of(*keys: str) -> str:
        for key in keys:
            fr = result.fields.get(key)
            if fr is not None and fr.value not in (None, ""):
                return str(fr.value)
        return ""

    return ReportView(
        packet_id=result.packet_id,
        unit=value_of("unit_name"),
        master=value_of("master_name"),
        jurisdiction=jurisdiction_label(str(result.jurisdiction) if result.jurisdiction else None),
        occupation=value_of("studio_occupation", "master_occupation"),
        received=received,
        source=ctx.source.name,
        sha256=ctx.packet.sha256 if ctx.packet else (file_sha256(ctx.source) or ""),
        pages=len(pages),
        units=str(result.units or ""),
        verdict=verdict,
        verdict_class=verdict_class,
        counts=counts,
        findings=findings,
        fields=fields,
        awards=awards,
        documents=documents,
        problems=[p.splitlines()[0] for p in ctx.problems],
        generated_at=generated_at.strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        unreadable=ctx.unreadable,
    )


# Evidence attributes -> the form field they are compared with (RESULT.md keys; "award" for
# the parts of an honour certificate, which a finding names as awards[i]).
_EVIDENCE_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("id_cards", "name"): ("master_name", "身份证 · 姓名"),
    ("id_cards", "gender"): ("master_gender", "身份证 · 性别"),
    ("id_cards", "ethnicity"): ("master_ethnicity", "身份证 · 民族"),
    ("id_cards", "birth"): ("master_birth", "身份证 · 出生"),
    ("id_cards", "id_number"): ("master_id_number", "身份证 · 号码"),
    ("certificates", "name"): ("master_name", "证书 · 姓名"),
    ("certificates", "gender"): ("master_gender", "证书 · 性别"),
    ("certificates", "id_number"): ("master_id_number", "证书 · 身份证号"),
    ("certificates", "level"): ("master_skill_level", "证书 · 等级"),
    ("certificates", "occupation"): ("master_occupation", "证书 · 职业（工种）"),
    ("certificates", "title_grade"): ("master_skill_level", "职称证书 · 级别"),
    ("honour_certificates", "holder"): ("award", "荣誉证书 · 获得者"),
    ("honour_certificates", "title_text"): ("award", "荣誉证书 · 称号"),
    ("honour_certificates", "year"): ("award", "荣誉证书 · 年份"),
    ("business_licenses", "name"): ("unit_name", "营业执照 · 名称"),
    ("business_licenses", "credit_code"): ("unit_credit_code", "营业执照 · 统一社会信用代码"),
    ("training_funds", "total"): ("training_fund_total", "经费证明 · 职工教育经费总额"),
    ("training_funds", "high_skill"): ("training_fund_high_skill", "经费证明 · 高技能人才培养经费"),
}


@dataclass
class EvidenceValue:
    key: str
    label: str
    value: Any
    page: int
    bbox: BBox | None


def evidence_values(evidence: Any) -> list[EvidenceValue]:
    """Every located value the evidence readers found, keyed by the form field it checks."""
    if evidence is None:
        return []
    out: list[EvidenceValue] = []
    for (group, attr), (key, label) in _EVIDENCE_KEYS.items():
        for read in getattr(evidence, group, None) or []:
            value = getattr(read, attr, None)
            if value is not None and getattr(value, "page", None):
                out.append(EvidenceValue(key, label, value.value, value.page, value.bbox))
    for row in getattr(evidence, "table_rows", None) or []:
        if getattr(row, "doc_type", "") == "award_table":
            continue  # the form's own award list: the claims, shown from the form reader already
        where = document_label(getattr(row, "doc_type", ""))
        for key, value in (getattr(row, "cells", None) or {}).items():
            if value is not None and getattr(value, "page", None):
                out.append(
                    EvidenceValue(key, f"{where} · {field_label(key)}", value.value, value.page, value.bbox)
                )
    return out


def _concerns(key: str, refs: list[str]) -> bool:
    if key == "award":
        return any(ref == "awards" or award_index(ref) is not None for ref in refs)
    return key in refs


def _pictures_for_ref(ctx, ref, field_crop, award_crop, picture, pages) -> list[Picture]:
    index = award_index(ref)
    out: list[Picture | None] = []
    if index is not None:
        out.append(award_crop(index))
        if index < len(ctx.result.awards):
            for n in ctx.result.awards[index].evidence_pages[:1]:
                out.append(picture(n, None, f"荣誉 {index + 1} 证书 · 第 {n} 页", PREVIEW_LONG_SIDE))
    elif ref == "awards":
        # The whole award list: one crop per page around all claims on it.
        by_page: dict[int, list[BBox]] = {}
        for claim in ctx.claimed_awards:
            if getattr(claim, "page", None) and getattr(claim, "bbox", None):
                by_page.setdefault(claim.page, []).append(claim.bbox)
        for page_no, boxes in sorted(by_page.items()):
            out.append(picture(page_no, union_box(boxes), f"获奖情况 · 第 {page_no} 页", PREVIEW_LONG_SIDE))
    else:
        out.append(field_crop(ref))
    return [p for p in out if p is not None]


def _value_rows(ctx: PacketContext, ref: str) -> list[ValueRow]:
    index = award_index(ref)
    if index is not None:
        if index >= len(ctx.result.awards):
            return [ValueRow(field_label(ref), "—")]
        award = ctx.result.awards[index]
        recognised = award.title or "（未识别）"
        year = f"{award.year}年 " if award.year else ""
        pages = "、".join(str(n) for n in award.evidence_pages)
        return [
            ValueRow(
                field_label(ref),
                f"{year}{award.claimed_text} → {recognised}",
                f"证书第 {pages} 页" if pages else "无证书页",
            )
        ]
    if ref == "awards":
        return [
            ValueRow(field_label(f"awards[{i}]"), f"{a.year or '?'}年 {a.claimed_text}", a.section or "")
            for i, a in enumerate(ctx.result.awards)
        ]
    fr = ctx.result.fields.get(ref)
    if fr is None:
        return [ValueRow(field_label(ref), "（未填写）")]
    where = f"第 {fr.page} 页" if fr.page else ("收件清单" if ref == "submission_date" else "")
    return [ValueRow(field_label(ref), fmt_value(fr.value), where)]


def _band(confidence: float | None, threshold: float) -> str:
    if confidence is None:
        return "none"
    if confidence >= CONFIDENCE_GOOD:
        return "good"
    if confidence >= threshold:
        return "fair"
    return "low"


def _award_status(award: Any, problems: list[str]) -> tuple[str, str]:
    if problems:
        worst = sorted(problems, key=lambda c: 0 if c != "AWARD_UNRECOGNISED" else 1)[0]
        cls = (
            "warning"
            if all(c in {"AWARD_UNRECOGNISED", "AWARD_YEAR_MISMATCH", "AWARD_ORDER"} for c in problems)
            else "error"
        )
        return finding_label(worst), cls
    if award.title is None:
        return "未识别", "warning"
    if not award.evidence_pages:
        return "已识别，未关联证书", "info"
    return "已识别，有证书", "ok"


def _verdict(ctx: PacketContext, counts: dict[str, int]) -> tuple[str, str]:
    if ctx.unreadable:
        return "材料无法读取，需退回或重新提交", "error"
    parts = [f"{counts['error']} 项错误", f"{counts['warning']} 项警告"]
    if counts["info"]:
        parts.append(f"{counts['info']} 项提示")
    tail = "；处理未完整，见下方“处理问题”" if ctx.problems else ""
    if counts["error"]:
        return "需要处理：" + "，".join(parts) + tail, "error"
    if counts["warning"]:
        return "请核对：" + "，".join(parts) + tail, "warning"
    return "未发现问题：" + "，".join(parts) + tail, "ok" if not ctx.problems else "warning"


def _text_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- public API -----------------------------------------------------------------------------


def render_packet_report(ctx: PacketContext, generated_at: datetime | None = None) -> str:
    """report.html for one reviewed packet."""
    view = build_view(ctx, generated_at)
    return template_env().get_template("packet_report.html.j2").render(r=view)


def packet_report_files(ctx: PacketContext) -> dict[str, bytes | str]:
    """Files to write beside result.json: {"report.html": …, "audit.jsonl": …}."""
    now = datetime.now(UTC).astimezone()
    return {"report.html": render_packet_report(ctx, now), "audit.jsonl": audit_jsonl(ctx, now)}
