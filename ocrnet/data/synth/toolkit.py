"""What every scene composer shares: the seeded toolkit, boards with text, placement without
overlap, occluders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from shapely.geometry import Polygon

from ocrnet.data.synth.backgrounds import arrow, contrasting_color, luminance, luminance_map, random_color
from ocrnet.data.synth.canvas import Canvas, Color, TextStyle, render_line
from ocrnet.data.synth.effects import placement
from ocrnet.data.synth.fonts import FontFace
from ocrnet.data.synth.text import TextSource


@dataclass
class Toolkit:
    """What every composer needs: the seeded generator, fonts and text."""

    rng: np.random.Generator
    fonts: tuple[FontFace, ...]
    text: TextSource

    def face(self, predicate: Callable[[FontFace], bool] | None = None) -> FontFace:
        """A random face that satisfies ``predicate``; any face where none does."""
        pool = [f for f in self.fonts if predicate(f)] if predicate else list(self.fonts)
        pool = pool or list(self.fonts)
        return pool[self.rng.integers(len(pool))]

    def ink_style(self, size: float, face: FontFace, ink: Color) -> TextStyle:
        """Plain print: the given ink, no outline or shadow (documents, receipts, plates)."""
        return TextStyle(face=face, size=max(6, int(size)), color=ink)

    def style(
        self,
        size: float,
        behind: Color | np.ndarray,
        face: FontFace | None = None,
        decorate: float = 0.2,
        min_contrast: float = 70.0,
        color: Color | None = None,
    ) -> TextStyle:
        """A random style; the ink is ``color`` or one that contrasts with ``behind``."""
        rng = self.rng
        ink = color if color is not None else contrasting_color(rng, behind, min_contrast)
        style = TextStyle(face=face or self.face(), size=max(6, int(size)), color=ink)
        if rng.random() < decorate:
            style.outline = contrasting_color(rng, style.color, 80)
            style.outline_width = int(rng.integers(1, max(2, style.size // 12) + 1))
        if rng.random() < decorate:
            style.shadow = (20.0, 20.0, 20.0) if luminance(style.color) > 100 else (230.0, 230.0, 230.0)
            off = max(1, style.size // 14)
            style.shadow_offset = (int(rng.integers(-off, off + 1)), int(rng.integers(1, off + 2)))
        if rng.random() < decorate / 2:
            depth = max(2, style.size // int(rng.integers(6, 12)))
            style.extrude = contrasting_color(rng, style.color, 60) if rng.random() < 0.5 else _darker(style.color)
            style.extrude_offset = (int(rng.integers(-depth, depth + 1)), int(rng.integers(1, depth + 1)))
        if rng.random() < 0.1:
            style.tracking = float(rng.uniform(0, 0.25) * style.size)
        return style


def _darker(color: Color) -> Color:
    r, g, b = color
    return (r * 0.45, g * 0.45, b * 0.45)


def drawable(face: FontFace, words: list[str]) -> list[str]:
    """Drop characters the face cannot draw (labels must match pixels), then empty words."""
    kept = ["".join(ch for ch in word if ch in face.glyphs) for word in words]
    return [w for w in kept if w.strip()]


def layer_quad(layer: Canvas, homography: np.ndarray) -> Polygon:
    """Where a layer's rectangle lands on the scene under ``homography``."""
    corners = np.float32([[0, 0], [layer.width, 0], [layer.width, layer.height], [0, layer.height]])
    return Polygon(cv2.perspectiveTransform(corners[None], homography)[0])


def place_without_overlap(
    kit: Toolkit,
    canvas: Canvas,
    layer: Canvas,
    occupied: list[Polygon],
    rotation: float,
    perspective: float,
    tries: int = 8,
    ink: Color | None = None,
    min_contrast: float = 40.0,
) -> bool:
    """Paste a layer at a random spot where it does not cover earlier text (and, given its ``ink``,
    where the ground beneath stands out from it); False if none found."""
    rng = kit.rng
    for _ in range(tries):
        centre = (rng.uniform(0.1, 0.9) * canvas.width, rng.uniform(0.1, 0.9) * canvas.height)
        h = placement(rng, layer.width, layer.height, centre, 1.0, rng.uniform(-rotation, rotation), perspective)
        quad = layer_quad(layer, h)
        if not quad.is_valid or any(quad.intersects(o) for o in occupied):
            continue
        if ink is not None and not stands_out(canvas, quad, ink, min_contrast):
            continue
        if canvas.paste(layer, h):
            occupied.append(quad.buffer(2))
            return True
    return False


def stands_out(canvas: Canvas, quad: Polygon, ink: Color, min_contrast: float, share: float = 0.9) -> bool:
    """Whether ``share`` of the ground under ``quad`` differs from the ink's luminance by at least
    ``min_contrast``: text labelled where nobody could see it would teach the detector to guess."""
    x0, y0, x1, y1 = (int(round(v)) for v in quad.bounds)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, canvas.width), min(y1, canvas.height)
    if x1 <= x0 or y1 <= y0:
        return False
    lum = luminance_map(canvas.rgb[y0:y1, x0:x1])
    return float((np.abs(lum - luminance(ink)) >= min_contrast).mean()) >= share


def panel(
    kit: Toolkit,
    lines: list[list[str]],
    size: float,
    cls: str,
    fill: Color,
    text_color: Color | None,
    face: FontFace,
    border: Color | None = None,
    align: str = "center",
    pad: float = 0.5,
    arrow_side: bool = False,
    shape: str = "rect",
    left_band: float = 0.0,
) -> Canvas:
    """A board (sign panel, shop sign, poster, stamp) with lines of text; the board is class ``cls``."""
    rng = kit.rng
    style = kit.style(size, fill, face=face, decorate=0.1)
    if text_color is not None:
        style.color = text_color
    rendered = []
    for words in lines:
        words = drawable(face, words)
        if words:
            rendered.append(render_line(words, style, 0.0, cls))
    margin = size * pad + (style.size if arrow_side else 0)
    inner_w = max((layer.width for layer in rendered), default=int(size * 3))
    inner_h = sum(layer.height for layer in rendered)
    extra = size * 1.2 if arrow_side else 0.0
    width, height = int(inner_w + 2 * margin + extra + left_band), int(inner_h + 2 * margin)
    if shape == "octagon":
        width = height = max(width, height)
    board = Canvas(height, width)
    outline = _shape_points(shape, width, height)
    board.fill_polygon(outline, fill, cls=cls)
    if border is not None:
        inset = max(2.0, size * 0.12)
        board.fill_polygon(_shape_points(shape, width, height, inset), border, cls=cls)
        board.fill_polygon(_shape_points(shape, width, height, inset * 1.8), fill, cls=cls)
    if arrow_side:
        board.fill_polygon(
            arrow(
                width - margin / 2 - extra / 2,
                height / 2,
                min(extra, height * 0.6),
                float(rng.choice([0, np.pi / 2, -np.pi / 2, np.pi, -np.pi / 4])),
            ),
            style.color,
            cls=cls,
        )
    block = board.new_block(cls)
    y = (height - inner_h) / 2
    for layer in rendered:
        free = width - left_band - extra - layer.width
        x = left_band + (free / 2 if align == "center" else margin)
        board.place_line(layer, x, y, block)
        y += layer.height
    return board


def _shape_points(shape: str, width: float, height: float, inset: float = 0.0) -> np.ndarray:
    w, h = width - 2 * inset, height - 2 * inset
    if shape == "octagon":
        c = min(w, h) * 0.29
        pts = [[c, 0], [w - c, 0], [w, c], [w, h - c], [w - c, h], [c, h], [0, h - c], [0, c]]
    else:
        r = min(w, h) * 0.08
        pts = [[r, 0], [w - r, 0], [w, r], [w, h - r], [w - r, h], [r, h], [0, h - r], [0, r]]
    return np.asarray(pts, np.float64) + inset


def attach_lines(canvas: Canvas, first_line: int, block: int) -> None:
    """Put the lines from ``first_line`` on, and their words, into block ``block``."""
    for index in range(first_line, len(canvas.lines)):
        canvas.lines[index].block = block
        canvas.blocks[block].lines.append(index)
        for w in canvas.lines[index].words:
            canvas.words[w].block = block


def occlude(kit: Toolkit, canvas: Canvas, chance: float) -> None:
    """With probability ``chance``, put one or two poles or blobs in front of the scene."""
    rng = kit.rng
    if rng.random() >= chance:
        return
    for _ in range(int(rng.integers(1, 3))):
        cx, cy = rng.uniform(0, canvas.width), rng.uniform(0, canvas.height)
        if rng.random() < 0.5:  # a pole or branch crossing the frame
            half = rng.uniform(3, 0.04 * canvas.width)
            pts = np.array(
                [
                    [cx - half, -5],
                    [cx + half, -5],
                    [cx + half + rng.uniform(-40, 40), canvas.height + 5],
                    [cx - half + rng.uniform(-40, 40), canvas.height + 5],
                ]
            )
        else:
            r = rng.uniform(0.03, 0.1) * min(canvas.height, canvas.width)
            angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
            radii = r * rng.uniform(0.6, 1.2, 9)
            pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], 1)
        canvas.occlude(pts, random_color(rng))
