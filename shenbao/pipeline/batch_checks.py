"""Checks that need the whole batch: the same applicant leading two packets, or one already leading
a studio according to the bureau's registry. Each returns the packet ids whose result it changed."""

from __future__ import annotations

from collections import defaultdict

from shenbao.models import Finding, FindingCode, Result
from shenbao.pipeline.manifest import Registry


def _id_number(result: Result) -> str | None:
    field = result.fields.get("master_id_number")
    value = field.value if field else None
    return str(value).upper() if value else None


def check_duplicate_applicants(results: list[Result], registry: Registry | None) -> set[str]:
    by_id: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        id_number = _id_number(result)
        if id_number:
            by_id[id_number].append(result)
    registered = {entry.id_number: entry for entry in registry.rows} if registry else {}
    changed: set[str] = set()
    for id_number, holders in by_id.items():
        reasons: dict[str, list[str]] = defaultdict(list)
        if len(holders) > 1:
            for result in holders:
                others = "、".join(r.packet_id for r in holders if r is not result)
                reasons[result.packet_id].append(f"身份证号 {id_number} 同时是本批次 {others} 的领办人")
        if id_number in registered:
            entry = registered[id_number]
            where = "、".join(x for x in (entry.studio, str(entry.year) if entry.year else None) if x)
            for result in holders:
                reasons[result.packet_id].append(
                    f"身份证号 {id_number}（{entry.name}）已是现有工作室领办人"
                    + (f"（{where}）" if where else "")
                )
        for result in holders:
            if not reasons[result.packet_id]:
                continue
            pages = [result.fields["master_id_number"].page] if result.fields["master_id_number"].page else []
            result.findings.append(
                Finding.make(
                    FindingCode.DUPLICATE_APPLICANT,
                    "；".join(reasons[result.packet_id]),
                    fields=["master_id_number"],
                    pages=pages,
                )
            )
            changed.add(result.packet_id)
    return changed


BATCH_CHECKS = (check_duplicate_applicants,)
