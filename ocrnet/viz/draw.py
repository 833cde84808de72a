"""Draw labels or predictions over an image so a person can judge them at a glance."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocrnet.types import CLASS_ID, CLASS_NAMES, IGNORE_INDEX, Word

#: One colour per context class (RGB), background black.
CLASS_COLOURS = np.array(
    [
        (0, 0, 0),
        (0, 170, 80),
        (250, 200, 0),
        (220, 40, 40),
        (40, 110, 240),
        (170, 60, 220),
        (0, 200, 220),
        (250, 120, 30),
    ],
    np.uint8,
)
IGNORE_COLOUR = (128, 128, 128)


def colour_classes(class_map: np.ndarray) -> np.ndarray:
    """A class-id map as RGB, one colour per context class and grey where no label applies."""
    out = np.zeros((*class_map.shape, 3), np.uint8)
    known = class_map != IGNORE_INDEX
    out[known] = CLASS_COLOURS[np.clip(class_map[known], 0, len(CLASS_COLOURS) - 1)]
    out[~known] = IGNORE_COLOUR
    return out


def _label_font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def draw_words(image: np.ndarray, words: list[Word], labels: bool = True, thickness: int = 2) -> np.ndarray:
    """Polygons coloured by class (grey for don't-care), with the text above each."""
    out = image.copy()
    for word in words:
        colour = IGNORE_COLOUR if word.ignore else tuple(int(c) for c in CLASS_COLOURS[CLASS_ID.get(word.cls, 7)])
        if word.ignore or colour == (0, 0, 0):
            colour = IGNORE_COLOUR if word.ignore else (255, 255, 255)
        cv2.polylines(out, [np.round(word.points).astype(np.int32)], True, colour, thickness, cv2.LINE_AA)
    if not labels:
        return out
    pil = Image.fromarray(out)
    draw = ImageDraw.Draw(pil)
    font = _label_font(max(10, image.shape[0] // 60))
    for word in words:
        if word.ignore or not word.text:
            continue
        x, y = word.points.min(0)
        draw.text(
            (float(x), float(y) - font.size - 1),
            word.text,
            font=font,
            fill=(255, 255, 0),
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )
    return np.asarray(pil)


def legend(width: int) -> np.ndarray:
    """A strip naming each class colour."""
    pil = Image.new("RGB", (width, 22), (30, 30, 30))
    draw = ImageDraw.Draw(pil)
    font = _label_font(13)
    x = 6
    for index, name in enumerate(CLASS_NAMES[1:], start=1):
        draw.rectangle((x, 5, x + 12, 17), fill=tuple(int(c) for c in CLASS_COLOURS[index]))
        draw.text((x + 16, 3), name, font=font, fill=(240, 240, 240))
        x += 24 + int(draw.textlength(name, font=font))
    return np.asarray(pil)


def mask_panel(stroke: np.ndarray | None, class_map: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """Class map in colour with the stroke mask in white on top."""
    panel = colour_classes(class_map) if class_map is not None else np.zeros((*shape, 3), np.uint8)
    panel = (panel * 0.6).astype(np.uint8)
    if stroke is not None:
        panel[stroke > 0] = (255, 255, 255)
    return panel


def grid(tiles: list[np.ndarray], columns: int, gap: int = 4) -> np.ndarray:
    """Tiles of any size in rows of ``columns`` on a dark ground, each cell as large as the largest tile."""
    height = max(t.shape[0] for t in tiles)
    width = max(t.shape[1] for t in tiles)
    rows = (len(tiles) + columns - 1) // columns
    out = np.full((rows * (height + gap) + gap, columns * (width + gap) + gap, 3), 40, np.uint8)
    for index, tile in enumerate(tiles):
        r, c = divmod(index, columns)
        y, x = gap + r * (height + gap), gap + c * (width + gap)
        out[y : y + tile.shape[0], x : x + tile.shape[1]] = tile
    return out
