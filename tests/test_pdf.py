import numpy as np
import pytest

from ocrnet.io import ImageLoadError, load_image
from ocrnet.pdf import PdfPages


def test_pages_render_at_the_asked_resolution(tmp_path, write_pdf):
    first = np.full((100, 200, 3), 255, np.uint8)
    first[40:60, 20:120] = (200, 0, 0)
    write_pdf(tmp_path / "d.pdf", [first, np.zeros((50, 50, 3), np.uint8)])
    with PdfPages(tmp_path / "d.pdf", dpi=144) as pages:
        assert len(pages) == 2
        page = pages.render(1)
        assert page.shape == (200, 400, 3) and page.dtype == np.uint8
        red = page[80:120, 40:240].reshape(-1, 3).mean(0)
        assert red[0] > 150 and red[1] < 60  # the red bar, where it was drawn, twice the size
        assert page[10:30, 300:390].min() > 240  # white elsewhere
        assert pages.render(2).shape == (100, 100, 3)


def test_a_page_too_large_is_rendered_smaller(tmp_path, write_pdf):
    write_pdf(tmp_path / "big.pdf", [np.full((300, 400, 3), 255, np.uint8)])
    with PdfPages(tmp_path / "big.pdf", dpi=288, max_pixels=120_000) as pages:
        height, width = pages.render(1).shape[:2]
    assert height * width <= 120_000 and abs(width / height - 4 / 3) < 0.02


def test_bad_pdfs_name_the_file(tmp_path, write_pdf):
    write_pdf(tmp_path / "ok.pdf", [np.zeros((40, 40, 3), np.uint8)])
    data = (tmp_path / "ok.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 3])
    (tmp_path / "text.pdf").write_text("not a pdf at all")
    for name in ("cut.pdf", "text.pdf"):
        with pytest.raises(ImageLoadError, match=f"{name}: cannot open as a PDF"):
            PdfPages(tmp_path / name)
    with pytest.raises(ImageLoadError, match="missing.pdf: no such file"):
        PdfPages(tmp_path / "missing.pdf")
    with pytest.raises(ImageLoadError, match="ok.pdf: a PDF holds pages"):
        load_image(tmp_path / "ok.pdf")


def test_a_pdf_in_memory_is_named_by_the_caller(tmp_path, write_pdf):
    write_pdf(tmp_path / "d.pdf", [np.zeros((40, 60, 3), np.uint8)])
    with PdfPages((tmp_path / "d.pdf").read_bytes(), dpi=144, name="upload.pdf") as pages:
        assert len(pages) == 1 and pages.render(1).shape == (80, 120, 3)
    with pytest.raises(ImageLoadError, match="upload.pdf: cannot open as a PDF"):
        PdfPages(b"%PDF-1.4 cut", name="upload.pdf")
