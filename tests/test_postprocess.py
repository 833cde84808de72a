import numpy as np
import pytest

from ocrnet.eval.metrics import detection_counts
from ocrnet.postprocess.ctc import beam_decode, greedy_decode
from ocrnet.postprocess.db import DBParams, order_clockwise, polygons_from_map
from ocrnet.postprocess.stroke_edges import refine_stroke_edges
from ocrnet.train.targets import THRESH_MAX, THRESH_MIN, make_targets
from ocrnet.types import CLASS_ID, IGNORE_INDEX, Word

CHARSET = "abc"


def frames(*rows):
    return np.asarray(rows, np.float32)


def test_greedy_collapses_repeats_and_blanks():
    # frames: a a blank a b -> "aab"
    probs = frames([0.1, 0.9, 0, 0], [0.2, 0.8, 0, 0], [0.9, 0.1, 0, 0], [0.3, 0.7, 0, 0], [0.4, 0, 0.6, 0])
    out = greedy_decode(probs, CHARSET)
    assert out.text == "aab"
    assert out.char_probs == pytest.approx([0.9, 0.7, 0.6])
    assert out.score == pytest.approx((0.9 * 0.7 * 0.6) ** (1 / 3), rel=1e-4)


def test_beam_finds_the_likelier_word_greedy_misses():
    # greedy reads blank-blank = "" but "a" summed over its alignments is likelier (0.64 vs 0.36)
    probs = frames([0.6, 0.4, 0, 0], [0.6, 0.4, 0, 0])
    assert greedy_decode(probs, CHARSET).text == ""
    assert beam_decode(probs, CHARSET, beam=4).text == "a"


def test_db_round_trip_recovers_boxes():
    words = [
        Word(polygon=[[20, 20], [120, 20], [120, 50], [20, 50]], text="a"),
        Word(polygon=[[30, 100], [200, 80], [204, 115], [34, 135]], text="b"),
    ]
    targets = make_targets(words, 160, 240, None, None)
    polys = polygons_from_map(targets.region * 0.95, DBParams())
    dets = [Word(polygon=p.tolist(), text="") for p, _ in polys]
    assert detection_counts(words, dets) == (2, 2, 2)
    assert all(len(p) == 4 for p, _ in polys)
    assert all(0.9 < s <= 0.96 for _, s in polys)


def test_db_drops_low_scores_and_scales_to_image():
    prob = np.zeros((40, 80), np.float32)
    prob[10:20, 10:50] = 0.4  # above the binary threshold, below the box threshold
    assert polygons_from_map(prob) == []
    prob[10:20, 10:50] = 0.9
    [(poly, _)] = polygons_from_map(prob, scale=(2.0, 2.0))
    assert poly[:, 0].max() > 90  # map pixels scaled to image pixels


def test_db_grows_plates_by_their_own_ratio():
    prob = np.zeros((60, 200), np.float32)
    prob[20:40, 20:80] = 0.9
    prob[20:40, 120:180] = 0.9
    classes = np.zeros((60, 200), np.uint8)
    classes[15:45, 115:185] = CLASS_ID["plate"]
    params = DBParams(unclip_ratio=1.5, plate_unclip_ratio=1.0)
    word, plate = sorted(polygons_from_map(prob, params, classes=classes), key=lambda d: d[0][:, 0].min())
    word_height, plate_height = (np.ptp(p[:, 1]) for p, _ in (word, plate))
    assert plate_height < word_height - 3  # same kernel, smaller offset
    alike = sorted(polygons_from_map(prob, params), key=lambda d: d[0][:, 0].min())
    assert np.ptp(alike[1][0][:, 1]) == pytest.approx(word_height)  # no class map: one ratio


def test_db_keeps_a_kernel_whose_contour_touches_itself():
    # two halves of a kernel meeting at one pixel corner: the traced contour is a self-touching ring
    prob = np.zeros((50, 120), np.float32)
    prob[10:22, 10:60] = 0.9
    prob[22:34, 60:110] = 0.9
    [(poly, _)] = polygons_from_map(prob)
    assert poly[:, 0].min() < 15 and poly[:, 0].max() > 100


def test_targets_masks():
    words = [
        Word(polygon=[[10, 10], [60, 10], [60, 30], [10, 30]], text="x"),
        Word(polygon=[[70, 10], [90, 10], [90, 30], [70, 30]], text="###", ignore=True),
    ]
    stroke = np.zeros((40, 100), np.uint8)
    stroke[15:25, 15:55] = 1
    t = make_targets(words, 40, 100, stroke, None)
    assert t.region[20, 35] == 1 and t.region[11, 11] == 0  # shrunk kernel
    assert t.region_mask[20, 80] == 0 and t.region_mask[5, 5] == 1  # don't care masked
    assert t.stroke_mask[20, 80] == 0
    assert t.thresh.min() >= THRESH_MIN and t.thresh.max() <= THRESH_MAX + 1e-6
    assert t.thresh_mask[10, 10] == 1 and (t.classes == IGNORE_INDEX).all()
    none = make_targets([], 8, 8, None, None, has_words=False)
    assert none.region_mask.sum() == 0 and none.stroke_mask.sum() == 0


def test_clockwise_from_top_left():
    pts = order_clockwise(np.array([[0, 10], [10, 10], [10, 0], [0, 0]], np.float32))
    assert pts[0].tolist() == [0, 0] and pts[1].tolist() == [10, 0]


def ink_centres(image: np.ndarray) -> np.ndarray:
    """Each inked column's mean ink row (dark ink on a light ground)."""
    ink = image.mean(axis=2) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    rows = np.arange(image.shape[0])[:, None]
    return (ink * rows).sum(0)[columns] / ink.sum(0)[columns]


def test_follow_line_levels_a_curved_line_and_keeps_every_column_in_place():
    from PIL import Image, ImageDraw

    from ocrnet.postprocess.crops import follow_line

    # a row of 4 x 10 px bars whose baseline bends 40 px over the crop's width, like text on an arc
    image = Image.new("RGB", (400, 120), (230, 230, 225))
    draw = ImageDraw.Draw(image)
    for x in range(10, 390, 8):
        y = 30 + 40 * ((x - 200) / 190) ** 2
        draw.rectangle([x, y, x + 3, y + 9], fill=(20, 20, 20))
    crop = np.asarray(image)
    levelled = follow_line(crop)
    assert levelled.shape[1] == crop.shape[1] and levelled.shape[0] < crop.shape[0]
    assert np.ptp(ink_centres(crop)) > 35
    assert np.ptp(ink_centres(levelled)) < 4
    assert (ink_centres(levelled) > 0).all()  # every bar kept within the band
    assert np.array_equal(np.flatnonzero((levelled.mean(2) < 128).any(0)), np.flatnonzero((crop.mean(2) < 128).any(0)))


def test_rectify_straightens_a_tilted_quad_and_maps_back():
    from ocrnet.postprocess.crops import rectify

    image = np.zeros((200, 300, 3), np.uint8)
    quad = np.float32([[50, 80], [250, 40], [258, 80], [58, 120]])  # about 11 degrees, 200 x 40
    crop, frame = rectify(image, quad, margin=0.1)
    assert abs(crop.shape[1] - (frame.width + 2 * frame.grow)) <= 1 and crop.shape[0] < crop.shape[1]
    whole = frame.span(0.0, 1.0)
    assert np.allclose(whole, quad, atol=1e-3)  # the margins map back to the quad's own ends
    left_half = frame.span(0.0, 0.5)
    assert np.allclose(left_half[0], quad[0], atol=1e-3) and left_half[1][0] < 160


def test_greedy_places_characters():
    probs = frames([0.1, 0.9, 0, 0], [0.9, 0.1, 0, 0], [0.9, 0.1, 0, 0], [0.1, 0, 0.9, 0])
    assert greedy_decode(probs, CHARSET).char_positions == pytest.approx([0.125, 0.875])


def test_split_at_spaces_cuts_a_line_into_words():
    from ocrnet.fusion import split_at_spaces
    from ocrnet.postprocess.crops import CropFrame
    from ocrnet.predict.recognition import Reading

    quad = np.float32([[0, 0], [100, 0], [100, 10], [0, 10]])
    frame = CropFrame(quad, grow=0.0, width=100.0)
    reading = Reading("ab cd", 0.9, [0.9, 0.8, 0.99, 0.7, 0.6], 0, [0.1, 0.3, 0.5, 0.7, 0.9])
    polys, readings = split_at_spaces([(quad, 0.8)], [reading], [frame])
    assert [r.text for r in readings] == ["ab", "cd"] and readings[1].char_probs == [0.7, 0.6]
    assert polys[0][0][:, 0].tolist() == pytest.approx([0, 50, 50, 0])
    assert polys[1][0][:, 0].tolist() == pytest.approx([50, 100, 100, 50])
    upside_down = Reading("ab cd", 0.9, [0.9] * 5, 180, [0.1, 0.3, 0.5, 0.7, 0.9])
    polys, _ = split_at_spaces([(quad, 0.8)], [upside_down], [frame])
    assert polys[0][0][:, 0].tolist() == pytest.approx([50, 100, 100, 50])  # "ab" is on the right
    single = Reading("abc", 0.9, [0.9] * 3, 0, [0.2, 0.5, 0.8])
    assert split_at_spaces([(quad, 0.8)], [single], [frame])[1] == [single]


def test_split_at_spaces_keeps_the_outline_of_a_many_point_region():
    from ocrnet.fusion import split_at_spaces
    from ocrnet.postprocess.crops import CropFrame, reading_quad
    from ocrnet.predict.recognition import Reading

    # a rounded region (8 points) that the recogniser reads as two words
    region = np.float32([[5, 0], [95, 0], [100, 5], [100, 15], [95, 20], [5, 20], [0, 15], [0, 5]])
    frame = CropFrame(reading_quad(region), grow=0.0, width=100.0)
    reading = Reading("ab cd", 0.9, [0.9] * 5, 0, [0.1, 0.3, 0.5, 0.7, 0.9])
    polys, readings = split_at_spaces([(region, 0.8)], [reading], [frame])
    assert [r.text for r in readings] == ["ab", "cd"]
    left, right = polys[0][0], polys[1][0]
    assert left[:, 0].min() == pytest.approx(0) and left[:, 0].max() == pytest.approx(50)
    assert right[:, 0].min() == pytest.approx(50) and right[:, 0].max() == pytest.approx(100)
    assert len(left) > 4  # the rounded corners survive


def test_tune_db_ranks_settings_by_hmean():
    from ocrnet.eval.tune import tune_db
    from ocrnet.types import Annotation

    words = [Word(polygon=[[20, 20], [120, 20], [120, 50], [20, 50]], text="a")]
    region = make_targets(words, 96, 160, None, None).region * 0.9

    class MapSegmenter:
        params = DBParams()

        def maps(self, image):
            return {"region": region, "classes": np.zeros(region.shape, np.uint8)}

    sample = Annotation(image_path=None, width=160, height=96, words=words, image=np.zeros((96, 160, 3), np.uint8))
    ranked = tune_db(MapSegmenter(), {"a": [sample], "b": [sample]}, binary=(0.3,), box=(0.5, 0.95), unclip=(1.6,))
    assert ranked[0][0].box_threshold == 0.5 and ranked[0][1]["a"]["hmean"] == 1.0 and ranked[0][2] == 1.0
    assert ranked[1][2] == 0.0  # a 0.95 box threshold drops the 0.9 region


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_stroke_words_finds_glyphs_the_regions_missed():
    from ocrnet.postprocess.strokes import stroke_words

    stroke = np.zeros((100, 400), np.float32)
    stroke[40:60, 20:90] = 0.9  # ink of a detected word
    stroke[40:60, 95:99] = 0.9  # a glyph right after it (a closing ")")
    stroke[40:60, 200:210] = 0.9  # a lone "1" further along the row
    stroke[5:8, 380:384] = 0.9  # a speck far from any line
    words = stroke_words(stroke, [(_quad(15, 35, 93, 65), 0.9)])
    found = sorted((int(w.box[0, 0]), w.neighbour) for w in words)
    assert len(found) == 2
    (glyph_x, glyph_owner), (lone_x, lone_owner) = found
    assert 85 <= glyph_x <= 95 and glyph_owner == 0  # belongs to the word it touches
    assert 190 <= lone_x <= 200 and lone_owner is None
    assert stroke_words(stroke, []) == []  # sizes come from detected words


def test_merged_box_covers_word_and_glyphs():
    from ocrnet.postprocess.strokes import merged_box

    box = merged_box(_quad(10, 10, 50, 30), [_quad(52, 12, 58, 28)])
    assert box.min(0).tolist() == [10, 10] and box.max(0).tolist() == [58, 30]


def _plate_frame(charset: str, **mass: float) -> np.ndarray:
    """One frame over blank + ``charset`` with the given characters' probabilities."""
    from ocrnet.charset import ctc_index

    row = np.zeros(len(charset) + 1, np.float32)
    for key, p in mass.items():
        row[0 if key == "blank" else ctc_index(charset)[key]] = p
    return row[None]


def test_plate_probabilities_fold_case_drop_symbols_keep_blank():
    from ocrnet.charset import DEFAULT_CHARSET, ctc_index
    from ocrnet.postprocess.plates import plate_probabilities

    index = ctc_index(DEFAULT_CHARSET)
    probs = _plate_frame(DEFAULT_CHARSET, blank=0.3, a=0.2, A=0.1, **{"!": 0.4})
    out = plate_probabilities(probs, DEFAULT_CHARSET, strength=0.0)[0]
    assert out.sum() == pytest.approx(1.0, abs=1e-6)
    assert out[index["A"]] == pytest.approx(0.3, abs=1e-6)  # lower case counts as its capital
    assert out[index["a"]] == 0 and out[index["!"]] == 0
    assert out[0] == pytest.approx(0.7, abs=1e-6)  # a symbol is no plate character: blank


def test_plate_prior_settles_only_what_the_image_leaves_open():
    from ocrnet.charset import DEFAULT_CHARSET, ctc_index
    from ocrnet.postprocess.plates import plate_probabilities

    index = ctc_index(DEFAULT_CHARSET)
    unsure = plate_probabilities(_plate_frame(DEFAULT_CHARSET, O=0.5, **{"0": 0.4}, blank=0.1), DEFAULT_CHARSET, 0.75)
    assert unsure[0].argmax() == index["0"]  # O is rare on plates, 0 common
    assert unsure[0, 0] == pytest.approx(0.1, abs=1e-6)  # whether there is a character: unchanged
    sure = plate_probabilities(_plate_frame(DEFAULT_CHARSET, O=0.95, **{"0": 0.05}), DEFAULT_CHARSET, 0.75)
    assert sure[0].argmax() == index["O"]
    flat = plate_probabilities(_plate_frame(DEFAULT_CHARSET, O=0.5, **{"0": 0.5}), DEFAULT_CHARSET, 0.0)
    assert flat[0, index["O"]] == pytest.approx(flat[0, index["0"]])


def test_inner_quad_trims_each_side():
    from ocrnet.postprocess.plates import inner_quad

    quad = np.float32([[0, 0], [100, 0], [100, 50], [0, 50]])
    inner = inner_quad(quad, 0.04, 0.2)
    assert np.allclose(inner, [[4, 10], [96, 10], [96, 40], [4, 40]], atol=1e-4)


def _bar_word(ground: int, ink: int) -> tuple[np.ndarray, np.ndarray, list]:
    """A 20x30 image: one vertical bar whose left edge pixel is 30 % covered by ink and right edge
    pixel 70 %, and a network map that gets both edges wrong (0.6 on the first, 0.4 on the second)."""
    image = np.full((20, 30, 3), ground, np.uint8)
    probability = np.full((20, 30), 0.01, np.float32)
    for column, coverage, p in [(10, 0.3, 0.6), (11, 1.0, 0.999), (12, 1.0, 0.999), (13, 0.7, 0.4)]:
        image[4:16, column] = round(ground + coverage * (ink - ground))
        probability[4:16, column] = p
    word = np.array([[6, 3], [18, 3], [18, 17], [6, 17]], np.float32)
    return image, probability, [(word, 0.9)]


def test_stroke_edges_follow_the_colour_where_the_network_is_unsure():
    image, probability, words = _bar_word(ground=200, ink=20)
    refined = refine_stroke_edges(image, probability, words)
    assert (refined[4:16, 10] < 0.5).all() and (refined[4:16, 13] > 0.5).all()
    assert (refined[4:16, 11:13] == probability[4:16, 11:13]).all()  # pixels the network is sure of stay
    assert probability[5, 10] == np.float32(0.6)  # the input map is not changed


def test_stroke_edges_leave_low_contrast_words_and_the_rest_of_the_image_alone():
    image, probability, words = _bar_word(ground=120, ink=110)
    assert (refine_stroke_edges(image, probability, words) == probability).all()
    image, probability, _ = _bar_word(ground=200, ink=20)
    elsewhere = [(np.array([[20, 0], [29, 0], [29, 10], [20, 10]], np.float32), 0.9)]
    assert (refine_stroke_edges(image, probability, elsewhere) == probability).all()


def _inked(widths_and_gaps: list[int], height: int = 20) -> tuple[np.ndarray, list[float]]:
    """A straightened stroke crop of ink blocks (letters) and gaps, alternating from a 4 px margin,
    and each letter's centre as a CTC place (0-1 across the crop)."""
    width = 8 + sum(widths_and_gaps)
    crop, x, centres = np.zeros((height, width), np.float32), 4, []
    for k, w in enumerate(widths_and_gaps):
        if k % 2 == 0:
            crop[3:-3, x : x + w] = 1.0
            centres.append((x + w / 2) / width)
        x += w
    return crop, centres


def test_a_wide_ink_gap_that_cuts_a_non_word_into_words_becomes_a_space():
    from ocrnet.postprocess.lexicon import Lexicon
    from ocrnet.postprocess.spaces import with_ink_spaces
    from ocrnet.predict.recognition import Reading

    words = Lexicon(["vote", "for"])
    letters = [6, 2, 6, 2, 6, 2, 6, 9, 6, 2, 6, 2, 6]  # VOTE|FOR set tight: 9 px against 2
    crop, places = _inked(letters)
    reading = Reading("VOTEFOR", 0.9, [0.9, 0.8, 0.9, 0.9, 0.7, 0.9, 0.9], char_positions=places)
    spaced = with_ink_spaces(reading, crop, words)
    assert spaced.text == "VOTE FOR" and len(spaced.char_positions) == len(spaced.char_probs) == 8
    assert spaced.char_probs[4] == 0.7 and places[3] < spaced.char_positions[4] < places[4]
    upside_down = Reading("VOTEFOR", 0.9, [0.9] * 7, rotation=180, char_positions=places)  # read turned
    assert with_ink_spaces(upside_down, np.rot90(crop, 2), words).text == "VOTE FOR"
    even, places = _inked([6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6])  # letters spaced evenly: no space
    assert with_ink_spaces(Reading("VOTEFOR", 0.9, [0.9] * 7, char_positions=places), even, words).text == "VOTEFOR"


def test_no_space_where_the_dictionary_disagrees_or_beside_punctuation():
    from ocrnet.postprocess.lexicon import Lexicon
    from ocrnet.postprocess.spaces import with_ink_spaces
    from ocrnet.predict.recognition import Reading

    words = Lexicon(["for", "forfor", "mo", "ri"])
    crop, places = _inked([6, 2, 6, 2, 6, 9, 6, 2, 6, 2, 6])  # a gap as wide after an open letter
    for text in ("MORFOR", "FORFOR"):  # no word on one side; a word already
        assert with_ink_spaces(Reading(text, 0.9, [0.9] * 6, char_positions=places), crop, words).text == text
    crop, places = _inked([6, 2, 6, 9, 6, 2, 6])  # "MO" and "RI": two-letter parts must be function words
    assert with_ink_spaces(Reading("MORI", 0.9, [0.9] * 4, char_positions=places), crop, words).text == "MORI"
    crop, places = _inked([6, 2, 6, 2, 3, 9, 6, 2, 6])  # "29.99": the stop's wide gap stays
    assert with_ink_spaces(Reading("29.99", 0.9, [0.9] * 5, char_positions=places), crop, words).text == "29.99"
