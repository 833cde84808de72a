import numpy as np
import pytest
import torch

from ocrnet.models.checkpoint import export_weights, read_checkpoint
from ocrnet.models.guide import AttentionGuide, GuideConfig
from ocrnet.models.ocr_head import ObjectContextHead
from ocrnet.models.recognizer import CRNN, CRNNConfig, crnn
from ocrnet.models.segnet import TextSegNet, TextSegNetConfig, local_ink_and_paper, textsegnet_resnet18
from ocrnet.predict.recognition import Recognizer
from ocrnet.types import CLASS_NAMES


def tiny_crnn() -> CRNN:
    """A recogniser small enough to build in every test that only needs one to run."""
    return CRNN(CRNNConfig(width=8, hidden=16)).eval()


def tiny_segnet() -> TextSegNet:
    """A segmenter small enough to build in every test that only needs one to run."""
    return TextSegNet(TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=16, key_channels=8)).eval()


def test_segnet_outputs_every_map_at_full_resolution():
    model = TextSegNet(TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=32, key_channels=16))
    model.train()
    out = model(torch.randn(2, 3, 64, 96))
    assert out["stroke"].shape == out["region"].shape == out["thresh"].shape == (2, 1, 64, 96)
    assert out["classes"].shape == (2, len(CLASS_NAMES), 64, 96)
    assert out["aux_classes"].shape == (2, len(CLASS_NAMES), 16, 24)
    thresh = out["thresh"].detach()
    assert "binary" in out and float(thresh.min()) >= 0 and float(thresh.max()) <= 1
    model.eval()
    assert "binary" not in model(torch.randn(1, 3, 32, 32))


def test_fine_skip_branch_keeps_shapes_and_old_checkpoints_load():
    base = TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=32, key_channels=16)
    with_skip = TextSegNet(TextSegNetConfig(**{**base.__dict__, "skip_channels": 8})).eval()
    assert with_skip(torch.randn(1, 3, 64, 64))["stroke"].shape == (1, 1, 64, 64)
    plain = TextSegNet(base)
    assert not any(k.startswith("text_head.fine") for k in plain.state_dict())
    assert set(plain.state_dict()) < set(with_skip.state_dict())


def test_stroke_refiner_starts_as_identity_and_is_optional():
    base = TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=32, key_channels=16, skip_channels=8)
    plain = TextSegNet(base).eval()
    refined = TextSegNet(TextSegNetConfig(**{**base.__dict__, "refine_channels": 8})).eval()
    missing, unexpected = refined.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and missing and all(k.startswith("stroke_refiner.") for k in missing)
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(refined(images)["stroke"], plain(images)["stroke"])  # zero-initialised residual
        torch.nn.init.normal_(refined.stroke_refiner.body[-1].weight)
        assert not torch.allclose(refined(images)["stroke"], plain(images)["stroke"])
        assert torch.equal(refined(images)["region"], plain(images)["region"])  # strokes only


def test_refiner_context_places_an_edge_pixel_by_its_share_of_ink():
    """Dark ink (0) on light paper (1), one column of edge pixels 30% ink: with the true mask as the
    coarse probability, the position channel reads each pixel's ink share."""
    image = torch.ones(1, 3, 24, 24)
    image[..., 8:12] = 0.0
    image[..., 12] = 0.7
    prob = (image[:, :1] < 0.5).float()
    position = local_ink_and_paper(image, prob, 7)[:, -1]
    assert torch.allclose(position[0, :, 12], torch.full((24,), 0.3), atol=0.01)
    assert torch.allclose(position[0, :, 10], torch.ones(24), atol=0.01)
    assert torch.allclose(position[0, :, 14], torch.zeros(24), atol=0.01)
    refined = TextSegNet(TextSegNetConfig(backbone="resnet10", base_width=16, refine_channels=8, refine_context=7))
    assert refined.eval()(torch.randn(1, 3, 64, 64))["stroke"].shape == (1, 1, 64, 64)


def test_ocr_head_pools_regions_over_pixels():
    head = ObjectContextHead(channels=8, num_classes=3, key_channels=4).eval()
    x = torch.randn(1, 8, 5, 7)
    aux = head.aux(x)
    weights = torch.softmax(aux.flatten(2), dim=2)
    # the softmax runs over the 35 pixels of each class map, not over the classes of each pixel
    assert torch.allclose(weights.sum(2), torch.ones(1, 3))
    augmented, aux_out = head(x)
    assert augmented.shape == x.shape and torch.allclose(aux_out, aux)


def test_crnn_sequence_length_is_width_over_stride():
    for stride in (4, 2):
        model = CRNN(CRNNConfig(hidden=32, width=8, stride=stride)).eval()
        logits = model(torch.randn(3, 3, 32, 100))["logits"]
        assert logits.shape == (100 // stride, 3, len(model.config.charset) + 1)
    with pytest.raises(ValueError, match="stride"):
        CRNN(CRNNConfig(stride=3))


def test_a_reader_of_height_48_takes_every_weight_of_one_of_height_32():
    tall = CRNN(CRNNConfig(hidden=16, width=8, height=48)).eval()
    tall.load_state_dict(CRNN(CRNNConfig(hidden=16, width=8)).state_dict())  # strict: the same layers
    logits = tall(torch.randn(2, 3, 48, 96))["logits"]
    assert logits.shape == (96 // 4, 2, len(tall.config.charset) + 1)
    reader = Recognizer(tall, backend="torch", lexicon=None)
    assert (reader.height, reader.max_width) == (48, 768)
    assert len(reader.probabilities([np.zeros((20, 60, 3), np.uint8)])[0]) == 144 // 4  # 60 px at 48 rows
    with pytest.raises(ValueError, match="height"):
        CRNN(CRNNConfig(height=40))


def test_a_reader_grown_by_residual_blocks_first_reads_as_the_one_it_grew_from():
    base = CRNN(CRNNConfig(hidden=16, width=8))
    for module in base.modules():  # trained-looking batch norms, so that zeroed scales are what matters
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5), module.weight.data.uniform_(0.5, 1.5)
    grown = CRNN(CRNNConfig(hidden=16, width=8, blocks=2))
    missing, unexpected = grown.load_state_dict(base.state_dict(), strict=False)
    assert not unexpected and missing and all(key.startswith("deep.") for key in missing)
    x = torch.randn(2, 3, 32, 64)
    assert torch.allclose(grown.eval()(x)["logits"], base.eval()(x)["logits"], atol=1e-6)
    grown.deep["8"][0].conv2[1].weight.data.fill_(1.0)  # once trained, the blocks change the reading
    assert not torch.allclose(grown(x)["logits"], base(x)["logits"], atol=1e-3)


def test_checkpoint_round_trip_in_fp16(tmp_path):
    cfg = TextSegNetConfig(backbone="resnet10", base_width=16, fpn_channels=32, key_channels=16)
    model = TextSegNet(cfg).eval()
    export_weights(model, cfg, tmp_path / "seg.pt", {"note": "test"})
    checkpoint = read_checkpoint(tmp_path / "seg.pt")
    assert all(v.dtype == torch.float16 for v in checkpoint["state_dict"].values() if v.is_floating_point())
    loaded = textsegnet_resnet18(weights=tmp_path / "seg.pt")
    x = torch.randn(1, 3, 64, 64)
    assert torch.allclose(loaded(x)["region"], model(x)["region"], atol=0.05)
    rec_cfg = CRNNConfig(hidden=16, width=8, stride=2)
    export_weights(CRNN(rec_cfg), rec_cfg, tmp_path / "rec.pt")
    loaded_rec = crnn(weights=tmp_path / "rec.pt")
    assert (loaded_rec.config.hidden, loaded_rec.config.stride) == (16, 2)


def test_onnx_backend_matches_torch(tmp_path, monkeypatch):
    import numpy as np

    from ocrnet import runtime
    from ocrnet.predict.recognition import Recognizer
    from ocrnet.predict.segmentation import Segmenter

    monkeypatch.setattr(runtime, "CACHE", tmp_path)
    seg_model = tiny_segnet()
    image = (np.random.default_rng(0).random((70, 90, 3)) * 255).astype(np.uint8)
    onnx_segmenter = Segmenter(seg_model, backend="onnx")
    fast, slow = onnx_segmenter.maps(image), Segmenter(seg_model, backend="torch").maps(image)
    assert np.abs(fast["region"] - slow["region"]).max() < 1e-4
    assert list(tmp_path.glob("textsegnet-*.onnx"))
    session = onnx_segmenter.runner.session  # its threads sleep between runs
    assert session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning") == "0"
    rec_model = tiny_crnn()
    # a batch of three and one of one: the export traced a batch of two
    crops = [image[:20, :60], image[:30, :90], image[10:40, :50], image[:10, :90]]
    a = Recognizer(rec_model, backend="onnx").raw(crops)
    b = Recognizer(rec_model, backend="torch").raw(crops)
    assert [x.text for x in a] == [x.text for x in b]
    assert np.allclose([x.score for x in a], [x.score for x in b], atol=1e-4)


def test_network_size_caps_side_and_area_and_rounds_up():
    from ocrnet.predict.segmentation import network_size

    assert network_size(720, 1280, 2560) == (736, 1280)
    assert network_size(100, 50, 2560) == (128, 64)
    assert network_size(720, 5000, 2560) == (384, 2560)
    h, w = network_size(3000, 4000, 2560)
    assert h * w <= 2_600_000 and abs(w / h - 4 / 3) < 0.05
    assert network_size(10, 10, 2560) == (32, 32)
    # small images are enlarged (small text), large ones are not
    assert network_size(480, 640, 2560, min_long_side=960) == (736, 960)
    assert network_size(720, 1280, 2560, min_long_side=960) == (736, 1280)
    assert network_size(480, 640, 800, min_long_side=960) == (608, 800)  # max_side still caps


def test_second_readings_only_ever_raise_the_score():
    """Retries (a third wider, turned) replace a reading only with a better-scoring one, and a crop
    scoring above the retry bar is left exactly as first read."""
    import numpy as np

    from ocrnet.predict.recognition import Recognizer

    torch.manual_seed(0)
    model = tiny_crnn()
    rng = np.random.default_rng(0)
    crops = [(rng.random((h, w, 3)) * 255).astype(np.uint8) for h, w in ((20, 60), (32, 90), (40, 16), (24, 24))]
    recognizer = Recognizer(model, backend="torch", stretch_below=1.1, turn_below=1.1)  # retry every crop
    first, second = recognizer(crops, retry=False), recognizer(crops)
    assert all(b.score >= a.score for a, b in zip(first, second, strict=True))
    none_retried = Recognizer(model, backend="torch", stretch_below=0.0, turn_below=0.0, tall=100.0)
    assert [r.text for r in none_retried(crops)] == [r.text for r in first]


def test_consensus_takes_the_reading_all_views_support_best():
    import numpy as np

    from ocrnet.postprocess.ctc import string_log_likelihoods
    from ocrnet.predict.recognition import Recognizer, _stretched

    torch.manual_seed(1)
    model = tiny_crnn()
    with torch.no_grad():
        model.classifier.bias[0] -= 3.0  # fewer blanks: a random network then reads something
    rng = np.random.default_rng(1)
    views = [(rng.random((24, w, 3)) * 255).astype(np.uint8) for w in (70, 80, 96)]
    recognizer = Recognizer(model, backend="torch")
    reading, view = recognizer.consensus(views)
    crops = views + [_stretched(v, recognizer.stretch) for v in views]
    probs = recognizer.probabilities(crops)
    own = sorted({recognizer._decode(p).text for p in probs} - {""})
    assert reading.text in own and 0 <= view < len(views)
    total = sum(string_log_likelihoods(np.log(np.clip(p, 1e-12, 1)), own, recognizer.charset) for p in probs)
    assert total[own.index(reading.text)] == total.max()
    assert len(reading.char_probs) == len(reading.text) and 0 < reading.score <= 1


def test_onnx_cache_keeps_the_most_recently_used_exports(tmp_path, monkeypatch):
    import os

    from ocrnet import runtime

    monkeypatch.setattr(runtime, "CACHE", tmp_path)
    for age, tag in enumerate("abcdef"):
        path = tmp_path / f"textsegnet-{tag}.onnx"
        path.write_bytes(b"x")
        os.utime(path, (1e9 - age, 1e9 - age))  # a newest ... f oldest
    (tmp_path / "crnn-z.onnx").write_bytes(b"x")
    os.utime(tmp_path / "crnn-z.onnx", (1.0, 1.0))  # older than all, but another model
    runtime.prune_exports("textsegnet", keep=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "crnn-z.onnx",
        "textsegnet-a.onnx",
        "textsegnet-b.onnx",
        "textsegnet-c.onnx",
        "textsegnet-d.onnx",
    ]


def test_bf16_backend_agrees_with_fp32_and_leaves_the_model_alone():
    import numpy as np
    import pytest

    from ocrnet.predict.recognition import Recognizer
    from ocrnet.predict.segmentation import Segmenter
    from ocrnet.runtime import fast_runner

    torch.manual_seed(0)
    seg_model = tiny_segnet()
    before = {k: v.clone() for k, v in seg_model.state_dict().items()}
    image = (np.random.default_rng(1).random((70, 90, 3)) * 255).astype(np.uint8)
    fast, slow = Segmenter(seg_model, backend="bf16").maps(image), Segmenter(seg_model, backend="torch").maps(image)
    assert fast["region"].shape == slow["region"].shape and fast["region"].dtype == np.float32
    assert np.abs(fast["region"] - slow["region"]).max() < 0.05  # bf16 keeps about 3 significant digits
    assert np.abs(fast["region"] - slow["region"]).max() > 1e-4  # and it did run in bf16 (fp32 differs by 1e-6)
    assert all(torch.equal(before[k], v) for k, v in seg_model.state_dict().items())
    assert all(p.is_contiguous() for p in seg_model.parameters())  # not turned channels-last
    rec_model = tiny_crnn()
    crops = [image[:20, :60], image[:30, :90]]
    fast_probs = Recognizer(rec_model, backend="bf16").probabilities(crops)
    slow_probs = Recognizer(rec_model, backend="torch").probabilities(crops)
    assert all(np.abs(a - b).max() < 0.05 for a, b in zip(fast_probs, slow_probs, strict=True))
    with pytest.raises(ValueError, match="unknown backend"):
        fast_runner("tpu", rec_model, "crnn", torch.zeros(1, 3, 32, 32), ("logits",), {})


def test_backend_chosen_by_environment(monkeypatch):
    from ocrnet.runtime import Bf16Runner, fast_runner

    model = tiny_crnn()
    args = (model, "crnn", torch.zeros(1, 3, 32, 32), ("logits",), {})
    monkeypatch.setenv("OCRNET_BACKEND", "torch")
    assert fast_runner("auto", *args) is None
    monkeypatch.setenv("OCRNET_BACKEND", "bf16")
    assert isinstance(fast_runner("auto", *args), Bf16Runner)
    assert fast_runner("torch", *args) is None  # an explicit choice wins


def test_width_batches_group_crops_by_padded_width_and_lose_no_crop():
    from ocrnet.predict.recognition import padded_widths, width_batches

    series = padded_widths(1.25, 512)
    assert series[0] == 16 and series[-1] == 512
    assert all(b <= max(a * 1.25 + 4, a + 4) for a, b in zip(series, series[1:], strict=False))
    widths = [512, 64, 72, 132, 64, 500, 120, 260]
    batches = width_batches(widths, series, batch_size=2)
    assert sorted(i for _, batch in batches for i in batch) == list(range(len(widths)))
    for padded, batch in batches:
        assert len(batch) <= 2
        assert all(widths[i] <= padded <= 1.25 * widths[i] + 4 for i in batch)
    # the short words are not padded to the long lines' width, and a full batch is split
    assert [[widths[i] for i in batch] for _, batch in batches[:2]] == [[64, 64], [72]]
    assert width_batches([], series, 64) == []


def test_a_crop_reads_the_same_alone_or_batched_with_others():
    """Each crop is padded by its own width alone, so its company in a batch (wider or narrower
    crops, many or none) changes nothing in what it reads."""
    import numpy as np

    from ocrnet.predict.recognition import Recognizer

    model = tiny_crnn()
    rng = np.random.default_rng(1)
    crops = [(rng.random((32, width, 3)) * 255).astype(np.uint8) for width in (64, 74, 70, 480, 30)]
    recognizer = Recognizer(model, backend="torch")
    alone = recognizer.probabilities(crops[:1])[0]
    for company in (crops[:2], crops[:3], crops, crops[::-1]):
        position = next(i for i, crop in enumerate(company) if crop is crops[0])
        together = recognizer.probabilities(company)[position]
        assert np.allclose(alone, together, atol=1e-5)


def test_onnx_cache_key_tells_apart_strides_with_the_same_weights():
    from ocrnet.runtime import weights_hash

    four = CRNN(CRNNConfig(hidden=16, width=8))
    two = CRNN(CRNNConfig(hidden=16, width=8, stride=2))
    two.load_state_dict(four.state_dict())
    assert weights_hash(four) != weights_hash(two)


def test_guide_targets_end_with_zero_and_ignore_padding():
    guide = AttentionGuide(8, num_classes=5, config=GuideConfig(dim=16, heads=2, layers=1, max_length=3))
    previous, targets = guide.teacher_forcing([[1, 2], [3, 4, 4, 2]])  # the second is cut to 3
    assert previous.tolist() == [[5, 1, 2, 0], [5, 3, 4, 4]]
    assert targets.tolist() == [[1, 2, 0, -100], [3, 4, 4, 0]]


def test_guide_sees_neither_later_letters_nor_padded_frames():
    torch.manual_seed(0)
    guide = AttentionGuide(8, num_classes=5, config=GuideConfig(dim=16, heads=2, layers=2)).eval()
    features = torch.randn(6, 1, 8)
    previous = torch.tensor([[5, 1, 2, 3]])
    logits = guide(features, torch.tensor([4]), previous)
    later = guide(features, torch.tensor([4]), torch.tensor([[5, 1, 4, 4]]))
    assert torch.allclose(logits[:, :2], later[:, :2], atol=1e-5)  # positions 0-1 never see letters 2-3
    assert not torch.allclose(logits[:, 2:], later[:, 2:])
    noise = features.clone()
    noise[4:] = torch.randn(2, 1, 8)
    assert torch.allclose(logits, guide(noise, torch.tensor([4]), previous), atol=1e-5)
    assert not torch.allclose(logits, guide(noise, torch.tensor([6]), previous))
