"""On-the-fly torch datasets: every item is rendered from its index, so training needs no disk
and two workers never draw the same sample."""

from __future__ import annotations

import numpy as np
from torch.utils.data import Dataset

from ocrnet.data.synth import KINDS, generate, generate_crop
from ocrnet.types import Annotation


class SynthScenes(Dataset):
    """``length`` scenes; item i is kind ``kinds[j]`` with probability ``weights[j]``, seeded by (seed, i)."""

    def __init__(
        self,
        length: int,
        kinds: tuple[str, ...] = KINDS,
        weights: tuple[float, ...] | None = None,
        seed: int = 0,
        size: tuple[int, int] = (640, 640),
        strength: float = 1.0,
    ) -> None:
        self.length, self.kinds, self.seed, self.size, self.strength = length, kinds, seed, size, strength
        w = np.asarray(weights if weights is not None else [1.0] * len(kinds), np.float64)
        self.cumulative = np.cumsum(w / w.sum())

    def __len__(self) -> int:
        return self.length

    def kind_of(self, index: int) -> str:
        u = np.random.default_rng((self.seed, index, 7)).random()
        return self.kinds[int(np.searchsorted(self.cumulative, u, side="right").clip(0, len(self.kinds) - 1))]

    def __getitem__(self, index: int) -> Annotation:
        return generate(self.kind_of(index), (self.seed, index), size=self.size, strength=self.strength)


class SynthCrops(Dataset):
    """``length`` word/line crops as (RGB uint8 image, text)."""

    def __init__(self, length: int, seed: int = 0, strength: float = 1.0) -> None:
        self.length, self.seed, self.strength = length, seed, strength

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> tuple[np.ndarray, str]:
        return generate_crop((self.seed, index), self.strength)
