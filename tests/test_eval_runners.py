import numpy as np
import pytest
from PIL import Image

from ocrnet.engines import create_engine, engine_names
from ocrnet.engines.base import Engine, EngineUnavailable
from ocrnet.eval.runners import calibration_table, run_eval, save_report
from ocrnet.types import Word


class EchoEngine(Engine):
    """Finds one fixed box and reads every crop as 'hello'."""

    name = "echo"

    def read(self, image):
        return [Word(polygon=[[1, 2], [30, 2], [30, 20], [1, 20]], text="Hello", score=0.9)]

    def recognize(self, crops):
        return [("hello", 0.8) for _ in crops]


def test_icdar_eval_counts_and_saves(tmp_path):
    root = tmp_path / "ic15"
    (root / "images").mkdir(parents=True)
    (root / "gt").mkdir()
    for i in (1, 2):
        Image.new("RGB", (64, 32)).save(root / "images" / f"img_{i}.jpg")
    (root / "gt" / "gt_img_1.txt").write_text("1,2,30,2,30,20,1,20,hello\n")
    (root / "gt" / "gt_img_2.txt").write_text("40,2,60,2,60,20,40,20,world\n")
    report, predictions = run_eval(EchoEngine(), "icdar2015", root, split="all")
    assert report["detection"]["precision"] == 0.5 and report["detection"]["recall"] == 0.5
    assert report["end_to_end"]["matched"] == 1
    assert report["bag_of_words"]["recall"] == 0.5
    save_report(report, predictions, tmp_path / "out")
    assert (tmp_path / "out" / "report.json").is_file()
    assert len((tmp_path / "out" / "predictions.jsonl").read_text().splitlines()) == 2


class InkEngine(Engine):
    """Finds the dark pixels' bounding box, wherever the image puts them, and reads it as 'hello'."""

    name = "ink"

    def read(self, image):
        ys, xs = np.nonzero(image.mean(axis=2) < 128)
        x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        return [Word(polygon=[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text="hello", score=0.9)]


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_turned_images_are_scored_against_their_turned_truth(tmp_path, turn):
    root = tmp_path / "ic15"
    (root / "images").mkdir(parents=True)
    (root / "gt").mkdir()
    image = np.full((40, 90, 3), 255, np.uint8)
    image[5:25, 10:70] = 0
    Image.fromarray(image).save(root / "images" / "img_1.png")
    (root / "gt" / "gt_img_1.txt").write_text("10,5,70,5,70,25,10,25,hello\n")
    report, _ = run_eval(InkEngine(), "icdar2015", root, split="all", turn=turn)
    assert report["end_to_end"]["matched"] == 1 and report["detection"]["hmean"] == 1.0
    assert report.get("turned_degrees", 0) == 90 * turn
    with pytest.raises(ValueError, match="turning applies"):
        run_eval(InkEngine(), "synth-words", None, turn=1)
    with pytest.raises(ValueError, match="no icdar2015 items in split 'val'"):  # nothing held out of one image
        run_eval(InkEngine(), "icdar2015", root, split="val")


def test_word_eval_and_calibration(tmp_path):
    root = tmp_path / "words"
    (root / "IMG").mkdir(parents=True)
    for i in range(4):
        Image.new("RGB", (40, 16)).save(root / "IMG" / f"{i}.jpg")
    (root / "labels.tsv").write_text("".join(f"IMG/{i}.jpg\t{t}\n" for i, t in enumerate(["Hello", "hello", "x", "y"])))
    report, _ = run_eval(EchoEngine(), "words", root, split="all")
    assert report["accuracy"] == 0.5 and report["accuracy_case_sensitive"] == 0.25
    # every score is 0.8, and a score claims the exact text: only "hello" of the four is right
    assert sum(row["accuracy"] * row["count"] for row in report["calibration"]) == 1
    assert report["calibration_error"] == pytest.approx((0.2 + 3 * 0.8) / 4)
    table = calibration_table(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1], bool), bins=2)
    assert [row["accuracy"] for row in table] == [0.0, 1.0]


def test_word_eval_reports_unreadable_crops_and_scores_the_rest(tmp_path):
    root = tmp_path / "words"
    (root / "IMG").mkdir(parents=True)
    Image.new("RGB", (40, 16)).save(root / "IMG" / "0.jpg")
    (root / "IMG" / "1.jpg").write_bytes((root / "IMG" / "0.jpg").read_bytes()[:40])  # truncated
    (root / "labels.tsv").write_text("IMG/0.jpg\thello\nIMG/1.jpg\tworld\n")
    report, predictions = run_eval(EchoEngine(), "words", root, split="all")
    assert report["crops"] == 1 and report["unreadable"] == 1 and report["accuracy"] == 1.0
    errors = [p for p in predictions if "error" in p]
    assert len(errors) == 1 and "1.jpg" in errors[0]["error"]


def test_engine_registry():
    assert {"ocrnet", "tesseract", "ppocrv4", "ppocrv6", "easyocr"} <= set(engine_names())
    with pytest.raises(ValueError, match="unknown engine"):
        create_engine("nope")


@pytest.mark.parametrize("name", ["tesseract", "ppocrv4", "ppocrv6", "easyocr"])
def test_other_engines_where_installed(name):
    try:
        engine = create_engine(name)
    except EngineUnavailable as exc:
        pytest.skip(f"{name} not installed here: {exc}")
    import cv2

    image = np.full((160, 300, 3), 255, np.uint8)
    cv2.putText(image, "HELLO", (60, 95), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0, 0, 0), 3)
    words = engine.read(image)
    assert any("HELLO" in w.text.upper() for w in words)
    crop = np.ascontiguousarray(image[55:110, 50:250])
    [(text, _)] = engine.recognize([crop])
    assert "HELLO" in text.upper()


def test_compare_writes_table_and_chart(tmp_path, monkeypatch):
    from ocrnet.eval import compare as compare_module

    root = tmp_path / "ic15"
    (root / "images").mkdir(parents=True)
    (root / "gt").mkdir()
    Image.new("RGB", (64, 32)).save(root / "images" / "img_1.jpg")
    (root / "gt" / "gt_img_1.txt").write_text("1,2,30,2,30,20,1,20,hello\n")

    def fake_engine(name, *weights):
        if name == "missing":
            raise EngineUnavailable("not here")
        return EchoEngine()

    monkeypatch.setattr(compare_module, "create_engine", fake_engine)
    table, reports = compare_module.compare(["echo", "missing"], "icdar2015", root, tmp_path / "out", split="all")
    assert "| echo | 1.000 | 1.000 | 1.000 |" in table and "not run: not here" in table
    assert (tmp_path / "out" / "chart.png").is_file() and (tmp_path / "out" / "table.md").is_file()
    # a reused engine's saved report is read back, not run again
    monkeypatch.setattr(compare_module, "create_engine", lambda name, *weights: pytest.fail(f"{name} ran again"))
    again, _ = compare_module.compare(["echo"], "icdar2015", root, tmp_path / "out", split="all", reuse={"echo"})
    assert "| echo | 1.000 | 1.000 | 1.000 |" in again
    # turned, the saved upright report is not reused, and the fixed box no longer matches the turned truth
    monkeypatch.setattr(compare_module, "create_engine", lambda name, *weights: EchoEngine())
    turned, reports = compare_module.compare(
        ["echo"], "icdar2015", root, tmp_path / "out", split="all", reuse={"echo"}, turn=1
    )
    assert "| echo | 0.000 | 0.000 |" in turned and reports["echo"]["turned_degrees"] == 90
    assert "turned 90 degrees" in (tmp_path / "out" / "table.md").read_text()


def test_synthetic_crop_eval_renders_the_fixed_validation_crops():
    from ocrnet.data.crops import synthetic_crop_validation

    texts = [crop.text for crop in synthetic_crop_validation(3)]
    assert texts == [crop.text for crop in synthetic_crop_validation(3)]  # same seed, same crops

    class Oracle(EchoEngine):
        def recognize(self, crops):
            return [(text, 1.0) for text in texts[: len(crops)]]

    report, predictions = run_eval(Oracle(), "synth-words", None, synth_count=3)
    assert report["crops"] == 3 and report["accuracy"] == 1.0
    assert [p["gt"] for p in predictions] == texts
    assert run_eval(EchoEngine(), "synth-words", None, synth_count=3)[0]["accuracy"] < 1.0


def test_own_folder_is_scored_on_the_part_train_own_holds_out(tmp_path):
    """A folder of your own is split as `train --own` splits it, not by the built-in sets' rules
    (which would hold out none of a crop folder and half of an ICDAR 2015 one, trained on or not)."""
    from ocrnet.data.own import load_own

    root = tmp_path / "mine"
    (root / "IMG").mkdir(parents=True)
    labels = ["hello" if i % 10 == 0 else "other" for i in range(21)]
    for i in range(len(labels)):
        Image.new("RGB", (40, 16)).save(root / "IMG" / f"{i}.jpg")
    (root / "labels.tsv").write_text("".join(f"IMG/{i}.jpg\t{t}\n" for i, t in enumerate(labels)))
    with pytest.raises(ValueError, match="no words items in split 'val'"):
        run_eval(EchoEngine(), "words", root)  # the built-in rule trains on every crop of an unknown set
    held_out, _ = run_eval(EchoEngine(), "words", root, own=True)
    trained, _ = run_eval(EchoEngine(), "words", root, split="train", own=True)
    assert held_out["crops"] == len(load_own([root])[0].split("val")) == 3 and held_out["own"]
    assert held_out["accuracy"] == 1.0 and trained["crops"] == 18 and trained["accuracy"] == 0.0


def test_ocrnet_engines_load_the_checkpoints_they_are_given(tmp_path):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig
    from ocrnet.models.segnet import TextSegNet, TextSegNetConfig

    seg_cfg = TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=16, key_channels=8)
    rec_cfg = CRNNConfig(width=8, hidden=16)
    export_weights(TextSegNet(seg_cfg), seg_cfg, tmp_path / "seg.pt")
    export_weights(CRNN(rec_cfg), rec_cfg, tmp_path / "rec.pt")
    engine = create_engine("ocrnet", tmp_path / "seg.pt", tmp_path / "rec.pt")
    assert engine.recognizer.model.config.width == 8
    assert engine.pipeline.segmenter.model.config.base_width == 16
    assert engine.pipeline.recognizer is engine.recognizer
    detector = create_engine("ocrnet-det", seg_weights=tmp_path / "seg.pt", rec_weights=tmp_path / "rec.pt")
    assert detector.segmenter.model.config.fpn_channels == 16
