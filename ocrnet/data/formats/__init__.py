"""Readers that turn real data sets into the project's annotation types.

Every reader takes a folder (paths are arguments, never built in) and returns a list of
``Annotation`` (full images with words) or ``CropSample`` (word crops). ``READERS`` maps the
format names used by the command line to them; ``detect_format`` guesses one from a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ocrnet.data.formats.funsd import read_funsd
from ocrnet.data.formats.icdar import read_icdar2013, read_icdar2015
from ocrnet.data.formats.plates import read_plate_crops, read_plate_scenes
from ocrnet.data.formats.receipts import read_sroie
from ocrnet.data.formats.words import read_word_crops
from ocrnet.types import Annotation, CropSample

READERS: dict[str, Callable[[str | Path], list[Annotation] | list[CropSample]]] = {
    "icdar2015": read_icdar2015,
    "icdar2013": read_icdar2013,
    "words": read_word_crops,
    "plates": read_plate_scenes,
    "plate_crops": read_plate_crops,
    "sroie": read_sroie,
    "funsd": read_funsd,
}


def detect_format(root: str | Path) -> str:
    """Guess a folder's format from the files it holds."""
    root = Path(root)
    if (root / "labels.tsv").is_file():
        return "words"
    if (root / "groundtruth.csv").is_file():
        return "plate_crops"
    if (root / "box").is_dir():
        return "sroie"
    if (root / "Labels").is_dir():
        return "funsd"
    gts = sorted((root / "gt").glob("*.txt")) if (root / "gt").is_dir() else []
    if gts:
        first = gts[0].read_text(encoding="utf-8-sig", errors="ignore").strip().splitlines()
        return "icdar2013" if first and first[0].count(",") >= 4 and '"' in first[0] else "icdar2015"
    if any(root.glob("*.txt")) and any(root.glob("*.jpg")):
        return "plates"
    raise ValueError(f"{root}: cannot tell the data set format; pass --format")


def load_dataset(root: str | Path, fmt: str = "auto") -> list[Annotation] | list[CropSample]:
    """Read a data set folder in the named format (or the one its layout shows)."""
    fmt = detect_format(root) if fmt == "auto" else fmt
    if fmt not in READERS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(READERS)}")
    return READERS[fmt](root)
