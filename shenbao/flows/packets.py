"""What the flows and the plain chain share: one packet's run, the store hook, and the switch
between them. Nothing here imports Prefect, so `--no-prefect` never pays for it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shenbao.flows.hashing import content_sha256
from shenbao.flows.settings import FlowSettings
from shenbao.flows.store import ResultStore
from shenbao.models import Result
from shenbao.pipeline.batch import PacketOutcome, outcome_of, write_packet
from shenbao.pipeline.manifest import ManifestEntry
from shenbao.pipeline.review import PacketContext, ReviewOptions, packet_id_for, review_packet

log = logging.getLogger(__name__)


@dataclass
class PacketRun:
    """One packet done: its result, the batch-style outcome, where it was written."""

    result: Result
    outcome: PacketOutcome
    target: Path
    sha256: str
    cached: bool = False
    ctx: PacketContext | None = None  # None when the result came from the cache

    @property
    def unreadable(self) -> bool:
        return self.outcome.status == "unreadable"


def open_store(db: str | Path | None, out_dir: Path) -> ResultStore | None:
    """The results store for this run; `db` "none" (or "off") switches it off."""
    if isinstance(db, str) and db.strip().lower() in ("none", "off", "no"):
        return None
    return ResultStore.open(db, out_dir)


def store_hook(
    store: ResultStore, input_dir: Path, batch: str | None = None
) -> Callable[[Result, PacketOutcome], None]:
    """`run_batch(on_result=...)`: every written result also goes into the store."""
    digests: dict[str, str] = {}

    def save(result: Result, outcome: PacketOutcome) -> None:
        sha = digests.get(outcome.source)
        if sha is None:
            sha = digests[outcome.source] = content_sha256(input_dir / outcome.source)
        store.save_result(
            result, sha, source_name=outcome.source, batch=batch or str(input_dir),
            status=outcome.status, pages=outcome.pages,
        )

    return save


def review_one_plain(
    source: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    *,
    packet_id: str | None = None,
    entry: ManifestEntry | None = None,
    store: ResultStore | None = None,
    batch: str | None = None,
) -> PacketRun:
    """The plain stage chain for one packet, written and stored: what the `review_packet` flow
    does, without Prefect."""
    started = time.perf_counter()
    sha = content_sha256(source)
    ctx = review_packet(source, options or ReviewOptions(), manifest=entry)
    ctx.result.packet_id = packet_id or ctx.result.packet_id
    target = write_packet(out_dir, ctx)
    outcome = outcome_of(ctx, time.perf_counter() - started)
    if store is not None:
        store.save_result(
            ctx.result, sha, source_name=source.name, batch=batch, status=outcome.status, pages=outcome.pages
        )
    return PacketRun(ctx.result, outcome, target, sha, ctx=ctx)


def review_one(
    source: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    *,
    packet_id: str | None = None,
    entry: ManifestEntry | None = None,
    db: str | Path | None = None,
    store: ResultStore | None = None,
    batch: str | None = None,
    settings: FlowSettings | None = None,
) -> PacketRun:
    """One packet through the `review_packet` flow, or through the plain chain when Prefect is
    switched off or its server cannot be reached (said in the log)."""
    settings = settings or FlowSettings.from_env()
    options = options or ReviewOptions()
    if settings.use_prefect:
        from shenbao.flows.flows import packet_flow_for, prefect_available

        if prefect_available():
            return packet_flow_for(settings)(
                source, out_dir, options, packet_id=packet_id, entry=entry, db=db, store=store, batch=batch, settings=settings,
            )
    own_store = store is None and db is not None
    store = store or (open_store(db, out_dir) if db is not None else None)
    try:
        return review_one_plain(
            source, out_dir, options, packet_id=packet_id or packet_id_for(source), entry=entry,
            store=store, batch=batch,
        )
    finally:
        if own_store and store is not None:
            store.close()
