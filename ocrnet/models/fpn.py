"""Feature pyramid decoder: lateral 1x1 convs, top-down sums, all levels fused at 1/4 resolution."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from ocrnet.models.backbone import conv_bn_relu


class FPNDecoder(nn.Module):
    """The 1/4 level is used as its lateral alone: a 3x3 conv there would cost as much as the
    whole fuse step, and the fuse conv already mixes it with the coarser levels."""

    def __init__(self, in_channels: list[int], channels: int = 64) -> None:
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, channels, 1) for c in in_channels)
        self.smooth = nn.ModuleList(conv_bn_relu(channels, channels) for _ in in_channels[1:])
        self.fuse = conv_bn_relu(channels, channels)

    def forward(self, features: list[Tensor]) -> Tensor:
        """The encoder's maps, finest first, fused into one map at the finest one's size."""
        laterals = [lat(f) for lat, f in zip(self.lateral, features, strict=True)]
        for i in range(len(laterals) - 1, 0, -1):
            up = F.interpolate(laterals[i], size=laterals[i - 1].shape[-2:], mode="nearest")
            laterals[i - 1] = laterals[i - 1] + up
        size = laterals[0].shape[-2:]
        fused = laterals[0]
        for smooth, x in zip(self.smooth, laterals[1:], strict=True):
            fused = fused + F.interpolate(smooth(x), size=size, mode="bilinear", align_corners=False)
        return self.fuse(fused)
