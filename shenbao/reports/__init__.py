"""Reports for reviewers and auditors: per packet report.html and audit.jsonl, per batch
summary.xlsx, summary.csv and index.html."""

from __future__ import annotations

from shenbao.reports.audit import audit_jsonl, audit_records
from shenbao.reports.packet_report import packet_report_files, render_packet_report
from shenbao.reports.summary import write_batch_summary

__all__ = [
    "audit_jsonl",
    "audit_records",
    "packet_report_files",
    "render_packet_report",
    "write_batch_summary",
]
