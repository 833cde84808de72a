"""Choose DB post-processing thresholds on the synthetic validation set: the network runs once
per image, then every threshold combination is scored on the stored maps."""

from __future__ import annotations

import itertools
from dataclasses import replace

from ocrnet.eval.metrics import evaluate_detection
from ocrnet.postprocess.db import DBParams, polygons_from_map
from ocrnet.predict.segmentation import Segmenter
from ocrnet.types import Annotation, Word


def tune_db(
    segmenter: Segmenter,
    samples: list[Annotation],
    binary=(0.2, 0.3, 0.4),
    box=(0.4, 0.5, 0.6, 0.7),
    unclip=(1.5, 1.8, 2.0, 2.2, 2.5),
) -> list[tuple[DBParams, dict[str, float]]]:
    """Every combination with its detection scores, best H-mean first."""
    maps = []
    for sample in samples:
        region = segmenter.maps(sample.image)["region"]
        maps.append((region, sample.image.shape[1] / region.shape[1], sample.image.shape[0] / region.shape[0]))
    results = []
    for b, x, u in itertools.product(binary, box, unclip):
        params = replace(segmenter.params, binary_threshold=b, box_threshold=x, unclip_ratio=u)
        dets = [
            [Word(polygon=p.tolist(), text="") for p, _ in polygons_from_map(r, params, (sx, sy))] for r, sx, sy in maps
        ]
        results.append((params, evaluate_detection([s.words for s in samples], dets).as_dict()))
    return sorted(results, key=lambda item: item[1]["hmean"], reverse=True)
