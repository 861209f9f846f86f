"""The watched folder: each packet dropped into INBOX is reviewed once, whatever happens.

Text-layer fixture packets (no OCR), the plain stage chain (the Prefect path is in test_flows).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from shenbao.fixtures import PacketSpec, build_packet
from shenbao.flows.ledger import LEDGER_NAME
from shenbao.flows.packets import review_one_plain
from shenbao.flows.store import ResultStore
from shenbao.flows.watcher import TEST_PAUSE_ENV, Watcher, WatchError, WatchOptions, is_complete
from shenbao.models import FindingCode, Result

DAY = date(2026, 3, 14)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """Three text-layer packets, built once and copied into each test's inbox."""
    root = tmp_path_factory.mktemp("watch-src")
    specs = [("w-lvl", "lvliang-2025", 31), ("w-whu", "wuhan-2024", 32), ("w-hhht", "hohhot", 33)]
    return {
        pid: build_packet(PacketSpec(pid, jur, seed=seed), root / "packets", "text_pdf", truth_dir=root / "truth").path
        for pid, jur, seed in specs
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """The plain review, counting calls per packet."""

    def __init__(self, store: ResultStore | None = None) -> None:
        self.calls: list[str] = []
        self.store = store

    def __call__(self, source: Path, day_dir: Path, packet_id: str):
        self.calls.append(source.name)
        return review_one_plain(source, day_dir, packet_id=packet_id, store=self.store, batch="watch")


def _watcher(inbox: Path, out: Path, process, clock: Clock, **options) -> Watcher:
    return Watcher(inbox, out, process, WatchOptions(settle=1.0, **options), clock=clock, today=lambda: DAY)


def _settle(watcher: Watcher, clock: Clock, passes: int = 2) -> int:
    waiting = 0
    for _ in range(passes):
        waiting = watcher.scan()
        clock.now += 1.5
    return waiting


def test_a_dropped_packet_is_reviewed_once_and_archived(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    folder = inbox / "w-folder"  # a folder packet too (a PDF inside a folder)
    folder.mkdir()
    shutil.copy(pdfs["w-whu"], folder / "材料.pdf")
    shutil.copy(pdfs["w-lvl"], inbox / "w-lvl.pdf")
    clock, store = Clock(), ResultStore.open(None, out)
    process = Counting(store)
    with _watcher(inbox, out, process, clock) as watcher:
        assert watcher.scan() == 2  # first sight: not settled yet
        assert process.calls == []
        clock.now += 1.5
        assert watcher.scan() == 0
        clock.now += 1.5
        assert watcher.scan() == 0
    assert sorted(process.calls) == ["w-folder", "w-lvl.pdf"]
    day = DAY.isoformat()
    for packet_id in ("w-lvl", "w-folder"):
        result = Result.from_json((out / day / packet_id / "result.json").read_text("utf-8"))
        assert result.packet_id == packet_id and result.fields
        assert store.read_result(packet_id) == result
    assert (inbox / ".done" / day / "w-lvl.pdf").is_file()
    assert (inbox / ".done" / day / "w-folder" / "材料.pdf").is_file()
    assert [p.name for p in inbox.iterdir() if not p.name.startswith(".")] == []
    store.close()


def test_a_half_written_file_waits_until_complete(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = pdfs["w-whu"].read_bytes()
    target = inbox / "w-whu.pdf"
    target.write_bytes(data[: len(data) // 2])
    assert is_complete(target) == (False, "no %%EOF yet")
    clock, process = Clock(), Counting()
    with _watcher(inbox, out, process, clock) as watcher:
        # stable but incomplete: waits (for up to incomplete_timeout)
        assert _settle(watcher, clock, passes=4) == 1
        assert process.calls == []
        with target.open("ab") as fh:  # the copy goes on; the file grows, so the wait restarts
            fh.write(data[len(data) // 2:])
        assert watcher.scan() == 1
        assert process.calls == []
        assert _settle(watcher, clock) == 0
    assert process.calls == ["w-whu.pdf"]
    assert (out / DAY.isoformat() / "w-whu" / "result.json").is_file()


def test_a_file_that_never_completes_is_reviewed_after_the_timeout(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = pdfs["w-lvl"].read_bytes()
    (inbox / "w-cut.pdf").write_bytes(data[: len(data) // 3])  # the copy died and never resumed
    clock, process = Clock(), Counting()
    with _watcher(inbox, out, process, clock, incomplete_timeout=30.0) as watcher:
        assert _settle(watcher, clock, passes=10) == 1  # 15 s: still waiting
        assert process.calls == []
        clock.now += 20
        assert watcher.scan() == 0
    assert process.calls == ["w-cut.pdf"]
    failed = inbox / ".failed" / DAY.isoformat()
    assert "w-cut.pdf" in (failed / "w-cut.pdf.reason.txt").read_text("utf-8")
    result = Result.from_json((out / DAY.isoformat() / "w-cut" / "result.json").read_text("utf-8"))
    assert [f.code for f in result.findings] == [FindingCode.UNREADABLE_INPUT]


def test_the_same_file_twice_is_reviewed_once(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    clock, process = Clock(), Counting()
    with _watcher(inbox, out, process, clock) as watcher:
        shutil.copy(pdfs["w-lvl"], inbox / "w-lvl.pdf")
        _settle(watcher, clock)
        shutil.copy(pdfs["w-lvl"], inbox / "w-lvl.pdf")  # the same file again, same name
        shutil.copy(pdfs["w-lvl"], inbox / "copy of w-lvl.pdf")  # and under another name
        _settle(watcher, clock)
    assert process.calls == ["w-lvl.pdf"]
    done = inbox / ".done" / DAY.isoformat()
    assert sorted(p.name for p in done.iterdir()) == [
        "copy of w-lvl.pdf", "copy of w-lvl.pdf.reason.txt", "w-lvl.1.pdf", "w-lvl.1.pdf.reason.txt", "w-lvl.pdf",
    ]
    assert "duplicate of w-lvl.pdf" in (done / "copy of w-lvl.pdf.reason.txt").read_text("utf-8")
    assert [p.name for p in (out / DAY.isoformat()).iterdir()] == ["w-lvl"]


def test_a_corrupt_file_fails_with_its_reason_and_the_next_is_reviewed(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "a-broken.pdf").write_bytes(os.urandom(3000))
    (inbox / "b-crash.pdf").write_bytes(pdfs["w-hhht"].read_bytes())
    shutil.copy(pdfs["w-whu"], inbox / "c-good.pdf")
    clock, plain = Clock(), Counting()

    def process(source: Path, day_dir: Path, packet_id: str):
        if source.name == "b-crash.pdf":  # a bug in a stage that escapes the pipeline
            raise RuntimeError("simulated crash")
        return plain(source, day_dir, packet_id)

    with _watcher(inbox, out, process, clock) as watcher:
        assert _settle(watcher, clock) == 0
    day = DAY.isoformat()
    failed = inbox / ".failed" / day
    assert sorted(p.name for p in failed.iterdir()) == [
        "a-broken.pdf", "a-broken.pdf.reason.txt", "b-crash.pdf", "b-crash.pdf.reason.txt",
    ]
    assert "a-broken.pdf" in (failed / "a-broken.pdf.reason.txt").read_text("utf-8")
    assert "simulated crash" in (failed / "b-crash.pdf.reason.txt").read_text("utf-8")
    # the unreadable one still has its result, saying why
    broken = Result.from_json((out / day / "a-broken" / "result.json").read_text("utf-8"))
    assert [f.code for f in broken.findings] == [FindingCode.UNREADABLE_INPUT]
    assert (inbox / ".done" / day / "c-good.pdf").is_file()
    assert Result.from_json((out / day / "c-good" / "result.json").read_text("utf-8")).fields


def test_out_inside_inbox_and_a_second_watcher_are_refused(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.raises(WatchError):
        Watcher(inbox, inbox / "results", Counting())
    with Watcher(inbox, tmp_path / "out", Counting()), pytest.raises(WatchError):
        Watcher(inbox, tmp_path / "out", Counting())
    # a second watcher on the same inbox is refused though it writes elsewhere (issue #22: two
    # watchers reviewed every packet twice), and lets go of the OUT it had taken
    other_inbox = tmp_path / "other-inbox"
    other_inbox.mkdir()
    with Watcher(inbox, tmp_path / "out", Counting()):
        with pytest.raises(WatchError, match="INBOX"):
            Watcher(inbox, tmp_path / "other", Counting())
        with Watcher(other_inbox, tmp_path / "other", Counting()):  # the refused one let its OUT go
            pass


def _ledger(out: Path) -> dict[str, tuple[str, int]]:
    if not (out / LEDGER_NAME).exists():
        return {}
    try:
        with sqlite3.connect(out / LEDGER_NAME) as conn:
            return {name: (state, attempts) for name, state, attempts in conn.execute(
                "SELECT name, state, attempts FROM packets")}
    except sqlite3.OperationalError:  # the watcher has created the file but not yet its table
        return {}


def _watch_cmd(inbox: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from shenbao.cli import app; app()", "watch", str(inbox), "--out", str(out),
            "--once", "--no-prefect", "--settle", "0.3"]


def test_a_watcher_killed_mid_packet_finishes_the_batch_exactly_once(pdfs, tmp_path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for name, path in pdfs.items():
        shutil.copy(path, inbox / f"{name}.pdf")
    env = {**os.environ, TEST_PAUSE_ENV: "4", "SHENBAO_PREFECT": "0"}
    log = (tmp_path / "first.log").open("wb")
    first = subprocess.Popen(_watch_cmd(inbox, out), env=env, start_new_session=True,
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        # wait until one packet is done and the next one is in the middle of its review
        while time.monotonic() < deadline:
            states = [s for s, _ in _ledger(out).values()]
            if states.count("done") >= 1 and "started" in states:
                break
            assert first.poll() is None, (tmp_path / "first.log").read_text("utf-8", "replace")
            time.sleep(0.2)
        else:
            pytest.fail(f"watcher never got to the second packet: {_ledger(out)}")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        log.close()
    before = _ledger(out)
    interrupted = [name for name, (state, _) in before.items() if state == "started"]
    assert len(interrupted) == 1

    second = subprocess.run(_watch_cmd(inbox, out), env={**os.environ, "SHENBAO_PREFECT": "0"},
                            capture_output=True, timeout=180)
    assert second.returncode == 0, second.stderr.decode()
    after = _ledger(out)
    assert {state for state, _ in after.values()} == {"done"}
    assert set(after) == {f"{pid}.pdf" for pid in pdfs}
    for name, (_, attempts) in after.items():
        # the interrupted one was reviewed again, the finished ones never
        assert attempts == (2 if name in interrupted else 1), name
    days = [d for d in out.iterdir() if d.is_dir()]
    assert len(days) == 1
    assert sorted(p.name for p in days[0].iterdir()) == sorted(pdfs)  # no .tmp- leftovers
    for pid in pdfs:
        assert Result.from_json((days[0] / pid / "result.json").read_text("utf-8")).packet_id == pid
    done = inbox / ".done" / days[0].name
    assert sorted(p.name for p in done.iterdir()) == sorted(f"{pid}.pdf" for pid in pdfs)
    store = ResultStore.open(None, out)
    assert sorted(pid for pid, _ in store.packet_ids()) == sorted(pdfs)
    store.close()


def test_a_dropped_packet_is_received_when_it_arrived(pdfs, tmp_path) -> None:
    """Watch mode has no manifest: the arrival time stands for it, so deadlines are checked
    (issue #22: submission_date was empty and the deadline checks never ran)."""
    from datetime import datetime

    from typer.testing import CliRunner

    from shenbao.cli import app
    from shenbao.flows.watcher import received_at

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(pdfs["w-whu"], inbox / "w-whu.pdf")
    os.utime(inbox / "w-whu.pdf", (0, 0))  # a copy that kept the applicant's old timestamps
    arrived = received_at(inbox / "w-whu.pdf")
    assert abs((datetime.now() - arrived).total_seconds()) < 120
    run = CliRunner().invoke(app, ["watch", str(inbox), "--out", str(out), "--once", "--settle", "0",
                                   "--poll", "0.1", "--no-prefect", "--db", "none"])
    assert run.exit_code == 0, run.output
    (result_path,) = out.rglob("w-whu/result.json")
    result = Result.from_json(result_path.read_text("utf-8"))
    assert result.fields["submission_date"].value == arrived.date().isoformat()
