"""The data types every stage speaks: ground-truth annotations and page results.

One vocabulary for readers, the synthetic engine, metrics and the pipeline keeps the stages
swappable: a reader and the renderer both yield ``Annotation``; the pipeline yields ``PageResult``;
metrics compare the two through their ``Word`` lists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Context classes of the per-pixel class map, index = class id. "other" is scene text that is
#: none of the named kinds (shopfront, poster, stamp, ...).
CLASS_NAMES: tuple[str, ...] = (
    "background",
    "sign",
    "plate",
    "heading",
    "paragraph",
    "list",
    "table",
    "other",
)
CLASS_ID: dict[str, int] = {name: i for i, name in enumerate(CLASS_NAMES)}

#: Value written into label maps where the ground truth says nothing (loss is masked there).
IGNORE_INDEX = 255

Point = list[float]


@dataclass
class Word:
    """One word (or, for line-level sets, one line): where it is and what it says.

    ``ignore`` marks ICDAR "don't care" regions (``###``): neither a hit nor a miss in metrics.
    """

    polygon: list[Point]
    text: str
    score: float = 1.0
    cls: str = "other"
    line: int = -1
    block: int = -1
    ignore: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["class"] = out.pop("cls")
        out["polygon"] = [[round(float(x), 2), round(float(y), 2)] for x, y in self.polygon]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        """Inverse of ``to_dict``; unknown keys are ignored so older or richer JSON still loads."""
        data = dict(data)
        data["cls"] = data.pop("class", data.pop("cls", "other"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def points(self) -> np.ndarray:
        """The polygon as an (N, 2) float32 array, as OpenCV and shapely take it."""
        return np.asarray(self.polygon, dtype=np.float32).reshape(-1, 2)


@dataclass
class Line:
    """Word indices (into the page's word list) in reading order, and their joined text."""

    words: list[int]
    text: str
    block: int = -1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Block:
    """Line indices that belong together (a paragraph, a sign panel, a table)."""

    lines: list[int]
    cls: str = "other"

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "class": self.cls}


@dataclass
class Annotation:
    """Ground truth for one image, as a reader or the synthetic engine gives it.

    Arrays are optional because real sets carry different parts: ICDAR gives only words, FUNSD
    only a class map. ``labelled`` is a bool mask of the pixels whose labels are complete: a plate
    scene labels only the plate, so a detector must not be punished for text elsewhere.
    """

    image_path: str | None
    width: int
    height: int
    words: list[Word] = field(default_factory=list)
    source: str = ""
    level: str = "word"  # "word" or "line": how the set groups its boxes
    image: np.ndarray | None = None  # HxWx3 uint8 RGB, when already in memory
    stroke_mask: np.ndarray | None = None  # HxW uint8 {0,1}
    class_map: np.ndarray | None = None  # HxW uint8 class ids, IGNORE_INDEX where unknown
    labelled: np.ndarray | None = None  # HxW bool; None means everything is labelled
    class_map_path: str | None = None  # where a real set keeps its class map on disk (FUNSD)
    lines: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form without the arrays (they are written as PNGs beside it)."""
        return {
            "image": self.image_path,
            "width": self.width,
            "height": self.height,
            "source": self.source,
            "level": self.level,
            "words": [w.to_dict() for w in self.words],
            "lines": [ln.to_dict() for ln in self.lines],
            "blocks": [b.to_dict() for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        """Inverse of ``to_dict`` (arrays are loaded separately, from the files beside it)."""
        return cls(
            image_path=data.get("image"),
            width=int(data["width"]),
            height=int(data["height"]),
            words=[Word.from_dict(w) for w in data.get("words", [])],
            source=data.get("source", ""),
            level=data.get("level", "word"),
            lines=[Line(**ln) for ln in data.get("lines", [])],
            blocks=[Block(lines=b["lines"], cls=b.get("class", "other")) for b in data.get("blocks", [])],
        )


@dataclass
class CropSample:
    """A cropped word or line image with its transcription, for recognition."""

    image_path: str | None
    text: str
    source: str = ""
    image: np.ndarray | None = None


@dataclass
class PageResult:
    """What ``ocrnet read`` returns for one image (DESIGN.md's output JSON)."""

    image: str
    width: int
    height: int
    seconds: float = 0.0
    words: list[Word] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    word_masks: list[np.ndarray] | None = None  # per-word stroke masks (bool), over the box below
    word_mask_boxes: list[tuple[int, int, int, int]] | None = None  # (x0, y0, x1, y1) of each mask
    rotation: int = 0  # degrees the image was turned counter-clockwise to read its text upright

    def word_mask(self, index: int) -> np.ndarray:
        """Word ``index``'s stroke mask placed in a full-size (height x width) bool image."""
        if not self.word_masks or not self.word_mask_boxes:
            raise ValueError("this result carries no word masks")
        full = np.zeros((self.height, self.width), bool)
        x0, y0, x1, y1 = self.word_mask_boxes[index]
        full[y0:y1, x0:x1] = self.word_masks[index]
        return full

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "width": self.width,
            "height": self.height,
            "seconds": round(self.seconds, 4),
            "rotation": self.rotation,
            "words": [w.to_dict() for w in self.words],
            "lines": [ln.to_dict() for ln in self.lines],
            "blocks": [b.to_dict() for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageResult:
        return cls(
            image=data["image"],
            width=int(data["width"]),
            height=int(data["height"]),
            seconds=float(data.get("seconds", 0.0)),
            words=[Word.from_dict(w) for w in data.get("words", [])],
            lines=[Line(**ln) for ln in data.get("lines", [])],
            blocks=[Block(lines=b["lines"], cls=b.get("class", "other")) for b in data.get("blocks", [])],
            rotation=int(data.get("rotation", 0)),
        )

    @property
    def text(self) -> str:
        """The page's text, one line of output per detected line, in reading order."""
        return "\n".join(line.text for line in self.lines)


def display_name(path: str | Path | None) -> str:
    """A short, stable name for error messages and JSON ``image`` fields."""
    return str(path) if path is not None else "<memory>"
