"""`ocrnet synth --out`: render a data set to disk in parallel, with a progress bar.

Layout: ``images/NAME.jpg``, ``masks/NAME_stroke.png`` (0/255), ``masks/NAME_class.png`` (class
ids) and one ``annotations.jsonl`` (a line per image, DESIGN.md's word format plus lines and
blocks). Crops go to ``crops/NAME.jpg`` with ``labels.tsv``, the format ``read_word_crops`` reads;
kind ``scene-words`` renders scenes of every kind in turn and writes only their words, cut as the
pipeline cuts them (``crops/NAME_K.jpg``).
Each file is written atomically; a rerun skips the samples whose record already exists.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ocrnet.data.crops import cut_scene_words
from ocrnet.data.synth import KINDS, generate, generate_crop
from ocrnet.io import read_jsonl, save_image
from ocrnet.types import Annotation, CropSample

CROP = "crop"
SCENE_WORDS = "scene-words"
CROP_KINDS = (CROP, SCENE_WORDS)


def _crop_path(kind: str, index: int, word: int = 0) -> str:
    """Where a crop kind's sample writes its crop (``scene-words``: the scene's ``word``-th); the
    first one's label line says the sample was written."""
    return f"crops/{kind}_{index:06d}.jpg" if kind == CROP else f"crops/{kind}_{index:06d}_{word:02d}.jpg"


def render(kind: str, seed: int, index: int, size: int, strength: float = 1.0) -> Annotation | list[CropSample]:
    """One sample in memory: a scene, or the crops a crop kind makes of it (one for ``crop``)."""
    if kind == CROP:
        image, text = generate_crop((seed, index), strength)
        return [CropSample(image_path=None, text=text, source="synth", image=image)]
    if kind == SCENE_WORDS:
        scene = generate(KINDS[index % len(KINDS)], (seed, index), size=(size, size), strength=strength)
        return cut_scene_words(scene, np.random.default_rng((seed, index, 1)))
    return generate(kind, (seed, index), size=(size, size), strength=strength)


def _render(job: tuple[str, int, int, int, float, str]) -> dict | list[tuple[str, str]]:
    kind, seed, index, size, strength, out = job
    root = Path(out)
    name = f"{kind}_{index:06d}"
    sample = render(kind, seed, index, size, strength)
    if isinstance(sample, list):
        labels = [(_crop_path(kind, index, k), crop.text) for k, crop in enumerate(sample)]
        for (rel, _), crop in zip(labels, sample, strict=True):
            save_image(root / rel, crop.image, quality=95)
        return labels
    save_image(root / "images" / f"{name}.jpg", sample.image, quality=92)
    save_image(root / "masks" / f"{name}_stroke.png", sample.stroke_mask * 255)
    save_image(root / "masks" / f"{name}_class.png", sample.class_map)
    record = sample.to_dict()
    record["image"] = f"images/{name}.jpg"
    record["stroke_mask"] = f"masks/{name}_stroke.png"
    record["class_map"] = f"masks/{name}_class.png"
    return record


def write_dataset(
    kinds: list[str],
    count: int,
    out: str | Path,
    workers: int = 1,
    seed: int = 0,
    size: int = 640,
    strength: float = 1.0,
) -> int:
    """Render ``count`` samples cycling through ``kinds``; returns how many were newly written."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    ann_path, tsv_path = root / "annotations.jsonl", root / "labels.tsv"
    done = {r["image"] for r in read_jsonl(ann_path)} if ann_path.exists() else set()
    if tsv_path.exists():
        done |= {line.split("\t", 1)[0] for line in tsv_path.read_text(encoding="utf-8").splitlines()}
    jobs = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        target = _crop_path(kind, index) if kind in CROP_KINDS else f"images/{kind}_{index:06d}.jpg"
        if target not in done:
            jobs.append((kind, seed, index, size, strength, str(root)))
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        Progress(*columns) as progress,
        open(ann_path, "a", encoding="utf-8") as ann,
        open(tsv_path, "a", encoding="utf-8") as tsv,
        ExitStack() as stack,
    ):
        task = progress.add_task("synth", total=len(jobs))
        if workers <= 1:
            results = map(_render, jobs)
        else:
            results = stack.enter_context(ProcessPoolExecutor(workers)).map(_render, jobs, chunksize=4)
        for result in results:
            if isinstance(result, list):
                tsv.writelines(f"{path}\t{text}\n" for path, text in result)
                tsv.flush()
            else:
                ann.write(json.dumps(result, ensure_ascii=False) + "\n")
                ann.flush()
            progress.advance(task)
    return len(jobs)
