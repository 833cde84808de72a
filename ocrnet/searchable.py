"""Searchable PDFs (``ocrnet read --searchable``): each page is the image as given with every word
laid over it as invisible text, stretched and turned to fill the word's polygon, so that a PDF
viewer finds, selects and copies the text where it lies in the picture (as OCRmyPDF's output does).

The text is set in DejaVu Sans, embedded (subset): it covers the reader's whole default charset.
Matplotlib, a dependency, ships the face, so no system font is needed."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import TracebackType

import numpy as np
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ocrnet.postprocess.crops import reading_quad
from ocrnet.types import PageResult, Word

POINTS_PER_INCH = 72.0
FONT = "DejaVuSans"
#: Glyph box of DejaVu Sans as a share of the font size: the text is sized so that this box,
#: ascender to descender, fills the word's height.
ASCENT, DESCENT = 0.93, 0.24


def text_quad(word: Word) -> np.ndarray:
    """The word's quad, first corner the text's top-left, then clockwise (top-right, bottom-right,
    bottom-left): a curved word's polygon measured on its reading quad, turned so that it starts
    where the polygon does, since geometry alone cannot tell which end of a word comes first."""
    points = word.points
    quad = points if len(points) == 4 else reading_quad(points)
    start = int(np.argmin(np.linalg.norm(quad - points[0], axis=1)))
    return np.roll(quad, -start, axis=0)


def _font() -> str:
    """Register the embedded face once; Helvetica (no embedding, Latin-1 only) where it is missing."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    spec = importlib.util.find_spec("matplotlib")
    folders = spec.submodule_search_locations if spec else None
    path = Path(folders[0]) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf" if folders else None
    if path is None or not path.is_file():
        return "Helvetica"
    pdfmetrics.registerFont(TTFont(FONT, str(path)))
    return FONT


class SearchablePdf:
    """A PDF built page by page as pages are read (each kept only as its JPEG until the end) and
    written when closed, first beside its name and then moved into place, so an interrupted run
    leaves no half-written file."""

    def __init__(self, path: Path, dpi: float = POINTS_PER_INCH, jpeg_quality: int = 85) -> None:
        """``dpi``: how many image pixels make an inch of paper (a PDF page read at 200 dpi comes
        back at its own size; a photo at 72 dpi keeps one point a pixel)."""
        self.path, self.scale, self.quality = Path(path), POINTS_PER_INCH / dpi, jpeg_quality
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.partial = self.path.with_name(self.path.name + ".part")
        self.canvas = canvas.Canvas(str(self.partial), pageCompression=1)
        self.font = _font()
        self.pages = 0

    def add_page(self, image: np.ndarray, result: PageResult) -> None:
        """The image as the page, and each word's text over its polygon."""
        height, width = image.shape[:2]
        page_w, page_h = width * self.scale, height * self.scale
        self.canvas.setPageSize((page_w, page_h))
        jpeg = io.BytesIO()
        Image.fromarray(image).save(jpeg, format="JPEG", quality=self.quality)
        self.canvas.drawImage(ImageReader(jpeg), 0, 0, page_w, page_h)
        line_ends = {line.words[-1] for line in result.lines if line.words}
        for index, word in enumerate(result.words):
            if word.text.strip():
                self._invisible_word(word, page_h, space_after=index not in line_ends)
        self.canvas.showPage()
        self.pages += 1

    def _invisible_word(self, word: Word, page_h: float, space_after: bool) -> None:
        """The word's text along its reading direction, as wide and as tall as its frame; with
        ``space_after`` a space follows in the gap to the next word, so that copied lines keep their
        word breaks."""
        quad = text_quad(word)
        along, down = quad[1] - quad[0], quad[3] - quad[0]
        width = (np.linalg.norm(along) + np.linalg.norm(quad[2] - quad[3])) / 2
        height = (np.linalg.norm(down) + np.linalg.norm(quad[2] - quad[1])) / 2
        size = max(height * self.scale / (ASCENT + DESCENT), 1.0)
        natural = pdfmetrics.stringWidth(word.text, self.font, size)
        if natural <= 0 or width <= 0:
            return
        x, y = quad[3]  # the text's bottom-left corner, in image pixels (y down)
        c = self.canvas
        c.saveState()
        c.translate(x * self.scale, page_h - y * self.scale)
        c.rotate(-np.degrees(np.arctan2(along[1], along[0])))  # PDF space has y up
        text = c.beginText(0.0, DESCENT * size)
        text.setTextRenderMode(3)  # neither filled nor stroked: invisible, yet found and copied
        text.setFont(self.font, size)
        text.setHorizScale(100.0 * width * self.scale / natural)
        text.textOut(word.text + (" " if space_after else ""))
        c.drawText(text)
        c.restoreState()

    def close(self) -> None:
        """Finish the file and move it into place (a PDF without pages is not written)."""
        if self.pages:
            self.canvas.save()
            self.partial.replace(self.path)
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> SearchablePdf:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
