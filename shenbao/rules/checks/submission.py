"""When the packet arrived, against the notice's deadline or acceptance window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from shenbao.models.result import Finding, FindingCode
from shenbao.rules.checks.context import RuleContext

C = FindingCode


def _received(ctx: RuleContext) -> tuple[datetime | None, date | None]:
    """(moment, day) of receipt: the manifest's time, else the result's submission_date (day only)."""
    if ctx.received_at is not None:
        at = ctx.received_at
        if at.tzinfo is not None:
            # Manifests give local (Beijing) time; an offset only says which that is.
            at = at.replace(tzinfo=None)
        return at, at.date()
    text = ctx.text("submission_date")
    if text:
        try:
            return None, date.fromisoformat(text[:10])
        except ValueError:
            return None, None
    return None, None


def submission(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.submission
    if rule is None:
        return
    at, day = _received(ctx)
    if day is None:
        return
    shown = f"{at:%Y-%m-%d %H:%M}" if at else day.isoformat()
    deadline = rule.deadline_at()
    if deadline is not None:
        last, has_time = deadline
        # Inclusive to the minute the notice names (18:00 counts); a date alone: the whole day.
        late = (at.replace(second=0, microsecond=0) > last) if at else day > last.date()
        if late:
            limit = f"{last:%Y-%m-%d %H:%M}" if has_time else f"{last:%Y-%m-%d}（含当日）"
            yield ctx.finding(
                C.SUBMITTED_LATE, "submission", rule.citation,
                f"收件时间 {shown} 晚于截止时间 {limit}",
                fields=["submission_date"],
            )
    if rule.window is not None:
        lo, hi = rule.window.from_, rule.window.to
        if not lo <= day <= hi:
            side = "早于" if day < lo else "晚于"
            yield ctx.finding(
                C.SUBMITTED_OUTSIDE_WINDOW, "submission", rule.citation,
                f"收件时间 {shown} {side}受理期 {lo.isoformat()} 至 {hi.isoformat()}（提前或逾期均不予受理）",
                fields=["submission_date"],
            )


CHECKS = (submission,)
