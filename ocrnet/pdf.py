"""PDF input: each page rendered to an RGB image (PDFium, through pypdfium2) and read like a photo,
so scanned and born-digital documents go through the same pipeline. A page is named
``FILE#page=N`` (N from 1, the PDF fragment convention) in records and errors."""

from __future__ import annotations

import math
from pathlib import Path
from types import TracebackType

import numpy as np
import pypdfium2 as pdfium

from ocrnet.io import MAX_PIXELS, ImageLoadError, pil_to_rgb

PDF_SUFFIXES = {".pdf"}
#: 200 dpi sets 10-point body text about 28 px to the em: large enough for the segmenter's
#: shrunk kernels, and an A4 page (1654 x 2339 px) stays under the network's longest side.
DEFAULT_DPI = 200.0
POINTS_PER_INCH = 72.0


def is_pdf(path: Path) -> bool:
    """Whether ``path`` has a PDF's suffix."""
    return path.suffix.lower() in PDF_SUFFIXES


def page_name(path: str | Path, number: int) -> str:
    """How page ``number`` (from 1) of ``path`` is named in records and errors."""
    return f"{path}#page={number}"


class PdfPages:
    """A PDF's pages, rendered one at a time when asked for, so a long document never sits in
    memory whole and one damaged page does not cost the others."""

    def __init__(
        self,
        source: str | Path | bytes,
        dpi: float = DEFAULT_DPI,
        max_pixels: int = MAX_PIXELS,
        name: str | None = None,
    ) -> None:
        """``source`` is a file or a PDF's bytes (an upload); ``name`` labels pages and errors."""
        self.dpi, self.max_pixels = dpi, max_pixels
        in_memory = isinstance(source, bytes | bytearray)
        self.name = name or ("<memory>" if in_memory else str(source))
        if not in_memory and not Path(source).is_file():
            raise ImageLoadError(f"{self.name}: no such file")
        try:
            self.document = pdfium.PdfDocument(bytes(source) if in_memory else Path(source))
        except pdfium.PdfiumError as exc:  # damaged, truncated, not a PDF, or locked by a password
            raise ImageLoadError(f"{self.name}: cannot open as a PDF ({exc})") from exc
        if len(self.document) == 0:
            self.document.close()
            raise ImageLoadError(f"{self.name}: a PDF without pages")

    def __len__(self) -> int:
        return len(self.document)

    def render(self, number: int) -> np.ndarray:
        """Page ``number`` (from 1) as RGB at ``dpi``, or smaller where that would pass ``max_pixels``."""
        name = page_name(self.name, number)
        try:
            page = self.document[number - 1]
            try:
                width, height = page.get_size()
                scale = self.dpi / POINTS_PER_INCH
                area = width * height * scale * scale
                if area > self.max_pixels:
                    scale *= math.sqrt(self.max_pixels / area)
                image = page.render(scale=scale).to_pil()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise ImageLoadError(f"{name}: cannot render the page ({exc})") from exc
        return pil_to_rgb(image, name, self.max_pixels)

    def close(self) -> None:
        """Release the document (PDFium holds the file until then)."""
        self.document.close()

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
