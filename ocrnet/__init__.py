"""OCRNet: reads text in images and knows, pixel by pixel, where that text is."""

from ocrnet.types import CLASS_NAMES, Annotation, Block, CropSample, Line, PageResult, Word

__version__ = "0.1.0"
__all__ = ["CLASS_NAMES", "Annotation", "Block", "CropSample", "Line", "PageResult", "Word", "__version__"]
