"""Zip archives: vet the central directory (zip slip, zip bombs, encryption) before reading
a single member, and recover Chinese member names written by Windows archivers."""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from shenbao.pipeline.ingest_errors import ingest_error
from shenbao.pipeline.limits import IngestLimits
from shenbao.pipeline.sources import is_junk, natural_key

_DRIVE = re.compile(r"^[A-Za-z]:")
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class ZipMember:
    name: str  # decoded relative path, "/"-separated, for sorting and messages
    info: zipfile.ZipInfo  # what zipfile needs to read it

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.name).parts


def decoded_name(info: zipfile.ZipInfo) -> str:
    """Windows archivers store GBK names without the UTF-8 flag; zipfile then decodes them as
    cp437 mojibake. Re-decode so 申报表.pdf sorts and reads as itself."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for enc in ("utf-8", "gbk"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
    return name


def vet_zip(path: Path, zf: zipfile.ZipFile, limits: IngestLimits) -> list[ZipMember]:
    """Check the whole directory first, then return the file members worth reading, in natural
    name order (junk such as __MACOSX/ and Thumbs.db dropped). Declared sizes can be trusted for
    the bomb check because zipfile stops reading a member at its declared size."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise ingest_error(
            path,
            "zip_bomb",
            f"压缩包成员过多（{len(infos)} 个，上限 {limits.max_zip_members}）",
            f"too many zip members ({len(infos)}, limit {limits.max_zip_members})",
        )
    total = 0
    members: list[ZipMember] = []
    for info in infos:
        name = decoded_name(info)
        _check_slip(path, info, name)
        total += info.file_size
        if total > limits.max_zip_total_bytes:
            raise ingest_error(
                path,
                "zip_bomb",
                f"压缩包解压后过大（超过 {limits.max_zip_total_bytes / 2**20:.0f} MB）",
                f"zip expands beyond {limits.max_zip_total_bytes / 2**20:.0f} MB",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.zip_ratio_min_bytes and ratio > limits.max_zip_ratio:
            raise ingest_error(
                path,
                "zip_bomb",
                f"压缩包成员压缩比异常（{ratio:.0f}:1）：{name}",
                f"zip member compression ratio {ratio:.0f}:1 is a zip bomb sign: {name}",
            )
        if info.is_dir():
            continue
        member = ZipMember(name.replace("\\", "/"), info)
        if is_junk(member.parts):
            continue
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise ingest_error(
                path,
                "encrypted",
                f"压缩包已加密，需要密码：{name}",
                f"zip member is password-protected: {name}",
            )
        members.append(member)
    members.sort(key=lambda m: natural_key(m.name))
    return members


def _check_slip(path: Path, info: zipfile.ZipInfo, name: str) -> None:
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    escapes = norm.startswith("/") or bool(_DRIVE.match(norm)) or ".." in parts
    # A member stored as a symlink (unix mode in the high bits) could point anywhere once extracted.
    is_link = info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)
    if escapes or is_link:
        what = "符号链接" if is_link else "路径越界"
        raise ingest_error(
            path,
            "zip_slip",
            f"压缩包成员{what}，拒绝处理：{name}",
            f"zip member {'is a symlink' if is_link else 'escapes the archive folder'}: {name}",
        )
