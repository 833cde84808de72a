"""Procedural backgrounds and clutter: textures, gradients and non-text shapes.

No photo library ships with the project, so surfaces are synthesised; clutter (bars, rings,
arrows, stripes, glyph-like strokes that are not letters) teaches the detector what is *not* text.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocrnet.data.synth.canvas import Canvas, Color


def random_color(rng: np.random.Generator) -> Color:
    """A uniformly random RGB colour."""
    return tuple(float(c) for c in rng.integers(0, 256, 3))


def luminance_map(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel luma (0-255) of an RGB array."""
    return np.asarray(rgb, np.float32) @ np.float32([0.299, 0.587, 0.114])


def luminance(color: Color | np.ndarray) -> float:
    """Mean luma (0-255) of a colour or an image, for choosing ink that stands out."""
    return float(luminance_map(color).mean())


def contrasting_color(rng: np.random.Generator, behind: Color | np.ndarray, min_delta: float = 70.0) -> Color:
    """A colour whose luminance differs from ``behind`` by at least ``min_delta`` (0-255 scale)."""
    base = luminance(behind)
    for _ in range(20):
        color = random_color(rng)
        if abs(luminance(color) - base) >= min_delta:
            return color
    return (15.0, 15.0, 15.0) if base > 127 else (240.0, 240.0, 240.0)


def texture_and_ink(
    rng: np.random.Generator, height: int, width: int, min_delta: float = 70.0
) -> tuple[np.ndarray, Color]:
    """A textured surface and an ink colour that stands out from all of it, not just its mean: on
    stripes or bricks of two colours an ink near either one makes half the text vanish."""
    for _ in range(10):
        surface = texture(rng, height, width)
        lum = luminance_map(surface)
        darkest, brightest = np.percentile(lum, [3, 97])
        ranges = [(lo, hi) for lo, hi in ((0.0, darkest - min_delta), (brightest + min_delta, 255.0)) if hi > lo]
        if ranges:
            lo, hi = ranges[rng.integers(len(ranges))]
            for _ in range(30):
                color = random_color(rng)
                if lo <= luminance(color) <= hi:
                    return surface, color
            grey = float(rng.uniform(lo, hi))
            return surface, (grey, grey, grey)
    return surface, (15.0, 15.0, 15.0) if luminance(surface) > 127 else (240.0, 240.0, 240.0)


def smooth_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Value noise in [0, 1]: a coarse random grid upsampled smoothly."""
    gh, gw = max(2, int(height / cell) + 2), max(2, int(width / cell) + 2)
    grid = rng.random((gh, gw), dtype=np.float32)
    return cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def fractal_noise(rng: np.random.Generator, height: int, width: int, octaves: int = 4) -> np.ndarray:
    total = np.zeros((height, width), np.float32)
    amplitude, cell, norm = 1.0, max(height, width) / 2.0, 0.0
    for _ in range(octaves):
        total += amplitude * smooth_noise(rng, height, width, max(cell, 2.0))
        norm += amplitude
        amplitude *= 0.5
        cell /= 2.5
    return total / norm


def gradient(rng: np.random.Generator, height: int, width: int, c0: Color, c1: Color) -> np.ndarray:
    angle = rng.uniform(0, np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    t = xs * np.cos(angle) + ys * np.sin(angle)
    t = (t - t.min()) / max(float(np.ptp(t)), 1.0)
    return (1 - t)[..., None] * np.asarray(c0, np.float32) + t[..., None] * np.asarray(c1, np.float32)


def texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A surface: plain, gradient, mottled, striped, brick or wood-grain, in random colours."""
    c0, c1 = random_color(rng), random_color(rng)
    kind = rng.integers(6)
    if kind == 0:
        out = np.broadcast_to(np.asarray(c0, np.float32), (height, width, 3)).copy()
    elif kind == 1:
        out = gradient(rng, height, width, c0, c1)
    elif kind == 2:
        t = fractal_noise(rng, height, width)[..., None]
        out = (1 - t) * np.asarray(c0, np.float32) + t * np.asarray(c1, np.float32)
    elif kind == 3:
        period = rng.uniform(6, 60)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = rng.uniform(0, np.pi)
        t = (np.sin((xs * np.cos(angle) + ys * np.sin(angle)) / period * 2 * np.pi) > 0).astype(np.float32)
        t = cv2.GaussianBlur(t, (0, 0), 1.0)[..., None]
        out = (1 - t) * np.asarray(c0, np.float32) + t * np.asarray(c1, np.float32)
    elif kind == 4:
        out = _bricks(rng, height, width, c0, c1)
    else:
        grain = smooth_noise(rng, height, max(width // 40, 2), 3.0)
        grain = cv2.resize(grain, (width, height), interpolation=cv2.INTER_LINEAR)[..., None]
        out = (1 - grain) * np.asarray(c0, np.float32) + grain * np.asarray(c1, np.float32)
    noise = rng.normal(0, rng.uniform(0, 8), (height, width, 1)).astype(np.float32)
    return np.clip(out + noise, 0, 255)


def _bricks(rng: np.random.Generator, height: int, width: int, brick: Color, mortar: Color) -> np.ndarray:
    out = np.broadcast_to(np.asarray(mortar, np.float32), (height, width, 3)).copy()
    bh, bw = int(rng.integers(12, 40)), int(rng.integers(30, 90))
    for row, y in enumerate(range(0, height, bh)):
        offset = (bw // 2) * (row % 2)
        for x in range(-offset, width, bw):
            shade = np.asarray(brick, np.float32) * rng.uniform(0.8, 1.15)
            out[y + 2 : y + bh - 1, max(x + 2, 0) : max(x + bw - 1, 0)] = np.clip(shade, 0, 255)
    return out


def add_clutter(canvas: Canvas, rng: np.random.Generator, count: int) -> None:
    """Non-text shapes: rectangles, windows, discs, bars, arrows, thin strokes."""
    h, w = canvas.height, canvas.width
    for _ in range(count):
        kind = rng.integers(5)
        color = random_color(rng)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        size = rng.uniform(0.03, 0.35) * min(h, w)
        if kind == 0:
            pts = np.array(
                [
                    [cx, cy],
                    [cx + size * rng.uniform(0.3, 2), cy],
                    [cx + size * rng.uniform(0.3, 2), cy + size],
                    [cx, cy + size],
                ]
            )
            pts[1:3, 0] = pts[1, 0]
            canvas.fill_polygon(pts, color)
        elif kind == 1:
            angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
            r = size / 2
            canvas.fill_polygon(np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], 1), color)
        elif kind == 2:
            thickness = rng.uniform(1.5, 8)
            angle = rng.uniform(0, np.pi)
            d = np.array([np.cos(angle), np.sin(angle)]) * size
            n = np.array([-np.sin(angle), np.cos(angle)]) * thickness / 2
            p, q = np.array([cx, cy]), np.array([cx, cy]) + d
            canvas.fill_polygon(np.array([p + n, q + n, q - n, p - n]), color)
        elif kind == 3:
            canvas.fill_polygon(arrow(cx, cy, size, rng.uniform(0, 2 * np.pi)), color)
        else:
            pts = np.cumsum(rng.normal(0, size / 6, (int(rng.integers(3, 7)), 2)), 0) + [cx, cy]
            pts = np.clip(pts, 0, [w - 1, h - 1])
            x0, y0 = np.floor(pts.min(0)).astype(int) - 3
            x0, y0 = max(x0, 0), max(y0, 0)
            x1, y1 = min(int(pts[:, 0].max()) + 4, w), min(int(pts[:, 1].max()) + 4, h)
            layer = np.zeros((y1 - y0, x1 - x0), np.uint8)
            cv2.polylines(layer, [(pts - [x0, y0]).astype(np.int32)], False, 255, int(rng.integers(1, 4)), cv2.LINE_AA)
            canvas.composite(layer.astype(np.float32) / 255.0, np.asarray(color, np.float32), y0, x0)


def arrow(cx: float, cy: float, size: float, angle: float) -> np.ndarray:
    """An arrow polygon (sign furniture), pointing along ``angle``."""
    shape = (
        np.array([[-0.5, -0.12], [0.1, -0.12], [0.1, -0.3], [0.5, 0.0], [0.1, 0.3], [0.1, 0.12], [-0.5, 0.12]]) * size
    )
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return shape @ rot.T + [cx, cy]
