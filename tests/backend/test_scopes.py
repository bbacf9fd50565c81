"""keras.device, keras.name_scope and keras.remat."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch


def test_device_scope_places_new_tensors_and_restores():
    before = kerastorch.config.get_device()
    with kerastorch.device("cpu:0"):
        assert kerastorch.config.get_device() == torch.device("cpu", 0)
        assert kerastorch.ops.ones((2,)).device.type == "cpu"
        assert kerastorch.random.normal((2,), seed=1).device.type == "cpu"
    assert kerastorch.config.get_device() == before
    with pytest.raises(ValueError, match="Invalid device name"), kerastorch.device("tpu:7"):
        pass
    assert kerastorch.config.get_device() == before


def test_gpu_spelling_maps_to_cuda():
    from kerastorch._core.scopes import _torch_device_name
    assert _torch_device_name("gpu:1") == "cuda:1" and _torch_device_name("/device:GPU:0") == "cuda:0"


def test_name_scope_prefixes_variable_paths_like_keras(real_keras):
    paths = []
    for lib in (real_keras, kerastorch):
        with lib.name_scope("outer"):
            with lib.name_scope("inner"):
                v = lib.Variable(initializer="zeros", shape=(2,), name="w")
            u = lib.Variable([1.0, 2.0], name="u")
        paths.append((v.path, u.path))
    assert paths[0] == paths[1] == ("outer/inner/w", "outer/u")
    with pytest.raises(ValueError, match="cannot contain"):
        kerastorch.name_scope("a/b")


def test_name_scope_deduplicates_the_same_caller():
    owner = object()
    with kerastorch.name_scope("block", caller=owner):
        with kerastorch.name_scope("block", caller=owner):
            v = kerastorch.Variable([0.0], name="v")
        with kerastorch.name_scope("block", caller=object()):
            w = kerastorch.Variable([0.0], name="w")
    assert (v.path, w.path) == ("block/v", "block/block/w")


def test_variable_constructor_like_keras(real_keras):
    for lib in (real_keras, kerastorch):
        v = lib.Variable(initializer=[[1.0, 2.0], [3.0, 4.0]], trainable=False)
        assert tuple(v.shape) == (2, 2) and not v.trainable
        assert kerastorch.backend.standardize_dtype(v.dtype) == "float32"
        with pytest.raises(ValueError, match="shape"):
            lib.Variable(initializer="glorot_uniform")
    t = kerastorch.Variable(initializer=kerastorch.initializers.Ones(), shape=(3,), dtype="float64")
    assert t.dtype == torch.float64 and t.requires_grad and t.numpy().tolist() == [1.0, 1.0, 1.0]
    t.assign([2.0, 2.0, 2.0])
    assert t.numpy().tolist() == [2.0, 2.0, 2.0]
    assert isinstance(t, torch.nn.Parameter)
    assert kerastorch.Variable(np.array([1.0, 2.0])).dtype == torch.float64  # keeps the array's dtype
    int_var = kerastorch.Variable([1, 2], trainable=False)
    assert int_var.dtype == torch.int32 and not int_var.requires_grad


def test_remat_gives_the_same_values_and_gradients():
    layer = torch.nn.Linear(4, 4)
    x = torch.randn(3, 4, requires_grad=True)

    def block(inputs):
        return torch.tanh(layer(inputs)).sum()

    plain = block(x)
    plain.backward()
    grad = x.grad.clone()
    x.grad = None
    again = kerastorch.remat(block)(x)
    again.backward()
    assert torch.allclose(plain, again) and torch.allclose(grad, x.grad)
