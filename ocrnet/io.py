"""Safe image decoding and atomic output writing.

Every decode goes through ``load_image`` so that odd inputs (CMYK, 16-bit, palette, alpha,
EXIF-rotated) become the same RGB uint8 array, and bad ones (missing, empty, truncated, not an
image, absurdly large) fail with an ``ImageLoadError`` that names the file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Refuse images above this many pixels: a 100-megapixel RGB array is 300 MB, and decompression
#: bombs claim far more.
MAX_PIXELS = 100_000_000

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}

ImageSource = str | os.PathLike | bytes | np.ndarray | Image.Image


class ImageLoadError(ValueError):
    """An input that cannot be turned into an image; the message starts with its name."""


def load_image(source: ImageSource, max_pixels: int = MAX_PIXELS, name: str | None = None) -> np.ndarray:
    """Decode ``source`` into an HxWx3 RGB uint8 array, upright per its EXIF orientation."""
    if isinstance(source, np.ndarray):
        return array_to_rgb(source, name or "<array>")
    if isinstance(source, Image.Image):
        return pil_to_rgb(source, name or "<PIL image>", max_pixels)
    if isinstance(source, bytes | bytearray):
        label = name or "<bytes>"
        if not source:
            raise ImageLoadError(f"{label}: empty input (0 bytes)")
        return _decode(io.BytesIO(source), label, max_pixels)
    path = Path(source)
    label = name or str(path)
    if not path.exists():
        raise ImageLoadError(f"{label}: no such file")
    if path.is_dir():
        raise ImageLoadError(f"{label}: is a directory, not an image")
    if path.stat().st_size == 0:
        raise ImageLoadError(f"{label}: empty file (0 bytes)")
    if path.suffix.lower() == ".pdf":
        raise ImageLoadError(f"{label}: a PDF holds pages, not one image (`ocrnet read` or ocrnet.pdf.PdfPages)")
    with open(path, "rb") as handle:
        return _decode(handle, label, max_pixels)


def _decode(stream: Any, label: str, max_pixels: int) -> np.ndarray:
    try:
        with Image.open(stream) as img:
            return pil_to_rgb(img, label, max_pixels)
    except UnidentifiedImageError as exc:
        raise ImageLoadError(f"{label}: not an image (unknown or corrupt format)") from exc
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(f"{label}: too large to decode safely ({exc})") from exc
    except (OSError, SyntaxError) as exc:
        raise ImageLoadError(f"{label}: unreadable or truncated image ({exc})") from exc


def pil_to_rgb(img: Image.Image, label: str, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Any PIL image (palette, CMYK, 16-bit, alpha, EXIF-turned) as upright 8-bit RGB, or a clear
    ``ImageLoadError`` naming ``label`` for zero-size and over-large images."""
    width, height = img.size
    if width == 0 or height == 0:
        raise ImageLoadError(f"{label}: zero-size image ({width}x{height})")
    if width * height > max_pixels:
        raise ImageLoadError(
            f"{label}: too large ({width}x{height} = {width * height / 1e6:.0f} MP; limit {max_pixels / 1e6:.0f} MP)"
        )
    img.load()  # decode fully now, so truncation surfaces here
    img = ImageOps.exif_transpose(img)
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return array_to_rgb(np.asarray(img), label)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return np.asarray(canvas.convert("RGB"))
    return np.asarray(img.convert("RGB"))


def array_to_rgb(array: np.ndarray, label: str) -> np.ndarray:
    """Normalise a gray/RGB/RGBA array of any integer or float depth to RGB uint8."""
    arr = np.asarray(array)
    if arr.ndim not in (2, 3) or arr.size == 0 or min(arr.shape[:2]) == 0:
        raise ImageLoadError(f"{label}: not an image array (shape {arr.shape})")
    if arr.dtype != np.uint8:
        arr = arr.astype(np.float32)
        high = float(arr.max()) if arr.size else 0.0
        if high <= 1.0:
            arr = arr * 255.0
        elif high > 255.0:
            arr = arr / (65535.0 if high <= 65535.0 else high) * 255.0
        arr = np.clip(arr + 0.5, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    elif arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.shape[2] == 4:
        alpha = arr[:, :, 3:4].astype(np.float32) / 255.0
        arr = (arr[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    elif arr.shape[2] != 3:
        raise ImageLoadError(f"{label}: unsupported channel count {arr.shape[2]}")
    return np.ascontiguousarray(arr)


def iter_image_files(inputs: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted) into image paths; unknown files pass through
    so that the caller reports them as bad input rather than silently skipping them."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_image(path: str | os.PathLike, image: np.ndarray, quality: int = 92) -> None:
    """Write an array as PNG/JPEG atomically (no half-written file survives a crash)."""
    target = Path(path)
    fmt = "JPEG" if target.suffix.lower() in (".jpg", ".jpeg") else "PNG"
    pil = Image.fromarray(image)
    options = {"quality": quality} if fmt == "JPEG" else {"compress_level": 1}
    _atomic_write(target, lambda handle: pil.save(handle, format=fmt, **options))


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text atomically (no half-written file after an interruption)."""
    _atomic_write(Path(path), lambda handle: handle.write(text.encode("utf-8")))


def start_jsonl(path: str | os.PathLike) -> None:
    """An empty JSON-lines file (its folder made): a run's records then stand alone, not after an
    earlier run's (records are appended one by one as they are finished)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("", encoding="utf-8")


def append_jsonl(path: str | os.PathLike, record: dict[str, Any]) -> None:
    """Append one JSON line and flush it, so an interrupted batch keeps every finished record."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Read a JSON-lines file, skipping a torn last line left by an interrupted writer."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records
