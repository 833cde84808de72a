"""Training targets for TextSegNet from an annotation: DB kernels and threshold maps (with their
loss masks), the stroke mask and the class map."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocrnet.postprocess.db import offset_polygon, shrink_offset
from ocrnet.types import IGNORE_INDEX, Word

THRESH_MIN, THRESH_MAX = 0.3, 0.7


@dataclass
class SegTargets:
    """Everything the segmenter's losses compare against, for one training image."""

    region: np.ndarray  # HxW float32 {0,1}: shrunk text kernels
    region_mask: np.ndarray  # HxW float32: 0 where the region loss must not look (don't care, unlabelled)
    thresh: np.ndarray  # HxW float32 in [0.3, 0.7]
    thresh_mask: np.ndarray  # HxW float32: 1 inside the grown polygons
    stroke: np.ndarray  # HxW float32 in [0, 1]: the share of each pixel the glyphs cover
    stroke_mask: np.ndarray  # HxW float32: 0 where no stroke labels exist
    classes: np.ndarray  # HxW int64 class ids, IGNORE_INDEX where unknown


def _distance_to_polygon(xs: np.ndarray, ys: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance from each (x, y) to the nearest edge of ``polygon``."""
    best = np.full(xs.shape, np.inf, np.float32)
    for a, b in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        ab = b - a
        denom = float(ab @ ab) or 1e-6
        t = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / denom, 0, 1)
        dist = np.hypot(xs - (a[0] + t * ab[0]), ys - (a[1] + t * ab[1]))
        best = np.minimum(best, dist)
    return best


def db_targets(
    words: list[Word], height: int, width: int, labelled: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """DBNet's targets: the shrunk region map, the threshold map on the border band between the shrunk
    and grown polygons, and their masks (don't-care and tiny words, and unlabelled pixels, left out)."""
    region = np.zeros((height, width), np.float32)
    region_mask = np.ones((height, width), np.float32) if labelled is None else labelled.astype(np.float32)
    thresh = np.zeros((height, width), np.float32)
    thresh_mask = np.zeros((height, width), np.float32)
    for word in words:
        poly = word.points.astype(np.float32)
        if len(poly) < 3:
            continue
        int_poly = [np.round(poly).astype(np.int32)]
        size = min(np.ptp(poly[:, 0]), np.ptp(poly[:, 1]))
        if word.ignore or size < 3:
            cv2.fillPoly(region_mask, int_poly, 0.0)
            continue
        distance = shrink_offset(poly)
        shrunk = offset_polygon(poly, -distance)
        if not shrunk:
            cv2.fillPoly(region_mask, int_poly, 0.0)
            continue
        for piece in shrunk:
            cv2.fillPoly(region, [np.round(piece).astype(np.int32)], 1.0)
        grown = offset_polygon(poly, distance)
        if not grown:
            continue
        grown_poly = max(grown, key=lambda p: cv2.contourArea(p))
        cv2.fillPoly(thresh_mask, [np.round(grown_poly).astype(np.int32)], 1.0)
        x0, y0 = np.maximum(np.floor(grown_poly.min(0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(grown_poly.max(0)).astype(int) + 1, [width, height])
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        closeness = 1.0 - np.clip(_distance_to_polygon(xs, ys, poly) / max(distance, 1e-6), 0, 1)
        thresh[y0:y1, x0:x1] = np.maximum(thresh[y0:y1, x0:x1], closeness)
    thresh = thresh * (THRESH_MAX - THRESH_MIN) + THRESH_MIN
    return region, region_mask, thresh, thresh_mask


def make_targets(
    words: list[Word],
    height: int,
    width: int,
    stroke: np.ndarray | None,
    classes: np.ndarray | None,
    labelled: np.ndarray | None = None,
    has_words: bool = True,
) -> SegTargets:
    """Targets for one (already cropped/scaled) sample; missing parts get all-zero loss masks."""
    if has_words:
        region, region_mask, thresh, thresh_mask = db_targets(words, height, width, labelled)
    else:
        region = thresh = np.zeros((height, width), np.float32)
        region_mask = thresh_mask = np.zeros((height, width), np.float32)
    if stroke is None:
        stroke_t, stroke_mask = np.zeros((height, width), np.float32), np.zeros((height, width), np.float32)
    else:
        stroke_t, stroke_mask = stroke.astype(np.float32), np.ones((height, width), np.float32)
        for word in words:
            if word.ignore:  # unreadable glyphs: neither text nor background
                cv2.fillPoly(stroke_mask, [np.round(word.points).astype(np.int32)], 0.0)
    cls = np.full((height, width), IGNORE_INDEX, np.int64) if classes is None else classes.astype(np.int64)
    return SegTargets(region, region_mask, thresh, thresh_mask, stroke_t, stroke_mask, cls)
