"""Metrics with the conventions of the standard benchmarks.

- Stroke masks: foreground IoU and F-score, accumulated over pixels of a whole set.
- Detection (ICDAR 2015): one-to-one matching at IoU > 0.5; a detection lying more than half
  inside a don't-care region is ignored, don't-care ground truth is neither hit nor miss.
- End-to-end: the same matching, then a hit also needs the transcription (case-insensitive, edge
  punctuation stripped); ground-truth words shorter than 3 characters are don't-care.
- Recognition: word accuracy (36-class case-insensitive, or exact), CER and 1-NED (rapidfuzz).
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein
from shapely.geometry import Polygon

from ocrnet.charset import normalize_36
from ocrnet.types import Word

IOU_THRESHOLD = 0.5
DONT_CARE_OVERLAP = 0.5
E2E_MIN_LENGTH = 3


# -- masks ---------------------------------------------------------------------------------------


def care_mask(words: Sequence[Word], shape: tuple[int, int]) -> np.ndarray:
    """Pixels that count in a mask metric: everything outside the don't-care words, whose glyphs
    are unreadable (the model is neither right nor wrong there)."""
    care = np.ones(shape, np.uint8)
    ignored = [np.round(w.points).astype(np.int32) for w in words if w.ignore]
    if ignored:
        cv2.fillPoly(care, ignored, 0)
    return care.astype(bool)


@dataclass
class MaskMeter:
    """Pixel counts over a whole set (a set-level IoU, not a mean of per-image IoUs)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def update(self, pred: np.ndarray, target: np.ndarray, valid: np.ndarray | None = None) -> None:
        """Add one image's pixels; ``valid`` leaves out pixels that are not scored (don't-care regions)."""
        pred, target = np.asarray(pred).astype(bool), np.asarray(target).astype(bool)
        if valid is not None:
            pred, target = pred & valid, target & valid
        self.tp += int(np.count_nonzero(pred & target))
        self.fp += int(np.count_nonzero(pred & ~target))
        self.fn += int(np.count_nonzero(~pred & target))

    @property
    def iou(self) -> float:
        """Set-level IoU; 1.0 when there was nothing to find and nothing was found."""
        total = self.tp + self.fp + self.fn
        return self.tp / total if total else 1.0

    @property
    def fscore(self) -> float:
        """Set-level F-score (Dice) of the same counts."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0


# -- polygons ------------------------------------------------------------------------------------
def to_polygon(points: Sequence[Sequence[float]] | np.ndarray) -> Polygon:
    """A shapely polygon, self-intersecting quads repaired (``buffer(0)``) so their area is defined."""
    poly = Polygon(np.asarray(points, np.float64).reshape(-1, 2))
    return poly if poly.is_valid else poly.buffer(0)


def polygon_iou(a: Polygon, b: Polygon) -> float:
    """Intersection over union of two polygons; 0.0 when either is empty."""
    if a.is_empty or b.is_empty:
        return 0.0
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


@dataclass
class DetectionCounts:
    """Matched, ground-truth and detection counts (don't-care excluded) summed over images."""

    matched: int = 0
    gt: int = 0
    det: int = 0
    per_image: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, matched: int, gt: int, det: int) -> None:
        """Count one image, keeping its own counts for per-image reports."""
        self.matched += matched
        self.gt += gt
        self.det += det
        self.per_image.append((matched, gt, det))

    @property
    def precision(self) -> float:
        """Matched share of detections; an image set with no text and no detections is perfect."""
        return self.matched / self.det if self.det else (1.0 if not self.gt else 0.0)

    @property
    def recall(self) -> float:
        """Matched share of the cared-for ground truth."""
        return self.matched / self.gt if self.gt else 1.0

    @property
    def hmean(self) -> float:
        """Harmonic mean of precision and recall (the ICDAR ranking figure)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        """The figures and counts as a report writes them."""
        return {
            "precision": self.precision,
            "recall": self.recall,
            "hmean": self.hmean,
            "matched": self.matched,
            "gt": self.gt,
            "det": self.det,
        }


def match_words(
    gt: Sequence[Word], det: Sequence[Word], dont_care: Sequence[bool], iou_threshold: float = IOU_THRESHOLD
) -> tuple[list[tuple[int, int]], list[bool]]:
    """One-to-one matching, best IoU first. Returns the matched (gt, det) pairs, care pairs and
    don't-care pairs alike, and which detections to ignore (mostly inside a don't-care region)."""
    gt_polys = [to_polygon(w.polygon) for w in gt]
    det_polys = [to_polygon(w.polygon) for w in det]
    ignored = []
    for poly in det_polys:
        inside = sum(poly.intersection(g).area for g, dc in zip(gt_polys, dont_care, strict=True) if dc)
        ignored.append(poly.area > 0 and inside / poly.area > DONT_CARE_OVERLAP)
    candidates = []
    for gi, g in enumerate(gt_polys):
        for di, d in enumerate(det_polys):
            if g.intersects(d):
                iou = polygon_iou(g, d)
                if iou > iou_threshold:
                    candidates.append((iou, gi, di))
    pairs, used_gt, used_det = [], set(), set()
    for _, gi, di in sorted(candidates, reverse=True):
        if gi not in used_gt and di not in used_det:
            pairs.append((gi, di))
            used_gt.add(gi)
            used_det.add(di)
    return pairs, ignored


def _counts(
    gt: Sequence[Word], det: Sequence[Word], dont_care: list[bool], iou_threshold: float, needs_text: bool
) -> tuple[int, int, int]:
    pairs, ignored = match_words(gt, det, dont_care, iou_threshold)
    ignored = list(ignored)
    matched = 0
    for gi, di in pairs:
        if dont_care[gi]:
            ignored[di] = True  # a detection of a don't-care word is neither hit nor false alarm
        elif not ignored[di] and (not needs_text or normalize_e2e(gt[gi].text) == normalize_e2e(det[di].text)):
            matched += 1
    return matched, sum(not dc for dc in dont_care), sum(not ig for ig in ignored)


def detection_counts(
    gt: Sequence[Word], det: Sequence[Word], iou_threshold: float = IOU_THRESHOLD
) -> tuple[int, int, int]:
    """(matched, care ground truth, care detections) for one image."""
    return _counts(gt, det, [w.ignore for w in gt], iou_threshold, needs_text=False)


def normalize_e2e(text: str) -> str:
    """ICDAR's end-to-end comparison form: case and surrounding punctuation do not count."""
    return text.strip().strip(string.punctuation + "“”‘’").lower()


def end_to_end_counts(
    gt: Sequence[Word], det: Sequence[Word], iou_threshold: float = IOU_THRESHOLD, min_length: int = E2E_MIN_LENGTH
) -> tuple[int, int, int]:
    """As ``detection_counts``, but a hit also needs the right text; short words are don't-care."""
    dont_care = [w.ignore or len(normalize_e2e(w.text)) < min_length for w in gt]
    return _counts(gt, det, dont_care, iou_threshold, needs_text=True)


def evaluate_detection(
    gts: Sequence[Sequence[Word]], dets: Sequence[Sequence[Word]], end_to_end: bool = False
) -> DetectionCounts:
    """Detection (or, with ``end_to_end``, detection plus reading) counts summed over a set of images."""
    counts = DetectionCounts()
    fn = end_to_end_counts if end_to_end else detection_counts
    for gt, det in zip(gts, dets, strict=True):
        counts.add(*fn(gt, det))
    return counts


# -- text ----------------------------------------------------------------------------------------
def word_accuracy(preds: Sequence[str], gts: Sequence[str], case_sensitive: bool = False) -> float:
    """Share of exact matches; case-insensitive compares the 36-class (0-9a-z) forms."""
    if not gts:
        return 0.0
    if case_sensitive:
        return sum(p == g for p, g in zip(preds, gts, strict=True)) / len(gts)
    return sum(normalize_36(p) == normalize_36(g) for p, g in zip(preds, gts, strict=True)) / len(gts)


def character_error_rate(preds: Sequence[str], gts: Sequence[str]) -> float:
    """Edit operations over ground-truth characters, summed over the set."""
    edits = sum(Levenshtein.distance(p, g) for p, g in zip(preds, gts, strict=True))
    chars = sum(len(g) for g in gts)
    return edits / chars if chars else float(edits > 0)


def one_minus_ned(preds: Sequence[str], gts: Sequence[str]) -> float:
    """Mean of 1 - edit distance / max length, per word (the ICDAR 2019 convention)."""
    if not gts:
        return 0.0
    return float(np.mean([1.0 - Levenshtein.normalized_distance(p, g) for p, g in zip(preds, gts, strict=True)]))


def bag_of_words_f1(pred_words: Sequence[str], gt_words: Sequence[str], lower: bool = True) -> dict[str, float]:
    """F1 of the multisets of words, ignoring where they are (what a search index would see)."""
    norm = (lambda s: s.lower()) if lower else (lambda s: s)
    pred = Counter(norm(w) for w in pred_words if w.strip())
    gt = Counter(norm(w) for w in gt_words if w.strip())
    hits = sum((pred & gt).values())
    p = hits / sum(pred.values()) if pred else (1.0 if not gt else 0.0)
    r = hits / sum(gt.values()) if gt else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
