"""OCRNet: reads text in images and knows, pixel by pixel, where that text is.

``ocrnet.read(image)`` reads one image with the shipped models; ``ocrnet.Pipeline`` keeps the
models loaded for many. Both are imported on first use, so ``import ocrnet`` stays light.
"""

from typing import Any

from ocrnet.types import CLASS_NAMES, Annotation, Block, CropSample, Line, PageResult, Word

__version__ = "0.1.0"
__all__ = [
    "CLASS_NAMES",
    "Annotation",
    "Block",
    "CropSample",
    "Line",
    "PageResult",
    "Pipeline",
    "Word",
    "__version__",
    "read",
]


def __getattr__(name: str) -> Any:
    if name in ("read", "Pipeline"):
        from ocrnet import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'ocrnet' has no attribute {name!r}")
