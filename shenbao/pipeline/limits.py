"""The numbers that bound what ingest will accept, so one hostile or broken file cannot exhaust the machine."""

from __future__ import annotations

from dataclasses import dataclass

# The resolution every rendered/scanned page is measured in ("px@200dpi" in result.json).
RENDER_DPI = 200
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class IngestLimits:
    max_pages: int = 500
    # Checked from the image header before any pixel is decoded.
    max_image_pixels: int = 100_000_000
    # Zip archives: refused as a bomb past any of these.
    max_zip_total_bytes: int = 1 << 30  # sum of declared uncompressed sizes
    max_zip_members: int = 2000
    max_zip_ratio: float = 100.0  # uncompressed / compressed, for one member ...
    zip_ratio_min_bytes: int = 10 * 1024 * 1024  # ... only when that member is larger than this
    # PDF members of a zip up to this size are kept in memory; larger ones are spooled to a temp dir
    # that lives as long as the Packet does.
    max_in_memory_bytes: int = 200 * 1024 * 1024
