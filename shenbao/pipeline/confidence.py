"""How sure a value read by OCR is as a whole, not per character.

The recogniser's confidence for a line is about one character at a time (its mean). A value
is right only when every character is, so one read at 0.98 a character is likelier right in a
3-character name than in a 60-character text: the value's chance is the character's to the
power of its length. Thresholding that, a long text whose every character was read at 0.98 is
shown to a person, a short code read at 0.98 is not (measured in docs/BENCHMARKS.md).
"""

from __future__ import annotations


def value_length(value: object) -> int:
    """Characters of a value as read (whitespace not counted)."""
    return len("".join(str(value).split()))


def value_confidence(value: object, confidence: float) -> float:
    """The chance every character of a value read by OCR is right, taking `confidence` (the
    recogniser's, a character's on average) for each: what a value's confidence must say
    before it can be compared with one threshold whatever the value's length."""
    return confidence ** max(1, value_length(value))
