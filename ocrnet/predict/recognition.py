"""Recognise word or line crops: batch by width, decode CTC, snap non-words to dictionary words
the image supports, calibrate confidence, read uncertain crops again: stretched (condensed
lettering) and turned (vertical or upside-down text), and ask a second reader where still unsure."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from rapidfuzz.distance import Levenshtein

from ocrnet.data.transforms import rec_batch, rec_width
from ocrnet.models.checkpoint import WEIGHTS_DIR, build_model
from ocrnet.models.recognizer import CRNN, CRNNConfig, crnn
from ocrnet.postprocess.crops import follow_line
from ocrnet.postprocess.ctc import Decoded, align, beam_decode, greedy_decode, log_frames, string_log_likelihoods
from ocrnet.postprocess.lexicon import Lexicon
from ocrnet.runtime import fast_runner

#: The second reader's weights (``Recognizer.default``): a stride-2 CRNN trained from scratch apart
#: from the word reader (docs/shipped-models.md).
SECOND_WEIGHTS = WEIGHTS_DIR / "crnn_second.pt"
#: The height the default reader's own network reads its unsure large crops at, as a third voice.
HIRES_HEIGHT = 48


@dataclass
class Reading:
    """A crop's text with its calibrated score and what a caller needs to place the letters."""

    text: str
    score: float  # calibrated: about the chance the text is exactly right
    char_probs: list[float]
    rotation: int = 0  # degrees the crop was turned (counter-clockwise) before it read best
    char_positions: list[float] = field(default_factory=list)  # 0-1 across the (turned) crop
    from_lexicon: bool = False  # the dictionary changed what the characters alone read
    raw_score: float = 0.0  # before calibration (what calibration is fitted on)

    def record(self, image: str) -> dict[str, str | float]:
        """The JSON line ``ocrnet recognize`` and ``POST /recognize`` give for a crop named ``image``."""
        return {"image": image, "text": self.text, "score": round(self.score, 4)}


def calibrate(raw: float, calibration: Sequence[float] | None, from_lexicon: bool = False) -> float:
    """Platt scaling of the raw score's logit, fitted on held-out crops after training. A third
    term, where fitted, shifts readings the dictionary changed: their corrected letters had low
    frame probabilities, yet the dictionary is itself evidence that they are right."""
    if calibration is None:
        return raw
    a, b, *rest = calibration
    shift = rest[0] if rest and from_lexicon else 0.0
    logit = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / np.clip(1 - raw, 1e-6, 1.0))
    return float(1.0 / (1.0 + np.exp(-(a * logit + b + shift))))


class Recognizer:
    """Reads word and line crops: the CRNN, run the fastest way this CPU allows (``fast_runner``), in
    batches of similar width; greedy or beam CTC decoding, the dictionary, calibrated scores, and
    retries of unsure crops turned (vertical, upside down) or stretched; a second opinion on crops
    still unsure, where a ``second`` reader is given."""

    def __init__(
        self,
        model: CRNN | None = None,
        calibration: Sequence[float] | None = None,
        batch_size: int = 64,
        pad_ratio: float = 1.25,
        max_width: int | None = None,
        beam: int = 0,
        turn_below: float = 0.3,
        stretch_below: float = 0.8,
        stretch: float = 1.33,
        tall: float = 2.0,
        margin: float = 0.25,
        backend: str = "auto",
        lexicon: Lexicon | None = None,
        second: Recognizer | None = None,
        second_below: float = 0.9,
        second_reach: float = 0.5,
        hires: Recognizer | None = None,
        hires_from: int = 36,
        level_below: float = 0.9,
        level_from: int = 36,
    ) -> None:
        """``second``: a reader trained apart (another shape, another start), asked about crops
        this one reads with a score under ``second_below``; its reading is weighed against this
        one's only where the two differ in at most ``second_reach`` of their letters (normalised
        edit distance): readings further apart are seldom of the same letters, and either is
        usually wrong. ``hires``: a third voice for the unsure crops at least ``hires_from`` rows
        high, usually this reader's own network reading them taller (``at_height``). Level crops at
        least ``level_from`` rows high read with a score under ``level_below`` are read again with
        their text's line made level (``follow_line``)."""
        self.model = (model or crnn(pretrained=True)).eval()
        # crops are read this many rows high, and at most 16 times as wide by default
        self.height, self.backend = self.model.config.height, backend
        self.runner = fast_runner(
            backend,
            self.model,
            "crnn",
            torch.zeros(2, 3, self.height, 64),
            ("logits",),
            {"images": {0: "batch", 3: "width"}, "logits": {0: "steps", 1: "batch"}},
        )
        self.charset = self.model.config.charset
        self.calibration = calibration
        self.batch_size, self.max_width = batch_size, max_width or 16 * self.height
        self.pad_widths = padded_widths(pad_ratio, self.max_width)
        self.beam, self.turn_below = beam, turn_below
        self.stretch_below, self.stretch = stretch_below, stretch
        self.tall, self.margin = tall, margin
        self.lexicon = lexicon
        self.second, self.second_below, self.second_reach = second, second_below, second_reach
        self.hires, self.hires_from = hires, hires_from
        self.level_below, self.level_from = level_below, level_from

    @classmethod
    def default(cls, second_opinion: bool = True, **kwargs: Any) -> Recognizer:
        """The shipped recogniser with the calibration fitted for it and, unless told not to, the
        shipped second reader and its own network read at height 48 for the crops it is unsure of."""
        from ocrnet.models.recognizer import DEFAULT_WEIGHTS

        second = SECOND_WEIGHTS if second_opinion else None
        reader = cls.from_checkpoint(DEFAULT_WEIGHTS, second_weights=second, **kwargs)
        if second_opinion:
            reader.hires = reader.at_height(HIRES_HEIGHT)
        return reader

    def at_height(self, height: int) -> Recognizer:
        """This reader's network, calibration and dictionary reading crops ``height`` rows high,
        without retries or opinions of its own. The CRNN's layers do not depend on the height (a
        taller input leaves two rows, pooled to one), so the same weights, shared not copied, read
        the letters of a large crop at 1.5 times the pixels height 32 gives them."""
        model = CRNN(replace(self.model.config, height=height))
        model.load_state_dict(self.model.state_dict(), assign=True)
        return Recognizer(
            model.eval(),
            self.calibration,
            batch_size=self.batch_size,
            backend=self.backend,
            lexicon=self.lexicon,
            beam=self.beam,
        )

    def without_lexicon(self) -> Recognizer:
        """The same networks and settings reading letter by letter (a plate is not a dictionary
        word); shares the loaded networks, so a reader without the dictionary costs no memory."""
        reader = copy.copy(self)
        reader.lexicon = None
        reader.second = self.second.without_lexicon() if self.second is not None else None
        reader.hires = self.hires.without_lexicon() if self.hires is not None else None
        return reader

    @classmethod
    def from_checkpoint(cls, path: str | Path, second_weights: str | Path | None = None, **kwargs: Any) -> Recognizer:
        """A recogniser from a checkpoint, with its calibration and (unless told) the lexicon;
        ``second_weights``: the second reader's checkpoint, read with the same settings."""
        kwargs.setdefault("lexicon", Lexicon.default())
        if second_weights is not None:
            kwargs["second"] = cls.from_checkpoint(second_weights, **kwargs)
        model, extra = build_model(path, CRNN, CRNNConfig)
        calibration = extra.get("calibration")
        return cls(model, tuple(calibration) if calibration else None, **kwargs)

    @torch.inference_mode()
    def probabilities(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Per-crop (frames, classes) softmax. Each crop is padded to the next of a fixed series of
        widths and read in a batch of crops padded alike: the BiLSTM reads the padding, so a crop
        padded to whatever its batch's widest was would read differently alone and among others."""
        widths = [rec_width(c.shape[0], c.shape[1], self.height, self.max_width) for c in crops]
        results: list[np.ndarray | None] = [None] * len(crops)
        for padded, idx in width_batches(widths, self.pad_widths, self.batch_size):
            batch = rec_batch([crops[i] for i in idx], self.height, self.max_width, padded)
            logits = (
                torch.from_numpy(self.runner(batch.numpy())["logits"])
                if self.runner is not None
                else self.model(batch)["logits"]
            )
            probs = torch.softmax(logits.float(), dim=2).numpy()  # (T, B, C)
            for j, i in enumerate(idx):
                results[i] = probs[: self.model.frames(widths[i]), j]
        return results  # type: ignore[return-value]

    def raw(self, crops: list[np.ndarray]) -> list[Decoded]:
        """Decode crops as they are: no lexicon, no calibration, no turning."""
        return [self._decode(p) for p in self.probabilities(crops)]

    def _decode(self, probs: np.ndarray) -> Decoded:
        return beam_decode(probs, self.charset, self.beam) if self.beam else greedy_decode(probs, self.charset)

    def _read(
        self,
        crops: list[np.ndarray],
        lexicon: Sequence[bool],
        rotation: int = 0,
        probabilities: list[np.ndarray] | None = None,
    ) -> list[Reading]:
        """Readings of ``crops`` (``probabilities``: their frames, where already computed)."""
        readings = []
        frames = self.probabilities(crops) if probabilities is None else probabilities
        for probs, use_lexicon in zip(frames, lexicon, strict=True):
            decoded, changed = self._decode(probs), False
            if use_lexicon and self.lexicon is not None and decoded.text:
                corrected = self.lexicon.correct(decoded.text, log_frames(probs), self.charset)
                if corrected != decoded.text:
                    decoded, changed = align(probs, corrected, self.charset), True
            score = calibrate(decoded.score, self.calibration, changed)
            readings.append(
                Reading(
                    decoded.text, score, decoded.char_probs, rotation, decoded.char_positions, changed, decoded.score
                )
            )
        return readings

    def __call__(
        self, crops: list[np.ndarray], retry: bool = True, lexicon: bool | Sequence[bool] = True
    ) -> list[Reading]:
        """Readings of ``crops``. ``retry``: read uncertain crops again, stretched and turned.
        ``lexicon``: whether each crop holds words (not plate numbers or codes), so that
        dictionary words are preferred where the image allows them."""
        words = [lexicon] * len(crops) if isinstance(lexicon, bool) else list(lexicon)
        frames = self.probabilities(crops)
        readings = self._read(crops, words, probabilities=frames)
        if not retry:
            return readings
        # Condensed lettering (plates, narrow sign faces) reads better a third wider; character
        # places are fractions of the width, so they hold for the crop as it is.
        unsure = [
            i
            for i, (c, r) in enumerate(zip(crops, readings, strict=True))
            if r.score < self.stretch_below and c.shape[0] <= self.tall * c.shape[1]
        ]
        wider = [_stretched(crops[i], self.stretch) for i in unsure]
        for i, reading in zip(unsure, self._read(wider, [words[i] for i in unsure]) if unsure else [], strict=True):
            if reading.score > readings[i].score and reading.text:
                readings[i] = reading
        # Tall crops are probably vertical text: read them turned both ways. Poor readings may be
        # upside down: read them turned 180 degrees. Keep whichever orientation scores best.
        to_turn = [
            i
            for i, (c, r) in enumerate(zip(crops, readings, strict=True))
            if c.shape[0] > self.tall * c.shape[1] or r.score < self.turn_below
        ]
        for rotation, turns in ((90, 1), (270, 3), (180, 2)):
            todo = [i for i in to_turn if rotation == 180 or crops[i].shape[0] > self.tall * crops[i].shape[1]]
            if not todo:
                continue
            turned = [np.ascontiguousarray(np.rot90(crops[i], turns)) for i in todo]
            for i, reading in zip(todo, self._read(turned, [words[i] for i in todo], rotation), strict=True):
                if reading.score > readings[i].score + self.margin and reading.text:
                    readings[i] = reading
        crops, frames = self._follow_lines(crops, frames, readings, words)
        self._second_opinion(crops, frames, readings, words)
        return readings

    def _follow_lines(
        self, crops: list[np.ndarray], frames: list[np.ndarray], readings: list[Reading], words: list[bool]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Unsure level crops large enough to hold a curved or slanted line, read again with the
        line made level; where that reads better, its reading replaces the crop's, and the levelled
        crop and its frames are what the second opinion is asked about. Columns keep their places,
        so the letters' places across the crop hold. Returns the crops and frames so updated."""
        levelled: dict[int, np.ndarray] = {}
        for i in unsure_level(readings, self.level_below):
            if self.level_from <= crops[i].shape[0] <= self.tall * crops[i].shape[1]:
                level = follow_line(crops[i])
                if level is not None:
                    levelled[i] = level
        if not levelled:
            return crops, frames
        crops, frames = list(crops), list(frames)
        their_frames = self.probabilities(list(levelled.values()))
        theirs = self._read(list(levelled.values()), [words[i] for i in levelled], probabilities=their_frames)
        for (i, crop), probs, reading in zip(levelled.items(), their_frames, theirs, strict=True):
            if reading.score > readings[i].score and reading.text:
                readings[i], crops[i], frames[i] = reading, crop, probs
        return crops, frames

    def _second_opinion(
        self, crops: list[np.ndarray], frames: list[np.ndarray], readings: list[Reading], words: list[bool]
    ) -> None:
        """Where this reader is unsure of a level crop (``frames``: its probabilities as it is), the
        second reads it too, once, and for a crop at least ``hires_from`` rows high the ``hires``
        view as well. Each voice's reading is a candidate where it differs from this one's in at
        most ``second_reach`` (or wherever this one read nothing: frames all but blank may still
        hold faint letters), and the candidate all the voices' frames support best (CTC
        log-likelihoods summed, every alignment counted, plus the dictionary's prior for crops read
        with it) wins. Readers trained apart rarely make the same mistake, and each one's frames
        still favour the right text where another misread it. Changes ``readings`` in place."""
        unsure = unsure_level(readings, self.second_below)
        heard: dict[int, list[tuple[str, np.ndarray, Reading]]] = {i: [] for i in unsure}
        voices = ((self.second, unsure), (self.hires, [i for i in unsure if crops[i].shape[0] >= self.hires_from]))
        for voice, asked in voices:
            if voice is None or not asked:
                continue
            subset = [crops[i] for i in asked]
            their_frames = voice.probabilities(subset)
            theirs = voice._read(subset, [words[i] for i in asked], probabilities=their_frames)
            for i, their, reading in zip(asked, their_frames, theirs, strict=True):
                heard[i].append((voice.charset, their, reading))
        for i, opinions in heard.items():
            mine = readings[i].text
            candidates = [readings[i]]
            for _, _, other in opinions:
                if (
                    other.text
                    and all(other.text != c.text for c in candidates)
                    and (not mine or Levenshtein.normalized_distance(other.text, mine) <= self.second_reach)
                ):
                    candidates.append(other)
            if len(candidates) == 1:
                continue
            texts = [c.text for c in candidates]
            support = string_log_likelihoods(log_frames(frames[i]), texts, self.charset)
            for charset, their, _ in opinions:
                support = support + string_log_likelihoods(log_frames(their), texts, charset)
            if words[i] and self.lexicon is not None:
                support = support + np.array([self.lexicon.prior(text) for text in texts])
            readings[i] = candidates[int(np.argmax(support))]

    def consensus(
        self, views: list[np.ndarray], adjust: Callable[[np.ndarray], np.ndarray] | None = None
    ) -> tuple[Reading, int]:
        """One reading from several views of the same text (crops trimmed differently), letter by
        letter (no dictionary): each view's own reading is a candidate, and the candidate the views
        support best together (CTC log-likelihoods summed over views) wins. A single small crop
        flips between M and W or Z and 2 with its trim; the views rarely all err the same way.
        Each view is also read a third wider (condensed lettering). Returns the reading and the
        index of the view it is aligned on (the one that supports it best). ``adjust`` maps each
        view's frame probabilities first (a prior over what the text may say)."""
        crops = list(views) + [_stretched(v, self.stretch) for v in views]
        probs = self.probabilities(crops)
        if adjust is not None:
            probs = [adjust(p) for p in probs]
        candidates = sorted({self._decode(p).text for p in probs} - {""})
        if not candidates:
            return self._read(views[:1], [False])[0], 0
        support = np.stack([string_log_likelihoods(log_frames(p), candidates, self.charset) for p in probs])
        best = int(np.argmax(support.sum(0)))
        view = int(np.argmax(support[:, best]))
        decoded = align(probs[view], candidates[best], self.charset)
        reading = Reading(
            decoded.text,
            calibrate(decoded.score, self.calibration),
            decoded.char_probs,
            char_positions=decoded.char_positions,
            raw_score=decoded.score,
        )
        return reading, view % len(views)


def unsure_level(readings: Sequence[Reading], below: float) -> list[int]:
    """Indices of the readings scoring under ``below`` that were read as cut (not turned): the
    crops a later look (levelled, another voice) may read better."""
    return [i for i, r in enumerate(readings) if r.score < below and r.rotation == 0]


def padded_widths(ratio: float, max_width: int) -> list[int]:
    """The widths crops are padded to: from 16 up to ``max_width``, each ``ratio`` times the last
    (rounded up to a multiple of 4), so a crop is padded by about that share of itself at most."""
    series = [16]
    while series[-1] < max_width:
        series.append(min(max_width, max(series[-1] + 4, int(np.ceil(series[-1] * ratio / 4.0)) * 4)))
    return series


def width_batches(widths: Sequence[int], series: Sequence[int], batch_size: int) -> list[tuple[int, list[int]]]:
    """Indices of ``widths`` grouped by the width of ``series`` each is padded to (the first at
    least as wide), at most ``batch_size`` a batch, narrowest first: (padded width, indices)."""
    groups: dict[int, list[int]] = {}
    for i in sorted(range(len(widths)), key=lambda i: widths[i]):
        groups.setdefault(series[bisect.bisect_left(series, widths[i])], []).append(i)
    return [
        (padded, members[start : start + batch_size])
        for padded, members in groups.items()
        for start in range(0, len(members), batch_size)
    ]


def _stretched(crop: np.ndarray, factor: float) -> np.ndarray:
    height, width = crop.shape[:2]
    return cv2.resize(crop, (max(int(round(width * factor)), 1), height), interpolation=cv2.INTER_CUBIC)
