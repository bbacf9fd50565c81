"""``set_random_seed``: one call that makes Python, NumPy and torch draws reproducible."""
from __future__ import annotations

import random

import numpy as np
import torch

from kerastorch.random.seed_generator import reset_global_seed_generator


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global RNG and torch (CPU and every CUDA device).

    Unseeded initializers, dropout and shuffling all draw from these, so a script that calls
    this first builds the same weights and batches on every run.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} "
                         f"(of type {type(seed).__name__})")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # NumPy only accepts 32-bit seeds
    torch.manual_seed(seed)  # also seeds all CUDA devices
    # keras.random's global SeedGenerator is rebuilt from Python's `random` on the next unseeded draw.
    reset_global_seed_generator()
