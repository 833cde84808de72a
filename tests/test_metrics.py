import numpy as np
import pytest

from ocrnet.eval.metrics import (
    MaskMeter,
    bag_of_words_f1,
    character_error_rate,
    detection_counts,
    end_to_end_counts,
    evaluate_detection,
    one_minus_ned,
    word_accuracy,
)
from ocrnet.types import Word


def box(x0, y0, x1, y1, text="word", ignore=False):
    return Word(polygon=[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text=text, ignore=ignore)


def test_mask_meter_by_hand():
    pred = np.array([[1, 1, 0, 0]], bool)
    gt = np.array([[0, 1, 1, 0]], bool)
    meter = MaskMeter()
    meter.update(pred, gt)
    assert meter.tp == 1 and meter.fp == 1 and meter.fn == 1
    assert meter.iou == pytest.approx(1 / 3)
    assert meter.fscore == pytest.approx(0.5)
    meter.update(pred, gt, valid=np.array([[0, 1, 0, 0]], bool))  # only the hit counts
    assert meter.iou == pytest.approx(2 / 4)


def test_detection_iou_threshold():
    gt = [box(0, 0, 10, 10)]
    # IoU 60/100... shifted by 4: overlap 6x10=60, union 140 -> 0.43 (miss); by 3: 70/130=0.54 (hit)
    assert detection_counts(gt, [box(4, 0, 14, 10)]) == (0, 1, 1)
    assert detection_counts(gt, [box(3, 0, 13, 10)]) == (1, 1, 1)


def test_one_to_one_best_iou_first():
    gt = [box(0, 0, 10, 10)]
    dets = [box(1, 0, 11, 10), box(0, 0, 10, 10)]  # the exact one wins, the other is a false positive
    assert detection_counts(gt, dets) == (1, 1, 2)


def test_dont_care_regions():
    gt = [box(0, 0, 10, 10, "###", ignore=True), box(20, 0, 30, 10)]
    # a detection inside the don't-care box is ignored; a miss of it costs nothing
    assert detection_counts(gt, [box(1, 1, 9, 9)]) == (0, 1, 0)
    # a detection only 40% inside it still counts as a false positive
    assert detection_counts(gt, [box(6, 0, 16, 10), box(20, 0, 30, 10)]) == (1, 1, 2)


def test_precision_recall_hmean_over_images():
    gts = [[box(0, 0, 10, 10), box(20, 0, 30, 10)], [box(0, 0, 10, 10)]]
    dets = [[box(0, 0, 10, 10)], [box(0, 0, 10, 10), box(50, 50, 60, 60)]]
    counts = evaluate_detection(gts, dets)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.hmean == pytest.approx(2 / 3)


def test_empty_images():
    counts = evaluate_detection([[]], [[]])
    assert counts.precision == 1.0 and counts.recall == 1.0
    assert evaluate_detection([[]], [[box(0, 0, 5, 5)]]).precision == 0.0


def test_end_to_end_needs_text_and_ignores_short_words():
    gt = [box(0, 0, 10, 10, "Hello"), box(20, 0, 30, 10, "to")]
    dets = [box(0, 0, 10, 10, "HELLO!"), box(20, 0, 30, 10, "xx")]
    assert end_to_end_counts(gt, dets) == (1, 1, 1)  # "to" is don't care, its detection ignored
    assert end_to_end_counts(gt, [box(0, 0, 10, 10, "Hallo")]) == (0, 1, 1)


def test_word_accuracy_cer_ned():
    preds, gts = ["Hello", "w0rld", "NEW-york"], ["hello", "world", "New York"]
    assert word_accuracy(preds, gts) == pytest.approx(2 / 3)
    assert word_accuracy(preds, gts, case_sensitive=True) == 0.0
    assert character_error_rate(["abc"], ["abd"]) == pytest.approx(1 / 3)
    assert character_error_rate(["", "ab"], ["ab", "ab"]) == pytest.approx(2 / 4)
    assert one_minus_ned(["abcd", "x"], ["abcf", "x"]) == pytest.approx((0.75 + 1.0) / 2)


def test_bag_of_words():
    scores = bag_of_words_f1(["TOTAL", "9.00", "cash", "cash"], ["total", "9.00", "cash"])
    assert scores["precision"] == pytest.approx(3 / 4)
    assert scores["recall"] == 1.0
