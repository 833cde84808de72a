"""Checkpoints that rebuild their own model: the config dataclass travels with the weights."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import torch
from torch import nn

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"


def export_weights(model: nn.Module, config: Any, path: str | Path, extra: dict[str, Any] | None = None) -> None:
    """Write an inference checkpoint: fp16 floating tensors (half the size), config as a dict."""
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    payload = {"config": dataclasses.asdict(config), "state_dict": state, "extra": extra or {}}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(target)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint's dict on the CPU, or FileNotFoundError naming the path."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    return torch.load(path, map_location="cpu", weights_only=False)


def build_model(path: str | Path, model_cls: type[nn.Module], config_cls: type) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild a model from an inference checkpoint (``state_dict``) or a training state (``model``);
    returns it in eval mode with the checkpoint's ``extra`` dict."""
    checkpoint = read_checkpoint(path)
    model = model_cls(config_cls(**checkpoint["config"]))
    state = checkpoint.get("state_dict") or checkpoint["model"]
    return load_state(model, state), checkpoint.get("extra", {})


def load_state(model: nn.Module, state: dict[str, torch.Tensor]) -> nn.Module:
    """Load (possibly fp16) weights into an fp32 model and put it in eval mode."""
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()
