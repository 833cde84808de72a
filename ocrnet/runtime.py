"""Run the networks faster than eager fp32 PyTorch on a CPU: in bfloat16 where the CPU has bf16
units, else through ONNX Runtime (1.5-4x faster than eager PyTorch).

A model is exported to ONNX once per set of weights (keyed by a hash of its parameters) into the
cache folder and reused after that (the few most recently used per network stay); where onnx or
onnxruntime is missing, callers stay on PyTorch.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

CACHE = Path(os.environ.get("OCRNET_CACHE", "~/.cache/ocrnet")).expanduser() / "onnx"


def onnx_available() -> bool:
    """Whether ONNX export and ONNX Runtime can both be imported (they are optional)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


#: ``auto`` picks the fastest available: bf16 where the CPU computes in it natively, else ONNX
#: Runtime where installed, else eager PyTorch in fp32 (``torch``).
BACKENDS = ("auto", "bf16", "onnx", "torch")


@functools.cache
def native_bf16() -> bool:
    """Whether this CPU has bfloat16 arithmetic (AVX512-BF16 or AMX); elsewhere bf16 is emulated
    and slower than fp32. Asked once: training asks at every step."""
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # a PyTorch without these probes
        return False


def fast_runner(
    backend: str,
    model: nn.Module,
    name: str,
    example: torch.Tensor,
    outputs: tuple[str, ...],
    dynamic_axes: dict[str, dict[int, str]],
) -> Bf16Runner | OnnxRunner | None:
    """A runner for ``backend`` (one of ``BACKENDS``), or None for eager fp32 PyTorch. "auto" defers
    to the environment variable OCRNET_BACKEND where set; an ONNX export or load failure under
    "auto" (read-only cache, unsupported op) falls back quietly."""
    if backend == "auto":
        backend = os.environ.get("OCRNET_BACKEND", "auto")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if backend == "bf16" or (backend == "auto" and native_bf16()):
        return Bf16Runner(model, outputs)
    if backend == "torch" or (backend == "auto" and not onnx_available()):
        return None
    try:
        return OnnxRunner(model, name, example, outputs, dynamic_axes)
    except Exception:
        if backend == "onnx":
            raise
        return None


class Bf16Runner:
    """Eager PyTorch under bfloat16 autocast with channels-last tensors, which oneDNN runs on the
    CPU's bf16 units: on this project's CPU (AVX512-BF16) the segmenter takes 0.22 s for a
    1280x736 image against 0.32 s in ONNX Runtime (fp32), the recogniser 0.35 s for 64 crops of
    32x256 against 0.57 s. Holds its own copy of the model, so the caller's stays as it was."""

    def __init__(self, model: nn.Module, outputs: tuple[str, ...]) -> None:
        self.model = copy.deepcopy(model).eval().to(memory_format=torch.channels_last)
        self.outputs = outputs

    @torch.inference_mode()
    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        batch = torch.from_numpy(np.ascontiguousarray(images, np.float32)).contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = self.model(batch)
        return {k: out[k].float().contiguous().numpy() for k in self.outputs}


def weights_hash(model: nn.Module) -> str:
    """Hash of the weights and the config: layers without weights (a pooling's stride) change the graph too."""
    digest = hashlib.sha1(repr(getattr(model, "config", None)).encode())
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


#: Exports kept per model name: a few sets of weights in use stay cached, stale ones go. The default
#: reading alone uses three of the "crnn" name (the word reader at heights 32 and 48, the second).
KEEP_EXPORTS = 6


def prune_exports(name: str, keep: int = KEEP_EXPORTS) -> None:
    """Delete all but the ``keep`` most recently used exports of ``name`` (each new set of weights,
    such as every checkpoint tried or every test model, would otherwise add a file for good)."""
    exports = sorted(CACHE.glob(f"{name}-*.onnx"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in exports[keep:]:
        stale.unlink(missing_ok=True)


class _TupleOutputs(nn.Module):
    """ONNX export needs tuples; the models return dicts."""

    def __init__(self, model: nn.Module, keys: tuple[str, ...]) -> None:
        super().__init__()
        self.model, self.keys = model, keys

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, ...]:
        out = self.model(images)
        return tuple(out[k] for k in self.keys)


class OnnxRunner:
    """Callable like the model on a numpy batch, returning a dict of numpy outputs."""

    def __init__(
        self,
        model: nn.Module,
        name: str,
        example: torch.Tensor,
        outputs: tuple[str, ...],
        dynamic_axes: dict[str, dict[int, str]],
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort

        self.outputs = outputs
        path = CACHE / f"{name}-{weights_hash(model)}.onnx"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            # the tracer's warnings (legacy exporter, LSTM batch size, traced shape checks) are about
            # cases this export does not meet: its outputs are checked against eager PyTorch in tests
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _TupleOutputs(model.eval(), outputs),
                    (example,),
                    str(tmp),
                    input_names=["images"],
                    output_names=list(outputs),
                    dynamic_axes=dynamic_axes,
                    opset_version=17,
                    dynamo=False,
                )
            tmp.replace(path)
            prune_exports(name)
        else:
            path.touch()  # last use, for pruning
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # The segmenter and the readers run in turn, with OpenCV and numpy between them: a pool that
        # spins after its run holds the few cores the next one needs (1280x720 bench on two cores:
        # crops + recognition 0.25 -> 0.17 s, one crop 16 -> 9-12 ms; batched throughput the same).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        values = self.session.run(list(self.outputs), {"images": np.ascontiguousarray(images, np.float32)})
        return dict(zip(self.outputs, values, strict=True))
