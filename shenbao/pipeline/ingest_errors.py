"""IngestError construction: one short reason tag plus a bilingual detail that names the file,
because the message ends up in front of a Chinese-speaking reviewer and an English-reading operator.

Reason tags: empty, not_found, unreadable, not_a_document, unsupported_format, truncated, corrupt, encrypted,
zip_slip, zip_bomb, nested_archive, too_many_pages, image_too_large, corrupt_image.
"""

from __future__ import annotations

from pathlib import Path

from shenbao.pipeline.types import IngestError


def ingest_error(path: Path, reason: str, zh: str, en: str, label: str | None = None) -> IngestError:
    """`label` names the failing part when it is not the input itself (a zip member, a folder entry)."""
    name = label or path.name
    return IngestError(path, reason, f"{zh}：{name} / {en}: {name}")


def too_many_pages(path: Path, count: int, limit: int) -> IngestError:
    return ingest_error(
        path,
        "too_many_pages",
        f"页数过多（至少 {count} 页，上限 {limit} 页）",
        f"too many pages (at least {count}, limit {limit})",
    )
