"""Dictionary words as a prior on readings: a token the recogniser read as a non-word is replaced
by a dictionary word within a small edit distance when the image supports that word almost as
well (CTC likelihood of the whole string, every alignment summed). "T0WING", "DETARTMENT" and
"NIGT" become "TOWING", "DEPARTMENT" and "NIGHT"; names, numbers and codes the image reads
clearly stay as read, because a word must come within a prior of the decoded string, a few nats
per letter."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ocrnet.postprocess.ctc import string_log_likelihoods

DEFAULT_LEXICON = Path(__file__).parent / "assets" / "lexicon_en.txt.gz"
WORD = re.compile(r"[a-z]+(?:'s)?")
#: Digits that stand in for letters in misreadings (0/O, 1/I, 5/S, 8/B); any other digit marks a
#: code or a number, which the dictionary leaves alone.
LETTER_LIKE_DIGITS = frozenset("0158")
#: A token: leading punctuation, a core of letters, digits and apostrophes, trailing punctuation.
TOKEN = re.compile(r"([^A-Za-z0-9]*)([A-Za-z0-9']+?)([^A-Za-z0-9]*)")


@dataclass(frozen=True)
class LexiconParams:
    """How far, and how readily, a reading may be moved to a dictionary word."""

    prior_per_letter: float = 1.0  # nats a dictionary word is favoured by, per letter of the token: a
    # long garbled token near a word is that word; a short one may well be an abbreviation
    max_distance: int = 3  # edits between a long token and a candidate word
    short: int = 4  # tokens this long or shorter may be one edit away only,
    long: int = 6  # shorter ones two, this long or longer ``max_distance``
    min_length: int = 4  # shorter tokens are left alone (too many words lie within reach)
    max_candidates: int = 20
    # A non-word that is two dictionary words run together ("isalways", "getit") is read as the two
    # when the image supports a space between them within this many nats of the reading as it is
    # (None: never split). Small type leaves a space a pixel or two, which the reader may not see.
    split_cost: float | None = 4.0
    min_part: int = 2  # letters in each part of a split


class Lexicon:
    """Dictionary correction that weighs each candidate word by the network's own letter probabilities,
    so a word replaces a reading only where the image allows it."""

    def __init__(self, words: Iterable[str], params: LexiconParams = LexiconParams()) -> None:
        folded = {w.strip().lower() for w in words}
        self.words = frozenset(w for w in folded if WORD.fullmatch(w))
        self.params = params
        # shortest first, then alphabetical: candidates at equal distance come in this order
        self._vocabulary = sorted(sorted(self.words), key=len)
        self._index = BigramIndex(self._vocabulary)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Lexicon:
        """SCOWL's American and British English lists shipped with the package (about 104,000 words)."""
        with gzip.open(DEFAULT_LEXICON, "rt", encoding="utf-8") as handle:
            return cls(handle.read().split())

    def __contains__(self, token: str) -> bool:
        return token.lower() in self.words

    def __len__(self) -> int:
        return len(self.words)

    def candidates(self, core: str) -> list[str]:
        """Dictionary words within reach of ``core`` (lower case), nearest first. Only the words
        that share enough letter pairs with ``core`` to be within reach are compared letter by
        letter: for a garbled word, a fiftieth of those of a nearby length on average."""
        query, reach = core.lower(), self.edits(len(core))
        pool = [self._vocabulary[i] for i in self._index.within(query, reach)]
        found = process.extract(
            query, pool, scorer=Levenshtein.distance, score_cutoff=reach, limit=self.params.max_candidates
        )
        return [w for w, _, _ in found]

    def edits(self, length: int) -> int:
        """How many edits a token of ``length`` letters may be from a word: more for longer ones."""
        if length <= self.params.short:
            return 1
        return self.params.max_distance if length >= self.params.long else min(2, self.params.max_distance)

    def correctable(self, core: str) -> bool:
        """Worth a look: long enough, mostly letters, no digit but letter-like ones, not a word yet."""
        letters = sum(ch.isalpha() for ch in core)
        digits = {ch for ch in core if ch.isdigit()}
        return (
            len(core) >= self.params.min_length
            and letters > len(core) / 2
            and digits <= LETTER_LIKE_DIGITS
            and core not in self
        )

    def prior(self, text: str) -> float:
        """Nats the dictionary favours ``text`` by: the prior per letter for each dictionary word
        in it long enough to be corrected to (what a corrected word is granted in ``correct``)."""
        cores = (match.group(2) for token in text.split(" ") if (match := TOKEN.fullmatch(token)))
        letters = sum(len(core) for core in cores if len(core) >= self.params.min_length and core.lower() in self)
        return self.params.prior_per_letter * letters

    def correct(self, text: str, log_probs: np.ndarray, charset: str) -> str:
        """``text`` with each correctable token replaced by the best-supported dictionary word, when
        that word's log-likelihood plus the prior beats the text as read. ``log_probs``: (T, classes)."""
        tokens = text.split(" ")
        for k, token in enumerate(tokens):
            match = TOKEN.fullmatch(token)
            if not match or not self.correctable(match.group(2)):
                continue
            lead, core, tail = match.groups()
            variants = sorted({v for word in self.candidates(core) for v in _cased_like(word, core)})
            correct = self.params.prior_per_letter * len(core)
            if self._better(tokens, k, [lead + v + tail for v in variants], log_probs, charset, correct):
                continue
            if self.params.split_cost is not None:
                splits = [lead + v + tail for v in self.splits(core)]
                self._better(tokens, k, splits, log_probs, charset, self.params.split_cost)
        return " ".join(tokens)

    def splits(self, core: str) -> list[str]:
        """``core`` cut in two dictionary words, a space between them ("is always" from "isalways")."""
        least = self.params.min_part
        return [
            f"{core[:i]} {core[i:]}"
            for i in range(least, len(core) - least + 1)
            if core[:i] in self and core[i:] in self
        ]

    def _better(
        self, tokens: list[str], k: int, variants: list[str], log_probs: np.ndarray, charset: str, allowance: float
    ) -> bool:
        """Put in ``tokens[k]`` the variant the image supports best, where that support is within
        ``allowance`` nats (the prior a corrected word or a split must overcome) of the tokens as
        they are. Returns whether a variant was put in."""
        if not variants:
            return False
        options = [" ".join([*tokens[:k], v, *tokens[k + 1 :]]) for v in variants]
        scores = string_log_likelihoods(log_probs, [" ".join(tokens), *options], charset)
        best = int(np.argmax(scores[1:]))
        if scores[1 + best] + allowance <= scores[0]:
            return False
        tokens[k] = variants[best]
        return True


def _cased_like(word: str, reading: str) -> list[str]:
    """The word in the case patterns the reading suggests (the image decides between them)."""
    if reading.isupper():
        return [word.upper()]
    if reading[:1].isupper():
        return [word.capitalize(), word.upper()]
    return [word, word.capitalize()]


class BigramIndex:
    """Which words could lie within k edits of a query, from the letter pairs they share (the
    q-gram lemma): with a boundary mark at each end, a word of n letters has n + 1 pairs, and one
    edit spoils at most two of them, so two strings within k edits share at least max(n, m) + 1 -
    2k pairs. Counting shared pairs over posting lists is far cheaper than an edit distance against
    every word of a nearby length."""

    #: letter codes: 0 the boundary, 1-26 a-z, 27 the apostrophe, 28 anything else (in no word)
    CODES = {ch: i + 1 for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz'")}
    SIZE = 29

    def __init__(self, words: list[str]) -> None:
        marks = np.frombuffer(("\0" + "\0".join(words) + "\0").encode("ascii"), np.uint8)
        table = np.full(256, self.SIZE - 1, np.int16)
        table[0] = 0
        for ch, code in self.CODES.items():
            table[ord(ch)] = code
        codes = table[marks]
        pairs = codes[:-1] * self.SIZE + codes[1:]
        # the pair starting at each position belongs to the word whose opening boundary came last
        owner = np.cumsum(marks == 0)[:-1] - 1
        order = np.argsort(pairs, kind="stable")
        self._postings = owner[order].astype(np.int32)
        self._starts = np.searchsorted(pairs[order], np.arange(self.SIZE * self.SIZE + 1))
        self._lengths = np.fromiter(map(len, words), np.int32, len(words))

    def within(self, query: str, reach: int) -> np.ndarray:
        """Indices (ascending) of the words that may be within ``reach`` edits of ``query``: a
        superset of those that are, never missing one."""
        codes = [0, *(self.CODES.get(ch, self.SIZE - 1) for ch in query), 0]
        pairs = {a * self.SIZE + b for a, b in pairwise(codes)}
        # a word holding a pair twice counts it twice: more than shared, so the bound still holds
        hits = [self._postings[self._starts[p] : self._starts[p + 1]] for p in pairs]
        shared = np.bincount(np.concatenate(hits), minlength=len(self._lengths))
        longer = np.maximum(self._lengths, len(query))
        near = np.abs(self._lengths - len(query)) <= reach
        return np.flatnonzero(near & (shared >= longer + 1 - 2 * reach))
