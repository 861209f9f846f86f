"""The recorded engine: replays saved OCR of rendered pages in milliseconds.

Re-create the recordings in tests/data/ocr/ (after changing the pages below or an engine):

    .venv/bin/python tests/test_ocr_recorded.py --record
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from shenbao.extractors.ocr import get_engine
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.recorded import (
    MissingRecording,
    RecordedEngine,
    RecordingEngine,
    image_key,
    page_from_json,
    page_to_json,
)
from shenbao.extractors.ocr.synthetic import render_text_page, turn_and_skew

DATA = Path(__file__).resolve().parent / "data" / "ocr"
LINES = [
    "技能大师工作室建设项目申报表",
    "领办人姓名：赵春生 身份证号：150102198203154417",
    "职业（工种）：焊工 技能等级：高级技师",
    "所在单位：内蒙古北方重工业集团有限公司",
]


def pages() -> dict[str, np.ndarray]:
    upright = render_text_page(LINES, size=(960, 760), font_size=32)
    return {"upright": upright, "turned": turn_and_skew(upright, turn_clockwise=90, skew_ccw=1.5)}


def _norm(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def recorded() -> OcrEngine:
    return get_engine("recorded", dir=DATA)


def test_replays_read_page(recorded: OcrEngine) -> None:
    imgs = pages()
    t = time.perf_counter()
    upright = recorded.read_page(imgs["upright"])
    turned = recorded.read_page(imgs["turned"])
    assert time.perf_counter() - t < 0.5
    assert isinstance(upright, PageOcr)
    assert [_norm(ln.text) for ln in upright.lines] == [_norm(x) for x in LINES]
    assert (upright.rotation, upright.skew, upright.engine) == (0, 0.0, "rapidocr")
    assert (upright.width, upright.height) == (960, 760)
    assert [_norm(ln.text) for ln in turned.lines] == [_norm(x) for x in LINES]
    assert turned.rotation == 90
    assert turned.skew == pytest.approx(-1.5, abs=0.3)
    first = turned.lines[0]
    assert first.polygon is not None and len(first.polygon) == 4
    assert first.bbox[0] < first.bbox[2] and first.bbox[1] < first.bbox[3]


def test_replays_recognize(recorded: OcrEngine) -> None:
    lines = recorded.recognize(pages()["upright"])
    assert [_norm(ln.text) for ln in lines] == [_norm(x) for x in LINES]
    assert all(0.9 < ln.confidence <= 1.0 for ln in lines)


def test_missing_recording_names_the_image(recorded: OcrEngine) -> None:
    other = render_text_page(["没有录制的页面"])
    with pytest.raises(MissingRecording) as err:
        recorded.read_page(other)
    assert image_key(other) in str(err.value)
    assert err.value.key == image_key(other)
    # A recorded image whose other call was not recorded is also an error, not an empty result.
    with pytest.raises(MissingRecording, match="recognize"):
        recorded.recognize(pages()["turned"])


def test_recording_engine_writes_what_replays(recorded: OcrEngine, tmp_path: Path) -> None:
    upright = pages()["upright"]
    recorder = RecordingEngine(recorded, tmp_path)
    live = recorder.read_page(upright)
    recorder.recognize(upright)
    files = list(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == [image_key(upright)]
    data = json.loads(files[0].read_text(encoding="utf-8"))
    assert set(data) >= {"key", "shape", "read_page", "recognize"}
    replay = RecordedEngine(tmp_path).read_page(upright)
    assert page_to_json(replay) == page_to_json(live)


def test_image_key_is_exact() -> None:
    img = pages()["upright"]
    assert image_key(img) == image_key(img.copy())
    gray = img[:, :, 0].copy()
    assert image_key(gray) == image_key(np.repeat(gray[:, :, None], 3, axis=2))  # same pixels after RGB
    changed = img.copy()
    changed[0, 0, 0] ^= 1
    assert image_key(changed) != image_key(img)


def test_page_json_round_trip() -> None:
    data = json.loads((next(DATA.glob("*.json"))).read_text(encoding="utf-8"))["read_page"]
    assert page_to_json(page_from_json(data)) == data


def test_recorded_engine_needs_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHENBAO_OCR_RECORDINGS", raising=False)
    with pytest.raises(ValueError, match="directory"):
        RecordedEngine()
    with pytest.raises(FileNotFoundError):
        RecordedEngine(tmp_path / "absent")
    monkeypatch.setenv("SHENBAO_OCR_RECORDINGS", str(DATA))
    assert RecordedEngine().directory == DATA


def record() -> None:
    """Run the real default engine on the pages above and save what it read."""
    engine = RecordingEngine(get_engine("rapidocr"), DATA)
    for name, img in pages().items():
        page = engine.read_page(img)
        if name == "upright":
            engine.recognize(img)
        print(name, image_key(img), page.rotation, round(page.skew, 2), [ln.text for ln in page.lines])


if __name__ == "__main__" and "--record" in sys.argv:
    record()


def test_text_rows_are_recorded_and_replayed(tmp_path: Path) -> None:
    class Rows(OcrEngine):
        name = "rows"

        def recognize(self, image):  # pragma: no cover - not called
            raise AssertionError

        def read_page(self, image):  # pragma: no cover - not called
            raise AssertionError

        def read_lines(self, rows):
            return [(f"第{i}行", 0.9) for i, _ in enumerate(rows)]

    rows = [np.full((30, 90, 3), v, np.uint8) for v in (200, 210)]
    live = RecordingEngine(Rows(), tmp_path).read_lines(rows)
    replay = RecordedEngine(tmp_path)
    assert replay.read_lines(rows) == live == [("第0行", 0.9), ("第1行", 0.9)]
    with pytest.raises(MissingRecording, match="read_lines"):
        replay.read_lines(rows[:1])
