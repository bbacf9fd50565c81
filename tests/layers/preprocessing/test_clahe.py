"""ContrastLimitedAdaptiveHistogramEqualization against real Keras 3.15.1 (torch backend, same process):
outputs (training and inference, batched and single, channels_first, integer images) and configs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as kt

CASES = [
    ({}, (2, 32, 32, 3)),
    ({"tile_grid_size": (3, 4), "clip_limit": 2.0}, (2, 17, 23, 1)),
    ({"clip_limit": 0}, (20, 21, 3)),  # single image, tiles padded by 4 and 3
    ({"value_range": (0, 1), "tile_grid_size": (2, 2)}, (1, 10, 12, 3)),
    ({"data_format": "channels_first", "tile_grid_size": (2, 3)}, (2, 3, 13, 14)),
]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@pytest.mark.parametrize("kwargs,shape", CASES, ids=["default", "grid3x4", "single-noclip", "unit", "channels-first"])
def test_clahe_equals_keras(real_keras, kwargs, shape):
    high = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    x = np.random.default_rng(0).uniform(0, high, shape).astype("float32")
    k = real_keras.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    t = kt.layers.ContrastLimitedAdaptiveHistogramEqualization(**kwargs)
    for training in (True, False):
        np.testing.assert_allclose(_np(t(x, training=training)), _np(k(x, training=training)), atol=1e-4 * high)
    kc, tc = k.get_config(), t.get_config()
    kc.pop("name"), tc.pop("name")
    assert kc == tc


def test_clahe_keeps_integer_dtype(real_keras):
    x = np.random.default_rng(1).integers(0, 256, (2, 16, 16, 3)).astype("uint8")
    k = real_keras.layers.ContrastLimitedAdaptiveHistogramEqualization()
    out = kt.layers.ContrastLimitedAdaptiveHistogramEqualization()(x)
    assert out.dtype == torch.uint8
    np.testing.assert_array_equal(_np(out), _np(k(x)))


def test_clahe_spreads_a_narrow_histogram():
    x = np.random.default_rng(2).uniform(100, 120, (1, 32, 32, 1)).astype("float32")
    out = _np(kt.layers.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=0.0)(x))
    assert out.max() - out.min() > 200  # equalization stretches a 20-level range over most of 0..255
