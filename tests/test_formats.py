import numpy as np
import pytest
from PIL import Image

from ocrnet.data.formats import detect_format, load_dataset
from ocrnet.data.formats.funsd import load_funsd_classes
from ocrnet.data.formats.plates import partial_label_mask
from ocrnet.types import CLASS_ID


def _img(path, size=(64, 32)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (255, 255, 255)).save(path)


def test_icdar2015(tmp_path):
    _img(tmp_path / "images" / "img_1.jpg")
    (tmp_path / "gt").mkdir()
    (tmp_path / "gt" / "gt_img_1.txt").write_text(
        "\ufeff1,2,30,2,30,20,1,20,Hello, world\n5,5,9,5,9,9,5,9,###\n", encoding="utf-8"
    )
    assert detect_format(tmp_path) == "icdar2015"
    [ann] = load_dataset(tmp_path)
    assert (ann.width, ann.height) == (64, 32)
    assert ann.words[0].text == "Hello, world" and not ann.words[0].ignore
    assert ann.words[0].polygon[2] == [30.0, 20.0]
    assert ann.words[1].ignore


def test_blurred_street_photos_are_split_by_image_number():
    from ocrnet.data.splits import TRAIN, VAL, scene_split
    from ocrnet.types import Annotation

    def photo(n):
        return Annotation(image_path=f"icdar2015_dev/images/img_{n}.jpg", width=8, height=8, source="icdar2015")

    assert [scene_split(photo(n), 0) for n in (1, 2, 49, 50)] == [TRAIN, VAL, TRAIN, VAL]


def test_icdar2013(tmp_path):
    _img(tmp_path / "images" / "img_7.png")
    (tmp_path / "gt").mkdir()
    (tmp_path / "gt" / "gt_img_7.txt").write_text('10, 4, 40, 20, "a,b"\r\n1, 1, 5, 5, "x"\r\n')
    assert detect_format(tmp_path) == "icdar2013"
    [ann] = load_dataset(tmp_path)
    assert [w.text for w in ann.words] == ["a,b", "x"]
    assert ann.words[0].polygon == [[10, 4], [40, 4], [40, 20], [10, 20]]


def test_word_crops(tmp_path):
    _img(tmp_path / "IMG" / "1.jpg")
    (tmp_path / "labels.tsv").write_text("IMG/1.jpg\tRescue\nIMG/missing.jpg\tx\n")
    crops = load_dataset(tmp_path)
    assert [c.text for c in crops] == ["Rescue"]


def test_plates(tmp_path):
    _img(tmp_path / "car.jpg", (200, 100))
    (tmp_path / "car.txt").write_text("car.jpg\t50\t40\t40\t20\tABC123\n")
    [ann] = load_dataset(tmp_path, "plates")
    assert ann.words[0].text == "ABC123" and ann.words[0].cls == "plate"
    mask = partial_label_mask(ann, margin=0.5)
    assert mask[50, 70] and not mask[5, 5]
    crops = tmp_path / "crops"
    _img(crops / "usimages" / "a.png")
    (crops / "groundtruth.csv").write_text("a.png,ca,7ABC123\n")
    assert load_dataset(crops)[0].text == "7ABC123"


def test_sroie_lines(tmp_path):
    _img(tmp_path / "img" / "000.jpg")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "000.csv").write_text("1,1,30,1,30,9,1,9,TOTAL 9.00\n")
    [ann] = load_dataset(tmp_path)
    assert ann.level == "line" and ann.words[0].text == "TOTAL 9.00" and ann.lines[0].text == "TOTAL 9.00"


def test_funsd_classes(tmp_path):
    _img(tmp_path / "Images" / "train" / "f.png")
    codes = np.array([[0, 1, 2, 3, 4]], np.uint8)
    (tmp_path / "Labels" / "train").mkdir(parents=True)
    Image.fromarray(codes).save(tmp_path / "Labels" / "train" / "f.png")
    [ann] = load_dataset(tmp_path)
    mapped = load_funsd_classes(ann.class_map_path)
    assert mapped.tolist() == [
        [CLASS_ID["background"], CLASS_ID["paragraph"], CLASS_ID["paragraph"], CLASS_ID["heading"], CLASS_ID["other"]]
    ]


def test_unknown_folder(tmp_path):
    with pytest.raises(ValueError, match="cannot tell"):
        detect_format(tmp_path)


def test_sroie_line_boxes_split_into_word_boxes():
    from ocrnet.data.formats.receipts import split_line_into_words
    from ocrnet.types import Word

    line = Word(polygon=[[0, 0], [100, 0], [100, 10], [0, 10]], text="TOTAL  12.50", cls="paragraph")
    words = split_line_into_words(line)
    assert [w.text for w in words] == ["TOTAL", "12.50"]
    assert words[0].points[:, 0].tolist() == pytest.approx([0, 41.667, 41.667, 0], abs=1e-3)  # 5 of 12 characters
    assert words[1].points[:, 0].min() == pytest.approx(58.333, abs=1e-3) and words[1].points[:, 0].max() == 100
    assert split_line_into_words(Word(polygon=line.polygon, text="ONE"))[0].text == "ONE"


def test_plate_number_band_cuts_follow_the_pipeline_views():
    from ocrnet.data.crops import cut_plate_numbers
    from ocrnet.postprocess.plates import PLATE_VIEWS
    from ocrnet.types import Annotation, Word

    image = np.zeros((200, 300, 3), np.uint8)
    plate = Word(polygon=[[50, 40], [250, 40], [250, 140], [50, 140]], text="ABC123")
    crops = cut_plate_numbers(Annotation("p.jpg", 300, 200, [plate], source="plates"), image)
    assert [c.text for c in crops] == ["ABC123"] * len(PLATE_VIEWS)
    # each view cuts its share of the height from top and bottom (then shrinks to the stored height)
    for crop, (along, across) in zip(crops, PLATE_VIEWS, strict=True):
        width, height = 200 * (1 - 2 * along), 100 * (1 - 2 * across)
        assert crop.image.shape[1] / crop.image.shape[0] == pytest.approx(width / height, rel=0.05)


def test_own_sets_are_told_by_their_layout_and_named_apart(tmp_path):
    from ocrnet.data.own import load_own, own_split

    for parent in ("a", "b"):
        folder = tmp_path / parent / "shop"
        folder.mkdir(parents=True)
        Image.new("RGB", (40, 16)).save(folder / "0.png")
        (folder / "labels.tsv").write_text("0.png\tOPEN\n")
    sets = load_own([tmp_path / "a" / "shop", tmp_path / "b" / "shop"])
    assert [(s.name, s.fmt, s.crops) for s in sets] == [("own_shop", "words", True), ("own_shop_2", "words", True)]
    assert [own_split(None, i) for i in (0, 1, 9, 10)] == ["val", "train", "train", "val"]
    (tmp_path / "loose").mkdir()
    with pytest.raises(ValueError, match="loose: not a layout"):
        load_own([tmp_path / "loose"])
    with pytest.raises(ValueError, match="no such folder"):
        load_own([tmp_path / "missing"])
