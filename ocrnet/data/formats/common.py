"""Helpers the readers share: polygon parsing, image sizes, image lookup by stem."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ocrnet.io import IMAGE_SUFFIXES


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) from the header only, without decoding pixels."""
    with Image.open(path) as img:
        return img.size


def find_image(folder: Path, stem: str) -> Path | None:
    """The image named ``stem`` with any known suffix (either case), or None."""
    for suffix in IMAGE_SUFFIXES:
        for candidate in (folder / f"{stem}{suffix}", folder / f"{stem}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    return None


def quad(values: list[float]) -> list[list[float]]:
    """Four corner points from eight numbers x1, y1, ..., x4, y4."""
    return [[float(values[i]), float(values[i + 1])] for i in range(0, 8, 2)]


def rect(left: float, top: float, right: float, bottom: float) -> list[list[float]]:
    """An axis-aligned box as a clockwise quad from its top-left corner."""
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def require_dir(path: Path) -> Path:
    """``path`` itself, or a FileNotFoundError naming it when it is not a folder."""
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder")
    return path
