"""FUNSD forms with per-pixel entity masks: 0 background, 1 answer, 2 question, 3 header, 4 other.

There are no word boxes, only a class map: answers and questions become "paragraph", headers
"heading" and other text "other", so the class head can learn document structure from real scans.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ocrnet.data.formats.common import find_image, image_size, require_dir
from ocrnet.types import CLASS_ID, Annotation

FUNSD_TO_CLASS = np.array(
    [CLASS_ID["background"], CLASS_ID["paragraph"], CLASS_ID["paragraph"], CLASS_ID["heading"], CLASS_ID["other"]],
    np.uint8,
)


def read_funsd(root: str | Path) -> list[Annotation]:
    """FUNSD form pages with their layout class maps (no words: only the class head learns from them)."""
    root = require_dir(Path(root))
    out = []
    for split_dir in sorted((root / "Labels").iterdir()) if (root / "Labels").is_dir() else []:
        for label in sorted(split_dir.glob("*.png")):
            image = find_image(root / "Images" / split_dir.name, label.stem)
            if image is None:
                continue
            width, height = image_size(image)
            out.append(
                Annotation(
                    image_path=str(image),
                    width=width,
                    height=height,
                    source="funsd",
                    level="classes",
                    class_map_path=str(label),
                )
            )
    return out


def load_funsd_classes(label_path: str | Path) -> np.ndarray:
    """The label PNG mapped to the project's class ids."""
    from PIL import Image

    codes = np.asarray(Image.open(label_path))
    return FUNSD_TO_CLASS[np.clip(codes, 0, len(FUNSD_TO_CLASS) - 1)]
