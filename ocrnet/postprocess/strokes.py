"""Words and glyphs the region map missed, found in the stroke map.

DB's shrunk kernels lose lone characters and punctuation (the quantity "1", the ":" between a
label and its value, the "," or ")" closing a word): shrunk, they vanish. Their ink is still in
the stroke mask, so glyphs that no detected region covers are grouped into boxes here. A group
right beside a detected word (closer than a space) belongs to that word; any other group is a
word of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class StrokeWordParams:
    """Sizes (in word heights) that decide which stray glyph groups become words of their own."""

    threshold: float = 0.5  # stroke probability that counts as ink
    min_height: float = 0.08  # a group's ink height, as a share of the page's median word height
    max_height: float = 1.1
    max_width: float = 4.0  # longer groups are rules and dotted lines, not missed words
    box_height: float = 0.8  # a crop is at least this tall, so a "-" keeps the height of a line
    join_gap: float = 0.35  # glyphs this close (in word heights) form one word
    margin: float = 0.2  # padding around the ink, in word heights
    covered: float = 0.2  # share of a group's ink inside detected regions that makes it theirs
    min_ink: float = 0.02  # ink pixels of a group, as a share of a word height squared
    min_score: float = 0.5  # mean stroke probability of a group's ink
    attach_gap: float = 0.25  # a group closer than this (in word heights) to a word is part of it
    row_reach: float = 8.0  # a lone group needs a detected word on its row within this many heights
    max_tilt: float = 10.0  # degrees; only level words take glyphs (boxes here are axis-aligned)


@dataclass
class StrokeWord:
    """A group of glyphs the region map missed: its box, its ink's score, the word it belongs to."""

    box: np.ndarray  # 4x2 axis-aligned, image pixels
    score: float  # mean stroke probability of the ink
    neighbour: int | None  # index of the detected word it belongs to, None when on its own


def stroke_words(
    stroke: np.ndarray, polygons: list[tuple[np.ndarray, float]], params: StrokeWordParams | None = None
) -> list[StrokeWord]:
    """Each group of glyphs outside the detected ``polygons``. Sizes are taken from the detected
    words (their median height), so a page without detections gets none."""
    params = params or StrokeWordParams()
    if not polygons:
        return []
    rects = [cv2.minAreaRect(p.astype(np.float32)) for p, _ in polygons]
    word_height = float(np.median([min(size) for _, size, _ in rects]))
    if word_height < 4:
        return []
    bounds = np.array([[*p.min(0), *p.max(0)] for p, _ in polygons], np.float32)  # x0, y0, x1, y1
    level = np.array([min(abs(angle) % 90, 90 - abs(angle) % 90) <= params.max_tilt for _, _, angle in rects])
    everyone = np.ones(len(polygons), bool)
    ink = (stroke > params.threshold).astype(np.uint8)
    covered = np.zeros_like(ink)
    cv2.fillPoly(covered, [np.round(p).astype(np.int32) for p, _ in polygons], 1)
    # glyphs (ink components) mostly inside a detected region belong to it; the rest are free
    count, glyphs = cv2.connectedComponents(ink, connectivity=8)
    area = np.bincount(glyphs.ravel(), minlength=count)
    inside = np.bincount(glyphs.ravel(), weights=covered.ravel(), minlength=count)
    free_glyph = inside <= params.covered * np.maximum(area, 1)
    free_glyph[0] = False
    free = free_glyph[glyphs].astype(np.uint8)
    gap = max(1, int(round(params.join_gap * word_height)))
    joined = cv2.dilate(free, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * gap + 1, max(1, gap // 2) * 2 + 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    height, width = stroke.shape
    for group in range(1, count):
        x, y, w, h, _ = stats[group]
        window = (slice(y, y + h), slice(x, x + w))
        member = (labels[window] == group) & (free[window] > 0)
        if member.sum() < params.min_ink * word_height**2:
            continue
        ys, xs = np.nonzero(member)
        x0, x1, y0, y1 = x + xs.min(), x + xs.max() + 1, y + ys.min(), y + ys.max() + 1
        if not params.min_height * word_height <= y1 - y0 <= params.max_height * word_height:
            continue
        if x1 - x0 > params.max_width * word_height:
            continue
        score = float(stroke[window][member].mean())
        if score < params.min_score:
            continue
        pad = params.margin * word_height
        half = max((y1 - y0) / 2 + pad, params.box_height * word_height / 2)
        middle = (y0 + y1) / 2
        left, right = max(x0 - pad, 0), min(x1 + pad, width)
        top, bottom = max(middle - half, 0), min(middle + half, height)
        box = np.array([[left, top], [right, top], [right, bottom], [left, bottom]], np.float32)
        neighbour = _row_neighbour(box, bounds, level, params.attach_gap * word_height)
        if neighbour is None and _row_neighbour(box, bounds, everyone, params.row_reach * word_height) is None:
            continue  # a glyph far from any line of text: a logo, a mark, noise
        out.append(StrokeWord(box, score, neighbour))
    return out


def _row_neighbour(box: np.ndarray, bounds: np.ndarray, eligible: np.ndarray, reach: float) -> int | None:
    """The nearest ``eligible`` detected word (``bounds``: x0, y0, x1, y1 rows) on the same row as
    ``box`` and at most ``reach`` pixels from it; None if there is none."""
    x0, y0 = box.min(0)
    x1, y1 = box.max(0)
    overlap = np.minimum(y1, bounds[:, 3]) - np.maximum(y0, bounds[:, 1])
    same_row = overlap >= 0.5 * np.minimum(y1 - y0, bounds[:, 3] - bounds[:, 1])
    gap = np.maximum(bounds[:, 0] - x1, x0 - bounds[:, 2])
    candidates = np.flatnonzero(eligible & same_row & (gap <= reach))
    if not len(candidates):
        return None
    nearest = candidates[gap[candidates] == gap[candidates].min()]
    return int(nearest[-1])


def merged_box(polygon: np.ndarray, boxes: list[np.ndarray]) -> np.ndarray:
    """Axis-aligned box around a level word and the glyphs that belong to it."""
    pts = np.concatenate([polygon, *boxes])
    (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
