"""What a file is, decided from its first bytes: applicants rename files freely (a PNG called
.pdf, a Word file called .pdf), so the extension is never trusted."""

from __future__ import annotations

from enum import StrEnum

HEAD_BYTES = 1024


class FileKind(StrEnum):
    EMPTY = "empty"
    PDF = "pdf"
    ZIP = "zip"
    IMAGE = "image"
    OFFICE = "office"  # Word/Excel/WPS: a document we cannot read, worth naming in the message
    HEIF = "heif"  # iPhone photos: an image Pillow cannot decode here
    OTHER = "other"


_BMP_HEADER_SIZES = {12, 40, 52, 56, 64, 108, 124}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def detect_kind(head: bytes) -> FileKind:
    """Classify a file by its first bytes (give at least HEAD_BYTES when the file is that long)."""
    if not head:
        return FileKind.EMPTY
    # The PDF spec tolerates junk before the header within the first KiB, and readers accept it.
    if b"%PDF-" in head[:HEAD_BYTES]:
        return FileKind.PDF
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return FileKind.ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc/.xls/.wps
        return FileKind.OFFICE
    if _is_image(head):
        return FileKind.IMAGE
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return FileKind.HEIF
    return FileKind.OTHER


def _is_image(head: bytes) -> bool:
    if head.startswith(b"\xff\xd8\xff"):  # JPEG
        return True
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return True
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # TIFF / BigTIFF
        return True
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(
        b"\xff\x4f\xff\x51"
    ):  # JPEG 2000
        return True
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return True
    # "BM" alone would match plain text; require a known DIB header size as well.
    return (
        head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    )
