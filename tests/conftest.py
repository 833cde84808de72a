import os

import pytest

# Tests must not compete for cores with each other's torch threads.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def rng():
    import numpy as np

    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def write_pdf():
    """Writes a PDF whose pages are the given RGB arrays; at 72 dpi a page is as many points as pixels."""
    from PIL import Image

    def write(path, pages, resolution=72.0):
        path.parent.mkdir(parents=True, exist_ok=True)
        images = [Image.fromarray(p) for p in pages]
        images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=resolution)

    return write
