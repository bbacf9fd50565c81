"""Embedding (lookup, float ids, mask_zero propagation, out-of-range ids, Keras 2 input_length) and Masking."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import layers


def _np(t):
    return t.detach().numpy()


def test_lookup_and_weight_name():
    emb = layers.Embedding(5, 3)
    ids = torch.tensor([[0, 4, 2]])
    out = emb(ids)
    w = emb.get_weights()[0]
    assert w.shape == (5, 3) and "embeddings" in dict(emb.named_parameters())
    np.testing.assert_array_equal(_np(out)[0], w[[0, 4, 2]])
    # Default "uniform" initializer: U(-0.05, 0.05).
    assert np.abs(w).max() <= 0.05


def test_float_ids_are_cast():
    emb = layers.Embedding(5, 2)
    np.testing.assert_array_equal(_np(emb(np.array([[1.0, 3.0]], "float32"))), emb.get_weights()[0][[1, 3]][None])


def test_mask_zero_propagates_to_downstream_layer():
    seen = {}

    class Probe(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            seen["mask"] = mask
            return inputs

    ids = keras.Input((4,), dtype="int64")
    h = layers.Embedding(10, 3, mask_zero=True)(ids)
    h = layers.Dense(2)(h)  # Dense passes the mask through
    out = Probe()(h)
    model = keras.Model(ids, out)
    y = model(torch.tensor([[3, 1, 0, 0], [2, 0, 0, 0]]))
    np.testing.assert_array_equal(seen["mask"].numpy(), [[1, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[1, 1, 0, 0], [1, 0, 0, 0]])
    emb = layers.Embedding(10, 3)
    assert getattr(emb(torch.tensor([[0, 1]])), "_keras_mask", None) is None


def test_out_of_range_ids_raise_clear_error():
    emb = layers.Embedding(4, 2, name="emb_small")
    with pytest.raises(ValueError, match=r"emb_small.*\[0, 4\).*max id 7"):
        emb(torch.tensor([[1, 7]]))


def test_keras2_arguments_and_config():
    emb = layers.Embedding(6, 2, input_length=3, mask_zero=True, name="e")
    model = keras.Sequential([emb])
    assert emb._batch_input_shape == (None, 3) and model.built and emb.built
    cfg = emb.get_config()
    assert cfg["input_dim"] == 6 and cfg["output_dim"] == 2 and cfg["mask_zero"] is True
    clone = layers.Embedding.from_config(cfg)
    assert clone.mask_zero and clone.input_dim == 6
    w = np.arange(12, dtype="float32").reshape(6, 2)
    emb2 = layers.Embedding(6, 2, weights=[w])
    np.testing.assert_array_equal(_np(emb2(torch.tensor([[5]])))[0, 0], w[5])
    with pytest.raises(ValueError):
        layers.Embedding(0, 2)
    # Keras 3 configs carry quantization_config=None; Keras 2 ones carry input_length.
    layers.Embedding.from_config({**cfg, "quantization_config": None, "input_length": None})


def test_masking_layer():
    x = np.array([[[1, 2], [0, 0], [3, 0]], [[0, 0], [0, 0], [5, 5]]], "float32")
    masking = layers.Masking(mask_value=0.0)
    out = masking(torch.from_numpy(x))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[1, 0, 1], [0, 0, 1]])
    np.testing.assert_array_equal(_np(out), x)
    x2 = x.copy()
    x2[0, 1] = [-1, 3]
    out2 = layers.Masking(mask_value=-1.0)(torch.from_numpy(x2))
    np.testing.assert_array_equal(_np(out2)[0, 1], [-1, 3])  # not all features equal the mask value
    m = layers.Masking(mask_value=5.0)(torch.from_numpy(x))
    np.testing.assert_array_equal(_np(m)[1, 2], [0, 0])  # all features == 5 -> zeroed
    assert layers.Masking(mask_value=2.0).get_config()["mask_value"] == 2.0


def test_masking_in_functional_model_mask_reaches_output():
    inp = keras.Input((3, 2))
    out = layers.Dense(1)(layers.Masking()(inp))
    model = keras.Model(inp, out)
    y = model(np.array([[[1, 1], [0, 0], [2, 2]]], "float32"))
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[1, 0, 1]])


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("kwargs", [{"input_dim": 10, "output_dim": 3},
                                    {"input_dim": 10, "output_dim": 3, "mask_zero": True}])
def test_common_layer_checks(kwargs):
    check_layer(layers.Embedding, kwargs, (2, 4), (2, 4, 3), 1, 0, input_dtype="int64")
