"""The packet result contract of spec/RESULT.md, as pydantic models.

`Result.model_dump_json()` / `Result.model_validate_json()` write and read exactly the layout
of result.json; the ground-truth files of the corpus load with the same models.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Jurisdiction(StrEnum):
    """The rule packs shipped with shenbao. A bureau adds a jurisdiction (next year's notice) by
    adding data/rules/<key>.yaml; results carry the key as a plain string (`JurisdictionKey`)."""

    LVLIANG_2025 = "lvliang-2025"
    HOHHOT = "hohhot"
    CHANGCHUN_2025 = "changchun-2025"
    WUHAN_2024 = "wuhan-2024"
    LIANGPING_2023 = "liangping-2023"


class DocumentType(StrEnum):
    COVER = "cover"
    APPLICATION_FORM = "application_form"
    AWARD_TABLE = "award_table"
    SUMMARY_TABLE = "summary_table"
    APPLICATION_REPORT = "application_report"
    COMMITMENT_LETTER = "commitment_letter"
    ID_CARD = "id_card"
    QUALIFICATION_CERTIFICATE = "qualification_certificate"
    TITLE_CERTIFICATE = "title_certificate"
    HONOUR_CERTIFICATE = "honour_certificate"
    BUSINESS_LICENSE = "business_license"
    TRAINING_FUND_PROOF = "training_fund_proof"
    POLICE_OPINION = "police_opinion"
    INTEGRITY_STATEMENT = "integrity_statement"
    SITE_PHOTOS = "site_photos"
    DEEDS_MATERIAL = "deeds_material"
    EDUCATION_CERTIFICATE = "education_certificate"
    WORK_PHOTO = "work_photo"
    RECOMMENDATION_REPORT = "recommendation_report"
    OTHER = "other"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FindingCode(StrEnum):
    MISSING_FIELD = "MISSING_FIELD"
    MISSING_DOCUMENT = "MISSING_DOCUMENT"
    ID_CHECKSUM_INVALID = "ID_CHECKSUM_INVALID"
    ID_BIRTH_MISMATCH = "ID_BIRTH_MISMATCH"
    ID_GENDER_MISMATCH = "ID_GENDER_MISMATCH"
    NAME_MISMATCH = "NAME_MISMATCH"
    ID_NUMBER_MISMATCH = "ID_NUMBER_MISMATCH"
    AWARD_UNRECOGNISED = "AWARD_UNRECOGNISED"
    AWARD_NO_EVIDENCE = "AWARD_NO_EVIDENCE"
    AWARD_HOLDER_MISMATCH = "AWARD_HOLDER_MISMATCH"
    AWARD_YEAR_MISMATCH = "AWARD_YEAR_MISMATCH"
    AWARD_ORDER = "AWARD_ORDER"
    NO_QUALIFYING_HONOUR = "NO_QUALIFYING_HONOUR"
    SKILL_LEVEL_INSUFFICIENT = "SKILL_LEVEL_INSUFFICIENT"
    SKILL_LEVEL_MISMATCH = "SKILL_LEVEL_MISMATCH"
    CREDIT_CODE_INVALID = "CREDIT_CODE_INVALID"
    TEAM_SIZE_OUT_OF_RANGE = "TEAM_SIZE_OUT_OF_RANGE"
    TRAINING_FUND_BELOW_MIN = "TRAINING_FUND_BELOW_MIN"
    SUBMITTED_LATE = "SUBMITTED_LATE"
    SUBMITTED_OUTSIDE_WINDOW = "SUBMITTED_OUTSIDE_WINDOW"
    DUPLICATE_APPLICANT = "DUPLICATE_APPLICANT"
    STUDIO_NAME_FORMAT = "STUDIO_NAME_FORMAT"
    WORK_START_IMPLAUSIBLE = "WORK_START_IMPLAUSIBLE"
    CONTACT_INVALID = "CONTACT_INVALID"
    TEXT_LENGTH = "TEXT_LENGTH"
    SUMMARY_MISMATCH = "SUMMARY_MISMATCH"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    UNREADABLE_INPUT = "UNREADABLE_INPUT"


# The severity each code carries (RESULT.md, "Finding codes").
DEFAULT_SEVERITY: dict[FindingCode, Severity] = {
    FindingCode.AWARD_UNRECOGNISED: Severity.WARNING,
    FindingCode.AWARD_YEAR_MISMATCH: Severity.WARNING,
    FindingCode.AWARD_ORDER: Severity.WARNING,
    FindingCode.STUDIO_NAME_FORMAT: Severity.WARNING,
    FindingCode.WORK_START_IMPLAUSIBLE: Severity.WARNING,
    FindingCode.CONTACT_INVALID: Severity.WARNING,
    FindingCode.TEXT_LENGTH: Severity.WARNING,
    FindingCode.LOW_CONFIDENCE: Severity.INFO,
}


def severity_of(code: FindingCode) -> Severity:
    return DEFAULT_SEVERITY.get(code, Severity.ERROR)


class Units(StrEnum):
    """What a bbox is measured in: PDF points for text-layer packets, 200-dpi pixels otherwise."""

    PT = "pt"
    PX_200DPI = "px@200dpi"


FIELD_KEYS: tuple[str, ...] = (
    "unit_name",
    "unit_type",
    "unit_credit_code",
    "unit_is_central_soe",
    "unit_head",
    "unit_head_phone",
    "contact_name",
    "contact_phone",
    "contact_mobile",
    "email",
    "fax",
    "address",
    "postcode",
    "bank_account",
    "is_plaqued",
    "studio_name",
    "studio_occupation",
    "master_name",
    "master_gender",
    "master_ethnicity",
    "master_birth",
    "master_work_start",
    "master_political",
    "master_id_number",
    "master_employer_title",
    "master_industry",
    "master_occupation",
    "master_skill_level",
    "master_phone",
    "studio_location",
    "studio_area_m2",
    "studio_team_size",
    "studio_facilities",
    "achievements",
    "fund_use",
    "fill_date",
    "submission_date",
    "training_fund_total",
    "training_fund_high_skill",
)

FieldValue = str | int | float | None

# A rule pack's key: lower-case letters, digits and dashes (e.g. "wuhan-2024").
JurisdictionKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class _Model(BaseModel):
    # Unknown keys are kept, not dropped: a truth file or a later version may carry more.
    model_config = ConfigDict(extra="allow", use_enum_values=True, populate_by_name=True)


class FieldResult(_Model):
    value: FieldValue = None
    page: int | None = None
    bbox: list[float] | None = None
    confidence: float | None = None


# What each evidence document itself prints (RESULT.md, "Evidence fields"), in the spec's order.
EVIDENCE_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "id_card": ("name", "gender", "ethnicity", "birth", "address", "id_number", "issuer", "valid_until"),
    "qualification_certificate": (
        "holder", "id_number", "occupation", "level", "certificate_no", "issuer", "issue_date",
    ),
    "title_certificate": ("holder", "title", "rank", "issuer", "issue_date"),
    "honour_certificate": ("holder", "title_text", "title", "year", "issuer", "certificate_no"),
    "business_license": (
        "unit_name", "credit_code", "unit_type", "legal_rep", "founded", "registered_capital", "address",
    ),
    "training_fund_proof": ("year", "training_fund_total", "training_fund_high_skill"),
}


class Document(_Model):
    type: DocumentType
    pages: list[int]
    award_index: int | None = None
    # Evidence types only (EVIDENCE_FIELD_KEYS): every key of the type, null where not printed.
    fields: dict[str, FieldResult | None] | None = None


class Award(_Model):
    claimed_text: str
    title: str | None = None
    year: int | None = None
    issuer: str | None = None
    level: str | None = None
    match_score: float | None = None
    evidence_pages: list[int] = Field(default_factory=list)
    section: str | None = None


class Finding(_Model):
    code: FindingCode
    severity: Severity
    fields: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    message: str = ""

    @classmethod
    def make(cls, code: FindingCode, message: str, **kwargs: Any) -> Finding:
        """A finding with the severity RESULT.md gives its code."""
        return cls(code=code, severity=severity_of(code), message=message, **kwargs)


def _drop_unset_places(fields: dict[str, Any]) -> None:
    """A field's page, bbox and confidence left out of result.json where they are None."""
    for field in fields.values():
        for key in ("page", "bbox", "confidence"):
            if field is not None and field.get(key) is None:
                field.pop(key, None)


class Result(_Model):
    packet_id: str
    jurisdiction: JurisdictionKey | None = None
    units: Units | None = None
    documents: list[Document] = Field(default_factory=list)
    fields: dict[str, FieldResult] = Field(default_factory=dict)
    awards: list[Award] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)

    def to_json(self) -> str:
        """result.json text: the contract's keys, None bbox/confidence/page left out of fields."""
        data = self.model_dump(mode="json", exclude_none=False)
        _drop_unset_places(data["fields"])
        for doc in data["documents"]:
            if doc.get("award_index") is None:
                doc.pop("award_index", None)
            if doc.get("fields") is None:
                doc.pop("fields", None)
            else:
                _drop_unset_places(doc["fields"])
        for award in data["awards"]:
            if award.get("section") is None:
                award.pop("section", None)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls.model_validate_json(text)
