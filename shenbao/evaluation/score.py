"""Scoring a run against ground truth, exactly as spec/RESULT.md "Scoring" defines it.

- Field accuracy: every (packet, field) pair present in the truth; the result's normalised value
  must equal the truth's exactly. null is a value: a truth null is matched by a null or absent
  result field. Numbers compare by value (300 == 300.0); a number never equals a string.
- Award F1: claimed awards matched by (title, year), as multisets per packet.
- Finding F1: findings matched by (code, set of fields named, set of documents named), as
  multisets per packet; LOW_CONFIDENCE is left out on both sides.
- Document accuracy: truth pages whose type the result gives (alone) for that page; a page the
  result leaves out, or gives two types, is wrong. Plus jurisdiction accuracy per packet.

Everything is micro-averaged: counts are summed over the corpus (or a breakdown group), then divided.
A missing or unreadable result scores nothing: every truth field (nulls included), page and
jurisdiction wrong, every truth award and finding missed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shenbao.evaluation.calibration import Calibration, calibrate
from shenbao.evaluation.load import ResultProblem, load_results, load_truth
from shenbao.models import FindingCode, Result

# Reviewer hints, not claims about the packet: RESULT.md leaves them out of the score.
UNSCORED_FINDING_CODES = frozenset({FindingCode.LOW_CONFIDENCE.value})

ALL_FORMATS = "all"
UNKNOWN = "unknown"


def _ratio(num: int, den: int) -> float | None:
    # None, not 0 or 1: with nothing to count the metric is undefined, and saying so is honest.
    return num / den if den else None


@dataclass
class Tally:
    """Right out of total (fields, pages, packets' jurisdictions)."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def count(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.total += other.total

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy}


@dataclass
class Match:
    """Matched (tp), only in the result (fp), only in the truth (fn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def add(self, other: Match) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class Scores:
    """The four RESULT.md metrics' counts for a set of packets."""

    packets: int = 0
    fields: Tally = field(default_factory=Tally)
    awards: Match = field(default_factory=Match)
    findings: Match = field(default_factory=Match)
    pages: Tally = field(default_factory=Tally)
    jurisdiction: Tally = field(default_factory=Tally)

    def add(self, other: Scores) -> None:
        self.packets += other.packets
        self.fields.add(other.fields)
        self.awards.add(other.awards)
        self.findings.add(other.findings)
        self.pages.add(other.pages)
        self.jurisdiction.add(other.jurisdiction)

    def summary(self) -> dict[str, float | None]:
        """The headline numbers."""
        return {
            "field_accuracy": self.fields.accuracy,
            "award_f1": self.awards.f1,
            "finding_f1": self.findings.f1,
            "finding_precision": self.findings.precision,
            "finding_recall": self.findings.recall,
            "document_accuracy": self.pages.accuracy,
            "jurisdiction_accuracy": self.jurisdiction.accuracy,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "packets": self.packets,
            "summary": self.summary(),
            "fields": self.fields.to_dict(),
            "awards": self.awards.to_dict(),
            "findings": self.findings.to_dict(),
            "pages": self.pages.to_dict(),
            "jurisdiction": self.jurisdiction.to_dict(),
        }


@dataclass(frozen=True)
class EvalError:
    """One thing the result got wrong. kind: field, award, finding, page or jurisdiction.
    For awards and findings, `expected` is None for one only in the result (fp) and `got`
    is None for one only in the truth (fn)."""

    packet_id: str
    kind: str
    key: str
    expected: Any
    got: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "packet_id": self.packet_id,
            "kind": self.kind,
            "key": self.key,
            "expected": self.expected,
            "got": self.got,
        }


@dataclass
class PacketScore:
    """One packet's counts, with the breakdowns that are summed across packets."""

    packet_id: str
    scores: Scores = field(default_factory=lambda: Scores(packets=1))
    by_field: dict[str, Tally] = field(default_factory=dict)
    by_finding_code: dict[str, Match] = field(default_factory=dict)
    by_document_type: dict[str, Tally] = field(default_factory=dict)
    errors: list[EvalError] = field(default_factory=list)


@dataclass
class EvalReport:
    overall: Scores
    by_format: dict[str, Scores]
    by_jurisdiction: dict[str, Scores]
    by_field: dict[str, Tally]
    by_finding_code: dict[str, Match]
    by_document_type: dict[str, Tally]
    errors: list[EvalError]
    result_problems: list[ResultProblem]
    packets: list[PacketScore]
    calibration: Calibration = field(default_factory=Calibration)

    def worst_fields(self) -> list[tuple[str, Tally]]:
        """Field keys, lowest accuracy first (ties: most errors first, then by name)."""
        return sorted(
            self.by_field.items(),
            key=lambda kv: (kv[1].accuracy if kv[1].accuracy is not None else 1.0, -kv[1].total, kv[0]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "packets": self.overall.packets,
            "summary": self.overall.summary(),
            "overall": self.overall.to_dict(),
            "by_format": {k: v.to_dict() for k, v in self.by_format.items()},
            "by_jurisdiction": {k: v.to_dict() for k, v in self.by_jurisdiction.items()},
            "by_field": {k: v.to_dict() for k, v in self.worst_fields()},
            "by_finding_code": {k: v.to_dict() for k, v in sorted(self.by_finding_code.items())},
            "by_document_type": {k: v.to_dict() for k, v in sorted(self.by_document_type.items())},
            "result_problems": [
                {"packet_id": p.packet_id, "reason": p.reason, "path": p.path} for p in self.result_problems
            ],
            "errors": [e.to_dict() for e in self.errors],
            "calibration": self.calibration.to_dict(),
        }


def values_equal(expected: Any, got: Any) -> bool:
    """Exact equality of normalised values; ints and floats by value, never across types otherwise."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return expected == got
    if expected is None or got is None:
        return expected is None and got is None
    return type(expected) is type(got) and expected == got


def _award_key(award: Any) -> tuple[str | None, int | None]:
    return (award.title, award.year)


def _finding_key(finding: Any) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    # Sets, not lists: the order a finding names its fields or documents in carries no meaning.
    return (str(finding.code), tuple(sorted(set(finding.fields))), tuple(sorted(set(finding.documents))))


def _page_types(result: Result) -> dict[int, set[str]]:
    pages: dict[int, set[str]] = {}
    for doc in result.documents:
        for page in doc.pages:
            pages.setdefault(page, set()).add(str(doc.type))
    return pages


def _match_multisets(
    truth: Counter[Any], got: Counter[Any]
) -> tuple[Counter[Any], Counter[Any], Counter[Any]]:
    tp = truth & got
    return tp, got - tp, truth - tp


def score_packet(
    truth: Result, result: Result | None, packet_id: str | None = None, absent_reason: str = "missing"
) -> PacketScore:
    """Score one packet's result against its truth. None (no usable result) gets every truth
    field, page and the jurisdiction wrong and misses every award and finding."""
    pid = packet_id or truth.packet_id
    # No usable result earns nothing, not even the truth's nulls: "said nothing" is not "said null".
    present = result is not None
    res = result if result is not None else Result(packet_id=pid)
    ps = PacketScore(pid)
    s = ps.scores

    for key, truth_field in truth.fields.items():
        expected = truth_field.value
        got_field = res.fields.get(key)
        got = got_field.value if got_field is not None else None
        ok = present and values_equal(expected, got)
        s.fields.count(ok)
        ps.by_field.setdefault(key, Tally()).count(ok)
        if not ok:
            ps.errors.append(EvalError(pid, "field", key, expected, got))

    tp, fp, fn = _match_multisets(
        Counter(_award_key(a) for a in truth.awards), Counter(_award_key(a) for a in res.awards)
    )
    s.awards.add(Match(sum(tp.values()), sum(fp.values()), sum(fn.values())))
    for (title, year), n in sorted(fn.items(), key=repr):
        ps.errors.extend([EvalError(pid, "award", f"{title}/{year}", [title, year], None)] * n)
    for (title, year), n in sorted(fp.items(), key=repr):
        ps.errors.extend([EvalError(pid, "award", f"{title}/{year}", None, [title, year])] * n)

    tp, fp, fn = _match_multisets(
        Counter(_finding_key(f) for f in truth.findings if str(f.code) not in UNSCORED_FINDING_CODES),
        Counter(_finding_key(f) for f in res.findings if str(f.code) not in UNSCORED_FINDING_CODES),
    )
    for counter, attr in ((tp, "tp"), (fp, "fp"), (fn, "fn")):
        for (code, _, _), n in counter.items():
            m = ps.by_finding_code.setdefault(code, Match())
            setattr(m, attr, getattr(m, attr) + n)
            setattr(s.findings, attr, getattr(s.findings, attr) + n)
    for (code, fields, docs), n in sorted(fn.items()):
        named = {"fields": list(fields), "documents": list(docs)}
        ps.errors.extend([EvalError(pid, "finding", code, named, None)] * n)
    for (code, fields, docs), n in sorted(fp.items()):
        named = {"fields": list(fields), "documents": list(docs)}
        ps.errors.extend([EvalError(pid, "finding", code, None, named)] * n)

    got_pages = _page_types(res)
    truth_pages: dict[int, str] = {}
    for doc in truth.documents:
        for page in doc.pages:
            truth_pages.setdefault(page, str(doc.type))
    for page, expected_type in sorted(truth_pages.items()):
        got_types = got_pages.get(page, set())
        ok = got_types == {expected_type}
        s.pages.count(ok)
        ps.by_document_type.setdefault(expected_type, Tally()).count(ok)
        if not ok:
            got_type: str | None = "|".join(sorted(got_types)) if got_types else None
            ps.errors.append(EvalError(pid, "page", f"page {page}", expected_type, got_type))

    truth_jur = str(truth.jurisdiction) if truth.jurisdiction is not None else None
    got_jur = str(res.jurisdiction) if res.jurisdiction is not None else None
    ok = present and truth_jur == got_jur
    s.jurisdiction.count(ok)
    if not ok:
        ps.errors.append(EvalError(pid, "jurisdiction", "jurisdiction", truth_jur, got_jur))
    if not present:
        # One line, not one per field: the whole result is missing, and the list stays readable.
        ps.errors = [EvalError(pid, "result", "result.json", "a result", absent_reason)]
    return ps


def evaluate(truth_dir: Path, results_dir: Path, formats: dict[str, str] | None = None) -> EvalReport:
    """Score the results under `results_dir` against the truth in `truth_dir`.

    truth_dir: a directory of `<packet_id>.json`, or a corpus root holding `truth/`.
    results_dir: `<packet_id>/result.json`, `<packet_id>.json`, or `<run>/<packet_id>/result.json`.
    formats: packet_id -> format name for the per-format split; None puts every packet under "all".
    Raises EvalInputError when either location is unusable or a truth file is invalid.
    """
    truth = load_truth(Path(truth_dir))
    results, problems = load_results(Path(results_dir), list(truth))
    return build_report(truth, results, problems, formats)


def build_report(
    truth: dict[str, Result],
    results: dict[str, Result],
    problems: list[ResultProblem] | None = None,
    formats: dict[str, str] | None = None,
) -> EvalReport:
    """Score already-loaded truth and results (keyed by packet id)."""
    report = EvalReport(
        overall=Scores(),
        by_format={},
        by_jurisdiction={},
        by_field={},
        by_finding_code={},
        by_document_type={},
        errors=[],
        result_problems=list(problems or []),
        packets=[],
    )
    reasons = {p.packet_id: p.reason for p in report.result_problems}
    for pid in sorted(truth):
        ps = score_packet(truth[pid], results.get(pid), pid, reasons.get(pid, "missing"))
        report.packets.append(ps)
        report.overall.add(ps.scores)
        fmt = ALL_FORMATS if formats is None else formats.get(pid, UNKNOWN)
        report.by_format.setdefault(fmt, Scores()).add(ps.scores)
        jur = str(truth[pid].jurisdiction) if truth[pid].jurisdiction is not None else UNKNOWN
        report.by_jurisdiction.setdefault(jur, Scores()).add(ps.scores)
        for key, tally in ps.by_field.items():
            report.by_field.setdefault(key, Tally()).add(tally)
        for code, match in ps.by_finding_code.items():
            report.by_finding_code.setdefault(code, Match()).add(match)
        for doc_type, tally in ps.by_document_type.items():
            report.by_document_type.setdefault(doc_type, Tally()).add(tally)
        report.errors.extend(ps.errors)
    report.calibration = calibrate(truth, results)
    report.by_format = dict(sorted(report.by_format.items()))
    report.by_jurisdiction = dict(sorted(report.by_jurisdiction.items()))
    return report
