import math

import numpy as np
import pytest
import torch

from ocrnet.data.transforms import slant
from ocrnet.models.checkpoint import export_weights
from ocrnet.models.recognizer import CRNN, CRNNConfig, crnn
from ocrnet.models.rectifier import Rectifier
from ocrnet.train.rec import rectifier_loss


def slanted_bar(width: int, angle: float) -> torch.Tensor:
    """A (3, 32, width) image: a 2-pixel bar through the centre rising at ``angle`` radians."""
    rows, cols = np.mgrid[0:32, 0:width] + 0.5
    on_line = np.abs((rows - 16) - math.tan(angle) * (cols - width / 2)) < 1.0
    image = np.where(on_line, 1.0, -1.0).astype(np.float32)
    return torch.from_numpy(np.repeat(image[None], 3, 0))


def with_transform(rectifier: Rectifier, angle: float, log_zoom: float = 0.0, shift: float = 0.0) -> Rectifier:
    rectifier.transform = lambda images, widths: torch.tensor([[angle, log_zoom, shift]] * len(images))
    return rectifier


def test_rectifier_starts_as_the_identity_and_keeps_padding_zero():
    x = torch.randn(2, 3, 32, 96)
    x[1, :, :, 40:] = 0
    y, transform = Rectifier().eval()(x)
    assert transform.abs().max() == 0
    assert torch.allclose(y, x, atol=1e-4)
    assert y[1, :, :, 40:].abs().max() == 0


def test_rectifier_levels_a_slanted_line_about_each_crops_own_centre():
    angle = 0.08
    padded = torch.zeros(2, 3, 32, 192)
    padded[0] = slanted_bar(192, angle)
    padded[1, :, :, :120] = slanted_bar(120, angle)  # narrower crop, padded on the right
    levelled, _ = with_transform(Rectifier().eval(), angle)(padded)
    for image, width in zip(levelled, (192, 120), strict=True):
        ink_rows = (image[0, :, 8 : width - 8] > 0).any(dim=1).nonzero().flatten()
        assert ink_rows.min() >= 13 and ink_rows.max() <= 18, ink_rows  # was spread over 32 rows
    assert (padded[0, 0] > 0).any(dim=1).sum() > 10


def test_zoom_draws_a_thin_band_over_more_rows():
    band = -torch.ones(1, 3, 32, 64)
    band[:, :, 14:18] = 1.0
    zoomed, _ = with_transform(Rectifier().eval(), 0.0, log_zoom=math.log(2.0))(band)
    assert (zoomed[0, 0, :, 32] > 0).sum() >= 7  # 4 rows become about 8


def test_crnn_with_rectifier_round_trips_and_old_weights_load_into_it(tmp_path):
    cfg = CRNNConfig(width=8, hidden=16, rectify=True)
    model = CRNN(cfg).eval()
    export_weights(model, cfg, tmp_path / "rect.pt")
    loaded = crnn(weights=tmp_path / "rect.pt")
    assert loaded.rectifier is not None
    x = torch.randn(2, 3, 32, 80)
    assert torch.allclose(loaded(x)["logits"], model(x)["logits"], atol=0.05)
    plain = CRNN(CRNNConfig(width=8, hidden=16)).eval()
    missing, unexpected = model.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all(name.startswith("rectifier.") for name in missing)
    assert torch.allclose(model(x)["logits"], plain(x)["logits"], atol=1e-4)  # a fresh rectifier changes nothing


def test_slant_turns_a_level_line_by_the_angle_and_reports_the_zoom_that_undoes_it():
    image = np.full((20, 200, 3), 255, np.uint8)
    image[9:11] = 0
    turned, zoom = slant(image, 0.1)
    rows, cols = np.nonzero(turned[..., 0] < 128)
    assert np.polyfit(cols, rows, 1)[0] == pytest.approx(math.tan(0.1), abs=0.01)  # down to the right
    assert turned.shape[0] == pytest.approx(20 * zoom, abs=1)
    assert zoom > 1.9  # the 200 px line now spans twice the crop's height


def test_rectifier_loss_counts_only_turned_crops_and_vanishes_at_the_undoing_transform():
    targets = np.array([[0.05, 0.4], [np.nan, np.nan]], np.float32)
    right = torch.tensor([[0.05, 0.4, 0.0], [0.1, 0.9, 3.0]])
    assert rectifier_loss(right, targets).item() == pytest.approx(0.0, abs=1e-6)
    wrong = torch.tensor([[-0.05, 0.4, 0.0], [0.05, 0.4, 0.0]])
    assert rectifier_loss(wrong, targets).item() > 0.3
    assert rectifier_loss(right, np.full((2, 2), np.nan, np.float32)).item() == 0.0


def test_a_rectifying_run_turns_crops_by_known_angles_and_saves_its_rectifier(tmp_path):
    from ocrnet.data.synth.writer import write_dataset
    from ocrnet.train.rec import CropSampler, RecTrainConfig, train_recognizer

    write_dataset(["crop"], 8, tmp_path / "crops")
    cfg = RecTrainConfig(
        out=tmp_path / "run",
        synth_dirs=[tmp_path / "crops"],
        steps=2,
        batch=4,
        val_every=2,
        val_synth=4,
        fresh_share=0.0,
        threads=1,
        width=8,
        hidden=16,
        rectify=True,
        slant_share=1.0,
    )
    images, _, targets = CropSampler(cfg, 0).batch()
    assert not np.isnan(targets).any() and np.abs(targets[:, 0]).max() <= cfg.max_slant
    assert all(target[1] > 0 for target in targets)  # every turned crop sits on a taller canvas
    cfg.slant_share = 0.0
    assert np.isnan(CropSampler(cfg, 0).batch()[2]).all()
    train_recognizer(cfg)
    assert crnn(weights=tmp_path / "run" / "best_fp16.pt").rectifier is not None
