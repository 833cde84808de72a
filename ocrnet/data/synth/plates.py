"""Licence plates (US, EU, German, UK layouts) with frames and dirt, on car-like surroundings."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon

from ocrnet.data.synth.backgrounds import add_clutter, contrasting_color, random_color, texture
from ocrnet.data.synth.canvas import Canvas, Color, render_line
from ocrnet.data.synth.text import PLATE_SLOGANS, US_STATES
from ocrnet.data.synth.toolkit import Toolkit, drawable, panel, place_without_overlap


def plate_layer(kit: Toolkit, size: float) -> tuple[Canvas, str]:
    """A plate drawn on its own layer, and its number as printed (without state name or slogan)."""
    rng = kit.rng
    layout = ("us", "us", "eu", "de", "uk")[rng.integers(5)]
    number = kit.text.plate_number(rng, layout)
    face = kit.face(lambda f: f.condensed or f.bold or f.mono)
    chars = number.split(" ") if layout in ("de", "uk") or " " in number else [number]
    ink: Color = (20.0, 20.0, 30.0) if rng.random() < 0.6 else (20.0, 40.0, 120.0)
    if layout == "us":
        fill = (235.0, 235.0, 230.0) if rng.random() < 0.7 else random_color(rng)
        ink = contrasting_color(rng, fill, 90) if rng.random() < 0.3 else ink
        lines = [[US_STATES[rng.integers(len(US_STATES))]], chars]
        if rng.random() < 0.5:
            lines.append(PLATE_SLOGANS[rng.integers(len(PLATE_SLOGANS))].split())
    else:
        fill = (250.0, 205.0, 20.0) if layout == "uk" and rng.random() < 0.5 else (240.0, 240.0, 240.0)
        lines = [chars]
    banded = layout in ("eu", "de")
    layer = panel(
        kit,
        lines[1:2] if layout == "us" else lines,
        size,
        "plate",
        fill,
        ink,
        face,
        border=ink if rng.random() < 0.6 else None,
        pad=0.35,
        left_band=size * 0.55 if banded else 0.0,
    )
    if layout == "us":  # small state name above and slogan below the number, drawn inside the plate
        small = kit.style(size * 0.3, fill, face=kit.face())
        small.color = (rng.uniform(100, 200), 20.0, 20.0) if rng.random() < 0.5 else ink
        for words, y in (
            (lines[0], size * 0.02),
            *(((lines[2], layer.height - size * 0.38),) if len(lines) > 2 else ()),
        ):
            words = drawable(small.face, words)
            if not words:
                continue
            line = render_line(words, small, 0.0, "plate")
            if line.width < layer.width:
                layer.place_line(line, (layer.width - line.width) / 2, y, 0)
    elif banded:  # blue band on the left, where the panel left room
        band = Canvas(layer.height, int(size * 0.55))
        band.fill_polygon(
            np.array([[0, 0], [band.width, 0], [band.width, band.height], [0, band.height]]),
            (20.0, 50.0, 160.0),
            cls="plate",
        )
        layer.paste(band, np.eye(3))
    for _ in range(int(rng.integers(0, 6))):  # dirt
        cx, cy, r = rng.uniform(0, layer.width), rng.uniform(0, layer.height), rng.uniform(2, size * 0.4)
        angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        blot = np.stack([cx + r * np.cos(angles), cy + 0.6 * r * np.sin(angles)], 1)
        layer.fill_polygon(blot, (90.0, 70.0, 50.0), opacity=rng.uniform(0.1, 0.35))
    return layer, number


def plate_scene(kit: Toolkit, height: int, width: int) -> Canvas:
    rng = kit.rng
    canvas = Canvas(height, width, opaque=True)
    canvas.set_background(texture(rng, height, width))
    add_clutter(canvas, rng, int(rng.integers(0, 6)))
    body = random_color(rng)
    top, bottom = rng.uniform(0.15, 0.45) * height, rng.uniform(0.8, 1.05) * height
    left, right = rng.uniform(-0.1, 0.2) * width, rng.uniform(0.8, 1.1) * width
    canvas.fill_polygon(np.array([[left, top], [right, top], [right, bottom], [left, bottom]]), body)
    for side in (0.15, 0.85):  # lights
        lx = left + (right - left) * side
        canvas.fill_polygon(
            np.array([[lx - 30, top + 20], [lx + 30, top + 20], [lx + 30, top + 45], [lx - 30, top + 45]]),
            random_color(rng),
        )
    occupied: list[Polygon] = []
    for _ in range(1 if rng.random() < 0.85 else 2):
        size = min(height, width) * rng.uniform(0.035, 0.12)
        place_without_overlap(kit, canvas, plate_layer(kit, size)[0], occupied, 10, 0.08)
    if rng.random() < 0.3:  # a dealer name or sticker elsewhere on the car
        words = drawable(kit.face(), kit.text.words(rng, 1, 2))
        if words:
            line = render_line(words, kit.style(min(height, width) * 0.03, body), 0.0, "other")
            place_without_overlap(kit, canvas, line, occupied, 5, 0.05)
    return canvas
