"""Run the networks through ONNX Runtime, which is 1.5-4x faster than eager PyTorch on a CPU.

A model is exported once per set of weights (keyed by a hash of its parameters) into the cache
folder and reused after that (the few most recently used per network stay); where onnx or
onnxruntime is missing, callers stay on PyTorch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

CACHE = Path(os.environ.get("OCRNET_CACHE", "~/.cache/ocrnet")).expanduser() / "onnx"


def onnx_available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def maybe_onnx(
    backend: str,
    model: nn.Module,
    name: str,
    example: torch.Tensor,
    outputs: tuple[str, ...],
    dynamic_axes: dict[str, dict[int, str]],
) -> OnnxRunner | None:
    """An ONNX Runtime runner where asked for ("onnx") or possible ("auto"), else None (PyTorch).
    With "auto", an export or load failure (read-only cache, unsupported op) falls back quietly."""
    if backend == "torch" or (backend == "auto" and not onnx_available()):
        return None
    try:
        return OnnxRunner(model, name, example, outputs, dynamic_axes)
    except Exception:
        if backend == "onnx":
            raise
        return None


def weights_hash(model: nn.Module) -> str:
    digest = hashlib.sha1()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


#: Exports kept per model name: a few sets of weights in use stay cached, stale ones go.
KEEP_EXPORTS = 4


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
            with torch.no_grad():
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
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        values = self.session.run(list(self.outputs), {"images": np.ascontiguousarray(images, np.float32)})
        return dict(zip(self.outputs, values, strict=True))
