"""Recommenders' quotas: how many applications one recommender (or one unit) may put forward.

These are batch facts, not defects of a packet, so they come back as `QuotaWarning`s for the
batch report instead of packet findings: 吕梁 ≤3 per 县（市、区） and 1 per 市直 unit, 长春 ≤2 per
推荐单位, 梁平 1 per 申报单位 (each pack's `quotas` section, first matching entry per group).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from shenbao.models.result import Result
from shenbao.pipeline.manifest import Manifest, ManifestEntry
from shenbao.rules.checks.context import squash
from shenbao.rules.pack import RulePack, RulePackError, load_pack

# Manifest cells that mean "no recommender".
_NONE = {"", "-", "—", "–", "无", "/", "none", "n/a"}


@dataclass(frozen=True)
class QuotaWarning:
    jurisdiction: str
    quota: str  # the pack's name for the group (县（市、区）, 推荐单位 …)
    per: str  # "recommender" | "unit_name"
    key: str  # the recommender or unit
    limit: int
    count: int
    packet_ids: tuple[str, ...]
    rule: str
    citation: str
    message: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["packet_ids"] = list(self.packet_ids)
        return d


def _entries(manifest: Manifest | Mapping[str, ManifestEntry] | None) -> Mapping[str, ManifestEntry]:
    if manifest is None:
        return {}
    return manifest.rows if isinstance(manifest, Manifest) else manifest


def _unit_name(result: Result) -> str | None:
    f = result.fields.get("unit_name")
    v = f.value if f else None
    return squash(v) if isinstance(v, str) and v.strip() else None


def check_quotas(
    results: Iterable[Result],
    manifest: Manifest | Mapping[str, ManifestEntry] | None,
    packs: Mapping[str, RulePack] | None = None,
) -> list[QuotaWarning]:
    """Groups of packets over their notice's limit, per recommender (manifest) or per unit (form).

    A packet's jurisdiction is its result's, else its manifest row's; jurisdictions without a
    pack are skipped (the batch reports the missing pack elsewhere). Unreadable packets still
    count against a recommender: they were submitted.
    """
    entries = _entries(manifest)
    cache: dict[str, RulePack | None] = dict(packs or {})

    def pack_for(j: str) -> RulePack | None:
        if j not in cache:
            try:
                cache[j] = load_pack(j)
            except RulePackError:
                cache[j] = None
        return cache[j]

    # (jurisdiction, quota index, key) -> packet ids
    groups: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    shown: dict[tuple[str, int, str], str] = {}
    for result in results:
        entry = entries.get(result.packet_id)
        j = str(result.jurisdiction or (entry.jurisdiction if entry else "") or "")
        pack = pack_for(j) if j else None
        if pack is None:
            continue
        for per in ("recommender", "unit_name"):
            if per == "recommender":
                raw = (entry.recommender or "") if entry else ""
                key = None if raw.strip().lower() in _NONE else squash(raw)
            else:
                key = _unit_name(result)
            if key is None:
                continue
            for i, quota in enumerate(pack.quotas):
                if quota.per != per:
                    continue
                if quota.match is None or re.search(quota.match, key):
                    groups[(j, i, key)].append(result.packet_id)
                    shown[(j, i, key)] = key
                    break  # first matching entry decides this key's limit
    warnings: list[QuotaWarning] = []
    for (j, i, key), ids in sorted(groups.items()):
        pack = cache[j]
        assert pack is not None
        quota = pack.quotas[i]
        if len(ids) <= quota.limit:
            continue
        who = "推荐单位" if quota.per == "recommender" else "申报单位"
        warnings.append(
            QuotaWarning(
                jurisdiction=j,
                quota=quota.name,
                per=quota.per,
                key=shown[(j, i, key)],
                limit=quota.limit,
                count=len(ids),
                packet_ids=tuple(sorted(ids)),
                rule=pack.rule_id(f"quotas[{i}]"),
                citation=quota.citation.render(),
                message=f"{who} {key} 本批次申报 {len(ids)} 个，超过通知规定的 {quota.limit} 个（{quota.name}）："
                + "、".join(sorted(ids)),
            )
        )
    return warnings
