"""OCRNet's object-contextual representation head (Yuan, Chen, Wang, ECCV 2020).

1. Soft object regions: an auxiliary head predicts K class maps (supervised, weight 0.4).
2. Object region representations: for each class k, features pooled with a softmax over *pixels*
   of that class's map (normalised over the spatial axis, as in the paper).
3. Pixel-region relation: scaled dot product between each pixel's query and each region's key,
   softmax over the K regions.
4. Object-contextual representation: the relation-weighted sum of region values, concatenated
   with the pixel features and transformed.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ocrnet.models.backbone import conv_bn_relu


class ObjectContextHead(nn.Module):
    """Augments each pixel's features with the context of the object regions it belongs to (steps 1-4 above)."""

    def __init__(self, channels: int, num_classes: int, key_channels: int = 32) -> None:
        super().__init__()
        self.aux = nn.Sequential(conv_bn_relu(channels, channels, 1), nn.Conv2d(channels, num_classes, 1))
        self.query = nn.Sequential(conv_bn_relu(channels, key_channels, 1), conv_bn_relu(key_channels, key_channels, 1))
        self.key = nn.Sequential(conv_bn_relu(channels, key_channels, 1), conv_bn_relu(key_channels, key_channels, 1))
        self.value = conv_bn_relu(channels, key_channels, 1)
        self.out = conv_bn_relu(key_channels, channels, 1)
        self.fuse = nn.Sequential(conv_bn_relu(2 * channels, channels, 1), nn.Dropout2d(0.05))
        self.scale = key_channels**-0.5

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Returns (augmented features, auxiliary class logits), both at the input's resolution."""
        b, c, h, w = x.shape
        aux_logits = self.aux(x)
        weights = torch.softmax(aux_logits.flatten(2).float(), dim=2).to(x.dtype)  # (B, K, HW): over pixels
        regions = torch.bmm(weights, x.flatten(2).transpose(1, 2))  # (B, K, C)
        regions = regions.transpose(1, 2).unsqueeze(-1)  # (B, C, K, 1) so 1x1 convs apply per region
        keys = self.key(regions).flatten(2)  # (B, Ck, K)
        values = self.value(regions).flatten(2).transpose(1, 2)  # (B, K, Ck)
        queries = self.query(x).flatten(2).transpose(1, 2)  # (B, HW, Ck)
        relation = torch.softmax((torch.bmm(queries, keys) * self.scale).float(), dim=2).to(x.dtype)  # (B, HW, K)
        context = torch.bmm(relation, values).transpose(1, 2).reshape(b, -1, h, w)
        augmented = self.fuse(torch.cat([self.out(context), x], dim=1))
        return augmented, aux_logits
