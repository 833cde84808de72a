"""TextSegNet: encoder -> FPN -> object-contextual head -> stroke, DB region/threshold and class heads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ocrnet.models.backbone import ResNetEncoder, conv_bn_relu
from ocrnet.models.checkpoint import WEIGHTS_DIR, build_model
from ocrnet.models.fpn import FPNDecoder
from ocrnet.models.ocr_head import ObjectContextHead
from ocrnet.types import CLASS_NAMES

DEFAULT_WEIGHTS = WEIGHTS_DIR / "textsegnet_resnet18.pt"


@dataclass
class TextSegNetConfig:
    """Everything needed to rebuild the network; saved inside every checkpoint."""

    backbone: str = "resnet18"
    base_width: int = 32
    fpn_channels: int = 64
    key_channels: int = 32
    classes: list[str] = field(default_factory=lambda: list(CLASS_NAMES))
    db_k: float = 50.0  # steepness of DB's differentiable binarisation
    # >0: a half-resolution branch from the image sharpens thin strokes (the shipped model: 16);
    # 0 by default so that checkpoints written before the branch existed still load
    skip_channels: int = 0
    # >0: a full-resolution refinement of the stroke map from the image (see StrokeRefiner; the
    # shipped model: 16); 0 by default for the same reason
    refine_channels: int = 0
    # >0: the refiner also sees each pixel against the mean ink and paper colours of a window this
    # many pixels wide (see local_ink_and_paper); 0 by default for the same reason
    refine_context: int = 0


class UpsampleHead(nn.Module):
    """1/4 resolution -> full resolution with two transposed convolutions (DBNet's head shape).

    With ``skip_channels``, features computed from the image itself at 1/2 resolution join before
    the last upsampling (a U-Net-style skip): 1/4-resolution features alone blur 1-2 px strokes.
    """

    def __init__(self, channels: int, outputs: int, skip_channels: int = 0) -> None:
        super().__init__()
        mid = max(channels // 2, 16)
        self.body = nn.Sequential(
            conv_bn_relu(channels, mid),
            nn.ConvTranspose2d(mid, mid, 2, 2, bias=False),
            nn.BatchNorm2d(mid),
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(mid, outputs, 2, 2),
        )
        self.fine = (
            nn.Sequential(conv_bn_relu(3, skip_channels, 3, 2), conv_bn_relu(skip_channels, skip_channels))
            if skip_channels
            else None
        )
        self.merge = conv_bn_relu(mid + skip_channels, mid) if skip_channels else None

    def forward(self, x: Tensor, images: Tensor) -> Tensor:
        x = self.body[:4](x)
        if self.fine is not None:
            x = self.merge(torch.cat([x, self.fine(images)], dim=1))
        return self.body[4](x)


#: Channels added by ``local_ink_and_paper``: colour minus ink (3), colour minus paper (3), position.
CONTEXT_CHANNELS = 7


class StrokeRefiner(nn.Module):
    """Corrects the stroke logits at full resolution from the image pixels themselves.

    The upsampling head draws glyph edges from 1/2-resolution features, which is too coarse for
    the 1-3 px strokes of document text (its masks come out fat and blocky). Three small
    convolutions over the image and the coarse stroke probability add a residual to the logits;
    the last one starts at zero, so a refiner added to a trained network changes nothing until
    it is trained. With ``context``, they also see where each pixel's colour lies between the
    local ink and paper colours, which is what decides whether it is more than half ink.
    """

    def __init__(self, channels: int, context: int = 0) -> None:
        super().__init__()
        self.context = context
        inputs = 4 + (CONTEXT_CHANNELS if context else 0)
        self.body = nn.Sequential(
            conv_bn_relu(inputs, channels), conv_bn_relu(channels, channels), nn.Conv2d(channels, 1, 3, padding=1)
        )
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, coarse: Tensor, images: Tensor) -> Tensor:
        prob = torch.sigmoid(coarse)
        parts = [images, prob]
        if self.context:
            parts.append(local_ink_and_paper(images, prob, self.context))
        return coarse + self.body(torch.cat(parts, dim=1))


def box_mean(x: Tensor, window: int) -> Tensor:
    """Mean over a ``window`` x ``window`` box, as two 1-D passes (cheap at full resolution)."""
    pad = window // 2
    x = F.avg_pool2d(x, (1, window), 1, (0, pad), count_include_pad=False)
    return F.avg_pool2d(x, (window, 1), 1, (pad, 0), count_include_pad=False)


def local_ink_and_paper(images: Tensor, prob: Tensor, window: int) -> Tensor:
    """Each pixel's colour minus the mean ink colour and minus the mean paper colour around it, and
    where it lies on the line from paper (0) to ink (1): a pixel is stroke when it is more than half
    ink, and only these local references say how far from ink an anti-aliased or blurred edge pixel
    is. Ink is weighted by the coarse stroke probability; paper by the probability that no stroke
    touches the pixel, so that the edge pixels being judged do not pull the paper towards ink."""
    ink = box_mean(images * prob, window) / (box_mean(prob, window) + 1e-3)
    clear = 1 - F.max_pool2d(prob, 3, 1, 1)
    paper = box_mean(images * clear, window) / (box_mean(clear, window) + 1e-3)
    to_ink, to_pixel = ink - paper, images - paper
    position = (to_pixel * to_ink).sum(1, keepdim=True) / ((to_ink * to_ink).sum(1, keepdim=True) + 1e-2)
    return torch.cat([images - ink, to_pixel, position.clamp(-2.0, 3.0)], dim=1)


class TextSegNet(nn.Module):
    """One forward pass, every map. Input: (B, 3, H, W) normalised, H and W multiples of 32.

    Returns a dict of logits at full resolution: ``stroke``, ``region`` (DB shrunk-kernel
    probability), ``thresh`` (DB threshold, after sigmoid), ``classes`` (K channels), and, for the
    auxiliary loss, ``aux_classes`` at 1/4 resolution. ``binary`` (DB's approximate binary map) is
    added in training mode only, because inference thresholds the region map directly.
    """

    def __init__(self, config: TextSegNetConfig | None = None) -> None:
        super().__init__()
        self.config = config or TextSegNetConfig()
        cfg = self.config
        self.encoder = ResNetEncoder(cfg.backbone, cfg.base_width)
        self.decoder = FPNDecoder(self.encoder.out_channels, cfg.fpn_channels)
        self.context = ObjectContextHead(cfg.fpn_channels, len(cfg.classes), cfg.key_channels)
        self.text_head = UpsampleHead(cfg.fpn_channels, 3, cfg.skip_channels)  # stroke, region, threshold
        self.class_head = nn.Conv2d(cfg.fpn_channels, len(cfg.classes), 1)
        self.stroke_refiner = StrokeRefiner(cfg.refine_channels, cfg.refine_context) if cfg.refine_channels else None

    def forward(self, images: Tensor) -> dict[str, Tensor]:
        features = self.decoder(self.encoder(images))
        augmented, aux = self.context(features)
        text = self.text_head(augmented, images)
        size = images.shape[-2:]
        stroke = text[:, 0:1]
        if self.stroke_refiner is not None:
            stroke = self.stroke_refiner(stroke, images)
        out = {
            "stroke": stroke,
            "region": text[:, 1:2],
            "thresh": torch.sigmoid(text[:, 2:3]),
            "classes": F.interpolate(self.class_head(augmented), size=size, mode="bilinear", align_corners=False),
            "aux_classes": aux,
        }
        if self.training:
            out["binary"] = torch.sigmoid(self.config.db_k * (torch.sigmoid(out["region"]) - out["thresh"]))
        return out


def textsegnet_resnet18(pretrained: bool = True, weights: str | Path | None = None) -> TextSegNet:
    """The default segmentation network; ``pretrained`` loads the weights shipped in the package."""
    if not pretrained and weights is None:
        return TextSegNet(TextSegNetConfig(skip_channels=16, refine_channels=16))
    return build_model(weights or DEFAULT_WEIGHTS, TextSegNet, TextSegNetConfig)[0]
