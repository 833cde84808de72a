"""A few steps of each training loop: they run, log, checkpoint and resume."""

import json
import os
import signal

import numpy as np
import pytest
import torch

from ocrnet.data.synth.writer import write_dataset
from ocrnet.models.checkpoint import read_checkpoint
from ocrnet.train import common
from ocrnet.train.rec import CropSampler, RecTrainConfig, train_recognizer
from ocrnet.train.seg import SegTrainConfig, train_segmenter


def _log(folder):
    return [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]


def test_recognizer_loop_checkpoints_and_resumes(tmp_path):
    write_dataset(["crop"], 16, tmp_path / "crops")
    cfg = RecTrainConfig(
        out=tmp_path / "run", synth_dirs=[tmp_path / "crops"], steps=2, batch=4, val_every=2, val_synth=8, threads=1
    )
    best = train_recognizer(cfg)
    assert read_checkpoint(best)["extra"]["step"] == 2
    assert (tmp_path / "run" / "curves.png").is_file()
    cfg.steps = 3
    train_recognizer(cfg)
    steps = [r["step"] for r in _log(tmp_path / "run") if r["kind"] == "val"]
    assert steps == [2, 3]  # resumed at 2, not from scratch


def test_a_run_killed_between_validations_saves_its_state_and_resumes_there(tmp_path, monkeypatch, capsys):
    write_dataset(["crop"], 16, tmp_path / "crops")
    cfg = RecTrainConfig(
        out=tmp_path / "run", synth_dirs=[tmp_path / "crops"], steps=5, batch=4, val_every=100, val_synth=8, threads=1
    )
    handler_before = signal.getsignal(signal.SIGTERM)
    update = common.TrainingRun.update

    def update_then_kill(run, losses, log_every):
        if run.step == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives mid-step, as a kill would
        update(run, losses, log_every)

    monkeypatch.setattr(common.TrainingRun, "update", update_then_kill)
    with pytest.raises(SystemExit) as stopped:
        train_recognizer(cfg)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=False)["step"] == 3  # no validation came before
    assert signal.getsignal(signal.SIGTERM) is handler_before
    monkeypatch.setattr(common.TrainingRun, "update", update)
    train_recognizer(cfg)
    assert "resumed from" in capsys.readouterr().out.split("stopped at step 3")[1]
    assert [r["step"] for r in _log(tmp_path / "run") if r["kind"] == "val"] == [5]
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=False)["step"] == 5


def test_crop_sampler_uses_every_crop_once_in_batches_of_like_width(tmp_path, monkeypatch):
    sampler = CropSampler(RecTrainConfig(out=tmp_path, batch=8), rank=0)
    rng = np.random.default_rng(0)
    drawn = []

    def one():
        drawn.append(f"crop{len(drawn)}")
        return np.zeros((32, int(rng.integers(16, 400)), 3), np.uint8), drawn[-1]

    monkeypatch.setattr(sampler, "one", one)
    batches = [sampler.batch() for _ in range(50)]
    used = [text for _, texts in batches for text in texts]
    assert len(used) == len(set(used)) == 400  # nothing trained on twice
    assert len(drawn) == 400 + len(sampler.pool) and len(sampler.pool) == 24  # the rest waits in the pool
    spreads = [max(im.shape[1] for im in images) - min(im.shape[1] for im in images) for images, _ in batches]
    assert np.median(spreads) < 150  # a random batch of these widths would spread over about 300


def test_guided_recognizer_keeps_the_guide_out_of_its_weights(tmp_path):
    write_dataset(["crop"], 16, tmp_path / "crops")
    cfg = RecTrainConfig(
        out=tmp_path / "run", synth_dirs=[tmp_path / "crops"], steps=2, batch=4, val_every=2, val_synth=8, threads=1
    )
    cfg.guide = 1.0
    best = train_recognizer(cfg)
    assert not any("decoder" in key for key in read_checkpoint(best)["state_dict"])  # inference weights: CRNN only
    assert torch.load(tmp_path / "run" / "last.pt", weights_only=False)["companion"]  # the guide resumes too
    cfg.steps = 3
    train_recognizer(cfg)
    assert [r["step"] for r in _log(tmp_path / "run") if r["kind"] == "val"] == [2, 3]
    cfg.guide, cfg.steps = 0.0, 4
    with pytest.raises(ValueError, match="companion"):
        train_recognizer(cfg)  # a guided run resumed without its guide would lose it silently


def _tiny_seg_config(tmp_path, steps: int, **overrides) -> SegTrainConfig:
    """A segmentation run small enough for a test, validating once, at its last step."""
    return SegTrainConfig(
        out=tmp_path / "run",
        synth_dirs=[tmp_path / "scenes"],
        steps=steps,
        batch=2,
        size=64,
        val_every=steps,
        threads=1,
        **overrides,
    )


@pytest.mark.parametrize("native", [True, False])
def test_cpu_training_uses_bf16_only_where_the_cpu_computes_in_it(monkeypatch, native):
    monkeypatch.setattr(common, "native_bf16", lambda: native)
    layer = torch.nn.Linear(4, 4)
    with common.autocast(torch.device("cpu")):
        dtype = layer(torch.ones(1, 4)).dtype
    assert dtype == (torch.bfloat16 if native else torch.float32)
    with common.autocast(torch.device("cpu"), enabled=False):
        assert layer(torch.ones(1, 4)).dtype == torch.float32


def test_segmenter_loop_runs(tmp_path):
    write_dataset(["sign", "document"], 2, tmp_path / "scenes", size=128)
    cfg = _tiny_seg_config(tmp_path, steps=2, val_images=2)
    best = train_segmenter(cfg)
    scores = read_checkpoint(best)["extra"]["scores"]
    assert {"stroke_iou", "det_hmean"} <= set(scores)
    assert [r["step"] for r in _log(tmp_path / "run") if r["kind"] == "val"] == [2]


def test_init_from_weights_when_nothing_to_resume_and_growing_them_by_residual_blocks(tmp_path):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig

    model_cfg = CRNNConfig()
    start = CRNN(model_cfg)
    export_weights(start, model_cfg, tmp_path / "start.pt")
    cfg = RecTrainConfig(
        out=tmp_path / "run", steps=1, batch=2, val_every=1, val_synth=4, threads=1, lr=1e-9, init=tmp_path / "start.pt"
    )
    cfg.blocks = 1
    checkpoint = read_checkpoint(train_recognizer(cfg))
    trained = checkpoint["state_dict"]
    key = "classifier.weight"
    assert (trained[key].float() - start.state_dict()[key].half().float()).abs().max() < 1e-3
    assert checkpoint["config"]["blocks"] == 1 and "deep.8.0.conv1.0.weight" in trained


def test_training_one_submodule_leaves_the_rest_exactly_as_it_was(tmp_path):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.segnet import TextSegNet, TextSegNetConfig

    write_dataset(["document"], 2, tmp_path / "scenes", size=128)
    small = {"backbone": "resnet10", "base_width": 16, "fpn_channels": 32, "key_channels": 16, "skip_channels": 8}
    start = TextSegNet(TextSegNetConfig(**small))
    export_weights(start, start.config, tmp_path / "start.pt")
    cfg = _tiny_seg_config(
        tmp_path, steps=3, val_images=1, init=tmp_path / "start.pt", refine_channels=8, train_only=["stroke_refiner"]
    )
    trained = read_checkpoint(train_segmenter(cfg))["state_dict"]
    before = {k: v.half() if v.is_floating_point() else v for k, v in start.state_dict().items()}
    assert all(torch.equal(trained[k], v) for k, v in before.items())  # weights and BN statistics
    assert any(trained[k].abs().sum() > 0 for k in trained if k.startswith("stroke_refiner.body.2"))


def test_smeared_crops_keep_their_words_and_drop_their_strokes(tmp_path):
    from ocrnet.train.seg import SceneSampler

    write_dataset(["sign", "document"], 4, tmp_path / "scenes", size=128)
    for share, strokes_taught in ((1.0, False), (0.0, True)):
        sampler = SceneSampler(_tiny_seg_config(tmp_path, steps=1, smear_share=share), rank=0)
        sampler.rng = np.random.default_rng(0)  # the loop seeds by the clock; about 1 draw in 25 holds no word
        with_words = [c for c in (sampler.one() for _ in range(12)) if c["region"].sum() > 0]
        assert with_words  # a smeared word is still text
        assert all((c["stroke_mask"].sum() > 0) == strokes_taught for c in with_words)


def test_stroke_targets_hold_the_share_of_ink_at_glyph_edges(tmp_path):
    """Sampled as the image is, a warped glyph edge gets fractional ink, never a jagged 0/1 edge."""
    from ocrnet.train.seg import SceneSampler

    write_dataset(["sign", "document"], 4, tmp_path / "scenes", size=128)
    sampler = SceneSampler(_tiny_seg_config(tmp_path, steps=1, smear_share=0.0), rank=0)
    targets = np.concatenate([c["stroke"].ravel() for c in (sampler.one() for _ in range(8))])
    assert targets.min() >= 0.0 and targets.max() <= 1.0
    edges = ((targets > 0.05) & (targets < 0.95)).sum()
    assert edges > 0.1 * (targets >= 0.95).sum()


def _icdar2015_folder(folder, count: int) -> None:
    """Rendered signs written as an ICDAR 2015 set: what a user's own labelled photos look like."""
    from ocrnet.data.synth import generate
    from ocrnet.io import save_image

    (folder / "gt").mkdir(parents=True)
    for i in range(1, count + 1):
        sample = generate("sign", (5, i), size=(128, 128))
        save_image(folder / "images" / f"img_{i}.png", sample.image)
        lines = [",".join(str(int(round(v))) for v in w.points.ravel()) + f",{w.text}" for w in sample.words]
        (folder / "gt" / f"gt_img_{i}.txt").write_text("\n".join(lines) + "\n")


def test_own_crops_train_the_reader_and_are_reported_apart(tmp_path):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig

    write_dataset(["crop"], 12, tmp_path / "mine")  # labels.tsv and crops: a user's own crop set
    small = CRNNConfig(width=8, hidden=16)
    export_weights(CRNN(small), small, tmp_path / "start.pt")
    cfg = RecTrainConfig(
        out=tmp_path / "run", own_dirs=[tmp_path / "mine"], steps=2, batch=4, val_every=2, val_synth=4, threads=1
    )
    cfg.init, cfg.fresh_share = tmp_path / "start.pt", 0.0
    sampler = CropSampler(cfg, rank=0)
    assert [len(group) for group in sampler.own_by_set] == [10]  # items 0 and 10 held out
    checkpoint = read_checkpoint(train_recognizer(cfg))
    assert checkpoint["config"]["width"] == 8 and checkpoint["config"]["hidden"] == 16  # sizes from --init
    assert checkpoint["config"]["blocks"] == 0
    scores = checkpoint["extra"]["scores"]
    assert {"acc_own_mine", "acc_synth"} <= set(scores)
    assert scores["acc_real_mean"] == scores["acc_own_mine"]  # the best checkpoint is chosen on yours


def test_own_images_train_the_segmenter_and_crop_sets_are_refused(tmp_path):
    _icdar2015_folder(tmp_path / "photos", 2)
    write_dataset(["sign"], 2, tmp_path / "scenes", size=128)
    cfg = _tiny_seg_config(tmp_path, steps=1, val_images=1, own_dirs=[tmp_path / "photos"])
    scores = read_checkpoint(train_segmenter(cfg))["extra"]["scores"]
    assert "det_hmean_own_photos" in scores and 0.0 <= scores["det_hmean_own_photos"] <= 1.0
    write_dataset(["crop"], 2, tmp_path / "crops")
    with pytest.raises(ValueError, match="a set of crops"):
        train_segmenter(_tiny_seg_config(tmp_path, steps=1, own_dirs=[tmp_path / "crops"]))


def test_calibration_fits_on_your_own_held_out_crops(tmp_path, monkeypatch):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig
    from ocrnet.train import calibrate

    write_dataset(["crop"], 21, tmp_path / "mine")  # items 0, 10 and 20 held out
    small = CRNNConfig(width=8, hidden=16)
    export_weights(CRNN(small), small, tmp_path / "rec.pt")
    fitted_on = []
    real_fit = calibrate.fit_platt
    monkeypatch.setattr(calibrate, "fit_platt", lambda raw, *args: fitted_on.append(len(raw)) or real_fit(raw, *args))
    calibrate.calibrate_checkpoint(tmp_path / "rec.pt", None, tmp_path / "cal.pt", synthetic=4, own=[tmp_path / "mine"])
    assert fitted_on == [7, 7]  # 3 of yours + 4 synthetic, single readings then as read with retries
    assert len(read_checkpoint(tmp_path / "cal.pt")["extra"]["calibration"]) == 3


def test_add_chars_grows_the_charset_keeping_every_earlier_class(tmp_path, capsys):
    from ocrnet.models.checkpoint import export_weights
    from ocrnet.models.recognizer import CRNN, CRNNConfig

    write_dataset(["crop"], 11, tmp_path / "mine")
    labels = tmp_path / "mine" / "labels.tsv"
    rows = labels.read_text().splitlines()
    labels.write_text("\n".join(f"{r.split(chr(9))[0]}\tGrüße{i}" for i, r in enumerate(rows)) + "\n")
    small = CRNNConfig(width=8, hidden=16)
    start = CRNN(small)
    export_weights(start, small, tmp_path / "start.pt")
    cfg = RecTrainConfig(
        out=tmp_path / "plain", own_dirs=[tmp_path / "mine"], steps=1, batch=2, val_every=1, val_synth=2, threads=1
    )
    cfg.init = tmp_path / "start.pt"
    assert CropSampler(cfg, rank=0).own_by_set == []  # every label needs ü and ß
    assert "9 of 9 train labels hold characters the reader lacks ('ßü')" in capsys.readouterr().out
    cfg.out, cfg.add_chars, cfg.lr = tmp_path / "grown", "üßü", 1e-9
    checkpoint = read_checkpoint(train_recognizer(cfg))
    assert checkpoint["config"]["charset"] == small.charset + "üß"  # appended: earlier indices unchanged
    grown, before = checkpoint["state_dict"]["classifier.weight"].float(), start.state_dict()["classifier.weight"]
    assert grown.shape[0] == before.shape[0] + 2
    assert (grown[: before.shape[0]] - before.half().float()).abs().max() < 1e-3


@pytest.mark.parametrize(("command", "config_class"), [("train_rec", RecTrainConfig), ("train_seg", SegTrainConfig)])
def test_every_train_option_reaches_the_config(command, config_class, tmp_path):
    import dataclasses
    import inspect

    from ocrnet import cli

    options = {name: None for name in inspect.signature(getattr(cli, command)).parameters}
    options |= {"out": tmp_path, "synth": [tmp_path / "a"], "own": [], "steps": 7, "threads": None}
    cfg = cli._run_config(config_class, options)  # a command option the config lacks raises TypeError here
    assert (cfg.out, cfg.synth_dirs, cfg.own_dirs, cfg.steps) == (tmp_path, [tmp_path / "a"], [], 7)
    defaults = config_class(out=tmp_path)
    untouched = {f.name for f in dataclasses.fields(config_class)} - {"out", "synth_dirs", "own_dirs", "steps"}
    assert all(getattr(cfg, name) == getattr(defaults, name) for name in untouched)  # unset: the default
