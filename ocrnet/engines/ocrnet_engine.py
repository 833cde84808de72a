"""OCRNet itself as an engine."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ocrnet.engines import register
from ocrnet.engines.base import Engine
from ocrnet.pipeline import Pipeline
from ocrnet.predict.recognition import Recognizer
from ocrnet.types import Word


class OCRNetEngine(Engine):
    """Models load on first use, so crop-only evaluation never loads the segmentation network."""

    name = "ocrnet"

    def __init__(self, pipeline: Pipeline | None = None) -> None:
        if pipeline is not None:
            self.__dict__["pipeline"] = pipeline

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(recognizer=self.recognizer)

    @cached_property
    def recognizer(self) -> Recognizer:
        pipeline = self.__dict__.get("pipeline")
        return pipeline.recognizer if pipeline is not None else Recognizer.default()

    def read(self, image: np.ndarray) -> list[Word]:
        return self.pipeline(image).words

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(r.text, r.score) for r in self.recognizer(crops)]


class OCRNetDetector(Engine):
    """The segmentation network's polygons alone (no recognition, no fusion): detection figures."""

    name = "ocrnet-det"

    def __init__(self) -> None:
        from ocrnet.predict.segmentation import Segmenter

        self.segmenter = Segmenter()

    def read(self, image: np.ndarray) -> list[Word]:
        return [Word(polygon=p.tolist(), text="", score=s) for p, s in self.segmenter(image).polygons]


@register("ocrnet")
def _make() -> Engine:
    return OCRNetEngine()


register("ocrnet-det")(OCRNetDetector)
