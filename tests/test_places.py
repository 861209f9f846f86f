"""Place names a scan misread, mended from the gazetteer where the frames allow (`places`, `placenames`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shenbao.extractors.form import placenames
from shenbao.extractors.form.cellread import CellReadSettings
from shenbao.extractors.form.reader import CellReader, read_form
from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import LineScores
from shenbao.matchers import banks, places
from shenbao.pipeline.ingest import ingest
from tests import _form_builders as fb
from tests._frames import RescoringEngine, word


@pytest.fixture(scope="module")
def table() -> places.Places:
    return places.load()


def fixed(text: str, table: places.Places) -> str:
    """`text` with every mend its neighbours settle on one place."""
    return places.apply(text, [m for m in places.mends(text, table) if len(m.names) == 1])


def test_the_shipped_table_knows_counties_and_the_cities_they_lie_in(table: places.Places) -> None:
    xiaoyi, lvliang, shanxi = table.by_code["141181"], table.by_code["141100"], table.by_code["140000"]
    assert (xiaoyi.name, xiaoyi.stem, lvliang.name, shanxi.name) == ("孝义市", "孝义", "吕梁市", "山西省")
    assert table.is_within(xiaoyi, lvliang) and table.is_within(xiaoyi, shanxi)
    assert not table.is_within(lvliang, xiaoyi)
    assert table.by_code["500000"].name == "重庆市" and table.is_within(table.by_code["500228"], table.by_code["500000"])


def test_a_county_one_character_off_beside_its_city_is_mended(table: places.Places) -> None:
    found = places.mends("吕梁市学义市学院路214号", table)
    assert [(m.read, m.names, m.beside, m.partner) for m in found] == [("学义市", ("孝义市",), "吕梁市", None)]
    assert fixed("吕梁市学义市学院路214号", table) == "吕梁市孝义市学院路214号"
    # A city before its district, its suffix read as no suffix at all.
    assert fixed("长春南绿园区人民大街277号", table) == "长春市绿园区人民大街277号"
    # Both neighbours agree on 武汉市 where the province alone fits 武穴市 and 武昌区 as well:
    # then the frames must choose (a suffix read as a suffix is kept: 武昌区 as 武昌市).
    assert fixed("湖北省武汊市江夏区", table) == "湖北省武汉市江夏区"
    assert [m.names for m in places.mends("湖北省武汊市", table)] == [("武昌市", "武汉市", "武穴市")]
    assert [m.names for m in places.mends("吕梁市文城县", table)] == [("交城县", "文水县")]


def test_two_near_misses_mend_each_other_only_together(table: places.Places) -> None:
    found = places.mends("昌梁市华义市学院路214号", table)
    assert [(m.names, m.partner) for m in found] == [(("吕梁市",), "华义市"), (("孝义市",), "昌梁市")]
    assert places.partnered(found[:1]) == [] and places.partnered(found[1:]) == []
    assert places.partnered(found) == found


@pytest.mark.parametrize("text", [
    "吕梁市孝义市学院路214号",  # read right
    "新华路",  # a street, not a misread 新华区: no place beside it
    "重庆恒昌竹艺有限公司",  # a trade name after a city, one character off 荣昌
    "吕梁金石餐饮管理有限公司",  # ... and off 离石
    "中国工商银行长春绿园支行",  # a bare stem before 支行 is no misread suffix
    "重庆市梁平区梁山街道长江路195号",  # 梁平县 became a district: any suffix is the same place
    "山西省吕梁市文水县",
])
def test_names_read_right_and_words_that_only_look_like_places_stay(table: places.Places, text: str) -> None:
    assert places.mends(text, table) == []


def test_a_broken_place_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "places.tsv"
    bad.write_text("code\tname\n1411\t孝义市\n", encoding="utf-8")
    with pytest.raises(places.PlaceTableError, match="6-digit"):
        places.load(bad)
    with pytest.raises(places.PlaceTableError):
        places.load(tmp_path / "missing.tsv")


def test_the_frames_must_hold_the_known_name() -> None:
    settings = placenames.PlaceSettings()
    mend = places.Mend(3, "学义市", ("孝义市",), "吕梁市")
    text = "吕梁市学义市学院路"

    def heard(p: float) -> LineScores:
        return word(text, {3: {"学": 0.98, "孝": p, "": 0.02 - p}} if p else None)

    assert placenames._choose(heard(0.001), text, mend, settings) == mend  # ~7 nats below: taken
    assert placenames._choose(heard(0.0002), text, mend, settings) is None  # ~8.5 nats: not
    assert placenames._choose(heard(0.0), text, mend, settings) is None  # never heard


def test_where_two_places_fit_the_frames_choose_one_clearly_or_none() -> None:
    settings = placenames.PlaceSettings()
    mend = places.Mend(3, "文城县", ("交城县", "文水县"), "吕梁市")
    text = "吕梁市文城县"
    torn_first = word(text, {3: {"文": 0.9, "交": 0.08, "": 0.02}, 4: {"城": 0.95, "水": 0.01, "": 0.04}})
    assert placenames._choose(torn_first, text, mend, settings).names == ("交城县",)
    both = word(text, {3: {"文": 0.9, "交": 0.05, "": 0.05}, 4: {"城": 0.9, "水": 0.05, "": 0.05}})
    assert placenames._choose(both, text, mend, settings) is None


@pytest.mark.parametrize(("text", "read", "names"), [
    ("国邮政储蓄银行武汉东西湖支行 2447533310973754196", "国邮政储蓄银行", ("中国邮政储蓄银行",)),  # 中 lost
    ("中国农止银行吕梁离石支行", "中国农止银行", ("中国农业银行",)),
    ("交通很行武汉江夏支行", "交通很行", ("交通银行",)),
    ("晋商银行太原分行", "晋商银行", ("招商银行", "浙商银行")),  # a city bank the list lacks: frames decide
])
def test_an_opening_one_character_off_a_known_bank_is_proposed(text: str, read: str, names: tuple[str, ...]) -> None:
    found = banks.mends(text, banks.load())
    assert [(m.start, m.read, m.names, m.kind) for m in found] == [(0, read, names, "bank")]


@pytest.mark.parametrize("text", ["中国银行吕梁孝义支行", "中国工商银行长存练词支行", "招商银行", "农村信用社"])
def test_an_opening_that_names_a_bank_or_none_near_stays(text: str) -> None:
    assert banks.mends(text, banks.load()) == []


def test_a_broken_bank_list_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "banks.txt"
    bad.write_text("# banks\n银行\n", encoding="utf-8")
    with pytest.raises(banks.BankListError, match="four characters"):
        banks.load(bad)


def test_a_bank_needs_the_frames_nearly_as_sure_as_the_reading() -> None:
    settings = placenames.PlaceSettings()
    text = "国邮政储蓄银行"
    mend = banks.mends(text, banks.load())[0]
    faint = word("国邮政储蓄银行")
    heard = LineScores(((("", 0.8), ("中", 0.1), ("重", 0.1)), *faint.frames))  # ~2 nats below a blank
    assert placenames._choose(heard, text, mend, settings).names == ("中国邮政储蓄银行",)
    barely = LineScores(((("", 0.98), ("中", 0.02)), *faint.frames))  # ~4 nats: a place would pass
    assert placenames._choose(barely, text, mend, settings) is None
    # The same faint 中 before a place name would do: a bank has no neighbour to vouch for it.
    assert placenames._choose(barely, text, replace(mend, kind="place"), settings) is not None


class WornPlaceEngine(RescoringEngine):
    """The real recogniser, except that a line it reads with `right` in it comes back with that
    character torn: `wrong` read surely, `right` heard faintly (or not at all)."""

    name = "worn-place"

    def __init__(self, real: OcrEngine, right: str, wrong: str, faint: float) -> None:
        super().__init__(real)
        self.right, self.wrong, self.faint = right, wrong, faint

    def rescore(self, scores: LineScores) -> LineScores:
        text = scores.best_path()[0]
        if self.right not in text:
            return scores
        k = next(k for k, (a, b) in enumerate(zip(self.right, self.wrong, strict=True)) if a != b)
        i = text.index(self.right) + k
        torn = {self.wrong[k]: 0.97, self.right[k]: self.faint, "": 0.03 - self.faint}
        return word(text.replace(self.right, self.wrong), {i: {k: v for k, v in torn.items() if v > 0}})


@pytest.fixture(scope="module")
def worn_address(tmp_path_factory: pytest.TempPathFactory):
    """The test form scanned, with the page reading's 通讯地址 misread 吕梁市文城县…."""
    pdf = fb.draw_pdf(tmp_path_factory.mktemp("places") / "form.pdf", [fb.main_form()])
    page = fb.scan_page(ingest(pdf).pages[0], fb.render(pdf, 0), angle=1.2, confidence=0.96)
    page.lines = [replace(ln, text=ln.text.replace("交城县", "文城县")) for ln in page.lines]
    return page


def test_a_misread_county_on_a_scanned_form_is_read_as_the_gazetteer_writes_it(worn_address) -> None:
    real = get_engine("rapidocr")
    plain = CellReadSettings(refine_lines=False)  # the page's lines as read (no bigram model)
    engine = WornPlaceEngine(real, "交城县", "文城县", 0.002)

    off = read_form([worn_address], "lvliang-2025", cells=CellReader(engine, replace(plain, reread_places=False)))
    assert off["address"].value == "吕梁市文城县龙凤北大街234号"

    fields = read_form([worn_address], "lvliang-2025", cells=CellReader(engine, plain))
    assert fields["address"].value == "吕梁市交城县龙凤北大街234号"
    assert fields["address"].reread_from == "吕梁市文城县龙凤北大街234号"
    assert fields["address"].reread_why == "“文城县”不是与“吕梁市”相邻的行政区划，按行政区划名称“交城县”改读"

    # Where the frames never heard 城, the value stays as read.
    deaf = WornPlaceEngine(real, "交城县", "文城县", 0.0)
    fields = read_form([worn_address], "lvliang-2025", cells=CellReader(deaf, plain))
    assert fields["address"].value == "吕梁市文城县龙凤北大街234号" and fields["address"].reread_from is None
