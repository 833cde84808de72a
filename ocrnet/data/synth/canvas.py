"""A drawing surface that keeps exact labels in step with its pixels.

Scenes are built from layers: a text line, a sign panel with its lines, a plate, a page. Each
layer is a ``Canvas`` with premultiplied colour, coverage (alpha), a glyph mask, a class map and
word polygons; ``paste`` warps a whole layer into its parent with one homography, so pixels,
masks and polygons can never disagree. Whatever a later layer covers is removed from the glyph
ink below it, which makes the stroke mask "visible glyph pixels" by construction. Glyph ink is
carried as coverage (the share of each pixel that visible glyph fill covers) through every warp
and binarised once at the end: binarising after each resampling moved edges by up to half a
pixel from where the image itself puts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import Polygon, box

from ocrnet.data.synth.fonts import FontFace, load_font
from ocrnet.types import CLASS_ID, IGNORE_INDEX, Block, Line, Word

#: x -> (y, slope) of a text line's baseline at x.
Baseline = Callable[[float], tuple[float, float]]

Color = tuple[float, float, float]

#: A word is "don't care" when less than this share of its polygon is visible (frame or occluder).
MIN_VISIBLE = 0.65


@dataclass
class TextStyle:
    """How a run of text is drawn: face, size and colour, and the decorations signs and shop fronts use."""

    face: FontFace
    size: int
    color: Color
    outline: Color | None = None
    outline_width: int = 0
    shadow: Color | None = None
    shadow_offset: tuple[int, int] = (2, 2)
    shadow_blur: float = 1.5
    extrude: Color | None = None  # side colour of letters drawn as 3-D blocks (shop fronts)
    extrude_offset: tuple[int, int] = (0, 0)  # (dx, dy) of the block's far face
    tracking: float = 0.0  # extra pixels between characters
    word_gap: float = 1.0  # multiple of the space advance


class Canvas:
    """A layer being composed: premultiplied colour and alpha, with the glyph coverage, class map and
    word, line and block records that become the scene's labels when layers are stacked."""

    def __init__(self, height: int, width: int, opaque: bool = False) -> None:
        self.height, self.width = int(height), int(width)
        self.rgb = np.zeros((self.height, self.width, 3), np.float32)  # premultiplied by alpha
        self.alpha = np.full((self.height, self.width), 1.0 if opaque else 0.0, np.float32)
        self.stroke = np.zeros((self.height, self.width), np.float32)  # visible glyph coverage, 0..1
        fill = CLASS_ID["background"] if opaque else IGNORE_INDEX
        self.classes = np.full((self.height, self.width), fill, np.uint8)
        self.words: list[Word] = []
        self.lines: list[Line] = []
        self.blocks: list[Block] = []

    # -- building blocks ---------------------------------------------------------------------
    def set_background(self, rgb: np.ndarray) -> None:
        self.rgb = rgb.astype(np.float32) * self.alpha[:, :, None]

    def new_block(self, cls: str) -> int:
        self.blocks.append(Block(lines=[], cls=cls))
        return len(self.blocks) - 1

    def fill_polygon(self, points: np.ndarray, color: Color, cls: str | None = None, opacity: float = 1.0) -> None:
        """Paint an opaque shape (panel, plate, occluder); glyphs beneath it are no longer visible."""
        pts = np.asarray(points, np.float64).reshape(-1, 2)
        x0, y0 = np.maximum(np.floor(pts.min(0)).astype(int) - 1, 0)
        x1, y1 = np.minimum(np.ceil(pts.max(0)).astype(int) + 2, [self.width, self.height])
        if x1 <= x0 or y1 <= y0:
            return
        shape = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(shape, [np.round((pts - [x0, y0]) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
        self.composite(shape.astype(np.float32) / 255.0 * opacity, np.asarray(color, np.float32), y0, x0)
        if cls is not None:
            self.classes[y0:y1, x0:x1][shape > 127] = CLASS_ID[cls]

    def composite(self, coverage: np.ndarray, color: np.ndarray, y0: int = 0, x0: int = 0) -> None:
        """Alpha-blend a solid colour (or per-pixel colour image) over a region of the canvas."""
        h, w = coverage.shape
        region = (slice(y0, y0 + h), slice(x0, x0 + w))
        a = coverage[:, :, None]
        self.rgb[region] = self.rgb[region] * (1.0 - a) + color * a
        self.alpha[region] = coverage + self.alpha[region] * (1.0 - coverage)
        self.stroke[region] *= 1.0 - coverage

    def draw_text(
        self, words: list[str], style: TextStyle, x: float, y: float, cls: str, block: int, curve: float = 0.0
    ) -> int:
        """Draw one line of words with its top-left at (x, y); returns the line's index."""
        return self.place_line(render_line(words, style, curve, cls), x, y, block)

    def place_line(self, line: Canvas, x: float, y: float, block: int) -> int:
        """Paste a rendered one-line layer at (x, y) as a line of ``block``; -1 if it fell outside."""
        if not self.paste(line, translation(x, y)):
            return -1
        line_index = len(self.lines) - 1
        self.lines[line_index].block = block
        for word_index in self.lines[line_index].words:
            self.words[word_index].block = block
        self.blocks[block].lines.append(line_index)
        return line_index

    def paste(self, layer: Canvas, homography: np.ndarray) -> bool:
        """Warp ``layer`` into this canvas; its words, lines and blocks come along, re-indexed.
        Returns False when the layer lands wholly outside."""
        corners = np.float32([[0, 0], [layer.width, 0], [layer.width, layer.height], [0, layer.height]])
        dest = cv2.perspectiveTransform(corners[None], homography)[0]
        x0, y0 = np.floor(dest.min(0)).astype(int)
        x1, y1 = np.ceil(dest.max(0)).astype(int)
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.width), min(y1, self.height)
        if x1 - x0 < 1 or y1 - y0 < 1:
            return False
        shift = translation(-x0, -y0) @ homography
        size = (x1 - x0, y1 - y0)

        def warp(array: np.ndarray, flags: int, border: float = 0.0) -> np.ndarray:
            return cv2.warpPerspective(
                array, shift, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=border
            )

        alpha = warp(layer.alpha, cv2.INTER_LINEAR)
        rgb = warp(layer.rgb, cv2.INTER_LINEAR)
        stroke = warp(layer.stroke, cv2.INTER_LINEAR)
        classes = warp(layer.classes, cv2.INTER_NEAREST, IGNORE_INDEX)
        region = (slice(y0, y1), slice(x0, x1))
        a = alpha[:, :, None]
        self.rgb[region] = self.rgb[region] * (1.0 - a) + rgb
        self.alpha[region] = alpha + self.alpha[region] * (1.0 - alpha)
        self.stroke[region] = self.stroke[region] * (1.0 - alpha) + stroke
        self.classes[region] = np.where(classes != IGNORE_INDEX, classes, self.classes[region])
        self._adopt_labels(layer, homography)
        return True

    def _adopt_labels(self, layer: Canvas, homography: np.ndarray) -> None:
        word_offset, line_offset, block_offset = len(self.words), len(self.lines), len(self.blocks)
        frame = box(0, 0, self.width, self.height)
        for word in layer.words:
            pts = cv2.perspectiveTransform(word.points[None], homography)[0]
            inside = (pts >= 0).all() and (pts[:, 0] <= self.width).all() and (pts[:, 1] <= self.height).all()
            clipped, visible = (pts, 1.0) if inside else clip_to_frame(pts, frame)
            self.words.append(
                Word(
                    polygon=clipped.tolist(),
                    text=word.text,
                    cls=word.cls,
                    line=word.line + line_offset,
                    block=word.block + block_offset if word.block >= 0 else -1,
                    ignore=word.ignore or visible < MIN_VISIBLE,
                )
            )
        for line in layer.lines:
            self.lines.append(
                Line(
                    words=[i + word_offset for i in line.words],
                    text=line.text,
                    block=line.block + block_offset if line.block >= 0 else -1,
                )
            )
        for blk in layer.blocks:
            self.blocks.append(Block(lines=[i + line_offset for i in blk.lines], cls=blk.cls))

    def occlude(self, points: np.ndarray, color: Color) -> None:
        """Put an object in front of everything; words it hides too much of become don't-care."""
        self.fill_polygon(points, color, cls="background")
        shape = Polygon(points)
        if not shape.is_valid or shape.area <= 0:
            return
        for word in self.words:
            poly = Polygon(word.points)
            if poly.is_valid and poly.area > 0 and poly.intersection(shape).area / poly.area > 1 - MIN_VISIBLE:
                word.ignore = True

    def cropped(self, height: int) -> Canvas:
        """The top ``height`` rows (labels below the cut must not exist: crop after drawing above it)."""
        height = int(min(max(height, 1), self.height))
        out = Canvas(height, self.width)
        out.rgb, out.alpha = self.rgb[:height].copy(), self.alpha[:height].copy()
        out.stroke, out.classes = self.stroke[:height].copy(), self.classes[:height].copy()
        out.words, out.lines, out.blocks = self.words, self.lines, self.blocks
        return out

    def rgb_uint8(self) -> np.ndarray:
        return np.clip(self.rgb + 0.5, 0, 255).astype(np.uint8)

    def stroke_mask(self) -> np.ndarray:
        """Pixels more than half covered by visible glyph ink (uint8 0/1)."""
        return (self.stroke > 0.5).astype(np.uint8)


def clip_to_frame(points: np.ndarray, frame: Polygon) -> tuple[np.ndarray, float]:
    """The part of a word polygon inside the image, as a polygon of at least four points, and the
    share of the word's area it keeps. Clamping the corners instead would turn a tilted word
    leaving the image into a sliver along the edge."""
    poly = Polygon(points)
    if not poly.is_valid:
        poly = poly.buffer(0)
    part = poly.intersection(frame)
    share = 0.0 if poly.area <= 0 else part.area / poly.area
    if not part.is_empty and part.geom_type != "Polygon":
        part = part.convex_hull
    if part.is_empty or part.geom_type != "Polygon":
        return np.clip(points, 0, [frame.bounds[2], frame.bounds[3]]), share
    ring = np.asarray(part.exterior.coords, np.float32)[:-1]
    while len(ring) < 4:  # a triangle: split its longest edge
        edges = np.linalg.norm(np.roll(ring, -1, axis=0) - ring, axis=1)
        k = int(edges.argmax())
        ring = np.insert(ring, k + 1, (ring[k] + ring[(k + 1) % len(ring)]) / 2, axis=0)
    return ring, share


def translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _extrude(layer: Canvas, fill: np.ndarray, side: Color, offset: tuple[int, int]) -> None:
    """The letters' sides: the glyphs stamped from the far face towards the front, darkening
    with depth, so the face drawn on top looks like a raised 3-D letter."""
    dx, dy = offset
    depth = max(abs(dx), abs(dy))
    for step in range(depth, 0, -1):
        shift = (round(dy * step / depth), round(dx * step / depth))
        shade = 0.6 + 0.4 * (1 - step / depth)
        layer.composite(np.roll(fill, shift=shift, axis=(0, 1)), np.asarray(side, np.float32) * shade)


def render_line(words: list[str], style: TextStyle, curve: float, cls: str) -> Canvas:
    """Render a line of words into a transparent layer: glyphs, outline, shadow and exact polygons.

    ``curve`` bends the baseline into a parabola whose ends rise (negative) or sink (positive) by
    ``curve`` times the line length; glyphs are then placed one by one, tangent to it.
    """
    font = load_font(style.face.path, style.size)
    ascent, descent = font.getmetrics()
    # A space is a character too: letter spacing comes before and after it, so words stay further
    # apart than letters however widely the letters are spaced.
    space = font.getlength(" ") * style.word_gap + 2 * style.tracking
    reach = max(abs(v) for v in (*style.shadow_offset, *style.extrude_offset))
    pad = int(style.outline_width + reach + 3)
    per_glyph = bool(style.tracking or curve)
    # Each glyph is centred on its own advance and the tracking added after it, so a word's
    # first and last glyphs end at its ends, however wide the letter spacing.
    advances = [[font.getlength(ch) for ch in w] if per_glyph else [] for w in words]
    widths = [
        sum(a) + style.tracking * (len(a) - 1) if per_glyph else font.getlength(w)
        for a, w in zip(advances, words, strict=True)
    ]
    total = sum(widths) + space * (len(words) - 1)
    sag = curve * total
    height = int(np.ceil(ascent + descent + abs(sag) + 2 * pad))
    width = int(np.ceil(total + 2 * pad))
    top = pad + max(-sag, 0.0)  # y of the ascender line at the middle of the text
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    half = max(total / 2.0, 1.0)
    centre = pad + total / 2.0

    def baseline(x: float) -> tuple[float, float]:
        """(y, slope) of the baseline at x."""
        u = (x - centre) / half
        return top + ascent + sag * u * u, 2.0 * sag * u / half

    starts, x = [], float(pad)
    for word, word_advances, word_width in zip(words, advances, widths, strict=True):
        starts.append(x)
        if not per_glyph:
            draw.text((x, top), word, font=font, fill=255)
        else:
            cx = x
            for ch, adv in zip(word, word_advances, strict=True):
                _place_glyph(mask, font, ch, cx, adv, baseline, ascent, descent)
                cx += adv + style.tracking
        x += word_width + space
    fill = np.asarray(mask, np.float32) / 255.0

    layer = Canvas(height, width)
    if style.shadow is not None:
        shifted = np.roll(fill, shift=style.shadow_offset[::-1], axis=(0, 1))
        shadow = cv2.GaussianBlur(shifted, (0, 0), style.shadow_blur) if style.shadow_blur > 0 else shifted
        layer.composite(np.clip(shadow * 0.8, 0, 1), np.asarray(style.shadow, np.float32))
    if style.extrude is not None:
        _extrude(layer, fill, style.extrude, style.extrude_offset)
    if style.outline is not None and style.outline_width > 0:
        k = 2 * style.outline_width + 1
        ring = cv2.dilate(fill, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        layer.composite(ring, np.asarray(style.outline, np.float32))
    layer.composite(fill, np.asarray(style.color, np.float32))
    layer.stroke = fill  # nothing below writes to either

    layer.lines.append(Line(words=list(range(len(words))), text=" ".join(words)))
    for word, start, word_width in zip(words, starts, widths, strict=True):
        if curve == 0.0:
            polygon = _ink_box(fill, start, start + word_width, ascent + descent, top)
        else:
            polygon = _curved_polygon(font, word, start, word_width, baseline)
        layer.words.append(Word(polygon=polygon, text=word, cls=cls, line=0))
        cv2.fillPoly(layer.classes, [np.round(np.asarray(polygon)).astype(np.int32)], CLASS_ID[cls])
    return layer


def _place_glyph(
    mask: Image.Image,
    font: ImageFont.FreeTypeFont,
    ch: str,
    x: float,
    advance: float,
    baseline: Baseline,
    ascent: int,
    descent: int,
) -> None:
    """Draw one character rotated to the baseline's tangent at its centre."""
    if ch == " ":
        return
    mid = x + advance / 2.0
    base_y, slope = baseline(mid)
    size = int(np.ceil(max(advance, 1) + 2 * (ascent + descent)))
    glyph = Image.new("L", (size, size), 0)
    ImageDraw.Draw(glyph).text((size / 2.0, size / 2.0), ch, font=font, fill=255, anchor="ms")
    angle = float(np.degrees(np.arctan(slope)))
    glyph = glyph.rotate(-angle, resample=Image.BILINEAR, center=(size / 2.0, size / 2.0))
    corner = (int(round(mid - size / 2.0)), int(round(base_y - size / 2.0)))
    current = mask.crop((corner[0], corner[1], corner[0] + size, corner[1] + size))
    mask.paste(Image.fromarray(np.maximum(np.asarray(current), np.asarray(glyph))), corner)


def _ink_box(fill: np.ndarray, x0: float, x1: float, line_height: float, top: float) -> list[list[float]]:
    """Tight box around the ink of one straight word; falls back to the metric box if it has none."""
    c0, c1 = max(int(np.floor(x0)) - 1, 0), min(int(np.ceil(x1)) + 1, fill.shape[1])
    ink = fill[:, c0:c1] > 0.25
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    if rows.size == 0:
        left, right, upper, lower = x0, x1, top, top + line_height
    else:
        left, right = c0 + cols[0], c0 + cols[-1] + 1
        upper, lower = rows[0], rows[-1] + 1
    margin = max(1.0, 0.06 * (lower - upper))
    left, right, upper, lower = left - margin, right + margin, upper - margin, lower + margin
    return [[left, upper], [right, upper], [right, lower], [left, lower]]


def _curved_polygon(
    font: ImageFont.FreeTypeFont, word: str, x0: float, width: float, baseline: Baseline, samples: int = 5
) -> list[list[float]]:
    """Top edge left to right, bottom edge right to left, offset from the baseline along its normal."""
    left, upper, right, lower = font.getbbox(word, anchor="ls")
    above, below = -upper + 1.0, lower + 1.0
    xs = np.linspace(x0 - 1.0, x0 + width + 1.0, samples)
    top_pts, bottom_pts = [], []
    for x in xs:
        y, slope = baseline(x)
        norm = np.hypot(1.0, slope)
        nx, ny = slope / norm, -1.0 / norm  # unit normal pointing up the glyphs
        top_pts.append([x + nx * above, y + ny * above])
        bottom_pts.append([x - nx * below, y - ny * below])
    return top_pts + bottom_pts[::-1]
