"""Review every packet of a folder and write `OUT/<packet_id>/result.json` for each.

Each packet's outputs are written as soon as it is done (atomically), so a crash keeps what was
finished. Checks that need the whole batch (the same applicant twice) run at the end and rewrite
only the results they change. `OUT/batch.json` summarises the run for the reviewer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from shenbao import __version__
from shenbao.models import Result, Severity
from shenbao.pipeline.manifest import Manifest, ManifestEntry, Registry
from shenbao.pipeline.review import PacketContext, ReviewOptions, packet_id_for, review_packet
from shenbao.pipeline.writer import write_file_atomic, write_packet_dir

log = logging.getLogger(__name__)

# Files a scanner or an OS leaves in a folder that are not packets.
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", "manifest.csv", "registry.csv"}


@dataclass
class PacketOutcome:
    packet_id: str
    source: str
    status: str  # "ok" | "unreadable" | "partial" (some stage failed, result still written)
    pages: int
    seconds: float
    errors: int
    warnings: int
    problems: list[str] = field(default_factory=list)


@dataclass
class BatchSummary:
    input_dir: str
    out_dir: str
    started_at: str
    finished_at: str = ""
    shenbao_version: str = __version__
    packets: list[PacketOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    quota_warnings: list[dict] = field(default_factory=list)  # per recommender over the notice's limit

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


class BatchError(ValueError):
    """The batch cannot start (bad folders); nothing was written."""


def find_packets(input_dir: Path) -> list[Path]:
    """Every file or folder directly inside `input_dir` is one packet, hidden entries aside."""
    if not input_dir.is_dir():
        raise BatchError(f"{input_dir}: 不是文件夹 / not a folder")
    entries = [
        p
        for p in input_dir.iterdir()
        if not p.name.startswith((".", "~$")) and p.name.lower() not in _IGNORED_NAMES
    ]
    return sorted(entries, key=lambda p: p.name)


def write_result(out_dir: Path, result: Result, extra_files: dict[str, bytes | str] | None = None) -> Path:
    files: dict[str, bytes | str] = {"result.json": result.to_json()}
    files.update(extra_files or {})
    return write_packet_dir(out_dir / result.packet_id, files)


def report_files(ctx: PacketContext) -> dict[str, bytes | str]:
    """report.html and audit.jsonl for the packet; a failing report never costs the result."""
    from shenbao.reports import packet_report_files

    try:
        return packet_report_files(ctx)
    except Exception as exc:
        log.exception("report failed for %s", ctx.source)
        ctx.problems.append(f"审核报告生成失败（{type(exc).__name__}: {exc}）")
        return {}


def write_packet(out_dir: Path, ctx: PacketContext) -> Path:
    """result.json with its report and audit trail, as one atomic folder."""
    return write_result(out_dir, ctx.result, report_files(ctx))


def outcome_of(ctx: PacketContext, seconds: float) -> PacketOutcome:
    findings = ctx.result.findings
    status = "unreadable" if ctx.unreadable else ("partial" if ctx.problems else "ok")
    return PacketOutcome(
        packet_id=ctx.result.packet_id,
        source=ctx.source.name,
        status=status,
        pages=len(ctx.packet.pages) if ctx.packet else 0,
        seconds=round(seconds, 2),
        errors=sum(1 for f in findings if f.severity == Severity.ERROR),
        warnings=sum(1 for f in findings if f.severity == Severity.WARNING),
        problems=list(ctx.problems),
    )


BatchCheck = Callable[[list[Result], Registry | None], set[str]]
ResultHook = Callable[[Result, PacketOutcome], None]


def check_folders(input_dir: Path, out_dir: Path) -> tuple[Path, Path]:
    """Both folders, resolved; refuses an OUT inside the input folder (it would be read as packets)."""
    input_dir, out_dir = input_dir.resolve(), out_dir.resolve()
    if out_dir == input_dir or input_dir in out_dir.parents:
        raise BatchError(
            f"输出文件夹 {out_dir} 不能位于输入文件夹 {input_dir} 之内 / OUT must not be inside the input folder"
        )
    return input_dir, out_dir


def start_summary(
    input_dir: Path, out_dir: Path, sources: list[Path], manifest: Manifest | None, registry: Registry | None
) -> BatchSummary:
    """The batch summary, with what the manifest and registry already say is wrong."""
    summary = BatchSummary(str(input_dir), str(out_dir), datetime.now().isoformat(timespec="seconds"))
    if manifest:
        summary.problems.extend(manifest.problems)
        missing = sorted(set(manifest.rows) - {packet_id_for(p) for p in sources})
        if missing:
            shown = "、".join(missing[:10]) + (f" 等 {len(missing)} 个" if len(missing) > 10 else "")
            summary.problems.append(f"清单中的 {shown} 没有对应的申报材料 / listed in the manifest, not found")
    if registry:
        summary.problems.extend(registry.problems)
    return summary


def manifest_entry(source: Path, manifest: Manifest | None, summary: BatchSummary) -> ManifestEntry | None:
    packet_id = packet_id_for(source)
    entry = manifest.rows.get(packet_id) if manifest else None
    if manifest and entry is None:
        summary.problems.append(f"{packet_id}: 不在批次清单中（无收件时间） / not in the manifest")
    return entry


def make_unique_id(ctx: PacketContext, source: Path, seen_ids: set[str], summary: BatchSummary) -> None:
    """a.pdf and a.zip would both be "a": keep both, the later under a suffixed id."""
    packet_id = ctx.result.packet_id
    if packet_id in seen_ids:
        ctx.result.packet_id = f"{packet_id}-{source.suffix.lstrip('.') or 'dir'}"
        summary.problems.append(
            f"{source.name}: 与另一份材料同名，结果写入 {ctx.result.packet_id} / duplicate packet id"
        )
    seen_ids.add(ctx.result.packet_id)


def finish_batch(
    out_dir: Path,
    results: list[Result],
    summary: BatchSummary,
    registry: Registry | None,
    batch_checks: Iterable[BatchCheck],
    on_result: ResultHook | None = None,
    manifest: Manifest | None = None,
    contexts: dict[str, PacketContext] | None = None,
) -> BatchSummary:
    """Run the checks that need the whole batch, rewrite the results they change (and their report
    and audit trail where the packet's context is at hand), write batch.json (with the quota
    warnings: recommenders over the notice's limit) and the batch summary (summary.xlsx, index.html)."""
    by_id = {r.packet_id: r for r in results}
    outcomes = {o.packet_id: o for o in summary.packets}
    for check in batch_checks:
        for packet_id in check(results, registry):
            result = by_id[packet_id]
            ctx = (contexts or {}).get(packet_id)
            if ctx is not None:
                write_packet(out_dir, ctx)
            else:
                write_file_atomic(out_dir / packet_id / "result.json", result.to_json())
            outcomes[packet_id].errors = sum(1 for f in result.findings if f.severity == Severity.ERROR)
            outcomes[packet_id].warnings = sum(1 for f in result.findings if f.severity == Severity.WARNING)
            if on_result:
                on_result(result, outcomes[packet_id])
    if manifest:
        from shenbao.rules.quotas import check_quotas

        summary.quota_warnings = [w.to_dict() for w in check_quotas(results, manifest)]

    try:
        from shenbao.reports import write_batch_summary

        write_batch_summary(out_dir, results, manifest, summary.packets)
    except Exception as exc:  # the packets' own results are written; the summary must not cost them
        log.exception("batch summary failed")
        summary.problems.append(f"批次汇总表生成失败（{type(exc).__name__}: {exc}）")
    summary.finished_at = datetime.now().isoformat(timespec="seconds")
    write_file_atomic(out_dir / "batch.json", summary.to_json())
    return summary


def run_batch(
    input_dir: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    manifest: Manifest | None = None,
    registry: Registry | None = None,
    batch_checks: Iterable[BatchCheck] = (),
    on_packet: Callable[[PacketOutcome], None] | None = None,
    packets: list[Path] | None = None,
    on_result: ResultHook | None = None,
) -> BatchSummary:
    """The plain engine: every packet through `review_packet` in turn, then the batch checks.
    `on_result` sees every result written (again after a batch check changed it)."""
    input_dir, out_dir = check_folders(input_dir, out_dir)
    sources = packets if packets is not None else find_packets(input_dir)
    options = options or ReviewOptions()
    summary = start_summary(input_dir, out_dir, sources, manifest, registry)
    out_dir.mkdir(parents=True, exist_ok=True)

    results: list[Result] = []
    contexts: dict[str, PacketContext] = {}
    engine = None
    seen_ids: set[str] = set()
    for source in sources:
        started = time.perf_counter()
        entry = manifest_entry(source, manifest, summary)
        ctx = review_packet(source, options, manifest=entry, engine=engine)
        engine = ctx.engine  # loaded once, reused for every later packet
        make_unique_id(ctx, source, seen_ids, summary)
        write_packet(out_dir, ctx)
        results.append(ctx.result)
        contexts[ctx.result.packet_id] = ctx  # a batch check may need to rewrite its report
        outcome = outcome_of(ctx, time.perf_counter() - started)
        summary.packets.append(outcome)
        if on_result:
            on_result(ctx.result, outcome)
        if on_packet:
            on_packet(outcome)
    return finish_batch(out_dir, results, summary, registry, batch_checks, on_result, manifest, contexts)
