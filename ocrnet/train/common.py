"""What both training loops share: device and precision, distributed set-up, schedule,
checkpoints with resume, a JSONL log and its curves drawn as a PNG."""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn


def setup_device(threads: int | None = None) -> tuple[torch.device, int, int]:
    """(device, rank, world size). Under torchrun, joins the process group (NCCL on CUDA, gloo on CPU)."""
    if threads:
        torch.set_num_threads(threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device, rank, world


def autocast(device: torch.device, enabled: bool = True) -> contextlib.AbstractContextManager:
    """bf16 autocast on CPU (AMX makes it about twice as fast) and on CUDA."""
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def wrap_ddp(model: nn.Module, device: torch.device, world: int) -> nn.Module:
    if world <= 1:
        return model
    return nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup: int, total: int, floor: float = 0.02):
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def save_training_state(
    path: Path, model: nn.Module, optimizer, scheduler, step: int, config: Any, extra: dict[str, Any]
) -> None:
    import dataclasses

    payload = {
        "model": unwrap(model).state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "step": step,
        "config": dataclasses.asdict(config),
        "extra": extra,
    }
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def load_training_state(path: Path, model: nn.Module, optimizer, scheduler) -> tuple[int, dict[str, Any]]:
    state = torch.load(path, map_location="cpu", weights_only=False)
    unwrap(model).load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return int(state["step"]), state.get("extra", {})


class RunLog:
    """Appends one JSON line per event to ``log.jsonl`` and redraws ``curves.png`` on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "log.jsonl"

    def write(self, record: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def plot(self, title: str) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        records = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        train = [r for r in records if r.get("kind") == "train"]
        val = [r for r in records if r.get("kind") == "val"]
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for key in sorted({k for r in train for k in r if k.startswith("loss")}):
            axes[0].plot([r["step"] for r in train if key in r], [r[key] for r in train if key in r], label=key)
        axes[0].set_yscale("log")
        axes[0].set_xlabel("step")
        axes[0].set_title(f"{title}: training losses")
        axes[0].legend(fontsize=7)
        for key in sorted({k for r in val for k in r if k not in ("kind", "step")}):
            axes[1].plot([r["step"] for r in val if key in r], [r[key] for r in val if key in r], marker="o", label=key)
        axes[1].set_xlabel("step")
        axes[1].set_title(f"{title}: validation")
        axes[1].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(self.folder / "curves.png", dpi=90)
        plt.close(fig)
