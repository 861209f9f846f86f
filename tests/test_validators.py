"""Validators: GB 11643 身份证号, GB 32100 统一社会信用代码, phones, e-mail, 邮政编码.

Why every single-character change of a valid number is caught (the property tests below):
both checks are weighted sums modulo a prime p (11 for ISO 7064 MOD 11-2, 31 for GB 32100),
the check alphabet has exactly p symbols (0-9X; the 31 letters/digits without I O Z S V), and
no weight is 0 mod p. Replacing one symbol of value v by v' != v changes the sum by
w*(v'-v), which is never 0 mod p, so the check character no longer matches; replacing it by a
character outside the alphabet fails the format check. The only "changes" that go unnoticed
are changes of case (x → X, a → A): they are the same symbol after normalisation, on purpose.
(A second change can cancel the first; that is outside what a check character promises.)
"""

from __future__ import annotations

import string
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from shenbao.rules.validators import (
    USCC_ALPHABET,
    credit_code_check_char,
    id_check_char,
    validate_credit_code,
    validate_email,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_postcode,
)

TODAY = date(2025, 6, 1)
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    rest_of_region = draw(st.integers(0, 9999))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{province:02d}{rest_of_region:04d}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


@st.composite
def valid_credit_codes(draw: st.DrawFn, leading_digits: bool = False) -> str:
    head_alphabet = string.digits[1:] if leading_digits else "123456789ANY"
    head = draw(st.sampled_from(head_alphabet)) + draw(st.sampled_from(string.digits[1:]))
    region = "".join(draw(st.lists(st.sampled_from(string.digits), min_size=6, max_size=6)))
    org = "".join(draw(st.lists(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9)))
    first17 = head + region + org
    return first17 + credit_code_check_char(first17)


# --- 身份证号 ----------------------------------------------------------------------------


def test_known_id_number_from_the_standard() -> None:
    check = validate_id_number("11010519491231002X", today=TODAY)
    assert check.valid
    assert check.birth_date == date(1949, 12, 31)
    assert check.gender == "女"  # 17th digit 2 is even
    assert check.problems == ()


def test_id_gender_from_17th_digit() -> None:
    first17 = "14112419840413395"  # 17th digit 5: odd
    check = validate_id_number(first17 + id_check_char(first17), today=TODAY)
    assert check.valid and check.gender == "男"


@given(valid_ids())
def test_generated_ids_validate(number: str) -> None:
    check = validate_id_number(number, today=TODAY)
    assert check.valid, check.problems
    assert check.birth_date is not None and check.birth_date.strftime("%Y%m%d") == number[6:14]
    assert check.gender == ("男" if int(number[16]) % 2 else "女")


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789XABOI "))
def test_any_single_change_invalidates_an_id(number: str, pos: int, new: str) -> None:
    if new == number[pos]:
        return
    changed = number[:pos] + new + number[pos + 1 :]
    assert not validate_id_number(changed, today=TODAY).valid


@given(valid_ids())
def test_lower_case_x_is_the_same_id(number: str) -> None:
    assert validate_id_number(number.lower(), today=TODAY).valid


@pytest.mark.parametrize(
    ("number", "failed"),
    [
        ("11010519491231002", "length_ok"),  # 17 characters
        ("110105194912310021", "checksum_ok"),  # wrong check digit
        ("11010519790231" + "0011", "date_ok"),  # 1979-02-31 does not exist
        ("99010519491231002X", "region_ok"),  # no province 99
        ("00010519491231002X", "region_ok"),
    ],
)
def test_invalid_id_numbers(number: str, failed: str) -> None:
    check = validate_id_number(number, today=TODAY)
    assert not check.valid
    assert getattr(check, failed) is False
    assert check.problems


def test_id_birth_date_in_the_future_or_before_1900() -> None:
    future = (TODAY + timedelta(days=1)).strftime("%Y%m%d")
    first17 = f"110105{future}002"
    check = validate_id_number(first17 + id_check_char(first17), today=TODAY)
    assert check.checksum_ok and not check.date_ok and not check.valid
    first17 = "44052418991231001"
    check = validate_id_number(first17 + id_check_char(first17), today=TODAY)
    assert check.checksum_ok and not check.date_ok and not check.valid


def test_id_birth_and_gender_are_read_even_when_the_checksum_fails() -> None:
    check = validate_id_number("110105194912310021", today=TODAY)
    assert not check.valid
    assert check.birth_date == date(1949, 12, 31)
    assert check.gender == "女"


@pytest.mark.parametrize("bad", [None, 123, "", "   ", "ABCDEFGHIJKLMNOPQR", "１１０１０５１９４９１２３１００２Ｘ"])
def test_id_validator_never_raises(bad: object) -> None:
    assert not validate_id_number(bad, today=TODAY).valid


def test_id_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        id_check_char("1234")


# --- 统一社会信用代码 --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43", "91420115MA4WQFGQ0H"])
def test_known_valid_credit_codes(code: str) -> None:
    assert validate_credit_code(code)
    assert validate_credit_code(code.lower())  # case is not what the check is about


@given(valid_credit_codes())
def test_generated_credit_codes_validate(code: str) -> None:
    assert validate_credit_code(code)


@given(valid_credit_codes(leading_digits=True))
@settings(max_examples=200)
def test_credit_code_check_agrees_with_stdnum(code: str) -> None:
    assert validate_credit_code(code) == stdnum_uscc.is_valid(code) is True
    broken = code[:17] + ("0" if code[17] != "0" else "1")
    assert validate_credit_code(broken) == stdnum_uscc.is_valid(broken) is False


def test_credit_code_with_letter_registering_authority() -> None:
    # N (农业) and Y (其他) registering authorities exist; stdnum rejects them, we do not.
    first17 = "N2110000600037341"
    code = first17 + credit_code_check_char(first17)
    assert validate_credit_code(code)
    assert not stdnum_uscc.is_valid(code)


@given(valid_credit_codes(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET + "IOZSV!"))
def test_any_single_change_invalidates_a_credit_code(code: str, pos: int, new: str) -> None:
    if new == code[pos]:
        return
    assert not validate_credit_code(code[:pos] + new + code[pos + 1 :])


@pytest.mark.parametrize(
    "bad",
    [None, 42, "", "91110000600037341", "91110000600037341L0", "9111000O600037341L", "911100A0600037341L",
     "91110000600037341I"],
)
def test_invalid_credit_codes(bad: object) -> None:
    assert not validate_credit_code(bad)


# --- contact data ------------------------------------------------------------------------


@pytest.mark.parametrize("good", ["13792607014", "19903133864", "15548940366"])
def test_valid_mobiles(good: str) -> None:
    assert validate_mobile(good) and validate_phone(good)


@pytest.mark.parametrize("bad", ["1379260701", "137926070140", "12792607014", "1379260701a", "137-9260-7014", None])
def test_invalid_mobiles(bad: object) -> None:
    assert not validate_mobile(bad)


@pytest.mark.parametrize(
    "good", ["0358-6941032", "027-71672688", "010-12345678", "0471-5399735", "0431-83103216", "03586941032",
             "0358-6941032-801"],
)
def test_valid_landlines(good: str) -> None:
    assert validate_landline(good) and validate_phone(good)


@pytest.mark.parametrize(
    "bad", ["6941032", "0358-694103", "027-7167268", "358-6941032", "0358-69410321234", "0358_6941032", "", None],
)
def test_invalid_landlines(bad: object) -> None:
    assert not validate_landline(bad)


def test_local_number_only_when_asked() -> None:
    assert not validate_landline("6941032")
    assert validate_landline("6941032", require_area_code=False)
    assert not validate_landline("0941032", require_area_code=False)


@pytest.mark.parametrize("good", ["273750741@qq.com", "tcw14@126.com", "wfjhyv7881@sina.com", "a.b-c@mail.example.cn"])
def test_valid_emails(good: str) -> None:
    assert validate_email(good)


@pytest.mark.parametrize(
    "bad", ["4101207826#qq.com", "tcw14@126", "tcw14@126.co m", "@qq.com", "abc@", "a..b@qq.com", "abc@qq..com",
            "abc＠qq.com", ".abc@qq.com", None],
)
def test_invalid_emails(bad: object) -> None:
    assert not validate_email(bad)


@pytest.mark.parametrize(("code", "ok"), [("130012", True), ("033000", True), ("01005", False), ("4302000", False),
                                         ("13001a", False), ("１３００１２", False), ("", False)])
def test_postcodes(code: str, ok: bool) -> None:
    assert validate_postcode(code) is ok
