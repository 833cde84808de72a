"""SROIE receipts: ``box/NNN.csv`` lines ``x1,y1,...,x4,y4,LINE TEXT`` (line-level boxes)."""

from __future__ import annotations

from pathlib import Path

from ocrnet.data.formats.common import find_image, image_size, quad, require_dir
from ocrnet.types import Annotation, Line, Word


def read_sroie(root: str | Path) -> list[Annotation]:
    root = require_dir(Path(root))
    out = []
    for box in sorted((root / "box").glob("*.csv")):
        image = find_image(root / "img", box.stem)
        if image is None:
            continue
        words, lines = [], []
        for raw in box.read_text(encoding="utf-8-sig", errors="replace").splitlines():
            parts = raw.split(",", 8)
            if len(parts) < 9:
                continue
            try:
                polygon = quad([float(v) for v in parts[:8]])
            except ValueError:
                continue
            lines.append(Line(words=[len(words)], text=parts[8].strip()))
            words.append(Word(polygon=polygon, text=parts[8].strip(), cls="paragraph", line=len(lines) - 1))
        width, height = image_size(image)
        out.append(
            Annotation(
                image_path=str(image),
                width=width,
                height=height,
                words=words,
                source="sroie",
                level="line",
                lines=lines,
            )
        )
    return out
