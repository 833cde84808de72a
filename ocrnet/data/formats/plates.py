"""Licence plates: scene photos labelling only the plate box, and plate crops with their string."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ocrnet.data.formats.common import image_size, rect, require_dir
from ocrnet.types import Annotation, CropSample, Word


def read_plate_scenes(root: str | Path) -> list[Annotation]:
    """Each ``NAME.txt`` holds ``NAME.jpg<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE``. Only the plate is
    labelled, so ``labelled`` stays None here and ``level`` says "plate": training masks the loss
    outside the plate box itself (see ``partial_label_mask``)."""
    root = require_dir(Path(root))
    out = []
    for txt in sorted(root.glob("*.txt")):
        words = []
        image = None
        for line in txt.read_text(encoding="utf-8-sig").splitlines():
            parts = line.strip().split("\t")
            if len(parts) < 6:
                continue
            image = root / parts[0]
            x, y, w, h = (float(v) for v in parts[1:5])
            words.append(Word(polygon=rect(x, y, x + w, y + h), text=parts[5].strip(), cls="plate"))
        if image is None or not image.is_file():
            continue
        width, height = image_size(image)
        out.append(
            Annotation(image_path=str(image), width=width, height=height, words=words, source="plates", level="plate")
        )
    return out


def partial_label_mask(annotation: Annotation, margin: float = 1.0) -> np.ndarray:
    """Pixels whose labels are known in a partly labelled image: each labelled box grown by
    ``margin`` times its height (the plate and its immediate surround, which holds no other text)."""
    mask = np.zeros((annotation.height, annotation.width), bool)
    for word in annotation.words:
        pts = word.points
        x0, y0 = pts.min(0)
        x1, y1 = pts.max(0)
        grow = margin * (y1 - y0)
        mask[max(int(y0 - grow), 0) : int(y1 + grow) + 1, max(int(x0 - grow), 0) : int(x1 + grow) + 1] = True
    return mask


def read_plate_crops(root: str | Path) -> list[CropSample]:
    """``groundtruth.csv`` rows ``file,state,PLATE`` with images in ``usimages/``."""
    root = require_dir(Path(root))
    images = root / "usimages" if (root / "usimages").is_dir() else root
    out = []
    with open(root / "groundtruth.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 3 or row[0] == "file":
                continue
            path = images / row[0]
            if path.is_file():
                out.append(CropSample(image_path=str(path), text=row[2].strip(), source="plate_crops"))
    return out
