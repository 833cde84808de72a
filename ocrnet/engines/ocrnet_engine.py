"""OCRNet itself as an engine, with the shipped models or weights of your own."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from ocrnet.engines import register
from ocrnet.engines.base import Engine
from ocrnet.models.segnet import DEFAULT_WEIGHTS as SHIPPED_SEGMENTER
from ocrnet.pipeline import Pipeline
from ocrnet.predict.recognition import Recognizer
from ocrnet.predict.segmentation import Segmenter
from ocrnet.types import Word


class OCRNetEngine(Engine):
    """Models load on first use, so crop-only evaluation never loads the segmentation network.
    ``seg_weights`` / ``rec_weights``: checkpoints to score in place of the shipped ones (a run's
    ``best_fp16.pt``, say); a reader given is scored alone, without the shipped second opinion."""

    name = "ocrnet"

    def __init__(
        self, pipeline: Pipeline | None = None, seg_weights: Path | None = None, rec_weights: Path | None = None
    ) -> None:
        self.seg_weights, self.rec_weights = seg_weights, rec_weights
        if pipeline is not None:
            self.__dict__["pipeline"] = pipeline

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(
            segmenter=Segmenter.from_checkpoint(self.seg_weights or SHIPPED_SEGMENTER), recognizer=self.recognizer
        )

    @cached_property
    def recognizer(self) -> Recognizer:
        pipeline = self.__dict__.get("pipeline")
        return (
            pipeline.recognizer
            if pipeline is not None
            else (Recognizer.from_checkpoint(self.rec_weights) if self.rec_weights else Recognizer.default())
        )

    def read(self, image: np.ndarray) -> list[Word]:
        return self.pipeline(image).words

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(r.text, r.score) for r in self.recognizer(crops)]


class OCRNetDetector(Engine):
    """The segmentation network's polygons alone (no recognition, no fusion): detection figures."""

    name = "ocrnet-det"

    def __init__(self, seg_weights: Path | None = None) -> None:
        self.segmenter = Segmenter.from_checkpoint(seg_weights or SHIPPED_SEGMENTER)

    def read(self, image: np.ndarray) -> list[Word]:
        return [Word(polygon=p.tolist(), text="", score=s) for p, s in self.segmenter(image).polygons]


register("ocrnet")(OCRNetEngine)
register("ocrnet-det")(OCRNetDetector)
