"""`ocrnet train rec`: CRNN + CTC on synthetic crops (pre-rendered and on the fly), real crops and
your own (``--own``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ocrnet.charset import DEFAULT_CHARSET, ctc_index
from ocrnet.data.crops import own_crops, real_crops, synthetic_crop_validation, synthetic_crops
from ocrnet.data.own import OwnSet, load_own
from ocrnet.data.synth import generate_crop
from ocrnet.data.transforms import crop_geometry, photometric, rec_batch, rec_width
from ocrnet.eval.metrics import character_error_rate, one_minus_ned, word_accuracy
from ocrnet.io import ImageLoadError, load_image
from ocrnet.models.checkpoint import read_checkpoint
from ocrnet.models.guide import AttentionGuide
from ocrnet.models.recognizer import CRNN, CRNNConfig
from ocrnet.predict.recognition import Recognizer
from ocrnet.train.common import RunConfig, TrainingRun, autocast, by_source
from ocrnet.types import CropSample


@dataclass
class RecTrainConfig(RunConfig):
    """Everything ``ocrnet train rec`` takes: the shared run settings with the reader's defaults,
    and the reader's own."""

    add_chars: str = ""  # characters your labels need beyond the charset (their outputs start fresh)
    steps: int = 30000
    batch: int = 64
    lr: float = 1e-3
    real_share: float = 0.35
    fresh_share: float = 0.1  # crops rendered during training, beyond the pre-rendered pool
    val_every: int = 1000
    val_synth: int = 500  # synthetic validation crops (seed 999)
    max_width: int = 384  # widest crop at height 32; a reader of height 48 takes 1.5 times as many columns
    # CRNN size (first convolution's channels, BiLSTM hidden size, input columns per CTC frame: 4 or
    # 2, residual blocks per deep stage, input height: 32 or 48); None: as the run being resumed or
    # the --init weights, else CRNNConfig's defaults
    width: int | None = None
    hidden: int | None = None
    stride: int | None = None
    blocks: int | None = None
    height: int | None = None
    guide: float = 0.0  # weight of the attention decoder's loss guiding the features (0: CTC alone)


class CropSampler:
    """Draws training crops: your own or real ones (augmented), pre-rendered synthetic, or freshly
    rendered."""

    def __init__(
        self, cfg: RecTrainConfig, rank: int, charset: str = DEFAULT_CHARSET, own: list[OwnSet] | None = None
    ) -> None:
        """``own``: your sets, loaded once by the caller (by default read from ``cfg.own_dirs``)."""
        self.cfg = cfg
        self.rng = np.random.default_rng((cfg.seed, rank, int(time.time())))
        self.synth = [c for folder in cfg.synth_dirs for c in synthetic_crops(folder)]
        self.real_by_source = by_source(real_crops(cfg.data_root, "train") if cfg.data_root else [], lambda c: c.source)
        own = load_own(cfg.own_dirs) if own is None else own
        self.own_by_set = by_source(own_crops(own, "train", charset), lambda c: c.source)
        self.fresh_seed = int(self.rng.integers(1 << 30))
        self.pool: list[tuple[np.ndarray, str]] = []

    def one(self) -> tuple[np.ndarray, str]:
        """One crop and its text: one of yours or a real one, augmented; a pre-rendered synthetic one;
        or one rendered now."""
        if self.own_by_set and self.rng.random() < self.cfg.own_share:
            return self._augmented(self.own_by_set)
        roll = self.rng.random()
        if self.real_by_source and roll < self.cfg.real_share:
            return self._augmented(self.real_by_source)
        if self.synth and roll < 1.0 - self.cfg.fresh_share:
            crop = self.synth[self.rng.integers(len(self.synth))]
            try:
                return load_image(crop.image_path), crop.text
            except ImageLoadError:
                pass
        self.fresh_seed += 1
        return generate_crop((self.cfg.seed, 77, self.fresh_seed))

    def _augmented(self, groups: list[list[CropSample]]) -> tuple[np.ndarray, str]:
        """A crop of a set drawn at random (each set an equal chance), cut and lit anew."""
        group = groups[self.rng.integers(len(groups))]
        crop = group[self.rng.integers(len(group))]
        return photometric(self.rng, crop_geometry(self.rng, crop.image), blur_strength=0.6), crop.text

    def batch(self) -> tuple[list[np.ndarray], list[str]]:
        """Crops of about one width, so that a batch carries little padding.

        Each call draws one batch's worth into a pool four batches deep, sorts the pool by width
        and takes out one contiguous run; what is left waits for a later batch, so every crop drawn
        is trained on once and each kind of crop keeps its share. (Drawing four batches and keeping
        a random run, as before, trained the widest and narrowest crops of each draw less: crops
        300 px wide or more, the longest lines, at a sixth of their share.)"""
        depth = self.cfg.batch * 4 if self.cfg.batch >= 8 else self.cfg.batch
        self.pool.extend(self.one() for _ in range(depth - len(self.pool)))
        self.pool.sort(key=lambda item: rec_width(item[0].shape[0], item[0].shape[1], 32, self.cfg.max_width))
        start = int(self.rng.integers(0, len(self.pool) - self.cfg.batch + 1))
        chosen = self.pool[start : start + self.cfg.batch]
        del self.pool[start : start + self.cfg.batch]
        return [c[0] for c in chosen], [c[1] for c in chosen]


def label_indices(texts: list[str], charset: str) -> list[list[int]]:
    """Each text as CTC class indices (from 1); characters outside the charset are left out."""
    index = ctc_index(charset)
    return [[index[ch] for ch in text if ch in index] for text in texts]


def ctc_targets(labels: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """CTC's concatenated targets and their lengths."""
    targets = [i for label in labels for i in label]
    return torch.tensor(targets, dtype=torch.long), torch.tensor([len(label) for label in labels], dtype=torch.long)


def validation_sets(
    cfg: RecTrainConfig, charset: str = DEFAULT_CHARSET, own: list[OwnSet] | None = None
) -> dict[str, list[CropSample]]:
    """Held-out real crops and your own (``own``) by set, and the fixed synthetic validation crops."""
    sets: dict[str, list[CropSample]] = {}
    held_out = real_crops(cfg.data_root, "val") if cfg.data_root else []
    held_out += own_crops(own or [], "val", charset)
    for crop in held_out:
        sets.setdefault(crop.source, []).append(crop)
    sets["synth"] = synthetic_crop_validation(cfg.val_synth)
    return sets


def evaluate(model: CRNN, sets: dict[str, list[CropSample]]) -> dict[str, float]:
    """Accuracy (36-class and case-sensitive), 1-NED and CER per set, read as deployed but without retries."""
    recognizer = Recognizer(model.eval(), backend="torch")
    out: dict[str, float] = {}
    real_acc = []
    for name, crops in sets.items():
        readings = recognizer([c.image for c in crops], retry=False)
        preds, gts = [r.text for r in readings], [c.text for c in crops]
        out[f"acc_{name}"] = word_accuracy(preds, gts)
        out[f"acc_cs_{name}"] = word_accuracy(preds, gts, case_sensitive=True)
        out[f"ned_{name}"] = one_minus_ned(preds, gts)
        out[f"cer_{name}"] = character_error_rate(preds, gts)
        if name != "synth":
            real_acc.append(out[f"acc_{name}"])
    out["acc_real_mean"] = float(np.mean(real_acc)) if real_acc else out["acc_synth"]
    model.train()
    return out


def model_settings(cfg: RecTrainConfig) -> dict:
    """The CRNN's config: the sizes ``cfg`` gives, the rest as the run being resumed or the
    ``--init`` weights were built (so fine-tuning the shipped reader needs no sizes), else defaults;
    ``add_chars`` appended to the charset (so every earlier class keeps its index)."""
    last = cfg.out / "last.pt"
    start = last if cfg.resume and last.is_file() else cfg.init
    settings = dict(read_checkpoint(start)["config"]) if start is not None else {}  # else CRNNConfig's own
    given = {"width": cfg.width, "hidden": cfg.hidden, "stride": cfg.stride, "blocks": cfg.blocks, "height": cfg.height}
    settings |= {k: v for k, v in given.items() if v is not None}
    charset = settings.get("charset", DEFAULT_CHARSET)
    settings["charset"] = charset + "".join(dict.fromkeys(ch for ch in cfg.add_chars if ch not in charset))
    return settings


def train_recognizer(cfg: RecTrainConfig) -> Path:
    """Train (or resume) the CRNN as ``cfg`` says; returns the best fp16 checkpoint."""
    model_cfg = CRNNConfig(**model_settings(cfg))
    model = CRNN(model_cfg)
    guide = AttentionGuide(model.feature_channels, model_cfg.num_classes) if cfg.guide > 0 else None
    run = TrainingRun(model, model_cfg, cfg, warmup=1000, title="recogniser", companion=guide)
    own = load_own(cfg.own_dirs)
    sampler = CropSampler(cfg, run.rank, model_cfg.charset, own)
    real_count, own_count = (sum(len(g) for g in groups) for groups in (sampler.real_by_source, sampler.own_by_set))
    print(f"training crops: {len(sampler.synth)} synthetic, {real_count} real, {own_count} of your own")
    val_sets = validation_sets(cfg, model_cfg.charset, own) if run.main else {}
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    height, max_width = model_cfg.height, cfg.max_width * model_cfg.height // 32
    while not run.done:
        images, texts = sampler.batch()
        x = run.images_in(rec_batch(images, height, max_width))
        labels = label_indices(texts, model_cfg.charset)
        targets, target_lengths = ctc_targets(labels)
        input_lengths = torch.tensor(
            [model.frames(rec_width(im.shape[0], im.shape[1], height, max_width)) for im in images]
        )
        with autocast(run.device, cfg.amp):
            out = run.model(x)
            if run.companion is not None:
                previous, guide_targets = guide.teacher_forcing(labels)
                guide_logits = run.companion(out["features"], input_lengths, previous.to(run.device))
        losses = {"ctc": ctc(out["logits"].float().log_softmax(2), targets, input_lengths, target_lengths)}
        if run.companion is not None:
            losses["guide"] = cfg.guide * nn.functional.cross_entropy(
                guide_logits.float().flatten(0, 1), guide_targets.to(run.device).flatten(), ignore_index=-100
            )
        run.update(losses, 50)
        if run.due(cfg.val_every):
            run.validate(lambda model: evaluate(model, val_sets), lambda scores: scores["acc_real_mean"])
    return run.finish()
