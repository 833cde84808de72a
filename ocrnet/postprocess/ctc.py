"""CTC decoding: greedy and prefix beam search, with per-character probabilities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import torch

from ocrnet.charset import ctc_index


@dataclass
class Decoded:
    """A CTC decoding with what confidence and layout need: per-character probabilities and places."""

    text: str
    char_probs: list[float]
    score: float  # raw word confidence: geometric mean of the character probabilities
    char_positions: list[float] = field(default_factory=list)  # each character's place, 0-1 across the input


def _word_score(char_probs: list[float], blank_prob: float) -> float:
    if not char_probs:
        return blank_prob
    return float(np.exp(np.mean(np.log(np.clip(char_probs, 1e-6, 1.0)))))


def log_frames(probs: np.ndarray) -> np.ndarray:
    """Frame probabilities as the log-probabilities CTC scoring takes, zeros floored (log 0 would
    make every string through them impossible rather than unlikely)."""
    return np.log(np.clip(probs, 1e-12, 1.0))


def greedy_decode(probs: np.ndarray, charset: str) -> Decoded:
    """``probs``: (T, classes) softmax output for one sequence. Each character's probability is
    the highest frame probability among the frames that emitted it."""
    best = probs.argmax(1)
    steps = max(len(best), 1)
    text, char_probs, positions = [], [], []
    previous = 0
    for t, k in enumerate(best):
        if k != 0 and k != previous:
            text.append(charset[k - 1])
            char_probs.append(float(probs[t, k]))
            positions.append((t + 0.5) / steps)
        elif k != 0 and k == previous:
            char_probs[-1] = max(char_probs[-1], float(probs[t, k]))
        previous = k
    blank = float(probs[:, 0].mean()) if len(probs) else 0.0
    return Decoded("".join(text), char_probs, _word_score(char_probs, blank), positions)


def beam_decode(probs: np.ndarray, charset: str, beam: int = 8, prune: float = 1e-3) -> Decoded:
    """Prefix beam search (Hannun et al. 2014) without a language model. Characters below
    ``prune`` probability in a frame are not expanded, which keeps it fast."""
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # prefix -> (p_blank, p_non_blank)
    for t in range(probs.shape[0]):
        frame = probs[t]
        candidates = np.flatnonzero(frame > prune)
        next_beams: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for prefix, (p_b, p_nb) in beams.items():
            total = p_b + p_nb
            for k in candidates:
                p = float(frame[k])
                if k == 0:
                    next_beams[prefix][0] += total * p
                    continue
                extended = (*prefix, int(k))
                if prefix and prefix[-1] == k:
                    next_beams[extended][1] += p_b * p  # a repeat needs a blank in between
                    next_beams[prefix][1] += p_nb * p
                else:
                    next_beams[extended][1] += total * p
        ranked = sorted(next_beams.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)[:beam]
        norm = sum(v[0] + v[1] for _, v in ranked) or 1.0
        beams = {k: (v[0] / norm, v[1] / norm) for k, v in ranked}
    best = max(beams.items(), key=lambda kv: kv[1][0] + kv[1][1])[0]
    greedy = greedy_decode(probs, charset)
    text = "".join(charset[k - 1] for k in best)
    if text == greedy.text:
        return greedy
    # per-character probability and place: the best frame for that class, in order, within the path
    char_probs, positions, t0 = [], [], 0
    for k in best:
        window = probs[t0:, k]
        t = t0 + int(window.argmax()) if len(window) else t0
        char_probs.append(float(probs[t, k]) if t < len(probs) else 0.0)
        positions.append((min(t, len(probs) - 1) + 0.5) / max(len(probs), 1))
        t0 = min(t + 1, len(probs))
    return Decoded(text, char_probs, _word_score(char_probs, float(probs[:, 0].mean())), positions)


def string_log_likelihoods(log_probs: np.ndarray, texts: list[str], charset: str) -> np.ndarray:
    """log P(text | image) under CTC (every alignment summed) for each of ``texts``: how well the
    image supports a reading other than the one decoded. The empty text is every frame blank;
    characters outside the charset make -inf."""
    index = ctc_index(charset)
    out = np.array([float(log_probs[:, 0].sum()) if not t else -np.inf for t in texts])
    keep = [i for i, t in enumerate(texts) if t and all(ch in index for ch in t)]
    if not keep:
        return out
    steps = log_probs.shape[0]
    lp = torch.from_numpy(np.ascontiguousarray(log_probs, dtype=np.float32))[:, None].expand(-1, len(keep), -1)
    targets = torch.tensor([index[ch] for i in keep for ch in texts[i]], dtype=torch.long)
    lengths = torch.tensor([len(texts[i]) for i in keep], dtype=torch.long)
    nll = torch.nn.functional.ctc_loss(
        lp, targets, torch.full((len(keep),), steps, dtype=torch.long), lengths, reduction="none", zero_infinity=False
    )
    out[keep] = -nll.numpy()
    return out


def align(probs: np.ndarray, text: str, charset: str) -> Decoded:
    """Force ``text`` onto the frames (best CTC path, Viterbi) to get its per-character
    probabilities and places, as ``greedy_decode`` gives them for the decoded text."""
    index = ctc_index(charset)
    labels = [0]
    for ch in text:
        labels += [index[ch], 0]
    states, steps = len(labels), probs.shape[0]
    label_arr = np.asarray(labels)
    emit = np.log(np.clip(probs[:, label_arr], 1e-12, 1.0))  # (T, S)
    skip_ok = np.zeros(states, bool)  # a character may follow the previous one without a blank
    skip_ok[3::2] = label_arr[3::2] != label_arr[1:-2:2]
    score = np.full(states, -np.inf)
    score[:2] = emit[0, :2]
    back = np.zeros((steps, states), np.int64)
    for t in range(1, steps):
        stay = score
        step = np.concatenate([[-np.inf], score[:-1]])
        jump = np.where(skip_ok, np.concatenate([[-np.inf, -np.inf], score[:-2]]), -np.inf)
        options = np.stack([stay, step, jump])
        best = options.argmax(0)
        back[t] = np.arange(states) - best
        score = options[best, np.arange(states)] + emit[t]
    state = states - 1 if states == 1 or score[-1] >= score[-2] else states - 2
    path = np.empty(steps, np.int64)
    for t in range(steps - 1, -1, -1):
        path[t] = state
        state = back[t, state]
    char_probs, positions = [], []
    for k in range(len(text)):
        frames = np.flatnonzero(path == 2 * k + 1)
        if len(frames) == 0:  # the text is longer than the frames allow
            char_probs.append(0.0)
            positions.append(k / max(len(text), 1))
            continue
        char_probs.append(float(probs[frames, labels[2 * k + 1]].max()))
        positions.append(float((frames[0] + 0.5) / max(steps, 1)))
    blank = float(probs[:, 0].mean()) if steps else 0.0
    return Decoded(text, char_probs, _word_score(char_probs, blank), positions)
