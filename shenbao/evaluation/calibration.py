"""Does a value's confidence mean something? Calibration and silent errors of a run.

- Calibration: every scored value (form fields; evidence fields where the truth gives them) by
  the confidence the result gave it, in buckets, with the share that is right. A confidence
  that means something has each bucket's share near its confidence.
- Silent errors: values that are wrong and that no finding names (no LOW_CONFIDENCE, and no
  other finding a reviewer would be sent to the value by). The reviewer trusts these. The
  rate is over all scored values.
- False alarms: right values a LOW_CONFIDENCE finding names (a flag on everything is no flag).

A value without a confidence (text layer, manifest) counts as 1.0. Evidence fields are matched
to the result's document of the same type and pages; a truth document the result does not
have counts every one of its keys as read null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shenbao.models import FindingCode, Result

BUCKETS: tuple[tuple[float, str], ...] = (
    (0.98, ">=0.98"), (0.95, "0.95-0.98"), (0.90, "0.90-0.95"), (0.80, "0.80-0.90"), (0.0, "<0.80"),
)
LOW = FindingCode.LOW_CONFIDENCE.value


def bucket_of(confidence: float) -> str:
    return next(name for low, name in BUCKETS if confidence >= low)


@dataclass
class Calibration:
    buckets: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for _, name in BUCKETS})
    values: int = 0
    right: int = 0
    wrong_silent: int = 0  # wrong, and no finding names it
    wrong_flagged: int = 0  # wrong, LOW_CONFIDENCE names it
    wrong_caught: int = 0  # wrong, another finding names it
    right_flagged: int = 0  # right, LOW_CONFIDENCE names it
    evidence_values: int = 0
    evidence_right: int = 0
    silent_examples: list[tuple[str, str, Any, Any, float]] = field(default_factory=list)

    def count(self, packet: str, key: str, ok: bool, confidence: float, flagged: bool, caught: bool,
              expected: Any, got: Any) -> None:
        b = self.buckets[bucket_of(confidence)]
        b[0] += ok
        b[1] += 1
        self.values += 1
        self.right += ok
        if ok:
            self.right_flagged += flagged
        elif flagged:
            self.wrong_flagged += 1
        elif caught:
            self.wrong_caught += 1
        else:
            self.wrong_silent += 1
            self.silent_examples.append((packet, key, expected, got, confidence))

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": self.values, "right": self.right,
            "buckets": {k: {"right": r, "total": t} for k, (r, t) in self.buckets.items()},
            "wrong_silent": self.wrong_silent, "wrong_flagged": self.wrong_flagged,
            "wrong_caught": self.wrong_caught, "right_flagged": self.right_flagged,
            "silent_rate": self.wrong_silent / self.values if self.values else None,
            "false_alarm_rate": self.right_flagged / self.right if self.right else None,
            "evidence": {"right": self.evidence_right, "total": self.evidence_values},
            "silent_examples": [list(e) for e in self.silent_examples],
        }


def _same(expected: Any, got: Any) -> bool:
    from shenbao.evaluation.score import values_equal

    return values_equal(expected, got)


def _named(result: Result) -> tuple[set[str], set[str]]:
    """Keys LOW_CONFIDENCE findings name, and keys other findings name."""
    low, other = set(), set()
    for f in result.findings:
        (low if str(f.code) == LOW else other).update(f.fields)
    return low, other


def calibrate(truth: dict[str, Result], results: dict[str, Result]) -> Calibration:
    cal = Calibration()
    for pid, t in sorted(truth.items()):
        r = results.get(pid)
        if r is None:
            continue
        low, other = _named(r)
        for key, tf in t.fields.items():
            if key == "submission_date":
                continue  # from the manifest, never read
            rf = r.fields.get(key)
            got = rf.value if rf is not None else None
            confidence = rf.confidence if rf is not None and rf.confidence is not None else 1.0
            cal.count(pid, key, _same(tf.value, got), confidence, key in low, key in other, tf.value, got)
        _evidence(cal, pid, t, r, low, other)
    return cal


def _evidence(cal: Calibration, pid: str, truth: Result, result: Result, low: set[str], other: set[str]) -> None:
    for tdoc in truth.documents:
        wanted = getattr(tdoc, "fields", None)
        if not wanted:
            continue
        index, rdoc = next(((i, d) for i, d in enumerate(result.documents)
                            if str(d.type) == str(tdoc.type) and sorted(d.pages) == sorted(tdoc.pages)), (None, None))
        for key, tf in wanted.items():
            expected = tf.value if tf is not None else None
            rf = (rdoc.fields or {}).get(key) if rdoc is not None else None
            got = rf.value if rf is not None else None
            confidence = rf.confidence if rf is not None and rf.confidence is not None else 1.0
            where = f"documents[{index}].fields.{key}"
            flagged = where in low or f"documents[{index}]" in low
            ok = _same(expected, got)
            cal.evidence_values += 1
            cal.evidence_right += ok
            cal.count(pid, f"{tdoc.type}.{key}", ok, confidence, flagged, where in other, expected, got)


def format_calibration(cal: Calibration) -> list[str]:
    if not cal.values:
        return []
    out = ["", "Confidence (every scored value; a value without one counts as 1.0):",
           "| confidence | right | values | share right |", "|---|---|---|---|"]
    for name, (r, t) in cal.buckets.items():
        if t:
            out.append(f"| {name} | {r} | {t} | {r / t:.3f} |")
    wrong = cal.values - cal.right
    out += ["", f"Wrong values: {wrong} of {cal.values}: {cal.wrong_flagged} flagged LOW_CONFIDENCE, "
            f"{cal.wrong_caught} named by another finding, {cal.wrong_silent} silent "
            f"({cal.wrong_silent / cal.values:.1%} of all values)."]
    if cal.right:
        out.append(f"Right values flagged LOW_CONFIDENCE: {cal.right_flagged} of {cal.right} "
                   f"({cal.right_flagged / cal.right:.1%}).")
    if cal.evidence_values:
        out.append(f"Evidence fields: {cal.evidence_right} of {cal.evidence_values} right "
                   f"({cal.evidence_right / cal.evidence_values:.3f}).")
    return out
