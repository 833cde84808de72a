"""The one object that runs the whole flow: decode -> segment -> polygons -> crops -> recognise
-> fuse -> layout. ``ocrnet.read`` wraps a default instance."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ocrnet.fusion import FusedWord, FusionParams, full_mask, fuse, split_at_spaces
from ocrnet.io import ImageLoadError, ImageSource, load_image
from ocrnet.layout import assign_layout
from ocrnet.postprocess.crops import rectify
from ocrnet.predict.recognition import Recognizer
from ocrnet.predict.segmentation import Segmenter
from ocrnet.types import PageResult, display_name

MODES = ("auto", "scene", "plate", "sign", "document")


@dataclass
class PageOutput:
    """A result with the arrays the image outputs need (masks, class map)."""

    result: PageResult
    image: np.ndarray
    stroke_mask: np.ndarray  # bool, all words' glyphs
    class_map: np.ndarray
    fused: list[FusedWord] = field(default_factory=list)


def normalize_plate(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


class Pipeline:
    def __init__(
        self,
        segmenter: Segmenter | None = None,
        recognizer: Recognizer | None = None,
        fusion: FusionParams | None = None,
        mode: str = "auto",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        self.segmenter = segmenter or Segmenter()
        self.recognizer = recognizer or Recognizer.default()
        self.fusion = fusion or FusionParams()
        self.mode = mode

    def run(self, source: ImageSource, name: str | None = None) -> PageOutput:
        start = time.perf_counter()
        label = name or (display_name(source) if isinstance(source, str | Path) else "<memory>")
        image = load_image(source, name=label)
        seg = self.segmenter(image)
        cut = [rectify(image, polygon) for polygon, _ in seg.polygons]
        readings = self.recognizer([crop for crop, _ in cut]) if cut else []
        polygons, readings = split_at_spaces(seg.polygons, readings, [frame for _, frame in cut])
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
        result.seconds = time.perf_counter() - start
        return PageOutput(result, image, full_mask(fused, image.shape[:2]), seg.classes, fused)

    def __call__(self, source: ImageSource, name: str | None = None) -> PageResult:
        return self.run(source, name).result

    def run_many(self, sources: Iterable[ImageSource]) -> Iterator[tuple[ImageSource, PageOutput | ImageLoadError]]:
        """Results in input order; a bad input yields its error and the batch goes on."""
        for source in sources:
            try:
                yield source, self.run(source)
            except ImageLoadError as exc:
                yield source, exc


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


def read(source: ImageSource, **kwargs) -> PageResult:
    """Read one image (path, bytes, numpy array or PIL image) with the shipped default models."""
    global _DEFAULT
    if kwargs:
        return Pipeline(**kwargs)(source)
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    return _DEFAULT(source)
