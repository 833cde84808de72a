"""SROIE receipts: ``box/NNN.csv`` lines ``x1,y1,...,x4,y4,LINE TEXT`` (line-level boxes)."""

from __future__ import annotations

from pathlib import Path

from ocrnet.data.formats.common import find_image, image_size, quad, require_dir
from ocrnet.types import Annotation, Line, Word


def read_sroie(root: str | Path) -> list[Annotation]:
    """SROIE receipts: each box is one line of text (``level`` "line"); training cuts lines into words."""
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


def split_line_into_words(line: Word) -> list[Word]:
    """Word boxes cut from a line box in proportion to character counts. Receipts are mostly
    printed in fixed-pitch fonts, so this is close; it lets line-level SROIE train a word-level
    detector."""
    text = line.text
    tokens = text.split()
    if len(tokens) <= 1:
        return [line]
    top_left, top_right, bottom_right, bottom_left = (line.points[i] for i in range(4))
    out, position = [], 0
    for token in tokens:
        start = text.index(token, position)
        position = start + len(token)
        a, b = start / len(text), position / len(text)
        polygon = [
            top_left + (top_right - top_left) * a,
            top_left + (top_right - top_left) * b,
            bottom_left + (bottom_right - bottom_left) * b,
            bottom_left + (bottom_right - bottom_left) * a,
        ]
        out.append(Word(polygon=[p.tolist() for p in polygon], text=token, cls=line.cls, line=line.line))
    return out
