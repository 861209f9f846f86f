"""The Prefect flows give what the plain stage chain gives: threads, Dask, cached re-runs.

A temporary Prefect server (prefect_test_harness: SQLite in a temp folder) is started once for
the module; text-layer fixture packets need no OCR, so the whole module stays well under 90 s.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from shenbao.fixtures import PacketSpec, build_packet, build_unreadable, write_manifest
from shenbao.flows.hashing import content_sha256
from shenbao.flows.settings import FlowSettings
from shenbao.flows.store import ResultStore
from shenbao.models import FindingCode, Result
from shenbao.pipeline import review
from shenbao.pipeline.batch import run_batch
from shenbao.pipeline.batch_checks import BATCH_CHECKS
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.manifest import read_manifest
from shenbao.reports.privacy import mask_id_numbers


@pytest.fixture(scope="module")
def text_batch(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("flows")
    packets, truth = root / "packets", root / "truth"
    first = build_packet(PacketSpec("f-lvl", "lvliang-2025", seed=41), packets, "text_pdf", truth_dir=truth)
    built = [
        first,
        build_packet(PacketSpec("f-whu", "wuhan-2024", seed=42), packets, "text_pdf", truth_dir=truth),
        build_unreadable("f-cut", "changchun-2025", packets, "truncated", truth_dir=truth),
        build_packet(PacketSpec("f-dup", "lvliang-2025", seed=43, person=first.person,
                                inject=("DUPLICATE_APPLICANT",)), packets, "text_pdf", truth_dir=truth),
    ]
    write_manifest(built, root / "manifest.csv")
    # a folder named like a PDF beside it: ids "f-lvl" (the folder, first by name) and "f-lvl-pdf"
    (packets / "f-lvl").mkdir()
    shutil.copy(packets / "f-whu.pdf", packets / "f-lvl" / "申报材料.pdf")
    return root


@pytest.fixture(scope="module")
def plain_out(text_batch, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "out"
    run_batch(text_batch / "packets", out, manifest=read_manifest(text_batch / "manifest.csv"),
              batch_checks=BATCH_CHECKS)
    return out


@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    import shenbao.flows.flows  # noqa: F401  (sets shenbao's Prefect defaults before the harness)

    with prefect_test_harness(server_startup_timeout=180):
        yield


def _results(out: Path) -> dict[str, str]:
    return {p.parent.name: p.read_text("utf-8") for p in sorted(out.glob("*/result.json"))}


def _statuses(out: Path) -> list[tuple[str, str, int, int, int]]:
    summary = json.loads((out / "batch.json").read_text("utf-8"))
    return [(p["packet_id"], p["status"], p["pages"], p["errors"], p["warnings"]) for p in summary["packets"]]


def _settings(tmp_path: Path, **changes) -> FlowSettings:
    return dataclasses.replace(FlowSettings(), cache_dir=tmp_path / "cache", **changes)


def test_content_hash_is_ingests_packet_hash(text_batch, tmp_path) -> None:
    pdf = text_batch / "packets" / "f-whu.pdf"
    assert content_sha256(pdf) == ingest(pdf).sha256
    folder = tmp_path / "f-folder"
    folder.mkdir()
    shutil.copy(pdf, folder / "2.pdf")
    shutil.copy(text_batch / "packets" / "f-lvl.pdf", folder / "10.pdf")
    (folder / ".DS_Store").write_bytes(b"junk")
    assert content_sha256(folder) == ingest(folder).sha256


def test_batch_flow_gives_the_plain_chains_results(prefect_server, text_batch, plain_out, tmp_path) -> None:
    from shenbao.flows.flows import run_review_batch

    out = tmp_path / "out"
    seen = []
    run_review_batch(text_batch / "packets", out, manifest=text_batch / "manifest.csv",
                     settings=_settings(tmp_path, cache=False), on_packet=seen.append)
    assert _results(out) == _results(plain_out)
    assert _statuses(out) == _statuses(plain_out)
    assert [o.packet_id for o in seen] == ["f-cut", "f-dup", "f-lvl", "f-lvl-pdf", "f-whu"]
    assert sorted(_results(out)) == ["f-cut", "f-dup", "f-lvl", "f-lvl-pdf", "f-whu"]
    dup = Result.from_json((out / "f-dup" / "result.json").read_text("utf-8"))
    assert FindingCode.DUPLICATE_APPLICANT in [f.code for f in dup.findings]
    # every result is in the store too, as written (after the duplicate check)
    store = ResultStore.open(None, out)
    for packet_id, text in _results(out).items():
        assert store.read_result_json(packet_id) == text, packet_id
        assert store.read_result(packet_id) == Result.from_json(text), packet_id
    store.close()


def test_new_stages_run_and_unchanged_packets_come_from_the_cache(
    prefect_server, text_batch, plain_out, tmp_path, monkeypatch
) -> None:
    from shenbao.flows.flows import run_review_batch

    calls: list[str] = []

    def counted(name, stage):
        def run(ctx):
            calls.append(f"{name}:{ctx.source.name}")
            stage(ctx)
        return run

    def extra_stage(ctx) -> None:  # a stage the flows have never heard of
        calls.append(f"extra:{ctx.source.name}")
        ctx.problems.append("extra stage ran")

    stages = [(name, counted(name, stage)) for name, stage in review.PAGE_STAGES if stage is not review.stage_ocr]
    monkeypatch.setattr(review, "PAGE_STAGES", [*stages, ("extra", extra_stage)])
    settings = _settings(tmp_path)
    # no two packets of one applicant here: the batch checks change nothing
    packets = tmp_path / "packets"
    packets.mkdir()
    for name in ("f-cut.pdf", "f-lvl.pdf", "f-whu.pdf"):
        shutil.copy(text_batch / "packets" / name, packets / name)

    first = run_review_batch(packets, tmp_path / "one", settings=settings)
    readable = ["f-lvl.pdf", "f-whu.pdf"]
    assert sorted(c.split(":")[1] for c in calls if c.startswith("extra:")) == readable
    assert sorted(c.split(":")[1] for c in calls if c.startswith("classify:")) == readable
    assert {o.packet_id: "extra stage ran" in o.problems for o in first.packets} == {
        "f-cut": False, "f-lvl": True, "f-whu": True,
    }

    calls.clear()
    second = run_review_batch(packets, tmp_path / "two", settings=settings)
    assert calls == []  # nothing read again
    assert _results(tmp_path / "two") == _results(tmp_path / "one")
    assert all((tmp_path / "two" / o.packet_id / "report.html").is_file() for o in second.packets)
    assert [(o.packet_id, o.status, o.pages, o.errors, o.problems) for o in second.packets] == [
        (o.packet_id, o.status, o.pages, o.errors, o.problems) for o in first.packets
    ]

    # a changed packet (same name, other content) is read again, the others still come from the cache
    build_packet(PacketSpec("f-whu", "wuhan-2024", seed=44), packets, "text_pdf", truth_dir=tmp_path / "t")
    run_review_batch(packets, tmp_path / "three", settings=settings)
    assert [c.split(":")[1] for c in calls if c.startswith("classify:")] == ["f-whu.pdf"]


def test_batch_checks_rerun_on_cached_results(prefect_server, text_batch, plain_out, tmp_path) -> None:
    from shenbao.flows.flows import run_review_batch

    settings = _settings(tmp_path)
    for run in ("one", "two"):
        run_review_batch(text_batch / "packets", tmp_path / run, manifest=text_batch / "manifest.csv",
                         settings=settings)
        assert _results(tmp_path / run) == _results(plain_out), run
    # the second run's results came from the cache, yet the duplicate shows in the report too
    dup = Result.from_json((tmp_path / "two" / "f-dup" / "result.json").read_text("utf-8"))
    (finding,) = [f for f in dup.findings if f.code == FindingCode.DUPLICATE_APPLICANT]
    shown = mask_id_numbers(finding.message.split("；")[0])  # the report masks ID numbers
    assert shown in (tmp_path / "two" / "f-dup" / "report.html").read_text("utf-8")


def test_a_dask_cluster_gives_the_same_results(prefect_server, text_batch, plain_out, tmp_path) -> None:
    from shenbao.flows.flows import run_review_batch

    out = tmp_path / "out"
    settings = _settings(tmp_path, cache=False, task_runner="dask", dask_workers=2, dask_processes=True)
    run_review_batch(text_batch / "packets", out, manifest=text_batch / "manifest.csv", settings=settings)
    assert _results(out) == _results(plain_out)
    assert _statuses(out) == _statuses(plain_out)


def test_the_watcher_reviews_through_the_packet_flow(prefect_server, text_batch, plain_out, tmp_path) -> None:
    from shenbao.flows.packets import review_one
    from shenbao.flows.watcher import Watcher, WatchOptions

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(text_batch / "packets" / "f-whu.pdf", inbox)
    settings = _settings(tmp_path, cache=False)
    runs = []

    def process(source: Path, day_dir: Path, packet_id: str):
        runs.append(review_one(source, day_dir, packet_id=packet_id, db=str(out / "db.sqlite"), settings=settings))
        return runs[-1]

    clock = [0.0]
    with Watcher(inbox, out, process, WatchOptions(settle=1.0), clock=lambda: clock[0],
                 today=lambda: date(2026, 5, 1)) as watcher:
        watcher.scan()
        clock[0] += 2
        assert watcher.scan() == 0
    assert len(runs) == 1 and runs[0].cached is False
    written = (out / "2026-05-01" / "f-whu" / "result.json").read_text("utf-8")
    # the manifest gave the plain run a submission date; otherwise the same result
    plain = Result.from_json((plain_out / "f-whu" / "result.json").read_text("utf-8"))
    plain.fields.pop("submission_date", None)
    ours = Result.from_json(written)
    assert {k: v for k, v in ours.fields.items()} == plain.fields
    assert ours.documents == plain.documents and ours.awards == plain.awards
    assert (inbox / ".done" / "2026-05-01" / "f-whu.pdf").is_file()
