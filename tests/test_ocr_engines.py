"""Real OCR engines (rapidocr, paddleocr on ONNX Runtime): offline, same processing, exact text."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from shenbao.extractors.ocr import clear_engine_cache, get_engine, paddle_models
from shenbao.extractors.ocr.paddle_models import ModelDirError
from shenbao.extractors.ocr.synthetic import render_text_page

LINE = "吕梁市技能大师工作室 140105197412069259"
LINES = [LINE, "统一社会信用代码：91140100MA0KXXXX3R", "工作室领办人：李建华 高级技师"]


class NetworkUsed(AssertionError):
    pass


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Any attempt to resolve a name or open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args[:2]}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "create_connection", refuse)
        mp.setattr(socket, "getaddrinfo", refuse)
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse)
        yield


def _norm(text: str) -> str:
    # The recogniser does not emit the single space between the Chinese and the digits; spacing
    # carries no meaning in these forms, every character must be right.
    return "".join(text.split())


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return render_text_page(LINES)


# ---------------------------------------------------------------- no model run


def test_assembled_paddle_config_matches_rapidocr(tmp_path: Path) -> None:
    """The model folders paddleocr reads are processed exactly as rapidocr's config says."""
    dirs = paddle_models.assemble_from_rapidocr(tmp_path)
    rapid_cfg = yaml.safe_load((paddle_models.rapidocr_model_dir().parent / "config.yaml").read_text())
    det = yaml.safe_load((dirs.det_dir / "inference.yml").read_text())
    rec = yaml.safe_load((dirs.rec_dir / "inference.yml").read_text())

    assert det["Global"]["model_name"] == "PP-OCRv6_small_det"
    ops = {next(iter(op)): next(iter(op.values())) for op in det["PreProcess"]["transform_ops"]}
    assert ops["DecodeImage"]["img_mode"] == "BGR"  # rapidocr feeds BGR arrays
    assert ops["DetResizeForTest"] == {
        "limit_side_len": rapid_cfg["Det"]["limit_side_len"],
        "limit_type": rapid_cfg["Det"]["limit_type"],
    }
    assert ops["NormalizeImage"]["mean"] == rapid_cfg["Det"]["mean"]
    assert ops["NormalizeImage"]["std"] == rapid_cfg["Det"]["std"]
    assert ops["NormalizeImage"]["scale"] == pytest.approx(1 / 255)
    post = det["PostProcess"]
    for key in ("thresh", "box_thresh", "unclip_ratio", "use_dilation", "score_mode", "max_candidates"):
        assert post[key] == rapid_cfg["Det"][key], key

    rec_ops = {next(iter(op)): next(iter(op.values())) for op in rec["PreProcess"]["transform_ops"]}
    assert rec_ops["RecResizeImg"]["image_shape"] == rapid_cfg["Rec"]["rec_img_shape"]
    assert rec_ops["DecodeImage"]["img_mode"] == "BGR"
    chars = paddle_models.onnx_characters(dirs.rec_dir / "inference.onnx")
    assert rec["PostProcess"]["character_dict"] == chars
    assert len(chars) == 18708 and "吕" in chars
    # Weights are the wheel's own files, byte for byte.
    src = paddle_models.rapidocr_model_dir()
    assert (dirs.det_dir / "inference.onnx").read_bytes() == (src / "PP-OCRv6_det_small.onnx").read_bytes()
    # Assembling again reuses the folder.
    stamp = (dirs.rec_dir / "SOURCE").stat().st_mtime_ns
    paddle_models.assemble_from_rapidocr(tmp_path)
    assert (dirs.rec_dir / "SOURCE").stat().st_mtime_ns == stamp


def test_bureau_model_dirs_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = paddle_models.assemble_from_rapidocr(tmp_path / "bureau")
    monkeypatch.setenv(paddle_models.ENV_DET_DIR, str(own.det_dir))
    monkeypatch.setenv(paddle_models.ENV_REC_DIR, str(own.rec_dir))
    dirs = paddle_models.resolve_model_dirs(cache_dir=tmp_path / "unused")
    assert (dirs.det_dir, dirs.rec_dir) == (own.det_dir, own.rec_dir)
    assert (dirs.det_name, dirs.rec_name) == ("PP-OCRv6_small_det", "PP-OCRv6_small_rec")
    assert not (tmp_path / "unused").exists()  # nothing assembled when both are given


def test_bad_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelDirError, match="not found"):
        paddle_models.resolve_model_dirs(det_dir=tmp_path / "nope", cache_dir=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelDirError, match="inference.yml"):
        paddle_models.read_model_dir(empty)
    (empty / "inference.yml").write_text("Global: {}\n")
    (empty / "inference.onnx").write_bytes(b"")
    with pytest.raises(ModelDirError, match="model_name"):
        paddle_models.read_model_dir(empty)


def test_get_engine_names_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="unknown OCR engine"):
        get_engine("tesseract")
    rec_dir = tmp_path / "rec"
    rec_dir.mkdir()
    a = get_engine("recorded", dir=rec_dir)
    assert get_engine("recorded", dir=str(rec_dir)) is a  # same options, same engine
    assert get_engine("recorded", dir=rec_dir, threads=2) is a  # threads mean nothing to replay
    monkeypatch.setenv("SHENBAO_OCR_ENGINE", "recorded")
    assert get_engine("default", dir=rec_dir) is a
    assert get_engine(dir=rec_dir).name == "recorded"
    clear_engine_cache()
    assert get_engine("recorded", dir=rec_dir) is not a


# ---------------------------------------------------------------- real engines


@pytest.fixture(scope="module")
def rapid_engine():
    from shenbao.extractors.ocr.rapid import RapidOcrEngine

    with no_network():
        yield RapidOcrEngine(threads=2)


@pytest.fixture(scope="module")
def paddle_engine(tmp_path_factory: pytest.TempPathFactory):
    from shenbao.extractors.ocr.paddle import PaddleOcrEngine

    cache = tmp_path_factory.mktemp("paddle_models")
    with no_network():
        yield PaddleOcrEngine(threads=2, model_cache_dir=cache)


def _check_reads_line(engine, page: np.ndarray) -> None:
    with no_network():
        lines = engine.recognize(page)
        read = engine.read_page(page)
    assert [_norm(ln.text) for ln in lines] == [_norm(t) for t in LINES]
    assert _norm(lines[0].text) == _norm(LINE)
    assert all(ln.confidence > 0.95 for ln in lines)
    assert [ln.text for ln in read.lines] == [ln.text for ln in lines]
    assert read.rotation == 0 and read.skew == 0.0 and read.engine == engine.name
    # Box of the first line: where it was drawn (x from 40, y from 50, 34 px font).
    x0, y0, x1, y1 = lines[0].bbox
    assert 25 <= x0 <= 50 and 40 <= y0 <= 62 and 620 <= x1 <= 820 and 80 <= y1 <= 105
    assert lines[0].polygon is not None and len(lines[0].polygon) == 4


@pytest.mark.real_ocr
def test_rapidocr_reads_rendered_chinese_exactly(rapid_engine, page) -> None:
    _check_reads_line(rapid_engine, page)
    assert "rapidocr 3.10.0" in rapid_engine.version
    assert rapid_engine.det_model_path.parent == paddle_models.rapidocr_model_dir()


@pytest.mark.real_ocr
def test_paddleocr_reads_rendered_chinese_exactly(paddle_engine, page) -> None:
    _check_reads_line(paddle_engine, page)
    assert "paddleocr 3.7.0" in paddle_engine.version


@pytest.mark.real_ocr
def test_engines_agree_line_by_line(rapid_engine, paddle_engine, page) -> None:
    with no_network():
        a = rapid_engine.recognize(page)
        b = paddle_engine.recognize(page)
    assert [ln.text for ln in a] == [ln.text for ln in b]
    for la, lb in zip(a, b, strict=True):
        assert np.allclose(la.bbox, lb.bbox, atol=3)


@pytest.mark.real_ocr
def test_blank_and_bad_pages(rapid_engine) -> None:
    from shenbao.extractors.ocr.geometry import OcrInputError

    blank = rapid_engine.read_page(np.full((700, 500, 3), 255, np.uint8))
    assert blank.lines == [] and blank.rotation == 0 and blank.skew == 0.0
    assert (blank.width, blank.height) == (500, 700)
    gray = rapid_engine.read_page(np.full((700, 500), 255, np.uint8))  # gray input is accepted
    assert gray.lines == []
    with pytest.raises(OcrInputError, match="too small"):
        rapid_engine.read_page(np.zeros((1, 5, 3), np.uint8))
    with pytest.raises(OcrInputError, match="uint8"):
        rapid_engine.read_page(np.zeros((50, 50, 3), np.float64))
