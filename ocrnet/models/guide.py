"""An attention decoder that guides CTC training (GTC: Hu et al. 2020; PP-OCRv3 trains its CTC
reader the same way). It reads the CRNN's convolutional features with teacher forcing and its
cross-entropy trains them beside CTC; it is dropped at inference, so reading stays CTC (fast, and
scored by the same string likelihoods the dictionary uses)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn


@dataclass
class GuideConfig:
    """Sizes of the attention guide; it lives only in training state, so they can change between runs."""

    dim: int = 256
    heads: int = 4
    layers: int = 2
    max_length: int = 40  # characters of a target kept (longer lines are cut)


def sinusoid(length: int, dim: int, device: torch.device) -> Tensor:
    """Fixed sine/cosine positions (length, dim): no table to outgrow when crops get wider."""
    position = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate)
    return table


class AttentionGuide(nn.Module):
    """Teacher-forced transformer decoder over CTC frames. Classes follow the CTC alphabet with
    index 0 (CTC's blank) standing for the end of the text; ``num_classes`` is the start token."""

    def __init__(self, in_channels: int, num_classes: int, config: GuideConfig | None = None) -> None:
        super().__init__()
        self.config = config or GuideConfig()
        dim = self.config.dim
        self.start = num_classes
        self.project = nn.Linear(in_channels, dim)
        self.embed = nn.Embedding(num_classes + 1, dim)
        layer = nn.TransformerDecoderLayer(dim, self.config.heads, 2 * dim, 0.1, batch_first=True, norm_first=True)
        self.decoder = nn.TransformerDecoder(layer, self.config.layers)
        self.classifier = nn.Linear(dim, num_classes)

    def forward(self, features: Tensor, frame_lengths: Tensor, previous: Tensor) -> Tensor:
        """``features`` (T, B, C) from the CRNN body, ``frame_lengths`` (B,) its unpadded frames,
        ``previous`` (B, L) the start token then the text so far; returns logits (B, L, classes)."""
        memory = self.project(features.transpose(0, 1))  # (B, T, dim)
        steps, length = memory.shape[1], previous.shape[1]
        memory = memory + sinusoid(steps, memory.shape[2], memory.device)
        padded = torch.arange(steps, device=memory.device)[None] >= frame_lengths.to(memory.device)[:, None]
        queries = self.embed(previous) + sinusoid(length, memory.shape[2], memory.device)
        causal = nn.Transformer.generate_square_subsequent_mask(length, device=memory.device)
        hidden = self.decoder(queries, memory, tgt_mask=causal, tgt_is_causal=True, memory_key_padding_mask=padded)
        return self.classifier(hidden)

    def teacher_forcing(self, labels: list[list[int]]) -> tuple[Tensor, Tensor]:
        """Decoder inputs (start + text) and targets (text + end, padding ignored) for CTC label
        sequences (indices from 1)."""
        cut = [label[: self.config.max_length] for label in labels]
        length = max(len(label) for label in cut) + 1
        previous = torch.zeros(len(cut), length, dtype=torch.long)
        targets = torch.full((len(cut), length), -100, dtype=torch.long)
        for row, label in enumerate(cut):
            previous[row, : len(label) + 1] = torch.tensor([self.start, *label])
            targets[row, : len(label) + 1] = torch.tensor([*label, 0])
        return previous, targets
