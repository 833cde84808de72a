"""The one object that runs the whole flow: decode -> segment -> polygons -> crops -> recognise
-> fuse -> layout. ``ocrnet.read`` wraps a default instance."""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ocrnet.fusion import FusedWord, FusionParams, full_mask, fuse, region_glyphs, split_at_spaces
from ocrnet.io import ImageSource, load_image
from ocrnet.layout import assign_layout
from ocrnet.orientation import (
    OrientationParams,
    half_turned_share,
    unturn_box,
    unturn_map,
    unturn_points,
    unturn_segmentation,
    upright_turn,
)
from ocrnet.postprocess.classes import polygon_class
from ocrnet.postprocess.crops import CropFrame, rectify
from ocrnet.postprocess.plates import NOT_ON_PLATES, PLATE_VIEWS, inner_quad, plate_probabilities
from ocrnet.postprocess.spaces import SpaceParams, may_hold_run_together_words, with_ink_spaces
from ocrnet.postprocess.strokes import StrokeWordParams, merged_box, stroke_words
from ocrnet.predict.recognition import Reading, Recognizer
from ocrnet.predict.segmentation import Segmenter, SegOutput
from ocrnet.types import PageResult, display_name

MODES = ("auto", "scene", "plate", "sign", "document")


@dataclass
class PageOutput:
    """A result with the arrays the image outputs need (masks, class map)."""

    result: PageResult
    image: np.ndarray
    stroke_mask: np.ndarray  # bool, all words' glyphs
    text_mask: np.ndarray  # bool, every glyph found, read or not: what removing the text removes
    class_map: np.ndarray
    fused: list[FusedWord] = field(default_factory=list)


#: How strongly plates are read towards the characters plates use (``postprocess.plates``).
#: Chosen on training splits (plates read of 166; ICDAR 2013, 110 images, end-to-end H): no prior
#: 103 / 0.826, strength 0 (plate alphabet only) 105 / 0.823, 0.5 112, 0.75 113 / 0.824, 1.0 110.
PLATE_PRIOR_STRENGTH = 0.75


#: A word found only in the stroke map (a lone "1" or ":") is kept when read at least this
#: confidently; stroke specks that are not text read as low-scoring junk.
STROKE_WORD_MIN_SCORE = 0.5


def normalize_plate(text: str) -> str:
    """A plate reading as plates are compared: upper case letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())


class Pipeline:
    """The whole reading: segment, find words (regions and stray glyphs), crop and read them, fuse,
    group lines and blocks, and re-read plates letter by letter."""

    def __init__(
        self,
        segmenter: Segmenter | None = None,
        recognizer: Recognizer | None = None,
        fusion: FusionParams | None = None,
        mode: str = "auto",
        stroke_words: StrokeWordParams | None = StrokeWordParams(),
        plate_prior: float = PLATE_PRIOR_STRENGTH,
        plate_recognizer: Recognizer | None = None,
        orientation: OrientationParams | None = OrientationParams(),
        spaces: SpaceParams | None = SpaceParams(),
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        self.segmenter = segmenter or Segmenter()
        self.recognizer = recognizer or Recognizer.default()
        self.fusion = fusion or FusionParams()
        self.mode = mode
        self.stroke_words = stroke_words  # None: only the region map's words
        self.plate_prior = plate_prior
        self._plate_reader = plate_recognizer
        self.orientation = orientation  # None: every page is taken as upright
        self.spaces = spaces  # None (or a reader without dictionary): cut only at spaces read

    def run(self, source: ImageSource, name: str | None = None, turn: int | None = None) -> PageOutput:
        """Read one image (path, bytes or array): the result plus the maps that masks and erasing need.
        ``turn``: read it turned that many quarter turns counter-clockwise, untested (a video's frames
        once one has settled their orientation); None: tested where ``orientation`` says."""
        start = time.perf_counter()
        label = name or (display_name(source) if isinstance(source, str | Path) else "<memory>")
        image = load_image(source, name=label)
        page = None
        if turn is None:
            page, seg = self._read_upright(image, label)
            turn = self._test_turn(image, page, seg)
        if turn % 4:
            page, _ = self._read_upright(np.ascontiguousarray(np.rot90(image, turn)), label)
            page = _turned_back(page, turn % 4, image)
        elif page is None:
            page, _ = self._read_upright(image, label)
        page.result.seconds = time.perf_counter() - start
        return page

    def segment_upright(self, image: np.ndarray) -> tuple[SegOutput, int]:
        """The segmentation of ``image`` turned upright as ``run`` finds the turn (reading it), placed
        back in its pixels, and the turn: for a caller that wants the page's maps, not its words."""
        page, seg = self._read_upright(image, "<memory>")
        turn = self._test_turn(image, page, seg) % 4
        if not turn:
            return seg, 0
        upright = self.segmenter(np.ascontiguousarray(np.rot90(image, turn)))
        return unturn_segmentation(upright, turn, image.shape[1], image.shape[0]), turn

    def _test_turn(self, image: np.ndarray, page: PageOutput, seg: SegOutput) -> int:
        """The turn that reads the page upright (0 where orientation testing is off)."""
        if not self.orientation:
            return 0
        return upright_turn(
            image,
            page.result.words,
            seg,
            self.segmenter,
            self.recognizer,
            self.orientation,
            half_turned_share(page.fused),
        )

    def _read_upright(self, image: np.ndarray, label: str) -> tuple[PageOutput, SegOutput]:
        """The whole reading of an image taken as upright, and the segmentation it came from."""
        seg = self.segmenter(image)
        polygons, readings = self.word_readings(image, seg)
        fused = fuse(seg.stroke, seg.classes, polygons, readings, self.fusion)
        words, lines, blocks = assign_layout([fw.word for fw in fused])
        order = {id(fw.word): fw for fw in fused}
        fused = [order[id(w)] for w in words]
        result = PageResult(
            image=label,
            width=image.shape[1],
            height=image.shape[0],
            words=words,
            lines=lines,
            blocks=blocks,
            word_masks=[fw.mask for fw in fused],
            word_mask_boxes=[fw.box for fw in fused],
        )
        words_mask = full_mask(fused, image.shape[:2])
        text_mask = words_mask | region_glyphs(seg.stroke, seg.polygons, self.fusion.stroke_threshold)
        return PageOutput(result, image, words_mask, text_mask, seg.classes, fused), seg

    def word_readings(self, image: np.ndarray, seg: SegOutput) -> tuple[list[tuple[np.ndarray, float]], list[Reading]]:
        """Each word's polygon (with its detection score) and reading, before fusion: the regions and
        stray glyphs read, plates read again, regions that read as several words cut at the spaces
        (those the reader saw and, with ``spaces``, the wide gaps of the stroke map it read past)."""
        regions, cut, readings = self._read_regions(image, seg)
        self._reread_plates(image, seg.classes, regions, cut, readings)
        words = self.recognizer.lexicon
        if self.spaces is not None and words is not None:  # without the dictionary a gap says too little
            readings = [
                with_ink_spaces(reading, rectify(seg.stroke, frame.quad)[0], words, self.spaces)
                if may_hold_run_together_words(reading.text, words)
                and polygon_class(seg.classes, polygon) != "plate"  # a plate's groups are one plate
                else reading
                for (polygon, _), (_, frame), reading in zip(regions, cut, readings, strict=True)
            ]
        return split_at_spaces(regions, readings, [frame for _, frame in cut])

    def _read_regions(
        self, image: np.ndarray, seg: SegOutput
    ) -> tuple[list[tuple[np.ndarray, float]], list[tuple[np.ndarray, CropFrame]], list[Reading]]:
        """Read the detected regions and what the stroke map adds (``postprocess.strokes``), all in
        one recognition batch: a lone glyph group is kept when read confidently; a word with glyphs
        beside it is read again with them and takes that reading when it is confident and adds to
        the first one (the "TEL" of "TEL:")."""
        regions = list(seg.polygons)
        found = stroke_words(seg.stroke, regions, self.stroke_words) if self.stroke_words else []
        lone = [(w.box, w.score) for w in found if w.neighbour is None]
        beside: dict[int, list[np.ndarray]] = {}
        for w in found:
            if w.neighbour is not None:
                beside.setdefault(w.neighbour, []).append(w.box)
        merged = [(i, (merged_box(regions[i][0], boxes), regions[i][1])) for i, boxes in beside.items()]
        every = regions + lone + [m for _, m in merged]
        cut = [rectify(image, polygon) for polygon, _ in every]
        words = [self._holds_words(seg.classes, polygon) for polygon, _ in every]
        readings = self.recognizer([crop for crop, _ in cut], lexicon=words) if cut else []
        first_merged = len(regions) + len(lone)
        for k, (i, region) in enumerate(merged):
            again = readings[first_merged + k]
            before = readings[i].text.strip()
            if again.score >= STROKE_WORD_MIN_SCORE and len(again.text) > len(before) and before in again.text:
                regions[i], cut[i], readings[i] = region, cut[first_merged + k], again
        first_lone = len(regions)
        confident = [
            k
            for k in range(len(lone))
            if readings[first_lone + k].text.strip() and readings[first_lone + k].score >= STROKE_WORD_MIN_SCORE
        ]
        picks = list(range(first_lone)) + [first_lone + k for k in confident]
        return regions + [lone[k] for k in confident], [cut[i] for i in picks], [readings[i] for i in picks]

    def _holds_words(self, class_map: np.ndarray, polygon: np.ndarray) -> bool:
        """Whether a region is read with the dictionary prior: not on plates (their strings are
        not words)."""
        return self.mode != "plate" and polygon_class(class_map, polygon) != "plate"

    def _reread_plates(
        self,
        image: np.ndarray,
        class_map: np.ndarray,
        polygons: list[tuple[np.ndarray, float]],
        cut: list[tuple[np.ndarray, CropFrame]],
        readings: list[Reading],
    ) -> None:
        """A plate region covers the whole plate (frame, state name, slogan), so the characters of
        a small plate end up tiny in its crop. Read each plate again from its crop and views of its
        middle band (the number) and take what they agree on, read as a plate (upper case, plate
        characters) unless the views agree on lower-case letters or a price's marks: then the class
        map has taken a word for a plate. Changes ``cut`` and ``readings`` in place."""
        for i, (polygon, _) in enumerate(polygons):
            if polygon_class(class_map, polygon) != "plate":
                continue
            views = [cut[i]] + [rectify(image, inner_quad(polygon, *trim)) for trim in PLATE_VIEWS]
            crops = [crop for crop, _ in views]
            reading, view = self.recognizer.consensus(crops)
            if reading.text and not any(ch.islower() or ch in NOT_ON_PLATES for ch in reading.text):
                reading, view = self.plate_recognizer.consensus(crops, self._plate_prior)
            if reading.text:
                cut[i], readings[i] = views[view], reading

    @cached_property
    def plate_recognizer(self) -> Recognizer:
        """Reads plate-class regions: the word reader without its dictionary unless given one."""
        return self._plate_reader or self.recognizer.without_lexicon()

    def _plate_prior(self, probs: np.ndarray) -> np.ndarray:
        return plate_probabilities(probs, self.plate_recognizer.charset, self.plate_prior)

    def with_mode(self, mode: str) -> Pipeline:
        """The same loaded models reading in another mode (a server's per-request choice)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        other = copy.copy(self)
        other.mode = mode
        return other

    def __call__(self, source: ImageSource, name: str | None = None) -> PageResult:
        """Read one image; the result alone."""
        return self.run(source, name).result


def _turned_back(page: PageOutput, turn: int, image: np.ndarray) -> PageOutput:
    """A reading of ``image`` turned by ``turn`` quarter turns, placed back on ``image``: polygons,
    word masks and maps in its pixels; lines and reading order stay those of the upright text."""
    height, width = image.shape[:2]
    result = page.result
    for word in result.words:  # the fused words hold these same objects
        word.polygon = unturn_points(word.points, turn, width, height).tolist()
    for fused in page.fused:
        fused.mask = unturn_map(fused.mask, turn)
        fused.box = unturn_box(fused.box, turn, width, height)
    result.word_masks = [fw.mask for fw in page.fused]
    result.word_mask_boxes = [fw.box for fw in page.fused]
    result.width, result.height, result.rotation = width, height, 90 * turn
    stroke_mask, text_mask, class_map = (
        unturn_map(a, turn) for a in (page.stroke_mask, page.text_mask, page.class_map)
    )
    return PageOutput(result, image, stroke_mask, text_mask, class_map, page.fused)


def plates(result: PageResult) -> list[dict]:
    """Plate strings (upper-case, no spaces) with their polygons, from words of class "plate"
    joined by line (a plate's characters are often detected as two or three groups)."""
    out = []
    for line in result.lines:
        words = [result.words[i] for i in line.words if result.words[i].cls == "plate"]
        if not words:
            continue
        text = normalize_plate("".join(w.text for w in words))
        if len(text) < 2:
            continue
        pts = np.concatenate([w.points for w in words])
        x0, y0 = pts.min(0)
        x1, y1 = pts.max(0)
        out.append(
            {
                "text": text,
                "score": float(np.mean([w.score for w in words])),
                "polygon": [
                    [float(x0), float(y0)],
                    [float(x1), float(y0)],
                    [float(x1), float(y1)],
                    [float(x0), float(y1)],
                ],
            }
        )
    return out


_DEFAULT: Pipeline | None = None


def read(source: ImageSource, **kwargs: Any) -> PageResult:
    """Read one image (path, bytes, numpy array or PIL image) with the shipped default models."""
    global _DEFAULT
    if kwargs:
        return Pipeline(**kwargs)(source)
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    return _DEFAULT(source)
