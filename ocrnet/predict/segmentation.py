"""Segment an image: resize to a multiple of 32 (capped), run TextSegNet, map results back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch

from ocrnet.data.transforms import normalize
from ocrnet.models.checkpoint import build_model
from ocrnet.models.segnet import TextSegNet, TextSegNetConfig, textsegnet_resnet18
from ocrnet.postprocess.db import DBParams, polygons_from_map
from ocrnet.postprocess.stroke_edges import StrokeEdgeParams, refine_stroke_edges
from ocrnet.runtime import fast_runner


@dataclass
class SegOutput:
    """TextSegNet's maps at the image's own size and the word polygons found in them."""

    stroke: np.ndarray  # HxW float32 glyph probability, original size
    region: np.ndarray  # HxW float32 DB kernel probability, original size
    classes: np.ndarray  # HxW uint8 arg-max class, original size
    polygons: list[tuple[np.ndarray, float]]  # (polygon in original pixels, detection score)


#: Above this many pixels an image is scaled down before segmentation (memory and time stay
#: bounded for huge photos, while a tall receipt or 1080p frame keeps its small text).
MAX_PIXELS = 2_500_000


def network_size(
    height: int,
    width: int,
    max_side: int,
    max_pixels: int = MAX_PIXELS,
    min_side: int = 32,
    min_long_side: int = 0,
) -> tuple[int, int]:
    """Size fed to the network: a small image enlarged until its longer side is ``min_long_side``
    (small text then spans enough feature-map cells to survive DB's shrunk kernels); longer side at
    most ``max_side``, area at most ``max_pixels``; each side rounded up to a multiple of 32."""
    grow = max(1.0, min_long_side / max(height, width, 1))
    scale = min(grow, max_side / max(height, width), (max_pixels / max(height * width, 1)) ** 0.5)
    h = max(min_side, int(np.ceil(height * scale / 32)) * 32)
    w = max(min_side, int(np.ceil(width * scale / 32)) * 32)
    return h, w


#: Smaller images are enlarged to this longer side first. Chosen on held-out ICDAR 2013 born-digital
#: images (web graphics, often 300-700 px): detection H 0.704 / 0.802 / 0.789 at 0 / 960 / 1280.
MIN_LONG_SIDE = 960


def channel_argmax(logits: np.ndarray) -> np.ndarray:
    """Index of the largest of K channels (K x H x W) per pixel, as uint8 (first one on ties).

    A running maximum over the channels reads each plane once in memory order; ``argmax(0)`` over
    the channel axis of a full-resolution map strides across planes and took 0.09 s of the 0.5 s
    a 1280x720 image gets (this loop: 0.01 s)."""
    best = logits[0].copy()
    index = np.zeros(best.shape, np.uint8)
    for k in range(1, logits.shape[0]):
        higher = logits[k] > best
        np.copyto(best, logits[k], where=higher)
        index[higher] = k
    return index


def map_polygons(
    maps: dict[str, np.ndarray], height: int, width: int, params: DBParams
) -> list[tuple[np.ndarray, float]]:
    """Word polygons in the pixels of a ``height`` x ``width`` image from its network maps."""
    mh, mw = maps["region"].shape
    return polygons_from_map(maps["region"], params, (width / mw, height / mh), maps["classes"])


class Segmenter:
    """Runs TextSegNet on an image of any size (scaled to a multiple of 32, capped) and turns its maps into
    polygons, with stroke edges decided by colour where the network is unsure."""

    def __init__(
        self,
        model: TextSegNet | None = None,
        max_side: int = 2560,
        params: DBParams | None = None,
        backend: str = "auto",
        min_long_side: int = MIN_LONG_SIDE,
        stroke_edges: StrokeEdgeParams | None = StrokeEdgeParams(),
    ) -> None:
        """``stroke_edges=None`` keeps the network's stroke map as it is (no colour refinement)."""
        self.model = (model or textsegnet_resnet18(pretrained=True)).eval()
        self.max_side, self.min_long_side = max_side, min_long_side
        self.params = params or DBParams()
        self.stroke_edges = stroke_edges
        self.runner = fast_runner(
            backend,
            self.model,
            "textsegnet",
            torch.zeros(1, 3, 64, 64),
            ("stroke", "region", "classes"),
            {"images": {2: "height", 3: "width"}},
        )

    @classmethod
    def from_checkpoint(cls, path: str | Path, **kwargs: Any) -> Segmenter:
        """A segmenter around the TextSegNet a checkpoint describes."""
        return cls(build_model(path, TextSegNet, TextSegNetConfig)[0], **kwargs)

    @torch.inference_mode()
    def maps(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """Network maps at network resolution: stroke, region (probabilities), classes (arg-max)."""
        h, w = network_size(image.shape[0], image.shape[1], self.max_side, min_long_side=self.min_long_side)
        resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if h < image.shape[0] else cv2.INTER_LINEAR)
        batch = normalize(resized)[None]
        if self.runner is not None:
            out = {k: torch.from_numpy(v) for k, v in self.runner(batch).items()}
        else:
            out = self.model(torch.from_numpy(batch))
        return {
            "stroke": torch.sigmoid(out["stroke"][0, 0]).numpy(),
            "region": torch.sigmoid(out["region"][0, 0]).numpy(),
            "classes": channel_argmax(out["classes"][0].numpy()),
        }

    def __call__(self, image: np.ndarray) -> SegOutput:
        """Maps at the image's size and the word polygons of an RGB uint8 image."""
        maps = self.maps(image)
        height, width = image.shape[:2]
        polygons = map_polygons(maps, height, width, self.params)
        stroke = cv2.resize(maps["stroke"], (width, height), interpolation=cv2.INTER_LINEAR)
        if self.stroke_edges is not None:
            stroke = refine_stroke_edges(image, stroke, polygons, self.stroke_edges)
        return SegOutput(
            stroke=stroke,
            region=cv2.resize(maps["region"], (width, height), interpolation=cv2.INTER_LINEAR),
            classes=cv2.resize(maps["classes"], (width, height), interpolation=cv2.INTER_NEAREST),
            polygons=polygons,
        )
