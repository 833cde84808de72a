import os

import pytest

# Tests must not compete for cores with each other's torch threads.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def rng():
    import numpy as np

    return np.random.default_rng(0)
