"""OCR engines behind one small interface, so OCRNet and others run on the same images.

Each adapter turns its engine's output into ``Word``s (polygon, text, score). Engines other than
OCRNet are optional (``pip install 'ocrnet[compare]'`` plus, for Tesseract, Debian's
tesseract-ocr): an engine whose package is missing says so in ``available()``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ocrnet.engines.base import Engine, EngineUnavailable

Factory = Callable[..., Engine]
_FACTORIES: dict[str, Factory] = {}
#: The engines that are OCRNet itself, and which of its checkpoints each takes.
WEIGHTS_TAKEN = {"ocrnet": ("seg_weights", "rec_weights"), "ocrnet-det": ("seg_weights",)}


def register(name: str) -> Callable[[Factory], Factory]:
    """Decorator that adds an engine factory under ``name``."""

    def wrap(factory: Factory) -> Factory:
        _FACTORIES[name] = factory
        return factory

    return wrap


def engine_names() -> list[str]:
    """Every registered engine, installed or not."""
    _load_adapters()
    return list(_FACTORIES)


def create_engine(name: str, seg_weights: Path | None = None, rec_weights: Path | None = None) -> Engine:
    """A new engine by name; EngineUnavailable says what to install where its package is missing.
    ``seg_weights`` / ``rec_weights``: OCRNet checkpoints to score in place of the shipped ones,
    handed to the OCRNet engines that use them (the other engines bring their own models)."""
    _load_adapters()
    if name not in _FACTORIES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(_FACTORIES)}")
    given = {"seg_weights": seg_weights, "rec_weights": rec_weights}
    return _FACTORIES[name](**{k: v for k, v in given.items() if k in WEIGHTS_TAKEN.get(name, ()) and v})


def _load_adapters() -> None:
    from ocrnet.engines import ocrnet_engine, others  # noqa: F401  (registration side effect)


__all__ = ["Engine", "EngineUnavailable", "create_engine", "engine_names", "register"]
