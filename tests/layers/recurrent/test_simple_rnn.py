import numpy as np
import pytest
import torch
from helpers.layer_check import check_layer

import kerastorch as keras

L = keras.layers


def np_rnn(x, kernel, rkernel, bias, act=np.tanh, h=None):
    h = np.zeros((x.shape[0], rkernel.shape[0]), np.float32) if h is None else h
    outs = []
    for t in range(x.shape[1]):
        h = act(x[:, t] @ kernel + bias + h @ rkernel)
        outs.append(h)
    return np.stack(outs, 1), h


@pytest.mark.parametrize("activation, fn", [("tanh", np.tanh), ("relu", lambda v: np.maximum(v, 0)),
                                            ("sigmoid", lambda v: 1 / (1 + np.exp(-v)))])
def test_simple_rnn_matches_formula(activation, fn):
    layer = L.SimpleRNN(4, activation=activation, return_sequences=True, return_state=True, name="rnn")
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype("float32")
    layer(x)
    rng = np.random.default_rng(1)
    layer.set_weights([rng.normal(0, 0.6, w.shape).astype("float32") for w in layer.get_weights()])
    k, rk, b = layer.get_weights()
    assert (k.shape, rk.shape, b.shape) == ((2, 4), (4, 4), (4,))
    assert layer.cell.name == "simple_rnn_cell"
    seq, h = layer(x)
    ref_seq, ref_h = np_rnn(x, k, rk, b, fn)
    np.testing.assert_allclose(seq.detach().numpy(), ref_seq, atol=1e-5)
    np.testing.assert_allclose(h.detach().numpy(), ref_h, atol=1e-5)


def test_simple_rnn_backwards_last_output_and_functional_shapes():
    x_in = keras.Input(shape=(None, 3))
    y = L.SimpleRNN(5, go_backwards=True)(x_in)
    assert y.shape == (None, 5)
    model = keras.Model(x_in, y)
    x = np.random.default_rng(2).normal(size=(2, 7, 3)).astype("float32")
    k, rk, b = model.get_weights()
    _, ref = np_rnn(x[:, ::-1], k, rk, b)
    np.testing.assert_allclose(model(x).detach().numpy(), ref, atol=1e-5)


def test_simple_rnn_dropout_training_only():
    torch.manual_seed(0)
    layer = L.SimpleRNN(4, dropout=0.5, recurrent_dropout=0.5, seed=3)
    x = torch.randn(3, 4, 6)
    torch.testing.assert_close(layer(x), layer(x))
    assert not torch.allclose(layer(x, training=True), layer(x))
    assert "seed" not in layer.get_config()  # Keras 3.15's SimpleRNN config leaves the seed out


# ------------------------------------------------------- common layer checks
def test_common_layer_checks():
    check_layer(keras.layers.SimpleRNN, {"units": 3, "activation": "relu"}, (2, 4, 2), (2, 3), 3, 0)
