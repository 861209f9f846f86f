"""Stage "corroborate": form values the recogniser garbled, mended from the packet's other
documents (what may be mended and from where: data/corroboration.yaml; how it is decided:
shenbao.matchers.corroborate). Runs after the evidence readers, before the rules, so the rules
check the mended value; each mend is a LOW_CONFIDENCE finding that quotes the form's read, the
value taken and the page it came from.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from shenbao.extractors.form.grid import group_rows
from shenbao.matchers import corroborate as cb
from shenbao.models import DocumentType, Finding, FindingCode
from shenbao.models.labels import DOCUMENT_LABELS, FIELD_LABELS
from shenbao.pipeline.types import Page, PageKind

if TYPE_CHECKING:
    from shenbao.extractors.evidence.model import Evidence
    from shenbao.pipeline.review import PacketContext

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "corroboration.yaml"
FORM_DOCUMENTS = frozenset({DocumentType.COVER.value, DocumentType.APPLICATION_FORM.value})

# Two people's ID numbers share region and birth year (about 10 of 18 characters): a garbled
# form ID may differ from the ID card's in two characters at most to be taken as a misread of it.
# A credit code is the unit's own, on its own licence: the similarity rule alone holds there.
CODE_MAX_EDITS = {"master_id_number": 2}
MESSAGE = "{label}一栏识别为“{old}”，字迹不清；据{sources}改作“{new}”，请人工核对原件"


class CorroborationError(ValueError):
    """data/corroboration.yaml does not say what it must."""


@dataclass(frozen=True)
class CorroborationTable:
    skip_documents: frozenset[str]
    search: tuple[str, ...]
    entities: tuple[str, ...]
    labelled: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]  # key -> "document_type.reader_field" sources
    vocabularies: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # key -> (values, sources)

    @classmethod
    def load(cls, path: Path | None = None) -> CorroborationTable:
        return _load(str(path or DEFAULT_PATH))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> CorroborationTable:
    from shenbao.extractors.normalize import ETHNIC_GROUPS
    from shenbao.rules.misreads import MALFORMED

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    codes = {str(k): tuple(str(s) for s in v or []) for k, v in (raw.get("codes") or {}).items()}
    for key in codes:
        if key not in MALFORMED:
            raise CorroborationError(f"{path}: codes: no malformed-read check for {key!r}")
    vocabularies = {}
    for key, spec in (raw.get("vocabularies") or {}).items():
        values = spec.get("values")
        if values == "ethnic_groups":
            values = [group + "族" for group in ETHNIC_GROUPS]  # the normalised form (RESULT.md)
        if not isinstance(values, list | tuple) or not values:
            raise CorroborationError(f"{path}: vocabularies: {key} has no list of values")
        vocabularies[str(key)] = (tuple(str(v) for v in values), tuple(str(s) for s in spec.get("from") or []))
    table = CorroborationTable(
        skip_documents=frozenset(str(d) for d in raw.get("skip_documents") or []),
        search=tuple(str(k) for k in raw.get("search") or []),
        entities=tuple(str(k) for k in raw.get("entities") or []),
        labelled=tuple(str(k) for k in raw.get("labelled") or []),
        codes=codes,
        vocabularies=vocabularies,
    )
    for key in (*table.search, *table.entities, *table.labelled, *table.codes, *table.vocabularies):
        if key not in FIELD_LABELS:
            raise CorroborationError(f"{path}: {key!r} is not a canonical field key")
    return table


def stage_corroborate(ctx: PacketContext, table: CorroborationTable | None = None,
                      settings: cb.Settings | None = None) -> None:
    """Mend OCR-garbled form values from the packet's other documents (see module doc)."""
    if ctx.packet is None:
        return
    table = table or CorroborationTable.load()
    sources = _Sources(ctx, table)
    ocr_pages = {p.number for p in ctx.packet.pages if p.kind is PageKind.SCAN}
    trusted = (settings or cb.Settings()).form_trusted
    settled: dict[str, cb.Reading] = {}
    mended: set[str] = set()
    for key, field in list(ctx.result.fields.items()):
        if not isinstance(field.value, str) or not field.value or field.page is None:
            continue
        confidence = _confidence(field)
        if field.page not in ocr_pages:
            settled[key] = cb.Reading(field.value, field.page, 1.0, _field_source(key))
            continue
        mend = _try(_mend, key, field.value, confidence, field.page, table, sources, settings)
        if mend is not None and _apply(ctx, mend, field):
            mended.add(key)
        confirmed: list[int] = []
        if key in table.search:
            confirmed = cb.confirming_pages(field.value, [t for t in sources.texts() if t.page != field.page],
                                            settings)
            if confirmed:
                ctx.confirmed_values[key] = confirmed
        if key in mended or confidence >= trusted or (confirmed and key in table.entities):
            settled[key] = cb.Reading(field.value, field.page, confidence, _field_source(key))
    # A settled unit name or address put in place of its garbled copy inside the other values
    # (one mend per value: its finding quotes what the form read).
    for key in table.search:
        field = ctx.result.fields.get(key)
        if (key in mended or field is None or not isinstance(field.value, str) or not field.value
                or field.page not in ocr_pages):
            continue
        for entity_key in table.entities:
            entity = settled.get(entity_key)
            if entity is None or entity_key == key:
                continue
            mend = _try(cb.mend_with_entity, key, field.value, _confidence(field), entity, settings)
            if mend is not None and _apply(ctx, mend, field):
                break


def _confidence(field: Any) -> float:
    """A field's read confidence; one without any was not read by OCR (a text layer, the
    manifest), so it counts as sure."""
    return float(field.confidence) if field.confidence is not None else 1.0


def _try(make: Any, key: str, *args: Any) -> cb.Mend | None:
    try:
        return make(key, *args)
    except Exception:  # a mend is an improvement; failing one must not cost the packet
        log.exception("corroborating %s failed", key)
        return None


def _apply(ctx: PacketContext, mend: cb.Mend, field: Any) -> bool:
    """Put a mend into its field (normalised as the field is) and report it; False when it
    changes nothing."""
    from shenbao.extractors.normalize import normalize_field

    new = normalize_field(mend.key, mend.new)
    if not isinstance(new, str) or not new or new == field.value:
        return False
    field.value = new
    _report(ctx, mend, new, field.page)
    return True


def _field_source(key: str) -> str:
    return f"{FIELD_LABELS.get(key, key)}一栏"


def _mend(key: str, value: str, confidence: float, page: int, table: CorroborationTable,
          sources: _Sources, settings: cb.Settings | None) -> cb.Mend | None:
    if key in table.codes:
        from shenbao.rules.misreads import MALFORMED, code_fault

        return cb.mend_code(key, value, sources.evidence(table.codes[key]), MALFORMED[key],
                            lambda code: code_fault(key, code) is None, settings, CODE_MAX_EDITS.get(key))
    if key in table.vocabularies:
        values, spec = table.vocabularies[key]
        return cb.mend_from_vocabulary(key, value, values, sources.evidence(spec), settings, confidence)
    if key in table.labelled:
        readings = [r for r in sources.labelled(key) if r.page != page]
        return cb.mend_by_label(key, value, confidence, readings, settings)
    if key in table.search:
        texts = [t for t in sources.texts() if t.page != page]
        return cb.mend_by_search(key, value, confidence, texts, settings)
    return None


def _report(ctx: PacketContext, mend: cb.Mend, new: str, page: int) -> None:
    """One LOW_CONFIDENCE finding for the mended field, in place of the one its shaky read
    may already have (that one quotes the old value)."""
    ctx.result.findings = [f for f in ctx.result.findings
                           if not (f.code == FindingCode.LOW_CONFIDENCE and f.fields == [mend.key])]
    if mend.support:
        by_page: dict[int, str] = {}
        for r in mend.support:
            by_page.setdefault(r.page, r.source)
        sources = "、".join(f"{source}（第{p}页）" for p, source in sorted(by_page.items()))
    else:
        sources = "该栏的可选值"
    ctx.result.findings.append(
        Finding.make(
            FindingCode.LOW_CONFIDENCE,
            MESSAGE.format(label=FIELD_LABELS.get(mend.key, mend.key), old=mend.old, sources=sources, new=new),
            fields=[mend.key],
            pages=sorted({page, *(r.page for r in mend.support)}),
        )
    )


class _Sources:
    """The packet's other pages as texts, label-value readings and evidence values, each
    built on first use."""

    def __init__(self, ctx: PacketContext, table: CorroborationTable) -> None:
        assert ctx.packet is not None
        self.ctx = ctx
        self.table = table
        doc_of: dict[int, str] = {}
        for document in ctx.result.documents:
            for n in document.pages:
                doc_of[n] = str(getattr(document.type, "value", document.type))
        self.doc_of = doc_of
        self.pages: list[Page] = [p for p in ctx.packet.pages if doc_of.get(p.number) not in table.skip_documents]
        self._texts: list[cb.PageText] | None = None
        self._labelled: dict[str, list[cb.Reading]] | None = None

    def source(self, page: int) -> str:
        doc = self.doc_of.get(page, "other")
        return DOCUMENT_LABELS.get(doc, doc)

    def texts(self) -> list[cb.PageText]:
        if self._texts is None:
            self._texts = [page_text(p, self.source(p.number)) for p in self.pages if p.lines]
        return self._texts

    def labelled(self, key: str) -> list[cb.Reading]:
        if self._labelled is None:
            from shenbao.extractors.form.cover import read_label_pairs
            from shenbao.extractors.form.labels import LabelTable

            labels = LabelTable.load()
            jurisdiction = str(self.ctx.result.jurisdiction) if self.ctx.result.jurisdiction else None
            out: dict[str, list[cb.Reading]] = {}
            for p in self.pages:
                if self.doc_of.get(p.number) in FORM_DOCUMENTS:
                    continue  # the form's own cells are what is being checked
                for hit, k in read_label_pairs(p.lines, labels, jurisdiction):
                    if k in self.table.labelled and hit.raw.strip():
                        text = "".join(hit.raw.split())
                        out.setdefault(k, []).append(cb.Reading(text, p.number, hit.confidence, self.source(p.number)))
            self._labelled = out
        return self._labelled.get(key, [])

    def evidence(self, specs: tuple[str, ...]) -> list[cb.Reading]:
        evidence = self.ctx.evidence
        out: list[cb.Reading] = []
        if evidence is None:
            return out
        for spec in specs:
            doc_type, _, attr = spec.partition(".")
            for read in _reads_of(evidence, doc_type):
                value = getattr(read, attr, None)
                if value is not None and isinstance(value.value, str) and value.value:
                    out.append(cb.Reading(value.value, value.page, value.confidence, self.source(value.page)))
        return out


def _reads_of(evidence: Evidence, doc_type: str) -> list[Any]:
    if doc_type == "id_card":
        return list(evidence.id_cards)
    if doc_type == "business_license":
        return list(evidence.business_licenses)
    if doc_type in ("qualification_certificate", "title_certificate"):
        return [c for c in evidence.certificates if c.doc_type == doc_type]
    if doc_type == "honour_certificate":
        return list(evidence.honour_certificates)
    return []


def page_text(page: Page, source: str) -> cb.PageText:
    """The page's text in reading order, whitespace dropped, with each character's line
    confidence."""
    text: list[str] = []
    confidences: list[float] = []
    for row in group_rows(page.lines):
        for line in row:
            chars = "".join(line.text.split())
            text.append(chars)
            confidences += [float(line.confidence)] * len(chars)
    return cb.PageText(page.number, source, "".join(text), confidences)
