"""Pages photographed or scanned sideways or upside down. Both networks learnt upright text: a page
turned a quarter finds little text and reads it as junk, one turned half round finds its words but
reads them less well. So a page whose words read less well than most is tested: its longest words
are read as they stand and turned half round; if it reads poorly, the longest regions of the page
turned a quarter are read both ways as well (a second segmentation, so only then). The turn whose
words read best is taken when it reads clearly better than the page as given.

A turn counts quarter turns counter-clockwise, as ``np.rot90``'s ``k``: the page is read upright
after ``np.rot90(image, turn)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ocrnet.postprocess.crops import reading_quad, rectify
from ocrnet.predict.recognition import Reading, Recognizer
from ocrnet.predict.segmentation import Segmenter
from ocrnet.types import Word


@dataclass
class OrientationParams:
    """When a page is tested and when a turn is taken (chosen on training images: see
    docs/reading.md)."""

    test_below: float = 0.85  # pages whose words read worse than this (mean score by length) are tested
    side_below: float = 0.7  # ... and below this, tested for a quarter turn too
    sample: int = 8  # words read per turn, the longest first
    margin: float = 1.25  # a turn must read this many times better than the page as given


def reading_strength(words: Sequence[Word]) -> float:
    """Mean word score weighted by text length: how well a page reads (0 without words)."""
    lengths = np.array([len(w.text) for w in words], np.float32)
    if not lengths.sum():
        return 0.0
    return float((np.array([w.score for w in words], np.float32) * lengths).sum() / lengths.sum())


def _evidence(readings: Sequence[Reading]) -> float:
    """Characters read, each weighted by its word's score: more and surer text, more evidence."""
    return float(sum(r.score * len(r.text) for r in readings))


def _longest(polygons: Sequence[np.ndarray], count: int) -> list[np.ndarray]:
    def length(polygon: np.ndarray) -> float:
        quad = reading_quad(polygon)
        return float(np.linalg.norm(quad[1] - quad[0]))

    return sorted(polygons, key=length, reverse=True)[:count]


def _both_ways(image: np.ndarray, polygons: Sequence[np.ndarray], recognizer: Recognizer) -> tuple[float, float]:
    """Evidence of the regions' crops read as they stand and turned half round, without the
    reader's own retries (which would turn them too)."""
    if not polygons:
        return 0.0, 0.0
    crops = [rectify(image, polygon)[0] for polygon in polygons]
    turned = [np.ascontiguousarray(np.rot90(crop, 2)) for crop in crops]
    readings = recognizer(crops + turned, retry=False)
    return _evidence(readings[: len(crops)]), _evidence(readings[len(crops) :])


def upright_turn(
    image: np.ndarray,
    words: Sequence[Word],
    segmenter: Segmenter,
    recognizer: Recognizer,
    params: OrientationParams,
) -> int:
    """The quarter turns that make the page upright, judged from the words read on it as given
    (``words``) and, for a page that reads poorly, a segmentation of it turned a quarter; 0 when no
    turn reads clearly better, or when the page already reads well."""
    strength = reading_strength(words)
    if strength >= params.test_below:
        return 0
    as_given, half = _both_ways(image, _longest([w.points for w in words], params.sample), recognizer)
    evidence = {0: as_given, 2: half}
    if strength < params.side_below:
        side = np.ascontiguousarray(np.rot90(image, 1))
        regions = [polygon for polygon, _ in segmenter(side).polygons]
        evidence[1], evidence[3] = _both_ways(side, _longest(regions, params.sample), recognizer)
    best = max(evidence, key=lambda turn: evidence[turn])
    return best if evidence[best] > params.margin * as_given else 0


def unturn_points(points: np.ndarray, turn: int, width: int, height: int) -> np.ndarray:
    """Points of the page turned by ``turn`` back in the page as given (``width`` x ``height``)."""
    x, y = points[..., 0], points[..., 1]
    if turn % 4 == 1:
        x, y = width - y, x
    elif turn % 4 == 2:
        x, y = width - x, height - y
    elif turn % 4 == 3:
        x, y = y, height - x
    return np.stack([x, y], axis=-1)


def unturn_box(box: tuple[int, int, int, int], turn: int, width: int, height: int) -> tuple[int, int, int, int]:
    """An (x0, y0, x1, y1) box of the turned page in the page as given."""
    corners = unturn_points(np.array([[box[0], box[1]], [box[2], box[3]]], np.float64), turn, width, height)
    (x0, y0), (x1, y1) = corners.min(0), corners.max(0)
    return int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
