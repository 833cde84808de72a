"""OCR engines behind one small interface, so OCRNet and others run on the same images.

Each adapter turns its engine's output into ``Word``s (polygon, text, score). Engines other than
OCRNet are optional (``pip install 'ocrnet[compare]'`` plus, for Tesseract, Debian's
tesseract-ocr): an engine whose package is missing says so in ``available()``.
"""

from __future__ import annotations

from collections.abc import Callable

from ocrnet.engines.base import Engine, EngineUnavailable

_FACTORIES: dict[str, Callable[[], Engine]] = {}


def register(name: str) -> Callable[[Callable[[], Engine]], Callable[[], Engine]]:
    """Decorator that adds an engine factory under ``name``."""

    def wrap(factory: Callable[[], Engine]) -> Callable[[], Engine]:
        _FACTORIES[name] = factory
        return factory

    return wrap


def engine_names() -> list[str]:
    """Every registered engine, installed or not."""
    _load_adapters()
    return list(_FACTORIES)


def create_engine(name: str) -> Engine:
    """A new engine by name; EngineUnavailable says what to install where its package is missing."""
    _load_adapters()
    if name not in _FACTORIES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(_FACTORIES)}")
    return _FACTORIES[name]()


def _load_adapters() -> None:
    from ocrnet.engines import ocrnet_engine, others  # noqa: F401  (registration side effect)


__all__ = ["Engine", "EngineUnavailable", "create_engine", "engine_names", "register"]
