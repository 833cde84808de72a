"""Your own data for training (``ocrnet train rec|seg --own FOLDER``): any folder in a format the
readers know (its format told by its layout), one item in ten held out, so that a run reports how
it reads your kind of image as it trains, beside the built-in sets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ocrnet.data.formats import detect_format, load_dataset
from ocrnet.data.splits import TRAIN, VAL
from ocrnet.types import Annotation, CropSample

#: Every OWN_VAL_EVERY-th item (the first included) validates; the rest train.
OWN_VAL_EVERY = 10

#: Formats whose items are crops already; the others are images with boxes.
CROP_SET_FORMATS = frozenset({"words", "plate_crops"})


#: What ``--own`` recognises, for error messages and the docs.
LAYOUTS = (
    "labels.tsv of crops and their text; gt/ of ICDAR 2015 quads with text per image; "
    "gt/ of ICDAR 2013 boxes; box/ of SROIE lines; Labels/ of FUNSD class masks; NAME.txt beside each plate photo"
)


def own_split(_item: object, index: int) -> str:
    """``train`` or ``val`` for the ``index``-th item of one of your sets (the item itself does
    not matter; the signature is that of ``scene_split`` and ``crop_split``)."""
    return VAL if index % OWN_VAL_EVERY == 0 else TRAIN


@dataclass
class OwnSet:
    """One folder of your data: ``name`` keys its figures in ``log.jsonl`` (``acc_own_NAME``,
    ``det_hmean_own_NAME``)."""

    name: str
    fmt: str
    items: list[Annotation] | list[CropSample]

    @property
    def crops(self) -> bool:
        """Whether the set holds crops (recogniser only) rather than images with boxes."""
        return self.fmt in CROP_SET_FORMATS

    def split(self, which: str) -> list:
        """The items of ``which`` split (``train`` or ``val``)."""
        return [item for index, item in enumerate(self.items) if own_split(item, index) == which]


def load_own(folders: list[Path]) -> list[OwnSet]:
    """Each folder read in the format its layout shows (ValueError naming a folder that has no
    known layout or no items); two folders of one name are told apart by a number."""
    sets: list[OwnSet] = []
    for folder in folders:
        if not folder.is_dir():
            raise ValueError(f"{folder}: no such folder")
        try:
            fmt = detect_format(folder)
        except ValueError as exc:
            raise ValueError(f"{folder}: not a layout OCRNet reads ({LAYOUTS})") from exc
        items = load_dataset(folder, fmt)
        if not items:
            raise ValueError(f"{folder}: no items found (read as {fmt})")
        name = f"own_{folder.resolve().name}"
        taken = sum(s.name == name or s.name.startswith(f"{name}_") for s in sets)
        sets.append(OwnSet(f"{name}_{taken + 1}" if taken else name, fmt, items))
    return sets
