import io

import numpy as np
import pytest
from PIL import Image

from ocrnet.io import ImageLoadError, array_to_rgb, iter_image_files, load_image, read_jsonl, save_image


def _png_bytes(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nope.jpg"
    with pytest.raises(ImageLoadError, match="nope.jpg: no such file"):
        load_image(path)


def test_empty_and_not_an_image(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty.png: empty file"):
        load_image(empty)
    text = tmp_path / "notes.jpg"
    text.write_text("hello, I am not a picture")
    with pytest.raises(ImageLoadError, match="notes.jpg: not an image"):
        load_image(text)
    with pytest.raises(ImageLoadError, match="is a directory"):
        load_image(tmp_path)


def test_truncated_image(tmp_path):
    data = _png_bytes(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="cut.jpg"):
        load_image(path)


def test_huge_image_refused(tmp_path):
    path = tmp_path / "big.png"
    Image.new("L", (200, 100)).save(path)
    with pytest.raises(ImageLoadError, match="too large"):
        load_image(path, max_pixels=10_000)


@pytest.mark.parametrize("mode", ["CMYK", "L", "LA", "RGBA", "P", "I;16", "1"])
def test_modes_become_rgb(mode):
    img = Image.new("RGB", (20, 10), (200, 30, 40)).convert(mode) if mode != "I;16" else None
    if mode == "I;16":
        img = Image.fromarray(np.full((10, 20), 40000, np.uint16))
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    out = load_image(_png_bytes(img, fmt))
    assert out.shape == (10, 20, 3) and out.dtype == np.uint8


def test_16_bit_keeps_contrast():
    arr = np.zeros((4, 4), np.uint16)
    arr[:, 2:] = 65535
    out = load_image(_png_bytes(Image.fromarray(arr), "TIFF"))
    assert out[0, 0, 0] == 0 and out[0, 3, 0] == 255


def test_rgba_composited_on_white():
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert (load_image(_png_bytes(img)) == 255).all()


def test_exif_orientation_applied():
    img = Image.new("RGB", (30, 10), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = load_image(_png_bytes(img, "JPEG", exif=exif))
    assert out.shape[:2] == (30, 10)


def test_arrays_of_any_depth():
    assert array_to_rgb(np.ones((3, 5), np.float32), "a").max() == 255
    assert array_to_rgb(np.zeros((3, 5, 4), np.uint8), "a").shape == (3, 5, 3)
    with pytest.raises(ImageLoadError, match="shape"):
        load_image(np.zeros((0, 5, 3), np.uint8))


def test_save_is_atomic_and_jsonl_tolerates_torn_line(tmp_path):
    save_image(tmp_path / "a" / "x.png", np.zeros((4, 4, 3), np.uint8))
    assert (tmp_path / "a" / "x.png").is_file()
    assert not list((tmp_path / "a").glob("*.tmp"))
    log = tmp_path / "r.jsonl"
    log.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    assert read_jsonl(log) == [{"a": 1}, {"b": 2}]


def test_iter_image_files_expands_folders(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    for name in ("d/1.png", "d/e/2.jpg", "d/readme.txt"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.name for p in iter_image_files([tmp_path / "d", tmp_path / "other.bin"])]
    assert found == ["1.png", "2.jpg", "other.bin"]
