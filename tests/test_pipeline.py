import json

import cv2
import numpy as np

from ocrnet.batch import ReadOutputs, run_batch
from ocrnet.data.synth import generate
from ocrnet.io import save_image
from ocrnet.outputs import decode_word_mask
from ocrnet.pipeline import Pipeline, normalize_plate, plates
from ocrnet.postprocess.classes import polygon_mask
from ocrnet.postprocess.crops import rectify
from ocrnet.postprocess.lexicon import Lexicon
from ocrnet.predict.recognition import Reading
from ocrnet.predict.segmentation import SegOutput, channel_argmax
from ocrnet.types import CLASS_ID
from ocrnet.video import Tracker, frames

from fakes import OracleSegmenter, TableRecognizer, make_pipeline


def test_pipeline_fuses_words_with_classes_and_masks():
    sample = generate("plate", (2, 2), size=(320, 320))
    result = make_pipeline(sample)(sample.image)
    assert {w.text for w in result.words} == {w.text for w in sample.words if not w.ignore}
    assert any(w.cls == "plate" for w in result.words)
    assert len(result.word_masks) == len(result.words)
    # a word's glyph pixels are the sample's stroke pixels inside its polygon
    first = result.word_mask(0)
    assert first.shape == sample.stroke_mask.shape and first.sum() > 0
    assert (first & (sample.stroke_mask > 0)).sum() == first.sum()
    assert sum(len(line.words) for line in result.lines) == len(result.words)
    assert plates(result) and plates(result)[0]["text"] == normalize_plate(plates(result)[0]["text"])


class GluedReader(TableRecognizer):
    """Reads its one region as "VOTEFOR", each letter placed at its ink block's centre."""

    def __init__(self, places, lexicon):
        super().__init__(["VOTEFOR"])
        self.places, self.lexicon = places, lexicon

    def __call__(self, crops, retry=True, lexicon=True):
        return [Reading("VOTEFOR", 0.9, [0.9] * 7, char_positions=self.places)]


def test_a_space_the_reader_missed_is_found_in_the_ink_and_cuts_the_region():
    stroke = np.zeros((40, 140), np.float32)
    lefts = [10, 24, 38, 52, 78, 92, 106]  # seven letters 12 px wide, 2 px apart; 14 px after the fourth
    for x in lefts:
        stroke[12:28, x : x + 12] = 1.0
    quad = np.float32([[6, 8], [122, 8], [122, 32], [6, 32]])
    classes = np.full(stroke.shape, CLASS_ID["other"], np.int64)
    seg = SegOutput(stroke, stroke, classes, [(quad, 0.9)])
    crop = rectify(stroke, quad)[0]
    ink = np.flatnonzero(crop.max(0) > 0.5)
    starts = ink[np.flatnonzero(np.diff(np.concatenate([[-2], ink])) > 1)]
    places = [(x + 6) / crop.shape[1] for x in starts]  # each block's centre across the crop
    image = np.repeat(((1 - stroke) * 255).astype(np.uint8)[..., None], 3, axis=2)
    pipeline = Pipeline(lambda _: seg, GluedReader(places, Lexicon(["vote", "for"])), orientation=None)
    words = pipeline(image).words
    assert [w.text for w in words] == ["VOTE", "FOR"]
    assert words[0].points[:, 0].max() < words[1].points[:, 0].min()  # cut at the gap
    pipeline.spaces = None
    assert [w.text for w in pipeline(image).words] == ["VOTEFOR"]


def test_plates_are_read_without_the_dictionary():
    sample = generate("plate", (2, 2), size=(320, 320))
    pipeline = make_pipeline(sample)
    result = pipeline(sample.image)
    plate_regions = sum(w.cls == "plate" for w in result.words)
    assert plate_regions and pipeline.recognizer.lexicon_flags.count(False) >= plate_regions
    pipeline = make_pipeline(sample, mode="plate")
    pipeline(sample.image)
    assert not any(pipeline.recognizer.lexicon_flags)


def test_batch_writes_outputs_reports_bad_files_and_resumes(tmp_path):
    sample = generate("sign", (5, 1), size=(256, 256))
    save_image(tmp_path / "in" / "a.png", sample.image)
    (tmp_path / "in" / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    outputs = ReadOutputs(
        json=tmp_path / "o.jsonl",
        viz=tmp_path / "viz",
        masks=tmp_path / "m",
        erase=tmp_path / "e",
        markdown=tmp_path / "md",
        word_masks=True,
    )
    report = run_batch(make_pipeline(sample), [tmp_path / "in"], outputs)
    assert report.done == 1 and len(report.failed) == 1 and "broken.jpg" in report.failed[0]
    record = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])
    assert record["words"] and {"polygon", "text", "score", "class", "line", "mask"} <= set(record["words"][0])
    masks = [decode_word_mask(w["mask"], 256, 256) for w in record["words"]]
    assert all(m.any() for m in masks) and np.sum(masks, axis=0).max() == 1  # each word its own glyphs
    for path in ("viz/a.png", "m/a_stroke.png", "m/a_classes.png", "e/a.png", "md/a.md"):
        assert (tmp_path / path).is_file()
    again = run_batch(make_pipeline(sample), [tmp_path / "in"], outputs, resume=True)
    assert again.skipped == 1 and again.done == 0
    anew = run_batch(make_pipeline(sample), [tmp_path / "in"], outputs)
    assert anew.done == 1 and len((tmp_path / "o.jsonl").read_text().splitlines()) == 1  # not after the last run's


def test_batch_reads_each_page_reports_bad_pdfs_and_resumes_by_page(tmp_path, write_pdf):
    sample = generate("sign", (5, 1), size=(256, 256))
    write_pdf(tmp_path / "in" / "doc.pdf", [sample.image, sample.image])
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    outputs = ReadOutputs(json=tmp_path / "o.jsonl", masks=tmp_path / "m")
    report = run_batch(make_pipeline(sample), [tmp_path / "in"], outputs, dpi=72)
    assert report.done == 1 and len(report.failed) == 1 and "broken.pdf" in report.failed[0]
    records = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["image"] for r in records] == [f"{tmp_path / 'in' / 'doc.pdf'}#page={n}" for n in (1, 2)]
    assert all(r["width"] == 256 and r["words"] for r in records)
    assert (tmp_path / "m" / "doc_p1_stroke.png").is_file() and (tmp_path / "m" / "doc_p2_stroke.png").is_file()
    lines = (tmp_path / "o.jsonl").read_text().splitlines()
    (tmp_path / "o.jsonl").write_text(lines[0] + "\n")  # as if stopped after the first page
    again = run_batch(make_pipeline(sample), [tmp_path / "in" / "doc.pdf"], outputs, resume=True, dpi=72)
    records = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert again.done == 1 and [r["image"].rsplit("=", 1)[1] for r in records] == ["1", "2"]
    done = run_batch(make_pipeline(sample), [tmp_path / "in" / "doc.pdf"], outputs, resume=True, dpi=72)
    assert done.skipped == 1 and done.done == 0


def test_plate_normalisation():
    assert normalize_plate("abc 12-3") == "ABC123"


def test_video_frames_and_tracks(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(30):
        writer.write(np.full((48, 64, 3), i * 8, np.uint8))
    writer.release()
    got = list(frames(path, every=10))
    assert [f[0] for f in got] == [0, 10, 20] and got[1][1] == 1.0 and got[0][2].shape == (48, 64, 3)
    from ocrnet.types import Word

    tracker = Tracker()
    word = Word(polygon=[[0, 0], [10, 0], [10, 5], [0, 5]], text="EXIT", score=0.8)
    moved = Word(polygon=[[1, 0], [11, 0], [11, 5], [1, 5]], text="exit", score=0.9)
    tracker.update(0, 0.0, [word])
    tracker.update(10, 1.0, [moved])
    tracker.update(20, 2.0, [])
    tracker.update(30, 3.0, [word])  # gone for a step: a new track
    assert len(tracker.tracks) == 2
    first = tracker.tracks[0].to_dict("clip")
    assert first["first"] == 0.0 and first["last"] == 1.0 and first["frames"] == [0, 10] and first["score"] == 0.9


def test_class_ids_stable():
    assert CLASS_ID["background"] == 0


class FixedConsensus(TableRecognizer):
    """Plate views all read as ``raw``; records whether it was asked with a plate prior."""

    def __init__(self, texts, raw):
        super().__init__(texts)
        self.raw, self.asked = raw, []

    def consensus(self, views, adjust=None):
        self.asked.append(adjust is not None)
        return Reading(self.raw, 0.9, [0.9] * len(self.raw)), 0


def test_plate_reader_takes_plates_but_not_words_or_prices_taken_for_plates():
    sample = generate("plate", (2, 2), size=(320, 320))
    texts = [w.text for w in sample.words if not w.ignore]
    for raw, read_as_plate in (("AB 123", True), ("538.00", False), ("Hello", False)):
        words, plate_reader = FixedConsensus(texts, raw), FixedConsensus(texts, "PLATE1")
        result = Pipeline(OracleSegmenter(sample), words, plate_recognizer=plate_reader)(sample.image)
        assert words.asked and not any(words.asked)  # the word reader votes without the prior
        assert bool(plate_reader.asked) == read_as_plate and all(plate_reader.asked)
        plate_texts = {w.text for w in result.words if w.cls == "plate"}
        assert ("PLATE1" in plate_texts) == read_as_plate


def test_channel_argmax_matches_numpy_ties_included(rng):
    logits = rng.integers(0, 3, size=(8, 37, 53)).astype(np.float32)  # few values: many ties
    index = channel_argmax(logits)
    assert index.dtype == np.uint8
    np.testing.assert_array_equal(index, logits.argmax(0))


def test_a_region_read_as_nothing_is_no_word_but_its_glyphs_are_still_text_to_erase():
    sample = generate("sign", (5, 1), size=(256, 256))
    pipeline = make_pipeline(sample)
    pipeline.recognizer.texts[0] = ""  # the first region is blurred past reading
    page = pipeline.run(sample.image, turn=0)
    assert len(page.result.words) == len(pipeline.recognizer.texts) - 1
    first = next(w for w in sample.words if not w.ignore)
    (x0, y0, x1, y1), inside = polygon_mask(first.points, sample.stroke_mask.shape)
    glyphs = np.zeros(sample.stroke_mask.shape, bool)
    glyphs[y0:y1, x0:x1] = inside & (sample.stroke_mask[y0:y1, x0:x1] > 0)
    assert glyphs.any() and not (page.stroke_mask & glyphs).any()  # not among the words' glyphs
    assert (page.text_mask & glyphs).sum() == glyphs.sum()  # but erased with them
    assert (page.text_mask >= page.stroke_mask).all()
