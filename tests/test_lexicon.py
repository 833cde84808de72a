"""The dictionary prior: CTC string likelihoods, forced alignment, and when a reading is changed;
the second reader's vote, settled by the same likelihoods."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ocrnet.models.recognizer import CRNN, CRNNConfig
from ocrnet.postprocess.ctc import align, greedy_decode, string_log_likelihoods
from ocrnet.postprocess.lexicon import Lexicon
from ocrnet.predict.recognition import Recognizer

CHARSET = "()0GINOTW"


def frames(spec: list[dict[str, float]]) -> np.ndarray:
    """(T, classes) probabilities: each frame's named characters, the rest of the mass on blank."""
    out = np.full((len(spec), len(CHARSET) + 1), 1e-4)
    for t, frame in enumerate(spec):
        for ch, p in frame.items():
            out[t, CHARSET.index(ch) + 1] = p
        out[t, 0] = max(1.0 - out[t, 1:].sum(), 1e-4)
    return out / out.sum(1, keepdims=True)


def towing(zero: float, brackets: bool = False) -> np.ndarray:
    """A reading of TOWING whose O frame gives ``zero`` to the digit and the rest to the letter."""
    spec = [{"T": 0.98}, {}, {"0": zero, "O": 0.98 - zero}, {}, {"W": 0.98}, {"I": 0.98}, {}, {"N": 0.98}, {"G": 0.98}]
    return frames([{"(": 0.98}, *spec, {")": 0.98}] if brackets else spec)


def test_string_likelihood_sums_every_alignment():
    probs = frames([{"T": 0.6, "O": 0.2}, {"O": 0.5}, {"O": 0.3, "T": 0.3}])
    blank_or = {"TO": 0.0}
    # brute force: every frame path that collapses to "TO"
    for path in itertools.product(range(len(CHARSET) + 1), repeat=3):
        collapsed = [k for i, k in enumerate(path) if k and (i == 0 or path[i - 1] != k)]
        if "".join(CHARSET[k - 1] for k in collapsed) == "TO":
            blank_or["TO"] += float(np.prod([probs[t, k] for t, k in enumerate(path)]))
    got = string_log_likelihoods(np.log(probs), ["TO", "TX", ""], CHARSET)
    assert got[0] == pytest.approx(np.log(blank_or["TO"]), abs=1e-4)
    assert np.isneginf(got[1])  # X is outside the charset
    assert got[2] == pytest.approx(np.log(probs[:, 0]).sum())  # the empty text: every frame blank


def test_alignment_of_the_greedy_text_gives_greedy_figures():
    probs = towing(0.6)
    greedy = greedy_decode(probs, CHARSET)
    forced = align(probs, greedy.text, CHARSET)
    assert greedy.text == "T0WING"
    assert forced.char_probs == pytest.approx(greedy.char_probs)
    assert forced.char_positions == pytest.approx(greedy.char_positions)
    changed = align(probs, "TOWING", CHARSET)
    assert changed.char_probs[1] == pytest.approx(probs[2, CHARSET.index("O") + 1])


def test_a_non_word_becomes_the_word_the_image_allows():
    lexicon = Lexicon(["towing", "tow", "wing"])
    probs = towing(0.6)  # the letter O had 0.38 of that frame
    assert lexicon.correct("T0WING", np.log(probs), CHARSET) == "TOWING"
    assert lexicon.correct("(T0WING)", np.log(towing(0.6, brackets=True)), CHARSET) == "(TOWING)"


def test_a_clear_reading_and_numbers_stay_as_read():
    lexicon = Lexicon(["towing"])
    clear = towing(0.98 - 1e-4)  # the letter O had almost nothing: the image says 0
    assert lexicon.correct("T0WING", np.log(clear), CHARSET) == "T0WING"
    digits = frames([{"0": 0.9}, {}, {"0": 0.9}])
    assert not lexicon.correctable("00") and not lexicon.correctable("T000")
    assert not lexicon.correctable("CASH3") and not lexicon.correctable("GST")  # a code; an abbreviation
    assert lexicon.correct("00", np.log(digits), CHARSET) == "00"


def test_shipped_lexicon_loads_and_knows_common_words():
    lexicon = Lexicon.default()
    assert len(lexicon) > 50_000
    assert "department" in lexicon and "Theaters" in lexicon and "xqzv" not in lexicon
    assert "department" in lexicon.candidates("DETARTMENT")


def garbled(word: str, rng: random.Random) -> str:
    """``word`` after one to three substitutions, insertions or deletions."""
    letters = list(word)
    for _ in range(rng.randint(1, 3)):
        i, letter, edit = rng.randrange(len(letters)), rng.choice("eosx0'"), rng.randrange(3)
        if edit == 0:
            letters[i] = letter
        elif edit == 1:
            letters.insert(i, letter)
        elif len(letters) > 1:
            del letters[i]
    return "".join(letters)


def test_the_letter_pair_index_finds_every_word_a_search_of_the_whole_dictionary_finds():
    lexicon = Lexicon.default()
    vocabulary = sorted(sorted(lexicon.words), key=len)
    rng = random.Random(7)
    tokens = ["mississipi", "aaaa", "don's", "T0WING", "DETARTMENT", "5ENTENCE", "bookkeeeper"]
    tokens += [garbled(word, rng) for word in rng.sample(vocabulary, 150)]
    for token in tokens:
        reach = lexicon.edits(len(token))
        pool = [w for w in vocabulary if abs(len(w) - len(token)) <= reach]
        found = process.extract(token.lower(), pool, scorer=Levenshtein.distance, score_cutoff=reach, limit=20)
        assert lexicon.candidates(token) == [w for w, _, _ in found], token


@pytest.mark.parametrize(("space", "expected"), [(0.2, "GO TWIN"), (0.001, "GOTWIN")])
def test_two_words_run_together_are_split_where_the_image_allows_a_space(space, expected):
    charset = " GINOTW"

    def frame(ch: str | None, p: float = 0.98) -> np.ndarray:
        out = np.full(len(charset) + 1, 1e-4)
        if ch is not None:
            out[charset.index(ch) + 1] = p
        out[0] = 1.0 - out[1:].sum()
        return out

    # G O, a frame between the words that is mostly blank, T W I N: "GOT WIN" has no room for a space
    probs = np.stack([frame("G"), frame("O"), frame(" ", space), frame("T"), frame("W"), frame("I"), frame("N")])
    lexicon = Lexicon(["go", "twin", "got", "win"])
    assert lexicon.splits("GOTWIN") == ["GO TWIN", "GOT WIN"]
    assert lexicon.correct("GOTWIN", np.log(probs), charset) == expected


def test_the_prior_counts_the_letters_of_dictionary_words_long_enough_to_correct_to():
    lexicon = Lexicon(["towing", "now", "wing"])
    assert lexicon.prior("TOWING") == pytest.approx(6.0)
    assert lexicon.prior("(Towing) now WING") == pytest.approx(10.0)  # "now" is too short to count
    assert lexicon.prior("T0WING") == 0.0


def frames_reader(readings: dict[int, np.ndarray], **kwargs) -> Recognizer:
    """A reader over ``CHARSET`` whose frames for a crop are looked up by the crop's pixel value."""
    model = CRNN(CRNNConfig(charset=CHARSET, width=4, hidden=8))
    reader = Recognizer(model, backend="torch", stretch_below=0.0, turn_below=0.0, **kwargs)
    reader.probabilities = lambda crops: [readings[int(crop[0, 0, 0])] for crop in crops]
    return reader


def crop(key: int, height: int = 32) -> np.ndarray:
    return np.full((height, 96, 3), key, np.uint8)


def test_a_second_reader_settles_an_unsure_reading_by_both_networks_frames():
    # crop 1: the first reader is unsure of its 0 (score 0.90), the second clearly sees an O
    # crop 2: the first reads TOWING surely (0.98): however sure the second is of a 0, it is not asked
    # crop 3: both unsure and at odds: together their frames favour the first's TOWING
    second = frames_reader({1: towing(0.02), 2: towing(0.98), 3: towing(0.5)})
    first_frames = {1: towing(0.6), 2: towing(0.001), 3: towing(0.45)}
    first = frames_reader(first_frames, second=second, second_below=0.95)
    crops = [crop(1), crop(2), crop(3)]
    assert [r.text for r in frames_reader(first_frames)(crops)] == ["T0WING", "TOWING", "TOWING"]
    assert [r.text for r in second(crops)] == ["TOWING", "T0WING", "T0WING"]
    assert [r.text for r in first(crops)] == ["TOWING", "TOWING", "TOWING"]
    first.second_below = 1.0  # asked about crop 2 as well, the second's sure 0 outweighs the first
    assert [r.text for r in first(crops)] == ["TOWING", "T0WING", "TOWING"]


def test_the_high_resolution_voice_is_heard_only_on_crops_tall_enough_for_it():
    # both readers lean to the digit 0; read taller, the same network clearly sees an O
    second = frames_reader({1: towing(0.55), 2: towing(0.55)})
    hires = frames_reader({1: towing(0.02), 2: towing(0.02)})
    first = frames_reader(
        {1: towing(0.6), 2: towing(0.6)}, second=second, second_below=0.95, hires=hires, hires_from=40
    )
    short, tall = crop(1), crop(2, height=48)
    assert [r.text for r in first([short, tall])] == ["T0WING", "TOWING"]
    first.hires_from = 32
    assert [r.text for r in first([short, tall])] == ["TOWING", "TOWING"]


def test_an_unsure_large_crop_is_read_again_with_its_line_levelled():
    # a plain 60-row crop levels to a band of 18 rows (follow_line's narrowest); read so, its O is clear
    first = frames_reader({}, level_from=40, level_below=0.95)
    first.probabilities = lambda crops: [towing(0.6) if c.shape[0] == 60 else towing(0.02) for c in crops]
    assert first([crop(1, height=60)])[0].text == "TOWING"
    first.level_from = 61
    assert first([crop(1, height=60)])[0].text == "T0WING"


def leaning_to_blank(probs: np.ndarray, share: float) -> np.ndarray:
    """``probs`` with each frame's letters scaled by ``share``, the rest given to blank."""
    out = probs * share
    out[:, 0] += 1.0 - out.sum(1)
    return out


def test_a_reading_of_nothing_is_weighed_against_the_second_readers_text():
    # crop 1: the first reader's frames lean to blank but still allow TOWING, which the second sees
    # crop 2: the first is all but sure nothing is there, the second only half sure of TOWING
    faint, empty = leaning_to_blank(towing(0.0), 0.4), leaning_to_blank(towing(0.0), 0.001)
    second = frames_reader({1: towing(0.02), 2: leaning_to_blank(towing(0.0), 0.6)})
    first = frames_reader({1: faint, 2: empty}, second=second, second_below=1.01)
    assert [r.text for r in frames_reader({1: faint, 2: empty})([crop(1), crop(2)])] == ["", ""]
    assert [r.text for r in second([crop(1), crop(2)])] == ["TOWING", "TOWING"]
    assert [r.text for r in first([crop(1), crop(2)])] == ["TOWING", ""]
