"""Documents and receipts: headings, paragraphs, bulleted and numbered lists, ruled and
unruled tables, columns and stamps, scanned or photographed on a desk."""

from __future__ import annotations

import cv2
import numpy as np

from ocrnet.data.synth.backgrounds import contrasting_color, texture
from ocrnet.data.synth.canvas import Canvas, Color, TextStyle, render_line
from ocrnet.data.synth.effects import placement
from ocrnet.data.synth.fonts import FontFace, load_font
from ocrnet.data.synth.toolkit import Toolkit, drawable, panel
from ocrnet.types import CLASS_ID


def wrap(kit: Toolkit, style: TextStyle, words: list[str], width: float) -> list[list[str]]:
    """Words broken into lines no wider than ``width`` px in the style's font."""
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
