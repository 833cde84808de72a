"""Fit the recogniser's confidence calibration (Platt scaling) on held-out crops and write it
into the checkpoint, so that a score of 0.9 means right about 9 times in 10.

"Right" is an exact, case-sensitive match. The fit uses the icdar2013, SROIE and plate validation
crops plus synthetic ones; IIIT5K and SVT stay out of it so they can measure the result. Your own
sets' held-out crops (``--own``) join the fit, so that scores mean what they say on your images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ocrnet.data.crops import own_crops, real_crops
from ocrnet.data.own import load_own
from ocrnet.data.synth import generate_crop
from ocrnet.models.checkpoint import read_checkpoint
from ocrnet.predict.recognition import Recognizer

FIT_SOURCES = ("icdar2013", "sroie", "plate_crops")


def fit_platt(
    raw: np.ndarray, correct: np.ndarray, from_lexicon: np.ndarray | None = None, steps: int = 100, ridge: float = 1.0
) -> tuple[float, ...]:
    """Logistic regression of correctness on logit(raw score) (and, given ``from_lexicon``, on
    whether the dictionary changed the reading), by damped Newton steps. A small ridge towards the
    identity (a=1, b=0, shift 0) keeps it finite when the scores separate perfectly."""
    logit = np.log(np.clip(raw, 1e-4, 1 - 1e-4) / np.clip(1 - raw, 1e-4, 1.0))
    columns = [logit, np.ones_like(logit)] + ([from_lexicon.astype(np.float64)] if from_lexicon is not None else [])
    x = np.stack(columns, 1)
    y = correct.astype(np.float64)
    prior = np.zeros(x.shape[1])
    prior[0] = 1.0
    theta = prior.copy()
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -30, 30)))
        grad = x.T @ (p - y) + ridge * (theta - prior)
        hess = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        step *= min(1.0, 2.0 / max(float(np.abs(step).max()), 1e-12))  # at most 2 units a step
        theta = theta - step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(float(v) for v in theta)


def calibrate_checkpoint(
    weights: Path, data_root: Path | None, out: Path, synthetic: int = 1000, own: list[Path] | None = None
) -> tuple[float, ...]:
    """Fit the word confidence (Platt scaling) on held-out real, own and synthetic crops; save it in
    a copy of the checkpoint at ``out``."""
    recognizer = Recognizer.from_checkpoint(weights)
    crops = [c for c in real_crops(data_root, "val") if c.source in FIT_SOURCES] if data_root else []
    crops += own_crops(load_own(own or []), "val")
    images = [c.image for c in crops]
    texts = [c.text for c in crops]
    for i in range(synthetic):
        image, text = generate_crop((555, i))
        images.append(image)
        texts.append(text)
    # Which crops are read again depends on calibrated scores, so fit on single readings first,
    # then again on the readings the product makes with that calibration (retries included).
    recognizer.calibration = None
    for retry in (False, True):
        readings = recognizer(images, retry=retry)
        correct = np.array([r.text == t for r, t in zip(readings, texts, strict=True)])
        raw = np.array([r.raw_score for r in readings])
        fitted = fit_platt(raw, correct, np.array([r.from_lexicon for r in readings]))
        recognizer.calibration = fitted
    checkpoint = read_checkpoint(weights)
    checkpoint.setdefault("extra", {})["calibration"] = list(fitted)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, out)
    return fitted
