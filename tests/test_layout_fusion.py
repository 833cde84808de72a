import numpy as np
import pytest

from ocrnet.fusion import FusionParams, full_mask, fuse
from ocrnet.layout import assign_layout, group_lines
from ocrnet.outputs import erase_text, segmentation_record, to_markdown
from ocrnet.postprocess.classes import vote_class
from ocrnet.predict.recognition import Reading, calibrate
from ocrnet.predict.segmentation import SegOutput
from ocrnet.types import CLASS_ID, Block, Line, PageResult, Word


def box(x0, y0, x1, y1, text="w", cls="paragraph"):
    return Word(polygon=[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text=text, cls=cls)


def test_lines_in_reading_order():
    words = [
        box(80, 0, 120, 20, "world"),
        box(0, 40, 40, 60, "second"),
        box(0, 0, 70, 20, "hello"),
        box(50, 40, 90, 60, "line"),
    ]
    ordered, lines, blocks = assign_layout(words)
    assert [ln.text for ln in lines] == ["hello world", "second line"]
    assert len(blocks) == 1 and blocks[0].lines == [0, 1]
    assert [w.line for w in ordered] == [0, 0, 1, 1]


def test_far_apart_words_and_other_classes_split():
    words = [box(0, 0, 40, 20, "left"), box(300, 0, 340, 20, "right"), box(0, 200, 40, 220, "EXIT", cls="sign")]
    _, lines, blocks = assign_layout(words)
    assert len(lines) == 3 and len(blocks) == 3


def test_table_cells_share_a_row_however_far_apart():
    cells = [
        box(0, 0, 40, 20, "Item", "table"),
        box(600, 0, 640, 20, "Price", "table"),
        box(0, 40, 40, 60, "Tea", "table"),
    ]
    assert group_lines(cells) == [[0, 1], [2]]
    prose = [box(0, 0, 40, 20, "Item"), box(600, 0, 640, 20, "Price")]
    assert sorted(group_lines(prose)) == [[0], [1]]


def test_rotated_line_stays_together():
    angle = np.radians(30)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    words = []
    for i, text in enumerate(["tilted", "text", "line"]):
        pts = np.array([[i * 60, 0], [i * 60 + 50, 0], [i * 60 + 50, 20], [i * 60, 20]], float) @ rot.T + 100
        words.append(Word(polygon=pts.tolist(), text=text))
    groups = group_lines(words)
    assert groups == [[0, 1, 2]]


def test_fuse_votes_class_drops_empty_and_combines_scores():
    stroke = np.zeros((50, 100), np.float32)
    stroke[10:20, 10:40] = 0.9
    classes = np.zeros((50, 100), np.uint8)
    classes[5:25, 5:45] = CLASS_ID["sign"]
    polygons = [
        (np.float32([[5, 5], [45, 5], [45, 25], [5, 25]]), 0.9),
        (np.float32([[60, 5], [90, 5], [90, 25], [60, 25]]), 0.9),
    ]
    readings = [Reading("EXIT", 0.95, [0.95] * 4), Reading("", 0.9, [])]
    [word] = fuse(stroke, classes, polygons, readings)
    assert word.word.cls == "sign" and word.word.text == "EXIT"
    assert word.mask.sum() == 300 and word.box == (5, 5, 46, 26)
    assert 0.9 < word.word.score < 0.96
    assert full_mask([word], (50, 100)).sum() == 300
    # no glyph evidence pulls the score down below the default threshold
    low = fuse(np.zeros_like(stroke), classes, polygons[:1], readings[:1], FusionParams(min_score=0.5))
    assert low == []


def test_quads_are_fitted_to_their_ink_and_never_grown():
    from ocrnet.fusion import fit_to_ink

    stroke = np.zeros((50, 100), np.float32)
    stroke[10:20, 10:40] = 0.9  # the glyphs: columns 10-39, rows 10-19
    stroke[30:34, 0:100] = 0.9  # a rule running past the third word's quad on both sides
    stroke[40:42, 12:14] = 0.9  # a dot: all the stroke map found of the fourth word
    classes = np.zeros((50, 100), np.uint8)
    loose = (np.float32([[5, 5], [45, 5], [45, 25], [5, 25]]), 0.9)
    curved = (np.float32([[5, 5], [25, 3], [45, 5], [45, 25], [25, 27], [5, 25]]), 0.9)
    ruled = (np.float32([[50, 29], [60, 29], [60, 35], [50, 35]]), 0.9)
    faint = (np.float32([[5, 36], [45, 36], [45, 46], [5, 46]]), 0.9)
    reading = Reading("EXIT", 0.95, [0.95] * 4)
    words = fuse(stroke, classes, [loose, curved, ruled, faint], [reading] * 4, FusionParams(ink_margin=0.0))
    tight, kept, cut, unfitted = words
    assert np.allclose(tight.word.points, [[10, 10], [40, 10], [40, 20], [10, 20]])
    assert np.allclose(kept.word.points, curved[0])  # curved outlines are kept as found
    assert np.allclose(cut.word.points, [[50, 30], [60, 30], [60, 34], [50, 34]])  # shrunk across, not grown along
    assert np.allclose(unfitted.word.points, faint[0])  # too little ink to tell the outline
    padded = fuse(stroke, classes, [loose], [reading], FusionParams(ink_margin=0.1))[0]  # a tenth of 10 px
    assert np.allclose(padded.word.points, [[9, 9], [41, 9], [41, 21], [9, 21]])
    as_found = fuse(stroke, classes, [loose], [reading], FusionParams(ink_margin=None))[0]
    assert np.allclose(as_found.word.points, loose[0])
    # a turned quad is fitted along its own axes: a bar of ink along a 30-degree line
    angle = np.deg2rad(30)
    along, across = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    quad = np.float32([[20, 20], [20 + 60 * along[0], 20 + 60 * along[1]]])
    quad = np.float32([quad[0], quad[1], quad[1] + 20 * across, quad[0] + 20 * across])
    ys, xs = np.mgrid[0:100, 0:100] + 0.5
    u, v = (xs - 20) * along[0] + (ys - 20) * along[1], (xs - 20) * across[0] + (ys - 20) * across[1]
    ink = (u > 10) & (u < 50) & (v > 4) & (v < 16)
    fitted = fit_to_ink(quad, ink, (0, 0), 0.0)
    corners_u = (fitted - quad[0]) @ along
    corners_v = (fitted - quad[0]) @ across
    assert corners_u.min() == pytest.approx(10, abs=1.0) and corners_u.max() == pytest.approx(50, abs=1.0)
    assert corners_v.min() == pytest.approx(4, abs=1.0) and corners_v.max() == pytest.approx(16, abs=1.0)
    assert np.array_equal(fit_to_ink(quad, np.zeros((100, 100), bool), (0, 0), 0.0), quad)


def test_vote_ignores_background():
    classes = np.zeros((10, 10), np.uint8)
    classes[0, 0] = CLASS_ID["plate"]
    assert vote_class(classes, np.ones((10, 10), bool)) == "plate"
    assert vote_class(np.zeros((4, 4), np.uint8), np.ones((4, 4), bool)) == "other"


def test_segmentation_record_gives_each_polygon_its_class():
    classes = np.zeros((40, 100), np.uint8)
    classes[5:15, 5:45] = CLASS_ID["plate"]
    classes[25:35, 50:95] = CLASS_ID["heading"]
    plate = np.array([[5, 5], [45, 5], [45, 15], [5, 15]], np.float32)
    heading = np.array([[50, 25], [95, 25], [95, 35], [50, 35]], np.float32)
    empty = np.zeros((40, 100), np.float32)
    seg = SegOutput(stroke=empty, region=empty, classes=classes, polygons=[(plate, 0.91), (heading, 0.6)])
    record = segmentation_record("page", np.zeros((40, 100, 3), np.uint8), seg)
    assert (record["width"], record["height"]) == (100, 40)
    assert [(p["class"], p["score"]) for p in record["polygons"]] == [("plate", 0.91), ("heading", 0.6)]


def test_calibration_is_monotonic():
    values = [calibrate(s, (2.0, -0.5)) for s in (0.1, 0.5, 0.9)]
    assert values == sorted(values) and calibrate(0.7, None) == 0.7


def test_markdown_blocks():
    words = [
        box(0, 0, 50, 20, "Title", "heading"),
        box(0, 40, 20, 60, "1.", "list"),
        box(30, 40, 80, 60, "milk", "list"),
        box(0, 100, 30, 110, "Item", "table"),
        box(100, 100, 130, 110, "Price", "table"),
        box(0, 120, 30, 130, "tea", "table"),
        box(100, 120, 130, 130, "2.50", "table"),
    ]
    ordered, lines, blocks = assign_layout(words)
    page = PageResult(image="x", width=200, height=200, words=ordered, lines=lines, blocks=blocks)
    md = to_markdown(page)
    assert "## Title" in md and "1. milk" in md
    assert "| Item | Price |" in md and "| --- | --- |" in md and "| tea | 2.50 |" in md


def test_markdown_escapes_and_bullets():
    page = PageResult(
        image="x",
        width=10,
        height=10,
        words=[box(0, 0, 5, 5, "a|b", "table"), box(0, 0, 5, 5, "x", "list")],
        lines=[Line([0], "a|b"), Line([1], "x")],
        blocks=[Block([0], "table"), Block([1], "list")],
    )
    md = to_markdown(page)
    assert "a\\|b" in md and "- x" in md


def test_erase_removes_glyphs():
    image = np.full((40, 80, 3), 200, np.uint8)
    image[15:25, 10:70] = 0
    mask = np.zeros((40, 80), bool)
    mask[15:25, 10:70] = True
    page = PageResult(image="x", width=80, height=40, words=[box(8, 12, 72, 28)])
    erased = erase_text(image, mask, page)
    assert erased[20, 40].mean() > 150 and erased[2, 2].mean() == pytest.approx(200, abs=2)


def test_platt_fit_recovers_a_known_mapping():
    from ocrnet.train.calibrate import fit_platt

    rng = np.random.default_rng(0)
    raw = rng.uniform(0.01, 0.99, 20000)
    logit = np.log(raw / (1 - raw))
    truth = 1 / (1 + np.exp(-(2.0 * logit - 1.0)))
    correct = rng.random(20000) < truth
    a, b = fit_platt(raw, correct)
    assert a == pytest.approx(2.0, abs=0.15) and b == pytest.approx(-1.0, abs=0.15)
    changed = rng.random(20000) < 0.3  # readings the dictionary changed are right more often
    truth = 1 / (1 + np.exp(-(2.0 * logit - 1.0 + 1.5 * changed)))
    a, b, shift = fit_platt(raw, rng.random(20000) < truth, changed)
    assert shift == pytest.approx(1.5, abs=0.2) and a == pytest.approx(2.0, abs=0.15)


def test_rotated_page_keeps_line_pieces_in_order():
    angle = np.radians(10)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    words = []
    # two lines 40 px apart; line 1 has a gap (a missed word) so it falls into two pieces
    spec = [("a1", 0, 0), ("a2", 60, 0), ("a4", 300, 0), ("a5", 360, 0)] + [(f"b{i}", 60 * i, 40) for i in range(7)]
    for text, x, y in spec:
        pts = np.array([[x, y], [x + 50, y], [x + 50, y + 20], [x, y + 20]], float) @ rot.T + 50
        words.append(Word(polygon=pts.tolist(), text=text))
    _, lines, _ = assign_layout(words)
    assert [ln.text for ln in lines] == ["a1 a2", "a4 a5", "b0 b1 b2 b3 b4 b5 b6"]


def test_short_tilted_word_joins_its_line():
    # a two-letter word whose box came out 18 degrees off still belongs between its neighbours
    angle = np.radians(-18)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    short = (np.array([[-9, -7], [9, -7], [9, 7], [-9, 7]], float) @ rot.T + [88, 10]).tolist()
    words = [box(0, 0, 70, 20, "markers"), Word(polygon=short, text="of"), box(106, 0, 140, 20, "the")]
    _, lines, _ = assign_layout(words)
    assert [ln.text for ln in lines] == ["markers of the"]


def test_pieces_of_a_tilted_row_read_left_to_right():
    # the right piece of a row sits 3 px higher (page tilt) and a missed word splits the row
    words = [box(0, 10, 60, 30, "found"), box(70, 10, 100, 30, "at"), box(200, 7, 260, 27, "extreme")]
    words += [box(0, 40, 60, 60, "next"), box(70, 40, 260, 60, "line")]
    _, lines, blocks = assign_layout(words)
    assert [ln.text for ln in lines] == ["found at", "extreme", "next line"] and len(blocks) == 1
