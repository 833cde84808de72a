"""OCRNet itself as an engine."""

from __future__ import annotations

import numpy as np

from ocrnet.engines import register
from ocrnet.engines.base import Engine
from ocrnet.pipeline import Pipeline
from ocrnet.types import Word


class OCRNetEngine(Engine):
    name = "ocrnet"

    def __init__(self, pipeline: Pipeline | None = None) -> None:
        self.pipeline = pipeline or Pipeline()

    def read(self, image: np.ndarray) -> list[Word]:
        return self.pipeline(image).words

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(r.text, r.score) for r in self.pipeline.recognizer(crops)]


@register("ocrnet")
def _make() -> Engine:
    return OCRNetEngine()
