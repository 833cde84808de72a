"""Recognition crops from every source: synthetic folders, real crop sets, and words or lines cut
from fully annotated images. Crops are kept in memory at a small height: the real sets are small."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocrnet.charset import DEFAULT_CHARSET
from ocrnet.data.formats import load_dataset
from ocrnet.data.own import CROP_SET_FORMATS, OwnSet, own_split
from ocrnet.data.splits import crop_split, scene_split
from ocrnet.io import ImageLoadError, load_image
from ocrnet.postprocess.crops import reading_quad, rectify
from ocrnet.postprocess.plates import PLATE_VIEWS, inner_quad
from ocrnet.types import Annotation, CropSample

STORE_HEIGHT = 48

#: Seed of the fixed synthetic validation crops; training folders are rendered with other seeds.
CROP_VALIDATION_SEED = 999

#: Real crop sets under a data root (../shared/data), by reader format.
REAL_CROP_SETS = (("words/iiit5k_train", "words"), ("words/svt_train", "words"), ("plates_us/crops", "plate_crops"))
REAL_CUT_SETS = (("icdar2013_born_digital", "icdar2013"), ("sroie_dev", "sroie"), ("plates_us/scenes", "plates"))


def shrink(image: np.ndarray, height: int = STORE_HEIGHT) -> np.ndarray:
    """Scale a tall crop down to ``height`` (aspect kept); the reader sees height 32 anyway."""
    if image.shape[0] <= height:
        return image
    width = max(4, round(image.shape[1] * height / image.shape[0]))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def usable(text: str, charset: str = DEFAULT_CHARSET) -> bool:
    """Whether a label can be trained on: not empty, not don't-care, every character in the charset."""
    return bool(text.strip()) and text != "###" and all(ch in charset for ch in text)


def cut_words(
    annotation: Annotation, image: np.ndarray, pad: float = 0.08, charset: str = DEFAULT_CHARSET
) -> list[CropSample]:
    """Axis-aligned crops around each readable word (or line) polygon, padded by ``pad`` x height."""
    out = []
    for word in annotation.words:
        if word.ignore or not usable(word.text, charset):
            continue
        pts = word.points
        x0, y0 = pts.min(0)
        x1, y1 = pts.max(0)
        grow = pad * (y1 - y0)
        left, top = int(max(0, x0 - grow)), int(max(0, y0 - grow))
        right, bottom = int(min(image.shape[1], x1 + grow)), int(min(image.shape[0], y1 + grow))
        if right - left >= 4 and bottom - top >= 4:
            crop = shrink(image[top:bottom, left:right])
            out.append(
                CropSample(image_path=annotation.image_path, text=word.text, source=annotation.source, image=crop)
            )
    return out


def cut_scene_words(
    annotation: Annotation, rng: np.random.Generator, most: int = 16, charset: str = DEFAULT_CHARSET
) -> list[CropSample]:
    """Up to ``most`` readable words of a rendered scene, cut as the pipeline cuts a detected word
    (``rectify``), the corners moved by about a twentieth of the word's height and the margin varied
    as a detector's polygons vary: the small, blurred, turned words of whole pages and signs, which
    single rendered crops do not show the reader."""
    words = [w for w in annotation.words if not w.ignore and usable(w.text, charset)]
    picked = rng.permutation(len(words))[:most]
    out = []
    for index in picked:
        quad = reading_quad(words[index].points)
        height = float(np.linalg.norm(quad[3] - quad[0]))
        moved = quad + rng.normal(0.0, 0.05 * height, quad.shape).astype(np.float32)
        crop, _ = rectify(annotation.image, moved, margin=float(rng.uniform(0.0, 0.2)))
        out.append(CropSample(image_path=None, text=words[index].text, source="synth_scenes", image=shrink(crop)))
    return out


def cut_plate_numbers(annotation: Annotation, image: np.ndarray, charset: str = DEFAULT_CHARSET) -> list[CropSample]:
    """The number band of each labelled plate (a plate box holds frame, state and slogan too), cut
    by the pipeline's plate views (``PLATE_VIEWS``, ``inner_quad``), without the reading margin."""
    out = []
    for word in annotation.words:
        if word.ignore or not usable(word.text, charset):
            continue
        for trim in PLATE_VIEWS:
            band, _ = rectify(image, inner_quad(word.points, *trim), margin=0.0)
            out.append(
                CropSample(image_path=annotation.image_path, text=word.text, source="plate_scenes", image=shrink(band))
            )
    return out


def crops_of(
    items: list, fmt: str, split_of: Callable[[Any, int], str], split: str, charset: str = DEFAULT_CHARSET
) -> list[CropSample]:
    """Crops of the items whose ``split_of(item, index)`` is ``split``, loaded and shrunk: a crop
    set's own crops, an image set's words cut out (a plate scene's number bands); unreadable files
    and labels with characters outside ``charset`` are passed over."""
    out: list[CropSample] = []
    for index, item in enumerate(items):
        if split_of(item, index) != split:
            continue
        try:
            if fmt in CROP_SET_FORMATS:
                if usable(item.text, charset):
                    item.image = shrink(load_image(item.image_path))
                    out.append(item)
            elif fmt == "plates":
                out.extend(cut_plate_numbers(item, load_image(item.image_path), charset))
            else:
                out.extend(cut_words(item, load_image(item.image_path), charset=charset))
        except ImageLoadError:
            continue
    return out


def real_crops(data_root: str | Path, split: str) -> list[CropSample]:
    """Every real crop of ``split`` ("train" or "val") under ``data_root``, loaded and shrunk."""
    root = Path(data_root)
    out: list[CropSample] = []
    for rel, fmt in REAL_CROP_SETS + REAL_CUT_SETS:
        if (root / rel).is_dir():
            split_of = crop_split if fmt in CROP_SET_FORMATS else scene_split
            out += crops_of(load_dataset(root / rel, fmt), fmt, split_of, split)
    return out


def own_crops(sets: list[OwnSet], split: str, charset: str = DEFAULT_CHARSET) -> list[CropSample]:
    """The crops of ``split`` in your own sets (``--own``), each named by its set; labels with
    characters the reader lacks are left out, and said so (``train rec --add-chars`` adds them)."""
    out: list[CropSample] = []
    for own in sets:
        items = own.split(split)
        labels = [i.text for i in items] if own.crops else [w.text for i in items for w in i.words if not w.ignore]
        lacking = sorted({ch for text in labels for ch in text if ch not in charset})
        if lacking:
            left_out = sum(any(ch in lacking for ch in text) for text in labels)
            print(
                f"{own.name}: {left_out} of {len(labels)} {split} labels hold characters the reader lacks "
                f"({''.join(lacking)!r}) and are left out; train rec --add-chars adds them"
            )
        for crop in crops_of(own.items, own.fmt, own_split, split, charset):
            crop.source = own.name
            out.append(crop)
    return out


def synthetic_crops(folder: str | Path, limit: int | None = None) -> list[CropSample]:
    """Crops written by ``ocrnet synth --kind crop`` (``labels.tsv`` + ``crops/``), paths only."""
    folder = Path(folder)
    out = []
    for line in (folder / "labels.tsv").read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        rel, text = line.split("\t", 1)
        if usable(text):
            out.append(CropSample(image_path=str(folder / rel), text=text, source="synth"))
        if limit and len(out) >= limit:
            break
    return out


def synthetic_crop_validation(count: int = 500) -> list[CropSample]:
    """The fixed synthetic validation crops, rendered in memory: the same ``count`` every time."""
    from ocrnet.data.synth import generate_crop  # the renderer loads only where crops are rendered

    out = []
    for i in range(count):
        image, text = generate_crop((CROP_VALIDATION_SEED, i))
        out.append(CropSample(image_path=None, text=text, source="synth_val", image=image))
    return out
