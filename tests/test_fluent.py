"""Doubtful scanned lines decoded again with a character bigram model (`charlm`, `fluent`)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from shenbao.extractors.form.reader import REREAD_FLUENT, PageLayout, _combine, _note_refined, _Read
from shenbao.extractors.ocr import charlm, get_engine
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.ctc import LineScores, decode_fluent
from shenbao.extractors.ocr.fluent import FluentSettings, Refined, _held, refine_lines
from shenbao.extractors.ocr.synthetic import cjk_font_path
from shenbao.pipeline.types import Page, PageKind, TextLine
from tests._frames import frames, word

WORDS = {"项目": 3e-4, "完成": 2e-4, "技术": 3e-4, "革新": 2e-5, "日期": 1e-4, "東側": 1e-5, "林": 1e-5, "文": 1e-4}


def test_pairs_inside_words_score_above_pairs_that_never_meet() -> None:
    model = charlm.CharBigrams.from_words(WORDS)
    assert model.pmi("项", "目") > 1.0
    assert model.pmi("项", "日") < model.pmi("项", "目") - 1.0
    assert model.pmi("项", "x") == 0.0  # not in the model: no opinion
    # Words with a traditional character are left out: 東 never becomes a preferred reading.
    assert not model.knows("東") and not model.knows("側")


def test_shipped_model_knows_common_words_and_place_names() -> None:
    model = charlm.load()
    assert model.pmi("项", "目") > 4.0
    assert model.pmi("吕", "梁") > model.pmi("吕", "吸") + 4.0
    assert model.pmi("孝", "义") > model.pmi("学", "义") + 4.0


def _bonus(model: charlm.CharBigrams, weight: float = 0.5):
    def bonus(prefix: str, ch: str) -> float:
        return weight * max(-1.5, min(6.0, model.pmi(prefix[-1], ch))) if prefix else 0.0
    return bonus


def test_a_near_tie_goes_to_the_word_and_a_clear_reading_stays() -> None:
    model = charlm.CharBigrams.from_words(WORDS)
    doubtful = word("完成技术革新项日", {7: {"日": 0.55, "目": 0.45}})
    assert decode_fluent(doubtful, _bonus(model)) == "完成技术革新项目"
    sure = word("完成技术革新项日", {7: {"日": 0.999, "目": 0.001}})
    assert decode_fluent(sure, _bonus(model)) == "完成技术革新项日"


class FrameEngine(OcrEngine):
    """Gives prepared frame scores for the rows it is asked about, in order; counts them."""

    name = "frames"

    def __init__(self, scores: list[LineScores] | None) -> None:
        self.scores = scores
        self.asked = 0

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        raise NotImplementedError

    def read_page(self, image: np.ndarray) -> PageOcr:
        raise NotImplementedError

    def read_line_scores(self, rows: list[np.ndarray]) -> list[LineScores]:
        if self.scores is None:
            raise NotImplementedError("no frame scores")
        self.asked += len(rows)
        return self.scores[: len(rows)]


def _text_line(text: str, y: float, confidence: float) -> TextLine:
    box = (10.0, y, 10.0 + 30 * len(text), y + 30)
    polygon = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
    return TextLine(text, box, confidence, polygon)


def test_refine_lines_reads_only_doubtful_lines_and_replaces_what_the_model_reads_otherwise() -> None:
    image = np.full((400, 800, 3), 255, np.uint8)
    lines = [
        _text_line("完成技术革新项日", 10, 0.95),  # doubtful: read again
        _text_line("完成技术革新项日", 60, 0.999),  # sure: never read again
        _text_line("1975年4日", 110, 0.9),  # a date: for its grammar, not for word statistics
        _text_line("东制", 160, 0.5),  # too garbled to mend
    ]
    doubtful = word("完成技术革新项日", {7: {"日": 0.55, "目": 0.45}})
    engine = FrameEngine([doubtful])
    out, refined = refine_lines(lines, image, engine)
    assert engine.asked == 1
    assert [ln.text for ln in out] == ["完成技术革新项目", "完成技术革新项日", "1975年4日", "东制"]
    assert refined == [Refined(out[0], "完成技术革新项日")]
    assert out[0].bbox == lines[0].bbox and out[0].confidence == lines[0].confidence


def test_refine_lines_keeps_a_line_the_model_agrees_with_and_engines_without_frames() -> None:
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("完成技术革新项目", 10, 0.95)]
    out, refined = refine_lines(lines, image, FrameEngine([word("完成技术革新项目")]))
    assert out == lines and refined == []
    out, refined = refine_lines(lines, image, FrameEngine(None))
    assert out == lines and refined == []
    # Weight 0 is the plain reading.
    doubtful = word("完成技术革新项日", {7: {"日": 0.55, "目": 0.45}})
    out, refined = refine_lines(lines, image, FrameEngine([doubtful]), FluentSettings(weight=0.0))
    assert refined == []


def test_a_mark_or_digit_never_stands_in_for_a_character_to_dodge_its_pair() -> None:
    # "装调工工作": the pair 工工 scores badly, but a "1" in place of the second 工 must not win
    # on that account, nor a "·" between 台 and 套.
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("装调工工作", 10, 0.95), _text_line("设备台套", 60, 0.95)]
    scores = [
        word("装调工工作", {3: {"工": 0.6, "1": 0.4}}),
        frames({"设": 0.99}, {"": 0.99}, {"备": 0.99}, {"": 0.99}, {"台": 0.99}, {"": 0.6, "·": 0.4},
                {"套": 0.99}, {"": 0.99}),
    ]
    out, refined = refine_lines(lines, image, FrameEngine(scores))
    assert [ln.text for ln in out] == ["装调工工作", "设备台套"]
    assert refined == []


def test_a_character_that_pairs_badly_is_never_dropped_for_it() -> None:
    # "吕梁市孝义市": a worn 梁 the frames hold just above a blank, after a 吕 misread 昌. Without
    # 梁 the pairs score better; the frames still say a character is there.
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("昌梁市孝义市", 10, 0.9)]
    worn = word("昌梁市孝义市", {1: {"梁": 0.52, "": 0.48}})
    model = charlm.load()
    assert decode_fluent(worn, _bonus(model)) != "昌梁市孝义市"  # the pair model alone drops or swaps it
    out, refined = refine_lines(lines, image, FrameEngine([worn]))
    assert "梁" in out[0].text and len(out[0].text) == len("昌梁市孝义市")


def test_what_the_model_may_change_and_what_it_may_not_drop() -> None:
    assert _held("昌梁市华义市学院路214号", "昌市华义市学院路214号") == "昌梁市华义市学院路214号"
    # The other changes of the same reading stand beside a character put back.
    assert _held("二青技术能手称号219年", "二技术能手称号2019年") == "二青技术能手称号2019年"
    assert _held("集团限公司", "集团有限公司") == "集团有限公司"  # a faint character heard
    assert _held("项日", "项目") == "项目"  # a torn stroke
    assert _held("推广应用·指导", "推广应用。指导") == "推广应用。指导"
    assert _held("推广应用·指导", "推广应用指导") == "推广应用指导"  # a mark may go
    assert _held("设备集没备", "设备0设备") == "设备集没备"  # two characters are not one digit


def _layout_with(refined: list[Refined]) -> PageLayout:
    page = Page(number=2, kind=PageKind.SCAN, source="p2.png", width=800, height=400)
    return PageLayout(page, [], [], refined=refined)


def test_a_value_holding_a_refined_line_quotes_the_page_reading() -> None:
    after = _text_line("吕梁市孝义市学院路214号餐饮管理车间东侧", 10, 0.9)
    other = _text_line("东侧", 300, 0.9)  # the same words elsewhere on the page: not this value's
    layout = _layout_with([Refined(after, "吕梁市学义市学院路214号餐饮管理车间东制"), Refined(other, "东制")])
    read = _Read("studio_location", after.text, 2, after.bbox, 0.9, "工作室地址", layout=layout)
    _note_refined(read)
    assert read.reread_from == "吕梁市学义市学院路214号餐饮管理车间东制"
    assert read.reread_why == REREAD_FLUENT
    elsewhere = _Read("address", "东侧", 2, (10.0, 500.0, 80.0, 530.0), 0.9, "通讯地址", layout=layout)
    _note_refined(elsewhere)
    assert elsewhere.reread_from is None


def test_two_pages_agreeing_make_the_value_as_sure_as_the_surer_reading() -> None:
    cover = _Read("unit_name", "长春市永盛轨道客车有限责任公司", 1, (0, 0, 10, 10), 0.83, "申报单位")
    form = _Read("unit_name", "长春市永盛轨道客车有限责任公司", 3, (0, 0, 10, 10), 0.99, "申报单位")
    fields = _combine([cover, form])
    assert fields["unit_name"].page == 1 and fields["unit_name"].confidence == 0.99
    cover.confidence = 0.83
    other = _Read("unit_name", "长春市永盛轨通客车有限责任公司", 3, (0, 0, 10, 10), 0.8, "申报单位")
    assert _combine([cover, other])["unit_name"].confidence == 0.83  # no agreement, no boost


def _row_page(text: str) -> np.ndarray:
    font = ImageFont.truetype(str(cjk_font_path()), 34)
    img = Image.new("RGB", (60 + 36 * len(text), 120), "white")
    ImageDraw.Draw(img).text((30, 40), text, fill="black", font=font)
    return np.asarray(img)


def test_with_the_real_recogniser_a_clean_line_reads_as_the_page_read_it() -> None:
    engine = get_engine("rapidocr")
    image = _row_page("完成技术革新项目2项，年节约成本214万元")
    page = engine.read_page(image)
    assert page.lines
    doubtful = [
        TextLine(ln.text, ln.bbox, 0.9, ln.polygon) for ln in page.lines  # as if read unsurely
    ]
    out, refined = refine_lines(doubtful, image, engine)
    assert refined == []
    assert [ln.text for ln in out] == [ln.text for ln in page.lines]


def test_nothing_is_added_beyond_the_ends_of_the_plain_reading() -> None:
    # The 司 heard faintly at the edge is the one the detector boxed on its own: not read twice.
    assert _held("湖北瑞通重集团有限公", "湖北瑞通重工集团有限公司") == "湖北瑞通重工集团有限公"
    assert _held("作室设有培训教室", "工作室设有培训教室") == "作室设有培训教室"
    assert _held("车间任", "车间主任") == "车间主任"


def test_a_digit_beside_characters_is_left_to_the_frames() -> None:
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("获发明专利3", 10, 0.95)]
    scores = [frames({"获": 0.99}, {"": 0.99}, {"发": 0.99}, {"": 0.99}, {"明": 0.99}, {"": 0.99},
                      {"专": 0.99}, {"": 0.99}, {"利": 0.99}, {"": 0.99}, {"3": 0.6, "": 0.4})]
    out, refined = refine_lines(lines, image, FrameEngine(scores))
    assert out[0].text == "获发明专利3" and refined == []


def test_a_dot_torn_with_a_full_stop_after_a_character_is_the_full_stop() -> None:
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("编写培训教材·预计", 10, 0.95), _text_line("阿依古丽·买买提", 60, 0.95)]
    scores = [
        word("编写培训教材·预计", {6: {"·": 0.6, "。": 0.3, "": 0.1}}),
        word("阿依古丽·买买提", {4: {"·": 0.95, "。": 0.01, "": 0.04}}),  # a name's dot, clearly read
    ]
    out, _ = refine_lines(lines, image, FrameEngine(scores))
    assert [ln.text for ln in out] == ["编写培训教材。预计", "阿依古丽·买买提"]


def test_without_the_word_list_the_page_reading_stands(monkeypatch) -> None:
    def broken() -> charlm.CharBigrams:
        raise ImportError("No module named 'wordfreq'")

    monkeypatch.setattr(charlm, "load", broken)
    image = np.full((100, 800, 3), 255, np.uint8)
    lines = [_text_line("完成技术革新项日", 10, 0.95)]
    doubtful = word("完成技术革新项日", {7: {"日": 0.55, "目": 0.45}})
    engine = FrameEngine([doubtful])
    out, refined = refine_lines(lines, image, engine)
    assert out == lines and refined == []
    assert engine.asked == 0  # no recogniser pass for a model that is not there
