"""Join the segmentation maps, the detected polygons and the readings into words.

Each word gets its stroke mask (stroke map inside its polygon), its class (a vote of the class
map inside the polygon, background excluded), and a confidence that combines recognition,
detection and stroke evidence. Detections that read as nothing are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from ocrnet.postprocess.classes import polygon_mask, vote_class
from ocrnet.postprocess.crops import CropFrame
from ocrnet.postprocess.db import order_clockwise
from ocrnet.predict.recognition import Reading
from ocrnet.types import Word

#: Share of a word's polygon that glyph pixels usually cover; at or above it, stroke evidence is full.
TYPICAL_INK = 0.12
#: A quad is fitted to its ink only where the ink spans at least this share of its length and height.
MIN_INK_SPAN = 0.5


@dataclass
class FusionParams:
    """How a word's score is made and which words are kept."""

    min_score: float = 0.3
    stroke_threshold: float = 0.5
    weights: tuple[float, float, float] = (0.7, 0.15, 0.15)  # recognition, detection, stroke
    # A quad is shrunk to its word's ink plus this share of the ink's height on each side (None:
    # kept as found): the region map is a quarter of the image's resolution and unclipped, so small
    # words come out a few pixels too large on every side, most of a 7-pixel word's height.
    ink_margin: float | None = 0.1


@dataclass
class FusedWord:
    """A kept word and its own stroke mask, cut to its bounding box (a page-sized mask per word would not fit)."""

    word: Word
    mask: np.ndarray  # bool, the word's bounding box of the image
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of ``mask`` in the image
    rotation: int = 0  # degrees its crop was turned (counter-clockwise) before it read best


def word_part(polygon: np.ndarray, span: np.ndarray) -> np.ndarray:
    """The piece of a region's polygon inside one word's span of its reading quad; a curved
    polygon keeps its shape, a quad is the span itself."""
    if len(polygon) == 4:
        return span
    piece = Polygon(polygon).buffer(0).intersection(Polygon(span))
    parts = [g for g in getattr(piece, "geoms", [piece]) if isinstance(g, Polygon) and g.area > 0]
    if not parts:
        return span
    outline = max(parts, key=lambda g: g.area).simplify(0.5)
    return order_clockwise(np.asarray(outline.exterior.coords[:-1], np.float32))


def fit_to_ink(quad: np.ndarray, glyphs: np.ndarray, origin: tuple[int, int], margin: float) -> np.ndarray:
    """``quad`` (corners in order round it, the first edge along the text) shrunk, along and across
    its reading direction, to the extent of its glyph pixels (``glyphs``, a mask whose top-left
    pixel is at ``origin``) plus ``margin`` times the ink's height; never grown, and kept as it is
    where the ink spans less than ``MIN_INK_SPAN`` of its length or height."""
    rows, cols = np.nonzero(glyphs)
    if not len(rows):
        return quad
    centres = np.stack([cols + origin[0] + 0.5, rows + origin[1] + 0.5], axis=1).astype(np.float32)
    length, height = float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[3] - quad[0]))
    if length < 1e-3 or height < 1e-3:
        return quad
    along, across = (quad[1] - quad[0]) / length, (quad[3] - quad[0]) / height
    u, v = (centres - quad[0]) @ along, (centres - quad[0]) @ across
    # a pixel's centre lies half a pixel inside its edge; the margin is a share of the ink's height
    reach = 0.5 + margin * (float(v.max() - v.min()) + 1.0)
    u0, u1 = max(float(u.min()) - reach, 0.0), min(float(u.max()) + reach, length)
    v0, v1 = max(float(v.min()) - reach, 0.0), min(float(v.max()) + reach, height)
    if u1 - u0 < MIN_INK_SPAN * length or v1 - v0 < MIN_INK_SPAN * height:
        return quad  # the stroke map found a few of the word's pixels, not its outline
    corners = ((u0, v0), (u1, v0), (u1, v1), (u0, v1))
    return np.array([quad[0] + along * a + across * b for a, b in corners], np.float32)


def split_at_spaces(
    polygons: list[tuple[np.ndarray, float]], readings: list[Reading], frames: list[CropFrame]
) -> tuple[list[tuple[np.ndarray, float]], list[Reading]]:
    """A region that reads as several words (a whole line found as one region) becomes one
    polygon per word, cut where the recogniser placed the spaces."""
    out_polygons, out_readings = [], []
    for (polygon, det), reading, frame in zip(polygons, readings, frames, strict=True):
        splittable = (
            len(reading.text.split()) > 1
            and reading.rotation in (0, 180)
            and len(reading.char_positions) == len(reading.text)
        )
        if not splittable:
            out_polygons.append((polygon, det))
            out_readings.append(reading)
            continue
        segments, current, start = [], [], 0.0
        for i, ch in enumerate(reading.text):
            if ch == " ":
                if current:
                    segments.append((start, reading.char_positions[i], current))
                    current = []
                start = reading.char_positions[i]
            else:
                current.append(i)
        if current:
            segments.append((start, 1.0, current))
        for begin, end, indices in segments:
            if reading.rotation == 180:  # places were measured in the turned crop
                begin, end = 1.0 - end, 1.0 - begin
            out_polygons.append((word_part(polygon, frame.span(begin, end)), det))
            text = "".join(reading.text[i] for i in indices)
            out_readings.append(
                Reading(text, reading.score, [reading.char_probs[i] for i in indices], reading.rotation)
            )
    return out_polygons, out_readings


def polygon_glyphs(
    stroke: np.ndarray, polygon: np.ndarray, threshold: float
) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray] | None:
    """A polygon's box in the stroke map, its filled mask over that box and the stroke pixels in
    it; None when it lies outside the map."""
    masked = polygon_mask(polygon, stroke.shape)
    if masked is None:
        return None
    (x0, y0, x1, y1), inside = masked
    return (x0, y0, x1, y1), inside, (stroke[y0:y1, x0:x1] > threshold) & inside


def fuse(
    stroke: np.ndarray,
    class_map: np.ndarray,
    polygons: list[tuple[np.ndarray, float]],
    readings: list[Reading],
    params: FusionParams | None = None,
) -> list[FusedWord]:
    """Join each region with its reading: a score from the reading, the region and the ink inside it,
    a class by vote of the class map, and the word's own stroke mask; empty or weak words dropped."""
    params = params or FusionParams()
    out = []
    for (polygon, det_score), reading in zip(polygons, readings, strict=True):
        text = reading.text.strip()
        if not text:
            continue
        found = polygon_glyphs(stroke, polygon, params.stroke_threshold)
        if found is None:
            continue
        (x0, y0, x1, y1), inside, glyphs = found
        if params.ink_margin is not None and len(polygon) == 4:
            polygon = fit_to_ink(np.asarray(polygon, np.float32), glyphs, (x0, y0), params.ink_margin)
        ink = glyphs.sum() / max(inside.sum(), 1)
        evidence = float(min(1.0, ink / TYPICAL_INK))
        wr, wd, ws = params.weights
        score = float(
            np.exp(
                wr * np.log(max(reading.score, 1e-6))
                + wd * np.log(max(det_score, 1e-6))
                + ws * np.log(max(evidence, 1e-3))
            )
        )
        if score < params.min_score:
            continue
        word = Word(polygon=polygon.tolist(), text=text, score=score, cls=vote_class(class_map[y0:y1, x0:x1], inside))
        out.append(FusedWord(word, glyphs, (x0, y0, x1, y1), reading.rotation))
    return out


def full_mask(words: list[FusedWord], shape: tuple[int, int]) -> np.ndarray:
    """All words' stroke masks in one image-sized bool array."""
    mask = np.zeros(shape, bool)
    for fw in words:
        x0, y0, x1, y1 = fw.box
        mask[y0:y1, x0:x1] |= fw.mask
    return mask


def region_glyphs(stroke: np.ndarray, polygons: list[tuple[np.ndarray, float]], threshold: float) -> np.ndarray:
    """The stroke pixels inside every detected region, read or not: a word blurred past reading is
    dropped from the words but is still text to erase."""
    mask = np.zeros(stroke.shape, bool)
    for polygon, _ in polygons:
        found = polygon_glyphs(stroke, np.asarray(polygon, np.float32), threshold)
        if found is not None:
            (x0, y0, x1, y1), _, glyphs = found
            mask[y0:y1, x0:x1] |= glyphs
    return mask
