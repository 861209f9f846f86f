"""Checks on the application form alone: empty required rows, the 身份证号 and what it encodes,
the credit code, contact data, 参加工作时间, team size, the studio name and field text lengths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from shenbao.extractors.normalize.text import count_text_length
from shenbao.models.labels import FIELD_LABELS
from shenbao.models.result import Finding, FindingCode
from shenbao.rules.checks.context import RuleContext, parse_year_month, squash
from shenbao.rules.validators import (
    IdCheck,
    validate_credit_code,
    validate_email,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_postcode,
)

C = FindingCode


def missing_fields(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.fields
    form_pages = ctx.doc_pages("application_form")
    for key in rule.required:
        if ctx.value(key) is None:
            label = FIELD_LABELS.get(key, key)
            yield ctx.finding(
                C.MISSING_FIELD, "fields", rule.citation, f"申报表必填项“{label}”（{key}）为空",
                fields=[key], pages=form_pages,
            )


def id_check(ctx: RuleContext) -> IdCheck | None:
    number = ctx.text("master_id_number")
    return validate_id_number(number, today=ctx.today) if number else None


def _id_problems(chk: IdCheck) -> str:
    out = []
    if not chk.length_ok:
        out.append(f"长度为 {len(chk.number)} 位，应为 18 位")
    elif not chk.checksum_ok:
        if re.fullmatch(r"\d{17}[\dX]", chk.number):
            from shenbao.rules.validators import id_check_char

            out.append(f"校验码应为 {id_check_char(chk.number[:17])}，实为 {chk.number[17]}")
        else:
            out.append("含有非数字字符")
    if not chk.date_ok:
        out.append("出生日期不存在")
    if not chk.region_ok:
        out.append(f"地区码 {chk.number[:2]} 不存在")
    return "；".join(out) or "不符合 GB 11643"


def identity(ctx: RuleContext) -> Iterator[Finding]:
    """ID_CHECKSUM_INVALID, ID_BIRTH_MISMATCH, ID_GENDER_MISMATCH from the form's 身份证号."""
    chk = id_check(ctx)
    if chk is None:
        return
    cite = ctx.pack.identity.citation
    if not chk.valid:
        yield ctx.finding(
            C.ID_CHECKSUM_INVALID, "identity", cite,
            f"身份证号 {chk.number} 校验失败：{_id_problems(chk)}",
            fields=["master_id_number"], pages=ctx.pages("master_id_number"),
        )
    birth = ctx.text("master_birth")
    if chk.birth_date is not None and birth is not None:
        id_birth = chk.birth_date.isoformat()
        # Compare at the precision the form gives: 出生年月 carries year and month only.
        if re.fullmatch(r"\d{4}(-\d{2}){0,2}", birth) and id_birth[: len(birth)] != birth:
            yield ctx.finding(
                C.ID_BIRTH_MISMATCH, "identity", ctx.pack.identity.for_check("birth"),
                f"出生年月 {birth} 与身份证号中的出生日期 {id_birth} 不一致",
                fields=["master_birth", "master_id_number"], pages=ctx.pages("master_birth", "master_id_number"),
            )
    gender = ctx.text("master_gender")
    if chk.gender is not None and gender in ("男", "女") and gender != chk.gender:
        yield ctx.finding(
            C.ID_GENDER_MISMATCH, "identity", ctx.pack.identity.for_check("gender"),
            f"性别 {gender} 与身份证号 {chk.number} 第17位所示性别 {chk.gender} 不一致",
            fields=["master_gender", "master_id_number"], pages=ctx.pages("master_gender", "master_id_number"),
        )


def credit_code(ctx: RuleContext) -> Iterator[Finding]:
    code = ctx.text("unit_credit_code")
    pages = ctx.pages("unit_credit_code")
    if code is None:
        # The form has no such row: the business licence is where the code is written.
        for lic in ctx.evidence.business_licenses:
            if lic.credit_code is not None and lic.credit_code.value:
                code, pages = str(lic.credit_code.value), [lic.credit_code.page]
                break
    if code is not None and not validate_credit_code(code):
        yield ctx.finding(
            C.CREDIT_CODE_INVALID, "credit_code", ctx.pack.credit_code.citation,
            f"统一社会信用代码 {code} 未通过 GB 32100 校验",
            fields=["unit_credit_code"], pages=pages,
        )


_FORMAT_CHECKS = {
    "phone": (lambda s: validate_mobile(s) or validate_landline(s, require_area_code=False), "电话号码"),
    "mobile": (validate_mobile, "11位手机号码"),
    "email": (validate_email, "电子邮箱地址"),
    "postcode": (validate_postcode, "6位邮政编码"),
}


def contact(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.contact
    for key, fmt in rule.formats.items():
        v = ctx.text(key)
        if v is None:
            continue
        ok, what = _FORMAT_CHECKS[fmt]
        if not ok(v):
            yield ctx.finding(
                C.CONTACT_INVALID, "contact", rule.citation,
                f"{FIELD_LABELS.get(key, key)} {v} 不是有效的{what}",
                fields=[key], pages=ctx.pages(key),
            )


def work_start(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.work_start
    ws = parse_year_month(ctx.value("master_work_start"))
    if ws is None:
        return
    # The birth date inside a well-formed 身份证号 is the real one; the form's 出生年月 otherwise.
    chk = id_check(ctx)
    if chk is not None and chk.birth_date is not None and chk.date_ok:
        birth: tuple[int, int] | None = (chk.birth_date.year, chk.birth_date.month)
        birth_text = chk.birth_date.isoformat()
    else:
        birth = parse_year_month(ctx.value("master_birth"))
        birth_text = ctx.text("master_birth") or ""
    ws_text = ctx.text("master_work_start")
    pages = ctx.pages("master_work_start")
    if birth is not None and ws < (birth[0] + rule.min_age, birth[1]):
        yield ctx.finding(
            C.WORK_START_IMPLAUSIBLE, "work_start", rule.citation,
            f"参加工作时间 {ws_text} 早于 {rule.min_age} 周岁（出生日期 {birth_text}）",
            fields=["master_work_start"], pages=pages,
        )
        return
    # Not after the form was filled in (the day it arrived, or today, when there is no 填报时间).
    fill = parse_year_month(ctx.value("fill_date"))
    fill_text = ctx.text("fill_date")
    if fill is None:
        ref: date = ctx.received_at.date() if ctx.received_at else ctx.today
        fill, fill_text = (ref.year, ref.month), f"{ref.isoformat()}（收件/当前日期）"
    if ws > fill:
        yield ctx.finding(
            C.WORK_START_IMPLAUSIBLE, "work_start", rule.citation,
            f"参加工作时间 {ws_text} 晚于填报时间 {fill_text}",
            fields=["master_work_start"], pages=pages,
        )


def team_size(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.team_size
    if rule is None:
        return
    n = ctx.value("studio_team_size")
    if not isinstance(n, int | float) or isinstance(n, bool):
        return
    if (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max):
        span = f"{rule.min if rule.min is not None else 0}–{rule.max if rule.max is not None else '∞'}"
        yield ctx.finding(
            C.TEAM_SIZE_OUT_OF_RANGE, "team_size", rule.citation,
            f"工作室团队 {n:g} 人，不在通知要求的 {span} 人范围内",
            fields=["studio_team_size"], pages=ctx.pages("studio_team_size"),
        )


def studio_name(ctx: RuleContext) -> Iterator[Finding]:
    rule = ctx.pack.studio_name
    if rule is None:
        return
    name, master = ctx.text("studio_name"), ctx.text("master_name")
    if name is None or master is None:
        return
    expected = rule.template.format(master_name=master)
    if squash(name) != squash(expected):
        yield ctx.finding(
            C.STUDIO_NAME_FORMAT, "studio_name", rule.citation,
            f"工作室名称“{name}”不符合规定格式，应为“{expected}”",
            fields=["studio_name"], pages=ctx.pages("studio_name"),
        )


def _span_message(label: str, n: int, lo: int | None, hi: int | None) -> str:
    if lo is not None and n < lo:
        limit = f"少于 {lo} 字下限" if hi is None else f"不在 {lo}–{hi} 字范围内"
    else:
        limit = f"超过 {hi} 字上限" if lo is None else f"不在 {lo}–{hi} 字范围内"
    return f"{label} {n} 字，{limit}"


def field_text_lengths(ctx: RuleContext) -> Iterator[Finding]:
    for i, rule in enumerate(ctx.pack.text_lengths):
        if rule.field is None:
            continue
        text = ctx.text(rule.field)
        if text is None:
            continue
        n = count_text_length(text)
        if (rule.min is not None and n < rule.min) or (rule.max is not None and n > rule.max):
            yield ctx.finding(
                C.TEXT_LENGTH, f"text_lengths[{i}]", rule.citation, _span_message(rule.label, n, rule.min, rule.max),
                fields=[rule.field], pages=ctx.pages(rule.field),
            )


CHECKS = (missing_fields, identity, credit_code, contact, work_start, team_size, studio_name, field_text_lengths)
