"""The recogniser's alphabet, shared by the text generator so that rendered labels stay readable."""

from __future__ import annotations

import string
from functools import lru_cache

#: Symbols beyond printable ASCII that real text uses often (currency, degrees, dashes, quotes).
EXTRA_SYMBOLS = "€£¥°§©®–—‘’“”•"

#: Every character a recogniser may emit, in a fixed order (index 0 is kept for the CTC blank).
DEFAULT_CHARSET: str = string.digits + string.ascii_letters + string.punctuation + " " + EXTRA_SYMBOLS

#: Characters every usable font must draw: a face missing one of them is left out of synthesis.
REQUIRED_GLYPHS: str = string.ascii_letters + string.digits


def normalize_36(text: str) -> str:
    """The 36-class benchmark form: lower-case letters and digits only."""
    return "".join(ch for ch in text.lower() if ch in string.ascii_lowercase or ch in string.digits)


@lru_cache(maxsize=8)
def ctc_index(charset: str) -> dict[str, int]:
    """Character -> class index in the recogniser's output (0 is the CTC blank)."""
    return {ch: i + 1 for i, ch in enumerate(charset)}
