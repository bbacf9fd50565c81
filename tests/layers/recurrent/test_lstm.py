import os

import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras
from kerastorch import activations

L = keras.layers
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "fixtures", "keras_reference")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_lstm(x, kernel, rkernel, bias, h=None, c=None, rec_act=sigmoid, act=np.tanh):
    """Keras's LSTM formula, gates i, f, c, o; returns (all outputs, h, c)."""
    u = rkernel.shape[0]
    h = np.zeros((x.shape[0], u), np.float32) if h is None else h
    c = np.zeros((x.shape[0], u), np.float32) if c is None else c
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rkernel + bias
        i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        c = rec_act(f) * c + rec_act(i) * act(g)
        h = rec_act(o) * act(c)
        outs.append(h)
    return np.stack(outs, 1), h, c


def random_weights(layer, seed=0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer.get_weights()


def test_weights_layout_names_and_initializers():
    layer = L.LSTM(5, name="lstm")
    layer(np.zeros((2, 3, 4), "float32"))
    assert [w.shape for w in layer.get_weights()] == [(4, 20), (5, 20), (20,)]
    assert list(layer.state_dict()) == ["cell.kernel", "cell.recurrent_kernel", "cell.bias"]
    assert layer.cell.name == "lstm_cell"
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])  # unit_forget_bias
    rk = layer.get_weights()[1]  # orthogonal recurrent kernel: orthonormal rows
    np.testing.assert_allclose(rk @ rk.T, np.eye(5), atol=1e-5)
    assert layer.units == 5 and layer.cell.state_size == [5, 5]


def test_matches_keras_formula_sequences_and_states():
    layer = L.LSTM(5, return_sequences=True, return_state=True)
    x = np.random.default_rng(1).normal(size=(3, 6, 4)).astype("float32")
    layer(x)
    k, rk, b = random_weights(layer)
    seq, h, c = layer(x)
    ref_seq, ref_h, ref_c = np_lstm(x, k, rk, b)
    np.testing.assert_allclose(seq.detach().numpy(), ref_seq, atol=1e-5)
    np.testing.assert_allclose(h.detach().numpy(), ref_h, atol=1e-5)
    np.testing.assert_allclose(c.detach().numpy(), ref_c, atol=1e-5)


def test_go_backwards_initial_state_and_no_bias():
    layer = L.LSTM(4, go_backwards=True, use_bias=False, return_sequences=True)
    x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
    h0 = np.random.default_rng(3).normal(size=(2, 4)).astype("float32")
    c0 = np.random.default_rng(4).normal(size=(2, 4)).astype("float32")
    layer(x)
    assert len(layer.get_weights()) == 2
    k, rk = random_weights(layer)
    out = layer(x, initial_state=[torch.tensor(h0), torch.tensor(c0)]).detach().numpy()
    ref, _, _ = np_lstm(x[:, ::-1], k, rk, 0.0, h0, c0)
    np.testing.assert_allclose(out, ref, atol=1e-5)  # outputs stay in processing (reversed) order


def test_hard_sigmoid_keras3_and_legacy_keras2():
    x = np.random.default_rng(5).normal(size=(2, 6, 3)).astype("float32") * 3
    k3 = L.LSTM(5, recurrent_activation="hard_sigmoid")
    k2 = L.LSTM(5, recurrent_activation=activations.get("hard_sigmoid", legacy=True))
    k3(x)
    weights = random_weights(k3)
    k2(x)
    k2.set_weights(weights)
    relu6_form = lambda v: np.clip(v + 3, 0, 6) / 6  # noqa: E731
    clip_form = lambda v: np.clip(0.2 * v + 0.5, 0, 1)  # noqa: E731
    _, ref3, _ = np_lstm(x, *weights, rec_act=relu6_form)
    _, ref2, _ = np_lstm(x, *weights, rec_act=clip_form)
    np.testing.assert_allclose(k3(x).detach().numpy(), ref3, atol=1e-5)
    np.testing.assert_allclose(k2(x).detach().numpy(), ref2, atol=1e-5)
    assert np.abs(ref3 - ref2).max() > 1e-3


def test_legacy_hard_sigmoid_matches_tf_keras_fixture():
    path = os.path.join(FIXTURES, "lstm_hard_sigmoid_recurrent.npz")
    if not os.path.exists(path):
        pytest.skip("Keras reference fixtures not available")
    d = np.load(path)
    layer = L.LSTM(5, recurrent_activation=activations.hard_sigmoid_keras2)
    layer(d["x0"])
    layer.set_weights([d["w0"], d["w1"], d["w2"]])
    np.testing.assert_allclose(layer(d["x0"]).detach().numpy(), d["tfk_y0"], atol=2e-5)


def test_dropout_only_in_training_and_gradients_flow():
    torch.manual_seed(0)
    for kwargs in ({"dropout": 0.5}, {"recurrent_dropout": 0.5}, {"dropout": 0.3, "recurrent_dropout": 0.3}):
        layer = L.LSTM(6, **kwargs)
        x = torch.randn(4, 5, 3)
        a, b = layer(x), layer(x)
        torch.testing.assert_close(a, b)  # inference: deterministic
        t1 = layer(x, training=True)
        assert not torch.allclose(t1, a)
        t1.sum().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in layer.parameters())


def test_errors_name_layer_and_shapes():
    layer = L.LSTM(3, name="my_lstm")
    with pytest.raises(ValueError, match=r'my_lstm.*expected ndim=3, found ndim=2.*\(4, 5\)'):
        layer(np.zeros((4, 5), "float32"))
    layer = L.LSTM(3, name="lstm_state")
    x = np.zeros((2, 4, 5), "float32")
    with pytest.raises(ValueError, match=r'lstm_state.*\[\(2, 3\), \(2, 3\)\].*\[\(2, 4\), \(2, 3\)\]'):
        layer(x, initial_state=[torch.zeros(2, 4), torch.zeros(2, 3)])
    with pytest.raises(ValueError, match="lstm_state.*2 initial state"):
        layer(x, initial_state=[torch.zeros(2, 3)])


def test_config_round_trip_and_keras2_keys():
    layer = L.LSTM(7, activation="relu", recurrent_activation="hard_sigmoid", dropout=0.1, return_sequences=True,
                   go_backwards=True, unit_forget_bias=False, name="cfg_lstm")
    cfg = layer.get_config()
    assert "cell" not in cfg and cfg["units"] == 7 and cfg["recurrent_activation"] == "hard_sigmoid"
    clone = L.LSTM.from_config(cfg)
    assert clone.get_config() == cfg
    legacy = dict(cfg, name="k2", time_major=False, implementation=1)
    assert L.LSTM.from_config(legacy).cell.implementation == 1


def test_functional_model_with_state_inputs():
    x = keras.Input(shape=(5, 3))
    h0 = keras.Input(shape=(6,))
    c0 = keras.Input(shape=(6,))
    seq, h, c = L.LSTM(6, return_sequences=True, return_state=True)(x, initial_state=[h0, c0])
    model = keras.Model([x, h0, c0], [seq, h, c])
    assert seq.shape == (None, 5, 6) and h.shape == (None, 6)
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=s).astype("float32") for s in [(2, 5, 3), (2, 6), (2, 6)]]
    out = model(xs)
    k, rk, b = model.get_weights()
    ref = np_lstm(xs[0], k, rk, b, xs[1], xs[2])
    for o, r in zip(out, ref):
        np.testing.assert_allclose(o.detach().numpy(), r, atol=1e-5)


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("kwargs, output_shape", [
    ({"units": 3, "return_sequences": True}, (2, 4, 3)),
    ({"units": 3, "return_state": True}, [(2, 3)] * 3),
])
def test_common_layer_checks(kwargs, output_shape):
    check_layer(keras.layers.LSTM, kwargs, (2, 4, 2), output_shape, 3, 0)
