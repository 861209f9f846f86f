"""End to end: packets the fixture builder makes, through `shenbao batch` and `shenbao eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shenbao.cli import app
from shenbao.fixtures import PacketSpec, build_packet, build_unreadable, write_manifest, write_registry
from shenbao.models import FindingCode, Result
from shenbao.pipeline.review import review_packet

runner = CliRunner()


@pytest.fixture(scope="module")
def text_batch(tmp_path_factory) -> tuple[Path, Path, list]:
    root = tmp_path_factory.mktemp("batch")
    packets, truth = root / "packets", root / "truth"
    packets.mkdir()
    built = [
        build_packet(PacketSpec("t-lvl", "lvliang-2025", seed=11), packets, "text_pdf", truth_dir=truth),
        build_packet(
            PacketSpec("t-whu", "wuhan-2024", seed=12, inject=("AWARD_UNRECOGNISED",)),
            packets, "text_pdf", truth_dir=truth,
        ),
        build_unreadable("t-empty", "hohhot", packets, "empty", truth_dir=truth),
        build_unreadable("t-cut", "changchun-2025", packets, "truncated", truth_dir=truth),
    ]
    # the same applicant in a later packet: the batch check must flag both
    first = built[0]
    built.append(
        build_packet(
            PacketSpec(
                "t-dup", "lvliang-2025", seed=13, person=first.person, inject=("DUPLICATE_APPLICANT",)
            ),
            packets,
            "text_pdf",
            truth_dir=truth,
        )
    )
    write_manifest(built, root / "manifest.csv")
    write_registry([], root / "registry.csv")
    return root, truth, built


def _run_batch(root: Path, out: Path):
    return runner.invoke(
        app,
        [
            "batch",
            str(root / "packets"),
            "--out",
            str(out),
            "--manifest",
            str(root / "manifest.csv"),
            "--registry",
            str(root / "registry.csv"),
        ],
    )


def test_batch_writes_a_valid_result_for_every_packet(text_batch, tmp_path) -> None:
    root, truth_dir, built = text_batch
    before = {p.path: p.path.read_bytes() for p in built}
    out = tmp_path / "out"
    run = _run_batch(root, out)
    assert run.exit_code == 0, run.output
    for packet in built:
        result = Result.from_json((out / packet.truth["packet_id"] / "result.json").read_text("utf-8"))
        assert result.jurisdiction == packet.truth["jurisdiction"]
    # inputs untouched
    assert all(path.read_bytes() == data for path, data in before.items())
    summary = json.loads((out / "batch.json").read_text("utf-8"))
    assert {p["status"] for p in summary["packets"]} == {"ok", "unreadable"}


def test_unreadable_inputs_get_exactly_one_finding_naming_the_file(text_batch, tmp_path) -> None:
    root, _, _ = text_batch
    out = tmp_path / "out"
    assert _run_batch(root, out).exit_code == 0
    for packet_id, name in (("t-empty", "t-empty.pdf"), ("t-cut", "t-cut.pdf")):
        result = Result.from_json((out / packet_id / "result.json").read_text("utf-8"))
        (finding,) = result.findings
        assert finding.code == FindingCode.UNREADABLE_INPUT
        assert name in finding.message
        assert result.documents == [] and result.fields == {} and result.awards == []


def test_text_layer_packets_read_their_truth(text_batch) -> None:
    root, truth_dir, built = text_batch
    for packet in built[:2]:
        ctx = review_packet(packet.path)
        truth = packet.truth
        assert ctx.result.units == "pt"
        assert [(d.type, d.pages) for d in ctx.result.documents] == [
            (d["type"], d["pages"]) for d in truth["documents"]
        ]
        for key in ("master_name", "master_id_number", "master_birth", "master_skill_level", "unit_name"):
            assert ctx.result.fields[key].value == truth["fields"][key]["value"], key
            assert ctx.result.fields[key].confidence == 1.0
            assert ctx.result.fields[key].page == truth["fields"][key]["page"]
        claimed = [(a.title, a.year) for a in ctx.result.awards]
        assert claimed == [(a["title"], a["year"]) for a in truth["awards"]]
        assert not ctx.problems
        unrecognised = [f.fields for f in ctx.result.findings if f.code == FindingCode.AWARD_UNRECOGNISED]
        expected = [f["fields"] for f in truth["findings"] if f["code"] == "AWARD_UNRECOGNISED"]
        assert unrecognised == expected
    assert any(f["code"] == "AWARD_UNRECOGNISED" for f in built[1].truth["findings"])


def test_duplicate_applicant_flags_both_packets(text_batch, tmp_path) -> None:
    root, _, _ = text_batch
    out = tmp_path / "out"
    assert _run_batch(root, out).exit_code == 0
    flagged = []
    for packet_id in ("t-lvl", "t-whu", "t-dup"):
        result = Result.from_json((out / packet_id / "result.json").read_text("utf-8"))
        if any(f.code == FindingCode.DUPLICATE_APPLICANT for f in result.findings):
            flagged.append(packet_id)
    assert flagged == ["t-lvl", "t-dup"]


def test_eval_scores_a_batch_against_its_truth(text_batch, tmp_path) -> None:
    root, truth_dir, _ = text_batch
    out = tmp_path / "out"
    assert _run_batch(root, out).exit_code == 0
    scored = runner.invoke(app, ["eval", str(truth_dir), str(out), "--json", str(tmp_path / "scores.json")])
    assert scored.exit_code == 0, scored.output
    scores = json.loads((tmp_path / "scores.json").read_text("utf-8"))
    overall = scores["summary"]
    assert overall["jurisdiction_accuracy"] == 1.0
    assert overall["document_accuracy"] >= 0.95
    assert overall["field_accuracy"] >= 0.8


def test_batch_refuses_an_output_folder_inside_the_input(text_batch) -> None:
    root, _, _ = text_batch
    run = runner.invoke(app, ["batch", str(root / "packets"), "--out", str(root / "packets" / "out")])
    assert run.exit_code == 2
    assert not (root / "packets" / "out").exists()


def test_review_stops_only_at_a_stage_it_has(tmp_path) -> None:
    from shenbao.pipeline.review import review_packet

    with pytest.raises(ValueError, match="unknown stage"):
        review_packet(tmp_path / "x.pdf", until="nonsense")
