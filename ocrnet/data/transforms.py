"""Augmentations and tensor conversion for training and inference inputs."""

from __future__ import annotations

import cv2
import numpy as np
import torch

from ocrnet.data.synth.effects import jpeg, low_resolution, motion_blur

MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255.0
STD = np.array([0.229, 0.224, 0.225], np.float32) * 255.0


def normalize(image: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 RGB -> 3xHxW float32 normalised."""
    return ((image.astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)


def photometric(rng: np.random.Generator, image: np.ndarray, blur_strength: float = 1.0) -> np.ndarray:
    """Blur (motion blur as heavy as ICDAR 2015's dev copy), noise, JPEG, contrast, low resolution."""
    out = image
    roll = rng.random()
    if roll < 0.25 * blur_strength:
        out = motion_blur(out, rng.uniform(3, 4 + 14 * blur_strength), rng.uniform(0, 180))
    elif roll < 0.45 * blur_strength:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 0.8 + 1.2 * blur_strength))
    if rng.random() < 0.3:
        alpha, beta = rng.uniform(0.6, 1.4), rng.uniform(-40, 40)
        out = np.clip(out.astype(np.float32) * alpha + beta, 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        out = low_resolution(out, rng.uniform(1.3, 2.5))
    if rng.random() < 0.3:
        out = np.clip(out.astype(np.float32) + rng.normal(0, rng.uniform(2, 12), out.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.2:
        out = jpeg(out, int(rng.integers(20, 90)))
    if rng.random() < 0.1:
        out = 255 - out
    return np.ascontiguousarray(out)


# -- recognition ---------------------------------------------------------------------------------
def rec_width(height: int, width: int, target_height: int = 32, max_width: int = 512) -> int:
    """Width after scaling to ``target_height``, kept in proportion, rounded up to a multiple of 4."""
    scaled = int(np.ceil(width * target_height / max(height, 1) / 4.0)) * 4
    return int(np.clip(scaled, 16, max_width))


def rec_batch(images: list[np.ndarray], target_height: int = 32, max_width: int = 512, pad_to: int = 0) -> torch.Tensor:
    """Resize crops to one height, keep their proportions, pad on the right to the widest (or to
    ``pad_to`` where that is wider)."""
    widths = [rec_width(im.shape[0], im.shape[1], target_height, max_width) for im in images]
    batch = np.zeros((len(images), 3, target_height, max(max(widths), pad_to)), np.float32)
    for i, (image, width) in enumerate(zip(images, widths, strict=True)):
        resized = cv2.resize(
            image,
            (width, target_height),
            interpolation=cv2.INTER_AREA if image.shape[0] > target_height else cv2.INTER_LINEAR,
        )
        batch[i, :, :, :width] = normalize(resized)
    return torch.from_numpy(batch)


def crop_geometry(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Small perspective/rotation jitter and tighter or looser crop edges."""
    h, w = image.shape[:2]
    if rng.random() < 0.5:
        jitter = rng.uniform(-0.06, 0.06, (4, 2)) * [w * 0.3, h]
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = (src + jitter).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        image = cv2.warpPerspective(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.4:
        top, bottom = (rng.uniform(0, 0.08, 2) * h).astype(int)
        left, right = (rng.uniform(0, 0.04, 2) * w).astype(int)
        cut = image[top : h - bottom, left : w - right]
        if cut.shape[0] >= 4 and cut.shape[1] >= 4:
            image = cut
    return image
