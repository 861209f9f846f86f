"""The wording certificates use around their holder and honour (data/certificates.yaml).

One validated settings object: a bureau adds a salutation or a trigger word to the data file,
and a file that does not say what it must stops the run with the file and the reason.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "certificates.yaml"


class PhrasesError(ValueError):
    """data/certificates.yaml cannot be read or does not say what it must."""


class CertificatePhrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    salutations: tuple[str, ...]
    acts: tuple[str, ...]
    grants: tuple[str, ...]
    award_triggers: tuple[str, ...]
    title_ends: tuple[str, ...]
    prize_rank: str
    lost_rank: str
    event_words: tuple[str, ...]
    place_ends: tuple[str, ...]
    holder_labels: tuple[str, ...]
    not_names: frozenset[str]

    @field_validator("salutations", "acts", "grants", "award_triggers", "title_ends", "event_words", "place_ends", "holder_labels")
    @classmethod
    def _longest_first(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if not words or any(not w.strip() for w in words):
            raise ValueError("must list at least one word, none empty")
        return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))

    @field_validator("prize_rank", "lost_rank")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return pattern

    @functools.cached_property
    def prize_rank_rx(self) -> re.Pattern[str]:
        return re.compile(self.prize_rank)

    @functools.cached_property
    def lost_rank_rx(self) -> re.Pattern[str]:
        return re.compile(self.lost_rank)

    def alternatives(self, field: str) -> str:
        """A regex alternation of one list's words, longest first."""
        return "|".join(re.escape(w) for w in getattr(self, field))


@functools.cache
def load_phrases(path: Path = DEFAULT_PATH) -> CertificatePhrases:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PhrasesError(f"{path}: {exc}") from exc
    try:
        return CertificatePhrases.model_validate(data)
    except ValidationError as exc:
        raise PhrasesError(f"{path}: {exc}") from exc
