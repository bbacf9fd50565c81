"""Structural state_dict keys: two instances of one architecture in one process have the same keys (layer
names without their session counter, numbered again per model), so load_state_dict works across instances,
from torch.save checkpoints and into models moved to another dtype; names, get_layer and files unchanged."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch
from kerastorch.models.model import structural_key


def _functional(keras):
    inp = keras.Input((4,))
    h = keras.layers.Dense(8, activation="relu")(inp)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Dense(8)(h) + h  # an op layer (add) too
    return keras.Model(inp, keras.layers.Dense(2, name="logits")(h))


def _sequential(keras):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dropout(0.1),
                             keras.layers.Dense(2)])


def test_second_instance_has_the_same_keys(keras):
    for build in (_functional, _sequential):
        first, second = build(keras), build(keras)
        assert [l.name for l in first.layers] != [l.name for l in second.layers]  # the counters moved on
        assert list(first.state_dict()) == list(second.state_dict())
        second.load_state_dict(first.state_dict())
        x = torch.randn(3, 4)
        torch.testing.assert_close(second(x), first(x))


def test_keys_in_a_fresh_session_are_the_layer_names(keras):
    model = _functional(keras)
    assert list(model.state_dict())[:2] == ["dense.kernel", "dense.bias"]
    assert "logits.kernel" in model.state_dict() and "batch_normalization.moving_mean" in model.state_dict()
    assert model.get_layer("logits").units == 2  # names and lookup unchanged


def test_torch_save_checkpoint_loads_into_another_instance(keras, tmp_path):
    path = tmp_path / "ckpt.pt"
    model = _functional(keras)
    torch.save(model.state_dict(), path)
    other = _functional(keras)
    other.load_state_dict(torch.load(path, weights_only=True))
    x = torch.randn(3, 4)
    torch.testing.assert_close(other(x), model(x))
    # and through the .pt weights format of save_weights/load_weights
    pt = str(tmp_path / "w.pt")
    kerastorch.saving.save_weights(model, pt)
    third = _functional(keras)
    kerastorch.saving.load_weights(third, pt)
    torch.testing.assert_close(third(x), model(x))


def test_load_into_a_model_moved_to_float64(keras):
    model = _functional(keras)
    other = _functional(keras).to(torch.float64)
    other.load_state_dict(model.state_dict())
    x = torch.randn(3, 4)
    np.testing.assert_allclose(other(x.double()).detach().numpy(), model(x).detach().numpy(), atol=1e-6)
    back = _functional(keras)
    back.load_state_dict(other.state_dict())  # float64 state into a float32 model: torch casts on copy
    torch.testing.assert_close(back(x), model(x))


def test_load_model_and_clone_keep_the_keys(keras, tmp_path):
    model = _functional(keras)
    path = str(tmp_path / "m.keras")
    kerastorch.saving.save_model(model, path)
    loaded = kerastorch.saving.load_model(path)
    assert list(loaded.state_dict()) == list(model.state_dict())
    clone = keras.models.clone_model(model)
    assert list(clone.state_dict()) == list(model.state_dict())


def test_nested_models_and_explicit_names(keras):
    def build():
        inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        inp = keras.Input((4,))
        return keras.Model(inp, keras.layers.Dense(1, name="head_7")(inner(inp)))
    a, b = build(), build()
    assert list(a.state_dict()) == list(b.state_dict()) == ["sequential.dense.kernel", "sequential.dense.bias",
                                                            "head.kernel", "head.bias"]


def test_structural_key_rule():
    module = torch.nn.Module()
    assert structural_key(module, "dense_12") == "dense"
    module.add_module("dense", torch.nn.Identity())
    assert structural_key(module, "dense_3") == "dense_1"
    assert structural_key(module, "a.b") == "a_b"
    assert structural_key(module, "training") == "layer_training"  # never shadows a module attribute


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_load_into_a_model_moved_to_cuda(keras):
    model = _functional(keras)
    other = _functional(keras).to("cuda")
    other.load_state_dict(model.state_dict())
    x = torch.randn(3, 4)
    torch.testing.assert_close(other(x.cuda()).cpu(), model(x))
    model.load_state_dict(other.state_dict())  # and back: tensors copied across devices
