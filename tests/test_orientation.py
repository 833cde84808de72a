import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrnet.models.recognizer import DEFAULT_WEIGHTS as REC_WEIGHTS
from ocrnet.models.segnet import DEFAULT_WEIGHTS as SEG_WEIGHTS
from ocrnet.orientation import reading_strength, unturn_box, unturn_points
from ocrnet.types import Word


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_points_and_boxes_of_a_turned_page_come_back_to_their_pixels(turn, rng):
    height, width = 7, 11
    page = np.zeros((height, width), np.uint8)
    row, col = 2, 8
    page[row, col] = 1
    turned = np.rot90(page, turn)
    (turned_row,), (turned_col,) = np.nonzero(turned)
    centre = unturn_points(np.array([turned_col + 0.5, turned_row + 0.5]), turn, width, height)
    assert np.allclose(centre, [col + 0.5, row + 0.5])
    box = unturn_box((turned_col, turned_row, turned_col + 1, turned_row + 1), turn, width, height)
    assert box == (col, row, col + 1, row + 1)
    mask = rng.random((3, 5)) > 0.5  # a word's mask over its box in the turned page
    full_turned = np.zeros(turned.shape, bool)
    full_turned[1:4, 2:7] = mask
    x0, y0, x1, y1 = unturn_box((2, 1, 7, 4), turn, width, height)
    back = np.zeros((height, width), bool)
    back[y0:y1, x0:x1] = np.rot90(mask, -turn)
    assert np.array_equal(back, np.rot90(full_turned, -turn))


def test_reading_strength_weighs_words_by_length():
    words = [Word(polygon=[], text="Harbour", score=0.9), Word(polygon=[], text="x", score=0.1)]
    assert reading_strength(words) == pytest.approx((7 * 0.9 + 0.1) / 8)
    assert reading_strength([]) == 0.0


def _page(lines: list[str]) -> np.ndarray:
    image = Image.new("RGB", (720, 100 + 70 * len(lines)), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 40)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 70 * i), line, font=font, fill=(20, 20, 20))
    return np.asarray(image)


@pytest.fixture(scope="module")
def read_upright():
    """The shipped pipeline, a page and its reading as given upright."""
    if not (REC_WEIGHTS.is_file() and SEG_WEIGHTS.is_file()):
        pytest.skip("default weights not shipped")
    from ocrnet.pipeline import Pipeline

    page = _page(["Opening hours", "Monday to Friday", "from nine to five", "Closed on Sunday"])
    pipeline = Pipeline()
    return pipeline, page, pipeline(page)


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_a_page_turned_sideways_or_upside_down_is_read_upright(turn, read_upright):
    pipeline, page, upright = read_upright
    assert upright.rotation == 0 and len(upright.words) >= 8
    given = np.ascontiguousarray(np.rot90(page, turn))
    turned = pipeline(given)
    assert turned.rotation == 90 * ((4 - turn) % 4)
    assert (turned.height, turned.width) == given.shape[:2]
    assert [w.text for w in turned.words] == [w.text for w in upright.words]
    # the upright page's words, polygons and stroke masks, placed in the image as given
    height, width = given.shape[:2]
    for i, (a, b) in enumerate(zip(upright.words, turned.words, strict=True)):
        assert np.allclose(b.points, unturn_points(a.points, (4 - turn) % 4, width, height), atol=1e-3)
        assert np.array_equal(turned.word_mask(i), np.rot90(upright.word_mask(i), turn))


def test_a_sideways_video_is_tested_until_a_frame_settles_its_turn(read_upright, tmp_path, monkeypatch):
    import json

    import cv2

    from ocrnet import pipeline as pipeline_module
    from ocrnet.batch import ReadOutputs, run_batch

    pipeline, page, upright = read_upright
    given = np.ascontiguousarray(np.rot90(page, 1))
    path = tmp_path / "sideways.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, given.shape[1::-1])
    for _ in range(3):
        writer.write(np.ascontiguousarray(given[..., ::-1]))
    writer.release()
    tests = []
    real_test = pipeline_module.upright_turn
    monkeypatch.setattr(pipeline_module, "upright_turn", lambda *args: tests.append(1) or real_test(*args))
    report = run_batch(pipeline, [path], ReadOutputs(json=tmp_path / "v.jsonl"), every=1)
    assert report.done == 1 and len(tests) == 1  # the first frame settled it: the others read turned, untested
    tracks = [json.loads(line) for line in (tmp_path / "v.jsonl").read_text().splitlines()][:-1]
    assert sorted(t["text"] for t in tracks) == sorted(w.text for w in upright.words)
    assert all(t["frames"] == [0, 1, 2] for t in tracks)  # each word in every frame


def test_half_turned_share_weighs_words_read_turned_by_length():
    from ocrnet.fusion import FusedWord
    from ocrnet.orientation import half_turned_share

    def fused(text: str, rotation: int) -> FusedWord:
        return FusedWord(Word(polygon=[], text=text), np.zeros((1, 1), bool), (0, 0, 1, 1), rotation)

    assert half_turned_share([fused("PARKING", 180), fused("NO", 0), fused("EXIT", 90)]) == pytest.approx(7 / 13)
    assert half_turned_share([]) == 0.0


def test_a_page_whose_words_read_well_only_turned_is_tested_half_round(read_upright):
    """Words each read well from their crops turned half round say the page is upside down even
    where the page as a whole reads well (its words then stand in the wrong order)."""
    from ocrnet.orientation import OrientationParams, upright_turn

    pipeline, page, upright = read_upright
    given = np.ascontiguousarray(np.rot90(page, 2))
    height, width = given.shape[:2]
    words = [
        Word(polygon=unturn_points(w.points, 2, width, height).tolist(), text=w.text, score=0.95) for w in upright.words
    ]
    args = (given, words, pipeline.segmenter(given), pipeline.segmenter, pipeline.recognizer, OrientationParams())
    assert upright_turn(*args) == 0  # a page reading this well gives no cause to test it
    assert upright_turn(*args, turned=0.4) == 0
    assert upright_turn(*args, turned=0.8) == 2


def test_segment_orient_segments_a_sideways_page_upright_in_the_pixels_given(read_upright, tmp_path):
    import json

    from PIL import Image as PILImage
    from typer.testing import CliRunner

    from ocrnet.cli import app

    pipeline, page, _ = read_upright
    given = np.ascontiguousarray(np.rot90(page, 1))
    seg, turn = pipeline.segment_upright(given)
    assert turn == 3
    upright = pipeline.segmenter(page)
    height, width = given.shape[:2]
    assert np.array_equal(seg.classes, np.rot90(upright.classes, 1))
    assert len(seg.polygons) == len(upright.polygons) >= 8
    for (mine, _), (theirs, _) in zip(seg.polygons, upright.polygons, strict=True):
        assert np.allclose(mine, unturn_points(theirs, 3, width, height), atol=1e-3)
    assert pipeline.segment_upright(page)[1] == 0
    PILImage.fromarray(given).save(tmp_path / "sideways.png")
    runner = CliRunner()
    for flag, rotation in (("--orient", 270), ("--no-orient", 0)):
        out = tmp_path / f"{flag}.jsonl"
        result = runner.invoke(app, ["segment", str(tmp_path / "sideways.png"), "--json", str(out), flag])
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text())["rotation"] == rotation
