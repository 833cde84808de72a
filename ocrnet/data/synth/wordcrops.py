"""Word and line crops for recognition training."""

from __future__ import annotations

import cv2
import numpy as np

from ocrnet.data.synth.backgrounds import texture, texture_and_ink
from ocrnet.data.synth.canvas import Canvas, render_line
from ocrnet.data.synth.effects import degrade, placement
from ocrnet.data.synth.plates import plate_layer
from ocrnet.data.synth.toolkit import Toolkit, drawable

#: A lower-case x is about half the font size; legibility is judged on the smallest letters.
X_HEIGHT = 0.5


def plate_crop(kit: Toolkit, strength: float = 1.0) -> tuple[np.ndarray, str]:
    """A whole licence plate (state name and slogan included) labelled with its number only, as
    the real plate crops are: the recogniser learns to read the number and skip the small print."""
    rng = kit.rng
    size = float(rng.uniform(24, 56))
    layer, number = plate_layer(kit, size)
    pad = int(layer.height * 0.3)
    canvas = Canvas(layer.height + 2 * pad, layer.width + 2 * pad, opaque=True)
    canvas.set_background(texture(rng, canvas.height, canvas.width))
    centre = (canvas.width / 2, canvas.height / 2)
    canvas.paste(layer, placement(rng, layer.width, layer.height, centre, 1.0, rng.uniform(-3, 3), 0.03))
    margin = rng.uniform(0.0, 0.8, 4) * pad
    top, left = int(margin[0]), int(margin[1])
    bottom, right = int(canvas.height - margin[2]), int(canvas.width - margin[3])
    crop = canvas.rgb_uint8()[top:bottom, left:right]
    return degrade(rng, squeeze(rng, crop), strength, text_height=size).image, number


def word_crop(kit: Toolkit, strength: float = 1.0) -> tuple[np.ndarray, str]:
    """One word or short line on a textured patch, cropped tightly or loosely, degraded; now and
    then a whole licence plate."""
    rng = kit.rng
    roll = rng.random()
    if roll < 0.05:
        return plate_crop(kit, strength)
    if roll < 0.7:
        words = [kit.text.token(rng)]
    elif roll < 0.85:
        words = kit.text.words(rng, 2, 4)
    else:
        words = [kit.text.plate_number(rng, ("us", "eu", "uk", "de")[rng.integers(4)])]
    face = kit.face()
    words = drawable(face, words) or ["text"]
    size = int(rng.uniform(22, 56))
    pad = size
    chars = sum(len(w) + 1 for w in words)
    surface, ink = texture_and_ink(rng, 2 * size + 2 * pad, int(size * 0.8 * chars) + 2 * pad, min_delta=55)
    style = kit.style(size, ink, face=face, decorate=0.2, color=ink)
    curve = float(rng.uniform(-0.12, 0.12)) if rng.random() < 0.1 else 0.0
    line = render_line(words, style, curve, "other")
    canvas = Canvas(line.height + 2 * pad, line.width + 2 * pad, opaque=True)
    canvas.set_background(cv2.resize(surface, (canvas.width, canvas.height), interpolation=cv2.INTER_LINEAR))
    h = placement(rng, line.width, line.height, (canvas.width / 2, canvas.height / 2), 1.0, rng.uniform(-4, 4), 0.04)
    canvas.paste(line, h)
    pts = np.concatenate([w.points for w in canvas.words]) if canvas.words else np.float32([[0, 0]])
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    text_h = y1 - y0
    mx0, mx1 = rng.uniform(-0.08, 0.35, 2) * text_h
    my0, my1 = rng.uniform(-0.08, 0.3, 2) * text_h
    left, right = int(max(0, x0 - mx0)), int(min(canvas.width, x1 + mx1))
    top, bottom = int(max(0, y0 - my0)), int(min(canvas.height, y1 + my1))
    crop = canvas.rgb_uint8()[top : max(bottom, top + 4), left : max(right, left + 4)]
    return degrade(rng, squeeze(rng, crop), strength, text_height=X_HEIGHT * size).image, " ".join(words)


def squeeze(rng: np.random.Generator, crop: np.ndarray, chance: float = 0.3) -> np.ndarray:
    """Now and then narrow or widen the crop: condensed plate and sign lettering (narrow M and W)
    that the font files alone do not cover."""
    if rng.random() >= chance:
        return np.ascontiguousarray(crop)
    height, width = crop.shape[:2]
    new_width = max(4, int(round(width * rng.uniform(0.6, 1.4))))
    return cv2.resize(crop, (new_width, height), interpolation=cv2.INTER_AREA)
