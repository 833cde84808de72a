"""Pages photographed or scanned sideways or upside down. Both networks learnt upright text: on a
page turned a quarter the stroke head still finds the glyphs (it looks at strokes, close by) but
the region head finds few words, and on one turned half round the words are found but read less
well. So a page is tested when its words read less well than most, or when most of its text was read
from crops the reader itself turned half round: its longest words are read as they stand and
turned half round; and when its words read poorly (fragments of sideways lines), or
much of its ink lies outside the regions found, the longest regions of the page turned a quarter
are read both ways as well (a second segmentation, so only then). The turn whose words
read best is taken when it reads clearly better than the page as given, and reads enough text to
judge by.

A turn counts quarter turns counter-clockwise, as ``np.rot90``'s ``k``: the page is read upright
after ``np.rot90(image, turn)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocrnet.fusion import FusedWord
from ocrnet.postprocess.crops import reading_quad, rectify
from ocrnet.predict.recognition import Reading, Recognizer
from ocrnet.predict.segmentation import Segmenter, SegOutput
from ocrnet.types import Word


@dataclass
class OrientationParams:
    """When a page is tested and when a turn is taken (chosen on training images: see
    docs/reading.md)."""

    test_below: float = 0.85  # pages whose words read worse than this (mean score by length): half turn tested
    # ... and pages with this share of their characters read from crops turned half round (a
    # page upside down whose few words each read well turned, but in the wrong order)
    turned_share: float = 0.5
    side_below: float = 0.6  # pages reading worse than this (sideways lines found as fragments): quarter turns tested
    # ... and pages with this share of their ink outside the regions and at least ``side_words``
    # words (a photo's one or two words among stroke-like edges need no test)
    side_ink: float = 0.35
    side_words: int = 5
    sample: int = 8  # words read per turn, the longest first
    margin: float = 1.25  # a turn must read this many times better than the page as given
    # ... and read at least this much (characters x score): one or two words, or junk found on a
    # page without text, say too little (a "PIXAR" logo upside down reads "4VX14" at 0.8)
    min_evidence: float = 8.0


def reading_strength(words: Sequence[Word]) -> float:
    """Mean word score weighted by text length: how well a page reads (0 without words)."""
    lengths = np.array([len(w.text) for w in words], np.float32)
    if not lengths.sum():
        return 0.0
    return float((np.array([w.score for w in words], np.float32) * lengths).sum() / lengths.sum())


def half_turned_share(words: Sequence[FusedWord]) -> float:
    """Share of a page's characters read from crops the reader turned half round (0 without words)."""
    lengths = np.array([len(w.word.text) for w in words], np.float32)
    turned = np.array([w.rotation == 180 for w in words], bool)
    return float(lengths[turned].sum() / lengths.sum()) if lengths.sum() else 0.0


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


def uncovered_ink(seg: SegOutput) -> float:
    """Share of the stroke map's ink that no region covers (0 without ink). Upright documents leave a
    few percent uncovered (logos, rules, stray marks; photos more), sideways ones 0.3-0.97."""
    ink = seg.stroke > 0.5
    total = int(ink.sum())
    if not total:
        return 0.0
    covered = np.zeros(ink.shape, np.uint8)
    cv2.fillPoly(covered, [np.round(polygon).astype(np.int32) for polygon, _ in seg.polygons], 1)
    return float((ink & (covered == 0)).sum() / total)


def upright_turn(
    image: np.ndarray,
    words: Sequence[Word],
    seg: SegOutput,
    segmenter: Segmenter,
    recognizer: Recognizer,
    params: OrientationParams,
    turned: float = 0.0,
) -> int:
    """The quarter turns that make the page upright, judged from its segmentation ``seg`` and the
    ``words`` read on it as given (``turned``: the share of their characters read from crops turned
    half round), and, where its ink suggests it, from a segmentation of it turned a quarter; 0 when
    no turn reads clearly better, or when the page gives no cause to test it."""
    strength = reading_strength(words)  # 0 without words
    half_turn = strength < params.test_below or turned >= params.turned_share
    quarter_turn = strength < params.side_below or (
        len(words) >= params.side_words and uncovered_ink(seg) >= params.side_ink
    )
    if not (half_turn or quarter_turn):
        return 0
    as_given, half = _both_ways(image, _longest([w.points for w in words], params.sample), recognizer)
    evidence = {0: as_given, 2: half}
    if quarter_turn:
        side = np.ascontiguousarray(np.rot90(image, 1))
        regions = [polygon for polygon, _ in segmenter(side).polygons]
        evidence[1], evidence[3] = _both_ways(side, _longest(regions, params.sample), recognizer)
    best = max(evidence, key=lambda turn: evidence[turn])
    return best if evidence[best] > max(params.margin * as_given, params.min_evidence) else 0


def settled(words: Sequence[Word], params: OrientationParams) -> bool:
    """Whether a page's final reading is sure of its orientation: enough words (``side_words``), read
    as well as a page that would not be tested (``test_below``). A video's later frames keep the
    turn of the first such frame rather than each being tested again."""
    return len(words) >= params.side_words and reading_strength(words) >= params.test_below


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


def unturn_map(array: np.ndarray, turn: int) -> np.ndarray:
    """A map (mask, probabilities, classes) of the page turned by ``turn``, turned back."""
    return np.ascontiguousarray(np.rot90(array, -turn))


def unturn_segmentation(seg: SegOutput, turn: int, width: int, height: int) -> SegOutput:
    """A segmentation of the page turned by ``turn`` placed back on the page as given (``width`` x
    ``height``): maps turned back, polygons in its pixels."""
    maps = (unturn_map(a, turn) for a in (seg.stroke, seg.region, seg.classes))
    polygons = [(unturn_points(p, turn, width, height).astype(np.float32), s) for p, s in seg.polygons]
    return SegOutput(*maps, polygons)


def unturn_box(box: tuple[int, int, int, int], turn: int, width: int, height: int) -> tuple[int, int, int, int]:
    """An (x0, y0, x1, y1) box of the turned page in the page as given."""
    corners = unturn_points(np.array([[box[0], box[1]], [box[2], box[3]]], np.float64), turn, width, height)
    (x0, y0), (x1, y1) = corners.min(0), corners.max(0)
    return int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
