"""ICDAR 2015 incidental scene text (quads, ``###`` = don't care) and ICDAR 2013 (axis boxes)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from ocrnet.data.formats.common import find_image, image_size, quad, rect, require_dir
from ocrnet.types import Annotation, Word

DONT_CARE = "###"


def _read_gt(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8-sig", errors="replace").splitlines() if ln.strip()]


def _annotations(root: Path, parse_line: Callable[[str], Word | None], source: str) -> list[Annotation]:
    root = require_dir(Path(root))
    images = root / "images" if (root / "images").is_dir() else root
    out = []
    for gt in sorted((root / "gt").glob("gt_*.txt"), key=lambda p: (len(p.stem), p.stem)):
        image = find_image(images, gt.stem[len("gt_") :])
        if image is None:
            continue
        width, height = image_size(image)
        words = [w for w in (parse_line(line) for line in _read_gt(gt)) if w is not None]
        out.append(Annotation(image_path=str(image), width=width, height=height, words=words, source=source))
    return out


def parse_icdar2015_line(line: str) -> Word | None:
    """``x1,y1,...,x4,y4,text`` (the text may hold commas) as a word; ``###`` is don't-care."""
    parts = line.split(",", 8)
    if len(parts) < 9:
        return None
    text = parts[8].strip()
    return Word(polygon=quad([float(v) for v in parts[:8]]), text=text, ignore=text == DONT_CARE)


def parse_icdar2013_line(line: str) -> Word | None:
    """``left, top, right, bottom, "text"`` as a word; ``###`` is don't-care."""
    row = next(csv.reader([line], skipinitialspace=True))
    if len(row) < 5:
        return None
    left, top, right, bottom = (float(v) for v in row[:4])
    text = ",".join(row[4:]).strip()
    return Word(polygon=rect(left, top, right, bottom), text=text, ignore=text == DONT_CARE)


def read_icdar2015(root: str | Path) -> list[Annotation]:
    """ICDAR 2015 images (``images/``) with their quads (``gt/gt_img_N.txt``)."""
    return _annotations(Path(root), parse_icdar2015_line, "icdar2015")


def read_icdar2013(root: str | Path) -> list[Annotation]:
    """ICDAR 2013 images with their boxes (``gt/gt_img_N.txt``)."""
    return _annotations(Path(root), parse_icdar2013_line, "icdar2013")
