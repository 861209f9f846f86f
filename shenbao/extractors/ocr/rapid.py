"""rapidocr 3.10 with the PP-OCRv6 small det + rec models its wheel ships (ONNX, offline).

The model files are passed by path, so rapidocr never takes its download route (which it would
take if a file's checksum did not match). The line-angle classifier stays off (`Global.use_cls=False`):
it flips some correct prose lines; page orientation is handled by `orientation.py` instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shenbao.extractors.ocr.ctc import LineScores
from shenbao.extractors.ocr.detrec import (
    DEFAULT_MAX_SIDE_LEN,
    DEFAULT_MIN_SCORE,
    PAGE_HANDLING,
    DetRecEngine,
    threads_option,
)
from shenbao.extractors.ocr.geometry import order_quad
from shenbao.extractors.ocr.paddle_models import rapidocr_model_dir

DET_MODEL_FILE = "PP-OCRv6_det_small.onnx"
REC_MODEL_FILE = "PP-OCRv6_rec_small.onnx"


class RapidOcrEngine(DetRecEngine):
    name = "rapidocr"

    def __init__(
        self,
        threads: int | None = None,
        det_model_path: str | Path | None = None,
        rec_model_path: str | Path | None = None,
        max_side_len: int = DEFAULT_MAX_SIDE_LEN,
        min_score: float = DEFAULT_MIN_SCORE,
        cpu_mem_arena: bool = True,
    ) -> None:
        super().__init__(max_side_len=max_side_len, min_score=min_score)
        from rapidocr import RapidOCR
        from rapidocr.ch_ppocr_rec import TextRecInput

        self._rec_input = TextRecInput
        self.threads = threads_option(threads)
        models = rapidocr_model_dir()
        det_path = Path(det_model_path) if det_model_path else models / DET_MODEL_FILE
        rec_path = Path(rec_model_path) if rec_model_path else models / REC_MODEL_FILE
        for p in (det_path, rec_path):
            if not p.is_file():
                raise FileNotFoundError(f"rapidocr model file not found: {p}")
        self.det_model_path, self.rec_model_path = det_path, rec_path
        self._ocr = RapidOCR(
            params={
                "Global.use_cls": False,
                "Global.log_level": "error",
                "Global.max_side_len": self.max_side_len,
                "Global.text_score": self.min_score,
                "Det.model_path": str(det_path),
                "Rec.model_path": str(rec_path),
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                # rapidocr turns ONNX Runtime's memory arena off; on (ORT's and paddleocr's
                # default) detection takes ~15-20% less CPU for ~0.5 GB more peak memory.
                "EngineConfig.onnxruntime.enable_cpu_mem_arena": bool(cpu_mem_arena),
            }
        )
        # Load both sessions now: a worker pays start-up once, not on its first page.
        # (rapidocr 3.10 loads lazily through these two methods; its version is pinned.)
        self._det = self._ocr._load_det_model()
        self._rec = self._ocr._load_rec_model()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return (
            f"rapidocr {version('rapidocr')} det={self.det_model_path.name} rec={self.rec_model_path.name} "
            f"max_side={self.max_side_len} min_score={self.min_score} {PAGE_HANDLING}"
        )

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        out = self._det(bgr)
        if out.boxes is None or len(out.boxes) == 0:
            return np.zeros((0, 4, 2), dtype=np.float32)
        return np.stack([order_quad(b) for b in out.boxes]).astype(np.float32)

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        out = self._rec(self._rec_input(img=list(crops)))
        return [(str(t), float(s)) for t, s in zip(out.txts, out.scores, strict=True)]

    def recognize_scores(self, crops: list[np.ndarray]) -> list[LineScores]:
        # One crop per run, prepared exactly as rapidocr prepares a batch of one, so the
        # frames are those its own reading of the crop decodes.
        rec = self._rec
        alphabet = rec.postprocess_op.character
        _, height, width = rec.rec_image_shape[:3]
        out = []
        for crop in crops:
            h, w = crop.shape[:2]
            ratio = max(width / height, w / max(1, h))
            batch = rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
            probs = rec.session(batch)[0]
            out.append(LineScores.from_matrix(probs, alphabet))
        return out
