"""What ``ocrnet read`` writes beside JSON (overlays, masks, text-erased images, Markdown) and what
``ocrnet segment`` writes (pictures, maps and polygons without reading)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ocrnet.io import append_jsonl, save_image
from ocrnet.layout import word_frame
from ocrnet.postprocess.classes import polygon_class
from ocrnet.predict.segmentation import SegOutput
from ocrnet.types import PageResult
from ocrnet.viz.draw import colour_classes, draw_words, legend


def overlay(image: np.ndarray, result: PageResult) -> np.ndarray:
    """Polygons coloured by class, text above each word, a legend strip below."""
    drawn = draw_words(image, result.words, labels=True, thickness=max(1, image.shape[0] // 400))
    return np.concatenate([drawn, legend(image.shape[1])], axis=0)


def segmentation_picture(
    image: np.ndarray,
    stroke: np.ndarray,
    region: np.ndarray,
    class_map: np.ndarray,
    polygons: list[tuple[np.ndarray, float]],
) -> np.ndarray:
    """2x2: detected polygons over the image, stroke probability, region probability, classes."""
    from ocrnet.types import Word

    boxes = draw_words(image, [Word(polygon=p.tolist(), text="", score=s) for p, s in polygons], labels=False)

    def grey(prob: np.ndarray) -> np.ndarray:
        return np.repeat((np.clip(prob, 0, 1) * 255).astype(np.uint8)[..., None], 3, axis=2)

    heat = cv2.applyColorMap((np.clip(region, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)[..., ::-1]
    classes = (0.45 * image + 0.55 * colour_classes(class_map)).astype(np.uint8)
    grid = np.concatenate([np.concatenate([boxes, grey(stroke)], 1), np.concatenate([heat, classes], 1)], 0)
    return np.concatenate([grid, legend(grid.shape[1])], axis=0)


def segmentation_record(name: str, image: np.ndarray, seg: SegOutput, rotation: int = 0) -> dict:
    """One page's JSON line from ``ocrnet segment``: each polygon with its detection score and the
    class the class map votes inside it; ``rotation``: the degrees (counter-clockwise) the page was
    turned to be segmented upright."""
    height, width = image.shape[:2]
    polygons = [
        {"polygon": p.round(1).tolist(), "score": round(s, 4), "class": polygon_class(seg.classes, p)}
        for p, s in seg.polygons
    ]
    return {"image": name, "width": width, "height": height, "rotation": rotation, "polygons": polygons}


def write_segmentation(
    name: str,
    image: np.ndarray,
    seg: SegOutput,
    stem: str,
    viz: Path | None,
    masks: Path | None,
    json_out: Path | None,
    rotation: int = 0,
) -> None:
    """Whichever of the 2x2 picture, the map PNGs (stroke mask, region probability, classes) and the
    JSON line the user asked for."""
    if viz:
        save_image(viz / f"{stem}.png", segmentation_picture(image, seg.stroke, seg.region, seg.classes, seg.polygons))
    if masks:
        save_image(masks / f"{stem}_stroke.png", (seg.stroke > 0.5).astype(np.uint8) * 255)
        save_image(masks / f"{stem}_region.png", (np.clip(seg.region, 0, 1) * 255).astype(np.uint8))
        save_image(masks / f"{stem}_classes.png", colour_classes(seg.classes))
    if json_out:
        append_jsonl(json_out, segmentation_record(name, image, seg, rotation))


def word_mask_records(result: PageResult) -> list[dict]:
    """Each word's stroke mask for JSON: its box in image pixels (x0, y0, x1, y1) and the mask over
    that box as a 1-bit PNG in base64, a few hundred bytes a word where a list of pixels would be
    kilobytes."""
    return [
        {"box": [int(v) for v in box], "png": png_base64(np.asarray(mask, bool))}
        for mask, box in zip(result.word_masks or [], result.word_mask_boxes or [], strict=True)
    ]


def png_base64(array: np.ndarray) -> str:
    """An array as a PNG in base64 (a bool array as 1-bit, uint8 as 8-bit grey) for JSON answers."""
    png = io.BytesIO()
    Image.fromarray(array).save(png, format="PNG", optimize=True)
    return base64.b64encode(png.getvalue()).decode("ascii")


def segmentation_maps(seg: SegOutput) -> dict[str, str]:
    """A page's maps for JSON: the stroke mask (1-bit), the region probability (8-bit, 255 = 1.0)
    and the class map (8-bit, each pixel its class index in ``CLASS_NAMES``), as base64 PNGs."""
    return {
        "stroke_png": png_base64(seg.stroke > 0.5),
        "region_png": png_base64((np.clip(seg.region, 0, 1) * 255).astype(np.uint8)),
        "classes_png": png_base64(seg.classes.astype(np.uint8)),
    }


def decode_word_mask(record: dict, width: int, height: int) -> np.ndarray:
    """A word's mask from :func:`word_mask_records`, placed in a full-size bool image."""
    full = np.zeros((height, width), bool)
    x0, y0, x1, y1 = record["box"]
    with Image.open(io.BytesIO(base64.b64decode(record["png"]))) as png:
        full[y0:y1, x0:x1] = np.asarray(png.convert("1"), bool)
    return full


def erase_mask(stroke_mask: np.ndarray, result: PageResult) -> tuple[np.ndarray, int]:
    """The pixels erasing repaints (the glyphs grown by a share of the text's height, so their
    anti-aliased rims go too; 0/255) and that growth in pixels."""
    heights = [word_frame(w).height for w in result.words] or [10.0]
    radius = int(np.clip(np.median(heights) * 0.12, 2, 12))
    mask = stroke_mask.astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask, kernel), radius


def erase_text(image: np.ndarray, stroke_mask: np.ndarray, result: PageResult) -> np.ndarray:
    """Remove the glyphs: grow them (``erase_mask``), then inpaint."""
    mask, radius = erase_mask(stroke_mask, result)
    return cv2.inpaint(image, mask, radius + 2, cv2.INPAINT_TELEA)


def _table_rows(result: PageResult, line_ids: list[int]) -> list[list[str]]:
    """Cells of each line: words separated by gaps wider than 1.2 text heights."""
    rows = []
    for li in line_ids:
        words = [result.words[i] for i in result.lines[li].words]
        cells, current = [], [words[0].text] if words else []
        for prev, word in zip(words, words[1:], strict=False):
            height = word_frame(word).height
            gap = word.points[:, 0].min() - prev.points[:, 0].max()
            if gap > 1.2 * height:
                cells.append(" ".join(current))
                current = []
            current.append(word.text)
        if current:
            cells.append(" ".join(current))
        rows.append(cells)
    return rows


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(result: PageResult) -> str:
    """Headings as '#', list items as '-' (numbered items keep their numbers), tables as pipe
    tables, everything else as paragraphs; blocks in reading order."""
    parts = []
    for block in result.blocks:
        texts = [result.lines[li].text for li in block.lines]
        if not texts:
            continue
        if block.cls == "heading":
            parts.append("## " + " ".join(texts))
        elif block.cls == "list":
            items = []
            for text in texts:
                numbered = text.split(" ", 1)[0].rstrip(".)").isdigit()
                items.append(text if numbered else f"- {text.lstrip('•-* ')}")
            parts.append("\n".join(items))
        elif block.cls == "table":
            rows = _table_rows(result, block.lines)
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            lines = ["| " + " | ".join(_escape_cell(c) for c in rows[0]) + " |", "|" + " --- |" * width]
            lines += ["| " + " | ".join(_escape_cell(c) for c in row) + " |" for row in rows[1:]]
            parts.append("\n".join(lines))
        else:
            parts.append(" ".join(texts))
    return "\n\n".join(parts) + "\n"
