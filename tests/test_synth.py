import cv2
import numpy as np
import pytest

from ocrnet.data.crops import cut_scene_words
from ocrnet.data.synth import KINDS, generate, generate_crop
from ocrnet.data.synth.canvas import Canvas, TextStyle, render_line
from ocrnet.data.synth.dataset import SynthCrops, SynthScenes
from ocrnet.data.synth.effects import placement
from ocrnet.data.synth.fonts import discover_fonts
from ocrnet.data.synth.preview import preview
from ocrnet.data.synth.writer import write_dataset
from ocrnet.io import read_jsonl
from ocrnet.types import CLASS_ID, CLASS_NAMES, IGNORE_INDEX, Annotation, Word

SIZE = (320, 320)


@pytest.mark.parametrize("kind", KINDS)
def test_labels_agree_with_pixels(kind):
    sample = generate(kind, (3, 1), size=SIZE)
    h, w = SIZE
    assert sample.image.shape == (h, w, 3) and sample.image.dtype == np.uint8
    assert sample.stroke_mask.shape == (h, w) and set(np.unique(sample.stroke_mask)) <= {0, 1}
    assert set(np.unique(sample.class_map)) <= set(range(len(CLASS_NAMES)))
    assert sample.words, f"{kind} drew no words"
    inside = np.zeros((h, w), np.uint8)
    for word in sample.words:
        pts = word.points
        assert pts.shape[0] >= 4
        assert (pts >= 0).all() and (pts[:, 0] <= w).all() and (pts[:, 1] <= h).all()
        assert word.text.strip() and word.cls in CLASS_NAMES
        cv2.fillPoly(inside, [np.round(pts).astype(np.int32)], 1)
    strokes = sample.stroke_mask.astype(bool)
    # glyph pixels lie inside word polygons (a little anti-aliasing slack at the edges)
    assert strokes.sum() > 0
    assert (strokes & inside.astype(bool)).sum() / strokes.sum() > 0.97
    # every word polygon sits on pixels of a text class
    text_pixels = (sample.class_map != CLASS_ID["background"]) & (sample.class_map != IGNORE_INDEX)
    assert (text_pixels & strokes).sum() / strokes.sum() > 0.9


def test_stroke_mask_is_where_the_image_is_more_than_half_ink():
    """Black text on white, pasted twice with sub-pixel offsets, a rotation and a reduction: the
    image's darkness is then the glyph coverage, so the label must be exactly darkness > 0.5."""
    face = discover_fonts()[0]
    line = render_line(["Stroke", "edges"], TextStyle(face, 20, (0.0, 0.0, 0.0)), 0.0, "paragraph")
    page = Canvas(60, 200, opaque=True)
    page.set_background(np.full((60, 200, 3), 255.0, np.float32))
    page.new_block("paragraph")
    page.place_line(line, 10.37, 12.61, 0)
    scene = Canvas(80, 160, opaque=True)
    scene.set_background(np.full((80, 160, 3), 255.0, np.float32))
    scene.paste(page, placement(np.random.default_rng(0), 200, 60, (80.3, 40.6), 0.7, 8.0, 0.0))
    darkness = 1.0 - scene.rgb.mean(axis=2) / 255.0
    decided = np.abs(darkness - 0.5) > 0.01  # a rounding hair from the threshold either way is a tie
    label = scene.stroke_mask().astype(bool)
    assert label.sum() > 200
    assert np.array_equal(label[decided], darkness[decided] > 0.5)


@pytest.mark.parametrize("tracking", [0.0, 4.0, 20.0])
def test_letter_spaced_words_keep_every_glyph_inside_their_polygons(tracking):
    """Sign lettering spaced a letter apart: the glyph ink the line draws is all inside the layer
    (each word's width holds its last glyph) and inside the word polygons, and the words stand
    further apart than the letters."""
    face = discover_fonts()[0]
    style = TextStyle(face, 24, (0.0, 0.0, 0.0), tracking=tracking)
    line = render_line(["GRAND", "HOTEL"], style, 0.0, "sign")
    plain = render_line(["GRAND", "HOTEL"], TextStyle(face, 24, (0.0, 0.0, 0.0)), 0.0, "sign")
    assert line.stroke.sum() == pytest.approx(plain.stroke.sum(), rel=0.03)  # nothing cut at the edges
    inside = np.zeros(line.stroke.shape, np.uint8)
    for word in line.words:
        cv2.fillPoly(inside, [np.round(word.points).astype(np.int32)], 1)
    assert line.stroke[inside.astype(bool)].sum() / line.stroke.sum() > 0.99
    gap = line.words[1].points[:, 0].min() - line.words[0].points[:, 0].max()
    assert gap > tracking  # words stay further apart than letters


@pytest.mark.parametrize("kind", KINDS)
def test_lines_and_blocks_index_words(kind):
    sample = generate(kind, (4, 2), size=SIZE)
    for li, line in enumerate(sample.lines):
        assert line.text == " ".join(sample.words[i].text for i in line.words)
        assert all(sample.words[i].line == li for i in line.words)
    for block in sample.blocks:
        assert all(0 <= li < len(sample.lines) for li in block.lines)


def test_same_seed_same_sample_and_different_seed_differs():
    a, b = generate("scene", (7, 7), size=SIZE), generate("scene", (7, 7), size=SIZE)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.stroke_mask, b.stroke_mask)
    assert [w.text for w in a.words] == [w.text for w in b.words]
    c = generate("scene", (7, 8), size=SIZE)
    assert not np.array_equal(a.image, c.image)


def test_kind_specific_classes():
    plate = generate("plate", (1, 3), size=SIZE)
    assert any(w.cls == "plate" for w in plate.words)
    doc = generate("document", (1, 3), size=(480, 480))
    assert {"heading"} <= {w.cls for w in doc.words}
    sign = generate("sign", (1, 5), size=SIZE)
    assert any(w.cls == "sign" for w in sign.words)


def test_crops_are_deterministic_and_labelled():
    img, text = generate_crop((5, 5))
    img2, text2 = generate_crop((5, 5))
    assert np.array_equal(img, img2) and text == text2 and text.strip()
    assert img.ndim == 3 and img.shape[0] >= 4 and img.shape[1] >= 4


def test_plate_crops_are_labelled_with_the_number_only():
    import re

    from ocrnet.data.synth import toolkit
    from ocrnet.data.synth.text import US_STATES
    from ocrnet.data.synth.wordcrops import plate_crop

    for i in range(6):
        image, text = plate_crop(toolkit((3, i)))
        assert image.ndim == 3 and image.shape[1] > image.shape[0] >= 20
        assert re.fullmatch(r"[A-Z0-9 -]+", text) and not any(state.upper() in text for state in US_STATES)


def test_crop_ink_stands_out_from_the_whole_background():
    """Ink is chosen against the surface actually drawn, stripes and bricks included."""
    from ocrnet.data.synth.backgrounds import luminance, texture_and_ink

    for seed in range(40):
        surface, ink = texture_and_ink(np.random.default_rng(seed), 60, 200, min_delta=55)
        lum = surface @ np.float32([0.299, 0.587, 0.114])
        close = np.abs(lum - luminance(ink)) < 55
        assert close.mean() <= 0.05, seed


def test_crop_blur_is_bounded_by_text_height():
    from ocrnet.data.synth.effects import degrade

    sharp = np.zeros((40, 120, 3), np.uint8)
    sharp[:, ::6] = 255  # vertical bars 6 px apart
    for seed in range(30):
        out, smear = degrade(np.random.default_rng(seed), sharp, strength=2.0, text_height=12)
        assert smear <= 0.4 * 12, seed  # blur and down-sampling together
        # Stripes a text-height-bounded blur keeps visible: some column contrast survives.
        profile = out.mean((0, 2))
        assert profile.max() - profile.min() > 20, seed


def test_words_blurred_past_reading_are_dont_care():
    """A scene whose blur smears glyphs over more than half their height marks them ignore."""
    from ocrnet.data.synth import word_height

    blurred_away = 0
    for seed in range(40):
        sample = generate("document", (7, seed), size=(320, 320))
        clean = generate("document", (7, seed), size=(320, 320), strength=0)
        assert len(sample.words) == len(clean.words)
        newly = [w for w, c in zip(sample.words, clean.words, strict=True) if w.ignore and not c.ignore]
        kept = [w for w in sample.words if not w.ignore]
        blurred_away += len(newly)
        if newly and kept:  # blur takes the smallest words first
            assert max(word_height(w.points) for w in newly) <= min(word_height(w.points) for w in kept)
    assert blurred_away > 0


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        generate("moon", 0)


def test_datasets():
    scenes = SynthScenes(4, kinds=("sign", "plate"), weights=(1.0, 0.0), size=SIZE)
    assert all(scenes.kind_of(i) == "sign" for i in range(4))
    assert scenes[0].source == "synth/sign"
    image, text = SynthCrops(2)[1]
    assert image.dtype == np.uint8 and text


def test_writer_writes_and_resumes(tmp_path):
    assert write_dataset(["plate", "crop"], 4, tmp_path, workers=1, size=256) == 4
    records = read_jsonl(tmp_path / "annotations.jsonl")
    assert len(records) == 2
    assert (tmp_path / records[0]["image"]).is_file() and (tmp_path / records[0]["stroke_mask"]).is_file()
    assert len((tmp_path / "labels.tsv").read_text().splitlines()) == 2
    assert write_dataset(["plate", "crop"], 4, tmp_path, workers=1, size=256) == 0
    assert write_dataset(["plate", "crop"], 6, tmp_path, workers=1, size=256) == 2


def test_preview_grid():
    image = preview(0, per_kind=1, kinds=("plate",), size=128)
    assert image.ndim == 3 and image.shape[1] >= 256


def test_writer_with_two_workers_matches_one(tmp_path):
    write_dataset(["crop"], 6, tmp_path / "one", workers=1)
    write_dataset(["crop"], 6, tmp_path / "two", workers=2)
    assert (tmp_path / "one" / "labels.tsv").read_text() == (tmp_path / "two" / "labels.tsv").read_text()


def test_scene_words_are_a_scenes_readable_words_written_as_crops(tmp_path):
    assert write_dataset(["scene-words"], 3, tmp_path, size=320) == 3
    labels = [line.split("\t") for line in (tmp_path / "labels.tsv").read_text().splitlines()]
    for index in range(3):
        scene = generate(KINDS[index % len(KINDS)], (0, index), size=(320, 320))
        readable = [w.text for w in scene.words if not w.ignore and w.text.strip()]
        mine = [text for path, text in labels if path.startswith(f"crops/scene-words_{index:06d}_")]
        assert len(mine) == min(16, len(readable)) and set(mine) <= set(readable)
    assert all(cv2.imread(str(tmp_path / path)).shape[0] <= 48 for path, _ in labels)
    assert write_dataset(["scene-words"], 3, tmp_path, size=320) == 0  # already there


def test_scene_words_are_cut_upright_along_their_polygon():
    image = np.full((200, 200, 3), 255, np.uint8)
    along, across = (
        np.float32([np.cos(np.pi / 6), np.sin(np.pi / 6)]),
        np.float32([-np.sin(np.pi / 6), np.cos(np.pi / 6)]),
    )
    start = np.float32([50, 60])  # a word 120 px long and 24 px tall, turned 30 degrees
    quad = np.stack([start, start + 120 * along, start + 120 * along + 24 * across, start + 24 * across])
    cv2.fillPoly(image, [quad.round().astype(np.int32)], (0, 0, 0))
    scene = Annotation(None, 200, 200, words=[Word(polygon=quad.tolist(), text="word")], image=image)
    (crop,) = cut_scene_words(scene, np.random.default_rng(0))
    assert crop.text == "word"
    h, w = crop.image.shape[:2]
    assert 3.5 < w / h < 6.5  # the turned quad's proportions, not its upright bounding box's (about 1.6)
    assert crop.image[h // 2 - 3 : h // 2 + 3, w // 4 : 3 * w // 4].mean() < 60  # the dark word fills the middle
