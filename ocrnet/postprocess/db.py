"""DB post-processing (Liao et al. 2020): region probability map -> word polygons with scores.

Binarise, trace contours, score each by the mean probability inside it, then grow ("unclip")
the shrunk kernel back to the word's extent with pyclipper. Straight words become 4-point
rotated boxes; words whose contour is far from convex (curved text) keep a polygon.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pyclipper
from shapely import make_valid
from shapely.geometry import Polygon

from ocrnet.postprocess.classes import polygon_class

#: DB's shrink ratio for the training kernels; unclipping must undo the same offset.
SHRINK_RATIO = 0.4


@dataclass
class DBParams:
    """Thresholds that turn DB's region map into polygons."""

    # chosen for the shipped weights with `ocrnet tune-db --data icdar2013_born_digital` (best mean
    # H-mean of the synthetic tuning set, seed 1001, and ICDAR 2013's training split), small images
    # enlarged to 960 px: mean H 0.852 against 0.843 for the earlier 0.4 / 0.6 / 1.8
    binary_threshold: float = 0.3
    box_threshold: float = 0.6
    unclip_ratio: float = 1.5
    # plate regions grow less: the plate's frame, state name and bolts lie right around its
    # number, and a wider crop reads them as extra characters. Training splits, shipped weights,
    # plate ratio 1.5 / 1.4 / 1.3 / 1.2 / 1.1 / 1.0: plates read 137 / 140 / 143 / 146 / 148 / 148
    # of 166, ICDAR 2013 (110 images; the class map takes some of its words for plates) end-to-end
    # H 0.836 / 0.834 / 0.832 / 0.827 / 0.825 / 0.820
    plate_unclip_ratio: float = 1.1
    min_size: float = 3.0  # shorter side of a detection, pixels of the map
    max_candidates: int = 1000
    # contour area / convex hull area below which a word is "curved": straight kernels are convex
    # (rounded rectangles, ellipses), kernels following an arc are not
    curved_solidity: float = 0.9


def shrink_offset(polygon: np.ndarray, ratio: float = SHRINK_RATIO) -> float:
    """DB's D = A (1 - r^2) / L."""
    poly = Polygon(polygon)
    return poly.area * (1 - ratio**2) / max(poly.length, 1e-6)


def offset_polygon(polygon: np.ndarray, distance: float) -> list[np.ndarray]:
    """Grow (distance > 0) or shrink (< 0) a polygon with rounded joins; may split or vanish."""
    clipper = pyclipper.PyclipperOffset()
    clipper.AddPath([tuple(map(int, np.round(p))) for p in polygon], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return [np.asarray(p, np.float32) for p in clipper.Execute(distance)]


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Clockwise in image coordinates (y down), starting at the top-left-most point."""
    pts = np.asarray(points, np.float32).reshape(-1, 2)
    area = 0.5 * np.sum(pts[:, 0] * np.roll(pts[:, 1], -1) - np.roll(pts[:, 0], -1) * pts[:, 1])
    if area < 0:  # counter-clockwise on screen
        pts = pts[::-1]
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def valid_polygon(points: np.ndarray) -> Polygon | None:
    """The polygon, repaired when the contour touches itself (a one-pixel neck in the kernel makes
    an invalid ring), or None when nothing with an area is left."""
    poly = Polygon(points)
    if not poly.is_valid:
        repaired = make_valid(poly).buffer(1.0)  # one pixel joins the parts across the neck again
        parts = list(getattr(repaired, "geoms", [repaired]))
        poly = max(parts, key=lambda g: g.area) if parts else None
    return poly if isinstance(poly, Polygon) and poly.area > 0 else None


def polygons_from_map(
    prob: np.ndarray,
    params: DBParams | None = None,
    scale: tuple[float, float] = (1.0, 1.0),
    classes: np.ndarray | None = None,
) -> list[tuple[np.ndarray, float]]:
    """(polygon in original pixels, score) for each text region in ``prob`` (HxW, 0..1).
    ``scale`` = (sx, sy) maps map pixels to original image pixels. With the class map (HxW class
    ids), regions the class map calls plates grow by ``params.plate_unclip_ratio``."""
    params = params or DBParams()
    binary = (prob > params.binary_threshold).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    h, w = prob.shape
    for contour in contours[: params.max_candidates]:
        if len(contour) < 3:
            continue
        rect = cv2.minAreaRect(contour)
        if min(rect[1]) < params.min_size * 0.5:
            continue
        score = _mean_inside(prob, contour.reshape(-1, 2))
        if score < params.box_threshold:
            continue
        solidity = cv2.contourArea(contour) / max(cv2.contourArea(cv2.convexHull(contour)), 1e-6)
        curved = solidity < params.curved_solidity and len(contour) >= 6
        base = contour.reshape(-1, 2).astype(np.float32) if curved else cv2.boxPoints(rect)
        poly = valid_polygon(base)
        if poly is None:
            continue
        base = np.asarray(poly.exterior.coords[:-1], np.float32)
        plate = classes is not None and polygon_class(classes, base) == "plate"
        ratio = params.plate_unclip_ratio if plate else params.unclip_ratio
        grown = offset_polygon(base, poly.area * ratio / max(poly.length, 1e-6))
        if not grown:
            continue
        grown_pts = max(grown, key=lambda p: cv2.contourArea(p))
        if curved:
            eps = 0.01 * cv2.arcLength(grown_pts.reshape(-1, 1, 2), True)
            final = cv2.approxPolyDP(grown_pts.reshape(-1, 1, 2), eps, True).reshape(-1, 2).astype(np.float32)
            if len(final) < 4:
                final = cv2.boxPoints(cv2.minAreaRect(grown_pts))
        else:
            grown_rect = cv2.minAreaRect(grown_pts)
            if min(grown_rect[1]) < params.min_size + 2:
                continue
            final = cv2.boxPoints(grown_rect)
        final = order_clockwise(final)
        final[:, 0] = np.clip(final[:, 0], 0, w) * scale[0]
        final[:, 1] = np.clip(final[:, 1], 0, h) * scale[1]
        out.append((final, float(score)))
    return out


def _mean_inside(prob: np.ndarray, points: np.ndarray) -> float:
    x0, y0 = np.floor(points.min(0)).astype(int)
    x1, y1 = np.ceil(points.max(0)).astype(int) + 1
    x0, y0 = max(x0, 0), max(y0, 0)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [(points - [x0, y0]).astype(np.int32)], 1)
    region = prob[y0:y1, x0:x1]
    return float(cv2.mean(region, mask[: region.shape[0], : region.shape[1]])[0])
