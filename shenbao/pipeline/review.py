"""Review one packet: the stages as plain functions over one context object.

Each stage reads what earlier stages left in the `PacketContext` and adds its own part. Prefect
flows (shenbao.flows) wrap the same functions; here they run in order with no orchestration,
so everything is testable without a server. A stage that fails unexpectedly is recorded in
`ctx.problems` and the packet goes on with what the other stages can still do: one bad page
never costs the whole packet, one bad packet never costs the batch.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shenbao.extractors.classify import PageClass
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.models import FieldResult, Finding, FindingCode, Result, Units
from shenbao.pipeline.corroboration import stage_corroborate
from shenbao.pipeline.manifest import ManifestEntry
from shenbao.pipeline.reading import stage_awards, stage_evidence, stage_form, stage_rules
from shenbao.pipeline.types import IngestError, Packet, Page, PageKind

log = logging.getLogger(__name__)


@dataclass
class ReviewOptions:
    engine: str = "default"
    jurisdiction: str | None = None  # a rule pack key forced from the command line, beats everything
    low_confidence: float = 0.80  # fields read below this OCR confidence get LOW_CONFIDENCE
    # ... and so do scanned values whose characters are all right with a chance below this,
    # taking the OCR confidence as each character's (value_confidence): a long value read at
    # 0.98 a character is more likely than not to hold a slip somewhere.
    low_value_confidence: float = 0.5
    ocr_cache: Path | None = None  # keep OCR output here so re-runs of unchanged pages cost nothing
    # Second reading of scanned form cells once the grid is known: a cellread policy, or "off".
    cell_reading: str = "seals"

    def __post_init__(self) -> None:
        from shenbao.extractors.form.cellread import POLICIES
        from shenbao.extractors.ocr import ENGINE_NAMES

        for name in ("low_confidence", "low_value_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)!r}")
        if self.cell_reading not in (*POLICIES, "off"):
            raise ValueError(f"cell reading must be one of {', '.join((*POLICIES, 'off'))}, got {self.cell_reading!r}")
        # an engine we do not have fails here, before any packet is read, not per page later
        if (self.engine or "default").strip().lower() not in ("default", *ENGINE_NAMES):
            raise ValueError(f"未知的 OCR 引擎 {self.engine!r} / unknown OCR engine {self.engine!r}; "
                             f"choose one of {', '.join(ENGINE_NAMES)} or 'default'")


@dataclass
class PacketContext:
    source: Path
    options: ReviewOptions
    manifest: ManifestEntry | None = None
    engine: OcrEngine | None = None
    packet: Packet | None = None
    result: Result = field(default_factory=lambda: Result(packet_id=""))
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unreadable: bool = False
    page_classes: list[PageClass] = field(default_factory=list)
    jurisdiction_evidence: str = ""
    claimed_awards: list[Any] = field(default_factory=list)  # form reader's ClaimedAward, form order
    awards_located: bool = False  # the form reader found where the honours are written
    award_matches: list[Any] = field(default_factory=list)  # matcher output per claimed award
    # Claims the matcher found tied between titles, named by a certificate: index -> Settled.
    award_settled: dict[int, Any] = field(default_factory=dict)
    evidence: Any = None  # shenbao.extractors.evidence.model.Evidence once read
    rule_pack: Any = None  # the RulePack the findings came from
    # Form fields whose OCR text could not be read as a value of their kind: key -> that text.
    unreadable_values: dict[str, str] = field(default_factory=dict)
    # Form values another document of the packet states exactly (corroborate): key -> its pages.
    confirmed_values: dict[str, list[int]] = field(default_factory=dict)

    def get_engine(self) -> OcrEngine:
        if self.engine is None:
            from shenbao.extractors.ocr import get_engine

            engine = get_engine(self.options.engine)
            if self.options.ocr_cache is not None:
                from shenbao.pipeline.ocr_cache import CachedEngine

                engine = CachedEngine(engine, self.options.ocr_cache)
            self.engine = engine
        return self.engine


Stage = Callable[[PacketContext], None]


def packet_id_for(path: Path) -> str:
    """The packet id is the file or folder name without its extension."""
    return path.name if path.is_dir() else path.name.rsplit(".", 1)[0] if "." in path.name[1:] else path.name


# --- stages -------------------------------------------------------------------------------------


def stage_ingest(ctx: PacketContext) -> None:
    from shenbao.pipeline.ingest import ingest, packet_units

    try:
        ctx.packet = ingest(ctx.source)
    except IngestError as exc:
        _mark_unreadable(ctx, exc.detail)
        return
    except Exception as exc:  # a library choking on a malformed file is still a bad input
        log.exception("ingest failed for %s", ctx.source)
        _mark_unreadable(ctx, f"{ctx.source.name}: 无法读取（{type(exc).__name__}: {exc}）")
        return
    ctx.result.units = packet_units(ctx.packet)
    ctx.problems.extend(ctx.packet.warnings)


def _mark_unreadable(ctx: PacketContext, message: str) -> None:
    ctx.unreadable = True
    ctx.result.findings.append(Finding.make(FindingCode.UNREADABLE_INPUT, message))


def ocr_page(page: Page, engine: OcrEngine) -> None:
    """OCR one scanned page in place: upright, deskewed, lines in corrected-image pixels."""
    if page.kind is not PageKind.SCAN or page.load_image is None:
        return
    apply_page_ocr(page, engine.read_page(page.load_image()), engine.name)


def apply_page_ocr(page: Page, page_ocr: PageOcr, engine_name: str = "") -> None:
    """Put what OCR read into the page; its image loader then gives the corrected image. Split
    from `ocr_page` so the flows can read pages elsewhere (another thread, a Dask worker)."""
    from shenbao.extractors.ocr.orientation import correct_image
    from shenbao.extractors.ocr.script import to_simplified

    raw_loader = page.load_image
    assert raw_loader is not None
    page.lines = [replace(ln, text=to_simplified(ln.text)) for ln in page_ocr.lines]
    page.rotation = page_ocr.rotation
    page.skew = page_ocr.skew
    page.width, page.height = float(page_ocr.width), float(page_ocr.height)
    page.ocr_engine = page_ocr.engine or engine_name or None
    if page.rotation or page.skew:
        rotation, skew = page.rotation, page.skew
        page.load_image = lambda: correct_image(raw_loader(), rotation, skew)


def stage_ocr(ctx: PacketContext) -> None:
    assert ctx.packet is not None
    scans = [p for p in ctx.packet.pages if p.kind is PageKind.SCAN]
    if not scans:
        return
    engine = ctx.get_engine()
    for page in scans:
        try:
            ocr_page(page, engine)
        except Exception as exc:  # one unreadable page must not cost the others
            log.exception("OCR failed on %s", page.source)
            page_not_read(ctx, page, exc)


def page_not_read(ctx: PacketContext, page: Page, exc: BaseException) -> None:
    """A page whose OCR failed: a problem of the run and a finding of the result (a report
    without it would read as if the page had been checked)."""
    ctx.problems.append(f"{page.source}: OCR 失败（{type(exc).__name__}: {exc}）")
    ctx.result.findings.append(Finding.make(
        FindingCode.UNREADABLE_INPUT,
        f"第 {page.number} 页无法识别，未参与审查：{page.source}（{type(exc).__name__}） / "
        f"page {page.number} could not be read and was not reviewed: {page.source}",
        pages=[page.number]))


def stage_manifest_fields(ctx: PacketContext) -> None:
    """Fields that come from the batch manifest rather than from the packet's pages."""
    if ctx.manifest and ctx.manifest.submission_date:
        ctx.result.fields["submission_date"] = FieldResult(value=ctx.manifest.submission_date.isoformat())


def stage_jurisdiction(ctx: PacketContext) -> None:
    """Command line beats manifest beats what the pages say."""
    if ctx.options.jurisdiction:
        ctx.result.jurisdiction = ctx.options.jurisdiction
    elif ctx.manifest and ctx.manifest.jurisdiction:
        ctx.result.jurisdiction = ctx.manifest.jurisdiction


def stage_classify(ctx: PacketContext) -> None:
    """Every page gets a document type; consecutive pages of one document become one entry."""
    from shenbao.extractors.classify import classify_pages, detect_jurisdiction, group_documents

    assert ctx.packet is not None
    ctx.page_classes = classify_pages(ctx.packet.pages)
    ctx.result.documents = group_documents(ctx.page_classes)
    detected, confidence, evidence = detect_jurisdiction(ctx.packet.pages, ctx.page_classes)
    ctx.jurisdiction_evidence = f"{detected} ({confidence:.2f}): {evidence}" if detected else "未识别"
    if ctx.result.jurisdiction is None:
        ctx.result.jurisdiction = detected
    elif detected and detected != ctx.result.jurisdiction:
        ctx.problems.append(
            f"材料内容指向 {detected}（{evidence}），但按清单/参数使用 {ctx.result.jurisdiction} 的规则"
        )


# Stages that need a readable packet, in order.
PAGE_STAGES: list[tuple[str, Stage]] = [
    ("ocr", stage_ocr),
    ("classify", stage_classify),
    ("form", stage_form),
    ("awards", stage_awards),
    ("evidence", stage_evidence),
    ("corroborate", stage_corroborate),
    ("rules", stage_rules),
]


def run_stage(ctx: PacketContext, name: str, stage: Stage) -> None:
    started = time.perf_counter()
    try:
        stage(ctx)
    except Exception as exc:
        log.exception("stage %s failed for %s", name, ctx.source)
        ctx.problems.append(
            f"阶段 {name} 出错（{type(exc).__name__}: {exc}）\n{traceback.format_exc(limit=3)}"
        )
    finally:
        ctx.timings[name] = round(time.perf_counter() - started, 3)


def review_packet(
    source: Path,
    options: ReviewOptions | None = None,
    manifest: ManifestEntry | None = None,
    engine: OcrEngine | None = None,
    until: str | None = None,
) -> PacketContext:
    """Read one packet (file or folder) and return its context with the finished `result`;
    with `until` (a PAGE_STAGES name), only as far as that stage (benches, tests)."""
    if until is not None and until not in dict(PAGE_STAGES):
        raise ValueError(f"unknown stage {until!r}; one of {', '.join(dict(PAGE_STAGES))}")
    ctx = PacketContext(source=source, options=options or ReviewOptions(), manifest=manifest, engine=engine)
    ctx.result = Result(packet_id=packet_id_for(source))
    run_stage(ctx, "jurisdiction", stage_jurisdiction)
    run_stage(ctx, "manifest", stage_manifest_fields)
    run_stage(ctx, "ingest", stage_ingest)
    if ctx.unreadable:
        # RESULT.md: an unreadable packet has no documents, fields or awards, only its finding.
        ctx.result.fields = {}
        ctx.result.units = None
        return ctx
    for name, stage in PAGE_STAGES:
        run_stage(ctx, name, stage)
        if name == until:
            return ctx
    if ctx.result.units is None:
        ctx.result.units = Units.PT
    return ctx
