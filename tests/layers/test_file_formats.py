"""The layers' file-format hooks: ``_keras3_tree`` (their place in a Keras 3 weights file) and
``_upgrade_legacy_weights`` (arrays of old Keras files), checked against real Keras's own tree."""
from __future__ import annotations

import h5py
import numpy as np
import pytest

import kerastorch as keras
from kerastorch.layers.file_formats import Layout, keras_shapes


def _groups(layout: Layout, prefix: str = "") -> list[str]:
    out = [f"{prefix}vars:{layout.own}"]
    for key, sub in layout.children:
        out += _groups(sub, f"{prefix}{key}/")
    return out


def _keras_groups(f, prefix="") -> list[str]:
    out = []
    for key in f:
        if key == "vars":
            out.append(f"{prefix}vars:{len(f[key])}")
        elif isinstance(f[key], h5py.Group):
            out += _keras_groups(f[key], f"{prefix}{key}/")
    return out


@pytest.mark.parametrize("build", [
    lambda k: (k.layers.LSTM(3), (None, 4, 2)),
    lambda k: (k.layers.Bidirectional(k.layers.GRU(3)), (None, 4, 2)),
    lambda k: (k.layers.TimeDistributed(k.layers.Dense(3)), (None, 4, 2)),
    lambda k: (k.layers.BatchNormalization(), (None, 5)),
    lambda k: (k.layers.ConvLSTM1D(2, 3), (None, 4, 6, 2)),
], ids=["lstm", "bidirectional_gru", "time_distributed", "batch_norm", "conv_lstm1d"])
def test_keras3_tree_matches_the_groups_keras_writes(build, real_keras, tmp_path):
    layer, shape = build(keras)
    layer.build(shape)
    ref, _ = build(real_keras)
    ref.build(shape)
    path = tmp_path / "ref.weights.h5"
    real_keras.Sequential([real_keras.Input(shape[1:]), ref]).save_weights(path)
    with h5py.File(path) as f:
        name = next(iter(f["layers"]))
        expected = sorted(_keras_groups(f["layers"][name]))
    assert sorted(_groups(layer._keras3_tree())) == expected


def test_multi_head_attention_tree():
    x = keras.Input((4, 6))
    mha = keras.layers.MultiHeadAttention(2, 3)
    mha(x, x)
    tree = mha._keras3_tree()
    assert tree.own == 0
    assert [key for key, _ in tree.children] == ["query_dense", "key_dense", "value_dense", "output_dense"]
    assert all(sub.own == 2 for _, sub in tree.children)


def test_keras1_lstm_gates_are_merged_and_reordered():
    layer = keras.layers.LSTM(2)
    layer.build((None, 3, 4))
    rng = np.random.default_rng(0)
    # Keras 1: [W, U, b] per gate, gates in the order i, c, f, o.
    per_gate = {g: [rng.normal(size=(4, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2,))] for g in "icfo"}
    arrays = [a for g in "icfo" for a in per_gate[g]]
    kernel, recurrent, bias = layer._upgrade_legacy_weights(arrays, "1.2.2", "theano")
    assert [tuple(a.shape) for a in (kernel, recurrent, bias)] == keras_shapes(layer)
    np.testing.assert_array_equal(kernel, np.concatenate([per_gate[g][0] for g in "ifco"], axis=-1))
    np.testing.assert_array_equal(bias, np.concatenate([per_gate[g][2] for g in "ifco"]))


def test_wrappers_and_models_hand_each_sublayer_its_share():
    layer = keras.layers.Bidirectional(keras.layers.LSTM(2))
    layer.build((None, 3, 4))
    rng = np.random.default_rng(1)
    keras1 = [rng.normal(size=s) for _ in range(2) for g in range(4) for s in ((4, 2), (2, 2), (2,))]
    out = layer._upgrade_legacy_weights(keras1, "1.2.2", "tensorflow")  # 24 arrays -> 2 x 3
    assert [tuple(a.shape) for a in out] == keras_shapes(layer)
    model = keras.Sequential([keras.Input((3, 4)), keras.layers.Dense(2), keras.layers.GRU(2)])
    arrays = [w + 1 for w in model.get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(model._upgrade_legacy_weights(arrays, "2.0", None), arrays))


def test_theano_convolution_kernels_are_flipped():
    layer = keras.layers.Conv2D(1, 2)
    layer.build((None, 3, 3, 1))
    kernel = np.arange(4, dtype="float32").reshape(2, 2, 1, 1)
    bias = np.zeros(1, dtype="float32")
    flipped, _ = layer._upgrade_legacy_weights([kernel, bias], "1.2.2", "theano")
    np.testing.assert_array_equal(flipped[..., 0, 0], [[3, 2], [1, 0]])
    same, _ = layer._upgrade_legacy_weights([kernel, bias], "2.1.0", "tensorflow")
    np.testing.assert_array_equal(same, kernel)


def test_gru_reset_after_mismatch_is_explained():
    layer = keras.layers.GRU(2, reset_after=True)
    layer.build((None, 3, 4))
    arrays = [np.zeros((4, 6)), np.zeros((2, 6)), np.zeros((6,))]  # a reset_after=False file
    with pytest.raises(ValueError, match="reset_after"):
        layer._upgrade_legacy_weights(arrays, "2.2.4", "tensorflow")
