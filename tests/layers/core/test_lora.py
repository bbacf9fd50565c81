"""LoRA on Dense, EinsumDense, Embedding and Conv1D/2D/3D against real Keras 3 (torch backend)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as kt

# (class name, constructor kwargs, input shape, integer inputs)
CASES = [
    ("Dense", {"units": 3}, (4, 5), False),
    ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 6), "bias_axes": "d"}, (2, 3, 4), False),
    ("Embedding", {"input_dim": 7, "output_dim": 3}, (2, 5), True),
    ("Conv1D", {"filters": 3, "kernel_size": 2}, (2, 6, 4), False),
    ("Conv2D", {"filters": 3, "kernel_size": 2}, (2, 5, 5, 4), False),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (2, 3, 4, 3, 3), False),
]


def _inputs(shape, ints, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 7, size=shape) if ints else rng.standard_normal(shape).astype("float32")


def _pair(real_keras, name, kwargs, shape, ints):
    """The same layer in Keras and kerastorch, built, with the same random weights."""
    k_layer = getattr(real_keras.layers, name)(**kwargs)
    t_layer = getattr(kt.layers, name)(**kwargs)
    x = _inputs(shape, ints)
    k_layer(x)
    t_layer(torch.as_tensor(x))
    return k_layer, t_layer, x


def _set_same(k_layer, t_layer, seed=1):
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in k_layer.get_weights()]
    k_layer.set_weights(values)
    t_layer.set_weights(values)


def _out(layer, x, real=False):
    y = layer(x) if real else layer(torch.as_tensor(x))
    return np.asarray(y.detach().cpu())


@pytest.mark.parametrize("name,kwargs,shape,ints", CASES, ids=[c[0] for c in CASES])
def test_enable_lora_matches_keras(real_keras, name, kwargs, shape, ints):
    k_layer, t_layer, x = _pair(real_keras, name, kwargs, shape, ints)
    _set_same(k_layer, t_layer, seed=2)
    k_layer.enable_lora(2, lora_alpha=6)
    t_layer.enable_lora(2, lora_alpha=6)
    assert [w.path.split("/")[-1] for w in k_layer.weights] == [w.keras_name for w in t_layer.weights]
    assert [w.path.split("/")[-1] for w in k_layer.trainable_weights] == \
        [w.keras_name for w in t_layer.trainable_weights]
    assert [tuple(w.shape) for w in k_layer.get_weights()] == [w.shape for w in t_layer.get_weights()]
    assert all(w.dtype == torch.float32 for w in t_layer.weights[-2:])
    # b starts at zeros: enabling LoRA does not change the outputs.
    np.testing.assert_allclose(_out(t_layer, x), _out(k_layer, x, real=True), atol=1e-5)
    _set_same(k_layer, t_layer)
    np.testing.assert_allclose(_out(t_layer, x), _out(k_layer, x, real=True), rtol=1e-5, atol=1e-5)
    k_cfg, t_cfg = k_layer.get_config(), t_layer.get_config()
    assert (t_cfg["lora_rank"], t_cfg["lora_alpha"]) == (k_cfg["lora_rank"], k_cfg["lora_alpha"]) == (2, 6)


@pytest.mark.parametrize("name,kwargs,shape,ints", CASES, ids=[c[0] for c in CASES])
def test_lora_rank_argument_matches_keras(real_keras, name, kwargs, shape, ints):
    kwargs = {**kwargs, "lora_rank": 2, "lora_alpha": 8}
    k_layer, t_layer, x = _pair(real_keras, name, kwargs, shape, ints)
    assert t_layer.lora_enabled and k_layer.lora_enabled
    # Keras 3.15's Dense and Embedding enable LoRA at build without their lora_alpha (it becomes the rank).
    assert t_layer.lora_alpha == k_layer.lora_alpha
    _set_same(k_layer, t_layer, seed=3)
    np.testing.assert_allclose(_out(t_layer, x), _out(k_layer, x, real=True), rtol=1e-5, atol=1e-5)
    t_cfg = t_layer.get_config()
    assert {k: t_cfg[k] for k in ("lora_rank", "lora_alpha")} == \
        {k: k_layer.get_config()[k] for k in ("lora_rank", "lora_alpha")}
    clone = type(t_layer).from_config(t_cfg)
    clone(torch.as_tensor(x))
    assert clone.lora_enabled and clone.lora_alpha == t_layer.lora_alpha
    clone.set_weights(t_layer.get_weights())
    np.testing.assert_allclose(_out(clone, x), _out(t_layer, x), rtol=1e-6)


def test_no_lora_keys_in_config_without_lora():
    cfg = kt.layers.Dense(2).get_config()
    assert "lora_rank" not in cfg and "lora_alpha" not in cfg


def test_training_moves_only_the_lora_factors():
    kt.utils.set_random_seed(0)
    model = kt.Sequential([kt.Input(shape=(4,)), kt.layers.Dense(8, name="body"), kt.layers.Dense(1)])
    body = model.get_layer("body")
    body.enable_lora(2)
    before = body.get_weights()
    model.compile(optimizer=kt.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
    after = body.get_weights()
    np.testing.assert_array_equal(after[0], before[0])  # the kernel is frozen
    assert not np.allclose(after[3], before[3])  # lora_kernel_b left zero
    assert not np.allclose(after[1], before[1])  # the bias still trains


def test_frozen_kernel_stays_frozen_when_the_layer_is_unfrozen():
    dense = kt.layers.Dense(3)
    dense.build((None, 4))
    dense.enable_lora(2)
    dense.trainable = False
    assert dense.trainable_weights == []
    dense.trainable = True
    assert [w.keras_name for w in dense.trainable_weights] == ["bias", "lora_kernel_a", "lora_kernel_b"]
    assert [w.keras_name for w in dense.non_trainable_weights] == ["kernel"]


def test_merged_weight_and_stored_kernel():
    dense = kt.layers.Dense(2, use_bias=False, kernel_initializer="ones")
    dense.build((None, 3))
    dense.enable_lora(1, lora_alpha=2, a_initializer="ones", b_initializer="ones")
    torch.testing.assert_close(dense.kernel, torch.ones(3, 2))  # the stored (frozen) weight
    torch.testing.assert_close(dense.lora_merged_weight(), torch.full((3, 2), 3.0))  # 1 + (2/1) * 1
    torch.testing.assert_close(dense(torch.ones(1, 3)), torch.full((1, 2), 9.0))


def test_enable_lora_errors_match_keras(real_keras):
    k_dense, t_dense = real_keras.layers.Dense(2), kt.layers.Dense(2)
    for layer in (k_dense, t_dense):
        with pytest.raises(ValueError, match="isn't yet built"):
            layer.enable_lora(2)
        layer.build((None, 3))
        layer.enable_lora(2)
        with pytest.raises(ValueError, match="already enabled"):
            layer.enable_lora(2)
    for layer in (real_keras.layers.Dense(2, kernel_constraint="non_neg"),
                  kt.layers.Dense(2, kernel_constraint="non_neg")):
        layer.build((None, 3))
        with pytest.raises(ValueError, match="incompatible with kernel constraints"):
            layer.enable_lora(2)


def _lora_model(lib):
    return lib.Sequential([lib.Input(shape=(5,)), lib.layers.Dense(4, name="d1"), lib.layers.Dense(2, name="d2")])


def _with_lora_weights(k_model, t_model):
    rng = np.random.default_rng(5)
    values = [rng.standard_normal(w.shape).astype("float32") for w in k_model.get_weights()]
    k_model.set_weights(values)
    t_model.set_weights(values)
    for model in (k_model, t_model):
        model.get_layer("d1").enable_lora(2, lora_alpha=3)
    lora_values = [rng.standard_normal(w.shape).astype("float32") * 0.3
                   for w in k_model.get_layer("d1").get_weights()]
    k_model.get_layer("d1").set_weights(lora_values)
    t_model.get_layer("d1").set_weights(lora_values)


def test_keras_files_hold_the_merged_kernel_both_ways(real_keras, tmp_path):
    import h5py
    k_model, t_model = _lora_model(real_keras), _lora_model(kt)
    _with_lora_weights(k_model, t_model)
    x = _inputs((3, 5), False)
    expected = _out(k_model, x, real=True)
    np.testing.assert_allclose(_out(t_model, x), expected, rtol=1e-5, atol=1e-6)

    t_model.save(tmp_path / "kt.keras")
    k_model.save(tmp_path / "k.keras")
    from_kt = real_keras.saving.load_model(tmp_path / "kt.keras")
    from_k = kt.saving.load_model(tmp_path / "k.keras")
    for loaded, real in ((from_kt, True), (from_k, False)):
        d1 = loaded.get_layer("d1")
        # Rebuilt from the config, Keras 3.15's Dense resets lora_alpha to the rank; the merged
        # kernel in the file keeps the outputs.
        assert d1.lora_enabled and d1.lora_alpha == 2
        np.testing.assert_allclose(_out(loaded, x, real=real), expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(d1.get_weights()[3], 0)  # factors come back as zeros
    for a, b in zip(from_kt.get_weights(), from_k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)

    t_model.save_weights(tmp_path / "kt.weights.h5")
    k_model.save_weights(tmp_path / "k.weights.h5")
    with h5py.File(tmp_path / "kt.weights.h5") as f_t, h5py.File(tmp_path / "k.weights.h5") as f_k:
        assert sorted(f_t["layers/dense/vars"]) == sorted(f_k["layers/dense/vars"]) == ["0", "1"]
        np.testing.assert_allclose(f_t["layers/dense/vars/0"][()], f_k["layers/dense/vars/0"][()], rtol=1e-6)
    fresh = _lora_model(kt)
    fresh.get_layer("d1").enable_lora(2, lora_alpha=3)
    fresh.load_weights(tmp_path / "k.weights.h5")
    np.testing.assert_allclose(_out(fresh, x), expected, rtol=1e-5, atol=1e-5)
