"""Where a document's bytes come from: a file on disk, a zip member, or bytes held in memory.

Loaders run long after ingest returns, so a Blob carries everything needed to read its bytes
again: members of a zip are re-read from the (unmodified) archive on demand instead of being
held in memory or extracted, which keeps memory flat for image packets.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Blob:
    label: str  # for messages and Page.source: "scans/004.jpg", "a.zip:dir/001.png"
    origin: Path  # the file on disk; for a zip member, the archive
    member: str | None = None  # raw zip member name (as stored in the archive's directory)
    data: bytes | None = None  # bytes held in memory (PDF members of a zip)

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.member is not None:
            with zipfile.ZipFile(self.origin) as zf:
                return zf.read(self.member)
        return self.origin.read_bytes()

    def open_seekable(self) -> IO[bytes] | Path:
        """A path (read lazily by the consumer) or an in-memory stream; zip streams cannot seek cheaply."""
        if self.data is None and self.member is None:
            return self.origin
        return io.BytesIO(self.read_bytes())

    def pdfium_input(self) -> Path | bytes:
        if self.data is not None:
            return self.data
        if self.member is not None:
            return self.read_bytes()
        return self.origin


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key so that 2.jpg < 10.jpg (phones and scanners rarely zero-pad); zero-padded names
    sort exactly as a plain sort would."""
    parts = _DIGITS.split(name.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p != "")


# Files every OS or archiver leaves behind; never part of a submission.
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store", "icon\r"}
_JUNK_DIRS = {"__macosx", ".git", ".svn", "$recycle.bin", ".trash", ".trashes"}


def is_junk(rel_parts: tuple[str, ...]) -> bool:
    """Hidden files, OS metadata and Office lock files (~$x.docx), by name only."""
    if not rel_parts:
        return True
    name = rel_parts[-1]
    if any(p.casefold() in _JUNK_DIRS or p.startswith(".") for p in rel_parts[:-1]):
        return True
    return name.startswith((".", "~$")) or name.casefold() in _JUNK_NAMES
