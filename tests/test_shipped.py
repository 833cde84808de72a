"""The shipped default models load without a network and read clean, large text."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrnet.models.recognizer import DEFAULT_WEIGHTS as REC_WEIGHTS
from ocrnet.models.segnet import DEFAULT_WEIGHTS as SEG_WEIGHTS

pytestmark = pytest.mark.skipif(
    not (REC_WEIGHTS.is_file() and SEG_WEIGHTS.is_file()), reason="default weights not shipped yet"
)


def _sign(words: list[str]) -> np.ndarray:
    image = Image.new("RGB", (640, 240), (20, 100, 60))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans-Bold.ttf", 56)
    for i, word in enumerate(words):
        draw.text((60, 30 + 100 * i), word, font=font, fill=(255, 255, 255))
    return np.asarray(image)


def test_default_recognizer_reads_clean_crops():
    from ocrnet.predict.recognition import Recognizer

    recognizer = Recognizer.default()
    crops = []
    font = ImageFont.truetype("DejaVuSans.ttf", 40)
    for word in ("Station", "EXIT", "2025"):
        left, top, right, bottom = font.getbbox(word)
        image = Image.new("RGB", (right - left + 12, bottom - top + 12), (255, 255, 255))
        ImageDraw.Draw(image).text((6 - left, 6 - top), word, font=font, fill=(0, 0, 0))
        crops.append(np.asarray(image))
    readings = recognizer(crops)
    assert sum(r.text == w for r, w in zip(readings, ("Station", "EXIT", "2025"), strict=True)) >= 2
    assert all(0.0 <= r.score <= 1.0 for r in readings)


def test_default_pipeline_finds_and_reads_a_clean_sign():
    import ocrnet

    page = ocrnet.read(_sign(["Airport", "Harbour"]))
    texts = {w.text for w in page.words}
    assert texts & {"Airport", "Harbour"}
    assert all(w.polygon and 0 <= w.score <= 1 for w in page.words)


def test_plate_reader_is_the_word_reader_without_its_dictionary_and_reads_a_plate_number():
    from ocrnet.predict.recognition import Recognizer

    words = Recognizer.default()
    reader = words.without_lexicon()
    assert reader.lexicon is None and words.lexicon is not None
    assert reader.model is words.model and reader.calibration == words.calibration
    assert words.second is not None and words.second.lexicon is words.lexicon  # the shipped second opinion
    assert reader.second.model is words.second.model and reader.second.lexicon is None
    assert words.hires.height == 48 and reader.hires.lexicon is None  # its own network, read taller
    font = ImageFont.truetype("DejaVuSans-Bold.ttf", 40)
    left, top, right, bottom = font.getbbox("7KQ2095")
    image = Image.new("RGB", (right - left + 16, bottom - top + 16), (235, 235, 230))
    ImageDraw.Draw(image).text((8 - left, 8 - top), "7KQ2095", font=font, fill=(20, 30, 90))
    reading, _ = reader.consensus([np.asarray(image)])
    assert reading.text == "7KQ2095"
