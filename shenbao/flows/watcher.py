"""The watched folder: `shenbao watch INBOX --out OUT`.

Whatever is dropped into INBOX (a PDF, zip, image or a folder of page images) is reviewed once:

  1. noticed by file-system events (watchfiles), or by polling every `--poll` seconds where
     events do not arrive (network shares), with a rescan at least every second either way;
  2. taken only when it has stopped changing for `settle` seconds and looks complete: a PDF has
     its %%EOF, a zip its central directory, a JPEG/PNG its end marker (a copy still running
     fails these); one that stays incomplete for `incomplete_timeout` is reviewed anyway, and
     ingest says what is wrong with it;
  3. recognised by content (sha256): the same packet dropped twice, under any name, is reviewed
     once; the second copy is archived with a note saying so;
  4. reviewed (through the `review_packet` flow or the plain chain), its result folder written
     atomically to OUT/<day>/<packet_id>/ and into the results store;
  5. moved to INBOX/.done/<day>/ or INBOX/.failed/<day>/ (with <name>.reason.txt).

The ledger (OUT/.shenbao-watch.sqlite) records each step, so a watcher killed with SIGKILL and
restarted redoes only the packet it was in the middle of (result folders are replaced whole, so
none is ever half written) and finishes any move it had not done. A packet that was in progress
at `max_attempts` kills in a row is failed rather than retried forever. One bad input never stops
the watcher. A second watcher on the same OUT is refused (file lock).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from shenbao.flows.hashing import content_sha256
from shenbao.flows.ledger import LEDGER_NAME, Ledger, LedgerRow
from shenbao.flows.packets import PacketRun
from shenbao.pipeline.review import packet_id_for
from shenbao.pipeline.safe_files import entry_refusal

log = logging.getLogger(__name__)

DONE_DIR = ".done"
FAILED_DIR = ".failed"
LOCK_NAME = ".shenbao-watch.lock"
# Set to a number of seconds, the watcher sleeps that long in the middle of each packet (after
# recording the attempt, before the result is written): lets a test kill it there.
TEST_PAUSE_ENV = "SHENBAO_TEST_PAUSE_MID_PACKET"

# Names that copies in progress carry (browsers, rsync, Office, our own temp folders).
_PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".tmp", ".download", ".filepart")
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "manifest.csv", "registry.csv"}

Process = Callable[[Path, Path, str], PacketRun]  # (source, OUT/<day>, packet_id) -> the run


class WatchError(ValueError):
    """The watcher cannot start (bad folders, another watcher on OUT)."""


@dataclass
class WatchOptions:
    settle: float = 2.0  # seconds an input must stay unchanged before it is taken
    poll: float | None = None  # poll every N seconds instead of file-system events
    incomplete_timeout: float = 300.0  # an input stable but incomplete this long is reviewed anyway
    max_attempts: int = 3  # attempts (interrupted by a kill) before a packet is failed
    once: bool = False  # stop when the inbox holds nothing more to do


@dataclass
class WatchEvent:
    """What became of one input; `state`: done | failed | duplicate."""

    name: str
    state: str
    packet_id: str | None = None
    out_dir: Path | None = None
    archived_to: Path | None = None
    reason: str | None = None


@dataclass
class _Seen:
    signature: tuple
    since: float  # clock time the signature was first seen


@dataclass
class Watcher:
    inbox: Path
    out: Path
    process: Process
    options: WatchOptions = field(default_factory=WatchOptions)
    clock: Callable[[], float] = time.monotonic
    today: Callable[[], date] = date.today
    on_event: Callable[[WatchEvent], None] | None = None

    def __post_init__(self) -> None:
        self.inbox = self.inbox.resolve()
        self.out = self.out.resolve()
        if not self.inbox.is_dir():
            raise WatchError(f"{self.inbox}: 不是文件夹 / not a folder")
        if self.out == self.inbox or self.inbox in self.out.parents:
            raise WatchError(
                f"输出文件夹 {self.out} 不能位于收件文件夹 {self.inbox} 之内 / OUT must not be inside INBOX"
            )
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock_fd = _lock(self.out / LOCK_NAME, "OUT")
        # Two watchers on one inbox (each with its own OUT) reviewed every packet twice and
        # raced to move it: the inbox is held too (a hidden file, passed by like any).
        try:
            self._inbox_lock_fd = _lock(self.inbox / LOCK_NAME, "INBOX")
        except WatchError:
            os.close(self._lock_fd)
            raise
        self.ledger = Ledger(self.out / LEDGER_NAME)
        remove_stale_tmp(self.out)
        self._seen: dict[str, _Seen] = {}
        self._refused: set[str] = set()  # names already logged as not read (links, FIFOs)

    def close(self) -> None:
        self.ledger.close()
        os.close(self._lock_fd)
        os.close(self._inbox_lock_fd)

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one pass ---------------------------------------------------------------------------

    def candidates(self) -> list[Path]:
        entries = []
        for entry in self.inbox.iterdir():
            name = entry.name
            if name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES:
                continue
            if name.lower().endswith(_PARTIAL_SUFFIXES):
                continue
            refused = entry_refusal(entry)
            if refused is not None:  # never opened: a FIFO would block the watcher for ever
                if name not in self._refused:
                    self._refused.add(name)
                    log.warning("%s: %s / %s", name, *refused)
                continue
            entries.append(entry)
        return sorted(entries, key=lambda p: p.name)

    def scan(self) -> int:
        """Look at the inbox once and review whatever is ready. Returns how many inputs are still
        waiting (changing, incomplete, or not yet settled)."""
        now = self.clock()
        waiting = 0
        present = set()
        for entry in self.candidates():
            present.add(entry.name)
            try:
                signature = _signature(entry)
            except OSError:  # vanished or unreadable mid-scan: look again next time
                waiting += 1
                continue
            seen = self._seen.get(entry.name)
            if seen is None or seen.signature != signature:
                self._seen[entry.name] = _Seen(signature, now)
                waiting += 1
                continue
            if now - seen.since < self.options.settle:
                waiting += 1
                continue
            complete, why = is_complete(entry)
            if not complete and now - seen.since < self.options.incomplete_timeout:
                log.debug("%s: waiting (%s)", entry.name, why)
                waiting += 1
                continue
            self._seen.pop(entry.name, None)
            self.handle(entry)
        for name in set(self._seen) - present:
            del self._seen[name]
        return waiting

    def handle(self, entry: Path) -> WatchEvent:
        """Review one settled input exactly once and archive it. Never raises for a bad input."""
        try:
            event = self._handle(entry)
        except Exception as exc:  # our own bug or a disk problem: fail this input, keep watching
            log.exception("%s: watcher error", entry.name)
            event = self._fail_unrecorded(entry, f"{type(exc).__name__}: {exc}")
        if self.on_event:
            self.on_event(event)
        return event

    def _handle(self, entry: Path) -> WatchEvent:
        sha = content_sha256(entry)
        row = self.ledger.get(sha)
        if row is not None and row.state in ("done", "failed"):
            if row.archived_to is None and row.name == entry.name:
                return self._archive(entry, row)  # killed after the review, before the move
            reason = (
                f"重复提交：与 {row.name} 内容相同，已于 {row.finished_at} 处理（结果 {row.out_dir}）"
                f" / duplicate of {row.name}, already processed"
            )
            where = self._move(entry, DONE_DIR if row.state == "done" else FAILED_DIR, self._day(), reason)
            return WatchEvent(entry.name, "duplicate", row.packet_id, _path(row.out_dir), where, reason)
        if row is not None and row.attempts >= self.options.max_attempts:
            reason = (
                f"处理中断 {row.attempts} 次（进程被终止），不再重试 / interrupted {row.attempts} times, giving up"
            )
            self.ledger.finish(sha, "failed", None, reason)
            return self._archive(entry, self._require(sha))
        day = row.day if row else self._day()
        packet_id = row.packet_id if row else self._packet_id(entry, day, sha)
        self.ledger.begin(sha, entry.name, packet_id, day)
        _test_pause()
        try:
            run = self.process(entry, self.out / day, packet_id)
        except Exception as exc:
            log.exception("%s: review failed", entry.name)
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.ledger.finish(sha, "failed", None, f"审查出错 / review failed: {detail}")
            return self._archive(entry, self._require(sha))
        if run.unreadable:
            reason = "；".join(f.message for f in run.result.findings) or "无法读取 / unreadable"
            self.ledger.finish(sha, "failed", run.target, reason)
        else:
            self.ledger.finish(sha, "done", run.target, None)
        return self._archive(entry, self._require(sha))

    def _require(self, sha: str) -> LedgerRow:
        row = self.ledger.get(sha)
        assert row is not None
        return row

    def _archive(self, entry: Path, row: LedgerRow) -> WatchEvent:
        failed = row.state == "failed"
        where = self._move(entry, FAILED_DIR if failed else DONE_DIR, row.day, row.reason if failed else None)
        self.ledger.archived(row.sha256, where)
        return WatchEvent(entry.name, row.state, row.packet_id, _path(row.out_dir), where, row.reason)

    def _fail_unrecorded(self, entry: Path, reason: str) -> WatchEvent:
        try:
            where = self._move(entry, FAILED_DIR, self._day(), f"监视程序出错 / watcher error: {reason}")
        except OSError:
            log.exception("%s: cannot be moved to %s", entry.name, FAILED_DIR)
            where = None
        return WatchEvent(entry.name, "failed", None, None, where, reason)

    def _move(self, entry: Path, folder: str, day: str, reason: str | None) -> Path:
        target_dir = self.inbox / folder / day
        target_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(target_dir / entry.name)
        if reason:
            # written first: a kill between the two leaves a note without its input, never the reverse
            (target_dir / f"{target.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
        os.replace(entry, target)
        return target

    def _day(self) -> str:
        return self.today().isoformat()

    def _packet_id(self, entry: Path, day: str, sha: str) -> str:
        packet_id = packet_id_for(entry)
        if self.ledger.id_taken(day, packet_id, sha) or (
            (self.out / day / packet_id).exists() and not self._ours(day, packet_id, sha)
        ):
            packet_id = f"{packet_id}-{sha[:8]}"  # another packet of the same name today
        return packet_id

    def _ours(self, day: str, packet_id: str, sha: str) -> bool:
        row = self.ledger.get(sha)
        return row is not None and row.day == day and row.packet_id == packet_id

    # --- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> None:
        """Scan, wait for a change (or a timeout), scan again; with `once`, return when the inbox
        holds nothing left to do."""
        stop = stop or threading.Event()
        changes = self._changes(stop)
        while not stop.is_set():
            if self.scan() == 0 and self.options.once:
                return
            next(changes, None)

    def _changes(self, stop: threading.Event) -> Iterator[object]:
        """Yields after each batch of file-system changes, or at least every `tick` seconds."""
        tick = self.options.poll or max(0.2, min(1.0, self.options.settle / 2))
        try:
            import watchfiles

            yield from watchfiles.watch(
                self.inbox,
                watch_filter=lambda _change, path: not _hidden_below(self.inbox, Path(path)),
                stop_event=stop,
                rust_timeout=int(tick * 1000),
                yield_on_timeout=True,
                force_polling=self.options.poll is not None,
                poll_delay_ms=int(tick * 1000),
                debounce=200,
                raise_interrupt=False,
            )
        except Exception as exc:  # no inotify (limits, some network file systems): poll instead
            log.warning("file-system events unavailable (%s); polling every %.1f s", exc, tick)
        while not stop.is_set():
            stop.wait(tick)
            yield None


def is_complete(entry: Path) -> tuple[bool, str]:
    """Whether a PDF/zip/JPEG/PNG (or every one inside a folder) has its end marker."""
    if entry.is_dir():
        files = [p for p in entry.rglob("*") if p.is_file() and not p.name.startswith(".")]
        if not files:
            return False, "empty folder"
        for path in files:
            if path.name.lower().endswith(_PARTIAL_SUFFIXES):
                return False, f"{path.name}: still being copied"
            ok, why = is_complete(path)
            if not ok:
                return False, f"{path.name}: {why}"
        return True, ""
    size = entry.stat().st_size
    if size == 0:
        return False, "empty file"
    with entry.open("rb") as fh:
        head = fh.read(8)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if head.startswith(b"%PDF"):
        return (b"%%EOF" in tail, "no %%EOF yet")
    if head.startswith(b"PK\x03\x04"):
        return (zipfile.is_zipfile(entry), "no zip central directory yet")
    if head.startswith(b"\xff\xd8"):
        return (b"\xff\xd9" in tail[-64:], "JPEG end marker missing")
    if head.startswith(b"\x89PNG"):
        return (b"IEND" in tail[-64:], "PNG IEND missing")
    return True, ""  # other bytes: ingest decides what they are


def _signature(entry: Path) -> tuple:
    if entry.is_dir():
        parts = []
        for root, _dirs, files in os.walk(entry):
            for name in files:
                st = os.stat(os.path.join(root, name))
                parts.append((os.path.relpath(os.path.join(root, name), entry), st.st_size, st.st_mtime_ns))
        return ("dir", tuple(sorted(parts)))
    st = entry.stat()
    return ("file", st.st_size, st.st_mtime_ns)


def _hidden_below(root: Path, path: Path) -> bool:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    return any(part.startswith(".") for part in rel.parts)


def _free_name(target: Path) -> Path:
    if not target.exists() and not target.is_symlink():
        return target
    stem, suffix = (target.stem, target.suffix) if target.suffix and not target.is_dir() else (target.name, "")
    n = 1
    while True:
        candidate = target.with_name(f"{stem}.{n}{suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def received_at(entry: Path) -> datetime:
    """When a dropped packet arrived, as local time: the last time any of its files was written
    into the inbox (the inode's change time, which copying sets and no tool preserves; a file's
    modification time is often kept from the applicant's machine). A packet copied in across a
    deadline arrived when its last file did. Taken from the file system, it is the same after the
    watcher restarts."""
    if entry.is_dir():
        times = [os.lstat(os.path.join(root, name)).st_ctime
                 for root, _dirs, files in os.walk(entry) for name in files]
        stamp = max(times, default=os.lstat(entry).st_ctime)
    else:
        stamp = os.lstat(entry).st_ctime
    return datetime.fromtimestamp(stamp)


def _lock(path: Path, what: str) -> int:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise WatchError(f"另一个监视程序正在使用 {path.parent} / another watcher is using this {what}") from exc
    return fd


def _test_pause() -> None:
    pause = os.environ.get(TEST_PAUSE_ENV)
    if pause:
        time.sleep(float(pause))


def remove_stale_tmp(out: Path) -> None:
    """Temporary result folders a killed write left (writer.clean_stale does it per packet too)."""
    for day in out.iterdir() if out.is_dir() else ():
        if day.is_dir() and not day.name.startswith("."):
            for stale in day.glob(".tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
            for stale in day.glob(".old-*"):
                shutil.rmtree(stale, ignore_errors=True)
