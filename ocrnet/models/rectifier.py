"""A spatial transformer in front of the recogniser (after ASTER, Shi et al. 2018, which uses a
thin-plate spline; an affine one is enough for slanted lines). A crop cut straight around a
slanted line holds the text in a diagonal band: scaled to 32 rows, a long line's letters get a
third of them. The rectifier reads the crop, turns it back level and zooms on the band before the
CRNN sees it. Padding-aware: crops are padded on the right to the batch's widest, so each crop is
turned about its own centre and pooled over its own columns."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ocrnet.models.backbone import conv_bn_relu

#: the largest turn (radians, about 8.6 degrees) and zoom (e^1, about 2.7x) it may apply: a long
#: line slanted 6 degrees fills about a third of the box cut straight around it
MAX_ANGLE = 0.15
MAX_LOG_ZOOM = 1.0


class Rectifier(nn.Module):
    """Input and output (B, 3, H, W), normalised, zero-padded on the right. Starts as the identity
    (the regressor's last layer is zero), so it can be added to trained weights and fine-tuned."""

    def __init__(self, channels: int = 32, bins: int = 8, height: int = 32) -> None:
        super().__init__()
        self.bins = bins
        self.features = nn.Sequential(
            nn.AvgPool2d(2),  # H/2
            conv_bn_relu(3, channels),
            nn.MaxPool2d(2),  # H/4
            conv_bn_relu(channels, 2 * channels),
            nn.MaxPool2d(2),  # H/8
            conv_bn_relu(2 * channels, 2 * channels),
        )
        self.regress = nn.Sequential(
            nn.Linear(2 * channels * (height // 8) * bins, 64), nn.ReLU(inplace=True), nn.Linear(64, 3)
        )
        # turn, zoom and shift (pixels) that the regressor's tanh outputs span
        self.register_buffer("ranges", torch.tensor([MAX_ANGLE, MAX_LOG_ZOOM, height / 4]), persistent=False)
        nn.init.zeros_(self.regress[2].weight)
        nn.init.zeros_(self.regress[2].bias)

    def forward(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """The levelled images and the (B, 3) transform applied (see ``transform``)."""
        _, _, height, width = images.shape
        # (B, W): padding is exact zeros, and no pixel normalises to zero (the means are not whole)
        valid = (images.abs().amax(dim=(1, 2)) > 0).to(images.dtype)
        widths = valid.sum(1).clamp(min=4.0)
        transform = self.transform(images, widths)
        angle, log_zoom, shift = transform.unbind(1)
        # each output pixel samples the input turned by ``angle`` about the crop's own centre,
        # rows drawn together by the zoom and moved by ``shift`` (pixels)
        u = torch.arange(width, device=images.device, dtype=images.dtype) + 0.5
        v = torch.arange(height, device=images.device, dtype=images.dtype) + 0.5
        cx, cy = widths[:, None, None] / 2, height / 2
        du = u[None, None, :] - cx  # (B, 1, W)
        dv = (v[None, :, None] - cy) * torch.exp(-log_zoom)[:, None, None]  # (B, H, 1)
        cos, sin = torch.cos(angle)[:, None, None], torch.sin(angle)[:, None, None]
        xs = cx + cos * du - sin * dv
        ys = cy + shift[:, None, None] + sin * du + cos * dv
        grid = torch.stack((xs / width * 2 - 1, ys / height * 2 - 1), dim=-1)
        out = F.grid_sample(images, grid.to(images.dtype), mode="bilinear", padding_mode="border", align_corners=False)
        return out * valid[:, None, None, :], transform

    def transform(self, images: Tensor, widths: Tensor) -> Tensor:
        """(B, 3) for each crop: the slope (radians, down to the right) of the line it levels, the log
        of the zoom, and the vertical shift (pixels)."""
        features = self.features(images)  # (B, C, H/8, W/8)
        columns = features.shape[3]
        centres = (torch.arange(columns, device=images.device, dtype=features.dtype) + 0.5) * (
            images.shape[3] / columns
        )
        # pool the feature columns of each crop into ``bins`` equal parts of its own width
        which = torch.floor(centres[None, :] / widths[:, None] * self.bins)  # (B, W/8)
        member = (which[:, :, None] == torch.arange(self.bins, device=images.device)[None, None, :]).to(features.dtype)
        pooled = torch.einsum("bchw,bwk->bchk", features, member) / member.sum(1).clamp(min=1.0)[:, None, None, :]
        return torch.tanh(self.regress(pooled.flatten(1))) * self.ranges.to(features.dtype)
