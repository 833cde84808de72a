"""Camera and print degradations applied to finished pixels (never to labels): lighting, blur,
motion blur, noise, JPEG, low resolution; plus the homographies used to place and view layers."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from ocrnet.data.synth.backgrounds import smooth_noise


def motion_blur(image: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """Camera shake: a straight smear ``length`` px long at ``angle_deg``."""
    size = max(3, int(np.ceil(length)) | 1)
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((size / 2 - 0.5, size / 2 - 0.5), angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (size, size))
    kernel /= max(float(kernel.sum()), 1e-6)
    return cv2.filter2D(image, -1, kernel)


def uneven_lighting(rng: np.random.Generator, image: np.ndarray, strength: float) -> np.ndarray:
    """Lighting that varies over the image, sometimes with a cast shadow across it."""
    h, w = image.shape[:2]
    field = smooth_noise(rng, h, w, max(h, w) / rng.uniform(1.0, 3.0))
    gain = 1.0 - strength + 2 * strength * field
    if rng.random() < 0.4:  # a cast shadow: one side darker
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        edge = (xs - w / 2) * np.cos(angle) + (ys - h / 2) * np.sin(angle)
        gain *= np.where(edge > rng.uniform(-0.3, 0.3) * max(h, w), rng.uniform(0.45, 0.85), 1.0)
        gain = cv2.GaussianBlur(gain.astype(np.float32), (0, 0), max(h, w) * 0.01 + 1)
    return np.clip(image.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """JPEG round trip: block and ringing artefacts as photos and scans carry them."""
    ok, data = cv2.imencode(".jpg", image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1] if ok else image


def low_resolution(image: np.ndarray, factor: float) -> np.ndarray:
    """Down-sample by ``factor`` and back up: a small, soft picture at the original size."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, int(w / factor)), max(1, int(h / factor))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


class Degraded(NamedTuple):
    """A degraded image and how far its ink was smeared, so words smeared past reading become don't-care."""

    image: np.ndarray
    smear: float  # pixels a point of ink is spread over by blur and down-sampling (0: sharp)


def degrade(
    rng: np.random.Generator, image: np.ndarray, strength: float = 1.0, text_height: float | None = None
) -> Degraded:
    """A random chain of degradations; ``strength`` 0 leaves the image clean, 1 is typical, 2 harsh.

    With ``text_height`` (pixels: the height of the smallest letters, a lower-case x) blur and
    down-sampling together smear a point of ink over at most 0.4 of it, so a crop stays legible to
    a person: an unreadable crop with a label only teaches the recogniser to guess. Without it,
    the caller learns the smear and can mark the words it made unreadable."""
    if strength <= 0:
        return Degraded(image, 0.0)
    budget = 0.4 * text_height if text_height else np.inf
    smear = 0.0
    out = image
    if rng.random() < 0.5 * strength:
        out = uneven_lighting(rng, out, rng.uniform(0.1, 0.4))
    if rng.random() < 0.3:
        alpha, beta = rng.uniform(0.6, 1.3), rng.uniform(-40, 40)
        out = np.clip(out.astype(np.float32) * alpha + beta, 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        out = np.repeat(gray[..., None], 3, axis=2)
    roll = rng.random()
    if roll < 0.25 * strength:
        length = min(rng.uniform(3, 6 + 10 * strength), budget)
        if length >= 2:
            out = motion_blur(out, length, rng.uniform(0, 180))
            smear += length
    elif roll < 0.55 * strength:
        sigma = max(0.3, min(rng.uniform(0.4, 0.6 + 1.2 * strength), budget / 2.5))
        out = cv2.GaussianBlur(out, (0, 0), sigma)
        smear += 2.5 * sigma
    if rng.random() < 0.2 * strength:
        factor = min(rng.uniform(1.3, 1.5 + 1.5 * strength), budget - smear)
        if factor > 1.1:
            out = low_resolution(out, factor)
            smear += factor
    if rng.random() < 0.5 * strength:
        sigma = rng.uniform(2, 4 + 8 * strength)
        out = np.clip(out.astype(np.float32) + rng.normal(0, sigma, out.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.5 * strength:
        out = jpeg(out, int(rng.integers(max(10, int(60 - 30 * strength)), 95)))
    return Degraded(np.ascontiguousarray(out), smear)


def placement(
    rng: np.random.Generator,
    src_w: float,
    src_h: float,
    centre: tuple[float, float],
    scale: float,
    rotation_deg: float,
    perspective: float,
) -> np.ndarray:
    """Homography that scales a layer, rotates it, tilts it in 3-D and centres it at ``centre``."""
    src = np.float32([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]])
    jitter = rng.uniform(-perspective, perspective, (4, 2)) * np.float32([src_w, src_h])
    corners = (src - [src_w / 2, src_h / 2] + jitter) * scale
    theta = np.radians(rotation_deg)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], np.float32)
    dest = corners @ rot.T + np.float32(centre)
    return cv2.getPerspectiveTransform(src, dest.astype(np.float32)).astype(np.float64)
