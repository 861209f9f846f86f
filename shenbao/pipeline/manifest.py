"""The batch manifest (when each packet arrived, from whom) and the registry of existing studio leaders.

Bureau staff keep these in Excel, so a CSV may come as UTF-8 with a BOM or as GBK; both are read.
A malformed row is reported with its line number instead of failing the whole batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

MANIFEST_COLUMNS = ("packet_id", "jurisdiction", "received_at", "recommender")
REGISTRY_COLUMNS = ("name", "id_number", "jurisdiction", "studio", "year")


class TableError(ValueError):
    """A manifest or registry file that cannot be used at all (missing columns, unreadable)."""


@dataclass(frozen=True)
class ManifestEntry:
    packet_id: str
    jurisdiction: str | None  # a rule pack key (data/rules/<key>.yaml)
    received_at: datetime | None
    recommender: str | None

    @property
    def submission_date(self) -> date | None:
        return self.received_at.date() if self.received_at else None


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    id_number: str
    jurisdiction: str | None
    studio: str | None
    year: int | None


@dataclass
class Manifest:
    rows: dict[str, ManifestEntry]
    problems: list[str]


@dataclass
class Registry:
    rows: list[RegistryEntry]
    problems: list[str]


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f"{path.name}: 无法识别文件编码（既不是 UTF-8 也不是 GBK） / unknown text encoding")


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(f"{path.name}: 缺少列 {', '.join(missing)} / missing columns")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            rows.append((line_no, clean))
    return rows


def parse_received_at(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    for fmt in (
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return datetime.fromisoformat(text)


def read_manifest(path: Path, jurisdictions: Iterable[str] | None = None) -> Manifest:
    """`jurisdictions`: the keys accepted (default: every rule pack in data/rules/)."""
    if jurisdictions is None:
        from shenbao.rules.pack import available_packs

        jurisdictions = available_packs()
    known = set(jurisdictions)
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    for line_no, row in _rows(path, ("packet_id",)):
        packet_id = row["packet_id"]
        if not packet_id:
            problems.append(f"{path.name}:{line_no}: packet_id 为空 / empty packet_id")
            continue
        jurisdiction: str | None = None
        if row.get("jurisdiction"):
            if row["jurisdiction"] in known:
                jurisdiction = row["jurisdiction"]
            else:
                problems.append(
                    f"{path.name}:{line_no}: 未知辖区 {row['jurisdiction']!r}（没有对应的规则包） / unknown jurisdiction"
                )
        received_at = None
        try:
            received_at = parse_received_at(row.get("received_at", ""))
        except ValueError:
            problems.append(
                f"{path.name}:{line_no}: 无法解析收件时间 {row['received_at']!r} / bad received_at"
            )
        if packet_id in entries:
            problems.append(
                f"{path.name}:{line_no}: packet_id {packet_id} 重复 / duplicate row, last one kept"
            )
        entries[packet_id] = ManifestEntry(
            packet_id, jurisdiction, received_at, row.get("recommender") or None
        )
    return Manifest(entries, problems)


def read_registry(path: Path) -> Registry:
    entries: list[RegistryEntry] = []
    problems: list[str] = []
    for line_no, row in _rows(path, ("name", "id_number")):
        id_number = row["id_number"].upper()
        if not id_number:
            problems.append(f"{path.name}:{line_no}: 身份证号为空 / empty id_number")
            continue
        year_text = row.get("year", "")
        entries.append(
            RegistryEntry(
                name=row["name"],
                id_number=id_number,
                jurisdiction=row.get("jurisdiction") or None,
                studio=row.get("studio") or None,
                year=int(year_text) if year_text.isdigit() else None,
            )
        )
    return Registry(entries, problems)
