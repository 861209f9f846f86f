"""Write a packet's outputs so a reader never sees half of them.

All files of one packet are written into a hidden temporary folder beside the target, flushed,
and the folder is renamed into place. A crash leaves either the old outputs or the new ones,
never a mix; leftover temporary folders are cleaned on the next write.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file_atomic(path: Path, data: bytes | str) -> None:
    """Replace one file atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{_TMP_PREFIX}{path.name}.{uuid.uuid4().hex[:8]}")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open(tmp, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_packet_dir(target: Path, files: dict[str, bytes | str]) -> Path:
    """Write `files` (relative name -> content) as the folder `target`, replacing it whole."""
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent, target.name)
    tmp = parent / f"{_TMP_PREFIX}{target.name}.{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for name, data in files.items():
            dest = tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            payload = data.encode("utf-8") if isinstance(data, str) else data
            with open(dest, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(tmp)
        if target.exists():
            # A folder cannot be renamed over a non-empty one: move the old aside first.
            old = parent / f"{_OLD_PREFIX}{target.name}.{uuid.uuid4().hex[:8]}"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def clean_stale(parent: Path, name: str) -> None:
    """Remove temporary folders a crashed earlier write of `name` left behind."""
    for prefix in (_TMP_PREFIX, _OLD_PREFIX):
        for stale in parent.glob(f"{prefix}{name}.*"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
