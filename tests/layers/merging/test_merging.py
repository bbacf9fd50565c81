"""Merge layers: values, broadcasting of ranks, functional aliases, Keras 3 mask rules, Dot/batch_dot
shapes, and errors that name the layer and every input shape."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers

RNG = np.random.default_rng(11)


def _t(*shape):
    return torch.from_numpy(RNG.normal(size=shape).astype("float32"))


def _np(t):
    return t.detach().numpy()


def test_elementwise_layers_values():
    a, b, c = _t(2, 3), _t(2, 3), _t(2, 3)
    A, B, C = _np(a), _np(b), _np(c)
    np.testing.assert_allclose(_np(layers.Add()([a, b, c])), A + B + C, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Subtract()([a, b])), A - B, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Multiply()([a, b, c])), A * B * C, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Average()([a, b, c])), (A + B + C) / 3, rtol=1e-6)
    np.testing.assert_allclose(_np(layers.Maximum()([a, b, c])), np.maximum(np.maximum(A, B), C))
    np.testing.assert_allclose(_np(layers.Minimum()([a, b, c])), np.minimum(np.minimum(A, B), C))


def test_functional_aliases_build_graph():
    x1, x2 = keras.Input((4,)), keras.Input((4,))
    outs = [layers.add([x1, x2]), layers.subtract([x1, x2]), layers.multiply([x1, x2]), layers.average([x1, x2]),
            layers.maximum([x1, x2]), layers.minimum([x1, x2]), layers.concatenate([x1, x2]),
            layers.dot([x1, x2], axes=1)]
    model = keras.Model([x1, x2], outs)
    a, b = RNG.normal(size=(3, 4)).astype("float32"), RNG.normal(size=(3, 4)).astype("float32")
    res = [_np(r) for r in model([a, b])]
    np.testing.assert_allclose(res[0], a + b, rtol=1e-6)
    np.testing.assert_allclose(res[6], np.concatenate([a, b], -1))
    np.testing.assert_allclose(res[7], (a * b).sum(-1, keepdims=True), rtol=1e-5)
    assert tuple(outs[6].shape) == (None, 8) and tuple(outs[7].shape) == (None, 1)


def test_different_ranks_broadcast_at_axis_1():
    a, b = _t(2, 3, 4), _t(2, 4)
    np.testing.assert_allclose(_np(layers.Add()([a, b])), _np(a) + _np(b)[:, None, :], rtol=1e-6)


def test_concatenate_axis_and_shape_error_names_layer_and_shapes():
    a, b = _t(2, 3, 4), _t(2, 5, 4)
    np.testing.assert_allclose(_np(layers.Concatenate(axis=1)([a, b])), np.concatenate([_np(a), _np(b)], 1))
    with pytest.raises(ValueError) as e:
        layers.Concatenate(name="cat_bad")([a, b])
    assert "cat_bad" in str(e.value) and "(2, 3, 4)" in str(e.value) and "(2, 5, 4)" in str(e.value)
    k1, k2 = keras.Input((3, 4)), keras.Input((5, 4))
    with pytest.raises(ValueError, match="cat_sym"):
        layers.Concatenate(name="cat_sym")([k1, k2])


def test_add_shape_mismatch_error():
    with pytest.raises(ValueError) as e:
        layers.Add(name="add_bad")([_t(2, 3), _t(2, 4)])
    msg = str(e.value)
    assert "add_bad" in msg and "(2, 3)" in msg and "(2, 4)" in msg
    with pytest.raises(ValueError, match="add_sym"):
        layers.Add(name="add_sym")([keras.Input((3,)), keras.Input((4,))])
    with pytest.raises(ValueError, match="list"):
        layers.Add()(_t(2, 3))
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()([_t(2, 3)] * 3)


def test_masks_are_ored_for_elementwise_layers():
    a, b = _t(2, 3, 4), _t(2, 3, 4)
    a._keras_mask = torch.tensor([[1, 1, 0], [1, 0, 0]], dtype=torch.bool)
    b._keras_mask = torch.tensor([[1, 0, 0], [1, 1, 0]], dtype=torch.bool)
    out = layers.Add()([a, b])
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[1, 1, 0], [1, 1, 0]])
    # Maximum: a masked entry takes the other input's value.
    m = layers.Maximum()([a, b])
    np.testing.assert_allclose(_np(m)[0, 1], _np(a)[0, 1])  # b masked at [0, 1]
    np.testing.assert_allclose(_np(m)[1, 1], _np(b)[1, 1])  # a masked at [1, 1]
    # Multiply: masked entries count as 1; entries masked everywhere are 0.
    p = layers.Multiply()([a, b])
    np.testing.assert_allclose(_np(p)[0, 1], _np(a)[0, 1], rtol=1e-6)
    np.testing.assert_allclose(_np(p)[0, 2], 0.0)
    # One input without a mask -> no output mask.
    c = _t(2, 3, 4)
    assert getattr(layers.Add()([a, c]), "_keras_mask", None) is None


def test_concatenate_mask_rules():
    a, b = _t(2, 3, 4), _t(2, 3, 2)
    a._keras_mask = torch.tensor([[1, 1, 0], [1, 0, 0]], dtype=torch.bool)
    out = layers.Concatenate()([a, b])  # b unmasked counts as all-True
    np.testing.assert_array_equal(out._keras_mask.numpy(), np.ones((2, 3), bool))
    b = _t(2, 3, 4)
    b._keras_mask = torch.tensor([[1, 0, 0], [1, 1, 0]], dtype=torch.bool)
    out = layers.Concatenate(axis=1)([a, b])
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 1, 0]])


def test_mask_propagates_through_merge_in_a_model():
    ids = keras.Input((4,), dtype="int64")
    e = layers.Embedding(10, 3, mask_zero=True)(ids)
    s = layers.Add()([e, e])
    model = keras.Model(ids, s)
    out = model(torch.tensor([[1, 2, 0, 0]]))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[True, True, False, False]])


def test_dot_shapes_and_values():
    a, b = _t(2, 3, 5), _t(2, 7, 5)
    out = layers.Dot(axes=(2, 2))([a, b])
    assert tuple(out.shape) == (2, 3, 7)
    np.testing.assert_allclose(_np(out), np.einsum("bik,bjk->bij", _np(a), _np(b)), rtol=1e-5, atol=1e-6)
    c, d = _t(2, 5, 3), _t(2, 10, 5)
    out = layers.Dot(axes=(1, 2))([c, d])
    assert tuple(out.shape) == (2, 3, 10)
    np.testing.assert_allclose(_np(out), np.einsum("bki,bjk->bij", _np(c), _np(d)), rtol=1e-5, atol=1e-6)
    x, y = _t(4, 6), _t(4, 6)
    cos = layers.Dot(axes=-1, normalize=True)([x, y])
    X, Y = _np(x), _np(y)
    ref = (X * Y).sum(-1) / np.linalg.norm(X, axis=-1) / np.linalg.norm(Y, axis=-1)
    np.testing.assert_allclose(_np(cos)[:, 0], ref, rtol=1e-5)
    with pytest.raises(ValueError, match="dot_bad"):
        layers.Dot(axes=1, name="dot_bad")([keras.Input((3,)), keras.Input((4,))])


def test_configs_round_trip():
    for layer in [layers.Concatenate(axis=1), layers.Dot(axes=[1, 2], normalize=True), layers.Add(name="a1")]:
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg
    assert layers.Dot(axes=[1, 2]).get_config()["axes"] == [1, 2]
