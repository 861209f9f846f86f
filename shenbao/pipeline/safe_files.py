"""Only regular files and real folders are opened as inputs.

An inbox or batch folder is shared with whoever drops packets into it. A FIFO there blocks the
first `open()` for ever (the batch and the watcher hung on it); a symbolic link at the top level
was followed, and a link to /etc/passwd or to another bureau's folder was hashed into the audit
trail and reviewed. So an entry is looked at with `lstat` (links not followed) before anything
opens it, and files are opened with O_NOFOLLOW | O_NONBLOCK and checked again on the open
descriptor (the entry could be swapped between the look and the open). Links *inside* a
submitted folder are skipped where the folder is listed (`ingest.folder_files`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegularFile(OSError):
    """The entry is a link, a FIFO, a device or a socket: it is not opened."""


def entry_refusal(path: Path) -> tuple[str, str] | None:
    """Why `path` is not read as an input, (Chinese, English), or None for a regular file or a
    real folder. A missing entry is not refused here (the caller says "no such file")."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return "符号链接，出于安全不予读取", "symbolic link, not followed"
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    return "不是普通文件（管道、设备或套接字）", "not a regular file (FIFO, device or socket)"


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, never through a link and never blocking on a FIFO; raises
    NotRegularFile for anything but a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise NotRegularFile(f"{path}: symbolic link, not followed") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(f"{path}: not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
