"""What a licence plate may say: upper-case letters and digits, in the proportions plates use.

A recogniser trained on words thinks O as likely as 0 and I as likely as 1; on US plates the digit
is 26 times as common as O and 6 times as common as I. Re-weighting the recogniser's frame
probabilities by that prior (Bayes, with the recogniser's own prior taken as flat over the 36
classes) settles the characters the image leaves open, and nothing the image is sure of."""

from __future__ import annotations

import numpy as np

from ocrnet.charset import ctc_index
from ocrnet.postprocess.crops import reading_quad

#: Characters of the training-split plate labels (plates_us/crops and plates_us/scenes, the splits
#: of ``ocrnet.data.splits``): 5,171 characters of 841 plates.
PLATE_CHAR_COUNTS: dict[str, int] = {
    "0": 338, "1": 313, "2": 281, "3": 255, "4": 268, "5": 271, "6": 271, "7": 236, "8": 254, "9": 266,
    "A": 222, "B": 134, "C": 143, "D": 101, "E": 102, "F": 104, "G": 97, "H": 95, "I": 48, "J": 76,
    "K": 96, "L": 104, "M": 103, "N": 111, "O": 13, "P": 89, "Q": 27, "R": 98, "S": 94, "T": 110,
    "U": 86, "V": 63, "W": 84, "X": 81, "Y": 70, "Z": 67,
}  # fmt: skip

#: Shares of a plate region's length and height cut from each side for the extra views of a plate
#: (the number sits in the middle band); the plate reads as what the region's own crop and these
#: views agree on (``Recognizer.consensus``, each view also a third wider). Chosen on training
#: splits. Plates (166), recogniser alone: one trimmed view 89, these two 100, with heavier trims
#: too 97. Whole pipeline: plates 103 with the region's crop among the views, 105 without; ICDAR
#: 2013 (110 images, where the class map calls some words plates) end-to-end H 0.826 with it,
#: 0.808 without: a word taken for a plate keeps the vote of its own crop.
PLATE_VIEWS = ((0.04, 0.18), (0.02, 0.10))


def inner_quad(polygon: np.ndarray, along: float, across: float) -> np.ndarray:
    """The region's reading quad with ``along`` of its length and ``across`` of its height cut
    from each side."""
    quad = reading_quad(polygon)
    centre = quad.mean(0)
    length = (quad[1] - quad[0] + quad[2] - quad[3]) / 2
    height = (quad[3] - quad[0] + quad[2] - quad[1]) / 2
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    return np.array(
        [centre + sx * length * (0.5 - along) + sy * height * (0.5 - across) for sx, sy in signs], np.float32
    )


#: Marks of prices, amounts and abbreviations ("538.00", "6%", "(RM)", "NO."): a region whose
#: views agree on one of them is text the class map took for a plate (receipt lines), not a plate.
#: Training-split plates read 143 of 166 with or without this check.
NOT_ON_PLATES = ".,:;%()£$€/"

#: Separators a plate may show between its groups; kept as they are (normalising drops them).
PLATE_SEPARATORS = " -"


def plate_probabilities(probs: np.ndarray, charset: str, strength: float) -> np.ndarray:
    """``probs`` (frames, classes) as a plate reader sees them: lower-case letters count as their
    capitals, other symbols as nothing (blank), and within each frame the plate characters' mass
    is shared out again by their prior to the power ``strength`` relative to a flat prior (0: no
    weighting). Only which character changes, never whether there is one. Rows sum to 1."""
    index = ctc_index(charset)
    out = probs.astype(np.float64, copy=True)
    columns = [index[ch] for ch in PLATE_CHAR_COUNTS if ch in index]
    for ch in PLATE_CHAR_COUNTS:
        lower = ch.lower()
        if ch in index and lower != ch and lower in index:
            out[:, index[ch]] += out[:, index[lower]]
            out[:, index[lower]] = 0.0
    keep = np.zeros(out.shape[1], bool)
    keep[[0, *columns, *(index[ch] for ch in PLATE_SEPARATORS if ch in index)]] = True
    out[:, 0] += out[:, ~keep].sum(1)
    out[:, ~keep] = 0.0
    counts = np.array([PLATE_CHAR_COUNTS[ch] + 1.0 for ch in PLATE_CHAR_COUNTS if ch in index])
    weights = (counts / counts.mean()) ** strength
    mass = out[:, columns].sum(1, keepdims=True)
    weighted = out[:, columns] * weights
    out[:, columns] = weighted * mass / np.clip(weighted.sum(1, keepdims=True), 1e-12, None)
    return (out / out.sum(1, keepdims=True)).astype(np.float32)
