"""Prefect flows over the plain stages: `review_packet` (one packet) and `review_batch`.

Every stage stays a plain function of shenbao.pipeline.review (the `--no-prefect` chain runs the
very same ones); here each becomes a task run:

  ingest          submitted to the task runner (a Dask worker, when one is used)
  ocr             one task per scanned page, submitted (mapped) to the task runner; the engine is
                  built once per worker process (get_engine caches it per process)
  <PAGE_STAGES>   every other stage in review.PAGE_STAGES, generically, in the flow's own process
                  (classify, form, awards today; evidence/rules when they are added there)
  write, store    result folder written atomically, then upserted into the results store
  packet-result   the packet's result, cached by content: sha256 of the input + its name + engine +
                  options + manifest row + shenbao version and code digest

Caching is per packet, not per stage: stage outputs are Pages with image loaders and parsed
layouts, not worth serialising; the packet's Result JSON (plus its problems and page count) is.
A packet whose key is already stored skips every stage: its `packet-result` task run shows as
Cached and its outputs are written from the cache. The batch checks (duplicates) always run again.

Packets of a batch go through a small window so that, on Dask, OCR of the next packets runs
while the current one is classified and read; with the default thread pool the window is one
packet (pdfium is not thread-safe, and the flow's own stages may render pages).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shenbao.flows.settings import FlowSettings, cache_dir, configure_prefect

configure_prefect()  # before Prefect reads its settings

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.filesystems import LocalFileSystem  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.results import ResultStore as PrefectResultStore  # noqa: E402
from prefect.serializers import JSONSerializer  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from shenbao.extractors.ocr import DEFAULT_ENGINE, ENV_ENGINE  # noqa: E402
from shenbao.extractors.ocr.base import PageOcr  # noqa: E402
from shenbao.flows import work  # noqa: E402
from shenbao.flows.hashing import content_sha256, packet_cache_key  # noqa: E402
from shenbao.flows.packets import PacketRun, open_store  # noqa: E402
from shenbao.flows.store import ResultStore  # noqa: E402
from shenbao.flows.work import Box  # noqa: E402
from shenbao.models import Finding, FindingCode, Jurisdiction, Result, Units  # noqa: E402
from shenbao.pipeline import review  # noqa: E402
from shenbao.pipeline.batch import (  # noqa: E402
    BatchSummary,
    PacketOutcome,
    check_folders,
    find_packets,
    finish_batch,
    make_unique_id,
    manifest_entry,
    outcome_of,
    report_files,
    start_summary,
    write_result,
)
from shenbao.pipeline.manifest import ManifestEntry, read_manifest, read_registry  # noqa: E402
from shenbao.pipeline.review import PacketContext, ReviewOptions, packet_id_for  # noqa: E402
from shenbao.pipeline.types import Page, PageKind  # noqa: E402

log = logging.getLogger(__name__)

_server_checked: bool | None = None


# --- the switch -----------------------------------------------------------------------------


def prefect_available() -> bool:
    """Whether a Prefect API answers (starting the embedded server if none is configured). When it
    does not, callers fall back to the plain chain: results are the same, only not recorded."""
    global _server_checked
    if _server_checked is None:
        from prefect.client.orchestration import get_client

        try:
            with get_client(sync_client=True) as client:
                error = client.api_healthcheck()
            _server_checked = error is None
            if error is not None:
                log.warning("Prefect API unhealthy (%s): running the plain stage chain", error)
        except Exception as exc:  # the embedded server did not start, or PREFECT_API_URL is down
            log.warning("Prefect API unavailable (%s): running the plain stage chain", exc)
            _server_checked = False
    return _server_checked


def task_runner_for(settings: FlowSettings) -> Any:
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            # one thread per worker process: OCR runs one page at a time per process anyway
            cluster_kwargs={"n_workers": settings.dask_workers, "threads_per_worker": 1,
                            "processes": settings.dask_processes, "dashboard_address": ":0"},
        )
    return ThreadPoolTaskRunner(max_workers=settings.threads)


def resolved_engine(name: str) -> str:
    import os

    name = (name or "default").strip().lower()
    if name == "default":
        name = os.environ.get(ENV_ENGINE, "").strip().lower() or DEFAULT_ENGINE
    return name


# --- tasks ----------------------------------------------------------------------------------


@task(name="ingest", cache_policy=NONE, task_run_name="ingest {label}")
def ingest_task(ctx: Box[PacketContext], label: str) -> Box[PacketContext]:
    """stage_ingest on the context; returns it (a copy comes back from a Dask worker)."""
    return work.ingest_packet(ctx)


@task(name="ocr-page", cache_policy=NONE, task_run_name="ocr {label}", retries=1)
def ocr_task(page: Box[Page], engine_name: str, ocr_cache: Path | None, label: str) -> PageOcr:
    return work.read_page(page, engine_name, ocr_cache)


@task(name="stage", cache_policy=NONE, task_run_name="{name} {label}")
def stage_task(ctx: Box[PacketContext], name: str, label: str) -> None:
    work.run_page_stage(ctx, name)


@task(name="write-outputs", cache_policy=NONE, task_run_name="write {label}")
def write_task(out_dir: Path, result: Result, files: Box[dict[str, bytes | str]], label: str) -> Path:
    """result.json with its report and audit trail, as one folder (temp folder, then rename)."""
    return write_result(out_dir, result, files.value)


@task(name="report", cache_policy=NONE, task_run_name="report {label}")
def report_task(ctx: Box[PacketContext], label: str) -> dict[str, bytes | str]:
    return report_files(ctx.value)


@task(name="store-result", cache_policy=NONE, task_run_name="store {label}", retries=2, retry_delay_seconds=2)
def store_task(store: ResultStore, result: Result, sha256: str, source_name: str, batch: str | None,
               status: str, pages: int, label: str) -> None:
    store.save_result(result, sha256, source_name=source_name, batch=batch, status=status, pages=pages)


def _cache_key_fn(_context: Any, parameters: dict[str, Any]) -> str:
    return parameters["key"]


@task(name="packet-result", cache_key_fn=_cache_key_fn, persist_result=True,
      result_serializer=JSONSerializer(), task_run_name="result {label}")
def packet_result_task(key: str, payload: str | None, label: str) -> str:
    """The packet's cached result: on a hit Prefect returns the stored payload without running this;
    on a miss it stores `payload`. A None payload (cache vanished since the lookup) is not cached."""
    if payload is None:
        raise LookupError(f"cached result {key} is gone")
    return payload


@task(name="batch-checks", cache_policy=NONE)
def batch_checks_task(out_dir: Path, results: Box[list[Result]], summary: Box[BatchSummary], registry: Box[Any],
                      manifest: Box[Any], contexts: Box[dict[str, PacketContext]],
                      on_result: Callable[[Result, PacketOutcome], None] | None) -> BatchSummary:
    """Duplicates across the batch (rewriting the results and reports they change), quotas,
    OUT/batch.json and the batch summary tables."""
    from shenbao.pipeline.batch_checks import BATCH_CHECKS

    return finish_batch(out_dir, results.value, summary.value, registry.value, BATCH_CHECKS, on_result,
                        manifest.value, contexts.value)


# --- one packet's run -----------------------------------------------------------------------


@dataclass
class _Job:
    source: Path
    ctx: PacketContext
    key: str
    sha256: str
    started: float
    cached: dict[str, Any] | None = None
    ingest: PrefectFuture | None = None
    ocr: list[tuple[Page, PrefectFuture]] = field(default_factory=list)
    ocr_started: float = 0.0
    transient: bool = False  # a task failed for reasons outside the packet: do not cache this result


def _encode_files(files: dict[str, bytes | str]) -> dict[str, Any]:
    return {k: v if isinstance(v, str) else {"base64": base64.b64encode(v).decode("ascii")} for k, v in files.items()}


def _decode_files(files: dict[str, Any]) -> dict[str, bytes | str]:
    return {k: v if isinstance(v, str) else base64.b64decode(v["base64"]) for k, v in files.items()}


class _PacketRunner:
    """Moves packets through the tasks. `submit(source)` starts a packet; `finish(job)` waits for
    it, writes it and stores it. Both must run inside a flow."""

    def __init__(self, out_dir: Path, options: ReviewOptions, settings: FlowSettings,
                 store: ResultStore | None, batch: str | None) -> None:
        self.out_dir = out_dir
        self.options = options
        self.settings = settings
        self.store = store
        self.batch = batch
        self.engine_name = resolved_engine(options.engine)
        self.storage = cache_dir(settings)
        self.result_store = PrefectResultStore(
            result_storage=LocalFileSystem(basepath=str(self.storage)), serializer=JSONSerializer()
        )
        self.cached_task = packet_result_task.with_options(result_storage=self.storage)

    def submit(self, source: Path, entry: ManifestEntry | None, packet_id: str | None = None,
               use_cache: bool = True) -> _Job:
        started = time.perf_counter()
        ctx = PacketContext(source=source, options=self.options, manifest=entry)
        ctx.result = Result(packet_id=packet_id or packet_id_for(source))
        review.run_stage(ctx, "jurisdiction", review.stage_jurisdiction)
        review.run_stage(ctx, "manifest", review.stage_manifest_fields)
        sha = content_sha256(source)
        # every review option but the engine name (resolved above) and the OCR cache (same reads)
        options = {k: v for k, v in dataclasses.asdict(self.options).items() if k not in ("engine", "ocr_cache")}
        key = packet_cache_key(sha, source.name, self.engine_name, {
            **options,
            "packet_id": ctx.result.packet_id,
            "manifest": dataclasses.astuple(entry) if entry else None,
        })
        job = _Job(source, ctx, key, sha, started)
        if use_cache and self.settings.cache and self.result_store.exists(key):
            try:
                job.cached = json.loads(self.cached_task(key, None, source.name))
                return job
            except Exception as exc:  # a cache file that vanished or cannot be read: do the work
                log.warning("%s: cached result unusable (%s); reviewing again", source.name, exc)
        job.ingest = ingest_task.submit(Box(ctx), source.name)
        return job

    def start_ocr(self, job: _Job) -> None:
        """Once ingest is back, submit one OCR task per scanned page."""
        if job.ingest is None or job.ocr_started:
            return
        try:
            job.ctx = job.ingest.result().value
        except Exception as exc:  # the task itself failed (a worker died): not the packet's fault
            log.exception("%s: ingest task failed", job.source.name)
            job.transient = True
            job.ctx.unreadable = True
            job.ctx.result.findings.append(Finding.make(
                FindingCode.UNREADABLE_INPUT,
                f"{job.source.name}: 本次未能读取（{type(exc).__name__}: {exc}），请重新提交处理 / not read this time",
            ))
        job.ingest = None
        job.ocr_started = time.perf_counter()
        if job.ctx.unreadable or job.ctx.packet is None:
            return
        scans = [p for p in job.ctx.packet.pages if p.kind is PageKind.SCAN and p.load_image is not None]
        for page in scans:
            label = f"{job.source.name} p{page.number}"
            job.ocr.append((page, ocr_task.submit(Box(page), self.engine_name, self.options.ocr_cache, label)))

    def ingest_done(self, job: _Job) -> bool:
        return job.ingest is not None and job.ingest.state.is_final()

    def review(self, job: _Job) -> PacketContext:
        """Wait for the packet's ingest and OCR, then run every other stage on it."""
        self.start_ocr(job)
        ctx = job.ctx
        if not ctx.unreadable:
            self._collect_ocr(job)
            for name, stage in review.PAGE_STAGES:
                if stage is review.stage_ocr:
                    continue  # done above, page by page
                stage_task(Box(ctx), name, job.source.name)
            if ctx.result.units is None:
                ctx.result.units = Units.PT
        else:
            ctx.result.fields = {}
            ctx.result.units = None
        return ctx

    def finish(self, job: _Job) -> PacketRun:
        if job.cached is not None:
            return self._from_cache(job)
        ctx = self.review(job)
        files = report_task(Box(ctx), job.source.name)
        outcome = outcome_of(ctx, time.perf_counter() - job.started)
        payload = json.dumps({
            "result": ctx.result.to_json(), "problems": ctx.problems, "unreadable": ctx.unreadable,
            "pages": outcome.pages, "timings": ctx.timings, "files": _encode_files(files),
        }, ensure_ascii=False)
        if self.settings.cache and not job.transient:
            try:
                self.cached_task(job.key, payload, job.source.name)
            except Exception as exc:  # a full disk must not cost the result
                log.warning("%s: result not cached (%s)", job.source.name, exc)
        return self._write(job, ctx.result, files, outcome, ctx=ctx)

    def rewrite(self, source: Path, entry: ManifestEntry | None, result: Result) -> None:
        """A batch check changed a packet that came from the cache: its report must show the new
        finding, and the report needs the pages, so the packet is read again (rare: duplicates)."""
        ctx = self.review(self.submit(source, entry, result.packet_id, use_cache=False))
        ctx.result = result
        write_task(self.out_dir, result, Box(report_task(Box(ctx), source.name)), source.name)

    def _collect_ocr(self, job: _Job) -> None:
        ctx = job.ctx
        for page, future in job.ocr:
            future.wait()
            if future.state.is_completed():
                review.apply_page_ocr(page, future.result(), self.engine_name)
            else:
                job.transient = True
                try:
                    future.result()
                except Exception as exc:
                    review.page_not_read(ctx, page, exc)
        if job.ocr:
            ctx.timings["ocr"] = round(time.perf_counter() - job.ocr_started, 3)

    def _from_cache(self, job: _Job) -> PacketRun:
        cached = job.cached or {}
        result = Result.from_json(cached["result"])
        ctx = job.ctx
        ctx.result, ctx.problems, ctx.unreadable = result, list(cached["problems"]), bool(cached["unreadable"])
        outcome = outcome_of(ctx, time.perf_counter() - job.started)
        outcome.pages = int(cached["pages"])
        return self._write(job, result, _decode_files(cached.get("files", {})), outcome, ctx=None)

    def _write(self, job: _Job, result: Result, files: dict[str, bytes | str], outcome: PacketOutcome,
               ctx: PacketContext | None) -> PacketRun:
        label = job.source.name
        target = write_task(self.out_dir, result, Box(files), label)
        if self.store is not None:
            store_task(self.store, result, job.sha256, job.source.name, self.batch, outcome.status,
                       outcome.pages, label)
        return PacketRun(result, outcome, target, job.sha256, cached=ctx is None, ctx=ctx)


# --- flows ----------------------------------------------------------------------------------


def _coerce_options(options: ReviewOptions | dict[str, Any] | None) -> ReviewOptions:
    """ReviewOptions from Python, or from a deployment's JSON parameters."""
    if options is None:
        return ReviewOptions()
    if isinstance(options, ReviewOptions):
        return options
    values = dict(options)
    if values.get("jurisdiction"):
        values["jurisdiction"] = Jurisdiction(values["jurisdiction"])
    if values.get("ocr_cache"):
        values["ocr_cache"] = Path(values["ocr_cache"])
    return ReviewOptions(**values)


def _coerce_settings(settings: FlowSettings | dict[str, Any] | None) -> FlowSettings:
    if settings is None:
        return FlowSettings.from_env()
    if isinstance(settings, FlowSettings):
        return settings
    values = dict(settings)
    if values.get("cache_dir"):
        values["cache_dir"] = Path(values["cache_dir"])
    return dataclasses.replace(FlowSettings.from_env(), **values)


def packet_flow_for(settings: FlowSettings) -> Any:
    """review_packet_flow with a task runner fit for one packet: threads, or the Dask scheduler at
    SHENBAO_DASK_ADDRESS (a LocalCluster per packet would cost more than it saves)."""
    if settings.task_runner == "dask" and settings.dask_address:
        return review_packet_flow.with_options(task_runner=task_runner_for(settings))
    return review_packet_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.threads))


@flow(name="shenbao-review-packet", validate_parameters=False)
def review_packet_flow(
    source: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    packet_id: str | None = None,
    entry: ManifestEntry | None = None,
    db: str | None = None,
    store: ResultStore | None = None,
    batch: str | None = None,
    settings: FlowSettings | None = None,
) -> PacketRun:
    """Review one packet into OUT/<packet_id>/ (and the results store, when `db`/`store` is given)."""
    settings = _coerce_settings(settings)
    own_store = store is None and db is not None
    store = store or (open_store(db, out_dir) if db is not None else None)
    try:
        runner = _PacketRunner(Path(out_dir), _coerce_options(options), settings, store, batch)
        run = runner.finish(runner.submit(Path(source), entry, packet_id))
        run.ctx = None  # Prefect walks a flow's return value; the context is large and only for batches
        return run
    finally:
        if own_store and store is not None:
            store.close()


@flow(name="shenbao-review-batch", validate_parameters=False)
def review_batch_flow(
    input_dir: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    manifest: Path | None = None,
    registry: Path | None = None,
    db: str | None = None,
    packets: list[Path] | None = None,
    settings: FlowSettings | None = None,
    on_packet: Callable[[PacketOutcome], None] | None = None,
) -> BatchSummary:
    """Every packet of `input_dir`, then the batch checks (duplicates), then OUT/batch.json."""
    settings = _coerce_settings(settings)
    input_dir, out_dir = check_folders(Path(input_dir), Path(out_dir))
    manifest_table = read_manifest(Path(manifest)) if manifest else None
    registry_table = read_registry(Path(registry)) if registry else None
    sources = [Path(p) for p in packets] if packets is not None else find_packets(input_dir)
    summary = start_summary(input_dir, out_dir, sources, manifest_table, registry_table)
    out_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(db, out_dir)
    runner = _PacketRunner(out_dir, _coerce_options(options), settings, store, str(input_dir))
    digests: dict[str, str] = {}

    contexts: dict[str, PacketContext] = {}  # a batch check may need to rewrite a packet's report
    jobs: dict[str, tuple[Path, ManifestEntry | None]] = {}
    changed: list[str] = []

    def restore(result: Result, outcome: PacketOutcome) -> None:
        changed.append(result.packet_id)
        if store is not None:
            store.save_result(result, digests[result.packet_id], source_name=outcome.source,
                              batch=str(input_dir), status=outcome.status, pages=outcome.pages,
                              event="batch-check")

    # On Dask the next packets are ingested and OCR'd while this one is read (see module doc).
    # Only with worker processes: pdfium must not run in two threads of the flow's process.
    in_processes = settings.task_runner == "dask" and (settings.dask_address or settings.dask_processes)
    window = 2 * settings.dask_workers + 1 if in_processes else 1
    pending: deque[_Job] = deque()
    queue = deque(sources)
    results: list[Result] = []
    seen_ids: set[str] = set()
    try:
        while queue or pending:
            while queue and len(pending) < window:
                source = queue.popleft()
                entry = manifest_entry(source, manifest_table, summary)
                # a.pdf beside a.zip: the later one gets a suffixed id, decided in input order
                named = PacketContext(source=source, options=runner.options, result=Result(packet_id=packet_id_for(source)))
                make_unique_id(named, source, seen_ids, summary)
                jobs[named.result.packet_id] = (source, entry)
                pending.append(runner.submit(source, entry, named.result.packet_id))
            for job in list(pending)[1:]:
                if runner.ingest_done(job):
                    runner.start_ocr(job)
            job = pending.popleft()
            run = runner.finish(job)
            if run.ctx is not None:
                contexts[run.result.packet_id] = run.ctx
            digests[run.result.packet_id] = run.sha256
            results.append(run.result)
            summary.packets.append(run.outcome)
            if on_packet:
                on_packet(run.outcome)
        summary = batch_checks_task(out_dir, Box(results), Box(summary), Box(registry_table),
                                    Box(manifest_table), Box(contexts), restore)
        by_id = {r.packet_id: r for r in results}
        for packet_id in dict.fromkeys(changed):
            if packet_id not in contexts:
                runner.rewrite(*jobs[packet_id], by_id[packet_id])
        return summary
    finally:
        if store is not None:
            store.close()


def run_review_batch(
    input_dir: Path,
    out_dir: Path,
    options: ReviewOptions | None = None,
    *,
    manifest: Path | None = None,
    registry: Path | None = None,
    db: str | None = None,
    packets: list[Path] | None = None,
    settings: FlowSettings | None = None,
    on_packet: Callable[[PacketOutcome], None] | None = None,
) -> BatchSummary:
    """`review_batch_flow` with the task runner the settings ask for (threads or Dask)."""
    settings = settings or FlowSettings.from_env()
    options = options or ReviewOptions()
    check_folders(Path(input_dir), Path(out_dir))  # refuse before a flow run is even created
    batch_flow = review_batch_flow.with_options(task_runner=task_runner_for(settings))
    return batch_flow(
        input_dir, out_dir, options, manifest=manifest, registry=registry, db=db, packets=packets, settings=settings, on_packet=on_packet,
    )


@flow(name="shenbao-watch-inbox", validate_parameters=False)
def watch_inbox_flow(
    inbox: str,
    out: str,
    options: ReviewOptions | None = None,
    db: str | None = None,
    settle: float = 2.0,
    incomplete_timeout: float = 300.0,
) -> list[dict[str, Any]]:
    """One pass of the watched folder (what `shenbao watch --once` does): review everything that
    is in INBOX now, each packet as a `review_packet` subflow; for a schedule or a deployment."""
    from shenbao.flows.watcher import Watcher, WatchError, WatchOptions

    settings = dataclasses.replace(FlowSettings.from_env(), use_prefect=True)
    options = _coerce_options(options)
    packet_flow = packet_flow_for(settings)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(db, out_dir)
    events: list[dict[str, Any]] = []

    def process(source: Path, day_dir: Path, packet_id: str) -> PacketRun:
        return packet_flow(source, day_dir, options, packet_id=packet_id, store=store,
                                  batch=f"watch:{Path(inbox).resolve()}", settings=settings)

    try:
        watcher = Watcher(Path(inbox), out_dir, process,
                          WatchOptions(settle=settle, incomplete_timeout=incomplete_timeout, once=True),
                          on_event=lambda e: events.append({k: str(v) if isinstance(v, Path) else v
                                                            for k, v in dataclasses.asdict(e).items()}))
    except WatchError as exc:  # another run still holds OUT: this one has nothing to do
        log.warning("%s", exc)
        return events
    try:
        watcher.run()
    finally:
        watcher.close()
        if store is not None:
            store.close()
    return events
