"""pack/unpack_x_y_sample_weight and split_dataset against real Keras 3.15.1 (torch backend)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch


@pytest.mark.parametrize("args", [(1,), ([1, 2],), ((1, 2),), (1, 2), (1, 2, 3), (1, None, 3)])
def test_pack_matches_keras(real_keras, args):
    assert kerastorch.utils.pack_x_y_sample_weight(*args) == real_keras.utils.pack_x_y_sample_weight(*args)


@pytest.mark.parametrize("data", [1, (1,), (1, 2), [1, 2], (1, 2, 3), {"x": 1}])
def test_unpack_matches_keras(real_keras, data):
    assert kerastorch.utils.unpack_x_y_sample_weight(data) == real_keras.utils.unpack_x_y_sample_weight(data)


def test_unpack_rejects_long_tuples_like_keras(real_keras):
    for lib in (real_keras, kerastorch):
        with pytest.raises(ValueError, match="sample_weight"):
            lib.utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def _rows(split):
    return [tuple(int(v) for v in sample) for sample in split]


@pytest.mark.parametrize("kwargs", [{"left_size": 0.3}, {"right_size": 4}, {"left_size": 0.55}, {"left_size": 7}])
def test_split_dataset_shuffled_matches_keras(real_keras, kwargs):
    data = (np.arange(10), np.arange(10) * 2)
    k_left, k_right = real_keras.utils.split_dataset(data, shuffle=True, seed=3, **kwargs)
    t_left, t_right = kerastorch.utils.split_dataset(data, shuffle=True, seed=3, **kwargs)
    assert isinstance(t_left, torch.utils.data.Dataset)
    assert _rows(t_left) == _rows(k_left) and _rows(t_right) == _rows(k_right)


def test_split_dataset_unshuffled_keeps_order(real_keras):
    # Sizes as Keras; the order is the documented one (Keras 3.15 on torch shuffles even here).
    data = (np.arange(10), np.arange(10) * 2)
    k_left, k_right = real_keras.utils.split_dataset(data, left_size=0.3)
    t_left, t_right = kerastorch.utils.split_dataset(data, left_size=0.3)
    assert (len(t_left), len(t_right)) == (len(k_left), len(k_right)) == (3, 7)
    assert _rows(t_left) == [(0, 0), (1, 2), (2, 4)] and _rows(t_right)[0] == (3, 6)


def test_split_single_array_and_torch_dataset():
    left, right = kerastorch.utils.split_dataset(np.arange(8.0), left_size=6)
    assert (len(left), len(right)) == (6, 2)
    left, right = kerastorch.utils.split_dataset(np.arange(10), left_size=2, right_size=5, shuffle=True, seed=0)
    assert (len(left), len(right)) == (2, 5) and not set(left.indices) & set(right.indices)
    dataset = torch.utils.data.TensorDataset(torch.arange(5))
    left, right = kerastorch.utils.split_dataset(dataset, right_size=0.4)
    assert (len(left), len(right)) == (3, 2)


@pytest.mark.parametrize("kwargs,error", [
    ({}, ValueError), ({"left_size": 0}, ValueError), ({"left_size": 10}, ValueError),
    ({"left_size": 0.7, "right_size": 0.6}, ValueError), ({"left_size": "half"}, TypeError),
    ({"left_size": 2, "right_size": 9}, ValueError),
])
def test_split_errors_match_keras(real_keras, kwargs, error):
    data = np.arange(10)
    for lib in (real_keras, kerastorch):
        with pytest.raises(error):
            lib.utils.split_dataset(data, **kwargs)
    with pytest.raises(TypeError, match="torch.utils.data.Dataset"):
        kerastorch.utils.split_dataset(42, left_size=0.5)
