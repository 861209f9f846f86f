"""The plain-text report `shenbao eval` prints."""

from __future__ import annotations

import json
from typing import Any

from shenbao.evaluation.calibration import format_calibration
from shenbao.evaluation.score import EvalReport, Match, Scores, Tally

_DETAIL_WIDTH = 80


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _frac(tally: Tally) -> str:
    return f"{tally.correct}/{tally.total}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    # Column contents are ASCII (keys, codes, numbers), so str widths line up.
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _match_cells(m: Match) -> list[str]:
    return [_num(m.f1), _num(m.precision), _num(m.recall), str(m.tp), str(m.fp), str(m.fn)]


def _group_table(title: str, groups: dict[str, Scores]) -> list[str]:
    header = [title, "packets", "fields", "award F1", "finding F1", "find P", "find R", "pages", "jurisd."]
    rows = [
        [
            name,
            str(s.packets),
            _num(s.fields.accuracy),
            _num(s.awards.f1),
            _num(s.findings.f1),
            _num(s.findings.precision),
            _num(s.findings.recall),
            _num(s.pages.accuracy),
            _num(s.jurisdiction.accuracy),
        ]
        for name, s in groups.items()
    ]
    return _table(header, rows)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _DETAIL_WIDTH else text[: _DETAIL_WIDTH - 1] + "…"


def format_report(report: EvalReport, details: bool = False) -> str:
    """Headline metrics, the per-format / per-jurisdiction splits, the worst fields, per-code
    finding counts, per-type page accuracy, result problems, and with `details` every error."""
    o = report.overall
    out: list[str] = []
    missing = sum(1 for p in report.result_problems if p.reason == "missing")
    invalid = len(report.result_problems) - missing
    out.append(f"shenbao eval: {o.packets} packets, {missing} results missing, {invalid} invalid")
    out.append("")
    out += _table(
        ["metric", "score", "counts"],
        [
            ["field accuracy", _num(o.fields.accuracy), f"{_frac(o.fields)} fields"],
            [
                "award F1",
                _num(o.awards.f1),
                f"P {_num(o.awards.precision)} R {_num(o.awards.recall)} "
                f"(tp {o.awards.tp} fp {o.awards.fp} fn {o.awards.fn})",
            ],
            [
                "finding F1",
                _num(o.findings.f1),
                f"P {_num(o.findings.precision)} R {_num(o.findings.recall)} "
                f"(tp {o.findings.tp} fp {o.findings.fp} fn {o.findings.fn})",
            ],
            ["document accuracy", _num(o.pages.accuracy), f"{_frac(o.pages)} pages"],
            ["jurisdiction accuracy", _num(o.jurisdiction.accuracy), f"{_frac(o.jurisdiction)} packets"],
        ],
    )
    out += ["", "By format", *_group_table("format", report.by_format)]
    out += ["", "By jurisdiction", *_group_table("jurisdiction", report.by_jurisdiction)]

    field_rows = [[k, _num(t.accuracy), _frac(t)] for k, t in report.worst_fields()]
    out += ["", "Fields, worst first", *_table(["field", "accuracy", "right"], field_rows)]

    code_rows = [[code, *_match_cells(m)] for code, m in sorted(report.by_finding_code.items())]
    if code_rows:
        header = ["finding code", "F1", "P", "R", "tp", "fp", "fn"]
        out += ["", "Findings by code", *_table(header, code_rows)]

    doc_rows = [[t, _num(v.accuracy), _frac(v)] for t, v in sorted(report.by_document_type.items())]
    if doc_rows:
        out += ["", "Pages by true document type", *_table(["document type", "accuracy", "right"], doc_rows)]

    if report.result_problems:
        out += ["", "Result problems"]
        out += [
            f"  {p.packet_id}: {p.reason}" + (f" ({p.path})" if p.path else "")
            for p in report.result_problems
        ]

    out += format_calibration(report.calibration)
    if details:
        cal = report.calibration
        out += ["", f"Silent errors ({len(cal.silent_examples)}): wrong, and no finding names them"]
        out += [f"  {pid}  {key}  expected {_value(e)}  got {_value(g)}  ({c:.3f})"
                for pid, key, e, g, c in cal.silent_examples]
        out += ["", f"Errors ({len(report.errors)})"]
        out += [
            f"  {e.packet_id}  {e.kind}  {e.key}  expected {_value(e.expected)}  got {_value(e.got)}"
            for e in report.errors
        ]
    return "\n".join(out) + "\n"
