"""`ocrnet synth --preview`: a grid of samples with polygons, glyph masks and classes overlaid."""

from __future__ import annotations

import numpy as np

from ocrnet.data.synth import KINDS, generate
from ocrnet.viz.draw import draw_words, grid, legend, mask_panel


def preview(seed: int = 0, per_kind: int = 2, kinds: tuple[str, ...] = KINDS, size: int = 512) -> np.ndarray:
    """Each tile: the image with labelled polygons beside its class map with the stroke mask in white."""
    tiles = []
    for kind in kinds:
        for index in range(per_kind):
            sample = generate(kind, (seed, KINDS.index(kind), index), size=(size, size))
            left = draw_words(sample.image, sample.words)
            right = mask_panel(sample.stroke_mask, sample.class_map, (size, size))
            tiles.append(np.concatenate([left, right], axis=1))
    image = grid(tiles, columns=2)
    return np.concatenate([image, legend(image.shape[1])], axis=0)
