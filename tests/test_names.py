"""Doubtful scanned person names decoded again with the name character model (`namelm`, `names`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shenbao.extractors.form import names
from shenbao.extractors.form.cellread import CellReadSettings
from shenbao.extractors.form.reader import REREAD_NAME, CellReader, read_form
from shenbao.extractors.ocr import get_engine, namelm
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import LineScores
from shenbao.pipeline.ingest import ingest
from tests import _form_builders as fb
from tests._frames import RescoringEngine, word

SETTINGS = names.NameSettings()


def test_shipped_table_knows_surnames_from_given_name_characters() -> None:
    model = namelm.load()
    assert model.log_prob("侯", 0) is not None and model.log_prob("线", 0) is None
    assert model.log_prob("武", 1) > model.log_prob("此", 1) + 4.0
    assert model.log_prob("東", 0) is None  # traditional forms are never preferred


def test_a_broken_table_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "name_chars.tsv"
    bad.write_text("char\tsurname\n侯\t-6.2\n", encoding="utf-8")
    with pytest.raises(namelm.NameTableError, match="header"):
        namelm.load(bad)
    with pytest.raises(namelm.NameTableError):
        namelm.load(tmp_path / "missing.tsv")


def test_a_torn_character_goes_to_the_one_names_use() -> None:
    model = namelm.load()
    given = word("林此文", {1: {"此": 0.6, "武": 0.35, "": 0.05}})
    assert names.read_name(given, model, SETTINGS) == "林武文"
    surname = word("线平强", {0: {"线": 0.55, "侯": 0.4, "": 0.05}})
    assert names.read_name(surname, model, SETTINGS) == "侯平强"


def test_a_clearly_read_name_stays_however_rare_its_characters() -> None:
    model = namelm.load()
    assert names.read_name(word("覃鹏"), model, SETTINGS) is None
    # 覃 is rare in names and 章 common, but the frames are sure of 覃.
    clear = word("覃鹏", {0: {"覃": 0.95, "章": 0.04, "": 0.01}})
    assert names.read_name(clear, model, SETTINGS) is None
    # Weight 0 is the plain reading.
    torn = word("林此文", {1: {"此": 0.6, "武": 0.35, "": 0.05}})
    assert names.read_name(torn, model, replace(SETTINGS, weight=0.0)) is None


def test_only_doubtful_name_fields_are_read_again() -> None:
    assert names.needs_reread("contact_name", "林此文", 0.87, SETTINGS)
    assert not names.needs_reread("contact_name", "林此文", 0.999, SETTINGS)  # read surely
    assert not names.needs_reread("unit_name", "吕梁市技师学院", 0.87, SETTINGS)  # not a person
    assert not names.needs_reread("contact_name", "林", 0.87, SETTINGS)  # not a name's length
    assert not names.needs_reread("contact_name", "Lin Wuwen", 0.87, SETTINGS)


class TornNameEngine(RescoringEngine):
    """The real recogniser, except that a row it reads as `name` comes back with one character
    torn between the right one and `wrong` (what a worn scan does to a stroke)."""

    name = "torn"

    def __init__(self, real: OcrEngine, name: str, index: int, wrong: str, tail: str = "") -> None:
        super().__init__(real)
        self.name_text, self.index, self.wrong, self.tail = name, index, wrong, tail

    def rescore(self, scores: LineScores) -> LineScores:
        if scores.best_path()[0] != self.name_text:
            return scores
        right = self.name_text[self.index]
        return word(self.name_text + self.tail, {self.index: {self.wrong: 0.6, right: 0.35, "": 0.05}})


@pytest.fixture(scope="module")
def worn_form(tmp_path_factory: pytest.TempPathFactory):
    """The test form scanned, with the page reading's 联系人 misread 邹此峰."""
    pdf = fb.draw_pdf(tmp_path_factory.mktemp("names") / "form.pdf", [fb.main_form()])
    page = fb.scan_page(ingest(pdf).pages[0], fb.render(pdf, 0), angle=1.2, confidence=0.96)
    page.lines = [replace(ln, text="邹此峰") if ln.text == "邹俊峰" else ln for ln in page.lines]
    return page


def test_a_torn_contact_name_on_a_scanned_form_is_read_as_a_name(worn_form) -> None:
    page = worn_form
    engine = TornNameEngine(get_engine("rapidocr"), "邹俊峰", 1, "此")

    # The page's lines are left as read (the bigram model would weigh 俊峰 against 此峰 too).
    plain = CellReadSettings(refine_lines=False)
    off = read_form([page], "lvliang-2025", cells=CellReader(engine, replace(plain, reread_names=False)))
    assert off["contact_name"].value == "邹此峰"

    fields = read_form([page], "lvliang-2025", cells=CellReader(engine, plain))
    assert fields["contact_name"].value == "邹俊峰"
    assert fields["contact_name"].reread_from == "邹此峰"
    assert fields["contact_name"].reread_why == REREAD_NAME
    # A name the frames read surely is left as read.
    assert fields["unit_head"].value == "白武林" and fields["unit_head"].reread_from is None


def test_a_name_row_that_reads_longer_than_the_page_did_is_left_alone(worn_form) -> None:
    # The cell's row as cut picks up a neighbour's mark: its frames are not the name alone.
    engine = TornNameEngine(get_engine("rapidocr"), "邹俊峰", 1, "此", tail="|")
    fields = read_form([worn_form], "lvliang-2025", cells=CellReader(engine, CellReadSettings(refine_lines=False)))
    assert fields["contact_name"].value == "邹此峰" and fields["contact_name"].reread_from is None
