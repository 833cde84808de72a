"""CRNN (Shi, Bai, Yao 2015): a convolutional body that squeezes the height to one row, a BiLSTM
over the columns, and per-column class scores for CTC (index 0 = blank)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from torch import Tensor, nn

from ocrnet.charset import DEFAULT_CHARSET
from ocrnet.models.backbone import BasicBlock, conv_bn_relu
from ocrnet.models.checkpoint import WEIGHTS_DIR, build_model

DEFAULT_WEIGHTS = WEIGHTS_DIR / "crnn.pt"


@dataclass
class CRNNConfig:
    """Sizes and charset of a CRNN; saved in its checkpoints so they rebuild the same network."""

    charset: str = DEFAULT_CHARSET
    height: int = 32  # input rows: 32, or 48 to give small letters in loose or slanted crops more pixels
    width: int = 32  # channels of the first conv; later ones are multiples
    hidden: int = 160
    layers: int = 2
    stride: int = 4  # input columns per CTC frame: 4, or 2 for two frames where 4 gives one
    blocks: int = 0  # residual blocks after each of the two deepest convolution stages

    @property
    def num_classes(self) -> int:
        return len(self.charset) + 1


class CRNN(nn.Module):
    """Input (B, 3, height, W), normalised; output logits (T = W/stride, B, classes) for CTC."""

    @property
    def feature_channels(self) -> int:
        """Channels of ``features``, the body's output (what a training guide reads)."""
        return 6 * self.config.width

    def __init__(self, config: CRNNConfig | None = None) -> None:
        super().__init__()
        self.config = config or CRNNConfig()
        c = self.config.width
        if self.config.height not in (32, 48):
            raise ValueError("CRNN input height must be 32 or 48")
        if self.config.stride not in (2, 4):
            raise ValueError("CRNN frame stride must be 2 or 4")
        # Stride 2 keeps the width at the second pooling: narrow lettering gives each letter twice
        # the CTC frames (a letter under ~2.5 frames at stride 4 is often dropped or merged).
        second_pool = nn.MaxPool2d(2, 2) if self.config.stride == 4 else nn.MaxPool2d((2, 1), (2, 1))
        self.body = nn.Sequential(
            conv_bn_relu(3, c),
            nn.MaxPool2d(2, 2),  # 16 x W/2
            conv_bn_relu(c, 2 * c),
            second_pool,  # 8 x W/stride
            conv_bn_relu(2 * c, 4 * c),
            conv_bn_relu(4 * c, 4 * c),
            nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/stride
            conv_bn_relu(4 * c, 6 * c),
            conv_bn_relu(6 * c, 6 * c),
            nn.MaxPool2d((2, 1), (2, 1)),  # 2 x W/stride
            nn.Conv2d(6 * c, 6 * c, (2, 1), bias=False),  # 1 x W/stride (2 from height 48)
            nn.BatchNorm2d(6 * c),
            nn.ReLU(inplace=True),
        )
        # From height 48 the same layers leave two rows; their maximum keeps every layer's weights
        # as at height 32, so a reader of height 32 can be fine-tuned to read at 48 (``--height``).
        if self.config.height == 48:
            self.body.append(nn.MaxPool2d((2, 1), (2, 1)))
        # Residual blocks after the body's 4c and 6c stages (its layers 5 and 8), their last batch
        # norm zeroed: a reader grown from trained weights (``train rec --init --blocks``) starts
        # out reading exactly as they read, and training adds depth from there.
        self.deep = nn.ModuleDict(
            {
                str(layer): nn.Sequential(*(zero_residual_block(channels) for _ in range(self.config.blocks)))
                for layer, channels in ((5, 4 * c), (8, 6 * c))
            }
            if self.config.blocks
            else {}
        )
        self.rnn = nn.LSTM(6 * c, self.config.hidden, self.config.layers, bidirectional=True, dropout=0.1)
        self.classifier = nn.Linear(2 * self.config.hidden, self.config.num_classes)

    def frames(self, width: int) -> int:
        """CTC frames for an input ``width`` (a multiple of 4, as ``rec_width`` gives): the one rule
        training's input lengths and reading's unpadded outputs both follow."""
        return width // self.config.stride

    def forward(self, images: Tensor) -> dict[str, Tensor]:
        """``logits`` for CTC; ``features`` (T, B, C), the body's columns, for a guide in training."""
        x = images
        for index, layer in enumerate(self.body):
            x = layer(x)
            if str(index) in self.deep:
                x = self.deep[str(index)](x)
        features = x.squeeze(2).permute(2, 0, 1)  # (T, B, C)
        sequence, _ = self.rnn(features)
        return {"logits": self.classifier(sequence), "features": features}


def zero_residual_block(channels: int) -> BasicBlock:
    """A residual block that starts as the identity on ReLU outputs (its last batch norm's scale is 0)."""
    block = BasicBlock(channels, channels, 1)
    nn.init.zeros_(block.conv2[1].weight)
    return block


def crnn(pretrained: bool = True, weights: str | Path | None = None) -> CRNN:
    """The default recogniser; ``pretrained`` loads the weights shipped in the package."""
    if not pretrained and weights is None:
        return CRNN(CRNNConfig())
    return build_model(weights or DEFAULT_WEIGHTS, CRNN, CRNNConfig)[0]
