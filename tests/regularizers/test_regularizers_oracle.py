"""keras.regularizers and keras.constraints values and configs against real Keras 3.15.1."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch

W = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")


@pytest.mark.parametrize("name,kwargs", [
    ("L1", {"l1": 0.03}), ("L2", {"l2": 0.2}), ("L1L2", {"l1": 0.01, "l2": 0.05}),
    ("OrthogonalRegularizer", {"factor": 0.1, "mode": "rows"}),
    ("OrthogonalRegularizer", {"factor": 0.1, "mode": "columns"}),
])
def test_regularizer_penalties_match_keras(real_keras, name, kwargs):
    k, t = getattr(real_keras.regularizers, name)(**kwargs), getattr(kerastorch.regularizers, name)(**kwargs)
    np.testing.assert_allclose(float(t(torch.tensor(W))), float(k(torch.tensor(W))), rtol=1e-5)
    # Keras keeps some factors as float32 tensors, so its configs hold the float32-rounded value.
    assert t.get_config().keys() == k.get_config().keys()
    for key, value in k.get_config().items():
        assert t.get_config()[key] == (pytest.approx(value, rel=1e-6) if isinstance(value, float) else value)
    assert kerastorch.regularizers.serialize(t)["class_name"] == real_keras.regularizers.serialize(k)["class_name"]


@pytest.mark.parametrize("name,kwargs", [
    ("MaxNorm", {"max_value": 1.5, "axis": 0}), ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.2, "rate": 0.7}),
    ("NonNeg", {}), ("UnitNorm", {"axis": 1}),
])
def test_constraint_projections_match_keras(real_keras, name, kwargs):
    k, t = getattr(real_keras.constraints, name)(**kwargs), getattr(kerastorch.constraints, name)(**kwargs)
    expected = real_keras.ops.convert_to_numpy(k(torch.tensor(W)))
    np.testing.assert_allclose(np.asarray(t(torch.tensor(W))), expected, rtol=1e-5, atol=1e-6)
    assert t.get_config() == k.get_config()
    assert kerastorch.constraints.serialize(t) == real_keras.constraints.serialize(k)
