"""The results store: every packet result also goes into a database auditors can query across batches.

SQLite file by default (OUT/shenbao.sqlite); PostgreSQL (or any SQLAlchemy database) when given a
URL (`--db URL` / $SHENBAO_DB_URL), e.g. postgresql+psycopg://user:pass@host/shenbao (needs the
psycopg driver). Tables:

  packets             one row per (packet_id, input sha256); the whole result.json kept as well
  documents, fields, awards, findings   the result's parts, one row each, for querying
  reviewer_decisions  what a person decided about a packet / finding / field (kept across re-runs)
  audit_events        who/what wrote or changed a packet row, when

Writing the same packet (same id and content) again replaces its parts in place (an upsert), so
a re-run never duplicates rows and reviewer decisions stay attached. `read_result` rebuilds the
Result from the part tables alone, so a test can prove they hold everything.

Example (every claim of 武汉工匠 processed this year):

    SELECT p.packet_id, a.claimed_text, a.year FROM awards a JOIN packets p ON p.id = a.packet_pk
    WHERE a.title = '武汉工匠' AND p.processed_at >= '2026-01-01';
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from shenbao import __version__
from shenbao.models import Award, Document, FieldResult, Finding, Result

DEFAULT_DB_NAME = "shenbao.sqlite"


class Base(DeclarativeBase):
    pass


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC: the same on every backend


class PacketRow(Base):
    __tablename__ = "packets"
    __table_args__ = (UniqueConstraint("packet_id", "input_sha256", name="uq_packet_content"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(String(255), index=True)
    input_sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_name: Mapped[str | None] = mapped_column(String(1024))
    batch: Mapped[str | None] = mapped_column(String(1024), index=True)  # input folder / inbox
    jurisdiction: Mapped[str | None] = mapped_column(String(64), index=True)
    units: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(32))
    pages: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    shenbao_version: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    result_json: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    documents: Mapped[list[DocumentRow]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentRow.idx"
    )
    fields: Mapped[list[FieldRow]] = relationship(cascade="all, delete-orphan", order_by="FieldRow.idx")
    awards: Mapped[list[AwardRow]] = relationship(cascade="all, delete-orphan", order_by="AwardRow.idx")
    findings: Mapped[list[FindingRow]] = relationship(cascade="all, delete-orphan", order_by="FindingRow.idx")


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64), index=True)
    pages: Mapped[list[int]] = mapped_column(JSON)
    award_index: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # keys the contract may add


class FieldRow(Base):
    __tablename__ = "fields"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64), index=True)
    value_text: Mapped[str | None] = mapped_column(Text, index=False)
    value_num: Mapped[float | None] = mapped_column(Float)  # numbers, for range queries
    value_kind: Mapped[str] = mapped_column(String(8))  # str | int | float | bool | null
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[float] | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # keys the contract may add


class AwardRow(Base):
    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    claimed_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(255), index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    issuer: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[str | None] = mapped_column(String(64))
    match_score: Mapped[float | None] = mapped_column(Float)
    evidence_pages: Mapped[list[int]] = mapped_column(JSON)
    section: Mapped[str | None] = mapped_column(String(255))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # keys the contract may add


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    documents: Mapped[list[str]] = mapped_column(JSON)
    pages: Mapped[list[int]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # keys the contract may add


class ReviewerDecisionRow(Base):
    """A person's decision; not part of result.json, so an upsert of the packet never touches it."""

    __tablename__ = "reviewer_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int] = mapped_column(ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    finding_code: Mapped[str | None] = mapped_column(String(64))
    field_key: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(32))  # accept | reject | correct | note
    value: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_pk: Mapped[int | None] = mapped_column(ForeignKey("packets.id", ondelete="SET NULL"), index=True)
    packet_id: Mapped[str | None] = mapped_column(String(255), index=True)
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
    changed: Mapped[bool] = mapped_column(Boolean, default=True)


@dataclass
class StoredPacket:
    """Where a result went: its row id and whether the write changed anything."""

    pk: int
    created: bool
    changed: bool


def db_url_for(value: str | Path | None, out_dir: Path | None = None) -> str:
    """A SQLAlchemy URL from --db / $SHENBAO_DB_URL / the default OUT/shenbao.sqlite. A plain path
    means a SQLite file."""
    value = value or os.environ.get("SHENBAO_DB_URL") or None
    if value is None:
        if out_dir is None:
            raise ValueError("no database given and no output folder to put shenbao.sqlite in")
        value = Path(out_dir) / DEFAULT_DB_NAME
    text = str(value)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).resolve()}"


def _actor() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()} shenbao {__version__}"


class ResultStore:
    """A database of packet results. Thread-safe (one session per call)."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        if engine is None:
            if url.startswith("sqlite"):
                path = url.split("///", 1)[-1]
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                # Several processes (a batch and a watcher) may write: wait for the lock, don't fail.
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
        self.engine = engine
        Base.metadata.create_all(engine)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, value: str | Path | None = None, out_dir: Path | None = None) -> ResultStore:
        return cls(db_url_for(value, out_dir))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # --- writing ----------------------------------------------------------------------------

    def save_result(
        self,
        result: Result,
        input_sha256: str,
        *,
        source_name: str | None = None,
        batch: str | None = None,
        status: str | None = None,
        pages: int | None = None,
        event: str = "processed",
        detail: dict[str, Any] | None = None,
    ) -> StoredPacket:
        """Insert or replace the result of (packet_id, input_sha256); one audit event per call."""
        for attempt in range(2):
            try:
                return self._save(result, input_sha256, source_name, batch, status, pages, event, detail)
            except IntegrityError:
                # Another writer inserted the same packet between our select and insert: update it.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _save(
        self,
        result: Result,
        input_sha256: str,
        source_name: str | None,
        batch: str | None,
        status: str | None,
        pages: int | None,
        event_name: str,
        detail: dict[str, Any] | None,
    ) -> StoredPacket:
        text = result.to_json()
        with self.session() as session:
            row = session.scalars(
                select(PacketRow).where(
                    PacketRow.packet_id == result.packet_id, PacketRow.input_sha256 == input_sha256
                )
            ).one_or_none()
            created = row is None
            changed = created or row.result_json != text
            if row is None:
                row = PacketRow(packet_id=result.packet_id, input_sha256=input_sha256)
                session.add(row)
            row.source_name = source_name if source_name is not None else row.source_name
            row.batch = batch if batch is not None else row.batch
            row.status = status if status is not None else row.status
            row.pages = pages if pages is not None else row.pages
            row.jurisdiction = str(result.jurisdiction) if result.jurisdiction else None
            row.units = str(result.units) if result.units else None
            row.errors = sum(1 for f in result.findings if f.severity == "error")
            row.warnings = sum(1 for f in result.findings if f.severity == "warning")
            row.shenbao_version = __version__
            row.processed_at = _now()
            if changed:
                row.result_json = text
                row.extra = _extra(result)
                _replace_parts(session, row, result)
            session.flush()
            session.add(
                AuditEventRow(
                    packet_pk=row.id,
                    packet_id=result.packet_id,
                    input_sha256=input_sha256,
                    event=event_name,
                    detail={"batch": batch, "status": status, **(detail or {})},
                    actor=_actor(),
                    changed=changed,
                )
            )
            return StoredPacket(pk=row.id, created=created, changed=changed)

    def add_decision(
        self,
        packet_id: str,
        decision: str,
        reviewer: str,
        *,
        input_sha256: str | None = None,
        finding_code: str | None = None,
        field_key: str | None = None,
        value: str | None = None,
        note: str | None = None,
    ) -> int:
        """Record a reviewer's decision on the latest stored version of a packet."""
        with self.session() as session:
            row = self._latest(session, packet_id, input_sha256)
            if row is None:
                raise KeyError(f"{packet_id}: not in the results store")
            decision_row = ReviewerDecisionRow(
                packet_pk=row.id,
                finding_code=finding_code,
                field_key=field_key,
                decision=decision,
                value=value,
                reviewer=reviewer,
                note=note,
            )
            session.add(decision_row)
            session.flush()
            session.add(
                AuditEventRow(
                    packet_pk=row.id,
                    packet_id=packet_id,
                    input_sha256=row.input_sha256,
                    event="decision",
                    detail={"decision": decision, "finding_code": finding_code, "field_key": field_key},
                    actor=reviewer,
                )
            )
            return decision_row.id

    # --- reading ----------------------------------------------------------------------------

    @staticmethod
    def _latest(session: Session, packet_id: str, input_sha256: str | None) -> PacketRow | None:
        query = select(PacketRow).where(PacketRow.packet_id == packet_id)
        if input_sha256:
            query = query.where(PacketRow.input_sha256 == input_sha256)
        return session.scalars(query.order_by(PacketRow.processed_at.desc(), PacketRow.id.desc())).first()

    def read_result(self, packet_id: str, input_sha256: str | None = None) -> Result | None:
        """The stored result (the latest one when the packet was stored with several contents),
        rebuilt from the part tables."""
        with self.session() as session:
            row = self._latest(session, packet_id, input_sha256)
            return _result_of(row) if row is not None else None

    def read_result_json(self, packet_id: str, input_sha256: str | None = None) -> str | None:
        with self.session() as session:
            row = self._latest(session, packet_id, input_sha256)
            return row.result_json if row is not None else None

    def packet_ids(self) -> list[tuple[str, str]]:
        with self.session() as session:
            rows = session.execute(select(PacketRow.packet_id, PacketRow.input_sha256).order_by(PacketRow.id))
            return [(r[0], r[1]) for r in rows]

    def award_claims(self, title: str, since: datetime | None = None) -> list[dict[str, Any]]:
        """Every stored claim of the honour `title` (optionally processed since a date)."""
        query = (
            select(PacketRow.packet_id, PacketRow.jurisdiction, AwardRow.claimed_text, AwardRow.year, PacketRow.processed_at)
            .join(AwardRow, AwardRow.packet_pk == PacketRow.id)
            .where(AwardRow.title == title)
            .order_by(PacketRow.processed_at, PacketRow.packet_id)
        )
        if since is not None:
            query = query.where(PacketRow.processed_at >= since)
        with self.session() as session:
            return [
                {"packet_id": r[0], "jurisdiction": r[1], "claimed_text": r[2], "year": r[3], "processed_at": r[4]}
                for r in session.execute(query)
            ]

    def decisions(self, packet_id: str) -> list[ReviewerDecisionRow]:
        with self.session() as session:
            query = (
                select(ReviewerDecisionRow)
                .join(PacketRow, ReviewerDecisionRow.packet_pk == PacketRow.id)
                .where(PacketRow.packet_id == packet_id)
                .order_by(ReviewerDecisionRow.id)
            )
            return list(session.scalars(query))

    def audit_events(self, packet_id: str | None = None) -> list[AuditEventRow]:
        with self.session() as session:
            query = select(AuditEventRow).order_by(AuditEventRow.id)
            if packet_id is not None:
                query = query.where(AuditEventRow.packet_id == packet_id)
            return list(session.scalars(query))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _value_columns(value: Any) -> tuple[str | None, float | None, str]:
    if value is None:
        return None, None, "null"
    if isinstance(value, bool):
        return json.dumps(value), float(value), "bool"
    if isinstance(value, int):
        return str(value), float(value), "int"
    if isinstance(value, float):
        return repr(value), value, "float"
    return str(value), None, "str"


def _value_of(text: str | None, kind: str) -> Any:
    if kind == "null" or text is None:
        return None
    if kind == "bool":
        return json.loads(text)
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


def _replace_parts(session: Session, row: PacketRow, result: Result) -> None:
    if row.id is not None:
        for table in (DocumentRow, FieldRow, AwardRow, FindingRow):
            session.execute(delete(table).where(table.packet_pk == row.id))
        session.expire(row, ["documents", "fields", "awards", "findings"])
    row.documents = [
        DocumentRow(idx=i, type=str(d.type), pages=list(d.pages), award_index=d.award_index,
                    extra=_document_extra(d))
        for i, d in enumerate(result.documents)
    ]
    fields = []
    for i, (key, f) in enumerate(result.fields.items()):
        text, num, kind = _value_columns(f.value)
        fields.append(
            FieldRow(
                idx=i, key=key, value_text=text, value_num=num, value_kind=kind,
                page=f.page, bbox=f.bbox, confidence=f.confidence, extra=_extra(f),
            )
        )
    row.fields = fields
    row.awards = [
        AwardRow(
            idx=i, claimed_text=a.claimed_text, title=a.title, year=a.year, issuer=a.issuer, level=a.level,
            match_score=a.match_score, evidence_pages=list(a.evidence_pages), section=a.section, extra=_extra(a),
        )
        for i, a in enumerate(result.awards)
    ]
    row.findings = [
        FindingRow(
            idx=i, code=str(f.code), severity=str(f.severity), fields=list(f.fields),
            documents=list(f.documents), pages=list(f.pages), message=f.message, extra=_extra(f),
        )
        for i, f in enumerate(result.findings)
    ]


def _document_extra(document: Document) -> dict[str, Any] | None:
    """A document's keys beyond type/pages/award_index: its evidence fields and any unknown keys."""
    extra = _extra(document) or {}
    if document.fields is not None:
        extra["fields"] = {k: (f.model_dump(mode="json") if f is not None else None) for k, f in document.fields.items()}
    return extra or None


def _extra(model: Any) -> dict[str, Any] | None:
    """Keys beyond the contract's own (the models keep unknown keys: a rule's citation, …)."""
    extra = model.model_dump(mode="json", include=set(model.model_extra or {}))
    return extra or None


def _result_of(row: PacketRow) -> Result:
    return Result(
        **(row.extra or {}),
        packet_id=row.packet_id,
        jurisdiction=row.jurisdiction,
        units=row.units,
        documents=[
            Document(type=d.type, pages=list(d.pages), award_index=d.award_index, **(d.extra or {}))
            for d in row.documents
        ],
        fields={
            f.key: FieldResult(
                value=_value_of(f.value_text, f.value_kind), page=f.page, bbox=f.bbox, confidence=f.confidence,
                **(f.extra or {}),
            )
            for f in row.fields
        },
        awards=[
            Award(
                claimed_text=a.claimed_text, title=a.title, year=a.year, issuer=a.issuer, level=a.level,
                match_score=a.match_score, evidence_pages=list(a.evidence_pages), section=a.section,
                **(a.extra or {}),
            )
            for a in row.awards
        ],
        findings=[
            Finding(
                code=f.code, severity=f.severity, fields=list(f.fields), documents=list(f.documents),
                pages=list(f.pages), message=f.message, **(f.extra or {}),
            )
            for f in row.findings
        ],
    )
