"""The official paddleocr 3.7 package, ONNX Runtime backend (no paddlepaddle), on local model folders.

Model folders come from `paddle_models.resolve_model_dirs`: a bureau's own PaddleX model folders
(option or $SHENBAO_PADDLE_DET_DIR / $SHENBAO_PADDLE_REC_DIR), else the PP-OCRv6 small det/rec that
the rapidocr wheel ships, assembled once into var/models/paddle/. PaddleX is told not to look for
model hosts before it is first imported, so nothing here opens a network connection.

The engine uses paddleocr's own text detection and recognition predictors (its pre/post-processing)
and the project's shared page handling (orientation, deskew, crops), like every other engine.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from shenbao.extractors.ocr import paddle_models
from shenbao.extractors.ocr.detrec import (
    DEFAULT_MAX_SIDE_LEN,
    DEFAULT_MIN_SCORE,
    PAGE_HANDLING,
    DetRecEngine,
    threads_option,
)
from shenbao.extractors.ocr.geometry import order_quad

_OFFLINE_ENV = {
    # No connectivity probe of model hosts, no download attempt: only local model dirs are used.
    "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "MODELSCOPE_OFFLINE": "1",
}


def _prepare_environment() -> None:
    """PaddleX reads these flags when first imported, so this runs when this module is imported."""
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    # PaddleX writes small caches (locks, temp files) under ~/.paddlex by default; keep them with
    # the project's other generated files.
    home = paddle_models.default_cache_dir().parent / "paddlex-home"
    os.environ.setdefault("PADDLE_PDX_CACHE_HOME", str(home.resolve()))


_prepare_environment()


class PaddleOcrEngine(DetRecEngine):
    name = "paddleocr"

    def __init__(
        self,
        threads: int | None = None,
        det_model_dir: str | Path | None = None,
        rec_model_dir: str | Path | None = None,
        model_cache_dir: str | Path | None = None,
        max_side_len: int = DEFAULT_MAX_SIDE_LEN,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> None:
        super().__init__(max_side_len=max_side_len, min_score=min_score)
        self.threads = threads_option(threads)
        self.dirs = paddle_models.resolve_model_dirs(det_model_dir, rec_model_dir, model_cache_dir)
        _prepare_environment()  # again, in case the variables were removed since import

        from paddleocr import PaddleOCR

        # PaddleX logs every model creation at INFO; a batch worker only needs its warnings.
        logging.getLogger("paddlex").setLevel(logging.WARNING)
        p = paddle_models
        self._ocr = PaddleOCR(
            text_detection_model_name=self.dirs.det_name,
            text_detection_model_dir=str(self.dirs.det_dir),
            text_recognition_model_name=self.dirs.rec_name,
            text_recognition_model_dir=str(self.dirs.rec_dir),
            text_recognition_batch_size=p.REC_BATCH_SIZE,
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            device="cpu",
            engine="onnxruntime",
            engine_config={"intra_op_num_threads": self.threads},
            text_det_limit_side_len=p.DET_LIMIT_SIDE_LEN,
            text_det_limit_type=p.DET_LIMIT_TYPE,
            text_det_thresh=p.DET_THRESH,
            text_det_box_thresh=p.DET_BOX_THRESH,
            text_det_unclip_ratio=p.DET_UNCLIP_RATIO,
            text_rec_score_thresh=0.0,  # the shared page code applies min_score
        )
        # paddleocr 3.7 (pinned) keeps the PaddleX OCR pipeline here; its two predictors are what
        # `predict` itself calls. Orientation needs them separately (detect, then read a few lines).
        try:
            pipeline = self._ocr.paddlex_pipeline._pipeline
            self._det = pipeline.text_det_model
            self._rec = pipeline.text_rec_model
        except AttributeError as exc:  # a different paddleocr release
            raise RuntimeError(
                "paddleocr's pipeline layout is not the one of paddleocr 3.7 (text_det_model / "
                "text_rec_model not found); check requirements/constraints.txt"
            ) from exc
        self._det_params = {
            "limit_side_len": p.DET_LIMIT_SIDE_LEN,
            "limit_type": p.DET_LIMIT_TYPE,
            "thresh": p.DET_THRESH,
            "box_thresh": p.DET_BOX_THRESH,
            "unclip_ratio": p.DET_UNCLIP_RATIO,
        }

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return (
            f"paddleocr {version('paddleocr')} paddlex {version('paddlex')} onnxruntime "
            f"det={self.dirs.det_name}@{self.dirs.det_dir} rec={self.dirs.rec_name}@{self.dirs.rec_dir} "
            f"max_side={self.max_side_len} min_score={self.min_score} {PAGE_HANDLING}"
        )

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        result = next(iter(self._det([bgr], **self._det_params)))
        polys = result["dt_polys"]
        if polys is None or len(polys) == 0:
            return np.zeros((0, 4, 2), dtype=np.float32)
        return np.stack([order_quad(np.asarray(q)) for q in polys]).astype(np.float32)

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        # Batches are padded to their widest crop: feed them by aspect ratio, as paddleocr's
        # pipeline does, then put the readings back in the caller's order.
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        readings: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for i, r in zip(order, self._rec([crops[i] for i in order]), strict=True):
            readings[i] = (str(r["rec_text"]), float(r["rec_score"]))
        return readings
