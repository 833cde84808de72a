"""Scene composers: natural scenes, road and street signs, licence plates, documents, receipts,
and word/line crops for recognition. Each builds layers on a ``Canvas`` and returns exact labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from ocrnet.data.synth.backgrounds import (
    add_clutter,
    arrow,
    contrasting_color,
    gradient,
    luminance,
    random_color,
    texture,
)
from ocrnet.data.synth.canvas import Canvas, Color, TextStyle, render_line
from ocrnet.data.synth.effects import degrade, placement
from ocrnet.data.synth.fonts import FontFace
from ocrnet.data.synth.text import PLATE_SLOGANS, US_STATES, TextSource
from ocrnet.types import CLASS_ID


@dataclass
class Toolkit:
    """What every composer needs: the seeded generator, fonts and text."""

    rng: np.random.Generator
    fonts: tuple[FontFace, ...]
    text: TextSource

    def face(self, predicate: Callable[[FontFace], bool] | None = None) -> FontFace:
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
    ) -> TextStyle:
        rng = self.rng
        style = TextStyle(
            face=face or self.face(), size=max(6, int(size)), color=contrasting_color(rng, behind, min_contrast)
        )
        if rng.random() < decorate:
            style.outline = contrasting_color(rng, style.color, 80)
            style.outline_width = int(rng.integers(1, max(2, style.size // 12) + 1))
        if rng.random() < decorate:
            style.shadow = (20.0, 20.0, 20.0) if luminance(style.color) > 100 else (230.0, 230.0, 230.0)
            off = max(1, style.size // 14)
            style.shadow_offset = (int(rng.integers(-off, off + 1)), int(rng.integers(1, off + 2)))
        if rng.random() < 0.1:
            style.tracking = float(rng.uniform(0, 0.25) * style.size)
        return style


def drawable(face: FontFace, words: list[str]) -> list[str]:
    """Drop characters the face cannot draw (labels must match pixels), then empty words."""
    kept = ["".join(ch for ch in word if ch in face.glyphs) for word in words]
    return [w for w in kept if w.strip()]


def layer_quad(layer: Canvas, homography: np.ndarray) -> Polygon:
    import cv2

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
) -> bool:
    """Paste a layer at a random spot where it does not cover earlier text; False if none found."""
    rng = kit.rng
    for _ in range(tries):
        centre = (rng.uniform(0.1, 0.9) * canvas.width, rng.uniform(0.1, 0.9) * canvas.height)
        h = placement(rng, layer.width, layer.height, centre, 1.0, rng.uniform(-rotation, rotation), perspective)
        quad = layer_quad(layer, h)
        if not quad.is_valid or any(quad.intersects(o) for o in occupied):
            continue
        if canvas.paste(layer, h):
            occupied.append(quad.buffer(2))
            return True
    return False


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


# -- natural scenes ------------------------------------------------------------------------------
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
        if place_without_overlap(kit, canvas, layer, occupied, rotation, 0.06):
            _attach_lines(canvas, lines_before, block)
    _occlude(kit, canvas, 0.25)
    return canvas


def _attach_lines(canvas: Canvas, first_line: int, block: int) -> None:
    for index in range(first_line, len(canvas.lines)):
        canvas.lines[index].block = block
        canvas.blocks[block].lines.append(index)
        for w in canvas.lines[index].words:
            canvas.words[w].block = block


def _occlude(kit: Toolkit, canvas: Canvas, chance: float) -> None:
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


# -- signs ---------------------------------------------------------------------------------------
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
    _occlude(kit, canvas, 0.15)
    return canvas


# -- licence plates ------------------------------------------------------------------------------
def plate_layer(kit: Toolkit, size: float) -> Canvas:
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
    return layer


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
        place_without_overlap(kit, canvas, plate_layer(kit, size), occupied, 10, 0.08)
    if rng.random() < 0.3:  # a dealer name or sticker elsewhere on the car
        words = drawable(kit.face(), kit.text.words(rng, 1, 2))
        if words:
            line = render_line(words, kit.style(min(height, width) * 0.03, body), 0.0, "other")
            place_without_overlap(kit, canvas, line, occupied, 5, 0.05)
    return canvas


# -- documents and receipts ----------------------------------------------------------------------
def wrap(kit: Toolkit, style: TextStyle, words: list[str], width: float) -> list[list[str]]:
    from ocrnet.data.synth.fonts import load_font

    font = load_font(style.face.path, style.size)
    space = font.getlength(" ")
    lines, current, used = [], [], 0.0
    for word in words:
        length = font.getlength(word)
        if current and used + space + length > width:
            lines.append(current)
            current, used = [], 0.0
        current.append(word)
        used += length + (space if used else 0.0)
    if current:
        lines.append(current)
    return lines


def paper_texture(rng: np.random.Generator, height: int, width: int, paper: np.ndarray) -> np.ndarray:
    """Paper colour with faint fibres and stains, made at a quarter size (pages are large)."""
    import cv2

    small = texture(rng, max(height // 4, 2), max(width // 4, 2))
    grain = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(grain * 0.05 + np.asarray(paper, np.float32) * 0.95, 0, 255)


def document_page(kit: Toolkit, height: int, width: int) -> Canvas:
    """A page with headings, paragraphs, bulleted/numbered lists, ruled/unruled tables, columns."""
    rng = kit.rng
    page = Canvas(height, width, opaque=True)
    paper = np.asarray([rng.uniform(225, 255)] * 3, np.float32) - [0, 0, rng.uniform(0, 15)]
    page.set_background(paper_texture(rng, height, width, paper))
    serif = rng.random() < 0.5
    body_face = kit.face(lambda f: f.serif == serif and not f.bold and not f.italic)
    head_face = kit.face(lambda f: f.bold)
    body = int(min(height, width) * rng.uniform(0.018, 0.032))
    ink: Color = (rng.uniform(0, 50),) * 3
    margin = width * rng.uniform(0.05, 0.1)
    columns = 2 if rng.random() < 0.3 else 1
    gap = width * 0.04
    col_w = (width - 2 * margin - gap * (columns - 1)) / columns
    for col in range(columns):
        x0 = margin + col * (col_w + gap)
        y = height * rng.uniform(0.04, 0.08)
        while y < height * 0.9:
            roll = rng.random()
            if roll < 0.2 or y < height * 0.1:
                y = _heading(kit, page, head_face, body, ink, x0, y, col_w)
            elif roll < 0.55:
                y = _paragraph(kit, page, body_face, body, ink, x0, y, col_w, height)
            elif roll < 0.75:
                y = _list(kit, page, body_face, body, ink, x0, y, col_w, height)
            else:
                y = _table(kit, page, body_face, body, ink, x0, y, col_w, height)
            y += body * rng.uniform(0.6, 1.5)
    if rng.random() < 0.2:
        fill = (200.0, 30.0, 40.0)
        stamp = panel(
            kit,
            [[kit.text.dictionary_word(rng).upper()]],
            body * 1.6,
            "other",
            (250.0, 250.0, 250.0),
            fill,
            kit.face(lambda f: f.bold),
            border=fill,
        )
        stamp.alpha *= 0.85
        stamp.rgb *= 0.85
        centre = (rng.uniform(0.3, 0.8) * width, rng.uniform(0.3, 0.8) * height)
        page.paste(stamp, placement(rng, stamp.width, stamp.height, centre, 1.0, rng.uniform(-30, 30), 0.0))
    return page


def _draw_lines(
    page: Canvas,
    style: TextStyle,
    lines: list[list[str]],
    x: float,
    y: float,
    cls: str,
    step: float,
    bottom: float,
    indent: float = 0.0,
) -> tuple[float, int]:
    block = page.new_block(cls)
    for words in lines:
        words = drawable(style.face, words)
        if y + step > bottom:
            break
        if words:
            page.draw_text(words, style, x + indent, y, cls, block)
        y += step
    return y, block


def _block_class_rect(page: Canvas, block: int, cls: str) -> None:
    """Paint the block's bounding rectangle with its class, beneath the glyph-level labels."""
    idx = [w for line in page.blocks[block].lines for w in page.lines[line].words]
    if not idx:
        return
    pts = np.concatenate([page.words[i].points for i in idx])
    x0, y0 = np.floor(pts.min(0)).astype(int)
    x1, y1 = np.ceil(pts.max(0)).astype(int)
    page.classes[max(y0, 0) : y1, max(x0, 0) : x1] = CLASS_ID[cls]


def _heading(
    kit: Toolkit, page: Canvas, face: FontFace, body: int, ink: Color, x: float, y: float, width: float
) -> float:
    style = kit.style(body * kit.rng.uniform(1.4, 2.4), (255.0,) * 3, face=face, decorate=0.0)
    style.color = ink if kit.rng.random() < 0.7 else contrasting_color(kit.rng, (255.0,) * 3, 100)
    words = kit.text.words(kit.rng, 1, 5)
    if kit.rng.random() < 0.3:
        words.insert(0, f"{kit.rng.integers(1, 12)}.")
    lines = wrap(kit, style, words, width)[:2]
    y, block = _draw_lines(page, style, lines, x, y, "heading", style.size * 1.3, page.height)
    _block_class_rect(page, block, "heading")
    return y


def _paragraph(
    kit: Toolkit, page: Canvas, face: FontFace, body: int, ink: Color, x: float, y: float, width: float, bottom: float
) -> float:
    style = kit.ink_style(body, face, ink)
    lines = wrap(kit, style, kit.text.words(kit.rng, 8, 60), width)
    y, block = _draw_lines(
        page, style, lines, x, y, "paragraph", body * kit.rng.uniform(1.25, 1.6), bottom * 0.97, indent=0.0
    )
    _block_class_rect(page, block, "paragraph")
    return y


def _list(
    kit: Toolkit, page: Canvas, face: FontFace, body: int, ink: Color, x: float, y: float, width: float, bottom: float
) -> float:
    rng = kit.rng
    style = kit.ink_style(body, face, ink)
    numbered = rng.random() < 0.5
    block = page.new_block("list")
    step = body * rng.uniform(1.3, 1.7)
    indent = body * 1.8
    for item in range(int(rng.integers(2, 7))):
        lines = wrap(kit, style, kit.text.words(rng, 2, 14), width - indent)
        if y + step * len(lines) > bottom * 0.97:
            break
        if numbered:
            marker = drawable(face, [f"{item + 1}{('.', ')')[rng.integers(2)]}"])
            if marker:
                page.draw_text(marker, style, x, y, "list", block)
        else:  # a bullet is a shape, not a word
            r = body * 0.18
            cy = y + body * 0.62
            page.fill_polygon(
                np.array(
                    [
                        [x + body * 0.6 + r * np.cos(a), cy + r * np.sin(a)]
                        for a in np.linspace(0, 2 * np.pi, 10, endpoint=False)
                    ]
                ),
                ink,
            )
        for words in lines:
            words = drawable(face, words)
            if words:
                page.draw_text(words, style, x + indent, y, "list", block)
            y += step
    _block_class_rect(page, block, "list")
    return y


def _table(
    kit: Toolkit, page: Canvas, face: FontFace, body: int, ink: Color, x: float, y: float, width: float, bottom: float
) -> float:
    rng = kit.rng
    style = kit.ink_style(body * 0.95, face, ink)
    cols = int(rng.integers(2, 6))
    rows = int(rng.integers(2, 9))
    col_w = width / cols
    row_h = body * rng.uniform(1.6, 2.2)
    ruled = rng.random() < 0.6
    block = page.new_block("table")
    makers = (kit.text.dictionary_word, kit.text.number, kit.text.price, kit.text.date, kit.text.code)
    col_kind = [makers[0]] + [makers[rng.integers(len(makers))] for _ in range(cols - 1)]
    top = y
    for row in range(rows):
        if y + row_h > bottom * 0.97:
            break
        for col in range(cols):
            words = [kit.text.dictionary_word(rng).title()] if row == 0 else [col_kind[col](rng)]
            words = drawable(face, words)
            if words:
                line = render_line(words, style, 0.0, "table")
                if line.width < col_w - body * 0.4:
                    page.place_line(line, x + col * col_w + body * 0.3, y + (row_h - line.height) / 2, block)
        y += row_h
    if ruled:
        thickness = max(1.0, body * 0.06)
        for yy in np.arange(top, y + 1, row_h):
            page.fill_polygon(
                np.array([[x, yy], [x + width, yy], [x + width, yy + thickness], [x, yy + thickness]]), ink
            )
        for xx in np.arange(x, x + width + 1, col_w):
            page.fill_polygon(np.array([[xx, top], [xx + thickness, top], [xx + thickness, y], [xx, y]]), ink)
    _block_class_rect(page, block, "table")
    page.classes[int(top) : int(y), int(x) : int(x + width)] = CLASS_ID["table"]
    return y


def receipt_page(kit: Toolkit, height: int, width: int) -> Canvas:
    rng = kit.rng
    page = Canvas(height, width, opaque=True)
    paper = float(rng.uniform(225, 252))
    page.set_background(paper_texture(rng, height, width, np.full(3, paper, np.float32)))
    face = kit.face(lambda f: f.mono) if rng.random() < 0.6 else kit.face(lambda f: not f.serif)
    body = int(width * rng.uniform(0.035, 0.05))
    ink: Color = (rng.uniform(20, 90),) * 3
    style = kit.ink_style(body, face, ink)
    margin = width * 0.06
    y = body * 1.5
    head = kit.ink_style(body * 1.3, kit.face(lambda f: f.bold), ink)
    y, block = _draw_lines(
        page,
        head,
        [[kit.text.name(rng).upper(), kit.text.dictionary_word(rng).upper()]],
        margin,
        y,
        "heading",
        head.size * 1.4,
        height,
    )
    _block_class_rect(page, block, "heading")
    info = [kit.text.street(rng), [kit.text.phone(rng)], ["Date:", kit.text.date(rng), kit.text.time_of_day(rng)]]
    y, block = _draw_lines(page, style, info, margin, y, "paragraph", body * 1.35, height)
    _block_class_rect(page, block, "paragraph")
    y += body
    block = page.new_block("table")
    top = y
    for _ in range(int(rng.integers(3, 25))):
        if y > height * 0.85:
            break
        item = drawable(face, [kit.text.dictionary_word(rng).upper() for _ in range(int(rng.integers(1, 3)))])
        price = drawable(face, [kit.text.price(rng)])
        if item:
            page.draw_text(item, style, margin, y, "table", block)
        if price:
            line = render_line(price, style, 0.0, "table")
            page.place_line(line, width - margin - line.width, y, block)
        y += body * 1.35
    page.classes[int(top) : int(y), int(margin) : int(width - margin)] = CLASS_ID["table"]
    footer = [["TOTAL", kit.text.price(rng)], ["THANK", "YOU"]]
    y, block = _draw_lines(page, style, footer, margin, y + body * 0.5, "paragraph", body * 1.4, height)
    _block_class_rect(page, block, "paragraph")
    return page.cropped(int(y + body * rng.uniform(1.5, 6)))


def document_scene(kit: Toolkit, height: int, width: int, receipt: bool = False) -> Canvas:
    """A page seen by a scanner (fills the frame) or a phone camera (on a desk, in perspective)."""
    rng = kit.rng
    scan = (not receipt) and rng.random() < 0.45
    if scan:
        page = document_page(kit, height, width)
        canvas = Canvas(height, width, opaque=True)
        canvas.set_background(np.full((height, width, 3), 255.0, np.float32))
        h = placement(rng, width, height, (width / 2, height / 2), rng.uniform(0.97, 1.03), rng.uniform(-2, 2), 0.0)
        canvas.paste(page, h)
        return canvas
    canvas = Canvas(height, width, opaque=True)
    canvas.set_background(texture(rng, height, width))
    if receipt:
        page = receipt_page(kit, int(height * 1.5), int(height * rng.uniform(0.4, 0.6)))
        scale = min(height * rng.uniform(0.8, 1.05) / page.height, width * rng.uniform(0.5, 0.9) / page.width)
    else:
        page_w = int(width * rng.uniform(0.9, 1.4))
        page = document_page(kit, int(page_w * 1.3), page_w)
        scale = width * rng.uniform(0.75, 1.0) / page_w
    h = placement(
        rng,
        page.width,
        page.height,
        (width * rng.uniform(0.4, 0.6), height * rng.uniform(0.4, 0.6)),
        scale,
        rng.uniform(-12, 12),
        0.06,
    )
    canvas.paste(page, h)
    return canvas


COMPOSERS: dict[str, Callable[[Toolkit, int, int], Canvas]] = {
    "scene": natural_scene,
    "sign": sign_scene,
    "plate": plate_scene,
    "document": document_scene,
    "receipt": lambda kit, h, w: document_scene(kit, h, w, receipt=True),
}


# -- recognition crops ---------------------------------------------------------------------------
def word_crop(kit: Toolkit, strength: float = 1.0) -> tuple[np.ndarray, str]:
    """One word or short line on a textured patch, cropped tightly or loosely, degraded."""
    rng = kit.rng
    roll = rng.random()
    if roll < 0.7:
        words = [kit.text.token(rng)]
    elif roll < 0.85:
        words = kit.text.words(rng, 2, 4)
    else:
        words = [kit.text.plate_number(rng, ("us", "eu", "uk", "de")[rng.integers(4)])]
    face = kit.face()
    words = drawable(face, words) or ["text"]
    size = int(rng.uniform(22, 56))
    bg = texture(rng, 8, 8).mean((0, 1))
    style = kit.style(size, bg, face=face, decorate=0.2, min_contrast=55)
    curve = float(rng.uniform(-0.12, 0.12)) if rng.random() < 0.1 else 0.0
    line = render_line(words, style, curve, "other")
    pad = size
    canvas = Canvas(line.height + 2 * pad, line.width + 2 * pad, opaque=True)
    canvas.set_background(texture(rng, canvas.height, canvas.width))
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
    return degrade(rng, np.ascontiguousarray(crop), strength), " ".join(words)
