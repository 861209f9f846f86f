"""Local PaddleX-style model folders for paddleocr, built from the ONNX files the rapidocr wheel ships.

paddleocr 3.x downloads its models unless every sub-model has a local directory. A PaddleX model
directory is the weights (`inference.onnx` for `engine="onnxruntime"`) plus an `inference.yml` that
names the model and describes its pre- and post-processing. The rapidocr wheel carries the same
PP-OCRv6 small detection and recognition networks as ONNX, so we assemble the two directories from
those files once (into a project-local cache) and never touch the network.

The yml values mirror rapidocr's own `config.yaml` (det: BGR input, min side 736, mean = std = 0.5,
DB thresh 0.3 / box_thresh 0.5 / unclip 1.6 with dilation; rec: 3x48x320, CTC with the dictionary
stored in the ONNX metadata), so the two engines read pages with the same processing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

DET_MODEL_NAME = "PP-OCRv6_small_det"
REC_MODEL_NAME = "PP-OCRv6_small_rec"
_DET_ONNX = "PP-OCRv6_det_small.onnx"
_REC_ONNX = "PP-OCRv6_rec_small.onnx"

# Same numbers as rapidocr 3.10's config.yaml (Det / Rec sections); checked by tests.
DET_LIMIT_SIDE_LEN = 736
DET_LIMIT_TYPE = "min"
DET_MEAN = [0.5, 0.5, 0.5]
DET_STD = [0.5, 0.5, 0.5]
DET_THRESH = 0.3
DET_BOX_THRESH = 0.5
DET_UNCLIP_RATIO = 1.6
DET_USE_DILATION = True
DET_SCORE_MODE = "fast"
REC_IMAGE_SHAPE = [3, 48, 320]
REC_BATCH_SIZE = 6

ENV_CACHE_DIR = "SHENBAO_PADDLE_MODEL_CACHE"
ENV_DET_DIR = "SHENBAO_PADDLE_DET_DIR"
ENV_REC_DIR = "SHENBAO_PADDLE_REC_DIR"


class ModelDirError(RuntimeError):
    """A model directory is missing or incomplete; the message says which and why."""


@dataclass(frozen=True)
class PaddleModelDirs:
    det_dir: Path
    det_name: str
    rec_dir: Path
    rec_name: str


def rapidocr_model_dir() -> Path:
    """The folder inside the installed rapidocr wheel that holds its ONNX models."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


def default_cache_dir() -> Path:
    """`$SHENBAO_PADDLE_MODEL_CACHE`, else `var/models/paddle` under the current directory."""
    env = os.environ.get(ENV_CACHE_DIR)
    return Path(env) if env else Path("var") / "models" / "paddle"


def _det_yml() -> dict:
    return {
        "Global": {"model_name": DET_MODEL_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"limit_side_len": DET_LIMIT_SIDE_LEN, "limit_type": DET_LIMIT_TYPE}},
                {
                    "NormalizeImage": {
                        "mean": DET_MEAN,
                        "std": DET_STD,
                        "scale": 1.0 / 255.0,
                        "order": "hwc",
                    }
                },
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": DET_THRESH,
            "box_thresh": DET_BOX_THRESH,
            "max_candidates": 1000,
            "unclip_ratio": DET_UNCLIP_RATIO,
            "use_dilation": DET_USE_DILATION,
            "score_mode": DET_SCORE_MODE,
        },
    }


def _rec_yml(characters: list[str]) -> dict:
    return {
        "Global": {"model_name": REC_MODEL_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": REC_IMAGE_SHAPE}},
                {"KeepKeys": {"keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def onnx_characters(onnx_path: Path) -> list[str]:
    """The CTC character dictionary stored in a PP-OCR rec ONNX model's metadata (`character`)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    session = ort.InferenceSession(str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    if "character" not in meta:
        raise ModelDirError(f"{onnx_path}: no 'character' dictionary in the ONNX metadata")
    return meta["character"].splitlines()


def _sha1(path: Path) -> str:
    h = hashlib.sha1()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _install_weights(src: Path, dest: Path) -> None:
    """Hard-link the wheel's ONNX file into the model dir (no copy), falling back to a copy."""
    tmp = dest.with_suffix(".onnx.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    tmp.replace(dest)


def _ensure_model_dir(target: Path, src_onnx: Path, make_yml: Callable[[], dict]) -> None:
    """Write `inference.onnx` + `inference.yml` + a stamp naming the source, unless already current.
    Every file is written under a temporary name and renamed, so concurrent workers cannot read a
    half-written folder."""
    if _is_current(target, src_onnx):
        return
    target.mkdir(parents=True, exist_ok=True)
    _install_weights(src_onnx, target / "inference.onnx")
    tmp_yml = target / f"inference.yml.{os.getpid()}.tmp"
    tmp_yml.write_text(yaml.safe_dump(make_yml(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp_yml.replace(target / "inference.yml")
    tmp_stamp = target / f"SOURCE.{os.getpid()}.tmp"
    tmp_stamp.write_text(_stamp(src_onnx), encoding="utf-8")
    tmp_stamp.replace(target / "SOURCE")


def _stamp(src_onnx: Path) -> str:
    return f"{src_onnx.name} {_sha1(src_onnx)}\n"


def _is_current(target: Path, src_onnx: Path) -> bool:
    stamp_path = target / "SOURCE"
    return (
        stamp_path.is_file()
        and (target / "inference.onnx").is_file()
        and (target / "inference.yml").is_file()
        and stamp_path.read_text(encoding="utf-8") == _stamp(src_onnx)
    )


def assemble_from_rapidocr(cache_dir: Path | None = None, source_dir: Path | None = None) -> PaddleModelDirs:
    """Build (or reuse) `<cache>/PP-OCRv6_small_det/` and `<cache>/PP-OCRv6_small_rec/`."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    src = Path(source_dir) if source_dir is not None else rapidocr_model_dir()
    det_onnx, rec_onnx = src / _DET_ONNX, src / _REC_ONNX
    for p in (det_onnx, rec_onnx):
        if not p.is_file():
            raise ModelDirError(f"{p} not found: is rapidocr==3.10.0 installed with its models?")
    det_dir, rec_dir = cache / DET_MODEL_NAME, cache / REC_MODEL_NAME
    _ensure_model_dir(det_dir, det_onnx, _det_yml)
    _ensure_model_dir(rec_dir, rec_onnx, lambda: _rec_yml(onnx_characters(rec_onnx)))
    return PaddleModelDirs(det_dir, DET_MODEL_NAME, rec_dir, REC_MODEL_NAME)


def read_model_dir(path: Path) -> str:
    """Check a bureau-supplied PaddleX model folder and return its `Global.model_name`."""
    path = Path(path)
    yml_path = path / "inference.yml"
    if not path.is_dir():
        raise ModelDirError(f"{path}: model directory not found")
    if not yml_path.is_file():
        raise ModelDirError(f"{path}: no inference.yml (a PaddleX model directory needs one)")
    if not any((path / name).is_file() for name in ("inference.onnx", "inference.json", "inference.pdmodel")):
        raise ModelDirError(f"{path}: no inference.onnx / inference.json / inference.pdmodel weights")
    try:
        cfg = yaml.safe_load(yml_path.read_text(encoding="utf-8")) or {}
        name = cfg["Global"]["model_name"]
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise ModelDirError(f"{yml_path}: cannot read Global.model_name ({exc})") from exc
    return str(name)


def resolve_model_dirs(
    det_dir: str | Path | None = None,
    rec_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> PaddleModelDirs:
    """Bureau folders (arguments, else $SHENBAO_PADDLE_DET_DIR / $SHENBAO_PADDLE_REC_DIR) where given;
    otherwise the folders assembled from the rapidocr wheel."""
    det_dir = det_dir or os.environ.get(ENV_DET_DIR) or None
    rec_dir = rec_dir or os.environ.get(ENV_REC_DIR) or None
    assembled: PaddleModelDirs | None = None
    if det_dir is None or rec_dir is None:
        assembled = assemble_from_rapidocr(Path(cache_dir) if cache_dir else None)
    if det_dir is not None:
        det_path, det_name = Path(det_dir), read_model_dir(Path(det_dir))
    else:
        assert assembled is not None
        det_path, det_name = assembled.det_dir, assembled.det_name
    if rec_dir is not None:
        rec_path, rec_name = Path(rec_dir), read_model_dir(Path(rec_dir))
    else:
        assert assembled is not None
        rec_path, rec_name = assembled.rec_dir, assembled.rec_name
    return PaddleModelDirs(det_path, det_name, rec_path, rec_name)
