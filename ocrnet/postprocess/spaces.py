"""Word spaces the recogniser read past, found in the stroke map. Tightly set or small type leaves
a space a pixel or two wide, and the CRNN reads two words as one ("oftopics", "WALKINTO"); the
pipeline then finds neither word. The stroke map still shows the gap: a run of ink-free columns
across the crop, wider than the gaps between the word's letters, where the dictionary says the run
of letters is two words, is a space, and the region is cut there as at any space the reader saw
(``fusion.split_at_spaces``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from ocrnet.postprocess.lexicon import Lexicon
from ocrnet.predict.recognition import Reading

#: Words of one or two letters a run may be cut into: English's short function words. The dictionary
#: also lists every letter and many two-letter abbreviations ("ri", "ne", "ca"), which would cut
#: "MORI", "Lune" and "TRIBECA" at any gap; longer parts must be dictionary words.
SHORT_WORDS = frozenset(
    "a i am an as at be by do go he if in is it me my no of oh ok on or so to tv up us we".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class SpaceParams:
    """When an ink gap is taken for a space (chosen on ICDAR 2013's training split: docs/reading.md)."""

    min_gap: float = 0.2  # a space is at least this share of the ink's height wide ...
    letter_gaps: float = 1.5  # ... and this many times the median gap between the crop's inked columns
    min_gaps: int = 3  # gaps a crop needs before its median says what a letter gap is
    threshold: float = 0.5  # stroke probability taken as ink


@dataclass(frozen=True)
class InkGaps:
    """The ink-free column runs between a crop's first and last inked column."""

    spans: list[tuple[float, float]]  # (start, end), 0-1 across the crop
    widths: np.ndarray  # pixels
    ink_height: int  # rows between the topmost and bottommost ink


def ink_gaps(stroke_crop: np.ndarray, threshold: float) -> InkGaps:
    """Where the straightened stroke map of a word has no ink from top to bottom."""
    ink = stroke_crop > threshold
    rows, columns = np.flatnonzero(ink.any(1)), ink.any(0)
    inked = np.flatnonzero(columns)
    if len(inked) < 2:
        return InkGaps([], np.zeros(0), 0)
    inside = ~columns[inked[0] : inked[-1] + 1]
    change = np.diff(np.concatenate([[0], inside.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    width = stroke_crop.shape[1]
    spans = [((inked[0] + s) / width, (inked[0] + e) / width) for s, e in zip(starts, ends, strict=True)]
    return InkGaps(spans, (ends - starts).astype(np.float64), int(rows[-1] - rows[0] + 1))


LETTER_RUN = re.compile(r"[A-Za-z]+")


def may_hold_run_together_words(text: str, words: Lexicon) -> bool:
    """Whether a run of three letters or more in ``text`` is no dictionary word: only such a run is
    looked at for spaces (a cheap test, so that most readings skip straightening the stroke map)."""
    return any(_non_word(run.group(), words) for run in LETTER_RUN.finditer(text))


def _non_word(run: str, words: Lexicon) -> bool:
    """A run of letters long enough to be two words, and no word itself."""
    return len(run) >= 3 and run not in words


def with_ink_spaces(
    reading: Reading, stroke_crop: np.ndarray, words: Lexicon, params: SpaceParams = SpaceParams()
) -> Reading:
    """``reading`` with a space put in where a wide ink gap of its crop's stroke map (``stroke_crop``,
    cut as the crop was, turned as the reading was) splits a token that is no word into dictionary
    words ("oftopics", "WALKINTO"); as it was where none does. The dictionary is needed: letters
    open on one side (F, L, r) leave gaps as wide as a tight space, and those would cut words."""
    if (
        reading.rotation not in (0, 180)
        or len(reading.char_positions) != len(reading.text)
        or not may_hold_run_together_words(reading.text, words)
    ):
        return reading
    stroke = np.rot90(stroke_crop, 2) if reading.rotation == 180 else stroke_crop
    gaps = ink_gaps(stroke, params.threshold)
    if len(gaps.widths) < params.min_gaps or not gaps.ink_height:
        return reading
    wide = max(params.min_gap * gaps.ink_height, params.letter_gaps * float(np.median(gaps.widths)))
    text, positions = reading.text, reading.char_positions
    bounds = np.array([(positions[i - 1] + positions[i]) / 2 for i in range(1, len(text))])
    at_gaps = set()
    for (start, end), width in zip(gaps.spans, gaps.widths, strict=True):
        i = int(np.argmin(np.abs(bounds - (start + end) / 2))) + 1  # the character after the gap
        if width >= wide and positions[i - 1] <= end and positions[i] >= start:
            at_gaps.add(i)
    cuts = [i for run in LETTER_RUN.finditer(text) for i in _word_cuts(run, at_gaps, words)]
    if not cuts:
        return reading
    chars, probs, places = list(text), list(reading.char_probs), list(positions)
    for i in sorted(cuts, reverse=True):
        chars.insert(i, " ")
        probs.insert(i, min(probs[i - 1], probs[i]))
        places.insert(i, float(bounds[i - 1]))
    return replace(reading, text="".join(chars), char_probs=probs, char_positions=places)


def _word_cuts(token: re.Match[str], at_gaps: set[int], words: Lexicon) -> list[int]:
    """The gap places inside a run of letters that make it words: all of them where every part is
    one, else the one cut whose two sides are; none where the run is a word already."""
    begin, end = token.span()
    inside = sorted(i for i in at_gaps if begin < i < end)
    if not inside or not _non_word(token.group(), words):
        return []
    text = token.string

    def all_words(cuts: list[int]) -> bool:
        edges = [begin, *cuts, end]
        parts = [text[a:b] for a, b in zip(edges, edges[1:], strict=False)]
        return all(part.lower() in SHORT_WORDS if len(part) < 3 else part in words for part in parts)

    if all_words(inside):
        return inside
    return next(([i] for i in inside if all_words([i])), [])
