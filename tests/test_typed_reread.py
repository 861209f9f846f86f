"""Typed values decoded again under their grammar: CTC frame scores, the constrained decoder,
the grammar file, and the re-read through `read_form` on a rendered, scanned form."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from shenbao.extractors.form import typed
from shenbao.extractors.form.cellread import CellReadSettings
from shenbao.extractors.form.reader import REREAD_BIRTH_FROM_ID, CellReader, read_form
from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.ctc import Grammar, LineScores, decode
from shenbao.extractors.ocr.synthetic import cjk_font_path
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import Page
from tests import _form_builders as fb
from tests._frames import frames, word

EMAIL = Grammar("email", r"[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|cn)")


# --- frame scores and the constrained decoder ----------------------------------------------------


def test_best_path_collapses_repeats_and_drops_blanks() -> None:
    scores = frames({"a": 0.9, "": 0.1}, {"a": 0.8, "": 0.2}, {"": 0.9, "a": 0.1}, {"a": 0.7, "b": 0.3}, {"b": 0.6, "": 0.4})
    text, confidence = scores.best_path()
    assert text == "aab"
    assert confidence == pytest.approx((0.9 + 0.7 + 0.6) / 3)


def test_grammar_takes_a_second_candidate_the_plain_reading_passed_over() -> None:
    scores = word("wang8o163.com", {5: {"o": 0.6, "@": 0.35, "": 0.05}})
    free = decode(scores)
    assert free is not None and free.text == "wang8o163.com"
    found = decode(scores, EMAIL)
    assert found is not None
    assert found.text == "wang8@163.com"
    assert found.free_text == "wang8o163.com"
    assert -2.0 < found.log_ratio < 0.0  # 0.35 against 0.6: a little less likely


def test_no_reading_of_the_right_shape_gives_none() -> None:
    assert decode(word("wang8o163.com"), EMAIL) is None  # no "@" anywhere in its frames


def test_confusions_lend_a_look_alike_its_share() -> None:
    scores = word("dog8osina.com", {4: {"o": 0.97, "": 0.03}})
    assert decode(scores, EMAIL) is None
    widened = scores.with_confusions({"o": ("@",)}, 0.1)
    found = decode(widened, EMAIL)
    assert found is not None and found.text == "dog8@sina.com"
    # the look-alike's share is all the "@" gets: about log(0.1) less likely than "o"
    assert found.log_prob - decode(scores).log_prob == pytest.approx(np.log(0.1), abs=0.05)


def test_line_scores_survive_json() -> None:
    scores = word("0358-8035066", {4: {"一": 0.7, "-": 0.25, "": 0.05}})
    assert LineScores.from_json(scores.to_json()) == scores


# --- the grammar file and the acceptance margin --------------------------------------------------


def test_shipped_grammars_load_and_cover_the_typed_fields() -> None:
    settings = typed.load_settings()
    for key in ("email", "contact_phone", "master_id_number", "unit_credit_code", "master_birth", "postcode"):
        assert key in settings.by_key
    assert "@" in settings.read_as["o"]


def test_grammar_file_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "max_log_ratio: 6\nconfusion_share: 0.1\n"
        "grammars:\n  email:\n    keys: [e_mail]\n    patterns: ['.+@.+']\n    check: email\n",
        encoding="utf-8",
    )
    with pytest.raises(typed.GrammarFileError, match="e_mail"):
        typed.load_settings(path)


def test_needs_reread_only_for_malformed_typed_values() -> None:
    settings = typed.load_settings()
    assert typed.needs_reread("email", "dog8osina.com", "dog8osina.com", settings)
    assert not typed.needs_reread("email", "dog8@sina.com", "dog8@sina.com", settings)
    assert not typed.needs_reread("email", None, "", settings)  # an empty cell is the applicant's
    assert not typed.needs_reread("master_name", None, "王?", settings)  # no grammar for names
    assert typed.needs_reread("master_id_number", "141124198404133958", "141124198404133958", settings)


def test_a_closed_choice_misread_is_read_as_the_choice_its_frames_hold() -> None:
    settings = typed.load_settings()
    assert typed.needs_reread("is_plaqued", None, "足", settings)  # a worn 是
    assert not typed.needs_reread("is_plaqued", "是", "已授牌", settings)
    field = settings.by_key["is_plaqued"]
    worn = word("足", {0: {"足": 0.6, "是": 0.3, "": 0.1}})
    assert typed._best_reading([worn], field, settings).text == "是"
    # Frames torn between 是 and 否 are no reading: the cell stays for the reviewer.
    torn = word("足", {0: {"足": 0.4, "是": 0.28, "否": 0.27, "": 0.05}})
    assert typed._best_reading([torn], field, settings) is None
    assert typed._best_reading([word("无")], field, settings) is None  # neither choice in the frames
    gender = settings.by_key["master_gender"]
    assert typed._best_reading([word("另", {0: {"另": 0.5, "女": 0.4, "": 0.1}})], gender, settings).text == "女"


def test_a_month_whose_year_mark_was_lost_is_read_with_the_digits_its_frames_hold() -> None:
    # "1967年01月" under a seal: 年 gone, the year's 1 a faint second to the blank.
    settings = typed.load_settings()
    field = settings.by_key["master_birth"]
    worn = word("196701月", {0: {"": 0.78, "1": 0.12, "(": 0.1}})
    assert typed.needs_reread("master_birth", None, "96701月", settings)
    found = typed._best_reading([worn], field, settings)
    assert found is not None and found.text == "196701月"
    assert typed.normalize_field("master_birth", found.text) == "1967-01"
    # A month of one digit or past 12 is no such reading: the year and month cannot be told apart.
    assert typed._best_reading([word("19671月")], field, settings) is None
    assert typed._best_reading([word("196713月")], field, settings) is None


def test_a_reading_the_image_barely_supports_is_refused() -> None:
    settings = typed.load_settings()
    field = settings.by_key["email"]
    likely = word("wang8o163.com", {5: {"o": 0.6, "@": 0.35, "": 0.05}})
    assert typed._best_reading([likely], field, settings).text == "wang8@163.com"
    # "@" at 1e-4 against 0.99: the image says "o", the address stays malformed as read
    unlikely = word("wang8o163.com", {5: {"o": 0.9898, "@": 0.0001, "": 0.0101}})
    plain = replace(settings, read_as={})
    assert typed._best_reading([unlikely], field, plain) is None


# --- with the real recogniser ----------------------------------------------------------------------


def _row_image(text: str, font_px: int = 30) -> np.ndarray:
    font = ImageFont.truetype(str(cjk_font_path()), font_px)
    img = Image.new("RGB", (font_px * len(text), int(font_px * 1.8)), "white")
    ImageDraw.Draw(img).text((8, font_px // 3), text, fill="black", font=font)
    return np.asarray(img)


def test_frame_scores_read_what_the_plain_recogniser_reads() -> None:
    engine = get_engine("rapidocr")
    rows = [_row_image("rkfov25@126.com"), _row_image("0358-8035066")]
    plain = engine.read_lines(rows)
    scores = engine.read_line_scores(rows)
    for (text, confidence), line_scores in zip(plain, scores, strict=True):
        best, mean = line_scores.best_path()
        assert best == text
        assert mean == pytest.approx(confidence, abs=0.01)


@pytest.fixture(scope="module")
def form_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fb.draw_pdf(tmp_path_factory.mktemp("typed") / "form.pdf", [fb.main_form()])


def _written(tmp_path: Path, old: str, new: str) -> Path:
    """The test form drawn with the cell that holds `old` written `new` instead."""
    form = fb.main_form()
    for table in form.tables:
        table.cells = [replace(c, text=new) if c.text == old else c for c in table.cells]
    return fb.draw_pdf(tmp_path / "form.pdf", [form])


def _scan(form_pdf: Path, misread: dict[str, str]) -> Page:
    """The form rendered and scanned, with the page reading's text of some lines replaced (what
    a worn scan makes a recogniser see), the image left as it is."""
    text_page = ingest(form_pdf).pages[0]
    page = fb.scan_page(text_page, fb.render(form_pdf, 0), angle=1.2, confidence=0.96)
    page.lines = [replace(ln, text=misread.get(ln.text, ln.text)) for ln in page.lines]
    return page


def test_malformed_values_are_read_again_under_their_grammar(form_pdf: Path) -> None:
    page = _scan(form_pdf, {"rkfov25@126.com": "rkfov25o126.com", "0358-8035066": "0358-80350"})
    engine = get_engine("rapidocr")
    off = read_form([page], "lvliang-2025", cells=CellReader(engine, CellReadSettings(reread_typed=False)))
    assert off["email"].value != "rkfov25@126.com"
    fields = read_form([page], "lvliang-2025", cells=CellReader(engine, CellReadSettings()))
    assert fields["email"].value == "rkfov25@126.com"
    assert fields["email"].reread_from == "rkfov25o126.com"
    assert fields["unit_head_phone"].value == "0358-8035066"
    assert fields["unit_head_phone"].reread_from == "0358-80350"
    # well-formed values are not touched
    assert fields["contact_phone"].value == "0358-3761258"
    assert fields["contact_phone"].reread_from is None


def test_a_malformed_value_written_so_stays_as_written(tmp_path: Path) -> None:
    pdf = _written(tmp_path, "rkfov25@126.com", "rkfov25.126.com")
    page = _scan(pdf, {})
    fields = read_form([page], "lvliang-2025", cells=CellReader(get_engine("rapidocr"), CellReadSettings()))
    assert fields["email"].reread_from is None
    assert "@" not in (fields["email"].value or "")


def test_a_birth_month_misread_against_the_id_number_is_read_as_the_id_says(form_pdf: Path) -> None:
    # the form says 1984.04, the ID number 141124198404133956: a worn 8 read as 3
    page = _scan(form_pdf, {"1984.04": "1934.04"})
    fields = read_form([page], "lvliang-2025", cells=CellReader(get_engine("rapidocr"), CellReadSettings()))
    assert fields["master_id_number"].value == "141124198404133956"
    assert fields["master_birth"].value == "1984-04"
    assert fields["master_birth"].reread_from == "1934.04"
    assert fields["master_birth"].reread_why == REREAD_BIRTH_FROM_ID


def test_a_birth_month_written_wrong_stays_as_written(tmp_path: Path) -> None:
    pdf = _written(tmp_path, "1984.04", "1984.08")
    fields = read_form([_scan(pdf, {})], "lvliang-2025",
                       cells=CellReader(get_engine("rapidocr"), CellReadSettings()))
    assert fields["master_birth"].value == "1984-08"  # for the rules to report
    assert fields["master_birth"].reread_from is None


def test_month_spellings_accept_every_way_a_form_writes_the_month() -> None:
    spelt = typed.month_spellings(1975, 9)
    for text in ("1975年9月", "1975年09月", "1975.09", "1975-9", "1975年9月12日", "1975/09/12"):
        assert spelt.accepts(text), text
    for text in ("1973年9月", "1975年8月", "1975.19", "1975"):
        assert not spelt.accepts(text), text


def test_a_letter_read_surely_is_not_taken_for_a_missing_at() -> None:
    settings = typed.load_settings()
    field = settings.by_key["email"]
    # "lina163.com" with no "@" anywhere: the "a" was read all but surely
    sure = word("lina163.com")
    assert typed._best_reading([sure], field, settings) is None
    # a worn "@" the recogniser half took for an "o" is another matter
    worn = word("dog8osina.com", {4: {"o": 0.85, "": 0.15}})
    assert typed._best_reading([worn], field, settings).text == "dog8@sina.com"


def test_two_well_formed_readings_about_as_likely_are_no_reading() -> None:
    settings = typed.load_settings()
    field = settings.by_key["postcode"]
    # seven digits read, the last one faint; and the second digit could as well be 3 as 8
    torn = word("0325000", {1: {"3": 0.5, "8": 0.45, "": 0.05}, 6: {"0": 0.6, "": 0.4}})
    assert decode(torn).text == "0325000"
    assert typed._best_reading([torn], field, settings) is None  # 032500 or 082500: a guess
    clear = word("0325000", {1: {"3": 0.9, "8": 0.05, "": 0.05}, 6: {"0": 0.6, "": 0.4}})
    assert typed._best_reading([clear], field, settings).text == "032500"


def test_an_id_number_of_the_right_shape_is_read_again_only_where_the_image_nearly_prefers_it() -> None:
    settings = typed.load_settings()
    field = settings.by_key["master_id_number"]
    assert typed.well_formed(field, "440301199001011230")  # the shape, a failing check digit
    assert not typed.well_formed(field, "44:301199001011230")
    # 440301199001011230 fails its check digit; 440301199001017230 passes. Its 7 at a thirtieth
    # of the 1's probability is support enough to mend a garbled read, not a well-formed one.
    scores = word("440301199001011230", {14: {"1": 0.93, "7": 0.03, "": 0.04}})
    loose = typed._best_reading([scores], field, settings)
    assert loose is not None and loose.text == "440301199001017230"
    strict = replace(field, max_log_ratio=field.max_log_ratio_well_formed)
    assert typed._best_reading([scores], strict, settings) is None


def test_rows_read_one_after_the_other_decode_as_one_value() -> None:
    first, second = word("rkfov25o1"), word("26.com")
    joined = LineScores.joined([first, second])
    assert joined.best_path()[0] == "rkfov25o126.com"
    worn = LineScores.joined([word("rkfov25o1", {7: {"o": 0.8, "@": 0.15, "": 0.05}}), second])
    assert decode(worn, EMAIL).text == "rkfov25@126.com"
    # the last character of one row and the first of the next stay two
    assert LineScores.joined([word("11"), word("1")]).best_path()[0] == "111"


def test_a_value_wrapped_over_two_rows_is_read_again_as_one(tmp_path: Path) -> None:
    pdf = _written(tmp_path, "rkfov25@126.com", "rkfov25@1\n26.com")
    page = _scan(pdf, {"rkfov25@1": "rkfov25o1"})
    fields = read_form([page], "lvliang-2025", cells=CellReader(get_engine("rapidocr"), CellReadSettings()))
    assert fields["email"].value == "rkfov25@126.com"
    assert fields["email"].reread_from is not None
