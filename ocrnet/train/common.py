"""What both training loops share: device and precision, distributed set-up, schedule,
checkpoints with resume, a JSONL log and its curves drawn as a PNG."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from ocrnet.runtime import native_bf16

T = TypeVar("T")


@dataclass
class RunConfig:
    """What every training run takes, whatever it trains: where it writes, what it learns from, its
    schedule and its machine. Each task's config adds its own fields and defaults."""

    out: Path
    synth_dirs: list[Path] = field(default_factory=list)
    data_root: Path | None = None
    own_dirs: list[Path] = field(default_factory=list)  # your own sets, any format the readers know
    own_share: float = 0.5  # share of a batch from them, when there are any
    steps: int = 6000
    batch: int = 8
    lr: float = 2e-3
    real_share: float = 0.25
    val_every: int = 500
    threads: int | None = None
    seed: int = 0
    amp: bool = True
    resume: bool = True
    init: Path | None = None  # weights to start from when there is no run to resume


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
    """bf16 autocast on CUDA and on a CPU with bf16 units (AVX512-BF16 or AMX: about twice as fast
    as fp32). A CPU without them only emulates bf16 (a CRNN forward and backward pass took 15 times
    as long as in fp32 on an AVX2-only EPYC), so there training stays in fp32."""
    if not enabled or (device.type == "cpu" and not native_bf16()):
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def wrap_ddp(model: nn.Module, device: torch.device, world: int) -> nn.Module:
    """The model wrapped for DistributedDataParallel when several processes train it, else as it is."""
    if world <= 1:
        return model
    return nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def unwrap(model: nn.Module) -> nn.Module:
    """The bare model inside a DDP wrapper, so checkpoints hold the same keys however it was trained."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def by_source(items: list[T], source_of: Callable[[T], str]) -> list[list[T]]:
    """Items grouped by their data set, so that training can give each set an equal share and a
    small set (166 plate scenes, 675 plate crops) is not swamped by the large ones."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(source_of(item), []).append(item)
    return list(groups.values())


def freeze_all_but(model: nn.Module, names: list[str]) -> None:
    """Fine-tune only the submodules called ``names`` (none given: train everything)."""
    if not names:
        return
    for key, parameter in model.named_parameters():
        parameter.requires_grad = key.split(".")[0] in names
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(f"no parameters under {names}")


def frozen_in_eval(model: nn.Module, names: list[str]) -> None:
    """Keep frozen submodules in eval mode, so their batch norms neither re-estimate their
    statistics nor normalise with the batch's own: the frozen part behaves as at inference."""
    if not names:
        return
    for name, child in unwrap(model).named_children():
        if name not in names:
            child.eval()


def warmup_cosine(
    optimizer: torch.optim.Optimizer, warmup: int, total: int, floor: float = 0.02
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up (steady first steps from fresh weights), then cosine decay to ``floor`` times the rate."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def grown_state(earlier: dict[str, torch.Tensor], current: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Earlier weights to load into ``current``'s model, in fp32: a tensor that only grew (an output
    layer given classes appended to its charset) keeps its earlier part, the rest of it as initialised;
    one whose shape changed otherwise (a refiner given more inputs, say) is left out, to start fresh."""
    out = {}
    for key, value in earlier.items():
        value = value.float() if value.is_floating_point() else value
        target = current.get(key)
        if target is None or target.shape == value.shape:
            out[key] = value
        elif target.dim() == value.dim() and target.shape[1:] == value.shape[1:] and target.shape[0] > value.shape[0]:
            grown = target.detach().clone()
            grown[: value.shape[0]] = value
            out[key] = grown
    return out


def save_training_state(
    path: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    step: int,
    config: Any,
    extra: dict[str, Any],
    companion: nn.Module | None = None,
) -> None:
    """Everything a run needs to resume, written to a temporary file first so a kill mid-write loses nothing."""
    payload = {
        "model": unwrap(model).state_dict(),
        "companion": unwrap(companion).state_dict() if companion is not None else None,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "step": step,
        "config": asdict(config),
        "extra": extra,
    }
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def load_training_state(
    path: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    companion: nn.Module | None = None,
) -> tuple[int, dict[str, Any]]:
    """Restore a saved run in place; returns the step it reached and its extra state (best score)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    unwrap(model).load_state_dict(state["model"])
    if (companion is None) != (state.get("companion") is None):
        raise ValueError(f"{path} was saved {'with' if companion is None else 'without'} a training companion")
    if companion is not None:
        unwrap(companion).load_state_dict(state["companion"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return int(state["step"]), state.get("extra", {})


class RunLog:
    """Appends one JSON line per event to ``log.jsonl`` and redraws ``curves.png`` on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "log.jsonl"

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a JSON line (appending keeps the log whole across resumes)."""
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def plot(self, title: str) -> None:
        """Draw the logged losses and validation figures against the step as a PNG beside the log."""
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
        for key in sorted({k for r in val for k in r if k not in ("kind", "step")}):
            axes[1].plot([r["step"] for r in val if key in r], [r[key] for r in val if key in r], marker="o", label=key)
        axes[1].set_xlabel("step")
        axes[1].set_title(f"{title}: validation")
        for axis in axes:
            if axis.lines:  # a run stopped before its first logged step has nothing to name
                axis.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(self.folder / "curves.png", dpi=90)
        plt.close(fig)


class StopSignals:
    """Catches Ctrl-C and ``kill`` (SIGINT, SIGTERM) while a run trains, so the loop can save its
    state at the next step and stop there rather than lose the steps since its last validation."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():  # handlers can only be set there
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._note)

    def _note(self, signum: int, frame: Any) -> None:
        self.received = signum

    def requested(self, world: int, device: torch.device) -> bool:
        """Whether any process of the run was told to stop (all of them agree, so none is left
        waiting for the others' gradients; the flag lives on ``device``, as NCCL needs)."""
        if world <= 1:
            return self.received is not None
        flag = torch.tensor([float(self.received is not None)], device=device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def restore(self) -> None:
        """Put back the handlers that were there before the run."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}


class TrainingRun:
    """The loop's bookkeeping: device, optimiser and schedule, resume, DDP, progress bar, running
    losses, validation, best/last checkpoints and curves. The task loops supply batches and losses.
    Stopped by Ctrl-C or ``kill``, it saves its state first, so the same command resumes it."""

    def __init__(
        self,
        model: nn.Module,
        model_config: Any,
        cfg: RunConfig,
        warmup: int,
        title: str,
        companion: nn.Module | None = None,
    ) -> None:
        """``companion``: a module trained beside the model (a guiding decoder, say), kept in the
        resume state but not in the inference checkpoint."""
        from tqdm import tqdm

        out, steps, init = cfg.out, cfg.steps, cfg.init
        self.device, self.rank, self.world = setup_device(cfg.threads)
        torch.manual_seed(cfg.seed + self.rank)
        out.mkdir(parents=True, exist_ok=True)
        self.out, self.steps, self.title, self.model_config = out, steps, title, model_config
        # channels last: oneDNN's convolutions train faster so on the CPU (a reader step 12%, a
        # segmenter step 26% here); ``images_in`` puts the inputs so too
        model = model.to(self.device, memory_format=torch.channels_last)
        companion = companion.to(self.device) if companion is not None else None
        parameters = [*model.parameters(), *(companion.parameters() if companion is not None else [])]
        self.optimizer = torch.optim.AdamW(parameters, lr=cfg.lr, weight_decay=1e-4)
        self.scheduler = warmup_cosine(self.optimizer, min(warmup, steps // 10 + 1), steps)
        self.last = out / "last.pt"
        self.step, extra = 0, {}
        if cfg.resume and self.last.is_file():
            self.step, extra = load_training_state(self.last, model, self.optimizer, self.scheduler, companion)
            print(f"resumed from {self.last} at step {self.step}")
        elif init is not None:  # start from earlier weights (the shipped fp16 ones, say), fresh schedule
            from ocrnet.models.checkpoint import read_checkpoint

            state = grown_state(read_checkpoint(init)["state_dict"], model.state_dict())
            missing, unexpected = model.load_state_dict(state, strict=False)  # new layers start fresh
            if unexpected:
                raise ValueError(f"{init} holds weights this model lacks: {unexpected[:5]}")
            print(f"initialised from {init}" + (f"; new layers: {len(missing)} tensors" if missing else ""))
        self.best = extra.get("best", -1.0)
        self.model = wrap_ddp(model, self.device, self.world)
        self.model.train()
        self.companion = wrap_ddp(companion, self.device, self.world) if companion is not None else None
        self.log = RunLog(out)
        self.bar = tqdm(total=steps, initial=self.step, disable=self.rank != 0, mininterval=30, dynamic_ncols=True)
        self.running: dict[str, list[float]] = {}
        self.signals = StopSignals()

    def images_in(self, images: torch.Tensor) -> torch.Tensor:
        """A (B, C, H, W) batch on the run's device, channels last as the model's convolutions are."""
        return images.to(self.device, memory_format=torch.channels_last)

    @property
    def main(self) -> bool:
        """Whether this process logs, validates and saves (rank 0 of a DDP run)."""
        return self.rank == 0

    @property
    def done(self) -> bool:
        """Whether the scheduled number of steps is reached."""
        return self.step >= self.steps

    def update(self, losses: dict[str, torch.Tensor], log_every: int) -> None:
        """Backward on the sum of ``losses``, clip, step; log their running means every few steps."""
        total = sum(losses.values())
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_([p for group in self.optimizer.param_groups for p in group["params"]], 5.0)
        self.optimizer.step()
        self.scheduler.step()
        self.step += 1
        self.bar.update(1)
        for key, value in losses.items():
            self.running.setdefault(key, []).append(float(value.detach()))
        if self.main and self.step % log_every == 0:
            means = {f"loss_{k}": float(np.mean(v)) for k, v in self.running.items()}
            self.bar.set_postfix(loss=f"{sum(means.values()):.3f}", lr=f"{self.scheduler.get_last_lr()[0]:.2e}")
            self.log.write({"kind": "train", "step": self.step, **means})
            self.running = {}
        if self.signals.requested(self.world, self.device):
            self.stop()

    def stop(self) -> None:
        """Save the state where the run stands and leave (exit status 128 + the signal, as a shell's)."""
        signum = self.signals.received or signal.SIGTERM
        self.signals.restore()
        self.bar.close()
        if self.main:
            self._save_state()
            print(f"stopped at step {self.step}; state saved to {self.last}: run the same command to resume")
        raise SystemExit(128 + int(signum))

    def due(self, every: int) -> bool:
        """Whether to validate now: every ``every`` steps and at the last step, on the main process."""
        return self.main and (self.step % every == 0 or self.step == self.steps)

    def validate(
        self, evaluate: Callable[[nn.Module], dict[str, float]], key: Callable[[dict[str, float]], float]
    ) -> None:
        """Score the model, keep the best as an fp16 inference checkpoint, save the state to resume."""
        model = unwrap(self.model)
        scores = evaluate(model.eval())
        model.train()
        self.log.write({"kind": "val", "step": self.step, **scores})
        print(f"step {self.step}: " + ", ".join(f"{k}={v:.3f}" for k, v in scores.items()))
        if key(scores) > self.best:
            self.best = key(scores)
            from ocrnet.models.checkpoint import export_weights

            export_weights(model, self.model_config, self.out / "best_fp16.pt", {"step": self.step, "scores": scores})
        self._save_state()
        self.log.plot(self.title)

    def _save_state(self) -> None:
        save_training_state(
            self.last,
            self.model,
            self.optimizer,
            self.scheduler,
            self.step,
            self.model_config,
            {"best": self.best},
            self.companion,
        )

    def finish(self) -> Path:
        """Close the progress bar; the best checkpoint is what the run leaves for use."""
        self.signals.restore()
        self.bar.close()
        return self.out / "best_fp16.pt"
