"""Recognise word or line crops: batch by width, decode CTC, calibrate confidence, and try the
other orientations for crops that are tall (vertical text) or read poorly (upside down)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ocrnet.data.transforms import rec_batch, rec_width
from ocrnet.models.checkpoint import build_model
from ocrnet.models.recognizer import CRNN, CRNNConfig, crnn
from ocrnet.postprocess.ctc import Decoded, beam_decode, greedy_decode
from ocrnet.runtime import maybe_onnx


@dataclass
class Reading:
    text: str
    score: float  # calibrated: about the chance the text is exactly right
    char_probs: list[float]
    rotation: int = 0  # degrees the crop was turned (counter-clockwise) before it read best
    char_positions: list[float] = field(default_factory=list)  # 0-1 across the (turned) crop


def calibrate(raw: float, calibration: tuple[float, float] | None) -> float:
    """Platt scaling of the raw score's logit, fitted on held-out crops after training."""
    if calibration is None:
        return raw
    a, b = calibration
    logit = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / np.clip(1 - raw, 1e-6, 1.0))
    return float(1.0 / (1.0 + np.exp(-(a * logit + b))))


class Recognizer:
    def __init__(
        self,
        model: CRNN | None = None,
        calibration: tuple[float, float] | None = None,
        batch_size: int = 64,
        max_width: int = 512,
        beam: int = 0,
        retry_below: float = 0.3,
        tall: float = 2.0,
        margin: float = 0.25,
        backend: str = "auto",
    ) -> None:
        self.model = (model or crnn(pretrained=True)).eval()
        self.runner = maybe_onnx(
            backend,
            self.model,
            "crnn",
            torch.zeros(2, 3, 32, 64),
            ("logits",),
            {"images": {0: "batch", 3: "width"}, "logits": {0: "steps", 1: "batch"}},
        )
        self.charset = self.model.config.charset
        self.calibration = calibration
        self.batch_size, self.max_width, self.beam, self.retry_below = batch_size, max_width, beam, retry_below
        self.tall, self.margin = tall, margin

    @classmethod
    def default(cls, **kwargs) -> Recognizer:
        """The shipped recogniser with the calibration fitted for it."""
        from ocrnet.models.recognizer import DEFAULT_WEIGHTS

        return cls.from_checkpoint(DEFAULT_WEIGHTS, **kwargs)

    @classmethod
    def from_checkpoint(cls, path: str | Path, **kwargs) -> Recognizer:
        model, extra = build_model(path, CRNN, CRNNConfig)
        calibration = extra.get("calibration")
        return cls(model, tuple(calibration) if calibration else None, **kwargs)

    @torch.inference_mode()
    def raw(self, crops: list[np.ndarray]) -> list[Decoded]:
        """Decode crops as they are, in batches of similar width (less padding)."""
        order = np.argsort([rec_width(c.shape[0], c.shape[1], 32, self.max_width) for c in crops], kind="stable")
        results: list[Decoded | None] = [None] * len(crops)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = rec_batch([crops[i] for i in idx], 32, self.max_width)
            logits = (
                torch.from_numpy(self.runner(batch.numpy())["logits"])
                if self.runner is not None
                else self.model(batch)["logits"]
            )
            probs = torch.softmax(logits.float(), dim=2).numpy()  # (T, B, C)
            for j, i in enumerate(idx):
                steps = rec_width(crops[i].shape[0], crops[i].shape[1], 32, self.max_width) // 4
                seq = probs[:steps, j]
                results[i] = (
                    beam_decode(seq, self.charset, self.beam) if self.beam else greedy_decode(seq, self.charset)
                )
        return results  # type: ignore[return-value]

    def __call__(self, crops: list[np.ndarray], orientations: bool = True) -> list[Reading]:
        decoded = self.raw(crops)
        readings = [
            Reading(d.text, calibrate(d.score, self.calibration), d.char_probs, 0, d.char_positions) for d in decoded
        ]
        if not orientations:
            return readings
        # Tall crops are probably vertical text: read them turned both ways. Poor readings may be
        # upside down: read them turned 180 degrees. Keep whichever orientation scores best.
        retry = [
            i
            for i, (c, r) in enumerate(zip(crops, readings, strict=True))
            if c.shape[0] > self.tall * c.shape[1] or r.score < self.retry_below
        ]
        for rotation, turns in ((90, 1), (270, 3), (180, 2)):
            todo = [i for i in retry if rotation == 180 or crops[i].shape[0] > self.tall * crops[i].shape[1]]
            if not todo:
                continue
            turned = [np.ascontiguousarray(np.rot90(crops[i], turns)) for i in todo]
            for i, d in zip(todo, self.raw(turned), strict=True):
                score = calibrate(d.score, self.calibration)
                if score > readings[i].score + self.margin and d.text:
                    readings[i] = Reading(d.text, score, d.char_probs, rotation, d.char_positions)
        return readings
