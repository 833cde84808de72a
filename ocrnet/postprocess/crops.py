"""Cut each detected word out of the original image, straightened, for the recogniser, and map
places in the crop back to the image (to split a region that reads as several words)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocrnet.postprocess.db import order_clockwise


@dataclass
class CropFrame:
    """Where a crop came from: the word's quad and the margin added around it."""

    quad: np.ndarray  # top-left, top-right, bottom-right, bottom-left (reading direction)
    grow: float  # margin in pixels on every side
    width: float  # quad length along the text

    def span(self, start: float, end: float) -> np.ndarray:
        """The part of the quad between two places given as 0-1 across the crop (margins included)."""
        crop_width = self.width + 2 * self.grow
        a, b = (float(np.clip((f * crop_width - self.grow) / self.width, 0.0, 1.0)) for f in (start, end))
        q = self.quad
        top = [q[0] + (q[1] - q[0]) * t for t in (a, b)]
        bottom = [q[3] + (q[2] - q[3]) * t for t in (a, b)]
        return np.array([top[0], top[1], bottom[1], bottom[0]], np.float32)


def reading_quad(polygon: np.ndarray) -> np.ndarray:
    """The polygon as a quad ordered from the start of its reading (longer) side; curved polygons
    become their rotated bounding box."""
    pts = np.asarray(polygon, np.float32).reshape(-1, 2)
    if len(pts) == 4:
        return pts
    box = order_clockwise(cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32))
    if np.linalg.norm(box[1] - box[0]) < np.linalg.norm(box[2] - box[1]):
        box = np.roll(box, -1, axis=0) if box[1, 1] > box[0, 1] else np.roll(box, 1, axis=0)
    return box


def rectify(image: np.ndarray, polygon: np.ndarray, margin: float = 0.08) -> tuple[np.ndarray, CropFrame]:
    """Warp the word's quad to an upright rectangle with a margin of ``margin`` x its height (as the
    recogniser was trained), and say where the crop came from."""
    pts = reading_quad(polygon)
    top, right, bottom, left = (float(np.linalg.norm(pts[(i + 1) % 4] - pts[i])) for i in range(4))
    width, height = max((top + bottom) / 2, 2.0), max((left + right) / 2, 2.0)
    along = (pts[1] - pts[0]) / max(top, 1e-6)
    across = (pts[3] - pts[0]) / max(left, 1e-6)
    grow = margin * height
    grown = pts + np.array([-along - across, along - across, along + across, -along + across], np.float32) * grow
    out_w, out_h = max(int(round(width + 2 * grow)), 4), max(int(round(height + 2 * grow)), 4)
    target = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
    crop = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return crop, CropFrame(pts, grow, width)


def follow_line(crop: np.ndarray, degree: int = 2, reach: float = 2.7, loose: float = 0.6) -> np.ndarray | None:
    """The crop with its text's centre line made level: each column shifted up or down (none moved
    sideways, so places across the crop hold) and the band around the line kept; None where that
    band would take more than ``loose`` of the crop's height (the text already fills the crop, as in
    a tight crop of a straight word, and levelling would only trim its letters). A curved or slanted
    line cut out by a straight box runs across it diagonally and leaves each letter a small part of
    the crop's height. The line is a weighted least-squares curve of ``degree`` through each
    column's centre of edge energy (strokes are edges; a plain or softly shaded ground has few of
    them); the band is ``reach`` times the energy's mean spread about it on either side."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32) if crop.ndim == 3 else crop.astype(np.float32)
    height, width = grey.shape
    edges = np.abs(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)) + 0.5 * np.abs(
        cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    )
    edges = cv2.GaussianBlur(edges, (0, 0), max(height / 20, 1.0))
    edges = np.maximum(edges - np.median(edges), 0.0)  # the ground's own texture, levelled off
    rows = np.arange(height, dtype=np.float32)[:, None]
    energy = edges.sum(0) + 1e-6
    centres = (edges * rows).sum(0) / energy
    spread = np.sqrt((edges * (rows - centres) ** 2).sum(0) / energy)
    half = reach * float(np.average(spread, weights=energy))
    if 2 * half > loose * height:
        return None
    half = max(half, 0.15 * height)
    across = np.arange(width, dtype=np.float32) / width
    line = np.polyval(np.polyfit(across, centres, degree, w=np.sqrt(energy / energy.max())), across)
    band = np.arange(int(round(2 * half)), dtype=np.float32)[:, None]
    map_y = (line[None, :] - half + band).astype(np.float32)
    map_x = np.broadcast_to(np.arange(width, dtype=np.float32), map_y.shape).copy()
    return cv2.remap(crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
