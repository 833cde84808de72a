"""Natural scenes: boards, posters and free text (rotated, curved, many sizes) on textures with
clutter and occluders."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon

from ocrnet.data.synth.backgrounds import add_clutter, contrasting_color, random_color, texture
from ocrnet.data.synth.canvas import Canvas, render_line
from ocrnet.data.synth.toolkit import Toolkit, attach_lines, drawable, occlude, panel, place_without_overlap


def natural_scene(kit: Toolkit, height: int, width: int) -> Canvas:
    rng = kit.rng
    canvas = Canvas(height, width, opaque=True)
    canvas.set_background(texture(rng, height, width))
    add_clutter(canvas, rng, int(rng.integers(3, 16)))
    occupied: list[Polygon] = []
    short = min(height, width)
    for _ in range(int(rng.integers(2, 9))):
        size = short * float(np.exp(rng.uniform(np.log(0.018), np.log(0.12))))
        if rng.random() < 0.35:
            lines = [kit.text.words(rng, 1, 3) for _ in range(int(rng.integers(1, 4)))]
            fill = random_color(rng)
            layer = panel(
                kit,
                lines,
                size,
                "other",
                fill,
                None,
                kit.face(),
                border=contrasting_color(rng, fill) if rng.random() < 0.3 else None,
                align="center" if rng.random() < 0.6 else "left",
            )
            place_without_overlap(kit, canvas, layer, occupied, 15, 0.08)
            continue
        words = kit.text.words(rng, 1, 4)
        face = kit.face()
        words = drawable(face, words)
        if not words:
            continue
        centre_colour = canvas.rgb[height // 2, width // 2]
        style = kit.style(size, centre_colour, face=face, decorate=0.35, min_contrast=50)
        curve = float(rng.uniform(-0.2, 0.2)) if rng.random() < 0.25 else 0.0
        layer = render_line(words, style, curve, "other")
        block = canvas.new_block("other")
        lines_before = len(canvas.lines)
        rotation = 90 if rng.random() < 0.12 else 20
        if place_without_overlap(kit, canvas, layer, occupied, rotation, 0.06, ink=style.color):
            attach_lines(canvas, lines_before, block)
    occlude(kit, canvas, 0.25)
    return canvas
