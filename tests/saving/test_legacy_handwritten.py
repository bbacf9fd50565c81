"""Legacy HDF5 files in the wild, written by hand with h5py following the documented layouts."""
from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import kerastorch as keras
import kerastorch.saving as ksaving

L = keras.layers
RNG = np.random.default_rng(7)


def _names(names):
    return np.array([n.encode("utf-8") for n in names]) if names else np.array([], dtype=np.float64)


def write_legacy_weights(path, layers, root_attrs=None, chunks: int = 1):
    """``layers``: [(layer name, [(weight name, array), ...])] in model order."""
    with h5py.File(path, "w") as f:
        names = [n for n, _ in layers]
        if chunks > 1:
            for i, part in enumerate(np.array_split(np.array(names, dtype=object), chunks)):
                f.attrs[f"layer_names{i}"] = _names(list(part))
        else:
            f.attrs["layer_names"] = _names(names)
        for key, value in (root_attrs or {"keras_version": b"2.4.0", "backend": b"tensorflow"}).items():
            f.attrs[key] = value
        for name, weights in layers:
            g = f.create_group(name)
            g.attrs["weight_names"] = _names([w for w, _ in weights])
            for wname, arr in weights:
                g.create_dataset(wname, data=arr)


def _lstm_model(units=4, features=3, **kw):
    return keras.Sequential([keras.Input((5, features)), L.LSTM(units, name="lstm", **kw), L.Dense(2, name="out")])


def _x(shape):
    return RNG.normal(size=shape).astype("float32")


def _rand_like(weights):
    return [RNG.normal(size=w.shape).astype("float32") * 0.5 for w in weights]


def test_keras1_lstm_twelve_arrays(tmp_path):
    ref = _lstm_model()
    weights = _rand_like(ref.get_weights())
    ref.set_weights(weights)
    kernel, recurrent, bias, dense_k, dense_b = weights
    u = 4
    gates = {g: (kernel[:, i * u:(i + 1) * u], recurrent[:, i * u:(i + 1) * u], bias[i * u:(i + 1) * u])
             for i, g in enumerate("ifco")}
    arrays = []
    for g in "icfo":  # Keras 1 order: i, c, f, o
        for part, arr in zip(("W", "U", "b"), gates[g]):
            arrays.append((f"lstm_1_{part}_{g}", arr))
    path = tmp_path / "keras1.h5"
    write_legacy_weights(path, [("lstm_1", arrays), ("dense_1", [("dense_1_W", dense_k), ("dense_1_b", dense_b)])],
                         root_attrs={})  # Keras 1 files may have no keras_version
    model = _lstm_model()
    ksaving.load_weights(model, path)
    x = _x((3, 5, 3))
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-6)


def _to_cudnn_kernel(k, n):
    return np.hstack([p.T.reshape(p.shape, order="C") for p in np.hsplit(k, n)])


def test_cudnn_lstm_weights_load_into_lstm(tmp_path):
    ref = _lstm_model()
    weights = _rand_like(ref.get_weights())
    ref.set_weights(weights)
    kernel, recurrent, bias, dense_k, dense_b = weights
    cudnn = [_to_cudnn_kernel(kernel, 4), np.hstack([p.T for p in np.hsplit(recurrent, 4)]),
             np.tile(0.5 * bias, 2)]  # CuDNN: separate input and recurrent biases
    path = tmp_path / "cudnn.h5"
    write_legacy_weights(path, [("cu_dnnlstm", [(f"cu_dnnlstm/{n}:0", a) for n, a in
                                                zip(("kernel", "recurrent_kernel", "bias"), cudnn)]),
                                ("out", [("out/kernel:0", dense_k), ("out/bias:0", dense_b)])])
    model = _lstm_model()
    ksaving.load_weights(model, path)
    x = _x((3, 5, 3))
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-5)


def test_cudnn_gru_weights_and_reset_after_mismatch(tmp_path):
    def gru(reset_after=True):
        return keras.Sequential([keras.Input((5, 3)), L.GRU(4, name="gru", reset_after=reset_after)])
    ref = gru()
    weights = _rand_like(ref.get_weights())
    ref.set_weights(weights)
    kernel, recurrent, bias = weights
    cudnn = [_to_cudnn_kernel(kernel, 3), np.hstack([p.T for p in np.hsplit(recurrent, 3)]), bias.reshape(-1)]
    path = tmp_path / "cudnn_gru.h5"
    write_legacy_weights(path, [("gru", [(f"gru/{n}:0", a) for n, a in
                                         zip(("kernel", "recurrent_kernel", "bias"), cudnn)])])
    model = gru()
    ksaving.load_weights(model, path)
    x = _x((2, 5, 3))
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="reset_after"):
        ksaving.load_weights(gru(reset_after=False), path)


def test_keras1_gru_nine_arrays(tmp_path):
    model_ref = keras.Sequential([keras.Input((5, 3)), L.GRU(4, name="gru", reset_after=False)])
    weights = _rand_like(model_ref.get_weights())
    model_ref.set_weights(weights)
    k, r, b = weights
    arrays = []
    for i, g in enumerate("zrh"):
        for part, arr in zip("WUb", (k[:, 4 * i:4 * i + 4], r[:, 4 * i:4 * i + 4], b[4 * i:4 * i + 4])):
            arrays.append((f"gru_{part}_{g}", arr))
    path = tmp_path / "gru9.h5"
    write_legacy_weights(path, [("gru", arrays)], root_attrs={"keras_version": b"1.2.2"})
    model = keras.Sequential([keras.Input((5, 3)), L.GRU(4, name="gru", reset_after=False)])
    ksaving.load_weights(model, path)
    x = _x((2, 5, 3))
    np.testing.assert_allclose(model(x).detach().numpy(), model_ref(x).detach().numpy(), atol=1e-6)


def _mlp():
    return keras.Sequential([keras.Input((6,)), L.Dense(5, name="d1"), L.Dense(3, name="d2"), L.Dense(2, name="d3")])


def test_chunked_layer_names_and_colon_names_in_a_file_named_weights_h5(tmp_path):
    ref = _mlp()
    w = _rand_like(ref.get_weights())
    ref.set_weights(w)
    layers = [(n, [(f"{n}/kernel:0", w[2 * i]), (f"{n}/bias:0", w[2 * i + 1])])
              for i, n in enumerate(["d1", "d2", "d3"])]
    path = tmp_path / "legacy_layout.weights.h5"  # the suffix says Keras 3, the content is legacy
    write_legacy_weights(path, [("input", [])] + layers, chunks=3)
    with h5py.File(path) as f:
        assert "layer_names" not in f.attrs and "layer_names2" in f.attrs
    model = _mlp()
    ksaving.load_weights(model, path)
    x = _x((4, 6))
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-6)


def test_by_name_and_skip_mismatch(tmp_path):
    ref = _mlp()
    w = _rand_like(ref.get_weights())
    path = tmp_path / "byname.h5"
    # Saved in another order, with an extra layer and a wrongly shaped one.
    write_legacy_weights(path, [("d3", [("d3/kernel:0", w[4]), ("d3/bias:0", w[5])]),
                                ("other", [("other/kernel:0", np.zeros((2, 2), "float32"))]),
                                ("d1", [("d1/kernel:0", w[0]), ("d1/bias:0", w[1])]),
                                ("d2", [("d2/kernel:0", np.zeros((9, 9), "float32")), ("d2/bias:0", w[3])])])
    model = _mlp()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r'd2.*kernel.*\(5, 3\).*\(9, 9\)'):
        ksaving.load_weights(model, path, by_name=True)
    model = _mlp()
    before = model.get_weights()
    with pytest.warns(UserWarning, match="Skipping"):
        ksaving.load_weights(model, path, by_name=True, skip_mismatch=True)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], w[0])
    np.testing.assert_array_equal(after[4], w[4])
    np.testing.assert_array_equal(after[2], before[2])  # mismatched kernel skipped
    np.testing.assert_array_equal(after[3], w[3])       # its bias still loaded
    with pytest.raises(ValueError, match="Layer count mismatch"):
        ksaving.load_weights(_mlp(), path)


def test_channels_first_and_theano_conv_kernels(tmp_path):
    def conv():
        return keras.Sequential([keras.Input((3, 6, 6)), L.Conv2D(4, (3, 2), data_format="channels_first",
                                                                  name="conv")])
    ref = conv()
    k, b = _rand_like(ref.get_weights())
    ref.set_weights([k, b])
    x = _x((2, 3, 6, 6))
    # Keras 1 channels_first / Theano ordering: (filters, in, rows, cols).
    path = tmp_path / "th.h5"
    write_legacy_weights(path, [("conv", [("conv_W", np.transpose(k, (3, 2, 0, 1))), ("conv_b", b)])],
                         root_attrs={"keras_version": b"1.2.2", "backend": b"tensorflow"})
    model = conv()
    ksaving.load_weights(model, path)
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-5)
    # Kernels written by the Theano backend are spatially flipped.
    path = tmp_path / "theano.h5"
    write_legacy_weights(path, [("conv", [("conv/kernel:0", k[::-1, ::-1].copy()), ("conv/bias:0", b)])],
                         root_attrs={"keras_version": b"2.1.6", "backend": b"theano"})
    model = conv()
    ksaving.load_weights(model, path)
    np.testing.assert_allclose(model(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-5)


def test_legacy_full_model_hard_sigmoid_means_keras2(tmp_path):
    """A tf-keras config's "hard_sigmoid" is clip(0.2x + 0.5, 0, 1); a Keras 3 one is relu6(x + 3) / 6."""
    import json
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                                                "sparse": False, "ragged": False, "name": "inp"}},
        {"class_name": "Activation", "config": {"name": "act", "trainable": True, "dtype": "float32",
                                                "activation": "hard_sigmoid"}}]}}
    x = np.array([[-2.0, 1.0, 2.2]], "float32")
    for version, expected in ((b"2.15.0", np.clip(0.2 * x + 0.5, 0, 1)), (b"3.1.0", np.clip(x / 6 + 0.5, 0, 1))):
        path = tmp_path / f"hs_{version.decode()}.h5"
        with h5py.File(path, "w") as f:
            f.attrs["keras_version"] = version
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = json.dumps(config).encode()
            g = f.create_group("model_weights")
            g.attrs["layer_names"] = _names(["inp", "act"])
            for n in ("inp", "act"):
                g.create_group(n).attrs["weight_names"] = _names([])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ksaving.load_model(path)
        np.testing.assert_allclose(model(x).detach().numpy(), expected, atol=1e-6)
