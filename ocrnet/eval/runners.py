"""Run an engine over a data set and measure it: the code behind `ocrnet eval` and `ocrnet compare`."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import track

from ocrnet.charset import normalize_36
from ocrnet.data.crops import synthetic_crop_validation
from ocrnet.data.formats import load_dataset
from ocrnet.data.own import own_split
from ocrnet.data.splits import VAL, crop_split, scene_split, select
from ocrnet.engines.base import Engine
from ocrnet.eval.metrics import (
    bag_of_words_f1,
    character_error_rate,
    evaluate_detection,
    one_minus_ned,
    word_accuracy,
)
from ocrnet.io import ImageLoadError, load_image
from ocrnet.orientation import unturn_points
from ocrnet.pipeline import normalize_plate
from ocrnet.types import Annotation, Word

FORMATS = ("icdar2015", "icdar2013", "words", "plates", "sroie", "synth", "synth-words")
#: Formats whose items are word crops (read, not searched for).
CROP_FORMATS = ("words", "synth-words")
#: Formats rendered in memory from a fixed seed: no data folder.
RENDERED_FORMATS = ("synth", "synth-words")
#: Real images with words to find: the formats ``run_eval`` can turn.
SCENE_FORMATS = ("icdar2015", "icdar2013", "plates", "sroie")


def _timed_read(engine: Engine, image: np.ndarray) -> tuple[list[Word], float]:
    start = time.perf_counter()
    words = engine.read(image)
    return words, time.perf_counter() - start


def _scene(annotation: Annotation, turn: int = 0) -> tuple[np.ndarray, list[Word]]:
    """An item's image and true words, both turned ``turn`` quarter turns counter-clockwise: how well
    an engine reads pages photographed sideways or upside down, against the same truth."""
    image = annotation.image if annotation.image is not None else load_image(annotation.image_path)
    if not turn:
        return image, annotation.words
    image = np.ascontiguousarray(np.rot90(image, turn))
    height, width = image.shape[:2]
    back = (4 - turn) % 4  # the page as labelled is the turned one turned back
    return image, [replace(w, polygon=unturn_points(w.points, back, width, height).tolist()) for w in annotation.words]


def eval_scenes(
    engine: Engine, annotations: list[Annotation], predictions: list[dict], turn: int = 0
) -> dict[str, Any]:
    """Detection, end-to-end and bag-of-words figures of an engine over scene images."""
    gts, dets, seconds = [], [], []
    pred_tokens, gt_tokens = [], []
    for ann in track(annotations, description=f"{engine.name}: images"):
        try:
            image, truth = _scene(ann, turn)
        except ImageLoadError as exc:
            predictions.append({"image": ann.image_path, "error": str(exc)})
            continue
        words, elapsed = _timed_read(engine, image)
        seconds.append(elapsed)
        gts.append(truth)
        dets.append(words)
        pred_tokens += [t for w in words for t in w.text.split()]
        gt_tokens += [t for w in truth if not w.ignore for t in w.text.split()]
        predictions.append(
            {"image": ann.image_path, "seconds": round(elapsed, 4), "words": [w.to_dict() for w in words]}
        )
    detection = evaluate_detection(gts, dets).as_dict()
    end_to_end = evaluate_detection(gts, dets, end_to_end=True).as_dict()
    return {
        "images": len(gts),
        "unreadable": len(annotations) - len(gts),
        "detection": detection,
        "end_to_end": end_to_end,
        "bag_of_words": bag_of_words_f1(pred_tokens, gt_tokens),
        "seconds_median": float(np.median(seconds)) if seconds else None,
    }


def eval_plates(
    engine: Engine, annotations: list[Annotation], predictions: list[dict], turn: int = 0
) -> dict[str, Any]:
    """A plate is read when a predicted line overlapping its box reads, normalised, exactly as it."""
    read, found, total, seconds = 0, 0, 0, []
    for ann in track(annotations, description=f"{engine.name}: plates"):
        image, truth = _scene(ann, turn)
        words, elapsed = _timed_read(engine, image)
        seconds.append(elapsed)
        texts = []
        for gt in truth:
            total += 1
            x0, y0 = gt.points.min(0)
            x1, y1 = gt.points.max(0)
            near = [w for w in words if _overlaps(w.points, (x0, y0, x1, y1))]
            candidates = {normalize_plate(w.text) for w in near}
            near.sort(key=lambda w: float(w.points[:, 0].min()))
            candidates.add(normalize_plate("".join(w.text for w in near)))
            found += bool(near)
            hit = normalize_plate(gt.text) in candidates
            read += hit
            texts.append({"gt": gt.text, "candidates": sorted(candidates), "hit": hit})
        predictions.append({"image": ann.image_path, "plates": texts, "seconds": round(elapsed, 4)})
    return {
        "plates": total,
        "plate_accuracy": read / max(total, 1),
        "plate_found": found / max(total, 1),
        "seconds_median": float(np.median(seconds)) if seconds else None,
    }


def _overlaps(points: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    x0, y0 = points.min(0)
    x1, y1 = points.max(0)
    iw = min(x1, box[2]) - max(x0, box[0])
    ih = min(y1, box[3]) - max(y0, box[1])
    return iw > 0 and ih > 0 and iw * ih > 0.3 * (x1 - x0) * (y1 - y0)


def eval_sroie(engine: Engine, annotations: list[Annotation], predictions: list[dict], turn: int = 0) -> dict[str, Any]:
    """Whitespace-token F1 against the line transcriptions (gluing words together costs here)."""
    report = eval_scenes(engine, annotations, predictions, turn)
    return {"images": report["images"], "token_f1": report["bag_of_words"], "seconds_median": report["seconds_median"]}


def eval_words(engine: Engine, crops: list, predictions: list[dict], batch: int = 64) -> dict[str, Any]:
    """Word accuracy, 1-NED and CER of an engine over crops (unreadable files reported, not fatal)."""
    images, gts, kept = [], [], []
    for crop in crops:
        try:
            images.append(crop.image if crop.image is not None else load_image(crop.image_path))
        except ImageLoadError as exc:
            predictions.append({"image": crop.image_path, "error": str(exc)})
            continue
        gts.append(crop.text)
        kept.append(crop)
    start = time.perf_counter()
    results = []
    for i in track(range(0, len(images), batch), description=f"{engine.name}: crops"):
        results += engine.recognize(images[i : i + batch])
    elapsed = time.perf_counter() - start
    preds = [t for t, _ in results]
    scores = np.array([s for _, s in results])
    correct = np.array([normalize_36(p) == normalize_36(g) for p, g in zip(preds, gts, strict=True)])
    # a score is the chance the text is exactly right (what calibrate fits), so it is checked on exact matches
    table = calibration_table(scores, np.array([p == g for p, g in zip(preds, gts, strict=True)]))
    for crop, (text, score), ok in zip(kept, results, correct, strict=True):
        predictions.append(
            {"image": crop.image_path, "gt": crop.text, "text": text, "score": round(score, 4), "correct": bool(ok)}
        )
    return {
        "crops": len(gts),
        "unreadable": len(crops) - len(gts),
        "accuracy": word_accuracy(preds, gts),
        "accuracy_case_sensitive": word_accuracy(preds, gts, case_sensitive=True),
        "one_minus_ned": one_minus_ned(preds, gts),
        "cer": character_error_rate(preds, gts),
        "calibration": table,
        "calibration_error": expected_calibration_error(table),
        "crops_per_second": len(gts) / elapsed if elapsed else None,
    }


def expected_calibration_error(table: list[dict[str, float]]) -> float | None:
    """The gap between score and accuracy, averaged over the deciles by their counts."""
    total = sum(row["count"] for row in table)
    return sum(row["count"] * abs(row["mean_score"] - row["accuracy"]) for row in table) / total if total else None


def calibration_table(scores: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Accuracy of the words in each confidence decile (equal-count bins)."""
    if len(scores) == 0:
        return []
    order = np.argsort(scores)
    out = []
    for chunk in np.array_split(order, min(bins, len(order))):
        out.append(
            {
                "score_low": float(scores[chunk].min()),
                "score_high": float(scores[chunk].max()),
                "mean_score": float(scores[chunk].mean()),
                "accuracy": float(correct[chunk].mean()),
                "count": len(chunk),
            }
        )
    return out


def eval_synth(engine: Engine, count: int, predictions: list[dict]) -> dict[str, Any]:
    """The fixed synthetic validation set (seed 1000, every kind); stroke IoU for OCRNet."""
    from ocrnet.train.seg import evaluate_segmenter, synthetic_validation

    samples = synthetic_validation(count)
    report = eval_scenes(engine, samples, predictions)
    pipeline = getattr(engine, "pipeline", None)
    segmenter = getattr(engine, "segmenter", None) or (pipeline.segmenter if pipeline is not None else None)
    if segmenter is not None:
        scores = evaluate_segmenter(segmenter, samples)
        report["stroke_iou"], report["stroke_f"] = scores["stroke_iou"], scores["stroke_f"]
    return report


def _require_items(items: list, fmt: str, path: Path | None, split: str) -> None:
    """An empty selection would score a perfect 1.0 (nothing missed, nothing wrong): refuse it."""
    if not items:
        raise ValueError(f"{path}: no {fmt} items in split {split!r} (a wrong folder, format or split?)")


def run_eval(
    engine: Engine,
    fmt: str,
    path: Path | None,
    split: str = VAL,
    limit: int | None = None,
    synth_count: int = 500,
    turn: int = 0,
    own: bool = False,
) -> tuple[dict[str, Any], list[dict]]:
    """The report and per-item predictions of one engine on one set, held-out split by default;
    ``turn``: real scene images turned that many quarter turns counter-clockwise first; ``own``: the
    folder is one of your own, split as ``train --own`` splits it (one item in ten held out)."""
    if turn % 4 and fmt not in SCENE_FORMATS:
        raise ValueError(f"turning applies to the real scene formats ({', '.join(SCENE_FORMATS)}), not {fmt}")
    predictions: list[dict] = []
    if fmt == "synth":
        report = eval_synth(engine, synth_count, predictions)
    elif fmt == "synth-words":
        report = eval_words(engine, synthetic_crop_validation(synth_count), predictions)
    elif fmt == "words":
        crops = select(load_dataset(path), split, own_split if own else crop_split)[:limit]
        _require_items(crops, fmt, path, split)
        report = eval_words(engine, crops, predictions)
    else:
        reader = {"icdar2015": "icdar2015", "icdar2013": "icdar2013", "plates": "plates", "sroie": "sroie"}[fmt]
        annotations = select(load_dataset(path, reader), split, own_split if own else scene_split)[:limit]
        _require_items(annotations, fmt, path, split)
        runner = {"plates": eval_plates, "sroie": eval_sroie}.get(fmt, eval_scenes)
        report = runner(engine, annotations, predictions, turn % 4)
    report.update({"engine": engine.name, "format": fmt, "path": str(path) if path else None, "split": split})
    if own:
        report["own"] = True
    if turn % 4:
        report["turned_degrees"] = 90 * (turn % 4)
    return report, predictions


def save_report(report: dict[str, Any], predictions: list[dict], out: Path) -> None:
    """``report.json`` and ``predictions.jsonl`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2))
    with open(out / "predictions.jsonl", "w", encoding="utf-8") as handle:
        for record in predictions:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
