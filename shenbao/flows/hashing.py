"""Content hashes: which packet this is (whatever its name), and which code read it.

`content_sha256` gives the same digest as `Packet.sha256` from ingest (a file's bytes; for a
folder, its files' relative names and digests), but without reading the packet as a packet, so
the watcher and the cache can recognise an input before (and whether or not) it can be ingested.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from shenbao import __version__
from shenbao.pipeline.ingest import file_sha256, folder_files, folder_sha256
from shenbao.pipeline.safe_files import entry_refusal


def content_sha256(path: Path) -> str:
    """The packet's content digest, equal to ingest's `Packet.sha256`. An entry that is not read
    (a link, a FIFO: `safe_files`) is never opened: its digest names it and why."""
    refused = entry_refusal(path)
    if refused is not None:
        return hashlib.sha256(f"refused\0{path.name}\0{refused[1]}".encode()).hexdigest()
    return folder_sha256(folder_files(path)) if path.is_dir() else file_sha256(path)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """shenbao's version plus a digest of its source and bundled data: a cached result is reused
    only by the code that made it (the version alone does not change between commits)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    files = sorted(package.rglob("*.py"))
    data = package.parent / "data"
    if data.is_dir():  # the checkout's data/ (honours, layouts, labels), samples aside
        files += sorted(p for p in data.iterdir() if p.is_file())
    resources = package / "resources"
    if resources.is_dir():
        files += sorted(p for p in resources.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.as_posix().encode("utf-8") + b"\0" + file_sha256(path).encode("ascii"))
    return f"{__version__}+{digest.hexdigest()[:16]}"


def packet_cache_key(
    sha256: str,
    source_name: str,
    engine: str,
    options: dict[str, object],
) -> str:
    """Key of one packet's cached result: its content, its name (the packet id and messages come
    from it), the OCR engine, the review options and the code. Anything else that changes the
    result (the manifest row) goes into `options`."""
    payload = json.dumps(
        {
            "sha256": sha256,
            "name": source_name,
            "engine": engine,
            "options": options,
            "code": code_fingerprint(),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return "shenbao-packet-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()
