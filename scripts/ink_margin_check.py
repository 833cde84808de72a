"""How fitting word quads to their ink (``FusionParams.ink_margin``) moves detection and end-to-end
H: each image is segmented and read once, then fused at every margin. Chosen on ICDAR 2013's
training split and the synthetic tuning scenes (seed 1001); docs/reading.md quotes its figures.

Usage: python scripts/ink_margin_check.py [DATA_ROOT] [--synth N] [--split train]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from rich.progress import track

from ocrnet.data.formats import load_dataset
from ocrnet.data.splits import scene_split, select
from ocrnet.eval.metrics import evaluate_detection
from ocrnet.fusion import fuse
from ocrnet.io import load_image
from ocrnet.pipeline import Pipeline
from ocrnet.train.seg import TUNING_SEED, synthetic_validation
from ocrnet.types import Annotation, Word

MARGINS = (None, 0.0, 0.1, 0.15)


def fused_words(pipeline: Pipeline, samples: list[Annotation]) -> dict[float | None, list[list[Word]]]:
    """Every sample's words at every margin (upright pages: no orientation test)."""
    words: dict[float | None, list[list[Word]]] = {margin: [] for margin in MARGINS}
    for sample in track(samples):
        image = sample.image if sample.image is not None else load_image(sample.image_path)
        seg = pipeline.segmenter(image)
        polygons, readings = pipeline.word_readings(image, seg)
        for margin in MARGINS:
            fused = fuse(seg.stroke, seg.classes, polygons, readings, replace(pipeline.fusion, ink_margin=margin))
            words[margin].append([fw.word for fw in fused])
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("../shared/data"))
    parser.add_argument("--synth", type=int, default=100, help="synthetic tuning scenes")
    parser.add_argument("--split", default="train", help="ICDAR 2013 split: train, val or all")
    args = parser.parse_args()
    sets = {
        "synthetic tuning": synthetic_validation(args.synth, seed=TUNING_SEED),
        f"icdar2013 {args.split}": select(
            load_dataset(args.root / "icdar2013_born_digital", "icdar2013"), args.split, scene_split
        ),
    }
    pipeline = Pipeline(orientation=None)
    for name, samples in sets.items():
        truth = [sample.words for sample in samples]
        for margin, words in fused_words(pipeline, samples).items():
            det = evaluate_detection(truth, words).as_dict()
            e2e = evaluate_detection(truth, words, end_to_end=True).as_dict()
            print(
                f"{name}: margin {margin}: detection P/R/H {det['precision']:.4f} / {det['recall']:.4f} / "
                f"{det['hmean']:.4f}, end-to-end H {e2e['hmean']:.4f}"
            )


if __name__ == "__main__":
    main()
