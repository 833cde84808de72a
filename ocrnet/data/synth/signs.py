"""Road and street signs: guide panels with destinations and distances, street names, STOP and
regulatory signs, on poles against sky and ground."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon

from ocrnet.data.synth.backgrounds import add_clutter, gradient, random_color
from ocrnet.data.synth.canvas import Canvas, Color
from ocrnet.data.synth.toolkit import Toolkit, occlude, panel, place_without_overlap

SIGN_COLOURS: tuple[tuple[Color, Color], ...] = (
    ((0.0, 110.0, 60.0), (255.0, 255.0, 255.0)),  # green guide sign
    ((20.0, 60.0, 160.0), (255.0, 255.0, 255.0)),  # blue motorway / info
    ((110.0, 60.0, 30.0), (255.0, 255.0, 255.0)),  # brown tourist
    ((245.0, 245.0, 245.0), (10.0, 10.0, 10.0)),  # white regulatory
    ((250.0, 200.0, 20.0), (10.0, 10.0, 10.0)),  # yellow warning / diversion
)


def sign_scene(kit: Toolkit, height: int, width: int) -> Canvas:
    rng = kit.rng
    canvas = Canvas(height, width, opaque=True)
    sky = gradient(
        rng, height, width, (rng.uniform(120, 200), rng.uniform(160, 220), 255.0), (rng.uniform(200, 255),) * 3
    )
    canvas.set_background(sky)
    horizon = rng.uniform(0.5, 0.85) * height
    canvas.fill_polygon(
        np.array([[0, horizon], [width, horizon + rng.uniform(-40, 40)], [width, height], [0, height]]),
        random_color(rng),
    )
    add_clutter(canvas, rng, int(rng.integers(2, 10)))
    occupied: list[Polygon] = []
    short = min(height, width)
    for _ in range(int(rng.integers(1, 4))):
        size = short * rng.uniform(0.03, 0.09)
        roll = rng.random()
        face = kit.face(lambda f: not f.serif and not f.italic)
        if roll < 0.45:
            fill, ink = SIGN_COLOURS[rng.integers(3)]
            lines = [kit.text.destination(rng) for _ in range(int(rng.integers(1, 4)))]
            if rng.random() < 0.3:
                lines.insert(0, ["EXIT", str(int(rng.integers(1, 200)))])
            layer = panel(
                kit, lines, size, "sign", fill, ink, face, border=ink, align="left", arrow_side=rng.random() < 0.5
            )
        elif roll < 0.7:
            fill, ink = SIGN_COLOURS[rng.integers(2)]
            layer = panel(kit, [kit.text.street(rng)], size, "sign", fill, ink, face, border=ink, pad=0.3)
        elif roll < 0.82:
            layer = panel(
                kit,
                [["STOP"]],
                size * 1.4,
                "sign",
                (200.0, 20.0, 30.0),
                (255.0, 255.0, 255.0),
                face,
                border=(255.0, 255.0, 255.0),
                shape="octagon",
            )
        else:
            fill, ink = SIGN_COLOURS[3 + rng.integers(2)]
            phrase = kit.text.regulatory(rng)
            lines = [phrase[i : i + 2] for i in range(0, len(phrase), 2)]
            layer = panel(kit, lines, size, "sign", fill, ink, face, border=ink)
        if place_without_overlap(kit, canvas, layer, occupied, 12, 0.1):
            quad = np.asarray(occupied[-1].exterior.coords)
            bottom = quad[:, 1].max()
            cx = quad[:, 0].mean()
            pole = max(3.0, layer.width * 0.04)
            if bottom < height - 2 and rng.random() < 0.8:
                canvas.occlude(
                    np.array([[cx - pole, bottom], [cx + pole, bottom], [cx + pole, height], [cx - pole, height]]),
                    (110.0, 110.0, 115.0),
                )
    occlude(kit, canvas, 0.15)
    return canvas
