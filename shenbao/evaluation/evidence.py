"""Scoring evidence fields and grids against a person's transcription (the real-world set,
bench/realworld/, and any truth file whose documents carry `fields`).

A truth value and a read value are the same when they are equal after whitespace is removed
(and, for numbers, as numbers). A key the truth leaves out is not scored; a key the truth gives
as null is right only when nothing was read.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shenbao.models import Document, FieldResult, FindingCode

# Confidence buckets of the calibration table, highest first: (lowest confidence, name).
CALIBRATION_BUCKETS: tuple[tuple[float, str], ...] = (
    (0.98, ">=0.98"), (0.95, "0.95-0.98"), (0.90, "0.90-0.95"), (0.80, "0.80-0.90"), (0.0, "<0.80"),
)


def same_value(truth: Any, got: Any) -> bool:
    if truth is None or got is None:
        return truth is None and got is None
    if isinstance(truth, (int, float)) and not isinstance(truth, bool):
        try:
            return float(truth) == float(got)
        except (TypeError, ValueError):
            return False
    return re.sub(r"\s+", "", str(truth)) == re.sub(r"\s+", "", str(got))


def load_items(truth_dir: Path, only: list[str] | None = None) -> list[dict]:
    items = []
    for path in sorted(truth_dir.glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        if only and item["id"] not in only:
            continue
        items.append(item)
    return items


def read_item_fields(pages: list, doc_type: str) -> tuple[dict[str, FieldResult | None], set[str]]:
    """The evidence fields the reader of `doc_type` gives for `pages` (one document), and the
    keys a LOW_CONFIDENCE finding names (flagged for a person to check)."""
    from shenbao.extractors.evidence.reader import read_evidence
    from shenbao.pipeline.evidence_fields import fill_document_fields

    document = Document(type=doc_type, pages=[p.number for p in pages])
    evidence = read_evidence(pages, [document])
    findings = fill_document_fields([document], evidence, pages)
    flagged: set[str] = set()
    for f in findings:
        if f.code != FindingCode.LOW_CONFIDENCE:
            continue
        for where in f.fields:
            key = where.rsplit(".", 1)[-1] if ".fields." in where else None
            if key is not None:
                flagged.add(key)
            else:  # the whole document's unsure values, listed in the message
                flagged |= {k for k, v in (document.fields or {}).items()
                            if v is not None and v.value is not None and f"“{v.value}”" in f.message}
    return dict(document.fields or {}), flagged


def score_fields(truth: dict[str, Any], values: dict[str, FieldResult | None],
                 flagged: set[str]) -> dict[str, tuple[bool, float, bool, Any]]:
    """key -> (right, confidence, flagged, value read) for every key the truth gives."""
    out = {}
    for key, want in truth.items():
        got = values.get(key)
        value = got.value if got is not None else None
        confidence = float(got.confidence) if got is not None and got.confidence is not None else 1.0
        out[key] = (same_value(want, value), confidence, key in flagged, value)
    return out


def score_grid(grids: list, truth: dict) -> dict[str, int] | None:
    """The largest grid found against the truth's rows, columns and merges (by position), and
    its cells' text: each written cell of the truth is right when a cell of the grid holds
    exactly its text (whitespace removed), each grid cell counted once. Text is scored apart from
    the lattice, so that two rules 15 px apart read as one column do not count every cell to
    their right as wrong; the lattice has its own figures."""
    written = [_cell_text(text) for row in truth["cells"] for text in row]
    written = [t for t in written if t]
    counts = {"items": 1, "shape_right": 0, "merges": len(truth.get("merges", [])), "merges_right": 0,
              "cells": len(written), "cells_right": 0}
    if not grids:
        return counts
    grid = max(grids, key=lambda g: len(g.cells))
    counts["shape_right"] = int(grid.n_rows == truth["rows"] and grid.n_cols == truth["cols"])
    merges = {(c.row, c.col, c.row + c.row_span - 1, c.col + c.col_span - 1)
              for c in grid.cells if c.row_span > 1 or c.col_span > 1}
    counts["merges_right"] = sum(tuple(m) in merges for m in truth.get("merges", []))
    got = Counter(_cell_text(c.text) for c in grids_cells(grids))
    counts["cells_right"] = sum((Counter(written) & got).values())
    return counts


def _cell_text(text: str) -> str:
    """A cell's text as the pipeline reads a value from it (full-width marks beside Han
    characters, as print sets them), whitespace removed."""
    from shenbao.extractors.evidence.common import plain_text

    return re.sub(r"\s+", "", plain_text(text) or "") if text.strip() else ""


def grids_cells(grids: list) -> list:
    """Every cell of every grid found on the page (a table the rules cut in two is still read)."""
    return [c for g in grids for c in g.cells]


@dataclass
class ItemScore:
    item_id: str
    truth_type: str
    predicted_type: str | None
    fields: dict[str, tuple[bool, float, bool, Any]] = field(default_factory=dict)
    grid: dict[str, int] | None = None

    @property
    def doc_right(self) -> bool:
        return self.predicted_type == self.truth_type

    def describe(self) -> str:
        lines = [f"{self.item_id} [{self.truth_type}] typed {self.predicted_type}"
                 f"{'' if self.doc_right else '  <-- wrong type'}"]
        for key, (right, confidence, flagged, value) in self.fields.items():
            mark = "ok " if right else ("FLAG" if flagged else "XX ")
            lines.append(f"  {mark} {key}: {value!r} ({confidence:.2f})")
        if self.grid is not None:
            lines.append(f"  grid: {self.grid}")
        return "\n".join(lines)


def write_sources(items: list[dict], target: Path) -> Path:
    """SOURCES.md: where each item comes from and under which licence (made from the truth)."""
    rows = ["# Sources of the real-world set", "",
            "Made by `bench/realworld.py --sources` from `truth/*.json`. The images are not committed: "
            "fetch each repository at the commit named and copy the path to "
            "`var/realworld/images/<id>.<ext>`.", "",
            "| id | type | capture | repository | commit | path | licence |", "|---|---|---|---|---|---|---|"]
    for item in items:
        src = item.get("source", {})
        rows.append(f"| {item['id']} | {item['type']} | {item.get('capture', '')} | {src.get('repo', '')} | "
                    f"{str(src.get('commit', ''))[:12]} | {src.get('path', '')} | {src.get('licence', '')} |")
    target.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return target
