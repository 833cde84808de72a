"""The engine interface."""

from __future__ import annotations

import numpy as np

from ocrnet.types import Word


class EngineUnavailable(RuntimeError):
    """The engine's package or data is not installed here; the message says what to install."""


class Engine:
    """What ``ocrnet eval`` and ``compare`` need of an OCR engine: read a page, read crops."""

    name = "engine"

    def read(self, image: np.ndarray) -> list[Word]:
        """Words (polygon in image pixels, text, score) found in an RGB uint8 image."""
        raise NotImplementedError

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and score per word crop; engines without a crop mode read the crop as a page."""
        out = []
        for crop in crops:
            words = self.read(crop)
            words.sort(key=lambda w: float(w.points[:, 0].min()))
            text = " ".join(w.text for w in words)
            out.append((text, float(np.mean([w.score for w in words])) if words else 0.0))
        return out
