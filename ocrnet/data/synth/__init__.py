"""The synthetic scene-text engine: exact images, stroke masks, polygons, lines, blocks, classes.

``generate(kind, seed)`` renders one scene; ``generate_crop(seed)`` one recognition crop. The
same seed always gives the same sample (fonts are sorted by path, every draw uses one generator).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocrnet.data.synth.effects import degrade
from ocrnet.data.synth.fonts import discover_fonts
from ocrnet.data.synth.scenes import COMPOSERS
from ocrnet.data.synth.text import TextSource
from ocrnet.data.synth.toolkit import Toolkit
from ocrnet.data.synth.wordcrops import word_crop
from ocrnet.types import Annotation

KINDS: tuple[str, ...] = tuple(COMPOSERS)

_TEXT: TextSource | None = None

#: A word whose glyphs are smeared over more than this share of its height cannot be read (strokes
#: and the gaps between them are a fraction of the height) and becomes a don't-care region.
ILLEGIBLE_SMEAR = 0.5


def word_height(points: np.ndarray) -> float:
    """The short side of a word polygon's rotated bounding box: its height whatever its angle."""
    return float(min(cv2.minAreaRect(np.asarray(points, np.float32))[1]))


def toolkit(seed: int | tuple[int, ...], font_dirs: tuple[str, ...] = ()) -> Toolkit:
    """Random source, fonts and text for one rendering; the text source is loaded once per process."""
    global _TEXT
    if _TEXT is None:
        _TEXT = TextSource()
    return Toolkit(rng=np.random.default_rng(seed), fonts=discover_fonts(font_dirs), text=_TEXT)


def generate(
    kind: str,
    seed: int | tuple[int, ...],
    size: tuple[int, int] = (640, 640),
    strength: float = 1.0,
    font_dirs: tuple[str, ...] = (),
) -> Annotation:
    """Render one scene of ``kind`` at ``size`` (height, width) with degradation ``strength``."""
    if kind not in COMPOSERS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    kit = toolkit(seed, font_dirs)
    height, width = size
    canvas = COMPOSERS[kind](kit, height, width)
    image, smear = degrade(kit.rng, canvas.rgb_uint8(), strength)
    for word in canvas.words:
        if smear > ILLEGIBLE_SMEAR * word_height(word.points):
            word.ignore = True  # blurred past reading: "don't care", as ICDAR marks such words
    return Annotation(
        image_path=None,
        width=width,
        height=height,
        words=canvas.words,
        source=f"synth/{kind}",
        image=image,
        stroke_mask=canvas.stroke_mask(),
        class_map=canvas.classes,
        lines=canvas.lines,
        blocks=[b for b in canvas.blocks],
    )


def generate_crop(
    seed: int | tuple[int, ...], strength: float = 1.0, font_dirs: tuple[str, ...] = ()
) -> tuple[np.ndarray, str]:
    """One word/line crop (RGB uint8) and its transcription."""
    return word_crop(toolkit(seed, font_dirs), strength)
