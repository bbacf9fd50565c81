import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras

L = keras.layers


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_gru(x, kernel, rkernel, bias, reset_after, h=None):
    """Keras's GRU formula, gates z, r, h."""
    u = rkernel.shape[0]
    h = np.zeros((x.shape[0], u), np.float32) if h is None else h
    if bias is None:
        b_in, b_rec = 0.0, np.zeros(3 * u, np.float32)
    elif reset_after:
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias, np.zeros(3 * u, np.float32)
    outs = []
    for t in range(x.shape[1]):
        xz = x[:, t] @ kernel + b_in
        if reset_after:
            inner = h @ rkernel + b_rec
            z = sigmoid(xz[:, :u] + inner[:, :u])
            r = sigmoid(xz[:, u:2 * u] + inner[:, u:2 * u])
            hh = np.tanh(xz[:, 2 * u:] + r * inner[:, 2 * u:])
        else:
            inner = h @ rkernel[:, :2 * u]
            z = sigmoid(xz[:, :u] + inner[:, :u])
            r = sigmoid(xz[:, u:2 * u] + inner[:, u:])
            hh = np.tanh(xz[:, 2 * u:] + (r * h) @ rkernel[:, 2 * u:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1), h


def set_random(layer, seed=0):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer.get_weights()


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras_formula(reset_after):
    layer = L.GRU(5, reset_after=reset_after, return_sequences=True, return_state=True, name="gru")
    x = np.random.default_rng(1).normal(size=(3, 6, 4)).astype("float32")
    layer(x)
    shapes = [w.shape for w in layer.get_weights()]
    assert shapes == [(4, 15), (5, 15), (2, 15) if reset_after else (15,)]
    assert layer.cell.name == "gru_cell" and list(layer.state_dict())[0] == "cell.kernel"
    k, rk, b = set_random(layer)
    seq, h = layer(x)
    ref_seq, ref_h = np_gru(x, k, rk, b, reset_after)
    np.testing.assert_allclose(seq.detach().numpy(), ref_seq, atol=1e-5)
    np.testing.assert_allclose(h.detach().numpy(), ref_h, atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_no_bias_backwards_initial_state(reset_after):
    layer = L.GRU(4, reset_after=reset_after, use_bias=False, go_backwards=True)
    x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
    h0 = np.random.default_rng(3).normal(size=(2, 4)).astype("float32")
    layer(x)
    k, rk = set_random(layer)
    out = layer(x, initial_state=torch.tensor(h0)).detach().numpy()
    _, ref = np_gru(x[:, ::-1], k, rk, None, reset_after, h0)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_gru_cell_standalone_and_recurrent_dropout_training():
    cell = L.GRUCell(3)
    x = torch.randn(2, 4)
    out, states = cell(x, [torch.zeros(2, 3)])
    assert out.shape == (2, 3) and isinstance(states, list) and torch.equal(states[0], out)
    layer = L.GRU(3, dropout=0.2, recurrent_dropout=0.4)
    seq = torch.randn(4, 6, 2)
    eval_out = layer(seq)
    train_out = layer(seq, training=True)
    assert not torch.allclose(eval_out, train_out)
    train_out.sum().backward()
    assert layer.cell.kernel.grad is not None
    assert layer.cell.implementation == 1 and layer.cell.dropout_mask_count == 3


def test_gru_config_round_trip():
    layer = L.GRU(3, reset_after=False, recurrent_activation="hard_sigmoid", stateful=False, name="g")
    cfg = layer.get_config()
    assert cfg["reset_after"] is False and "cell" not in cfg
    assert L.GRU.from_config(cfg).get_config() == cfg


# ------------------------------------------------------- common layer checks
@pytest.mark.parametrize("kwargs", [{"units": 3}, {"units": 3, "reset_after": False, "go_backwards": True}])
def test_common_layer_checks(kwargs):
    check_layer(keras.layers.GRU, kwargs, (2, 4, 2), (2, 3), 3, 0)
