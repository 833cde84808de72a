"""Choose DB post-processing thresholds: the network runs once per image, then every threshold
combination is scored on the stored maps. Several sets (synthetic validation, the training split
of a real set) are ranked by their mean H-mean, so thresholds do not fit one kind of image only."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ocrnet.eval.metrics import evaluate_detection
from ocrnet.io import load_image
from ocrnet.postprocess.db import DBParams
from ocrnet.predict.segmentation import Segmenter, map_polygons
from ocrnet.types import Annotation, Word


def _maps(segmenter: Segmenter, samples: list[Annotation]) -> list[tuple[dict[str, np.ndarray], int, int]]:
    """Each image's region and class maps (what ``map_polygons`` reads; the stroke map is not
    kept, every image's maps stay in memory for the whole grid) and its size."""
    out = []
    for sample in samples:
        image = sample.image if sample.image is not None else load_image(sample.image_path)
        maps = segmenter.maps(image)
        out.append(({"region": maps["region"], "classes": maps["classes"]}, image.shape[0], image.shape[1]))
    return out


def tune_db(
    segmenter: Segmenter,
    sets: dict[str, list[Annotation]],
    binary: Sequence[float] = (0.2, 0.3, 0.4),
    box: Sequence[float] = (0.4, 0.5, 0.6, 0.7),
    unclip: Sequence[float] = (1.5, 1.8, 2.0, 2.2, 2.5),
) -> list[tuple[DBParams, dict[str, dict[str, float]], float]]:
    """Every combination with its detection scores per set and their mean H-mean, best first."""
    stored = {name: _maps(segmenter, samples) for name, samples in sets.items()}
    results = []
    for b, x, u in itertools.product(binary, box, unclip):
        params = replace(segmenter.params, binary_threshold=b, box_threshold=x, unclip_ratio=u)
        scores = {}
        for name, samples in sets.items():
            dets = [
                [Word(polygon=p.tolist(), text="") for p, _ in map_polygons(maps, h, w, params)]
                for maps, h, w in stored[name]
            ]
            scores[name] = evaluate_detection([s.words for s in samples], dets).as_dict()
        results.append((params, scores, float(np.mean([s["hmean"] for s in scores.values()]))))
    return sorted(results, key=lambda item: item[2], reverse=True)
