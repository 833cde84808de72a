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
