"""The `shenbao` command: review one packet, a batch, or score results against ground truth."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shenbao import __version__
from shenbao.models import Jurisdiction
from shenbao.pipeline.batch import BatchError, find_packets, run_batch, write_result
from shenbao.pipeline.manifest import TableError, read_manifest, read_registry
from shenbao.pipeline.review import ReviewOptions, packet_id_for, review_packet

app = typer.Typer(add_completion=False, no_args_is_help=True, help="shenbao 申报材料审查")
console = Console(stderr=True)

EngineOpt = Annotated[str, typer.Option("--engine", help="OCR engine: default, rapidocr, paddleocr")]
OcrCacheOpt = Annotated[
    Path | None,
    typer.Option("--ocr-cache", envvar="SHENBAO_OCR_CACHE", help="folder that keeps OCR output for re-runs"),
]
JurisdictionOpt = Annotated[
    Jurisdiction | None, typer.Option("--jurisdiction", help="force the rule pack for every packet")
]


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _fail(message: str) -> None:
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Review one packet and write OUT/<packet_id>/result.json."""
    _setup_logging(verbose)
    if not packet.exists():
        _fail(f"{packet}: 文件不存在 / no such file")
    ctx = review_packet(packet, ReviewOptions(engine=engine, jurisdiction=jurisdiction, ocr_cache=ocr_cache))
    target = write_result(out, ctx.result)
    for problem in ctx.problems:
        console.print(f"[yellow]{ctx.result.packet_id}:[/yellow] {problem}")
    typer.echo(str(target / "result.json"))


@app.command()
def batch(
    input_dir: Annotated[Path, typer.Argument(help="folder whose entries are packets")],
    out: Annotated[Path, typer.Option("--out", help="results folder")],
    manifest: Annotated[Path | None, typer.Option("--manifest", help="CSV: packet_id,jurisdiction,received_at,recommender")] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="CSV of existing studio leaders")] = None,
    engine: EngineOpt = "default",
    jurisdiction: JurisdictionOpt = None,
    ocr_cache: OcrCacheOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Review every packet in a folder; write OUT/<packet_id>/result.json and OUT/batch.json."""
    _setup_logging(verbose)
    try:
        manifest_table = read_manifest(manifest) if manifest else None
        registry_table = read_registry(registry) if registry else None
        packets = find_packets(input_dir)
    except (TableError, BatchError, OSError) as exc:
        _fail(str(exc))
        return
    from shenbao.pipeline.batch_checks import BATCH_CHECKS

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"), console=console, transient=False,
    ) as progress:
        task = progress.add_task("审查 / reviewing", total=len(packets), last="")

        def advance(outcome) -> None:
            progress.update(task, advance=1, last=f"{outcome.packet_id} ({outcome.status})")

        try:
            summary = run_batch(
                input_dir, out, ReviewOptions(engine=engine, jurisdiction=jurisdiction, ocr_cache=ocr_cache),
                manifest=manifest_table, registry=registry_table, batch_checks=BATCH_CHECKS,
                on_packet=advance, packets=packets,
            )
        except BatchError as exc:
            _fail(str(exc))
            return
    for problem in summary.problems:
        console.print(f"[yellow]注意 / note:[/yellow] {problem}")
    by_status: dict[str, int] = {}
    for outcome in summary.packets:
        by_status[outcome.status] = by_status.get(outcome.status, 0) + 1
        for problem in outcome.problems:
            console.print(f"[yellow]{outcome.packet_id}:[/yellow] {problem.splitlines()[0]}")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(by_status.items()))
    typer.echo(f"{len(summary.packets)} packets ({counts}); results in {out.resolve()}")


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
