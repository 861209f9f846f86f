"""The `shenbao` command: review one packet, a batch, or score results against ground truth."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shenbao import __version__
from shenbao.pipeline.batch import BatchError, check_folders, find_packets, run_batch
from shenbao.pipeline.manifest import ManifestEntry, TableError, read_manifest, read_registry
from shenbao.pipeline.review import ReviewOptions, packet_id_for
from shenbao.reports.privacy import MaskIdNumbers, masked

app = typer.Typer(add_completion=False, no_args_is_help=True, help="shenbao 申报材料审查")


class _MaskingConsole(Console):
    """The terminal is a log a person reads: ID numbers in what it prints are masked."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(masked(o) for o in objects), **kwargs)


console = _MaskingConsole(stderr=True)

# What the commands write (results, reports, summaries, caches, the store) is readable by the
# user who runs them only: it holds applicants' ID numbers and addresses.
PRIVATE_UMASK = 0o077


@app.callback()
def _before_any_command() -> None:
    """shenbao 申报材料审查"""
    os.umask(PRIVATE_UMASK)
    from shenbao.pipeline.ingest import remove_orphan_spools

    remove_orphan_spools()  # copies of applicants' PDFs a killed run left in the temp folder

EngineOpt = Annotated[str, typer.Option("--engine", help="OCR engine: default, rapidocr, paddleocr")]
CellReadingOpt = Annotated[
    str,
    typer.Option(
        "--cell-reading",
        help="second reading of scanned form cells once the table grid is known: "
        "seals (cells the page reading left empty or a seal covers), fill (only empty cells), replace (every cell) or off",
    ),
]
OcrCacheOpt = Annotated[
    Path | None,
    typer.Option("--ocr-cache", envvar="SHENBAO_OCR_CACHE", help="folder that keeps OCR output for re-runs"),
]
def _check_jurisdiction(value: str | None) -> str | None:
    from shenbao.rules.pack import available_packs

    if value is not None and value not in available_packs():
        known = ", ".join(available_packs())
        raise typer.BadParameter(f"{value!r}: no rule pack data/rules/{value}.yaml; one of {known}")
    return value


JurisdictionOpt = Annotated[
    str | None,
    typer.Option(
        "--jurisdiction", help="force the rule pack (data/rules/<key>.yaml) for every packet",
        callback=_check_jurisdiction,
    ),
]
PrefectOpt = Annotated[
    bool | None,
    typer.Option("--prefect/--no-prefect", help="run through the Prefect flows (default; $SHENBAO_PREFECT=0 turns off)"),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="results database: SQLAlchemy URL or SQLite path ($SHENBAO_DB_URL; default OUT/shenbao.sqlite; 'none' for none)"),
]


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskIdNumbers())


def _flow_settings(prefect: bool | None, verbose: bool, **changes: object):
    """The flow settings from the environment, with what the command line says on top."""
    import dataclasses
    import os

    from shenbao.flows.settings import FlowSettings

    if verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    settings = FlowSettings.from_env()
    if prefect is not None:
        changes["use_prefect"] = prefect
    return dataclasses.replace(settings, **{k: v for k, v in changes.items() if v is not None})


def _review_options(engine: str, jurisdiction: str | None, ocr_cache: Path | None,
                    cell_reading: str) -> ReviewOptions:
    try:
        options = ReviewOptions(engine=engine, jurisdiction=jurisdiction, ocr_cache=ocr_cache,
                                cell_reading=cell_reading)
    except ValueError as exc:
        _fail(str(exc))
    from shenbao.flows.data_check import data_problems

    problems = data_problems()  # a broken data file must not give reports that say 未发现问题
    if problems:
        _fail("数据文件无法读取，未审查任何材料 / data files cannot be read, nothing reviewed:\n" + "\n".join(problems))
    return options


def _fail(message: str) -> NoReturn:
    console.print(f"[red]错误 / error:[/red] {message}")
    raise typer.Exit(2)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def review(
    packet: Annotated[Path, typer.Argument(help="a PDF, image, zip or folder of page images")],
    out: Annotated[Path, typer.Option("--out", help="results folder")],
    engine: EngineOpt = "default",
    jurisdiction: JurisdictionOpt = None,
    ocr_cache: OcrCacheOpt = None,
    cell_reading: CellReadingOpt = "seals",
    db: DbOpt = None,
    prefect: PrefectOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Review one packet and write OUT/<packet_id>/result.json."""
    _setup_logging(verbose)
    if not packet.exists():
        _fail(f"{packet}: 文件不存在 / no such file")
    if packet.is_dir():
        try:  # results written into the packet would change what was submitted
            check_folders(packet, out)
        except BatchError as exc:
            _fail(str(exc))
    from shenbao.flows.packets import open_store, review_one

    options = _review_options(engine, jurisdiction, ocr_cache, cell_reading)
    settings = _flow_settings(prefect, verbose)
    store = open_store(db, out)
    try:
        run = review_one(packet, out, options, store=store, settings=settings)
    finally:
        if store is not None:
            store.close()
    for problem in run.outcome.problems:
        console.print(f"[yellow]{run.result.packet_id}:[/yellow] {problem}")
    typer.echo(str(run.target / "result.json"))


@app.command()
def batch(
    input_dir: Annotated[Path, typer.Argument(help="folder whose entries are packets")],
    out: Annotated[Path, typer.Option("--out", help="results folder")],
    manifest: Annotated[Path | None, typer.Option("--manifest", help="CSV: packet_id,jurisdiction,received_at,recommender")] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="CSV of existing studio leaders")] = None,
    engine: EngineOpt = "default",
    jurisdiction: JurisdictionOpt = None,
    ocr_cache: OcrCacheOpt = None,
    cell_reading: CellReadingOpt = "seals",
    db: DbOpt = None,
    prefect: PrefectOpt = None,
    runner: Annotated[
        str | None, typer.Option("--runner", help="task runner of the flows: threads or dask ($SHENBAO_TASK_RUNNER)")
    ] = None,
    dask_workers: Annotated[int | None, typer.Option("--dask-workers", help="LocalCluster worker processes")] = None,
    dask_address: Annotated[str | None, typer.Option("--dask-address", help="a running Dask scheduler")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Review every packet in a folder; write OUT/<packet_id>/result.json and OUT/batch.json."""
    _setup_logging(verbose)
    if runner is not None and runner not in ("threads", "dask"):
        _fail(f"--runner {runner}: threads 或 dask / threads or dask")
    if dask_workers is not None or dask_address is not None:
        runner = runner or "dask"
    settings = _flow_settings(prefect, verbose, task_runner=runner, dask_workers=dask_workers,
                              dask_address=dask_address)
    try:
        manifest_table = read_manifest(manifest) if manifest else None
        registry_table = read_registry(registry) if registry else None
        packets = find_packets(input_dir)
    except (TableError, BatchError, OSError) as exc:
        _fail(str(exc))
        return
    from shenbao.pipeline.batch_checks import BATCH_CHECKS

    options = _review_options(engine, jurisdiction, ocr_cache, cell_reading)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"), console=console, transient=False,
    ) as progress:
        task = progress.add_task("审查 / reviewing", total=len(packets), last="")

        def advance(outcome) -> None:
            progress.update(task, advance=1, last=f"{outcome.packet_id} ({outcome.status})")

        try:
            summary = _run_batch(
                input_dir, out, options, settings, db, manifest, registry, manifest_table, registry_table,
                BATCH_CHECKS, advance, packets,
            )
        except BatchError as exc:
            _fail(str(exc))
            return
    for warning in summary.quota_warnings:
        console.print(f"[yellow]名额 / quota:[/yellow] {warning['message']}")
    for problem in summary.problems:
        console.print(f"[yellow]注意 / note:[/yellow] {problem}")
    by_status: dict[str, int] = {}
    for outcome in summary.packets:
        by_status[outcome.status] = by_status.get(outcome.status, 0) + 1
        for problem in outcome.problems:
            console.print(f"[yellow]{outcome.packet_id}:[/yellow] {problem.splitlines()[0]}")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    typer.echo(f"{len(summary.packets)} packets ({counts}); results in {out.resolve()}")


def _run_batch(input_dir, out, options, settings, db, manifest, registry, manifest_table, registry_table,
               batch_checks, advance, packets):
    """Through the review_batch flow, or the plain run_batch (--no-prefect, or no Prefect API)."""
    if settings.use_prefect:
        from shenbao.flows.flows import prefect_available, run_review_batch

        if prefect_available():
            return run_review_batch(
                input_dir, out, options, manifest=manifest, registry=registry, db=db, packets=packets,
                settings=settings, on_packet=advance,
            )
        console.print("[yellow]注意 / note:[/yellow] Prefect 不可用，直接运行 / Prefect unavailable, plain run")
    from shenbao.flows.packets import open_store, store_hook

    input_dir, out = check_folders(input_dir, out)
    store = open_store(db, out)
    try:
        return run_batch(
            input_dir, out, options, manifest=manifest_table, registry=registry_table,
            batch_checks=batch_checks, on_packet=advance, packets=packets,
            on_result=store_hook(store, input_dir) if store is not None else None,
        )
    finally:
        if store is not None:
            store.close()


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="folder to watch for new packets")],
    out: Annotated[Path, typer.Option("--out", help="results folder (OUT/<day>/<packet_id>/)")],
    poll: Annotated[
        float | None, typer.Option("--poll", help="poll every SECONDS (network shares) instead of file events")
    ] = None,
    settle: Annotated[float, typer.Option("--settle", help="seconds an input must stay unchanged")] = 2.0,
    incomplete_timeout: Annotated[
        float, typer.Option("--incomplete-timeout", help="review an input still incomplete after SECONDS anyway")
    ] = 300.0,
    once: Annotated[bool, typer.Option("--once", help="exit when the inbox is empty")] = False,
    engine: EngineOpt = "default",
    jurisdiction: JurisdictionOpt = None,
    ocr_cache: OcrCacheOpt = None,
    cell_reading: CellReadingOpt = "seals",
    db: DbOpt = None,
    prefect: PrefectOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Review every packet dropped into INBOX once; archive it to INBOX/.done or INBOX/.failed."""
    _setup_logging(verbose)
    from shenbao.flows.packets import open_store, review_one
    from shenbao.flows.watcher import Watcher, WatchError, WatchOptions, received_at

    settings = _flow_settings(prefect, verbose)
    options = _review_options(engine, jurisdiction, ocr_cache, cell_reading)
    try:
        out.mkdir(parents=True, exist_ok=True)
        store = open_store(db, out)
    except Exception as exc:
        _fail(f"{out}: {exc}")
        return
    label = f"watch:{inbox.resolve()}"

    def process(source: Path, day_dir: Path, packet_id: str):
        # no manifest in the inbox: the arrival time is the received time, so that deadlines
        # and submission windows are checked for dropped packets too
        entry = ManifestEntry(packet_id, None, received_at(source), None)
        return review_one(source, day_dir, options, packet_id=packet_id, entry=entry, store=store, batch=label,
                          settings=settings)

    def report(event) -> None:
        colour = {"done": "green", "failed": "red"}.get(event.state, "yellow")
        where = f" -> {event.out_dir}" if event.out_dir else ""
        console.print(f"[{colour}]{event.state}[/{colour}] {event.name}{where}")
        if event.reason and event.state != "done":
            console.print(f"    {event.reason.splitlines()[0]}")

    try:
        watcher = Watcher(inbox, out, process, WatchOptions(settle=settle, poll=poll,
                          incomplete_timeout=incomplete_timeout, once=once), on_event=report)
    except WatchError as exc:
        _fail(str(exc))
        return
    console.print(f"监视 / watching {watcher.inbox} -> {watcher.out}" + (f" (poll {poll}s)" if poll else ""))
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
        if store is not None:
            store.close()


@app.command("eval")
def evaluate_cmd(
    truth: Annotated[Path, typer.Argument(help="corpus folder (with truth/ and packets/) or a folder of truth JSON")],
    results: Annotated[Path, typer.Argument(help="folder holding <packet_id>/result.json")],
    details: Annotated[bool, typer.Option("--details", help="list every wrong value")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the figures as JSON")] = None,
) -> None:
    """Score results against ground truth (spec/RESULT.md, Scoring)."""
    from shenbao.evaluation import evaluate, format_report
    from shenbao.pipeline.ingest import sniff_format

    packets_dir = truth / "packets"
    formats: dict[str, str] | None = None
    if packets_dir.is_dir():
        formats = {}
        for source in find_packets(packets_dir):
            try:
                kind = sniff_format(source)
            except Exception:
                kind = None
            formats[packet_id_for(source)] = (
                str(kind) if kind else "unreadable"
            )
    report = evaluate(truth, results, formats=formats)
    typer.echo(format_report(report, details=details))
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def main() -> None:  # pragma: no cover - console entry
    sys.exit(app())
