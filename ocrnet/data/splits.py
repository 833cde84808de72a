"""Which real images train and which validate: one place, so no model ever trains on the data
it is measured on. Of the 50 blurred ``icdar2015_dev`` photos the odd-numbered half trains the
segmenter: nothing else in the real sets is an incidental street photo, and synthetic camera shake
alone left the detector finding a quarter of their words even at IoU 0.1."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocrnet.types import Annotation, CropSample

TRAIN, VAL = "train", "val"


def _number(path: str | None) -> int:
    found = re.findall(r"\d+", Path(path or "").stem)
    return int(found[-1]) if found else 0


def scene_split(annotation: Annotation, index: int) -> str:
    """``train`` or ``val`` for a scene image, decided by its number so every run splits alike."""
    source = annotation.source
    if source == "icdar2015":
        return VAL if _number(annotation.image_path) % 2 == 0 else TRAIN
    if source == "icdar2013":
        return VAL if _number(annotation.image_path) % 5 == 0 else TRAIN
    if source == "sroie":
        return VAL if _number(annotation.image_path) >= 80 else TRAIN
    if source == "plates":
        return VAL if index % 4 == 0 else TRAIN
    return TRAIN


def select(items: list, split: str, decide: Callable[[Any, int], str]) -> list:
    """The items ``decide`` (given an item and its index) puts in ``split``; all of them for ``all``."""
    return items if split == "all" else [x for i, x in enumerate(items) if decide(x, i) == split]


def crop_split(crop: CropSample, index: int) -> str:
    """``train`` or ``val`` for a real word crop (SVT is validation only; IIIT5K's first 300 too)."""
    source = crop.source
    if source == "svt_train":
        return VAL
    if source == "iiit5k_train":
        return VAL if index < 300 else TRAIN
    if source == "plate_crops":
        return VAL if index % 10 == 0 else TRAIN
    return TRAIN
