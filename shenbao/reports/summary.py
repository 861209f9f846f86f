"""The batch's summary for the bureau: summary.xlsx, summary.csv and index.html.

- summary.xlsx: one sheet per jurisdiction in the batch, in that notice's own summary-table
  columns (data/summary_columns.yaml), one row per packet; a 审核发现 sheet with one row per
  finding (autofilter on); a 推荐名额 sheet with applications per recommender (or unit) against
  the notice's limit (rule packs' `quotas`, over-limit groups from shenbao.rules.quotas).
- summary.csv: the findings, UTF-8 with a BOM so Excel opens the Chinese text as such.
- index.html: every packet with its counts and links to its report, result and audit trail.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import yaml
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shenbao import __version__
from shenbao.models import FIELD_KEYS, Result
from shenbao.pipeline.manifest import Manifest, ManifestEntry
from shenbao.pipeline.writer import write_file_atomic
from shenbao.reports.labels import (
    SEVERITY_ORDER,
    document_label,
    field_label,
    finding_label,
    jurisdiction_label,
    severity_label,
)
from shenbao.reports.packet_report import template_env
from shenbao.reports.privacy import mask_workbook, masked
from shenbao.reports.spreadsheet_safety import inert_csv_cell, inert_workbook

if TYPE_CHECKING:
    from shenbao.pipeline.batch import PacketOutcome

log = logging.getLogger(__name__)

COLUMNS_FILE = Path(__file__).resolve().parents[2] / "data" / "summary_columns.yaml"
UNKNOWN = "unknown"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

FINDING_COLUMNS = [
    "材料编号", "辖区", "申报单位", "技能大师", "严重程度", "代码", "问题", "说明",
    "涉及字段", "涉及材料", "页码", "规则", "依据",
]  # fmt: skip
STATUS_LABELS = {"ok": "完成", "partial": "部分完成", "unreadable": "无法读取"}

_HEADER_FILL = PatternFill("solid", fgColor="DCE3EA")
_SEVERITY_FILL = {
    "error": PatternFill("solid", fgColor="FDE4E1"),
    "warning": PatternFill("solid", fgColor="FFF3D6"),
}


class SummaryConfigError(ValueError):
    """data/summary_columns.yaml is malformed."""


@dataclass(frozen=True)
class SheetSpec:
    jurisdiction: str
    sheet: str
    title: str
    columns: tuple[tuple[str, Any], ...]


@dataclass
class SummaryConfig:
    sheets: dict[str, SheetSpec]
    review_columns: tuple[tuple[str, Any], ...] = ()


@dataclass
class PacketRow:
    """What the summary knows of one packet: its result, manifest row and batch outcome."""

    result: Result
    entry: ManifestEntry | None
    outcome: PacketOutcome | None
    extra: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=4)
def load_summary_config(path: Path = COLUMNS_FILE) -> SummaryConfig:
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SummaryConfigError(f"{path}: cannot read ({exc})") from exc

    def columns(raw: Any, where: str) -> tuple[tuple[str, Any], ...]:
        if not isinstance(raw, list):
            raise SummaryConfigError(f"{path}: {where}: columns must be a list of [header, source]")
        out = []
        for i, item in enumerate(raw):
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                raise SummaryConfigError(f"{path}: {where}[{i}]: expected [header, source], got {item!r}")
            out.append((item[0], tuple(item[1]) if isinstance(item[1], list) else item[1]))
        return tuple(out)

    sheets = {}
    for j, spec in (data.get("jurisdictions") or {}).items():
        if not isinstance(spec, dict) or "sheet" not in spec:
            raise SummaryConfigError(f"{path}: jurisdictions.{j}: needs sheet and columns")
        name = _SHEET_BAD.sub("_", str(spec["sheet"]))[:31]
        sheets[j] = SheetSpec(
            j, name, str(spec.get("title") or name), columns(spec.get("columns"), f"{j}.columns")
        )
    return SummaryConfig(sheets, columns(data.get("review_columns") or [], "review_columns"))


# --- cell values ----------------------------------------------------------------------------


def _field(result: Result, key: str) -> Any:
    fr = result.fields.get(key)
    return None if fr is None else fr.value


def _received(row: PacketRow) -> str | None:
    if row.entry and row.entry.received_at:
        return row.entry.received_at.strftime("%Y-%m-%d %H:%M")
    value = _field(row.result, "submission_date")
    return str(value) if value else None


def _age(result: Result) -> int | None:
    birth = _field(result, "master_birth")
    on = _field(result, "fill_date") or _field(result, "submission_date")
    if not (isinstance(birth, str) and isinstance(on, str)):
        return None
    try:
        b = [int(x) for x in birth.split("-")]
        o = date.fromisoformat(on[:10])
    except ValueError:
        return None
    if len(b) < 2:
        return None
    day = b[2] if len(b) > 2 else 1
    return o.year - b[0] - ((o.month, o.day) < (b[1], day))


def _derived(name: str, row: PacketRow, seq: int) -> Any:
    result = row.result
    if name == "seq":
        return seq
    if name == "awards":
        return "、".join(a.title for a in result.awards if a.title) or None
    if name == "awards_other":
        return "、".join(a.claimed_text for a in result.awards if not a.title) or None
    if name == "awards_dated":
        return (
            "；".join(f"{a.year}年 {a.claimed_text}" if a.year else a.claimed_text for a in result.awards)
            or None
        )
    if name == "age":
        return _age(result)
    if name == "contact":
        parts = [
            _field(result, "contact_name"),
            _field(result, "contact_mobile") or _field(result, "contact_phone"),
        ]
        return " ".join(str(p) for p in parts if p) or None
    if name == "team_size_people":
        size = _field(result, "studio_team_size")
        return f"{size}人" if size is not None else None
    if name == "packet_id":
        return result.packet_id
    if name == "recommender":
        return row.entry.recommender if row.entry else None
    if name == "received_at":
        return _received(row)
    if name == "status":
        if row.outcome is None:
            return None
        return STATUS_LABELS.get(row.outcome.status, row.outcome.status)
    if name == "errors":
        return sum(1 for f in result.findings if str(f.severity) == "error")
    if name == "warnings":
        return sum(1 for f in result.findings if str(f.severity) == "warning")
    if name == "codes":
        codes = sorted({str(f.code) for f in result.findings if str(f.severity) != "info"})
        return "、".join(codes) or None
    raise SummaryConfigError(f"unknown summary column source {name!r}")


def cell_value(source: Any, row: PacketRow, seq: int) -> Any:
    if source is None:
        return None
    if isinstance(source, tuple):
        parts = [cell_value(s, row, seq) for s in source]
        return "\n".join(str(p) for p in parts if p not in (None, "")) or None
    if source in FIELD_KEYS or source in row.result.fields:
        return _field(row.result, source)
    return _derived(source, row, seq)


# --- tables ---------------------------------------------------------------------------------


def jurisdiction_of(row: PacketRow) -> str:
    if row.result.jurisdiction:
        return str(row.result.jurisdiction)
    if row.entry and row.entry.jurisdiction:
        return str(row.entry.jurisdiction)
    return UNKNOWN


def sheet_frames(rows: list[PacketRow], config: SummaryConfig) -> list[tuple[SheetSpec, pd.DataFrame]]:
    by_j: dict[str, list[PacketRow]] = defaultdict(list)
    for row in rows:
        j = jurisdiction_of(row)
        by_j[j if j in config.sheets else UNKNOWN].append(row)
    out = []
    order = [j for j in config.sheets if j in by_j]
    for j in order:
        spec = config.sheets.get(j) or config.sheets.get(UNKNOWN)
        if spec is None:
            continue
        columns = list(spec.columns) + list(config.review_columns)
        records = []
        for seq, row in enumerate(by_j[j], start=1):
            records.append([cell_value(src, row, seq) for _, src in columns])
        out.append((spec, pd.DataFrame(records, columns=_unique([h for h, _ in columns]))))
    return out


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h}({seen[h]})")
    return out


def finding_rows(rows: list[PacketRow]) -> list[list[Any]]:
    out = []
    for row in rows:
        result = row.result
        ordered = sorted(result.findings, key=lambda f: SEVERITY_ORDER.get(str(f.severity), 9))
        for f in ordered:
            extra = f.model_extra or {}
            out.append(
                [
                    result.packet_id,
                    jurisdiction_label(jurisdiction_of(row) if jurisdiction_of(row) != UNKNOWN else None),
                    _field(result, "unit_name"),
                    _field(result, "master_name"),
                    severity_label(str(f.severity)),
                    str(f.code),
                    finding_label(str(f.code)),
                    f.message,
                    "、".join(field_label(k) for k in f.fields) or None,
                    "、".join(document_label(d) for d in f.documents) or None,
                    "、".join(str(p) for p in f.pages) or None,
                    extra.get("rule"),
                    extra.get("citation"),
                ]
            )
    return out


QUOTA_COLUMNS = [
    "辖区",
    "名额口径",
    "按",
    "推荐单位 / 申报单位",
    "申报数",
    "限额",
    "是否超额",
    "材料编号",
    "依据",
]


def quota_rows(rows: list[PacketRow], manifest: Manifest | None) -> tuple[list[list[Any]], list[str]]:
    """Applications per recommender (or unit) against the notice's limit. Limits come from the
    rule packs; groups over their limit are the ones shenbao.rules.quotas reports."""
    notes: list[str] = []
    packs: dict[str, Any] = {}
    try:
        from shenbao.rules.checks.context import squash
        from shenbao.rules.pack import RulePackError, load_pack
        from shenbao.rules.quotas import check_quotas
    except ImportError as exc:  # the rules package is optional for the summary
        notes.append(f"名额规则不可用（{exc}），仅统计申报数")
        squash, load_pack, check_quotas, RulePackError = (
            (lambda s: re.sub(r"\s+", "", str(s))),
            None,
            None,
            Exception,
        )

    groups: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    limits: dict[tuple[str, str, str, str], tuple[int | None, str]] = {}
    for row in rows:
        j = jurisdiction_of(row)
        if j not in packs and load_pack is not None and j != UNKNOWN:
            try:
                packs[j] = load_pack(j)
            except RulePackError as exc:
                packs[j] = None
                notes.append(f"{jurisdiction_label(j)}：规则包无法读取（{exc}）")
        pack = packs.get(j)
        quotas = list(getattr(pack, "quotas", ()) or ())
        recommender = row.entry.recommender if row.entry else None
        unit = _field(row.result, "unit_name")
        keys = {"recommender": recommender, "unit_name": unit}
        pers = sorted({q.per for q in quotas}) or ["recommender"]
        for per in pers:
            raw = keys[per]
            key = (
                squash(raw) if isinstance(raw, str) and raw.strip() not in {"", "-", "—", "无", "/"} else None
            )
            if key is None:
                key = "（清单未写推荐单位）" if per == "recommender" else "（未读到申报单位）"
                name, limit, citation = "—", None, ""
            else:
                match = next(
                    (q for q in quotas if q.per == per and (q.match is None or re.search(q.match, key))), None
                )
                name = match.name if match else "—"
                limit = match.limit if match else None
                citation = match.citation.render() if match else ""
            gkey = (j, name, per, key)
            groups[gkey].append(row.result.packet_id)
            limits[gkey] = (limit, citation)
    over: set[tuple[str, str, str]] = set()
    if check_quotas is not None:
        try:
            for w in check_quotas([r.result for r in rows], manifest):
                over.add((w.jurisdiction, w.per, w.key))
        except Exception as exc:  # a rule pack error must not cost the batch summary
            log.exception("check_quotas failed")
            notes.append(f"名额检查出错（{type(exc).__name__}: {exc}）")
    out = []
    for (j, name, per, key), ids in sorted(groups.items()):
        limit, citation = limits[(j, name, per, key)]
        is_over = (j, per, key) in over or (limit is not None and len(ids) > limit)
        out.append(
            [
                jurisdiction_label(j if j != UNKNOWN else None),
                name,
                "推荐单位" if per == "recommender" else "申报单位",
                key,
                len(ids),
                limit if limit is not None else "不限",
                "超额" if is_over else ("" if limit is not None else "—"),
                "、".join(sorted(ids)),
                citation or None,
            ]
        )
    if manifest is None:
        notes.append("未提供批次清单：推荐单位未知，按推荐单位的名额无法核对")
    return out, notes


# --- writers --------------------------------------------------------------------------------


def _style_sheet(ws, header_row: int, widths: list[int], wrap_cols: set[int] | None = None) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _width(header: str, values: list[Any]) -> int:
    longest = max([len(str(header))] + [min(len(str(v)), 40) for v in values if v is not None])
    return max(6, min(42, int(longest * 1.7) + 2))  # CJK characters are about two columns wide


def summary_workbook(rows: list[PacketRow], manifest: Manifest | None, config: SummaryConfig) -> bytes:
    buf = io.BytesIO()
    frames = sheet_frames(rows, config)
    findings = pd.DataFrame(finding_rows(rows), columns=FINDING_COLUMNS)
    quotas, quota_notes = quota_rows(rows, manifest)
    quota_frame = pd.DataFrame(quotas, columns=QUOTA_COLUMNS)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for spec, frame in frames:
            frame.to_excel(writer, sheet_name=spec.sheet, index=False, startrow=2)
            ws = writer.sheets[spec.sheet]
            ws.cell(row=1, column=1, value=spec.title).font = Font(bold=True, size=14)
            ws.cell(row=2, column=1, value=f"由 shenbao {__version__} 根据申报材料自动生成，需人工核对")
            _style_sheet(ws, 3, [_width(str(c), frame[c].tolist()) for c in frame.columns])
        if not frames:
            pd.DataFrame({"说明": ["本批次没有申报材料"]}).to_excel(writer, sheet_name="汇总", index=False)
        findings.to_excel(writer, sheet_name="审核发现", index=False)
        ws = writer.sheets["审核发现"]
        _style_sheet(ws, 1, [16, 14, 24, 10, 8, 24, 20, 60, 24, 20, 10, 24, 40])
        ws.auto_filter.ref = ws.dimensions
        severity_col = FINDING_COLUMNS.index("严重程度")
        for excel_row, sev in enumerate(findings["严重程度"].tolist(), start=2):
            key = next((k for k, v in (("error", "错误"), ("warning", "警告")) if v == sev), None)
            if key:
                ws.cell(row=excel_row, column=severity_col + 1).fill = _SEVERITY_FILL[key]
        quota_frame.to_excel(writer, sheet_name="推荐名额", index=False)
        ws = writer.sheets["推荐名额"]
        _style_sheet(ws, 1, [16, 20, 10, 34, 8, 8, 10, 40, 60])
        ws.auto_filter.ref = ws.dimensions
        for excel_row, flag in enumerate(quota_frame["是否超额"].tolist(), start=2):
            if flag == "超额":
                for cell in ws[excel_row]:
                    cell.fill = _SEVERITY_FILL["error"]
        for i, note in enumerate(quota_notes):
            ws.cell(row=len(quota_frame) + 3 + i, column=1, value=f"注：{note}")
        mask_workbook(writer.book)
        inert_workbook(writer.book)  # applicant text that looks like a formula stays text
    return buf.getvalue()


def findings_csv(rows: list[PacketRow]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(FINDING_COLUMNS)
    for r in finding_rows(rows):
        writer.writerow(["" if v is None else inert_csv_cell(masked(v)) for v in r])
    return text.getvalue().encode("utf-8-sig")


def index_html(out_dir: Path, rows: list[PacketRow], generated_at: datetime) -> str:
    packets = []
    for row in rows:
        result, outcome = row.result, row.outcome
        pid = result.packet_id
        base = quote(pid)
        links = []
        for name, label in (
            ("report.html", "审核报告"),
            ("result.json", "result.json"),
            ("audit.jsonl", "审计记录"),
        ):
            if (out_dir / pid / name).is_file():
                links.append({"href": f"{base}/{name}", "label": label})
        counts = {
            s: sum(1 for f in result.findings if str(f.severity) == s) for s in ("error", "warning", "info")
        }
        j = jurisdiction_of(row)
        packets.append(
            {
                "id": pid,
                "report": f"{base}/report.html" if (out_dir / pid / "report.html").is_file() else None,
                "links": links,
                "jurisdiction": jurisdiction_label(j if j != UNKNOWN else None),
                "unit": _field(result, "unit_name") or "",
                "master": _field(result, "master_name") or "",
                "status": STATUS_LABELS.get(outcome.status, outcome.status) if outcome else "",
                "status_class": outcome.status if outcome else "",
                "counts": counts,
                "pages": outcome.pages if outcome else "",
                "seconds": outcome.seconds if outcome else "",
                "received": _received(row) or "",
                "codes": sorted({str(f.code) for f in result.findings if str(f.severity) == "error"}),
            }
        )
    totals = {
        "packets": len(rows),
        "with_errors": sum(1 for p in packets if p["counts"]["error"]),
        "errors": sum(p["counts"]["error"] for p in packets),
        "warnings": sum(p["counts"]["warning"] for p in packets),
        "unreadable": sum(1 for p in packets if p["status_class"] == "unreadable"),
    }
    files = [n for n in ("summary.xlsx", "summary.csv", "batch.json") if (out_dir / n).is_file()]
    return (
        template_env()
        .get_template("index.html.j2")
        .render(
            packets=packets,
            totals=totals,
            files=files,
            generated_at=generated_at.strftime("%Y-%m-%d %H:%M"),
            version=__version__,
        )
    )


def write_batch_summary(
    out_dir: Path,
    results: list[Result],
    manifest: Manifest | None,
    outcomes: list[PacketOutcome],
) -> list[Path]:
    """Write OUT/summary.xlsx, OUT/summary.csv and OUT/index.html; return their paths."""
    out_dir = Path(out_dir)
    config = load_summary_config()
    by_id = {o.packet_id: o for o in outcomes}
    entries = manifest.rows if manifest else {}
    rows = [PacketRow(r, entries.get(r.packet_id), by_id.get(r.packet_id)) for r in results]
    now = datetime.now(UTC).astimezone()
    written = []
    for name, data in (
        ("summary.xlsx", summary_workbook(rows, manifest, config)),
        ("summary.csv", findings_csv(rows)),
    ):
        write_file_atomic(out_dir / name, data)
        written.append(out_dir / name)
    # index.html last: it links the files above only when they exist.
    write_file_atomic(out_dir / "index.html", index_html(out_dir, rows, now))
    written.append(out_dir / "index.html")
    return written
