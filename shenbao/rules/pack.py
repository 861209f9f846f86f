"""A jurisdiction's rule pack: what its notice demands, as data (data/rules/<jurisdiction>.yaml).

A pack says which form fields and documents are required, which honours qualify a leader (by
reference to the `accepted_by` column of data/honours.csv), the minimum skill level and its
accepted alternatives, the deadline or acceptance window, team size, text lengths, the studio
name form, the award order, the summary-table columns, the training-fund share and the
recommenders' quotas. Every rule carries the citation of the notice passage it comes from, so a
finding can show a reviewer (and an auditor) why it was raised.

`data/rules/_common.yaml` holds the sections every jurisdiction shares (identity checks, contact
formats, the age of starting work, unit-kind cues); a pack replaces any of them by writing the
section itself. A new year's notice is a new file: nothing here changes.

Pack errors (unknown keys, bad values, unknown field/document/level names) raise
`RulePackError` naming the file and the key path.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from shenbao.extractors.normalize.choices import SKILL_LEVELS
from shenbao.models.result import FIELD_KEYS, DocumentType

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "data" / "rules"
ENV_DIR = "SHENBAO_RULES_DIR"
COMMON_FILE = "_common.yaml"

_DOC_TYPES = frozenset(t.value for t in DocumentType)
_FIELD_KEYS = frozenset(FIELD_KEYS)


class RulePackError(ValueError):
    """A rule pack that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    # A misspelt key in a pack must be an error, not a rule silently left out.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_field_key(key: str) -> str:
    if key not in _FIELD_KEYS:
        raise ValueError(f"unknown field key {key!r} (RESULT.md canonical keys)")
    return key


def _check_doc_type(doc: str) -> str:
    if doc not in _DOC_TYPES:
        raise ValueError(f"unknown document type {doc!r} (one of {', '.join(sorted(_DOC_TYPES))})")
    return doc


# Element-wise checks, so that an error names the list index (fields.required[3]).
FieldKey = Annotated[str, AfterValidator(_check_field_key)]
DocType = Annotated[str, AfterValidator(_check_doc_type)]


class Citation(_Strict):
    """Where a rule comes from: a notice file (or RESULT.md) and a short quote of the passage."""

    file: str
    quote: str = Field(min_length=1)
    note: str | None = None

    def render(self) -> str:
        return f"{self.file}「{self.quote}」"


class _Cited(_Strict):
    citation: Citation


class IdentityRules(_Cited):
    """The 身份证号 checks. `citation` covers the checksum; each cross-check cites its own line."""

    birth: Citation | None = None  # ID_BIRTH_MISMATCH
    gender: Citation | None = None  # ID_GENDER_MISMATCH
    documents: Citation | None = None  # NAME_MISMATCH: ID card / certificate name against the form
    id_number: Citation | None = None  # ID_NUMBER_MISMATCH: ID card / certificate number against the form

    def for_check(self, check: str) -> Citation:
        return getattr(self, check, None) or self.citation


class NoticeRef(_Strict):
    file: str
    issuer: str
    reference: str | None = None
    issued: date | None = None


class RequiredFields(_Cited):
    required: list[FieldKey]


class DocumentRule(_Cited):
    """A required document; `any_of` lists other document types that satisfy it too."""

    type: DocType
    any_of: list[DocType] = Field(default_factory=list)
    when: Literal["always", "enterprise"] = "always"

    @property
    def satisfied_by(self) -> tuple[str, ...]:
        return (self.type, *self.any_of)


class UnitKindCues(_Cited):
    """Cues that tell an enterprise from a school / public body (regular expressions)."""

    enterprise_types: list[str]
    non_enterprise_types: list[str]
    enterprise_names: list[str]
    non_enterprise_names: list[str]

    @field_validator("enterprise_types", "non_enterprise_types", "enterprise_names", "non_enterprise_names")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regular expression {p!r}: {exc}") from exc
        return patterns


class LeaderHonours(_Cited):
    """Honours that qualify a leader: those whose `accepted_by` (data/honours.csv) lists this key."""

    required: bool = True
    accepted_by: str


class SkillAlternative(_Cited):
    kind: Literal["title_certificate", "honour"]
    min_grade: Literal["副高级", "正高级"] | None = None  # title_certificate
    accepted_by: str | None = None  # honour: data/honours.csv accepted_by key

    @model_validator(mode="after")
    def _complete(self) -> SkillAlternative:
        if self.kind == "title_certificate" and self.min_grade is None:
            raise ValueError("a title_certificate alternative needs min_grade (副高级 or 正高级)")
        if self.kind == "honour" and not self.accepted_by:
            raise ValueError("an honour alternative needs accepted_by (a key of data/honours.csv)")
        return self


class SkillLevel(_Cited):
    minimum: str
    alternatives: list[SkillAlternative] = Field(default_factory=list)

    @field_validator("minimum")
    @classmethod
    def _level(cls, level: str) -> str:
        if level not in SKILL_LEVELS:
            raise ValueError(f"unknown skill level {level!r} (one of {', '.join(SKILL_LEVELS)})")
        return level


class Window(_Strict):
    from_: date = Field(alias="from")
    to: date

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.to < self.from_:
            raise ValueError(f"window ends ({self.to}) before it starts ({self.from_})")
        return self


class Submission(_Cited):
    """A deadline ("YYYY-MM-DD": the whole day; "YYYY-MM-DD HH:MM": to that minute, inclusive)
    or an acceptance window (both days inclusive; early and late are both refused)."""

    deadline: str | None = None
    window: Window | None = None

    @field_validator("deadline")
    @classmethod
    def _deadline(cls, text: str | None) -> str | None:
        if text is not None:
            parse_deadline(text)
        return text

    @model_validator(mode="after")
    def _one(self) -> Submission:
        if (self.deadline is None) == (self.window is None):
            raise ValueError("give exactly one of deadline or window")
        return self

    def deadline_at(self) -> tuple[datetime, bool] | None:
        """(last accepted moment, whether the notice gave a time of day)."""
        return parse_deadline(self.deadline) if self.deadline else None


def parse_deadline(text: str) -> tuple[datetime, bool]:
    text = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(23, 59)), False
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})", text)
        if m:
            return datetime.combine(date.fromisoformat(m[1]), time(int(m[2]), int(m[3]))), True
    except ValueError as exc:
        raise ValueError(f"bad deadline {text!r}: {exc}") from exc
    raise ValueError(f"bad deadline {text!r}: write YYYY-MM-DD or YYYY-MM-DD HH:MM")


class Range(_Cited):
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class TextLength(Range):
    """A length limit (non-whitespace characters) on a form field or on a prose document."""

    field: FieldKey | None = None
    document: DocType | None = None
    label: str

    @model_validator(mode="after")
    def _target(self) -> TextLength:
        if (self.field is None) == (self.document is None):
            raise ValueError("give exactly one of field or document")
        return self


class StudioName(_Cited):
    template: str

    @field_validator("template")
    @classmethod
    def _template(cls, template: str) -> str:
        if "{master_name}" not in template:
            raise ValueError("the template must contain {master_name}")
        return template


class AwardOrder(_Cited):
    within: Literal["section", "all"] = "section"


class SummaryTable(_Cited):
    keys: list[FieldKey]


class TrainingFund(_Cited):
    min_share: float = Field(gt=0, le=1)


class Quota(_Cited):
    name: str
    per: Literal["recommender", "unit_name"]
    limit: int = Field(ge=1)
    match: str | None = None  # regular expression on the recommender / unit name; None: all

    @field_validator("match")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return pattern


ContactFormat = Literal["phone", "mobile", "email", "postcode"]


class Contact(_Cited):
    formats: dict[FieldKey, ContactFormat]


class WorkStart(_Cited):
    min_age: int = Field(ge=10, le=30)


class RulePack(_Strict):
    jurisdiction: str
    name: str
    notice: NoticeRef
    fields: RequiredFields
    documents: list[DocumentRule]
    unit_kind: UnitKindCues
    identity: IdentityRules
    credit_code: _Cited
    contact: Contact
    work_start: WorkStart
    award_evidence: _Cited
    leader_honours: LeaderHonours | None = None
    skill_level: SkillLevel
    submission: Submission | None = None
    team_size: Range | None = None
    text_lengths: list[TextLength] = Field(default_factory=list)
    studio_name: StudioName | None = None
    award_order: AwardOrder | None = None
    summary_table: SummaryTable | None = None
    training_fund: TrainingFund | None = None
    quotas: list[Quota] = Field(default_factory=list)
    source: str | None = None  # the file it was read from (set by the loader)

    def rule_id(self, section: str) -> str:
        return f"{self.jurisdiction}/{section}"


# ----------------------------------------------------------------------------- loading


def rules_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else DEFAULT_DIR


def available_packs(directory: Path | None = None) -> list[str]:
    """The jurisdiction keys that have a pack file."""
    directory = directory or rules_dir()
    return sorted(p.stem for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulePackError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RulePackError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulePackError(f"{path}: the top level must be a mapping of sections")
    return data


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_pack(data: dict[str, Any], origin: str, common: dict[str, Any] | None = None) -> RulePack:
    """Validate a pack mapping (sections of `common` first, the pack's own sections replacing them)."""
    merged = {**(common or {}), **data}
    try:
        pack = RulePack.model_validate(merged)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = _where(tuple(p for p in err["loc"] if p not in ("function-after", "function-plain")))
            section = str(err["loc"][0]) if err["loc"] else ""
            where = origin if section in data or not common else f"{origin} (section from {COMMON_FILE})"
            lines.append(f"{where}: {key}: {err['msg']}")
        raise RulePackError("\n".join(lines)) from exc
    return pack.model_copy(update={"source": origin})


def load_pack_file(path: Path, common_path: Path | None = None) -> RulePack:
    """Read and validate one pack file (with `_common.yaml` beside it, when there is one)."""
    path = Path(path)
    common_path = common_path if common_path is not None else path.parent / COMMON_FILE
    common = _read_yaml(common_path) if common_path.is_file() else {}
    data = _read_yaml(path)
    pack = parse_pack(data, str(path), common)
    if pack.jurisdiction != path.stem:
        raise RulePackError(f"{path}: jurisdiction: {pack.jurisdiction!r} differs from the file name {path.stem!r}")
    _check_honour_keys(pack, path)
    return pack


def _check_honour_keys(pack: RulePack, path: Path) -> None:
    """An `accepted_by` key no honour carries would silently accept nothing: say so."""
    from shenbao.matchers.honours import load_honours

    keys = set()
    if pack.leader_honours:
        keys.add(("leader_honours.accepted_by", pack.leader_honours.accepted_by))
    for i, alt in enumerate(pack.skill_level.alternatives):
        if alt.accepted_by:
            keys.add((f"skill_level.alternatives[{i}].accepted_by", alt.accepted_by))
    honours = load_honours()
    for where, key in sorted(keys):
        if not honours.accepted_titles(key):
            raise RulePackError(
                f"{path}: {where}: no honour in {honours.path or 'the honour list'} has {key!r} in accepted_by"
            )


@lru_cache(maxsize=32)
def _load_cached(jurisdiction: str, directory: str) -> RulePack:
    path = Path(directory) / f"{jurisdiction}.yaml"
    if not path.is_file():
        known = ", ".join(available_packs(Path(directory))) or "none"
        raise RulePackError(f"{path}: no rule pack for {jurisdiction!r} (packs: {known})")
    return load_pack_file(path)


def load_pack(jurisdiction: str, directory: Path | None = None) -> RulePack:
    """The rule pack of `jurisdiction` from data/rules/ (or `directory`, or $SHENBAO_RULES_DIR).

    Packs are immutable and read once per process and directory.
    """
    return _load_cached(str(jurisdiction), str(Path(directory) if directory else rules_dir()))
