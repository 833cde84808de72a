"""Video input: every N-th frame through the pipeline, and the same text seen at about the same
place in consecutive processed frames joined into one track with its first and last time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ocrnet.io import ImageLoadError
from ocrnet.types import Word

VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


def is_video(path: Path) -> bool:
    """Whether ``path`` has a video file's suffix."""
    return path.suffix.lower() in VIDEO_SUFFIXES


def frames(path: Path, every: int = 10) -> Iterator[tuple[int, float, np.ndarray]]:
    """(frame index, seconds, RGB frame) for every ``every``-th frame."""
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ImageLoadError(f"{path}: cannot open as a video")
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    index = 0
    try:
        while True:
            ok = capture.grab()
            if not ok:
                break
            if index % max(every, 1) == 0:
                ok, frame = capture.retrieve()
                if ok:
                    yield index, index / fps, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            index += 1
    finally:
        capture.release()


def _box(word: Word) -> np.ndarray:
    pts = word.points
    return np.array([*pts.min(0), *pts.max(0)], np.float32)


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two axis-aligned boxes (x0, y0, x1, y1)."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


@dataclass
class Track:
    """One text seen across frames: its reading, when it was first and last seen, and where."""

    text: str
    first: float
    last: float
    box: np.ndarray
    score: float
    frames: list[int] = field(default_factory=list)
    last_step: int = 0

    def to_dict(self, video: str) -> dict:
        x0, y0, x1, y1 = (round(float(v), 1) for v in self.box)
        return {
            "video": video,
            "text": self.text,
            "first": round(self.first, 3),
            "last": round(self.last, 3),
            "frames": self.frames,
            "score": round(self.score, 4),
            "polygon": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        }


class Tracker:
    """Greedy matching on (same text, box IoU >= ``min_iou``) against tracks seen one step ago."""

    def __init__(self, min_iou: float = 0.3, patience: int = 1) -> None:
        self.min_iou, self.patience = min_iou, patience
        self.tracks: list[Track] = []
        self.step = 0

    def update(self, frame_index: int, seconds: float, words: list[Word]) -> None:
        """Extend the live track of the same text that overlaps each word most, or start a new one."""
        self.step += 1
        live = [t for t in self.tracks if self.step - t.last_step <= self.patience]
        for word in words:
            key = word.text.strip().lower()
            box = _box(word)
            best, best_iou = None, self.min_iou
            for track in live:
                if track.text.lower() == key and track.last_step < self.step:
                    iou = box_iou(track.box, box)
                    if iou >= best_iou:
                        best, best_iou = track, iou
            if best is None:
                best = Track(word.text.strip(), seconds, seconds, box, word.score)
                self.tracks.append(best)
            best.last, best.box, best.last_step = seconds, box, self.step
            best.score = max(best.score, word.score)
            best.frames.append(frame_index)
