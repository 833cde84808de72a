"""Which class a region belongs to: the vote of the class map inside it, background excluded
(a word's box always holds background between its strokes)."""

from __future__ import annotations

import cv2
import numpy as np

from ocrnet.types import CLASS_ID, CLASS_NAMES


def vote_class(class_map: np.ndarray, inside: np.ndarray) -> str:
    """The most common non-background class inside a word; ``other`` where there is none."""
    votes = np.bincount(class_map[inside].ravel(), minlength=len(CLASS_NAMES))[: len(CLASS_NAMES)]
    votes[CLASS_ID["background"]] = 0
    return CLASS_NAMES[int(votes.argmax())] if votes.sum() else "other"


def polygon_mask(polygon: np.ndarray, shape: tuple[int, int]) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """The polygon's bounding box clipped to an image of ``shape`` and its filled mask over that
    box, or None when it lies outside the image."""
    h, w = shape
    x0, y0 = np.maximum(np.floor(polygon.min(0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(polygon.max(0)).astype(int) + 1, [w, h])
    if x1 <= x0 or y1 <= y0:
        return None
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(inside, [np.round(polygon - [x0, y0]).astype(np.int32)], 1)
    return (int(x0), int(y0), int(x1), int(y1)), inside.astype(bool)


def polygon_class(class_map: np.ndarray, polygon: np.ndarray) -> str:
    """The class vote inside a polygon given in the class map's pixels."""
    masked = polygon_mask(polygon, class_map.shape)
    if masked is None:
        return "other"
    (x0, y0, x1, y1), inside = masked
    return vote_class(class_map[y0:y1, x0:x1], inside)
