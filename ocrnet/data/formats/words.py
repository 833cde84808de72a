"""Word-crop sets: ``labels.tsv`` with ``relative/path.jpg<TAB>label`` lines."""

from __future__ import annotations

from pathlib import Path

from ocrnet.data.formats.common import require_dir
from ocrnet.types import CropSample


def read_word_crops(root: str | Path) -> list[CropSample]:
    """Word crops listed in ``labels.tsv`` (path, tab, text), case kept."""
    root = require_dir(Path(root))
    labels = root / "labels.tsv"
    if not labels.is_file():
        raise FileNotFoundError(f"{labels}: no labels.tsv in {root}")
    out = []
    for line in labels.read_text(encoding="utf-8-sig").splitlines():
        if "\t" not in line:
            continue
        rel, text = line.split("\t", 1)
        path = root / rel
        if path.is_file():
            out.append(CropSample(image_path=str(path), text=text, source=root.name))
    return out
