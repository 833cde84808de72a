"""`ocrnet bench`: how long reading takes, per stage and per image size, and how much memory."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ocrnet.data.synth import generate


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)


def _stats(times: list[float]) -> dict[str, float]:
    return {"median_s": float(np.median(times)), "p90_s": float(np.percentile(times, 90)), "runs": len(times)}


def test_images(height: int, width: int, count: int) -> list[np.ndarray]:
    """Busy synthetic scenes (kinds in turn) rendered at the benchmark size."""
    kinds = ("scene", "sign", "document", "plate", "receipt")
    return [generate(kinds[i % len(kinds)], (4242, i), size=(height, width)).image for i in range(count)]


def run_bench(
    sizes: list[tuple[int, int]],
    repeats: int = 10,
    threads: int | None = None,
    seg_weights: Path | None = None,
    rec_weights: Path | None = None,
) -> dict[str, Any]:
    """Median seconds of segmentation, reading and the whole pipeline per image size, and peak memory;
    ``seg_weights`` / ``rec_weights``: time checkpoints of your own in place of the shipped ones."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    from ocrnet.engines.ocrnet_engine import OCRNetEngine
    from ocrnet.postprocess.crops import rectify

    start = time.perf_counter()
    pipeline = OCRNetEngine(seg_weights=seg_weights, rec_weights=rec_weights).pipeline
    report: dict[str, Any] = {
        "weights": {"segmenter": str(seg_weights or "shipped"), "recogniser": str(rec_weights or "shipped")},
        "parameters": {
            "segmenter": sum(p.numel() for p in pipeline.segmenter.model.parameters()),
            "recogniser": sum(p.numel() for p in pipeline.recognizer.model.parameters()),
        },
        "load_s": time.perf_counter() - start,
        "threads": torch.get_num_threads(),
        "sizes": {},
    }
    for height, width in sizes:
        images = test_images(height, width, repeats)
        pipeline(images[0])  # warm-up: first call allocates
        read_t, seg_t, rec_t, words = [], [], [], []
        for image in images:
            t0 = time.perf_counter()
            seg = pipeline.segmenter(image)
            t1 = time.perf_counter()
            crops = [rectify(image, p)[0] for p, _ in seg.polygons]
            pipeline.recognizer(crops) if crops else None
            t2 = time.perf_counter()
            result = pipeline(image)
            t3 = time.perf_counter()
            seg_t.append(t1 - t0)
            rec_t.append(t2 - t1)
            read_t.append(t3 - t2)
            words.append(len(result.words))
        batch_start = time.perf_counter()
        for image in images:
            pipeline(image)
        batch_rate = len(images) / (time.perf_counter() - batch_start)
        report["sizes"][f"{width}x{height}"] = {
            "read": _stats(read_t),
            "segmentation+postprocess": _stats(seg_t),
            "crops+recognition": _stats(rec_t),
            "words_per_image": float(np.mean(words)),
            "images_per_second": batch_rate,
        }
    crops = [np.full((32, 32 * (1 + i % 6), 3), 255, np.uint8) for i in range(256)]
    pipeline.recognizer(crops[:8], retry=False)
    t0 = time.perf_counter()
    pipeline.recognizer(crops, retry=False)
    report["recognizer_crops_per_second"] = len(crops) / (time.perf_counter() - t0)
    singles = []
    for crop in crops[:20]:
        t0 = time.perf_counter()
        pipeline.recognizer([crop], retry=False)
        singles.append(time.perf_counter() - t0)
    report["recognizer_single_crop"] = _stats(singles)
    report["peak_memory_mb"] = peak_memory_mb()
    return report
