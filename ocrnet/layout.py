"""Reading order, lines and blocks from word geometry alone (works for rotated text too).

Words join a line when they share its direction, sit on the same baseline band and follow each
other with a gap of at most about one and a half text heights (table cells: any gap). Lines join a block when they have
the same class, are stacked closely and overlap along the reading direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocrnet.postprocess.crops import reading_quad
from ocrnet.types import Block, Line, Word


@dataclass
class WordFrame:
    """Where a word is and which way it reads, in image pixels."""

    centre: np.ndarray
    direction: np.ndarray  # unit vector along the reading direction
    height: float
    width: float


def word_frame(word: Word) -> WordFrame:
    """A word's centre, reading direction, width and height, the measures lines are grouped by."""
    # many-point polygons (curved or rounded regions) are measured on their reading quad
    pts = word.points if len(word.points) == 4 else reading_quad(word.points)
    top = pts[1] - pts[0]
    bottom = pts[2] - pts[3]
    vec = top + bottom
    height = (np.linalg.norm(pts[3] - pts[0]) + np.linalg.norm(pts[2] - pts[1])) / 2
    width = (np.linalg.norm(top) + np.linalg.norm(bottom)) / 2
    norm = float(np.linalg.norm(vec)) or 1.0
    direction = vec / norm
    if direction[0] < -0.2:  # keep left-to-right for near-horizontal, top-down for vertical
        direction = -direction
    return WordFrame(pts.mean(0), direction, max(float(height), 1.0), max(float(width), 1.0))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def same_line_pairs(frames: list[WordFrame], table: np.ndarray) -> np.ndarray:
    """(n, n) booleans: whether words i and j sit on one line. Computed for all pairs at once (a
    page of 200 words has 20,000 pairs; one at a time they took half a second). ``table``: which
    words are table cells, since cells share a row however far apart they are."""
    centre = np.array([f.centre for f in frames], float).reshape(-1, 2)
    direction = np.array([f.direction for f in frames], float).reshape(-1, 2)
    height = np.array([f.height for f in frames], float)
    width = np.array([f.width for f in frames], float)
    # a short word's box says little about its direction ("of" can come out 20 degrees off), so
    # directions must agree only between long words, and the longer word's direction counts more
    long = width / height >= 2.0
    agree = ~(long[:, None] & long[None, :]) | (direction @ direction.T >= 0.95)
    similar = np.maximum(height[:, None], height[None, :]) <= 1.8 * np.minimum(height[:, None], height[None, :])
    joint = direction[:, None, :] * width[:, None, None] + direction[None, :, :] * width[None, :, None]
    joint /= np.where((norm := np.linalg.norm(joint, axis=2, keepdims=True)) > 0, norm, 1.0)
    offset = centre[None, :, :] - centre[:, None, :]
    across = np.abs(offset[..., 0] * -joint[..., 1] + offset[..., 1] * joint[..., 0])
    along = np.abs((offset * joint).sum(2))
    mean_height = (height[:, None] + height[None, :]) / 2
    gap = along - (width[:, None] + width[None, :]) / 2
    max_gap = np.where(table[:, None] & table[None, :], 50.0, 1.5)
    return agree & similar & (across < 0.45 * mean_height) & (gap < max_gap * mean_height)


def group_lines(words: list[Word]) -> list[list[int]]:
    """Word indices per line, each line in reading order, lines in reading order (top to bottom)."""
    frames = [word_frame(w) for w in words]
    uf = _UnionFind(len(words))
    pairs = same_line_pairs(frames, np.array([w.cls == "table" for w in words], bool))
    for i, j in zip(*np.nonzero(np.triu(pairs, 1)), strict=True):
        uf.union(int(i), int(j))
    lines = []
    for group in uf.groups():
        direction = np.mean([frames[i].direction for i in group], axis=0)
        group.sort(key=lambda i: float(frames[i].centre @ direction))
        lines.append(group)

    # order lines across the page's dominant text direction, so that on a rotated page the pieces
    # of one line (split by a missed word) stay together instead of interleaving with the next line
    page_direction = np.sum([frames[i].direction * frames[i].width for i in range(len(frames))], axis=0)
    page_direction = page_direction / (np.linalg.norm(page_direction) or 1.0)
    normal = np.array([-page_direction[1], page_direction[0]])
    if normal[1] < 0:
        normal = -normal
    across = {id(line): float(np.mean([frames[i].centre @ normal for i in line])) for line in lines}
    lines.sort(key=lambda line: across[id(line)])
    # pieces of one row (a missed word leaves a gap) read left to right, even when the right piece
    # sits a little higher on a tilted page
    rows: list[list[list[int]]] = []
    for line in lines:
        height = float(np.mean([frames[i].height for i in line]))
        if rows and abs(across[id(line)] - across[id(rows[-1][0])]) < 0.5 * height:
            rows[-1].append(line)
        else:
            rows.append([line])
    along = {id(line): min(float(frames[i].centre @ page_direction) for i in line) for line in lines}
    return [line for row in rows for line in sorted(row, key=lambda line: along[id(line)])]


def group_blocks(words: list[Word], lines: list[list[int]]) -> list[list[int]]:
    """Line indices per block, in reading order."""
    boxes = []
    for line in lines:
        pts = np.concatenate([words[i].points for i in line])
        height = float(np.mean([word_frame(words[i]).height for i in line]))
        boxes.append(
            (
                pts[:, 0].min(),
                pts[:, 1].min(),
                pts[:, 0].max(),
                pts[:, 1].max(),
                height,
                _majority([words[i].cls for i in line]),
            )
        )
    uf = _UnionFind(len(lines))
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if a[5] != b[5]:
                continue
            vertical_gap = max(b[1] - a[3], a[1] - b[3])
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            if vertical_gap < 1.2 * max(a[4], b[4]) and overlap > -0.5 * max(a[4], b[4]):
                uf.union(i, j)
    blocks = [sorted(g) for g in uf.groups()]
    blocks.sort(key=lambda g: g[0])  # lines come in reading order, so blocks follow their first line
    return blocks


def _majority(values: list[str]) -> str:
    return max(set(values), key=values.count)


def assign_layout(words: list[Word]) -> tuple[list[Word], list[Line], list[Block]]:
    """Reorder words into reading order and fill in their line and block indices."""
    if not words:
        return [], [], []
    line_groups = group_lines(words)
    block_groups = group_blocks(words, line_groups)
    ordered: list[Word] = []
    lines: list[Line] = []
    blocks: list[Block] = []
    for block_index, block_lines in enumerate(block_groups):
        line_ids = []
        for li in block_lines:
            ids = []
            for wi in line_groups[li]:
                word = words[wi]
                word.line, word.block = len(lines), block_index
                ids.append(len(ordered))
                ordered.append(word)
            lines.append(Line(words=ids, text=" ".join(ordered[i].text for i in ids), block=block_index))
            line_ids.append(len(lines) - 1)
        cls = _majority([ordered[i].cls for li in line_ids for i in lines[li].words])
        blocks.append(Block(lines=line_ids, cls=cls))
    return ordered, lines, blocks
