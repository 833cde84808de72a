"""Cut each detected word out of the original image, straightened, for the recogniser."""

from __future__ import annotations

import cv2
import numpy as np


def rectify(image: np.ndarray, polygon: np.ndarray, margin: float = 0.08) -> np.ndarray:
    """Warp the word's quad (or, for curved polygons, its rotated box) to an upright rectangle,
    with a margin of ``margin`` x its height, which matches how the recogniser was trained."""
    pts = np.asarray(polygon, np.float32).reshape(-1, 2)
    if len(pts) != 4:
        pts = cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32)
        pts = _top_left_first(pts)
    top, right, bottom, left = (np.linalg.norm(pts[(i + 1) % 4] - pts[i]) for i in range(4))
    width, height = max((top + bottom) / 2, 2.0), max((left + right) / 2, 2.0)
    # grow the quad outwards along its own axes
    along = (pts[1] - pts[0]) / max(top, 1e-6)
    across = (pts[3] - pts[0]) / max(left, 1e-6)
    grow = margin * height
    grown = pts + np.array([-along - across, along - across, along + across, -along + across], np.float32) * grow
    out_w, out_h = int(round(width + 2 * grow)), int(round(height + 2 * grow))
    target = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
    return cv2.warpPerspective(
        image, matrix, (max(out_w, 4), max(out_h, 4)), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _top_left_first(box: np.ndarray) -> np.ndarray:
    """Order a rotated box clockwise from the corner that starts its longer (reading) side."""
    from ocrnet.postprocess.db import order_clockwise

    box = order_clockwise(box)
    if np.linalg.norm(box[1] - box[0]) < np.linalg.norm(box[2] - box[1]):
        box = np.roll(box, -1, axis=0) if box[1, 1] > box[0, 1] else np.roll(box, 1, axis=0)
    return box
