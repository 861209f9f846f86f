"""Packet ingest: turn one submitted input into a Packet of pages, refusing bad inputs clearly.

Accepted: a PDF (text layer, scanned or mixed), a folder of page images (PDFs inside are read
too), a zip of either (one top folder or none), or a single image (multi-page TIFF: one page per
frame). The kind of every file is decided from its bytes, never its extension. Folders and zips
are read in natural name order (2.jpg before 10.jpg). Nested archives are refused, not unpacked.

The input is only ever opened for reading. Pages keep just what they need to produce pixels
later (a path, a zip member name, or the bytes of a PDF member); nothing is rendered here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
import zipfile
import zlib
from pathlib import Path

from shenbao.models.result import Units
from shenbao.pipeline.archive import ZipMember, vet_zip
from shenbao.pipeline.filekind import HEAD_BYTES, FileKind, detect_kind
from shenbao.pipeline.images import image_pages, probe_image
from shenbao.pipeline.ingest_errors import ingest_error
from shenbao.pipeline.limits import POINTS_PER_INCH, RENDER_DPI, IngestLimits
from shenbao.pipeline.pdfdoc import check_pdf, classify_pdf, pdf_pages
from shenbao.pipeline.safe_files import entry_refusal, open_regular
from shenbao.pipeline.sources import Blob, is_junk, natural_key
from shenbao.pipeline.types import IngestError, Packet, PacketFormat, Page, PageKind

__all__ = ["IngestError", "IngestLimits", "ingest", "packet_units", "sniff_format"]

_CHUNK = 1 << 20


def ingest(path: Path, limits: IngestLimits | None = None) -> Packet:
    """Read `path` into a Packet. Raises IngestError (see ingest_errors for the reason tags)."""
    limits = limits or IngestLimits()
    path = Path(path)
    try:
        return _ingest(path, limits)
    except IngestError:
        raise
    except OSError as exc:  # permissions, a file vanishing mid-read, an unreadable disk
        raise ingest_error(
            path, "unreadable", "无法读取文件", f"cannot read ({exc.strerror or exc})"
        ) from exc


def _ingest(path: Path, limits: IngestLimits) -> Packet:
    refused = entry_refusal(path)
    if refused is not None:
        raise ingest_error(path, "not_a_document", *refused)
    if not path.exists():
        raise ingest_error(path, "not_found", "文件不存在", "no such file or folder")
    if path.is_dir():
        return _ingest_folder(path, limits)
    if not path.is_file():
        raise ingest_error(path, "not_a_document", "不是普通文件", "not a regular file")
    kind = _file_kind(path)
    if kind is FileKind.ZIP:
        return _ingest_zip(path, limits)
    _refuse_unreadable_kind(path, kind)
    sha = file_sha256(path)
    blob = Blob(path.name, path)
    if kind is FileKind.PDF:
        pages, warnings = pdf_pages(blob, path, 1, limits)
        fmt = _pdf_format(pages)
    else:
        pages, warnings = image_pages(blob, path, 1, limits), []
        fmt = PacketFormat.IMAGE
    return _packet(path, path.stem, fmt, sha, pages, warnings)


def sniff_format(path: Path) -> PacketFormat | None:
    """What kind of packet `path` is, cheaply: file headers, the zip directory, each PDF opened
    (not rendered) with its per-page text-layer decision taken from pdfium's fast text layer.
    Image pixels are not decoded, so a truncated JPEG still sniffs as an image. None when the
    input cannot be read (what `ingest` would refuse for structure, encryption or size)."""
    path = Path(path)
    limits = IngestLimits()
    try:
        if path.is_dir():
            docs = [
                (Blob(f"{path.name}/{rel}", p), detect_kind(_head(p)) if p.stat().st_size else FileKind.EMPTY)
                for rel, p in folder_files(path)
            ]
            return PacketFormat.IMAGE_FOLDER if _sniff_documents(path, docs, limits) else None
        if not path.is_file():
            return None
        kind = _file_kind(path)
        if kind is FileKind.PDF:
            is_text = classify_pdf(Blob(path.name, path), path, limits)
            if all(is_text):
                return PacketFormat.TEXT_PDF
            return PacketFormat.SCAN_PDF if not any(is_text) else PacketFormat.MIXED_PDF
        if kind is FileKind.IMAGE:
            probe_image(Blob(path.name, path), path, limits, verify=False)
            return PacketFormat.IMAGE
        if kind is FileKind.ZIP:
            with zipfile.ZipFile(path) as zf:
                docs = []
                for m in vet_zip(path, zf, limits):
                    label = f"{path.name}:{m.name}"
                    mkind = detect_kind(_member_head(zf, m)) if m.info.file_size else FileKind.EMPTY
                    if mkind is FileKind.PDF and m.info.file_size <= limits.max_in_memory_bytes:
                        docs.append((Blob(label, path, data=zf.read(m.info)), mkind))
                    else:
                        docs.append((Blob(label, path, member=m.info.filename), mkind))
            return PacketFormat.ZIP if _sniff_documents(path, docs, limits) else None
    except (IngestError, OSError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        return None
    return None


def _sniff_documents(input_path: Path, docs: list[tuple[Blob, FileKind]], limits: IngestLimits) -> bool:
    """True when the entries hold at least one document and none that ingest would refuse."""
    found = False
    for blob, kind in docs:
        if kind is FileKind.ZIP:
            return False
        if kind is FileKind.PDF:
            if blob.data is not None or blob.member is None:  # a spool-sized member is not opened here
                check_pdf(blob, input_path, limits)
            found = True
        elif kind is FileKind.IMAGE:
            probe_image(blob, input_path, limits, verify=False)
            found = True
    return found


def packet_units(packet: Packet) -> Units:
    """ "pt" when every page was read from a PDF text layer, else "px@200dpi"."""
    if packet.pages and all(p.kind is PageKind.TEXT for p in packet.pages):
        return Units.PT
    return Units.PX_200DPI


# --- single files -------------------------------------------------------------------------


def _file_kind(path: Path) -> FileKind:
    if path.stat().st_size == 0:
        raise ingest_error(path, "empty", "文件为空（0 字节）", "file is empty (0 bytes)")
    with path.open("rb") as fh:
        return detect_kind(fh.read(HEAD_BYTES))


def _refuse_unreadable_kind(path: Path, kind: FileKind, label: str | None = None) -> None:
    if kind is FileKind.EMPTY:
        raise ingest_error(path, "empty", "文件为空（0 字节）", "file is empty (0 bytes)", label)
    if kind is FileKind.OFFICE:
        raise ingest_error(
            path,
            "not_a_document",
            "这是 Word/Excel 文档，不是 PDF 或图片",
            "a Word/Excel file, not a PDF or image",
            label,
        )
    if kind is FileKind.HEIF:
        raise ingest_error(
            path,
            "unsupported_format",
            "HEIC/HEIF 图片无法读取，请转换为 JPG",
            "HEIC/HEIF images are not supported",
            label,
        )
    if kind is FileKind.OTHER:
        raise ingest_error(
            path,
            "not_a_document",
            "文件内容不是 PDF、图片或压缩包",
            "content is not a PDF, image or zip",
            label,
        )


def _pdf_format(pages: list[Page]) -> PacketFormat:
    kinds = {p.kind for p in pages}
    if kinds == {PageKind.TEXT}:
        return PacketFormat.TEXT_PDF
    if kinds == {PageKind.SCAN}:
        return PacketFormat.SCAN_PDF
    return PacketFormat.MIXED_PDF


# --- folders ------------------------------------------------------------------------------


def folder_files(folder: Path, warnings: list[str] | None = None) -> list[tuple[str, Path]]:
    """(relative posix name, path) of every regular, non-junk file, natural order. Symlinks are
    skipped: they could pull in files from outside the submitted folder."""
    out: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        rel_root = Path(root).relative_to(folder)
        dirs[:] = [d for d in dirs if not is_junk((*rel_root.parts, d, "x"))]
        for name in files:
            p = Path(root) / name
            rel = (rel_root / name).as_posix()
            if is_junk(tuple(Path(rel).parts)):
                continue
            if p.is_symlink():
                if warnings is not None:
                    warnings.append(f"{folder.name}/{rel}: 符号链接，已忽略 / symlink ignored")
                continue
            if p.is_file():
                out.append((rel, p))
    out.sort(key=lambda item: natural_key(item[0]))
    return out


def _ingest_folder(folder: Path, limits: IngestLimits) -> Packet:
    warnings: list[str] = []
    files = folder_files(folder, warnings)
    if len(files) > limits.max_zip_members:
        raise ingest_error(
            folder,
            "too_many_pages",
            f"文件夹内文件过多（{len(files)} 个）",
            f"too many files in folder ({len(files)})",
        )
    pages: list[Page] = []
    for rel, p in files:
        blob = Blob(f"{folder.name}/{rel}", p)
        kind = detect_kind(_head(p)) if p.stat().st_size else FileKind.EMPTY
        _add_document(folder, blob, kind, limits, pages, warnings)
    if not pages:
        raise ingest_error(
            folder,
            "empty",
            "文件夹中没有可读取的图片或 PDF",
            "folder holds no readable image or PDF",
            folder.name,
        )
    return _packet(folder, folder.name, PacketFormat.IMAGE_FOLDER, folder_sha256(files), pages, warnings)


# --- zips ---------------------------------------------------------------------------------


def _ingest_zip(path: Path, limits: IngestLimits) -> Packet:
    sha = file_sha256(path)
    warnings: list[str] = []
    pages: list[Page] = []
    spool: list[str] = []  # temp dirs for PDF members too big to hold in memory
    try:
        with zipfile.ZipFile(path) as zf:
            members = vet_zip(path, zf, limits)
            for m in members:
                label = f"{path.name}:{m.name}"
                kind = detect_kind(_member_head(zf, m)) if m.info.file_size else FileKind.EMPTY
                if kind is FileKind.PDF:
                    blob = _pdf_member_blob(zf, m, path, label, limits, spool)
                else:
                    blob = Blob(label, path, member=m.info.filename)
                _add_document(path, blob, kind, limits, pages, warnings)
        if not pages:
            raise ingest_error(
                path, "empty", "压缩包中没有可读取的 PDF 或图片", "zip holds no readable PDF or image"
            )
        packet = _packet(path, path.stem, PacketFormat.ZIP, sha, pages, warnings)
    except IngestError:
        _cleanup(spool)
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as exc:
        _cleanup(spool)
        raise ingest_error(
            path, "corrupt", "压缩包损坏或不完整", f"zip is corrupt or truncated ({exc})"
        ) from exc
    except BaseException:
        _cleanup(spool)
        raise
    if spool:
        # The spooled PDFs must outlive ingest (pages render from them) but not the Packet.
        weakref.finalize(packet, _cleanup, list(spool))
    return packet


def _pdf_member_blob(
    zf: zipfile.ZipFile, m: ZipMember, path: Path, label: str, limits: IngestLimits, spool: list[str]
) -> Blob:
    if m.info.file_size <= limits.max_in_memory_bytes:
        return Blob(label, path, data=zf.read(m.info))
    tmp = tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-")
    spool.append(tmp)
    target = Path(tmp) / f"member{len(spool)}.pdf"
    with zf.open(m.info) as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    return Blob(label, target)


def _member_head(zf: zipfile.ZipFile, m: ZipMember) -> bytes:
    with zf.open(m.info) as fh:
        return fh.read(HEAD_BYTES)


def _cleanup(dirs: list[str]) -> None:
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


# Spool folders are named by the process that made them: one whose process is gone (killed
# before its finaliser ran) holds a copy of an applicant's PDF that nobody will delete.
SPOOL_PREFIX = "shenbao-ingest-"


def remove_orphan_spools(tmp_dir: Path | None = None) -> int:
    """Delete the spool folders whose process no longer runs; how many were deleted."""
    removed = 0
    for folder in Path(tmp_dir or tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        pid_text = folder.name[len(SPOOL_PREFIX):].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)) or not folder.is_dir() or folder.is_symlink():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += not folder.exists()
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    return True


# --- shared -------------------------------------------------------------------------------


def _add_document(
    input_path: Path, blob: Blob, kind: FileKind, limits: IngestLimits, pages: list[Page], warnings: list[str]
) -> None:
    """Append the pages of one folder entry / zip member; things that are not documents are
    skipped with a warning (a readme, a Word copy) so the reviewer sees what was left out."""
    if kind is FileKind.PDF:
        new, w = pdf_pages(blob, input_path, len(pages) + 1, limits)
        pages.extend(new)
        warnings.extend(w)
    elif kind is FileKind.IMAGE:
        pages.extend(image_pages(blob, input_path, len(pages) + 1, limits))
    elif kind is FileKind.ZIP:
        raise ingest_error(
            input_path,
            "nested_archive",
            "包含嵌套压缩包，请解压后重新提交",
            "contains a nested archive; unpack it and resubmit",
            blob.label,
        )
    else:
        what = {
            FileKind.EMPTY: ("空文件", "empty file"),
            FileKind.OFFICE: (
                "Word/Excel 文档无法读取，请转换为 PDF",
                "Word/Excel file cannot be read; convert to PDF",
            ),
            FileKind.HEIF: (
                "HEIC/HEIF 图片无法读取，请转换为 JPG",
                "HEIC/HEIF image not supported; convert to JPG",
            ),
        }.get(kind, ("不是 PDF 或图片", "not a PDF or image"))
        warnings.append(f"{blob.label}: {what[0]}，已忽略 / {what[1]}; ignored")


def _packet(
    path: Path, packet_id: str, fmt: PacketFormat, sha: str, pages: list[Page], warnings: list[str]
) -> Packet:
    all_text = all(p.kind is PageKind.TEXT for p in pages)
    for p in pages:
        if p.kind is PageKind.TEXT:
            # A text page among rendered pages reports in the packet's px@200dpi units.
            p.unit_scale = 1.0 if all_text else RENDER_DPI / POINTS_PER_INCH
    return Packet(packet_id=packet_id, path=path, format=fmt, sha256=sha, pages=pages, warnings=warnings)


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def folder_sha256(files: list[tuple[str, Path]]) -> str:
    """A folder packet's digest: its files' relative names and digests, in reading order."""
    digest = hashlib.sha256()
    for rel, path in files:
        digest.update(rel.encode("utf-8") + b"\0" + file_sha256(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()
