"""Entries that are not packets (issue #22): a FIFO in the batch folder or the inbox hung both
for ever; a top-level link was followed (a link to a file outside was hashed into the audit
trail and reviewed). Now neither is opened: each is a result with UNREADABLE_INPUT naming the
file and why, and the batch goes on."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from shenbao.flows.hashing import content_sha256
from shenbao.models import FindingCode, Result
from shenbao.pipeline.batch import run_batch
from shenbao.pipeline.ingest import file_sha256
from shenbao.pipeline.review import ReviewOptions
from shenbao.pipeline.safe_files import NotRegularFile, entry_refusal

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (Linux)")

SECRET = "root:x:0:0:secret outside the submission\n"


def _folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.pdf")
    outside = tmp_path / "outside.txt"
    outside.write_text(SECRET, "utf-8")
    (inbox / "link.pdf").symlink_to(outside)
    (inbox / "empty.pdf").write_bytes(b"")
    return inbox


def _within(seconds: float, fn):
    """Run fn in a thread; fail (instead of hanging the suite) if it is not back in time."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test thread
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s (blocked on a FIFO?)"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def test_links_and_fifos_are_refused_by_lstat(tmp_path):
    inbox = _folder(tmp_path)
    assert entry_refusal(inbox / "pipe.pdf")[1].startswith("not a regular file")
    assert entry_refusal(inbox / "link.pdf")[1].startswith("symbolic link")
    assert entry_refusal(inbox / "empty.pdf") is None and entry_refusal(inbox) is None


def test_hashing_never_blocks_on_a_fifo_nor_follows_a_link(tmp_path):
    inbox = _folder(tmp_path)
    with pytest.raises(NotRegularFile):
        _within(10, lambda: file_sha256(inbox / "pipe.pdf"))
    with pytest.raises(NotRegularFile):
        file_sha256(inbox / "link.pdf")
    # the watcher's and the cache's digest names the entry instead of reading it
    assert _within(10, lambda: content_sha256(inbox / "pipe.pdf")) != content_sha256(inbox / "link.pdf")
    assert content_sha256(inbox / "link.pdf") != file_sha256(tmp_path / "outside.txt")


def test_a_batch_accounts_for_every_entry_and_reads_none_of_them(tmp_path):
    inbox = _folder(tmp_path)
    out = tmp_path / "out"
    summary = _within(120, lambda: run_batch(inbox, out, ReviewOptions(engine="recorded")))
    assert {p.source for p in summary.packets} == {"pipe.pdf", "link.pdf", "empty.pdf"}
    for packet_id, why in (("pipe", "不是普通文件"), ("link", "符号链接")):
        result = Result.from_json((out / packet_id / "result.json").read_text("utf-8"))
        (finding,) = result.findings
        assert finding.code == FindingCode.UNREADABLE_INPUT and why in finding.message
        assert f"{packet_id}.pdf" in finding.message
    for path in out.rglob("*"):
        if path.is_file():
            assert "secret outside" not in path.read_text("utf-8", errors="replace"), path


def test_the_watcher_passes_them_by(tmp_path):
    from shenbao.flows.watcher import Watcher

    inbox = _folder(tmp_path)
    with Watcher(inbox, tmp_path / "out", process=lambda *a, **k: None) as watcher:
        names = [p.name for p in _within(10, watcher.candidates)]
    assert names == ["empty.pdf"]


def test_review_refuses_an_out_inside_the_packet(tmp_path):
    from typer.testing import CliRunner

    from shenbao.cli import app

    packet = tmp_path / "pkt"
    packet.mkdir()
    (packet / "001.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    before = sorted(p.name for p in packet.rglob("*"))
    run = CliRunner().invoke(app, ["review", str(packet), "--out", str(packet / "res"), "--no-prefect"])
    assert run.exit_code == 2
    assert "must not be inside" in " ".join(run.output.split())
    assert sorted(p.name for p in packet.rglob("*")) == before


def test_what_a_command_writes_is_private(tmp_path):
    import stat

    from typer.testing import CliRunner

    from shenbao.cli import app

    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "empty.pdf").write_bytes(b"")
    old = os.umask(0o022)
    try:
        run = CliRunner().invoke(app, ["batch", str(inbox), "--out", str(tmp_path / "out"), "--no-prefect",
                                       "--db", "none"])
    finally:
        os.umask(old)
    assert run.exit_code == 0, run.output
    written = [p for p in (tmp_path / "out").rglob("*")]
    assert written
    for path in written:
        assert not os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO), (path, oct(os.stat(path).st_mode))


def test_a_giant_pdf_page_is_refused_before_it_is_rendered(tmp_path):
    """A few-KB PDF whose page is 200 x 200 inches took the batch down (>6 GiB while rendering a
    report picture); it is refused from its page size, nothing rendered."""
    import pypdfium2 as pdfium

    from shenbao.pipeline.ingest import IngestError, ingest

    doc = pdfium.PdfDocument.new()
    doc.new_page(14400, 14400)  # 200 x 200 inches, the largest page PDF allows
    path = tmp_path / "giant.pdf"
    doc.save(str(path))
    doc.close()
    assert path.stat().st_size < 10_000
    with pytest.raises(IngestError) as caught:
        _within(30, lambda: ingest(path))
    assert caught.value.reason == "page_too_large"
    assert "giant.pdf" in str(caught.value) and "200x200 in" in str(caught.value)


def test_an_unknown_engine_fails_before_anything_is_read(tmp_path):
    from typer.testing import CliRunner

    from shenbao.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    for args in (["review", str(tmp_path / "in" / "a.pdf")], ["batch", str(tmp_path / "in")]):
        run = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--engine", "tesseract",
                                       "--no-prefect", "--db", "none"])
        assert run.exit_code == 2, run.output
        text = " ".join(run.output.split())
        assert "未知的 OCR 引擎" in text and "unknown OCR engine 'tesseract'" in text
        assert "Traceback" not in run.output
        assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError):
        ReviewOptions(engine="tesseract")


def test_a_broken_data_file_stops_the_command_with_its_name(tmp_path, monkeypatch):
    """A broken honour list gave reports headed 未发现问题 and exit code 0."""
    from typer.testing import CliRunner

    from shenbao.cli import app

    bad = tmp_path / "honours.csv"
    bad.write_text('title,broken\n"unterminated\n', "utf-8")
    monkeypatch.setenv("SHENBAO_HONOURS_CSV", str(bad))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    run = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                   "--no-prefect", "--db", "none"])
    assert run.exit_code == 2, run.output
    text = " ".join(run.output.split())
    assert "数据文件无法读取" in text and "honours.csv: missing column(s)" in text
    assert not (tmp_path / "out").exists()


def test_a_page_that_could_not_be_read_is_a_finding(tmp_path, monkeypatch):
    import numpy as np
    from PIL import Image

    import shenbao.pipeline.review as review
    from shenbao.pipeline.review import review_packet

    folder = tmp_path / "pkt"
    folder.mkdir()
    for n in (1, 2):
        Image.fromarray(np.full((400, 300, 3), 255, np.uint8)).save(folder / f"{n:03d}.png")

    def ocr(page, engine):
        if page.number == 2:
            raise RuntimeError("decoder crashed")
        page.lines = []

    monkeypatch.setattr(review, "ocr_page", ocr)
    monkeypatch.setattr(review.PacketContext, "get_engine", lambda self: None)
    ctx = review_packet(folder)
    unread = [f for f in ctx.result.findings if f.code == FindingCode.UNREADABLE_INPUT]
    assert len(unread) == 1 and unread[0].pages == [2] and "第 2 页无法识别" in unread[0].message


def test_spools_a_killed_run_left_are_removed_at_start(tmp_path, monkeypatch):
    """A crash left a 206 MB copy of an applicant's PDF in /tmp; the next command removes the
    spools whose process is gone and leaves a running one's alone."""
    import subprocess
    import tempfile

    from typer.testing import CliRunner

    from shenbao.cli import app
    from shenbao.pipeline.ingest import SPOOL_PREFIX

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphan = tmp_path / f"{SPOOL_PREFIX}{gone.pid}-abc"
    orphan.mkdir()
    (orphan / "member1.pdf").write_bytes(b"%PDF-1.4 applicant")
    running = tmp_path / f"{SPOOL_PREFIX}{os.getpid()}-def"
    running.mkdir()
    other = tmp_path / "shenbao-something-else"
    other.mkdir()
    CliRunner().invoke(app, ["version"])
    assert not orphan.exists() and running.exists() and other.exists()
