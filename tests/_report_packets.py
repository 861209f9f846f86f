"""A reviewed fixture packet with several findings, shared by the report tests."""

from __future__ import annotations

import logging
from pathlib import Path

from shenbao.fixtures import PacketSpec, build_packet
from shenbao.models import Finding
from shenbao.pipeline.review import PacketContext, review_packet

SCRIPT = "<script>alert(1)</script>"
# If the report let document text become markup, these would change the DOM when rendered.
ACTIVE = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"><script>document.title=\"PWNED\"</script>"
INJECT = (
    "ID_BIRTH_MISMATCH",
    "CONTACT_INVALID:email",
    "MISSING_DOCUMENT:police_opinion",
    "AWARD_UNRECOGNISED",
)


def reviewed_packet(
    root: Path, packet_id: str = "t-report", fmt: str = "text_pdf"
) -> tuple[PacketContext, object]:
    """Build a 武汉 packet with known problems, review it, and give it the truth's findings the
    pipeline does not raise itself yet (rules run elsewhere), plus findings whose text is hostile."""
    built = build_packet(
        PacketSpec(packet_id, "wuhan-2024", seed=5, inject=INJECT),
        root / "packets",
        fmt,
        truth_dir=root / "truth",
    )
    logging.getLogger("shenbao").setLevel(logging.CRITICAL)
    ctx = review_packet(built.path)
    have = {(str(f.code), tuple(f.fields), tuple(f.documents)) for f in ctx.result.findings}
    for truth in built.truth["findings"]:
        finding = Finding.model_validate(truth)
        if (str(finding.code), tuple(finding.fields), tuple(finding.documents)) not in have:
            if str(finding.code) == "ID_BIRTH_MISMATCH":
                finding = finding.model_copy(
                    update={
                        "rule": "wuhan-2024/identity",
                        "citation": "RESULT.md「出生年月 differs from 身份证号」",
                    }
                )
            ctx.result.findings.append(finding)
    id_card = next(d.pages[0] for d in ctx.result.documents if str(d.type) == "id_card")
    form_page = ctx.result.fields["master_name"].page
    ctx.result.findings.append(
        Finding.make(
            "NAME_MISMATCH",
            f"身份证上的姓名 {SCRIPT} 与申报表不一致",
            fields=["master_name"],
            pages=[form_page, id_card],
        )
    )
    ctx.result.findings.append(
        Finding.make("CONTACT_INVALID", f"联系电话 {ACTIVE}", fields=["contact_mobile"], pages=[1])
    )
    return ctx, built
