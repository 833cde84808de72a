"""`ocrnet train seg`: TextSegNet on pre-rendered synthetic scenes and the real sets with boxes.

Losses (DESIGN.md): stroke BCE + Dice; DB region BCE with 3:1 hard-negative mining, Dice on the
approximate binary map and L1 on the threshold map (weights 1, 1, 10 as in DBNet); class
cross-entropy; OCRNet's auxiliary soft-region cross-entropy at weight 0.4. Every term has a
mask, so partly labelled images (a plate scene labels only its plate) teach only what they know.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ocrnet.data.formats import load_dataset
from ocrnet.data.formats.funsd import load_funsd_classes
from ocrnet.data.formats.plates import partial_label_mask
from ocrnet.data.formats.receipts import split_line_into_words
from ocrnet.data.own import OwnSet, load_own
from ocrnet.data.splits import TRAIN, VAL, scene_split
from ocrnet.data.synth import KINDS, generate
from ocrnet.data.synth.effects import motion_blur
from ocrnet.data.transforms import normalize, photometric
from ocrnet.eval.metrics import MaskMeter, care_mask, evaluate_detection
from ocrnet.io import ImageLoadError, load_image, read_jsonl
from ocrnet.models.checkpoint import read_checkpoint
from ocrnet.models.segnet import TextSegNet, TextSegNetConfig
from ocrnet.predict.segmentation import Segmenter
from ocrnet.train.common import RunConfig, TrainingRun, autocast, by_source, freeze_all_but, frozen_in_eval
from ocrnet.train.targets import make_targets
from ocrnet.types import CLASS_ID, IGNORE_INDEX, Annotation, Word

AUX_WEIGHT = 0.4
#: Share of training crops smeared as in ICDAR 2015's dev copy (a motion blur of 0.5-2.5 text
#: heights, mostly along the line). Their words stay text, since a reader still sees where the
#: text is, but their stroke target is dropped: where each glyph's ink was is no longer in the
#: pixels. Alone it moved the ICDAR 2015 copy little (detection H 0.009 -> 0.016): the domain,
#: street photos, mattered more, hence the copy's odd half among the real images (splits.py).
SMEAR_SHARE = 0.3
#: Smear length in units of the crop's median word height, drawn log-uniform.
SMEAR_PER_HEIGHT = (0.5, 2.5)


@dataclass
class SegTrainConfig(RunConfig):
    """Everything ``ocrnet train seg`` takes: the shared run settings (their defaults are the
    segmenter's) and the segmenter's own."""

    skip_channels: int = 16  # TextSegNet's half-resolution stroke branch (0: off)
    refine_channels: int = 16  # TextSegNet's full-resolution stroke refiner (0: off)
    refine_context: int = 0  # window of the refiner's local ink and paper colours (0: off)
    # train only the parameters under these module names (e.g. "stroke_refiner"), the rest frozen
    train_only: list[str] = field(default_factory=list)
    size: int = 320
    smear_share: float = SMEAR_SHARE
    val_images: int = 100


@dataclass
class Item:
    """A training image with whatever labels it has; arrays are loaded lazily."""

    annotation: Annotation
    stroke_path: str | None = None
    class_path: str | None = None
    has_words: bool = True


def synthetic_items(folder: Path) -> list[Item]:
    """Training items of a folder written by ``ocrnet synth`` (images, stroke masks, class maps)."""
    items = []
    for record in read_jsonl(folder / "annotations.jsonl"):
        ann = Annotation.from_dict(record)
        ann.image_path = str(folder / record["image"])
        items.append(Item(ann, str(folder / record["stroke_mask"]), str(folder / record["class_map"])))
    return items


def scene_items(annotations: list[Annotation], fmt: str) -> list[Item]:
    """Training items of one real set: a receipt's line boxes split into words (the detector finds
    words), a FUNSD form's class mask taken without words."""
    if fmt == "funsd":
        return [Item(a, class_path=a.class_map_path, has_words=False) for a in annotations]
    if fmt == "sroie":
        for ann in annotations:
            ann.words = [w for line in ann.words for w in split_line_into_words(line)]
    return [Item(a) for a in annotations]


def real_items(root: Path) -> list[Item]:
    """Training items of the real sets under ``root`` that have boxes, each image's held-out split left out."""
    items: list[Item] = []
    for rel, fmt in (
        ("icdar2013_born_digital", "icdar2013"),
        ("icdar2015_dev", "icdar2015"),
        ("plates_us/scenes", "plates"),
        ("sroie_dev", "sroie"),
    ):
        if (root / rel).is_dir():
            train = [a for i, a in enumerate(load_dataset(root / rel, fmt)) if scene_split(a, i) == TRAIN]
            items += scene_items(train, fmt)
    if (root / "funsd_layout_masks").is_dir():
        items += scene_items(load_dataset(root / "funsd_layout_masks", "funsd"), "funsd")
    return items


def own_scene_sets(folders: list[Path]) -> list[OwnSet]:
    """Your own sets (``--own``); a set of crops cannot teach where text lies, so it is refused."""
    sets = load_own(folders)
    for own in sets:
        if own.crops:
            raise ValueError(f"{own.name}: a set of crops ({own.fmt}) has no images to segment; it trains `rec`")
    return sets


def _read_gray(path: str) -> np.ndarray:
    array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if array is None:
        raise ImageLoadError(f"{path}: unreadable mask")
    return array


class SceneSampler:
    """Random scale + crop to ``size`` (biased towards text), photometric degradation, targets."""

    def __init__(self, cfg: SegTrainConfig, rank: int, own: list[OwnSet] | None = None) -> None:
        """``own``: your sets, loaded once by the caller (by default read from ``cfg.own_dirs``)."""
        self.cfg = cfg
        self.rng = np.random.default_rng((cfg.seed, rank, int(time.time())))
        self.synth = [i for folder in cfg.synth_dirs for i in synthetic_items(folder)]
        self.real = real_items(cfg.data_root) if cfg.data_root else []
        self.real_by_source = by_source(self.real, lambda item: item.annotation.source)
        own = own_scene_sets(cfg.own_dirs) if own is None else own
        self.own_by_set = [items for items in (scene_items(s.split(TRAIN), s.fmt) for s in own) if items]

    def _load(self, item: Item) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        ann = item.annotation
        image = load_image(ann.image_path)
        stroke = (_read_gray(item.stroke_path) > 127).astype(np.uint8) if item.stroke_path else None
        if item.class_path and ann.source == "funsd":
            classes = load_funsd_classes(item.class_path)
        elif item.class_path:
            classes = _read_gray(item.class_path)
        else:
            classes = None
        labelled = None
        if ann.level == "plate":
            labelled = partial_label_mask(ann)
            classes = np.where(labelled, CLASS_ID["background"], IGNORE_INDEX).astype(np.uint8)
            for word in ann.words:
                cv2.fillPoly(classes, [np.round(word.points).astype(np.int32)], CLASS_ID["plate"])
        return image, stroke, classes, labelled

    def _smear(self, image: np.ndarray, word_height: float) -> np.ndarray:
        """Camera shake: along the line most of the time, any direction otherwise."""
        low, high = SMEAR_PER_HEIGHT
        length = float(np.clip(word_height * np.exp(self.rng.uniform(np.log(low), np.log(high))), 4, 64))
        angle = self.rng.normal(0, 8) if self.rng.random() < 0.7 else self.rng.uniform(0, 180)
        return motion_blur(image, length, angle)

    def one(self) -> dict[str, np.ndarray]:
        """One augmented training sample with its targets; an unreadable file is skipped for another."""
        only_own = not (self.real or self.synth)
        if self.own_by_set and (only_own or self.rng.random() < self.cfg.own_share):
            use_real, groups = True, self.own_by_set
        else:
            use_real = bool(self.real) and (not self.synth or self.rng.random() < self.cfg.real_share)
            groups = self.real_by_source
        pool = groups[self.rng.integers(len(groups))] if use_real else self.synth
        item = pool[self.rng.integers(len(pool))]
        try:
            image, stroke, classes, labelled = self._load(item)
        except (ImageLoadError, OSError):
            return self.one()
        ann = item.annotation
        size = self.cfg.size
        h, w = image.shape[:2]
        # real images with words: their median text height becomes 8-64 px (log-uniform), whatever
        # the image size (receipts are tall, plates small); real images without words: longer side
        # 400-1100 px; synthetic 640 px scenes: 0.4-2.5x, log-uniform, so that text from 8 to about
        # 190 px tall is seen (large signs in 1280x720 photos included)
        heights = [float(np.linalg.norm(wd.points[3] - wd.points[0])) for wd in ann.words if not wd.ignore]
        if use_real and heights:
            scale = float(np.exp(self.rng.uniform(np.log(8), np.log(64)))) / max(float(np.median(heights)), 1.0)
        elif use_real:
            scale = self.rng.uniform(400, 1100) / max(h, w)
        else:
            scale = float(np.exp(self.rng.uniform(np.log(0.4), np.log(2.5))))
        cw, ch = size / scale, size / scale  # crop size in source pixels
        words = [wd for wd in ann.words if not wd.ignore]
        if words and self.rng.random() < 0.7:
            cx, cy = words[self.rng.integers(len(words))].points.mean(0) + self.rng.uniform(-0.4, 0.4, 2) * [cw, ch]
        else:
            cx, cy = self.rng.uniform(0, w), self.rng.uniform(0, h)
        x0 = float(np.clip(cx - cw / 2, min(0, w - cw), max(0, w - cw)))
        y0 = float(np.clip(cy - ch / 2, min(0, h - ch), max(0, h - ch)))
        matrix = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float32)

        def warp(array: np.ndarray, interp: int, border: float) -> np.ndarray:
            return cv2.warpAffine(
                array, matrix, (size, size), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=border
            )

        inside = warp(np.ones((h, w), np.uint8), cv2.INTER_NEAREST, 0).astype(bool)
        smeared = bool(heights) and self.rng.random() < self.cfg.smear_share
        image_c = warp(image, cv2.INTER_LINEAR, 0)
        if smeared:  # no further blur on top of the smear
            image_c = photometric(self.rng, self._smear(image_c, float(np.median(heights)) * scale), blur_strength=0)
        else:
            image_c = photometric(self.rng, image_c)
        # the stroke mask is sampled exactly as the image is (bilinear), so a warped glyph edge gets the
        # share of ink its pixel holds; nearest sampling moved edges by up to half a scaled pixel
        stroke_c = warp(stroke.astype(np.float32), cv2.INTER_LINEAR, 0) if stroke is not None else None
        classes_c = warp(classes, cv2.INTER_NEAREST, IGNORE_INDEX) if classes is not None else None
        labelled_c = (
            inside if labelled is None else inside & warp(labelled.astype(np.uint8), cv2.INTER_NEAREST, 0).astype(bool)
        )
        moved = [
            Word(polygon=(wd.points * scale - [x0 * scale, y0 * scale]).tolist(), text=wd.text, ignore=wd.ignore)
            for wd in ann.words
        ]
        t = make_targets(moved, size, size, stroke_c, classes_c, labelled_c, has_words=item.has_words)
        stroke_mask = t.stroke_mask * inside * (not smeared)
        return {
            "image": normalize(image_c),
            "region": t.region,
            "region_mask": t.region_mask,
            "thresh": t.thresh,
            "thresh_mask": t.thresh_mask * inside,
            "stroke": t.stroke,
            "stroke_mask": stroke_mask,
            "classes": t.classes,
        }

    def batch(self) -> dict[str, torch.Tensor]:
        """A batch of samples stacked into tensors, one per target."""
        items = [self.one() for _ in range(self.cfg.batch)]
        return {k: torch.from_numpy(np.stack([it[k] for it in items])) for k in items[0]}


# -- losses --------------------------------------------------------------------------------------
def masked_bce_dice(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Stroke loss: BCE for every pixel plus Dice, which keeps thin strokes from drowning in background."""
    prob = torch.sigmoid(logits)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    bce = (bce * mask).sum() / mask.sum().clamp(min=1.0)
    return bce + dice_loss(prob, target, mask)


def dice_loss(prob: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """1 - Dice over the labelled pixels; zero (with a gradient path) where nothing is labelled."""
    inter = (prob * target * mask).sum()
    union = (prob * mask).sum() + (target * mask).sum()
    return 1.0 - 2.0 * inter / union.clamp(min=1e-6) if float(mask.sum()) > 0 else prob.sum() * 0.0


def ohem_bce(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, ratio: float = 3.0) -> torch.Tensor:
    """BCE over all positives and the hardest negatives, at most ``ratio`` per positive (DBNet)."""
    loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    positive = (target * mask) > 0.5
    negative = ((1 - target) * mask) > 0.5
    n_pos = int(positive.sum())
    n_neg = min(int(negative.sum()), int(max(n_pos, 1) * ratio))
    pos_loss = loss[positive].sum()
    neg_loss = torch.topk(loss[negative], n_neg).values.sum() if n_neg > 0 else loss.sum() * 0.0
    return (pos_loss + neg_loss) / max(n_pos + n_neg, 1)


def seg_losses(out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every head's loss by name (the training bar shows each); the auxiliary loss is weighted 0.4."""
    region_mask = batch["region_mask"]
    losses = {
        "stroke": masked_bce_dice(out["stroke"][:, 0].float(), batch["stroke"], batch["stroke_mask"]),
        "region": ohem_bce(out["region"][:, 0].float(), batch["region"], region_mask),
        "binary": dice_loss(out["binary"][:, 0].float(), batch["region"], region_mask),
        "thresh": 10.0
        * ((out["thresh"][:, 0].float() - batch["thresh"]).abs() * batch["thresh_mask"]).sum()
        / batch["thresh_mask"].sum().clamp(min=1.0),
        "classes": F.cross_entropy(out["classes"].float(), batch["classes"], ignore_index=IGNORE_INDEX)
        if bool((batch["classes"] != IGNORE_INDEX).any())
        else out["classes"].sum() * 0.0,
    }
    aux_target = F.interpolate(batch["classes"][:, None].float(), size=out["aux_classes"].shape[-2:], mode="nearest")[
        :, 0
    ].long()
    losses["aux"] = AUX_WEIGHT * (
        F.cross_entropy(out["aux_classes"].float(), aux_target, ignore_index=IGNORE_INDEX)
        if bool((aux_target != IGNORE_INDEX).any())
        else out["aux_classes"].sum() * 0.0
    )
    return losses


# -- validation ----------------------------------------------------------------------------------
#: The synthetic images every reported figure is measured on; nothing is chosen on them.
VALIDATION_SEED = 1000
#: Other synthetic images, for choosing things: checkpoints during training, DB thresholds.
TUNING_SEED = 1001


def synthetic_validation(count: int, size: int = 640, seed: int = VALIDATION_SEED) -> list[Annotation]:
    """A fixed synthetic set, every kind in turn: the validation set, or with ``TUNING_SEED`` the
    set that thresholds and checkpoints are chosen on (so the reported figure stays unbiased)."""
    return [generate(KINDS[i % len(KINDS)], (seed, i), size=(size, size)) for i in range(count)]


def evaluate_segmenter(segmenter: Segmenter, samples: list[Annotation]) -> dict[str, float]:
    """Stroke fgIoU and detection H-mean of a segmenter over validation samples."""
    stroke = MaskMeter()
    gts, dets = [], []
    for sample in samples:
        out = segmenter(sample.image)
        stroke.update(out.stroke > 0.5, sample.stroke_mask > 0, care_mask(sample.words, sample.stroke_mask.shape))
        gts.append(sample.words)
        dets.append([Word(polygon=p.tolist(), text="", score=s) for p, s in out.polygons])
    det = evaluate_detection(gts, dets)
    return {
        "stroke_iou": stroke.iou,
        "stroke_f": stroke.fscore,
        "det_precision": det.precision,
        "det_recall": det.recall,
        "det_hmean": det.hmean,
    }


def own_detection(segmenter: Segmenter, sets: dict[str, list[Annotation]]) -> dict[str, float]:
    """Detection H-mean on each of your own held-out sets, at the size the pipeline reads them."""
    scores = {}
    for name, held_out in sets.items():
        gts, dets = [], []
        for ann in held_out:
            try:
                out = segmenter(load_image(ann.image_path))
            except ImageLoadError:
                continue
            gts.append(ann.words)
            dets.append([Word(polygon=p.tolist(), text="", score=s) for p, s in out.polygons])
        scores[f"det_hmean_{name}"] = evaluate_detection(gts, dets).hmean
    return scores


def train_segmenter(cfg: SegTrainConfig) -> Path:
    """Train (or resume) TextSegNet as ``cfg`` says; returns the best fp16 checkpoint."""
    # a network started from earlier weights keeps their architecture; a stroke branch they lack
    # is added at the configured width and starts fresh
    earlier = read_checkpoint(cfg.init)["config"] if cfg.init is not None else {}
    branches = {
        "skip_channels": cfg.skip_channels,
        "refine_channels": cfg.refine_channels,
        "refine_context": cfg.refine_context,
    }
    model_cfg = TextSegNetConfig(**{**earlier, **{k: earlier.get(k) or v for k, v in branches.items()}})
    model = TextSegNet(model_cfg)
    freeze_all_but(model, cfg.train_only)
    run = TrainingRun(model, model_cfg, cfg, warmup=500, title="TextSegNet")
    own_sets = own_scene_sets(cfg.own_dirs)
    sampler = SceneSampler(cfg, run.rank, own_sets)
    own_count = sum(len(items) for items in sampler.own_by_set)
    print(f"training images: {len(sampler.synth)} synthetic, {len(sampler.real)} real, {own_count} of your own")
    val = synthetic_validation(cfg.val_images, seed=TUNING_SEED) if run.main else []
    # your own held-out images with words (a set without them, such as FUNSD's masks, is not scored)
    own_val = {o.name: [a for a in o.split(VAL) if a.words] for o in own_sets} if run.main else {}
    own_val = {name: held_out for name, held_out in own_val.items() if held_out}

    def validation(model: TextSegNet) -> dict[str, float]:
        scores = evaluate_segmenter(Segmenter(model, max_side=640, backend="torch"), val)
        return scores | own_detection(Segmenter(model, backend="torch"), own_val)

    def selection(scores: dict[str, float]) -> float:
        """Synthetic detection and strokes, plus the mean detection on your own sets where given."""
        own = [v for k, v in scores.items() if k.startswith("det_hmean_own_")]
        return scores["det_hmean"] + scores["stroke_iou"] + (float(np.mean(own)) if own else 0.0)

    while not run.done:
        batch = {k: v.to(run.device) for k, v in sampler.batch().items()}
        frozen_in_eval(run.model, cfg.train_only)
        with autocast(run.device, cfg.amp):
            out = run.model(run.images_in(batch["image"]))
        run.update(seg_losses(out, batch), 25)
        if run.due(cfg.val_every):
            run.validate(validation, selection)
    return run.finish()
